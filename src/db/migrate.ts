import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';

import type { Db, Dialect } from './database.js';
import * as initial from './migrations/0001-initial.js';
import * as orderExpiryIndex from './migrations/0002-order-expiry-index.js';
import * as accounts from './migrations/0003-accounts.js';

type DialectMigration = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> };

const migrations: Record<string, DialectMigration> = {
  '0001-initial': initial,
  '0002-order-expiry-index': orderExpiryIndex,
  '0003-accounts': accounts,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const bound: Record<string, Migration> = {};
    for (const [name, migration] of Object.entries(migrations)) {
      bound[name] = { up: (db) => migration.up(db, this.dialect) };
    }
    return bound;
  }
}

/** Applies every pending migration, each in its own transaction; throws on the first failure. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticProvider(db.dialect),
  });

  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    const name = failed ? ` ${failed.migrationName}` : '';
    throw new Error(`migration${name} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).map((result) => result.migrationName);
}

/**
 * Returns the names of migrations not yet applied, without applying or creating anything, so
 * a connection that cannot change the schema can still check it.
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const ledger = db.kysely as unknown as Kysely<{ kysely_migration: { name: string } }>;
  let applied: Set<string>;
  try {
    const rows = await ledger.selectFrom('kysely_migration').select('name').execute();
    applied = new Set(rows.map((row) => row.name));
  } catch (error) {
    // A database no migration ever ran on has no ledger table yet.
    if (!/no such table/i.test(String(error))) throw error;
    applied = new Set();
  }
  return Object.keys(migrations).filter((name) => !applied.has(name));
}
