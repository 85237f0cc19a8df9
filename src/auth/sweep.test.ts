import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig } from '../server/config.js';
import { createSession } from './sessions.js';
import { sweepExpiredAuthRows } from './sweep.js';
import { issueLink } from './links.js';
import { openAuthTestDb } from './test-db.js';

const minute = 60_000;

describe('sweepExpiredAuthRows', () => {
  it('deletes idle, ended and expired rows only', async () => {
    const { sessions } = loadConfig({});
    const { db, close } = await openAuthTestDb();
    const start = new Date('2026-12-01T10:00:00Z');
    const common = { userAgent: 'test', ip: '127.0.0.1', stage: 'active' as const, now: start };

    await createSession(db, {
      ...common,
      realm: 'customer',
      accountId: 'c1',
      timeouts: sessions.customer,
    });
    await createSession(db, {
      ...common,
      realm: 'staff',
      accountId: 's1',
      timeouts: sessions.staff,
    });
    await issueLink(db, {
      purpose: 'reset_password',
      realm: 'customer',
      accountId: 'c1',
      ttlMinutes: 30,
      now: start,
    });

    // 20 minutes later only the staff session (15 idle minutes) has lapsed.
    assert.equal(await sweepExpiredAuthRows(db, sessions, new Date(+start + 20 * minute)), 1);
    const left = await db.selectFrom('sessions').select('realm').execute();
    assert.deepEqual(left, [{ realm: 'customer' }]);

    // 31 minutes later the customer session and the 30-minute reset link are gone too.
    assert.equal(await sweepExpiredAuthRows(db, sessions, new Date(+start + 31 * minute)), 2);
    assert.equal((await db.selectFrom('sessions').selectAll().execute()).length, 0);
    assert.equal((await db.selectFrom('auth_links').selectAll().execute()).length, 0);
    await close();
  });
});
