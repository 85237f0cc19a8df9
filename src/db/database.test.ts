import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';

describe('openDatabase', () => {
  it('creates the database readable by its owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storefort-db-'));
    const path = join(dir, 'data', 'shop.db');
    const db = openDatabase(`sqlite:${path}`);

    try {
      await migrateToLatest(db);

      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'data')).mode & 0o077, 0);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
