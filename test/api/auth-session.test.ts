import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { changePassword } from '../../src/customers/accounts.service.js';
import { customerPasswordHasher } from '../../src/customers/hasher.js';
import { hashToken } from '../../src/server/ids.js';
import { type StoreTest, startStoreTest, Visitor } from '../support/store-api.js';
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
  store = await startStoreTest({ CUSTOMER_SESSION_IDLE_MINUTES: '5' });
});

after(() => store.close());

async function sessionRow(token: string) {
  return store.db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
}

describe('customer sign-up and login', () => {
  it('registers, confirms by mail and logs in', async () => {
    const browser = new Browser(store.app);

    const registered = await browser.request('POST', '/api/store/auth/register', {
      email: 'Grace@Example.com',
      password: strongPassword,
      name: 'Grace Hopper',
    });
    const early = await browser.request('POST', '/api/store/auth/login', {
      email: 'grace@example.com',
      password: strongPassword,
    });
    const mail = await latestMail(store.db, 'grace@example.com', 'confirm_email');
    const confirmed = await browser.request('POST', '/api/store/auth/confirm-email', {
      token: tokenIn(mail),
    });
    const login = await browser.request('POST', '/api/store/auth/login', {
      email: 'GRACE@example.com',
      password: strongPassword,
    });

    assert.equal(registered.statusCode, 202);
    assert.deepEqual(registered.json(), { status: 'check_email' });
    assert.equal(early.statusCode, 403);
    assert.equal(early.json().code, 'EMAIL_NOT_CONFIRMED');
    assert.equal(early.cookies.length, 0, 'an unconfirmed login must not start a session');
    assert.match(mail?.body_text ?? '', /http:\/\/localhost:3000\/account\/confirm\?token=/);
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.deepEqual(confirmed.json(), { status: 'confirmed', kind: 'signup' });
    assert.equal(login.statusCode, 200, login.body);
    assert.deepEqual(login.json(), { stage: 'active' });
    assert.equal(await statusWithSession(store.app, browser.session ?? ''), 200);
  });

  it('refuses a confirmation link twice', async () => {
    const browser = new Browser(store.app);
    await browser.request('POST', '/api/store/auth/register', {
      email: 'twice@example.com',
      password: strongPassword,
      name: 'Twice',
    });
    const token = tokenIn(await latestMail(store.db, 'twice@example.com', 'confirm_email'));

    const first = await browser.request('POST', '/api/store/auth/confirm-email', { token });
    const second = await browser.request('POST', '/api/store/auth/confirm-email', { token });

    assert.equal(first.statusCode, 200);
    assert.equal(second.statusCode, 400);
    assert.equal(second.json().code, 'INVALID_LINK');
  });

  it('sets the session cookie with exactly the expected attributes', async () => {
    const browser = await createAccount(store.app, store.db, 'flags@example.com');

    const response = await browser.login('flags@example.com', strongPassword);

    const header = [response.headers['set-cookie']]
      .flat()
      .find((value) => value?.startsWith('__Host-session='));
    assert.match(header ?? '', /^__Host-session=[A-Za-z0-9_-]{43}; /);
    const attributes = (header ?? '').split('; ').slice(1).sort();
    assert.deepEqual(attributes, ['HttpOnly', 'Path=/', 'SameSite=Lax', 'Secure']);
    assert.ok(!response.body.includes(browser.session ?? '-'), 'the token must not be in the body');
    const row = await sessionRow(browser.session ?? '');
    assert.equal(row?.stage, 'active');
  });

  it('ends the session on logout so the old cookie fails', async () => {
    const browser = await createAccount(store.app, store.db, 'logout@example.com');
    await browser.login('logout@example.com', strongPassword);
    const oldSession = browser.session ?? '';
    const visitor = new Visitor(store.app);
    await visitor.createCart();
    browser.cookies.set('__Host-cart', visitor.cookie ?? '');
    const oldCart = browser.cookies.get('__Host-cart');

    const response = await browser.request('POST', '/api/store/auth/logout', {});

    assert.equal(response.statusCode, 200);
    assert.equal(browser.session, undefined, 'the cookie must be cleared');
    assert.equal(await sessionRow(oldSession), undefined);
    assert.equal(await statusWithSession(store.app, oldSession), 401);
    const newCart = browser.cookies.get('__Host-cart');
    assert.ok(newCart, 'logout must issue a new visitor cookie');
    assert.notEqual(newCart, oldCart);
  });

  it('does not adopt a session cookie planted before login', async () => {
    const attacker = await createAccount(store.app, store.db, 'planter@example.com');
    await attacker.login('planter@example.com', strongPassword);
    const planted = attacker.session ?? '';
    const victim = await createAccount(store.app, store.db, 'victim@example.com');
    victim.cookies.set('__Host-session', planted);

    await victim.login('victim@example.com', strongPassword);

    assert.ok(victim.session);
    assert.notEqual(victim.session, planted);
    assert.equal(await sessionRow(planted), undefined, 'the planted session must end');
    const row = await sessionRow(victim.session);
    const victimId = await store.db
      .selectFrom('customers')
      .select('id')
      .where('email', '=', 'victim@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(row?.account_id, victimId.id);
  });

  it('ignores a made-up session cookie', async () => {
    const browser = await createAccount(store.app, store.db, 'madeup@example.com');
    browser.cookies.set('__Host-session', 'A'.repeat(43));

    await browser.login('madeup@example.com', strongPassword);

    assert.notEqual(browser.session, 'A'.repeat(43));
    assert.equal(await statusWithSession(store.app, 'A'.repeat(43)), 401);
  });

  it('ends a session idle longer than the idle timeout', async () => {
    const browser = await createAccount(store.app, store.db, 'idle@example.com');
    await browser.login('idle@example.com', strongPassword);
    const token = browser.session ?? '';
    const sixMinutesAgo = new Date(Date.now() - 6 * 60_000).toISOString();

    await store.db
      .updateTable('sessions')
      .set({ last_seen_at: sixMinutesAgo })
      .where('token_hash', '=', hashToken(token))
      .execute();

    assert.equal(await statusWithSession(store.app, token), 401);
    assert.equal(await sessionRow(token), undefined);
  });

  it('keeps a session used within the idle timeout', async () => {
    const browser = await createAccount(store.app, store.db, 'busy@example.com');
    await browser.login('busy@example.com', strongPassword);
    const token = browser.session ?? '';
    const fourMinutesAgo = new Date(Date.now() - 4 * 60_000).toISOString();

    await store.db
      .updateTable('sessions')
      .set({ last_seen_at: fourMinutesAgo })
      .where('token_hash', '=', hashToken(token))
      .execute();

    assert.equal(await statusWithSession(store.app, token), 200);
    const row = await sessionRow(token);
    assert.ok(Date.parse(row?.last_seen_at ?? '') > Date.now() - 60_000);
  });

  it('ends a session at its absolute end however active', async () => {
    const browser = await createAccount(store.app, store.db, 'absolute@example.com');
    await browser.login('absolute@example.com', strongPassword);
    const token = browser.session ?? '';
    const row = await sessionRow(token);
    const expected = Date.parse(row?.created_at ?? '') + 720 * 60_000;

    await store.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', hashToken(token))
      .execute();

    assert.equal(Date.parse(row?.expires_at ?? ''), expected);
    assert.equal(await statusWithSession(store.app, token), 401);
  });

  it('rotates the session and ends the others on password change', async () => {
    const laptop = await createAccount(store.app, store.db, 'change@example.com');
    await laptop.login('change@example.com', strongPassword);
    const phone = new Browser(store.app);
    await phone.login('change@example.com', strongPassword);
    const before = laptop.session ?? '';
    const row = await sessionRow(before);
    const ctx = fakeContext();

    const { token } = await changePassword(
      ctx,
      customerPasswordHasher(store.shop.deps),
      { accountId: row?.account_id ?? '', sessionHash: hashToken(before) },
      { current: strongPassword, next: 'a new and long passphrase' },
    );

    assert.notEqual(token, before);
    assert.equal(await statusWithSession(store.app, before), 401);
    assert.equal(await statusWithSession(store.app, phone.session ?? ''), 401);
    assert.equal(await statusWithSession(store.app, token), 200);
    const notice = await latestMail(store.db, 'change@example.com', 'password_changed');
    assert.ok(notice, 'the owner must be told');
    const oldLogin = await new Browser(store.app).request('POST', '/api/store/auth/login', {
      email: 'change@example.com',
      password: strongPassword,
    });
    assert.equal(oldLogin.statusCode, 401);
  });

  it('refuses a cross-site JSON login', async () => {
    const browser = await createAccount(store.app, store.db, 'crosssite@example.com');

    const byOrigin = await browser.request(
      'POST',
      '/api/store/auth/login',
      { email: 'crosssite@example.com', password: strongPassword },
      { origin: 'https://evil.example' },
    );
    const byFetchSite = await browser.request(
      'POST',
      '/api/store/auth/logout',
      {},
      { 'sec-fetch-site': 'cross-site' },
    );

    assert.equal(byOrigin.statusCode, 403);
    assert.equal(byOrigin.json().code, 'CROSS_SITE_REQUEST');
    assert.equal(browser.session, undefined);
    assert.equal(byFetchSite.statusCode, 403);
  });

  it('rejects unknown fields in auth bodies', async () => {
    const response = await new Browser(store.app).request('POST', '/api/store/auth/login', {
      email: 'a@example.com',
      password: strongPassword,
      stage: 'active',
    });

    assert.equal(response.statusCode, 400);
  });
});

function fakeContext() {
  const { deps } = store.shop;
  return {
    db: store.db,
    config: deps.config,
    secrets: deps.secrets,
    log: store.app.log,
    requestId: 'test',
    ip: '127.0.0.1',
    visitorHash: null,
    customerId: null,
  };
}
