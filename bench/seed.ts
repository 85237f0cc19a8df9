import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';

import { createPasswordHasher } from '../src/auth/passwords.js';
import {
  type CollectionFilter,
  getProductByHandle,
  listCollections,
  listProducts,
} from '../src/catalog/catalog.service.js';
import { importProductCsv } from '../src/catalog/csv-import/importer.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { ServiceContext } from '../src/server/context.js';
import { loadConfig } from '../src/server/config.js';
import { nowIso, randomId } from '../src/server/ids.js';
import { loadSecrets } from '../src/server/secrets.js';
import { pageSize } from '../src/web/catalog-pages.routes.js';
import { collectionPath } from '../src/web/paths.js';

/** Untracked variants collected for the add-to-cart pool; more spreads writes over more rows. */
const cartVariantPoolSize = 64;

export type ShopEnv = Record<string, string>;

/**
 * Returns the environment the shop under test runs with: production settings, logging off, a
 * SQLite file in `dir`, and a listener on 127.0.0.1 at a port the system picks. Production
 * rejects the sandbox payment provider, so Stripe is configured with placeholder keys. No
 * benchmarked route calls the payment provider, and the Stripe client sends nothing until then.
 * Production also requires SMTP_URL. It points at the discard port on loopback, where no
 * server is expected, and no benchmarked request queues a mail, so nothing is sent there.
 */
export function shopEnvironment(dir: string): ShopEnv {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    PUBLIC_URL: 'https://localhost',
    DATABASE_URL: `sqlite:${join(dir, 'shop.db')}`,
    DATA_DIR: dir,
    CURRENCY: 'BRL',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    SANDBOX_GATEWAY_SECRET: randomBytes(32).toString('base64url'),
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_storefort_benchmark_never_called',
    STRIPE_WEBHOOK_SECRET: 'whsec_storefort_benchmark_never_called',
    SMTP_URL: 'smtp://127.0.0.1:9',
  };
}

/** Creates an empty directory under the system's temporary directory for one run. */
export function createRunDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'storefort-bench-'));
}

export interface SeededShop {
  catalog: { products: number; variants: number; images: number; importSeconds: number };
  /** The listing page benchmarked: the type or tag collection with the most products. */
  listing: { path: string; name: string; productCount: number; productsShown: number };
  /** Handle of the first product on that listing page. */
  productHandle: string;
  /** Variants that track no stock, so adding them never meets a stock limit. */
  cartVariantIds: string[];
}

/**
 * Migrates the shop's database and imports the catalog through the shop's CSV importer, then
 * picks the listing page, product and variants the scenarios request. Throws when the file is
 * missing, when any row is rejected, or when the catalog lacks what a scenario needs.
 */
export async function seedShop(env: ShopEnv, catalogPath: string): Promise<SeededShop> {
  await ensureReadable(catalogPath);
  const config = loadConfig(env);
  const db = openDatabase(config.databaseUrl);

  try {
    await migrateToLatest(db);
    const started = performance.now();
    const report = await importProductCsv(db.kysely, createReadStream(catalogPath), {
      currency: config.currency,
    });
    const importSeconds = (performance.now() - started) / 1000;
    if (report.fatal || report.issueCount > 0) {
      const first = report.fatal ?? report.issues[0];
      throw new Error(
        `${catalogPath} did not import cleanly: ${report.issueCount} problems, the first at ` +
          `line ${first?.line}: ${first?.message}`,
      );
    }

    const ctx: ServiceContext = {
      db: db.kysely,
      config,
      secrets: loadSecrets(config, env),
      log: pino({ level: 'silent' }),
      requestId: 'benchmark-seed',
      ip: '127.0.0.1',
      visitorHash: null,
      customerId: null,
    };
    const listing = await pickListing(ctx);
    return {
      catalog: {
        products: report.products,
        variants: report.variants,
        images: report.images,
        importSeconds,
      },
      listing: {
        path: listing.path,
        name: listing.name,
        productCount: listing.productCount,
        productsShown: listing.productsShown,
      },
      productHandle: await firstProductOf(ctx, listing.filter),
      cartVariantIds: await collectUntrackedVariants(ctx),
    };
  } finally {
    await db.close();
  }
}

async function ensureReadable(path: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new Error(`catalog not found at ${path}; set BENCH_CATALOG to a Shopify product CSV`);
  }
}

/** Picks the type or tag collection with the most products, so its first page is full. */
async function pickListing(ctx: ServiceContext) {
  const { types, tags } = await listCollections(ctx);
  const candidates = [
    ...types.map((collection) => ({ kind: 'type' as const, collection })),
    ...tags.map((collection) => ({ kind: 'tag' as const, collection })),
  ];
  const largest = candidates.reduce<(typeof candidates)[number] | undefined>(
    (best, next) =>
      best && best.collection.productCount >= next.collection.productCount ? best : next,
    undefined,
  );
  if (!largest) throw new Error('the catalog has no product type or tag to list');

  const { kind, collection } = largest;
  return {
    filter: { kind, slug: collection.slug },
    path: collectionPath(kind, collection.slug),
    name: collection.name,
    productCount: collection.productCount,
    productsShown: Math.min(collection.productCount, pageSize),
  };
}

async function firstProductOf(ctx: ServiceContext, collection: CollectionFilter): Promise<string> {
  const page = await listProducts(ctx, { collection, limit: pageSize });
  const first = page.items[0];
  if (!first) throw new Error(`the listing of ${collection.kind} "${collection.slug}" is empty`);
  return first.handle;
}

async function collectUntrackedVariants(ctx: ServiceContext): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;

  do {
    const page = await listProducts(ctx, { limit: 100, cursor });
    for (const summary of page.items) {
      const product = await getProductByHandle(ctx, summary.handle);
      const untracked = product?.variants.filter((variant) => variant.stock === 'untracked') ?? [];
      ids.push(...untracked.map((variant) => variant.id));
      if (ids.length >= cartVariantPoolSize) return ids.slice(0, cartVariantPoolSize);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);

  return ids;
}

/**
 * Creates `count` confirmed customer accounts for the login flood to target, each with a random
 * password hashed at the configured cost and then forgotten, since the flood only sends wrong
 * ones. The rows are inserted directly, because signing up through the shop would need the
 * confirmation mail. Returns the accounts' emails.
 */
export async function seedAccounts(env: ShopEnv, count: number): Promise<string[]> {
  const config = loadConfig(env);
  const db = openDatabase(config.databaseUrl);
  const hasher = createPasswordHasher(config.passwordHashing, 1);

  try {
    const emails: string[] = [];
    for (let index = 1; index <= count; index += 1) {
      const email = `shopper-${index}@bench.example.com`;
      const now = nowIso();
      await db.kysely
        .insertInto('customers')
        .values({
          id: randomId(),
          email,
          email_confirmed_at: now,
          password_hash: await hasher.hash(randomBytes(24).toString('base64url')),
          name: `Shopper ${index}`,
          created_at: now,
          updated_at: now,
        })
        .execute();
      emails.push(email);
    }
    return emails;
  } finally {
    await db.close();
  }
}
