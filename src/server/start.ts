import { existsSync, readFileSync } from 'node:fs';

import type { FastifyInstance } from 'fastify';

import { buildAdminApp } from '../admin/app.js';
import { startAuthSweeper } from '../auth/sweep.js';
import { seedDemoCatalogIfEmpty } from '../catalog/demo-catalog.js';
import { type Db, openDatabase } from '../db/database.js';
import { createClientLimits, type RateLimitSettings } from '../defense/client-limits.js';
import { migrateToLatest, pendingMigrations } from '../db/migrate.js';
import { loadAssetManifest } from '../integrity/assets.js';
import { startMailWorker } from '../mail/mail-worker.js';
import { startExpiryTimer } from '../orders/order-expiry.js';
import { createPaymentGateway } from '../payments/index.js';
import { startGateway } from '../payments/sandbox/server.js';
import { buildShopApp } from './app.js';
import { type Config, ConfigError } from './config.js';
import { loadSecrets } from './secrets.js';

export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

export interface StartOptions {
  /**
   * Replaces entries of the default per-client rate limits. A benchmark that creates hundreds of
   * carts from one address needs higher ones; a shop serving shoppers keeps the defaults.
   */
  rateLimits?: Partial<RateLimitSettings>;
}

export interface RunningShop {
  shop: FastifyInstance;
  /** The back office, listening on ADMIN_HOST:ADMIN_PORT only. */
  admin: FastifyInstance;
  gateway: FastifyInstance | undefined;
  close(): Promise<void>;
}

/**
 * Opens the database, migrating it and seeding the demo catalog into an empty store outside
 * production. Then starts the sandbox gateway when it is the payment provider, the shop, the
 * admin, the mail worker and the minute timer that expires unpaid orders. With TLS files the
 * shop serves HTTPS and accepts TLS 1.3 only.
 */
export async function startShop(
  config: Config,
  tls?: TlsFiles,
  options: StartOptions = {},
): Promise<RunningShop> {
  const secrets = loadSecrets(config);
  const https = tls ? readTls(tls) : undefined;
  if (https && config.publicUrl.protocol !== 'https:') {
    throw new ConfigError('PUBLIC_URL must start with https:// when --tls-cert is given');
  }

  const db = await openShopDatabase(config);
  // A production shop starts empty; the demo catalog is for trying the shop out.
  if (config.env !== 'production') await seedDemoCatalogIfEmpty(db, config);

  let gateway: FastifyInstance | undefined;
  try {
    gateway =
      config.paymentProvider === 'sandbox'
        ? await listening(startGateway(config, secrets), 'GATEWAY_PORT')
        : undefined;
  } catch (error) {
    await db.close();
    throw error;
  }
  const payments = createPaymentGateway(config, secrets);
  const shop = await buildShopApp(
    {
      config,
      db,
      secrets,
      payments,
      assets: await loadAssetManifest(),
      limits: createClientLimits(options.rateLimits),
    },
    https,
  );
  const admin = await buildAdminApp({
    config,
    db,
    secrets,
    payments,
    assets: await loadAssetManifest(),
  });
  try {
    await listening(shop.listen({ port: config.port, host: config.host }), 'PORT or HOST');
    await listening(
      admin.listen({ port: config.adminPort, host: config.adminHost }),
      'ADMIN_PORT or ADMIN_HOST',
    );
  } catch (error) {
    await admin.close();
    await shop.close();
    await gateway?.close();
    await db.close();
    throw error;
  }
  // Unpaid orders past PAYMENT_TIMEOUT_MINUTES release their stock even when no checkout runs.
  const expiry = startExpiryTimer({ db: db.kysely, config, secrets, log: shop.log });
  const mail = startMailWorker({ db: db.kysely, config, log: shop.log });
  const authSweep = startAuthSweeper({ db: db.kysely, config, log: shop.log });

  return {
    shop,
    admin,
    gateway,
    close: async () => {
      await expiry.stop();
      await mail.stop();
      await authSweep.stop();
      await admin.close();
      await shop.close();
      await gateway?.close();
      await db.close();
    },
  };
}

/**
 * Turns the usual reasons a server cannot listen (port taken, no permission, unknown host)
 * into a ConfigError that names the setting to change. Other errors pass unchanged.
 */
async function listening<T>(start: Promise<T>, setting: string): Promise<T> {
  try {
    return await start;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ConfigError(
        `cannot listen (${message}); stop the other server or change ${setting}`,
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new ConfigError(`cannot listen (${message}); check ${setting}`);
    }
    throw error;
  }
}

function readTls(tls: TlsFiles) {
  try {
    return {
      cert: readFileSync(tls.certPath),
      key: readFileSync(tls.keyPath),
      minVersion: 'TLSv1.3' as const,
    };
  } catch (error) {
    throw new ConfigError(`cannot read the TLS files: ${(error as Error).message}`);
  }
}

/**
 * Opens the shop's database. Outside production the shop migrates it at start. In production
 * its connection cannot change the schema: migrations run beforehand with `storefort migrate`
 * as a separate user, and a schema behind the code stops the start with that instruction.
 */
export async function openShopDatabase(config: Config): Promise<Db> {
  if (config.env !== 'production') {
    const db = openDatabase(config.databaseUrl);
    await migrateToLatest(db);
    return db;
  }

  const path = config.databaseUrl.slice('sqlite:'.length);
  if (path !== ':memory:' && !existsSync(path)) {
    throw new ConfigError(
      `the database ${path} does not exist; run \`storefort migrate\` as the migration user ` +
        'to create it, then start the shop again',
    );
  }
  const db = openDatabase(config.databaseUrl, { schemaLocked: true });
  const pending = await pendingMigrations(db);
  if (pending.length > 0) {
    await db.close();
    throw new ConfigError(
      `the database lacks migrations ${pending.join(', ')}; run \`storefort migrate\` ` +
        'as the migration user, then start the shop again',
    );
  }
  return db;
}
