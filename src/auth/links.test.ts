import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Kysely } from 'kysely';

import type { AuthLinkPurpose, Database } from '../db/schema.js';
import { hashToken } from '../server/ids.js';
import { consumeLink, issueLink, linkTtlMinutes, voidLinks } from './links.js';
import { openAuthTestDb } from './test-db.js';

const start = new Date('2030-01-01T10:00:00.000Z');

function minutesAfter(minutes: number): Date {
  return new Date(start.getTime() + minutes * 60_000);
}

let db: Kysely<Database>;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await openAuthTestDb());
});
after(() => close());
beforeEach(async () => {
  await db.deleteFrom('auth_links').execute();
});

function issue(purpose: AuthLinkPurpose, accountId = 'customer-1', now = start) {
  return issueLink(db, {
    purpose,
    realm: 'customer',
    accountId,
    ttlMinutes: linkTtlMinutes[purpose],
    now,
  });
}

describe('issueLink', () => {
  it('stores only the hash of the token', async () => {
    const token = await issue('reset_password');

    const rows = await db.selectFrom('auth_links').selectAll().execute();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token_hash, hashToken(token));
    assert.ok(!JSON.stringify(rows).includes(token));
  });

  it('gives reset links 30 minutes and confirmation links 24 hours', async () => {
    await issue('reset_password');
    await issue('confirm_email');

    const rows = await db
      .selectFrom('auth_links')
      .select(['purpose', 'expires_at'])
      .orderBy('purpose')
      .execute();
    assert.deepEqual(rows, [
      { purpose: 'confirm_email', expires_at: '2030-01-02T10:00:00.000Z' },
      { purpose: 'reset_password', expires_at: '2030-01-01T10:30:00.000Z' },
    ]);
  });

  it('voids the older unused link of the same purpose and account', async () => {
    const older = await issue('reset_password');
    const confirm = await issue('confirm_email');
    const otherAccount = await issue('reset_password', 'customer-2');

    const newer = await issue('reset_password', 'customer-1', minutesAfter(1));

    assert.equal(await consumeLink(db, 'reset_password', older, minutesAfter(2)), null);
    assert.notEqual(await consumeLink(db, 'reset_password', newer, minutesAfter(2)), null);
    assert.notEqual(await consumeLink(db, 'confirm_email', confirm, minutesAfter(2)), null);
    assert.notEqual(await consumeLink(db, 'reset_password', otherAccount, minutesAfter(2)), null);
  });

  it('keeps the new address of an email change', async () => {
    const token = await issueLink(db, {
      purpose: 'change_email',
      realm: 'customer',
      accountId: 'customer-1',
      newEmail: 'new@example.com',
      ttlMinutes: linkTtlMinutes.change_email,
      now: start,
    });

    const row = await consumeLink(db, 'change_email', token, minutesAfter(1));

    assert.equal(row?.new_email, 'new@example.com');
    assert.equal(row?.account_id, 'customer-1');
    assert.equal(row?.realm, 'customer');
  });
});

describe('consumeLink', () => {
  it('accepts a link once', async () => {
    const token = await issue('confirm_email');

    const first = await consumeLink(db, 'confirm_email', token, minutesAfter(1));
    const second = await consumeLink(db, 'confirm_email', token, minutesAfter(2));

    assert.equal(first?.account_id, 'customer-1');
    assert.equal(first?.used_at, minutesAfter(1).toISOString());
    assert.equal(second, null);
  });

  it('lets only one of two simultaneous uses succeed', async () => {
    const token = await issue('reset_password');

    const results = await Promise.all([
      consumeLink(db, 'reset_password', token, minutesAfter(1)),
      consumeLink(db, 'reset_password', token, minutesAfter(1)),
    ]);

    assert.equal(results.filter((row) => row !== null).length, 1);
  });

  it('rejects an expired link', async () => {
    const token = await issue('reset_password');

    assert.equal(await consumeLink(db, 'reset_password', token, minutesAfter(30)), null);
    const row = await db.selectFrom('auth_links').select('used_at').executeTakeFirstOrThrow();
    assert.equal(row.used_at, null);
  });

  it('accepts a link just before it expires', async () => {
    const token = await issue('reset_password');

    assert.notEqual(await consumeLink(db, 'reset_password', token, minutesAfter(29.9)), null);
  });

  it('rejects a link of another purpose without using it up', async () => {
    const token = await issue('confirm_email');

    assert.equal(await consumeLink(db, 'reset_password', token, minutesAfter(1)), null);
    assert.notEqual(await consumeLink(db, 'confirm_email', token, minutesAfter(1)), null);
  });

  it('rejects unknown and malformed tokens', async () => {
    await issue('confirm_email');

    assert.equal(await consumeLink(db, 'confirm_email', 'A'.repeat(43), start), null);
    assert.equal(await consumeLink(db, 'confirm_email', "x' OR '1'='1", start), null);
    assert.equal(await consumeLink(db, 'confirm_email', '', start), null);
  });
});

describe('voidLinks', () => {
  it('voids unused links of the given purposes only', async () => {
    const reset = await issue('reset_password');
    const confirm = await issue('confirm_email');
    const otherAccount = await issue('reset_password', 'customer-2');

    await voidLinks(db, 'customer', 'customer-1', ['reset_password']);

    assert.equal(await consumeLink(db, 'reset_password', reset, minutesAfter(1)), null);
    assert.notEqual(await consumeLink(db, 'confirm_email', confirm, minutesAfter(1)), null);
    assert.notEqual(await consumeLink(db, 'reset_password', otherAccount, minutesAfter(1)), null);
  });
});
