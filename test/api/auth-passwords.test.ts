import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type StoreTest, startStoreTest } from '../support/store-api.js';
import {
  Browser,
  createAccount,
  latestMail,
  statusWithSession,
  strongPassword,
  tokenIn,
} from './auth-support.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

async function requestReset(email: string): Promise<string> {
  const response = await new Browser(store.app).request('POST', '/api/store/auth/password-reset', {
    email,
  });
  assert.equal(response.statusCode, 202, response.body);
  return tokenIn(await latestMail(store.db, email, 'reset_password'));
}

function confirmReset(token: string, password: string) {
  return new Browser(store.app).request('POST', '/api/store/auth/password-reset/confirm', {
    token,
    password,
  });
}

async function customerCount(email: string): Promise<number> {
  const rows = await store.db
    .selectFrom('customers')
    .select('id')
    .where('email', '=', email)
    .execute();
  return rows.length;
}

describe('password policy', () => {
  for (const [label, password] of [
    ['a short password', 'short1!'],
    ['a breached password', 'password1'],
    ['another breached password', 'qwertyuiop'],
    ['the email as password', 'weak@example.com'],
  ] as const) {
    it(`refuses ${label} at sign-up`, async () => {
      const response = await new Browser(store.app).request('POST', '/api/store/auth/register', {
        email: 'weak@example.com',
        password,
        name: 'Weak',
      });

      assert.equal(response.statusCode, 422);
      assert.equal(response.json().code, 'WEAK_PASSWORD');
      assert.equal(await customerCount('weak@example.com'), 0);
      assert.equal(await latestMail(store.db, 'weak@example.com', 'confirm_email'), undefined);
    });
  }

  it('refuses a breached password at reset and keeps the link usable', async () => {
    await createAccount(store.app, store.db, 'policy-reset@example.com');
    const token = await requestReset('policy-reset@example.com');

    const weak = await confirmReset(token, 'iloveyou');
    const strong = await confirmReset(token, 'a brand new passphrase');

    assert.equal(weak.statusCode, 422);
    assert.equal(weak.json().code, 'WEAK_PASSWORD');
    assert.equal(strong.statusCode, 200, strong.body);
  });
});

describe('password reset', () => {
  it('sets a new password and ends every session', async () => {
    const browser = await createAccount(store.app, store.db, 'reset@example.com');
    await browser.login('reset@example.com', strongPassword);
    const session = browser.session ?? '';
    const token = await requestReset('reset@example.com');

    const response = await confirmReset(token, 'another long passphrase');
    const oldPassword = await new Browser(store.app).request('POST', '/api/store/auth/login', {
      email: 'reset@example.com',
      password: strongPassword,
    });
    const newPassword = await new Browser(store.app).login(
      'reset@example.com',
      'another long passphrase',
    );

    assert.equal(response.statusCode, 200, response.body);
    assert.equal(await statusWithSession(store.app, session), 401);
    assert.equal(oldPassword.statusCode, 401);
    assert.equal(newPassword.statusCode, 200);
  });

  it('accepts a reset link once', async () => {
    await createAccount(store.app, store.db, 'once@example.com');
    const token = await requestReset('once@example.com');

    const first = await confirmReset(token, 'first new passphrase');
    const second = await confirmReset(token, 'second new passphrase');

    assert.equal(first.statusCode, 200);
    assert.equal(second.statusCode, 400);
    assert.equal(second.json().code, 'INVALID_LINK');
  });

  it('gives a reset link 30 minutes and refuses it after', async () => {
    await createAccount(store.app, store.db, 'expired@example.com');
    const token = await requestReset('expired@example.com');
    const link = await store.db
      .selectFrom('auth_links')
      .selectAll()
      .where('purpose', '=', 'reset_password')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();

    await store.db
      .updateTable('auth_links')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', link.token_hash)
      .execute();
    const response = await confirmReset(token, 'too late passphrase');

    assert.equal(Date.parse(link.expires_at) - Date.parse(link.created_at), 30 * 60_000);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'INVALID_LINK');
  });

  it('voids a reset link when a newer one is sent', async () => {
    await createAccount(store.app, store.db, 'newer@example.com');
    const older = await requestReset('newer@example.com');
    const newer = await requestReset('newer@example.com');

    const withOlder = await confirmReset(older, 'older link passphrase');
    const withNewer = await confirmReset(newer, 'newer link passphrase');

    assert.notEqual(older, newer);
    assert.equal(withOlder.statusCode, 400);
    assert.equal(withNewer.statusCode, 200);
  });

  it('voids a reset link after a successful login', async () => {
    const browser = await createAccount(store.app, store.db, 'remembered@example.com');
    const token = await requestReset('remembered@example.com');

    await browser.login('remembered@example.com', strongPassword);
    const response = await confirmReset(token, 'should not work now');

    assert.equal(response.statusCode, 400);
  });

  it('answers an unknown address like a known one and sends nothing', async () => {
    const response = await new Browser(store.app).request(
      'POST',
      '/api/store/auth/password-reset',
      {
        email: 'nobody@example.com',
      },
    );

    assert.equal(response.statusCode, 202);
    assert.deepEqual(response.json(), { status: 'check_email' });
    assert.equal(await latestMail(store.db, 'nobody@example.com', 'reset_password'), undefined);
  });
});

describe('login throttling', () => {
  async function attempt(email: string, password: string) {
    return new Browser(store.app).request('POST', '/api/store/auth/login', { email, password });
  }

  for (const known of [true, false]) {
    it(`delays a ${known ? 'known' : 'unknown'} address after five failures`, async () => {
      const email = known ? 'throttled@example.com' : 'unknown-throttled@example.com';
      if (known) await createAccount(store.app, store.db, email);

      const failures = [];
      for (let count = 0; count < 5; count += 1)
        failures.push(await attempt(email, 'wrong guess 1'));
      const blocked = await attempt(email, strongPassword);

      assert.deepEqual(
        failures.map((response) => response.statusCode),
        [401, 401, 401, 401, 401],
      );
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().code, 'TOO_MANY_ATTEMPTS');
      assert.equal(blocked.headers['retry-after'], '1');
      assert.equal(blocked.cookies.length, 0);
    });
  }

  it('doubles the delay with each further failure', async () => {
    const email = 'doubling@example.com';
    await createAccount(store.app, store.db, email);
    const delays: string[] = [];

    for (let count = 0; count < 6; count += 1) {
      await store.db
        .updateTable('auth_throttle')
        .set({ blocked_until: new Date(0).toISOString() })
        .execute();
      await attempt(email, 'wrong guess 2');
      const blocked = await attempt(email, 'wrong guess 2');
      if (blocked.statusCode === 429) delays.push(String(blocked.headers['retry-after']));
    }

    assert.deepEqual(delays, ['1', '2', '4', '8']);
  });

  it('lets the right password in once the delay is over', async () => {
    const email = 'patient@example.com';
    await createAccount(store.app, store.db, email);
    for (let count = 0; count < 6; count += 1) await attempt(email, 'wrong guess 3');

    await store.db
      .updateTable('auth_throttle')
      .set({ blocked_until: new Date(Date.now() - 1000).toISOString() })
      .execute();
    const response = await attempt(email, strongPassword);

    assert.equal(response.statusCode, 200, response.body);
  });
});
