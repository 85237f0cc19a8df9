import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as OTPAuth from 'otpauth';

import { hashToken } from '../../src/server/ids.js';
import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { Browser, createAccount, statusWithSession, strongPassword } from './auth-support.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

function codeAt(secret: string, offsetSeconds = 0): string {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
  return totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

/** Creates an account with a confirmed authenticator app; returns its secret and codes. */
async function accountWithTotp(email: string) {
  const browser = await createAccount(store.app, store.db, email);
  await browser.login(email, strongPassword);
  const started = await browser.request('POST', '/api/store/auth/mfa/totp/start', {});
  assert.equal(started.statusCode, 200, started.body);
  const { secret, uri, qrSvg } = started.json<{ secret: string; uri: string; qrSvg: string }>();
  const firstCode = codeAt(secret);
  const confirmed = await browser.request('POST', '/api/store/auth/mfa/totp/confirm', {
    code: firstCode,
  });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  const { recoveryCodes } = confirmed.json<{ recoveryCodes: string[] }>();
  return { browser, secret, uri, qrSvg, firstCode, recoveryCodes };
}

function loginPending(email: string) {
  const browser = new Browser(store.app);
  return browser.login(email, strongPassword).then((response) => ({ browser, response }));
}

describe('TOTP second factor', () => {
  it('enrols an authenticator and shows ten recovery codes once', async () => {
    const { uri, qrSvg, recoveryCodes, browser } = await accountWithTotp('enrol@example.com');

    const status = await browser.request('GET', '/api/store/auth/mfa');

    assert.match(uri, /^otpauth:\/\/totp\//);
    assert.match(qrSvg, /^<svg|^<\?xml/);
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    assert.deepEqual(status.json(), { totp: true, passkeys: 0, recoveryCodesLeft: 10 });
  });

  it('asks for the second factor and renews the session after it', async () => {
    const { secret, firstCode } = await accountWithTotp('second@example.com');

    const { browser, response } = await loginPending('second@example.com');
    const pendingToken = browser.session ?? '';
    const blocked = await browser.request('GET', '/api/store/auth/mfa');
    const replayed = await browser.request('POST', '/api/store/auth/mfa/verify', {
      code: firstCode,
    });
    const verified = await browser.request('POST', '/api/store/auth/mfa/verify', {
      code: codeAt(secret, 30),
    });

    assert.deepEqual(response.json(), { stage: 'mfa_pending' });
    assert.equal(blocked.statusCode, 401, 'a pending session must not reach the account');
    assert.equal(replayed.statusCode, 401);
    assert.equal(replayed.json().code, 'INVALID_CODE');
    assert.equal(verified.statusCode, 200, verified.body);
    assert.deepEqual(verified.json(), { stage: 'active' });
    assert.notEqual(browser.session, pendingToken);
    assert.equal(await statusWithSession(store.app, pendingToken), 401);
    assert.equal(await statusWithSession(store.app, browser.session ?? ''), 200);
  });

  it('refuses a code that was already used', async () => {
    const { secret } = await accountWithTotp('replay@example.com');
    const code = codeAt(secret, 30);
    const first = await loginPending('replay@example.com');
    await first.browser.request('POST', '/api/store/auth/mfa/verify', { code });

    const second = await loginPending('replay@example.com');
    const replayed = await second.browser.request('POST', '/api/store/auth/mfa/verify', { code });

    assert.equal(replayed.statusCode, 401);
    assert.equal(replayed.json().code, 'INVALID_CODE');
    assert.equal(await statusWithSession(store.app, second.browser.session ?? ''), 401);
  });

  it('accepts each recovery code once', async () => {
    const { recoveryCodes } = await accountWithTotp('recovery@example.com');
    const recoveryCode = recoveryCodes[0] ?? '';

    const first = await loginPending('recovery@example.com');
    const used = await first.browser.request('POST', '/api/store/auth/mfa/verify', {
      recoveryCode,
    });
    const second = await loginPending('recovery@example.com');
    const reused = await second.browser.request('POST', '/api/store/auth/mfa/verify', {
      recoveryCode,
    });

    assert.equal(used.statusCode, 200, used.body);
    assert.equal(reused.statusCode, 401);
  });

  it('delays second-factor guessing after five wrong codes', async () => {
    await accountWithTotp('guess@example.com');
    const { browser } = await loginPending('guess@example.com');
    const statuses: number[] = [];

    for (let count = 0; count < 6; count += 1) {
      const response = await browser.request('POST', '/api/store/auth/mfa/verify', {
        code: '000000',
      });
      statuses.push(response.statusCode);
    }

    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  });

  it('removes the authenticator only after a recent password', async () => {
    const { browser } = await accountWithTotp('remove@example.com');
    await store.db
      .updateTable('sessions')
      .set({ reauthenticated_at: new Date(Date.now() - 10 * 60_000).toISOString() })
      .where('token_hash', '=', hashToken(browser.session ?? ''))
      .execute();

    const stale = await browser.request('DELETE', '/api/store/auth/mfa/totp');
    const wrong = await browser.request('POST', '/api/store/auth/reauthenticate', {
      password: 'not my password',
    });
    const reauthenticated = await browser.request('POST', '/api/store/auth/reauthenticate', {
      password: strongPassword,
    });
    const removed = await browser.request('DELETE', '/api/store/auth/mfa/totp');
    const next = await new Browser(store.app).login('remove@example.com', strongPassword);

    assert.equal(stale.statusCode, 403);
    assert.equal(stale.json().code, 'REAUTHENTICATION_REQUIRED');
    assert.equal(wrong.statusCode, 401);
    assert.equal(reauthenticated.statusCode, 200, reauthenticated.body);
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(next.json(), { stage: 'active' });
  });

  it('never puts the secret or recovery codes in the status', async () => {
    const { browser, secret, recoveryCodes } = await accountWithTotp('quiet@example.com');

    const status = await browser.request('GET', '/api/store/auth/mfa');

    assert.ok(!status.body.includes(secret));
    for (const code of recoveryCodes) assert.ok(!status.body.includes(code));
  });
});
