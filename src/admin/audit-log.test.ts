import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { sql } from 'kysely';

import { type Db, openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { appendAudit, verifyAuditLog } from './audit-log.js';

describe('audit log', () => {
  let db: Db;
  const key = randomBytes(32);

  beforeEach(async () => {
    db = openDatabase('sqlite::memory:');
    await migrateToLatest(db);
    for (const action of ['login.password_ok', 'mfa.succeeded', 'order.refunded', 'logout']) {
      await appendAudit(db.kysely, key, {
        actorId: 'staff-1',
        actorEmail: 'owner@example.test',
        action,
        objectType: 'staff',
        objectId: 'staff-1',
        ip: '127.0.0.1',
        details: { note: action },
      });
    }
  });
  afterEach(() => db.close());

  async function dropTriggers() {
    await sql`DROP TRIGGER audit_log_no_update`.execute(db.kysely);
    await sql`DROP TRIGGER audit_log_no_delete`.execute(db.kysely);
  }

  it('chains rows and verifies an intact log', async () => {
    const rows = await db.kysely.selectFrom('audit_log').selectAll().orderBy('seq').execute();

    assert.deepEqual(
      rows.map((row) => row.seq),
      [1, 2, 3, 4],
    );
    assert.equal(rows[1]?.prev_hash, rows[0]?.hash);
    assert.deepEqual(await verifyAuditLog(db.kysely, key), {
      ok: true,
      rows: 4,
      head: rows[3]?.hash,
    });
  });

  it('refuses updates and deletes through the triggers', async () => {
    await assert.rejects(
      db.kysely.updateTable('audit_log').set({ action: 'nothing' }).where('seq', '=', 2).execute(),
      /append-only/,
    );
    await assert.rejects(
      db.kysely.deleteFrom('audit_log').where('seq', '=', 2).execute(),
      /append-only/,
    );
  });

  it('names an edited row', async () => {
    await dropTriggers();
    await db.kysely
      .updateTable('audit_log')
      .set({ details: '{"note":"hidden"}' })
      .where('seq', '=', 3)
      .execute();

    assert.deepEqual(await verifyAuditLog(db.kysely, key), {
      ok: false,
      seq: 3,
      reason: 'altered',
    });
  });

  it('names a deleted row', async () => {
    await dropTriggers();
    await db.kysely.deleteFrom('audit_log').where('seq', '=', 2).execute();

    assert.deepEqual(await verifyAuditLog(db.kysely, key), {
      ok: false,
      seq: 2,
      reason: 'missing',
    });
  });

  it('names a row inserted before the first', async () => {
    const [first] = await db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 1)
      .execute();
    assert.ok(first);
    for (const seq of [0, -5]) {
      await db.kysely
        .insertInto('audit_log')
        .values({ ...first, seq, action: 'order.refunded', details: '{"amount":9999}' })
        .execute();
    }

    assert.deepEqual(await verifyAuditLog(db.kysely, key), {
      ok: false,
      seq: -5,
      reason: 'inserted',
    });
  });

  it('names a row whose hash was recomputed without the key', async () => {
    await dropTriggers();
    const other = randomBytes(32);
    const row = await db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow();
    const { auditHash } = await import('./audit-log.js');
    const forged = { ...row, action: 'nothing.happened' };
    await db.kysely
      .updateTable('audit_log')
      .set({ action: forged.action, hash: auditHash(other, forged) })
      .where('seq', '=', 2)
      .execute();

    assert.deepEqual(await verifyAuditLog(db.kysely, key), {
      ok: false,
      seq: 2,
      reason: 'altered',
    });
  });

  it('rejects the log under another key', async () => {
    assert.deepEqual(await verifyAuditLog(db.kysely, randomBytes(32)), {
      ok: false,
      seq: 1,
      reason: 'altered',
    });
  });
});
