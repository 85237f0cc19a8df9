import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { Browser, createAccount, latestMail, strongPassword, tokenIn } from './auth-support.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

/** Signs in as `email` and asks to move the account to `newEmail`; returns the link token. */
async function requestMove(email: string, newEmail: string): Promise<Browser> {
  const browser = await createAccount(store.app, store.db, email);
  await browser.login(email, strongPassword);
  const response = await browser.request('POST', '/api/store/account/email', {
    password: strongPassword,
    newEmail,
  });
  assert.equal(response.statusCode, 202, response.body);
  return browser;
}

async function confirmMove(newEmail: string) {
  const token = tokenIn(await latestMail(store.db, newEmail, 'change_email'));
  return new Browser(store.app).request('POST', '/api/store/auth/confirm-email', { token });
}

async function emailOf(oldEmail: string, newEmail: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('customers')
    .select('email')
    .where('email', 'in', [oldEmail, newEmail])
    .execute();
  return rows.map((row) => row.email);
}

describe('pending email change', () => {
  it('is cancelled by a password reset', async () => {
    await requestMove('reset-victim@example.com', 'intruder1@example.com');

    const reset = await new Browser(store.app).request('POST', '/api/store/auth/password-reset', {
      email: 'reset-victim@example.com',
    });
    const resetToken = tokenIn(
      await latestMail(store.db, 'reset-victim@example.com', 'reset_password'),
    );
    const confirmed = await new Browser(store.app).request(
      'POST',
      '/api/store/auth/password-reset/confirm',
      { token: resetToken, password: 'a brand new passphrase' },
    );
    const moved = await confirmMove('intruder1@example.com');

    assert.equal(reset.statusCode, 202);
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(moved.statusCode, 400);
    assert.equal(moved.json().code, 'INVALID_LINK');
    assert.deepEqual(await emailOf('reset-victim@example.com', 'intruder1@example.com'), [
      'reset-victim@example.com',
    ]);
  });

  it('is cancelled by a password change', async () => {
    const browser = await requestMove('change-victim@example.com', 'intruder2@example.com');

    const changed = await browser.request('POST', '/api/store/account/password', {
      currentPassword: strongPassword,
      newPassword: 'another brand new passphrase',
    });
    const moved = await confirmMove('intruder2@example.com');

    assert.ok(changed.statusCode < 300, changed.body);
    assert.equal(moved.statusCode, 400);
    assert.deepEqual(await emailOf('change-victim@example.com', 'intruder2@example.com'), [
      'change-victim@example.com',
    ]);
  });

  it('is cancelled by logging out everywhere', async () => {
    const browser = await requestMove('logout-victim@example.com', 'intruder3@example.com');

    const loggedOut = await browser.request('POST', '/api/store/auth/logout-everywhere', {});
    const moved = await confirmMove('intruder3@example.com');

    assert.ok(loggedOut.statusCode < 300, loggedOut.body);
    assert.equal(moved.statusCode, 400);
    assert.deepEqual(await emailOf('logout-victim@example.com', 'intruder3@example.com'), [
      'logout-victim@example.com',
    ]);
  });

  it('tells the old address once the change is done', async () => {
    await requestMove('mover-old@example.com', 'mover-new@example.com');

    const moved = await confirmMove('mover-new@example.com');
    const notice = await latestMail(store.db, 'mover-old@example.com', 'email_changed');

    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual(await emailOf('mover-old@example.com', 'mover-new@example.com'), [
      'mover-new@example.com',
    ]);
    assert.ok(notice, 'no notice to the old address');
    assert.ok(!notice.body_text?.includes('token='), 'the notice carries a link');
  });
});
