import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Secret, TOTP } from 'otpauth';

import { SoftwareAuthenticator } from '../../src/auth/test-authenticator.js';
import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { type Browser, createAccount, strongPassword } from './auth-support.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

/** Returns the bodies of the second-factor notices sent to `to`, oldest first. */
async function factorNotices(to: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('outbox')
    .select('body_text')
    .where('to_address', '=', to)
    .where('kind', '=', 'second_factor_changed')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.body_text ?? '');
}

async function signedIn(email: string): Promise<Browser> {
  const browser = await createAccount(store.app, store.db, email);
  await browser.login(email, strongPassword);
  return browser;
}

describe('second-factor change notices', () => {
  it('mails the owner when TOTP is added, codes renewed and TOTP removed', async () => {
    const email = 'notices-totp@example.com';
    const browser = await signedIn(email);
    const started = await browser.request('POST', '/api/store/auth/mfa/totp/start', {});
    const { secret } = started.json<{ secret: string }>();
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    const before = await factorNotices(email);

    const confirmed = await browser.request('POST', '/api/store/auth/mfa/totp/confirm', { code });
    const renewed = await browser.request('POST', '/api/store/auth/mfa/recovery-codes', {});
    const removed = await browser.request('DELETE', '/api/store/auth/mfa/totp', {});
    const notices = await factorNotices(email);

    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(renewed.statusCode, 200, renewed.body);
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(before, []);
    assert.equal(notices.length, 3);
    assert.match(notices[0] ?? '', /An authenticator app was added/);
    assert.match(notices[1] ?? '', /New recovery codes were created/);
    assert.match(notices[2] ?? '', /The authenticator app was removed/);
    for (const notice of notices) {
      assert.match(notice, /\/account\/security/);
      assert.ok(!notice.includes(secret), 'no secret in the mail');
    }
  });

  it('mails the owner when a passkey is added and removed', async () => {
    const email = 'notices-passkey@example.com';
    const browser = await signedIn(email);
    const url = store.shop.deps.config.publicUrl;
    const authenticator = new SoftwareAuthenticator(url.origin, url.hostname);
    const options = await browser.request(
      'POST',
      '/api/store/auth/mfa/passkeys/register/options',
      {},
    );

    const added = await browser.request('POST', '/api/store/auth/mfa/passkeys/register/verify', {
      response: authenticator.register(options.json()),
      name: 'Laptop',
    });
    const listed = await browser.request('GET', '/api/store/auth/mfa');
    const rows = await store.db.selectFrom('webauthn_credentials').select('id').execute();
    const id = rows.at(-1)?.id ?? '';
    const removed = await browser.request(
      'DELETE',
      `/api/store/auth/mfa/passkeys/${encodeURIComponent(id)}`,
      {},
    );
    const notices = await factorNotices(email);

    assert.equal(added.statusCode, 200, added.body);
    assert.equal(listed.json().passkeys, 1);
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal(notices.length, 2);
    assert.match(notices[0] ?? '', /A passkey was added/);
    assert.match(notices[1] ?? '', /A passkey was removed/);
  });

  it('sends nothing when adding a factor fails', async () => {
    const email = 'notices-failed@example.com';
    const browser = await signedIn(email);
    await browser.request('POST', '/api/store/auth/mfa/totp/start', {});

    const wrong = await browser.request('POST', '/api/store/auth/mfa/totp/confirm', {
      code: '000000',
    });

    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(await factorNotices(email), []);
  });
});
