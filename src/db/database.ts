import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';

import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

/**
 * Opens the database named by a DATABASE_URL. `sqlite::memory:` gives a private in-memory
 * database, which tests use. PostgreSQL URLs are accepted by the configuration but not yet
 * connected here.
 */
export function openDatabase(url: string): Db {
  if (!url.startsWith('sqlite:')) {
    throw new Error(`unsupported DATABASE_URL "${url.split(':')[0]}:…"; only sqlite: works today`);
  }

  const path = url.slice('sqlite:'.length);
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });

  const sqlite = new SQLite(path);
  // The database contains customers' personal data. SQLite gives its -wal and -shm files the
  // same mode as the database file.
  if (path !== ':memory:') chmodSync(path, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');

  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    kysely,
    dialect: 'sqlite',
    close: () => kysely.destroy(),
  };
}
