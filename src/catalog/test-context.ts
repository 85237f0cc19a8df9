import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';

import { type Db, openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { ServiceContext } from '../server/context.js';
import { loadConfig } from '../server/config.js';
import { loadSecrets } from '../server/secrets.js';

/** The shared folder of real Shopify exports, next to the repository; read in place. */
export const sharedCatalogsDir = join(import.meta.dirname, '..', '..', '..', 'shared', 'catalogs');

export interface CatalogTestDb {
  db: Db;
  ctx: ServiceContext;
}

/** Opens a migrated, empty in-memory database and a service context for catalog tests. */
export async function openCatalogTestDb(currency = 'USD'): Promise<CatalogTestDb> {
  const env = { NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:', CURRENCY: currency };
  const config = loadConfig(env);
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);

  const ctx: ServiceContext = {
    db: db.kysely,
    config,
    secrets: loadSecrets(config, env),
    log: pino({ level: 'silent' }),
    requestId: 'test',
    ip: '127.0.0.1',
    visitorHash: null,
    customerId: null,
  };
  return { db, ctx };
}

/** Expected numbers for one shared export, from the JSON block in its SOURCES.md. */
export interface ExpectedCounts {
  handles: number;
  variant_rows: number;
  distinct_handle_image_pairs: number;
  visible_products: number;
}

/** Reads the JSON block of expected counts from the shared catalogs' SOURCES.md. */
export function readExpectedCounts(): Record<string, ExpectedCounts> {
  const text = readFileSync(join(sharedCatalogsDir, 'SOURCES.md'), 'utf8');
  const block = /```json\n([\s\S]*?)\n```/.exec(text)?.[1];
  if (block === undefined) throw new Error('SOURCES.md has no ```json block');
  return JSON.parse(block) as Record<string, ExpectedCounts>;
}

/** Counts the rows of a table. */
export async function countRows(
  db: Db,
  table: 'products' | 'variants' | 'images' | 'product_tags' | 'security_events',
): Promise<number> {
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
