import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { preLoginCookie } from '../../src/admin/admin-csrf.js';
import { cookieFrom, csrfOf, startTestAdmin, type TestAdmin } from './admin-support.js';

const started: TestAdmin[] = [];

after(async () => {
  for (const admin of started) await admin.close();
});

/** Sends a failed login with a forged X-Forwarded-For and returns the address audited. */
async function auditedAddress(env: Record<string, string>): Promise<string | undefined> {
  const admin = await startTestAdmin(env);
  started.push(admin);
  const page = await admin.request({ url: '/login' });
  const pre = cookieFrom(page, preLoginCookie);
  assert.ok(pre, 'the login page sets the pre-login cookie');

  const response = await admin.request({
    method: 'POST',
    url: '/login',
    cookies: { [preLoginCookie]: pre },
    form: { email: 'nobody@example.com', password: 'not a real password' },
    csrf: csrfOf(page.body),
    headers: { 'x-forwarded-for': '203.0.113.9' },
  });
  assert.equal(response.statusCode, 401, response.body);

  const row = await admin.db.kysely
    .selectFrom('audit_log')
    .select('ip')
    .where('action', '=', 'login.failed')
    .executeTakeFirst();
  return row?.ip;
}

describe('admin behind a proxy', () => {
  it('ignores the shop proxy setting', async () => {
    assert.equal(await auditedAddress({ TRUST_PROXY: '127.0.0.1' }), '127.0.0.1');
  });

  it('follows ADMIN_TRUST_PROXY', async () => {
    assert.equal(await auditedAddress({ ADMIN_TRUST_PROXY: '127.0.0.1' }), '203.0.113.9');
  });
});
