import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { Browser, createAccount, latestMail, strongPassword } from './auth-support.js';

// The account API's password and email changes go through the customer accounts service. These
// tests check the routes' side of them: the session cookie, other sessions, and the responses.

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

describe('password change', () => {
  const email = 'change-password@example.com';
  const newPassword = 'a much longer passphrase for this test';
  let laptop: Browser;
  let phone: Browser;

  before(async () => {
    laptop = await createAccount(store.app, store.db, email);
    await laptop.login(email, strongPassword);
    phone = new Browser(store.app);
    await phone.login(email, strongPassword);
  });

  it('rejects a wrong current password and changes nothing', async () => {
    const before = await store.db.selectFrom('customers').selectAll().execute();

    const response = await laptop.request('POST', '/api/store/account/password', {
      currentPassword: 'not the password',
      newPassword,
    });

    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'INVALID_CREDENTIALS');
    assert.deepEqual(await store.db.selectFrom('customers').selectAll().execute(), before);
    assert.equal((await phone.request('GET', '/api/store/account')).statusCode, 200);
  });

  it('rejects unknown fields', async () => {
    const response = await laptop.request('POST', '/api/store/account/password', {
      currentPassword: strongPassword,
      newPassword,
      email: 'mallory@example.com',
    });

    assert.equal(response.statusCode, 400);
  });

  it('changes the password, renews this session and ends the others', async () => {
    const oldSession = laptop.session;

    const response = await laptop.request('POST', '/api/store/account/password', {
      currentPassword: strongPassword,
      newPassword,
    });

    assert.equal(response.statusCode, 204, response.body);
    assert.notEqual(laptop.session, undefined);
    assert.notEqual(laptop.session, oldSession);
    assert.equal((await laptop.request('GET', '/api/store/account')).statusCode, 200);
    assert.equal((await phone.request('GET', '/api/store/account')).statusCode, 401);
    assert.ok(await latestMail(store.db, email, 'password_changed'));
  });

  it('lets the new password log in', async () => {
    const response = await new Browser(store.app).login(email, newPassword);

    assert.equal(response.statusCode, 200);
  });
});

describe('email change', () => {
  const email = 'change-email@example.com';
  let browser: Browser;

  before(async () => {
    browser = await createAccount(store.app, store.db, email);
    await browser.login(email, strongPassword);
  });

  it('mails new address a link, old address a notice', async () => {
    const response = await browser.request('POST', '/api/store/account/email', {
      password: strongPassword,
      newEmail: 'new-address@example.com',
    });

    assert.equal(response.statusCode, 202, response.body);
    assert.deepEqual(response.json(), { status: 'check_email' });
    assert.ok(await latestMail(store.db, 'new-address@example.com', 'change_email'));
    assert.ok(await latestMail(store.db, email, 'email_change_notice'));
  });

  it('returns the same response for a taken address', async () => {
    await createAccount(store.app, store.db, 'taken@example.com');

    const response = await browser.request('POST', '/api/store/account/email', {
      password: strongPassword,
      newEmail: 'taken@example.com',
    });

    assert.equal(response.statusCode, 202);
    assert.deepEqual(response.json(), { status: 'check_email' });
  });

  it('rejects a request without a session', async () => {
    const response = await new Browser(store.app).request('POST', '/api/store/account/email', {
      password: strongPassword,
      newEmail: 'someone@example.com',
    });

    assert.equal(response.statusCode, 401);
  });
});
