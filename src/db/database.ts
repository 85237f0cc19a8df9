import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';

import { lockSchema } from './schema-lock.js';
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
export interface OpenOptions {
  /**
   * Rejects schema statements (CREATE, ALTER, DROP, ATTACH, PRAGMA, ...) on this connection.
   * The shop runs locked in production, where only `storefort migrate` changes the schema.
   */
  schemaLocked?: boolean;
}

export function openDatabase(url: string, options: OpenOptions = {}): Db {
  if (!url.startsWith('sqlite:')) {
    throw new Error(`unsupported DATABASE_URL "${url.split(':')[0]}:…"; only sqlite: works today`);
  }

  const path = url.slice('sqlite:'.length);
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });

  const isNew = path === ':memory:' || !existsSync(path);
  // A locked connection belongs to a shop in production, which must not create an empty
  // database where the migration user's file is missing.
  const sqlite = new SQLite(path, { fileMustExist: options.schemaLocked === true });
  if (path !== ':memory:') restrictFileMode(path, isNew);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  if (options.schemaLocked) lockSchema(sqlite);

  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    kysely,
    dialect: 'sqlite',
    close: () => kysely.destroy(),
  };
}

/**
 * Keeps other users out of the database file, which contains customers' personal data. A new
 * file gets mode 0600. An existing one may be shared with a group (a separate migration user
 * owning the file, the shop's user in its group), but never with everyone. SQLite gives its
 * -wal and -shm files the same mode as the database file.
 */
function restrictFileMode(path: string, isNew: boolean): void {
  if (isNew) {
    chmodSync(path, 0o600);
    return;
  }

  const { mode, uid } = statSync(path);
  if ((mode & 0o007) === 0) return;
  if (uid === process.getuid?.()) {
    chmodSync(path, mode & 0o770);
    return;
  }
  throw new Error(`${path} is readable by every user; its owner must run chmod o-rwx on it`);
}
