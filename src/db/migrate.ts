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
