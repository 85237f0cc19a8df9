import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { preLoginCookie } from '../../src/admin/admin-csrf.js';
import { verifyAuditLog } from '../../src/admin/audit-log.js';
import { auditKeyOf } from '../../src/admin/staff-context.js';
import { staffSessionCookie } from '../../src/auth/sessions.js';
import { hashToken } from '../../src/server/ids.js';
import {
  cookieFrom,
  csrfOf,
  staffPassword,
  startTestAdmin,
  type TestAdmin,
  totpCode,
} from './admin-support.js';

describe('staff login and second factor', () => {
  let admin: TestAdmin;
  const email = 'owner@example.test';
  let totpSecret = '';

  before(async () => {
    admin = await startTestAdmin();
    await admin.addStaff('owner', email);
  });
  after(() => admin.close());

  /** Loads the login form and posts it, as a browser does. */
  async function login(password: string) {
    const page = await admin.request({ url: '/login' });
    const pre = cookieFrom(page, preLoginCookie);
    assert.ok(pre, 'login page sets the pre-login cookie');
    return admin.request({
      method: 'POST',
      url: '/login',
      cookies: { [preLoginCookie]: pre },
      form: { email, password },
      csrf: csrfOf(page.body),
    });
  }

  async function auditActions(): Promise<string[]> {
    const rows = await admin.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .orderBy('seq')
      .execute();
    return rows.map((row) => row.action);
  }

  it('rejects a wrong password and audits it', async () => {
    const response = await login('wrong password here');

    assert.equal(response.statusCode, 401);
    assert.match(response.body, /The email or password is wrong/);
    assert.equal(cookieFrom(response, staffSessionCookie), undefined);
    assert.ok((await auditActions()).includes('login.failed'));
  });

  it('refuses a login form without its CSRF token', async () => {
    const response = await admin.request({
      method: 'POST',
      url: '/login',
      form: { email, password: staffPassword },
      csrf: false,
    });

    assert.equal(response.statusCode, 403);
    assert.equal(cookieFrom(response, staffSessionCookie), undefined);
  });

  it('requires enrolment before any other page', async () => {
    const response = await login(staffPassword);
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/mfa/enrol');
    const session = cookieFrom(response, staffSessionCookie);
    assert.ok(session);

    for (const url of ['/', '/orders', '/customers', '/staff', '/outbox', '/reauth']) {
      const page = await admin.request({ url, session });
      assert.equal(page.statusCode, 303, url);
      assert.equal(page.headers.location, '/mfa/enrol', url);
    }
    const post = await admin.request({
      method: 'POST',
      url: '/api-keys/new',
      session,
      form: { name: 'sneaky' },
    });
    assert.equal(post.statusCode, 401);
    const keys = await admin.db.kysely.selectFrom('api_keys').select('id').execute();
    assert.equal(keys.length, 0);

    // Enrol an authenticator app with the secret the page shows.
    const enrol = await admin.request({ url: '/mfa/enrol', session });
    assert.equal(enrol.statusCode, 200);
    const secret = /Secret: <code>([A-Z2-7]+)<\/code>/.exec(enrol.body)?.[1];
    assert.ok(secret, 'enrolment page shows the secret');
    totpSecret = secret;

    const wrong = await admin.request({
      method: 'POST',
      url: '/mfa/enrol/totp',
      session,
      form: { code: '000000' === totpCode(secret) ? '111111' : '000000' },
    });
    assert.equal(wrong.statusCode, 401);

    const confirmed = await admin.request({
      method: 'POST',
      url: '/mfa/enrol/totp',
      session,
      form: { code: totpCode(secret) },
    });
    assert.equal(confirmed.statusCode, 200);
    assert.equal((confirmed.body.match(/<li><code>/g) ?? []).length, 10, 'ten recovery codes');
    const active = cookieFrom(confirmed, staffSessionCookie);
    assert.ok(active);
    assert.notEqual(active, session, 'the session id changes at the stage change');

    const old = await admin.request({ url: '/', session });
    assert.equal(old.headers.location, '/login', 'the old session id no longer works');
    const dashboard = await admin.request({ url: '/', session: active });
    assert.equal(dashboard.statusCode, 200);
    assert.match(dashboard.body, /Dashboard/);

    const logout = await admin.request({
      method: 'POST',
      url: '/logout',
      session: active,
      form: {},
    });
    assert.equal(logout.statusCode, 303);
    const afterLogout = await admin.request({ url: '/', session: active });
    assert.equal(afterLogout.headers.location, '/login');
  });

  it('asks for the second factor at the next login', async () => {
    const response = await login(staffPassword);
    assert.equal(response.headers.location, '/mfa');
    const pending = cookieFrom(response, staffSessionCookie);
    assert.ok(pending);

    const orders = await admin.request({ url: '/orders', session: pending });
    assert.equal(orders.headers.location, '/mfa');

    const wrong = await admin.request({
      method: 'POST',
      url: '/mfa/totp',
      session: pending,
      form: { code: '12345' },
    });
    assert.equal(wrong.statusCode, 401);

    // The enrolment used the current step; a code is accepted once, so use the next one.
    const verified = await admin.request({
      method: 'POST',
      url: '/mfa/totp',
      session: pending,
      form: { code: totpCode(totpSecret, 1) },
    });
    assert.equal(verified.statusCode, 303);
    assert.equal(verified.headers.location, '/');
    const active = cookieFrom(verified, staffSessionCookie);
    assert.ok(active);
    assert.notEqual(active, pending);
    assert.equal((await admin.request({ url: '/orders', session: active })).statusCode, 200);
    assert.equal(
      (await admin.request({ url: '/orders', session: pending })).headers.location,
      '/login',
    );
  });

  it('records every step in an intact audit chain', async () => {
    const actions = await auditActions();

    for (const action of [
      'login.failed',
      'login.password_ok',
      'mfa_enrolment.failed',
      'mfa_enrolment.succeeded',
      'logout',
      'mfa.failed',
      'mfa.succeeded',
    ]) {
      assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
    }
    const verification = await verifyAuditLog(admin.db.kysely, auditKeyOf(admin.secrets));
    assert.equal(verification.ok, true);
    assert.equal(verification.ok && verification.rows, actions.length);
  });

  it('ends a session idle for 16 minutes and one past its absolute end', async () => {
    const staffId = await admin.addStaff('support');
    const idle = await admin.signIn(staffId);
    const expired = await admin.signIn(staffId);
    await admin.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 16 * 60_000).toISOString() })
      .where('token_hash', '=', hashToken(idle))
      .execute();
    await admin.db.kysely
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', hashToken(expired))
      .execute();

    assert.equal(
      (await admin.request({ url: '/orders', session: idle })).headers.location,
      '/login',
    );
    assert.equal(
      (await admin.request({ url: '/orders', session: expired })).headers.location,
      '/login',
    );
  });
});

describe('admin request checks', () => {
  let admin: TestAdmin;
  let session: string;

  before(async () => {
    admin = await startTestAdmin();
    session = await admin.signIn(await admin.addStaff('owner'));
  });
  after(() => admin.close());

  it('refuses a POST from the shop origin or without Origin', async () => {
    for (const headers of [{ origin: admin.config.publicUrl.origin }, { origin: '' }]) {
      const response = await admin.request({
        method: 'POST',
        url: '/api-keys/new',
        session,
        form: { name: 'cross-site' },
        headers,
      });
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
    }
    const keys = await admin.db.kysely.selectFrom('api_keys').select('id').execute();
    assert.equal(keys.length, 0);
  });

  it('answers only its own host name', async () => {
    const response = await admin.request({
      url: '/',
      session,
      headers: { host: `rebound.example:${admin.config.adminUrl.port}` },
    });

    assert.equal(response.statusCode, 404);
  });

  it('sends the security headers and no-store on pages', async () => {
    const response = await admin.request({ url: '/', session });

    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(String(response.headers['content-security-policy']), /unsafe-inline/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.doesNotMatch(response.body, /<script(?![^>]*\bsrc=)/, 'no inline scripts');
  });
});
