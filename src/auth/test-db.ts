import type { Kysely } from 'kysely';

import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Database } from '../db/schema.js';

/** Opens a private, migrated in-memory database for the auth unit tests. */
export async function openAuthTestDb(): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  const database = openDatabase('sqlite::memory:');
  await migrateToLatest(database);
  return { db: database.kysely, close: () => database.close() };
}
