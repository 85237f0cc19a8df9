import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';

import { type Db, openDatabase } from '../../src/db/database.js';
import { createClientLimits, type RateLimitSettings } from '../../src/defense/client-limits.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { loadAssetManifest } from '../../src/integrity/assets.js';
import type { PaymentGateway } from '../../src/payments/gateway.js';
import { buildShopApp, type ShopDeps } from '../../src/server/app.js';
import { type Config, loadConfig } from '../../src/server/config.js';
import { loadSecrets } from '../../src/server/secrets.js';
import { openTestLog, withTestLogLevel } from './log-files.js';

export interface TestShop {
  app: FastifyInstance;
  db: Db;
  deps: ShopDeps;
  close(): Promise<void>;
}

/**
 * Rate limits of test shops unless a test sets its own. Every injected request comes from
 * 127.0.0.1, so the production defaults would trip in test files that create dozens of carts.
 * The rate limit tests set tiny limits instead.
 */
export const testRateLimits: RateLimitSettings = {
  cartCreation: { limit: 10_000, windowMs: 60_000 },
  checkout: { limit: 10_000, windowMs: 60_000 },
  authAttempts: { limit: 10_000, windowMs: 60_000 },
  securityEvents: { limit: 10_000, windowMs: 60_000 },
};

/**
 * Builds a shop on a private in-memory SQLite database, migrated and empty. Requests go through
 * `app.inject`; call `app.listen({ port: 0 })` for a real socket.
 */
export async function startTestShop(options: {
  env?: Record<string, string>;
  payments: (config: Config, deps: Omit<ShopDeps, 'payments'>) => PaymentGateway;
  /** Receives the shop's log lines (set LOG_LEVEL in env, since tests default to silent). */
  logStream?: DestinationStream;
  /** Replaces entries of testRateLimits. */
  rateLimits?: Partial<RateLimitSettings>;
  /** Adds test-only routes or hooks before the shop is marked ready. */
  beforeReady?: (app: FastifyInstance) => void | Promise<void>;
}): Promise<TestShop> {
  const env = withTestLogLevel({
    NODE_ENV: 'test',
    DATABASE_URL: 'sqlite::memory:',
    ...options.env,
  });
  const config = loadConfig(env);
  const secrets = loadSecrets(config, env);
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  const log = openTestLog('shop', options.logStream);

  const base = {
    config,
    db,
    secrets,
    assets: await loadAssetManifest(),
    limits: createClientLimits({ ...testRateLimits, ...options.rateLimits }),
    ...(log.stream ? { logStream: log.stream } : {}),
  };
  const deps: ShopDeps = { ...base, payments: options.payments(config, base) };
  const app = await buildShopApp(deps);
  await options.beforeReady?.(app);
  await app.ready();

  return {
    app,
    db,
    deps,
    close: async () => {
      await app.close();
      await db.close();
      log.close();
    },
  };
}
