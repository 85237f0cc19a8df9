import type SQLite from 'better-sqlite3';

// Statements that change the schema, attach other files or rewrite the database file. A locked
// connection serves the shop's queries (SELECT, INSERT, UPDATE, DELETE, WITH, BEGIN, COMMIT,
// SAVEPOINT, RELEASE, ROLLBACK) and nothing else a foothold could use to alter the schema.
const schemaKeywords = new Set([
  'CREATE',
  'ALTER',
  'DROP',
  'ATTACH',
  'DETACH',
  'VACUUM',
  'REINDEX',
  'ANALYZE',
  'PRAGMA',
]);

/**
 * Raised when a schema-locked connection is given a statement that would change the schema.
 * The message names the statement's first keyword and never the statement's text.
 */
export class SchemaLockedError extends Error {
  override name = 'SchemaLockedError';
}

/**
 * Makes `sqlite` reject statements that change the schema. better-sqlite3 prepares exactly one
 * statement per prepare() call, so the first keyword after comments and whitespace decides.
 * exec() runs several statements at once and is disabled entirely. Pragmas the connection
 * needs are set before the lock.
 *
 * SQLite has no database users, so the check lives in the shop's process. An attacker who runs
 * code as the shop's operating system user can still open the file with another connection.
 */
export function lockSchema(sqlite: SQLite.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);

  sqlite.prepare = ((source: string) => {
    const keyword = firstKeyword(source);
    if (schemaKeywords.has(keyword)) {
      throw new SchemaLockedError(
        `${keyword} statements are rejected because the shop's connection cannot change the schema. ` +
          'Run `storefort migrate` as the migration user',
      );
    }
    return prepare(source);
  }) as typeof sqlite.prepare;

  sqlite.exec = (() => {
    throw new SchemaLockedError('exec() is disabled on the shop connection');
  }) as typeof sqlite.exec;
}

/** Returns the first SQL keyword of `source` in upper case, skipping comments and whitespace. */
export function firstKeyword(source: string): string {
  let rest = source;
  for (;;) {
    const trimmed = rest.trimStart();
    if (trimmed.startsWith('--')) {
      const end = trimmed.indexOf('\n');
      rest = end === -1 ? '' : trimmed.slice(end + 1);
    } else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/');
      rest = end === -1 ? '' : trimmed.slice(end + 2);
    } else {
      rest = trimmed;
      break;
    }
  }
  return (/^[A-Za-z]+/.exec(rest)?.[0] ?? '').toUpperCase();
}
