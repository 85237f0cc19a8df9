import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { hashToken } from '../server/ids.js';
import type { RequestAccount } from './request-account.js';
import {
  clearSessionCookie,
  createSession,
  customerSessionCookie,
  deleteExpiredSessions,
  endOtherSessions,
  endSession,
  isRecentlyReauthenticated,
  listSessions,
  markReauthenticated,
  resolveSession,
  rotateSession,
  setSessionCookie,
} from './sessions.js';
import { openAuthTestDb } from './test-db.js';

const timeouts = { idleMinutes: 30, absoluteMinutes: 720 };
const start = new Date('2030-01-01T10:00:00.000Z');

function minutesAfter(date: Date, minutes: number): Date {
  return new Date(date.getTime() + minutes * 60_000);
}

let db: Kysely<Database>;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await openAuthTestDb());
});
after(() => close());
beforeEach(async () => {
  await db.deleteFrom('sessions').execute();
});

function newSession(
  accountId = 'customer-1',
  now = start,
  realm: 'customer' | 'staff' = 'customer',
) {
  return createSession(db, {
    realm,
    accountId,
    stage: 'active',
    userAgent: 'Firefox on Linux',
    ip: '203.0.113.9',
    timeouts,
    now,
  });
}

describe('createSession', () => {
  it('stores only the hash of a 256-bit token', async () => {
    const token = await newSession();

    const rows = await db.selectFrom('sessions').selectAll().execute();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token_hash, hashToken(token));
    assert.ok(!JSON.stringify(rows).includes(token));
  });

  it('fixes the absolute end and the reauthentication time at creation', async () => {
    const token = await newSession();

    const row = await resolveSession(db, 'customer', token, timeouts, start);
    assert.equal(row?.expires_at, '2030-01-01T22:00:00.000Z');
    assert.equal(row?.reauthenticated_at, start.toISOString());
    assert.equal(row?.created_at, start.toISOString());
    assert.equal(row?.account_id, 'customer-1');
    assert.equal(row?.stage, 'active');
  });
});

describe('resolveSession', () => {
  it('returns null for unknown and malformed tokens', async () => {
    await newSession();

    assert.equal(await resolveSession(db, 'customer', 'A'.repeat(43), timeouts, start), null);
    assert.equal(await resolveSession(db, 'customer', "' OR 1=1 --", timeouts, start), null);
    assert.equal(await resolveSession(db, 'customer', '', timeouts, start), null);
  });

  it('does not accept a session of the other realm', async () => {
    const token = await newSession('staff-1', start, 'staff');

    assert.equal(await resolveSession(db, 'customer', token, timeouts, start), null);
    assert.equal(
      (await resolveSession(db, 'staff', token, timeouts, start))?.account_id,
      'staff-1',
    );
  });

  it('ends a session idle for longer than the idle timeout', async () => {
    const token = await newSession();

    const justBefore = await resolveSession(
      db,
      'customer',
      token,
      timeouts,
      minutesAfter(start, 29),
    );
    const idle = await resolveSession(db, 'customer', token, timeouts, minutesAfter(start, 59));
    const later = await resolveSession(db, 'customer', token, timeouts, minutesAfter(start, 60));

    assert.notEqual(justBefore, null);
    assert.equal(idle, null);
    assert.equal(later, null);
    assert.equal((await db.selectFrom('sessions').selectAll().execute()).length, 0);
  });

  it('keeps an active session alive by moving last_seen_at', async () => {
    const token = await newSession();

    for (let minute = 20; minute <= 700; minute += 20) {
      const row = await resolveSession(
        db,
        'customer',
        token,
        timeouts,
        minutesAfter(start, minute),
      );
      assert.notEqual(row, null, `minute ${minute}`);
      assert.equal(row?.last_seen_at, minutesAfter(start, minute).toISOString());
    }
  });

  it('ends a session at its absolute end however active it is', async () => {
    const token = await newSession();
    for (let minute = 20; minute < 720; minute += 20) {
      await resolveSession(db, 'customer', token, timeouts, minutesAfter(start, minute));
    }

    const atEnd = await resolveSession(db, 'customer', token, timeouts, minutesAfter(start, 720));

    assert.equal(atEnd, null);
    assert.equal((await db.selectFrom('sessions').selectAll().execute()).length, 0);
  });

  it('writes last_seen_at at most once a minute', async () => {
    const token = await newSession();

    await resolveSession(db, 'customer', token, timeouts, new Date(start.getTime() + 30_000));
    const row = await db.selectFrom('sessions').select('last_seen_at').executeTakeFirstOrThrow();

    assert.equal(row.last_seen_at, start.toISOString());
  });
});

describe('rotateSession', () => {
  it('replaces the token so the old one stops working', async () => {
    const oldToken = await newSession();
    const later = minutesAfter(start, 5);

    const newToken = await rotateSession(db, hashToken(oldToken), {}, later);

    assert.notEqual(newToken, oldToken);
    assert.equal(await resolveSession(db, 'customer', oldToken, timeouts, later), null);
    const row = await resolveSession(db, 'customer', newToken, timeouts, later);
    assert.equal(row?.account_id, 'customer-1');
    assert.equal(row?.created_at, start.toISOString());
    assert.equal(row?.expires_at, minutesAfter(start, 720).toISOString());
    assert.equal(row?.reauthenticated_at, start.toISOString());
    assert.equal((await db.selectFrom('sessions').selectAll().execute()).length, 1);
  });

  it('applies a new stage and a fresh reauthentication', async () => {
    const oldToken = await createSession(db, {
      realm: 'customer',
      accountId: 'customer-1',
      stage: 'mfa_pending',
      userAgent: 'Firefox',
      ip: '203.0.113.9',
      timeouts,
      now: start,
    });
    const later = minutesAfter(start, 2);

    const newToken = await rotateSession(
      db,
      hashToken(oldToken),
      { stage: 'active', reauthenticated: true },
      later,
    );

    const row = await resolveSession(db, 'customer', newToken, timeouts, later);
    assert.equal(row?.stage, 'active');
    assert.equal(row?.reauthenticated_at, later.toISOString());
  });

  it('throws AUTHENTICATION_REQUIRED for a session that ended', async () => {
    const token = await newSession();
    await endSession(db, hashToken(token));

    await assert.rejects(rotateSession(db, hashToken(token)), {
      code: 'AUTHENTICATION_REQUIRED',
    });
    assert.equal((await db.selectFrom('sessions').selectAll().execute()).length, 0);
  });
});

describe('ending sessions', () => {
  it('endSession ends only that session', async () => {
    const first = await newSession();
    const second = await newSession();

    await endSession(db, hashToken(first));

    assert.equal(await resolveSession(db, 'customer', first, timeouts, start), null);
    assert.notEqual(await resolveSession(db, 'customer', second, timeouts, start), null);
  });

  it('endOtherSessions keeps the current session and other accounts', async () => {
    const current = await newSession('customer-1');
    const phone = await newSession('customer-1');
    const laptop = await newSession('customer-1');
    const stranger = await newSession('customer-2');
    const staff = await newSession('customer-1', start, 'staff');

    const ended = await endOtherSessions(db, 'customer', 'customer-1', hashToken(current));

    assert.equal(ended, 2);
    assert.notEqual(await resolveSession(db, 'customer', current, timeouts, start), null);
    assert.equal(await resolveSession(db, 'customer', phone, timeouts, start), null);
    assert.equal(await resolveSession(db, 'customer', laptop, timeouts, start), null);
    assert.notEqual(await resolveSession(db, 'customer', stranger, timeouts, start), null);
    assert.notEqual(await resolveSession(db, 'staff', staff, timeouts, start), null);
  });

  it('endOtherSessions with null ends every session of the account', async () => {
    const first = await newSession('customer-1');
    await newSession('customer-1');

    assert.equal(await endOtherSessions(db, 'customer', 'customer-1', null), 2);
    assert.equal(await resolveSession(db, 'customer', first, timeouts, start), null);
  });

  it('deleteExpiredSessions removes only sessions past their end', async () => {
    await newSession('customer-1', start);
    const fresh = await newSession('customer-1', minutesAfter(start, 600));

    const removed = await deleteExpiredSessions(db, minutesAfter(start, 720));

    assert.equal(removed, 1);
    const rows = await db.selectFrom('sessions').select('token_hash').execute();
    assert.deepEqual(rows, [{ token_hash: hashToken(fresh) }]);
  });
});

describe('listSessions and reauthentication', () => {
  it('lists live sessions of the account, most recent first', async () => {
    await newSession('customer-1', minutesAfter(start, -800));
    const older = await newSession('customer-1', start);
    const newer = await newSession('customer-1', minutesAfter(start, 10));
    await newSession('customer-2', start);

    const rows = await listSessions(db, 'customer', 'customer-1', minutesAfter(start, 10));

    assert.deepEqual(
      rows.map((row) => row.token_hash),
      [hashToken(newer), hashToken(older)],
    );
  });

  it('markReauthenticated moves reauthenticated_at', async () => {
    const token = await newSession();
    const later = minutesAfter(start, 7);

    await markReauthenticated(db, hashToken(token), later);

    const row = await resolveSession(db, 'customer', token, timeouts, later);
    assert.equal(row?.reauthenticated_at, later.toISOString());
  });

  it('isRecentlyReauthenticated accepts 5 minutes and no more', () => {
    const account: RequestAccount = {
      realm: 'customer',
      accountId: 'customer-1',
      sessionHash: 'hash',
      stage: 'active',
      reauthenticatedAt: start.toISOString(),
    };

    assert.equal(isRecentlyReauthenticated(account, start.getTime() + 4 * 60_000), true);
    assert.equal(isRecentlyReauthenticated(account, start.getTime() + 5 * 60_000), false);
  });
});

describe('session cookies', () => {
  it('sets a host-only, HttpOnly, Secure, Lax browser-session cookie and clears it', async () => {
    const app = Fastify();
    await app.register(cookie);
    app.get('/set', async (_request, reply) => {
      setSessionCookie(reply, customerSessionCookie, 'token-value');
      return 'ok';
    });
    app.get('/clear', async (_request, reply) => {
      clearSessionCookie(reply, customerSessionCookie);
      return 'ok';
    });

    const set = String((await app.inject({ url: '/set' })).headers['set-cookie']);
    const cleared = String((await app.inject({ url: '/clear' })).headers['set-cookie']);
    await app.close();

    assert.equal(set, '__Host-session=token-value; Path=/; HttpOnly; Secure; SameSite=Lax');
    assert.match(
      cleared,
      /^__Host-session=; Max-Age=0; Path=\/; Expires=.*; HttpOnly; Secure; SameSite=Lax$/,
    );
  });
});
