import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { loadConfig } from '../server/config.js';
import { ConfigError } from '../server/config.js';
import { openShopDatabase } from '../server/start.js';
import { type Db, openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';
import { firstKeyword } from './schema-lock.js';

describe('firstKeyword', () => {
  it('skips comments and whitespace', () => {
    assert.equal(firstKeyword('  select 1'), 'SELECT');
    assert.equal(firstKeyword('-- note\n  drop table x'), 'DROP');
    assert.equal(firstKeyword('/* a */ /* b */Create table x(y)'), 'CREATE');
    assert.equal(firstKeyword('/* unterminated'), '');
  });
});

describe('schema-locked connection', () => {
  let dir: string;
  let path: string;
  let db: Db;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'storefort-lock-'));
    path = join(dir, 'shop.db');
    const owner = openDatabase(`sqlite:${path}`);
    await migrateToLatest(owner);
    await owner.close();
    db = openDatabase(`sqlite:${path}`, { schemaLocked: true });
  });

  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads and writes rows', async () => {
    await db.kysely
      .insertInto('security_events')
      .values({ created_at: 'now', kind: 'test', source: 'x', request_id: 'r', details: '{}' })
      .execute();
    const rows = await db.kysely.selectFrom('security_events').select('kind').execute();

    assert.deepEqual(rows, [{ kind: 'test' }]);
  });

  it('rejects schema statements', async () => {
    const attempts = [
      db.kysely.schema.createTable('loot').addColumn('x', 'text').execute(),
      db.kysely.schema.dropTable('audit_log').execute(),
      db.kysely.schema.alterTable('customers').addColumn('x', 'text').execute(),
      db.kysely.schema.createIndex('i').on('customers').column('name').execute(),
    ];

    for (const attempt of attempts) {
      await assert.rejects(attempt, /statements are rejected/);
    }
    const tables = await db.kysely.selectFrom('customers').select('id').execute();
    assert.deepEqual(tables, []);
  });

  it('starts in production only on a migrated database', async () => {
    const emptyPath = join(dir, 'empty.db');
    const env = {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://shop.example',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    };

    await assert.rejects(
      openShopDatabase(loadConfig({ ...env, DATABASE_URL: `sqlite:${emptyPath}` })),
      (error: unknown) => error instanceof ConfigError && /does not exist/.test(error.message),
    );
    assert.equal(existsSync(emptyPath), false, 'the shop created a database file');

    const unmigrated = openDatabase(`sqlite:${emptyPath}`);
    await unmigrated.close();
    await assert.rejects(
      openShopDatabase(loadConfig({ ...env, DATABASE_URL: `sqlite:${emptyPath}` })),
      (error: unknown) =>
        error instanceof ConfigError && /lacks migrations 0001-initial/.test(error.message),
    );

    const migrated = await openShopDatabase(loadConfig({ ...env, DATABASE_URL: `sqlite:${path}` }));
    await assert.rejects(migrated.kysely.schema.dropTable('orders').execute(), /rejected/);
    await migrated.close();
  });
});
