import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { preLoginCookie } from '../../src/admin/admin-csrf.js';
import { staffSessionCookie } from '../../src/auth/sessions.js';
import { randomId } from '../../src/server/ids.js';
import {
  cookieFrom,
  csrfOf,
  staffPassword,
  startTestAdmin,
  type TestAdmin,
} from './admin-support.js';

describe('staff role changes and disabling', () => {
  let admin: TestAdmin;
  let ownerId: string;
  let ownerSession: string;

  before(async () => {
    admin = await startTestAdmin();
    ownerId = await admin.addStaff('owner');
    ownerSession = await admin.signIn(ownerId);
  });
  after(() => admin.close());

  async function sessionCount(staffId: string): Promise<number> {
    const rows = await admin.db.kysely
      .selectFrom('sessions')
      .select('token_hash')
      .where('realm', '=', 'staff')
      .where('account_id', '=', staffId)
      .execute();
    return rows.length;
  }

  async function login(email: string) {
    const page = await admin.request({ url: '/login' });
    return admin.request({
      method: 'POST',
      url: '/login',
      cookies: { [preLoginCookie]: cookieFrom(page, preLoginCookie) ?? '' },
      form: { email, password: staffPassword },
      csrf: csrfOf(page.body),
    });
  }

  it('ends every session of a member whose role changes', async () => {
    const managerId = await admin.addStaff('manager');
    const first = await admin.signIn(managerId);
    const second = await admin.signIn(managerId);
    assert.equal(
      (await admin.request({ url: '/security-events', session: first })).statusCode,
      200,
    );

    const change = await admin.request({
      method: 'POST',
      url: `/staff/${managerId}/role`,
      session: ownerSession,
      form: { role: 'support' },
    });

    assert.equal(change.statusCode, 303);
    assert.equal(await sessionCount(managerId), 0);
    for (const session of [first, second]) {
      const after = await admin.request({ url: '/security-events', session });
      assert.equal(after.statusCode, 303);
      assert.equal(after.headers.location, '/login');
    }
    assert.equal(
      (await admin.request({ url: '/', session: ownerSession })).statusCode,
      200,
      "the owner's own session stays",
    );
  });

  it('applies a role changed in the database at the next request', async () => {
    const managerId = await admin.addStaff('manager');
    const session = await admin.signIn(managerId);
    assert.equal((await admin.request({ url: '/security-events', session })).statusCode, 200);

    // Written straight to the table: no session is ended, so only the per-request read helps.
    await admin.db.kysely
      .updateTable('staff')
      .set({ role: 'fulfilment' })
      .where('id', '=', managerId)
      .execute();
    const events = await admin.request({ url: '/security-events', session });
    const orders = await admin.request({ url: '/orders', session });

    assert.equal(events.statusCode, 403);
    assert.equal(orders.statusCode, 200, 'the session itself is still valid');
  });

  it('disables a member, ending their sessions and logins', async () => {
    const email = `support-${randomId()}@example.test`.toLowerCase();
    const supportId = await admin.addStaff('support', email);
    const session = await admin.signIn(supportId);

    const disable = await admin.request({
      method: 'POST',
      url: `/staff/${supportId}/disable`,
      session: ownerSession,
      form: {},
    });

    assert.equal(disable.statusCode, 303);
    assert.equal(await sessionCount(supportId), 0);
    const after = await admin.request({ url: '/orders', session });
    assert.equal(after.headers.location, '/login');
    const loginAgain = await login(email);
    assert.equal(loginAgain.statusCode, 401);
    assert.equal(cookieFrom(loginAgain, staffSessionCookie), undefined);
    const audit = await admin.db.kysely
      .selectFrom('audit_log')
      .select(['actor_id', 'details'])
      .where('action', '=', 'staff.disabled')
      .where('object_id', '=', supportId)
      .executeTakeFirstOrThrow();
    assert.equal(audit.actor_id, ownerId);
    assert.equal(JSON.parse(audit.details).sessionsEnded, 1);
    const list = await admin.request({ url: '/staff', session: ownerSession });
    assert.ok(!list.body.includes(email), 'the staff list leaves disabled members out');
  });

  it('refuses to disable oneself', async () => {
    const response = await admin.request({
      method: 'POST',
      url: `/staff/${ownerId}/disable`,
      session: ownerSession,
      form: {},
    });

    assert.equal(response.statusCode, 409);
    assert.match(response.body, /cannot disable your own account/);
    const owner = await admin.db.kysely
      .selectFrom('staff')
      .select('disabled_at')
      .where('id', '=', ownerId)
      .executeTakeFirstOrThrow();
    assert.equal(owner.disabled_at, null);
    assert.equal((await admin.request({ url: '/', session: ownerSession })).statusCode, 200);
  });

  it('lets only owners disable, after re-auth', async () => {
    const targetId = await admin.addStaff('support');
    const managerSession = await admin.signIn(await admin.addStaff('manager'));
    const staleOwner = await admin.signIn(ownerId, {
      reauthenticatedAt: new Date(Date.now() - 6 * 60_000),
    });

    const byManager = await admin.request({
      method: 'POST',
      url: `/staff/${targetId}/disable`,
      session: managerSession,
      form: {},
    });
    const stale = await admin.request({
      method: 'POST',
      url: `/staff/${targetId}/disable`,
      session: staleOwner,
      form: {},
    });

    assert.equal(byManager.statusCode, 403);
    assert.equal(stale.statusCode, 303);
    assert.match(stale.headers.location ?? '', /^\/reauth\?next=/);
    const target = await admin.db.kysely
      .selectFrom('staff')
      .select('disabled_at')
      .where('id', '=', targetId)
      .executeTakeFirstOrThrow();
    assert.equal(target.disabled_at, null);
  });
});

describe('admin sign-in attempt limit', () => {
  let admin: TestAdmin;
  const email = 'limited-owner@example.test';

  before(async () => {
    admin = await startTestAdmin({}, { limits: { loginAttempts: { limit: 3, windowMs: 60_000 } } });
    await admin.addStaff('owner', email);
  });
  after(() => admin.close());

  async function login(password: string, remoteAddress: string) {
    const page = await admin.request({ url: '/login', remoteAddress });
    return admin.request({
      method: 'POST',
      url: '/login',
      cookies: { [preLoginCookie]: cookieFrom(page, preLoginCookie) ?? '' },
      form: { email, password },
      csrf: csrfOf(page.body),
      remoteAddress,
    });
  }

  it('stops an address after too many attempts, even with the right password', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await login(`wrong password ${i}`, '192.0.2.7')).statusCode);
    }

    const limited = await login(staffPassword, '192.0.2.7');
    const otherAddress = await login(staffPassword, '192.0.2.8');

    assert.deepEqual(statuses, [401, 401, 401]);
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After is set');
    assert.match(limited.body, /Too many sign-in attempts/);
    assert.equal(cookieFrom(limited, staffSessionCookie), undefined);
    assert.equal(otherAddress.statusCode, 303, 'another address still logs in');
    assert.ok(cookieFrom(otherAddress, staffSessionCookie));
  });

  it('counts second-factor codes against the same limit', async () => {
    const staffId = await admin.addStaff('support');
    const session = await admin.signIn(staffId, { stage: 'mfa_pending' });

    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await admin.request({
        method: 'POST',
        url: '/mfa/totp',
        session,
        form: { code: '000000' },
        remoteAddress: '198.51.100.9',
      });
      statuses.push(response.statusCode);
    }

    assert.equal(statuses[3], 429);
    assert.ok(statuses.slice(0, 3).every((status) => status !== 429));
  });
});
