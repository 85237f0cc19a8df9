import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';
import { TOTP } from 'otpauth';

import {
  checkoutFields,
  type KettleShop,
  startKettleShop,
} from '../../test/support/kettle-shop.js';
import type { TestShop } from '../../test/support/shop.js';
import { snapshotStore } from '../../test/support/store-api.js';
import { Browser, csrfTokensOf, headingsOf, postFormsOf } from '../../test/support/storefront.js';
import { csrfToken } from '../auth/csrf.js';
import { customerSessionCookie } from '../auth/sessions.js';
import { visitorCookie } from '../cart/visitor.js';
import { hashToken } from '../server/ids.js';
import { deriveKey } from '../server/secrets.js';

let shop: TestShop;
let variants: KettleShop['variants'];

before(async () => {
  ({ shop, variants } = await startKettleShop());
});

after(() => shop.close());

const password = 'correct horse battery staple';
/** The address fields of the checkout form, which the address form shares. */
const { email: _email, shippingMethod: _method, ...addressFields } = checkoutFields;
let accountCount = 0;

/** Everything an account form could change, for before/after comparisons. */
async function snapshotAccounts() {
  const db = shop.db.kysely;
  return {
    store: await snapshotStore(db),
    customers: await db.selectFrom('customers').selectAll().orderBy('id').execute(),
    addresses: await db.selectFrom('customer_addresses').selectAll().orderBy('id').execute(),
    sessions: await db.selectFrom('sessions').selectAll().orderBy('token_hash').execute(),
    outbox: await db.selectFrom('outbox').selectAll().orderBy('id').execute(),
  };
}

/** Returns the token of the newest link of this kind mailed to `to`, read from the outbox. */
async function mailedToken(to: string, kind: string): Promise<string> {
  const mail = await shop.db.kysely
    .selectFrom('outbox')
    .select('body_text')
    .where('to_address', '=', to)
    .where('kind', '=', kind)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const match = /\/account\/(?:confirm|reset)\?token=([A-Za-z0-9_-]+)/.exec(mail.body_text ?? '');
  assert.ok(match?.[1], `no link in the ${kind} mail`);
  return match[1];
}

/** The CSRF token the shop must put in a form for this browser's current cookies. */
function expectedToken(browser: Browser): string {
  const session = browser.cookies.get(customerSessionCookie);
  const visitor = browser.cookies.get(visitorCookie);
  const binding = session ? hashToken(session) : hashToken((visitor ?? '').split('.')[0] ?? '');
  return csrfToken(deriveKey(shop.deps.secrets, 'csrf'), binding);
}

function assertRedirect(response: LightMyRequestResponse, location: string): void {
  assert.equal(response.statusCode, 303, response.body);
  assert.equal(response.headers.location, location);
}

/** Registers, confirms through the mailed link and logs in, all through the pages. */
async function signedInBrowser(): Promise<{ browser: Browser; email: string }> {
  accountCount += 1;
  const email = `customer${accountCount}@example.com`;
  const browser = new Browser(shop.app);
  await browser.get('/account/register');
  const registered = await browser.postForm('/account/register', {
    name: 'Grace Customer',
    email,
    password,
  });
  assertRedirect(registered, '/account/check-email');

  const token = await mailedToken(email, 'confirm_email');
  assert.equal((await browser.get(`/account/confirm?token=${token}`)).statusCode, 200);
  assertRedirect(
    await browser.postForm('/account/confirm', { token }),
    '/account/login?notice=confirmed',
  );
  assertRedirect(await browser.postForm('/account/login', { email, password }), '/account');
  return { browser, email };
}

describe('account pages', () => {
  it('register, confirm, log in and log out', async () => {
    const { browser, email } = await signedInBrowser();
    const customer = await shop.db.kysely
      .selectFrom('customers')
      .select(['id', 'email_confirmed_at'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    assert.notEqual(customer.email_confirmed_at, null);
    assert.ok(browser.cookies.get(customerSessionCookie), 'login set the session cookie');

    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200);
    assert.deepEqual(headingsOf(account.body), ['Your account']);
    assert.match(account.body, new RegExp(email));
    assert.match(account.body, /class="account-link" href="\/account">Account</);
    assert.equal(account.headers['cache-control'], 'no-store');

    const loggedOut = await browser.postForm('/account/logout', {});
    assertRedirect(loggedOut, '/account/login?notice=logged-out');
    assert.equal(browser.cookies.get(customerSessionCookie), undefined);
    const sessions = await shop.db.kysely
      .selectFrom('sessions')
      .select('token_hash')
      .where('account_id', '=', customer.id)
      .execute();
    assert.deepEqual(sessions, []);
    assertRedirect(await browser.get('/account'), '/account/login');
  });

  it('shows a wrong password again with the email kept', async () => {
    const { email } = await signedInBrowser();
    const browser = new Browser(shop.app);
    await browser.get('/account/login');
    const before = await snapshotAccounts();

    const response = await browser.postForm('/account/login', { email, password: 'not it at all' });

    assert.equal(response.statusCode, 401);
    assert.match(response.body, /class="error-summary"[^>]*role="alert"/);
    assert.match(response.body, /The email or password is wrong\./);
    assert.match(response.body, new RegExp(`value="${email}"`));
    assert.doesNotMatch(response.body, /not it at all/);
    assert.deepEqual((await snapshotAccounts()).sessions, before.sessions);
  });

  it('refuses a breached password at registration', async () => {
    const browser = new Browser(shop.app);
    await browser.get('/account/register');
    const before = await snapshotAccounts();

    const response = await browser.postForm('/account/register', {
      name: 'Weak Password',
      email: 'weak@example.com',
      password: 'password1',
    });

    assert.equal(response.statusCode, 422);
    assert.match(response.body, /class="error-summary"/);
    assert.match(response.body, /value="weak@example.com"/);
    assert.deepEqual(await snapshotAccounts(), before);
  });

  it('changes the name and keeps it', async () => {
    const { browser, email } = await signedInBrowser();

    const saved = await browser.postForm('/account/profile', { name: 'Grace Hopper' });

    assertRedirect(saved, '/account?notice=saved');
    const row = await shop.db.kysely
      .selectFrom('customers')
      .select('name')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    assert.equal(row.name, 'Grace Hopper');
  });

  it('adds and removes an address', async () => {
    const { browser } = await signedInBrowser();

    assertRedirect(
      await browser.postForm('/account/addresses', addressFields),
      '/account/addresses?notice=address-added',
    );
    const page = await browser.get('/account/addresses');
    assert.match(page.body, /1 Market Street/);
    const remove = postFormsOf(page.body).find((form) => form.action.endsWith('/delete'));
    assert.ok(remove, 'the address has a remove form');

    assertRedirect(
      await browser.postForm(remove.action, {}),
      '/account/addresses?notice=address-removed',
    );
    assert.doesNotMatch((await browser.get('/account/addresses')).body, /1 Market Street/);
  });

  it('sets up an authenticator app and asks for it at login', async () => {
    const { browser, email } = await signedInBrowser();

    const started = await browser.postForm('/account/security/totp/start', {});
    assert.equal(started.statusCode, 200);
    assert.match(started.body, /<svg/);
    const secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(started.body)?.[1];
    assert.ok(secret, 'the enrolment page shows the key');
    const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
    const confirmed = await browser.postForm('/account/security/totp/confirm', {
      code: totp.generate(),
    });
    assert.equal(confirmed.statusCode, 200);
    assert.equal((confirmed.body.match(/<li>/g) ?? []).length >= 10, true);
    assert.deepEqual(headingsOf(confirmed.body), ['Your recovery codes']);

    await browser.postForm('/account/logout', {});
    assertRedirect(await browser.postForm('/account/login', { email, password }), '/account/mfa');
    assertRedirect(await browser.get('/account'), '/account/mfa');
    const wrong = await browser.postForm('/account/mfa', { code: '000000' });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /class="error-summary"/);
    // The code of the next 30-second step: the enrolment used up the current one.
    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    assertRedirect(await browser.postForm('/account/mfa', { code: next }), '/account');
    assert.equal((await browser.get('/account')).statusCode, 200);
  });

  it('resets a forgotten password through the mailed link', async () => {
    const { email } = await signedInBrowser();
    const browser = new Browser(shop.app);
    await browser.get('/account/forgot');
    assertRedirect(await browser.postForm('/account/forgot', { email }), '/account/check-email');
    const token = await mailedToken(email, 'reset_password');

    assert.equal((await browser.get(`/account/reset?token=${token}`)).statusCode, 200);
    const newPassword = 'a brand new passphrase';
    assertRedirect(
      await browser.postForm('/account/reset', { token, password: newPassword }),
      '/account/login?notice=password-reset',
    );
    assertRedirect(
      await browser.postForm('/account/login', { email, password: newPassword }),
      '/account',
    );
  });
});

describe('CSRF tokens in forms', () => {
  /** Pages with POST forms, for a guest with a filled cart and a placed order. */
  async function guestPages(browser: Browser): Promise<string[]> {
    await browser.get('/products/kettle');
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const pages = ['/products/kettle', '/cart', '/checkout'];
    const cartPage = await browser.get('/cart');
    assert.ok(postFormsOf(cartPage.body).length > 0, 'the filled cart has forms');
    return [
      ...pages,
      '/account/login',
      '/account/register',
      '/account/forgot',
      '/account/reset?token=abc',
      '/account/confirm?token=abc',
    ];
  }

  it('puts a valid token in every form of every guest page', async () => {
    const browser = new Browser(shop.app);
    for (const url of await guestPages(browser)) {
      const response = await browser.get(url);
      assert.equal(response.statusCode, 200, url);

      const forms = postFormsOf(response.body);
      assert.ok(forms.length > 0, `${url} has no POST form`);
      for (const form of forms) {
        assert.deepEqual(form.csrf, [expectedToken(browser)], `${url}: form ${form.action}`);
      }
    }
  });

  it('puts a valid token in every form of every account page', async () => {
    const { browser } = await signedInBrowser();
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const placed = await browser.postForm('/checkout', checkoutFields);
    assert.equal(placed.statusCode, 303, placed.body);
    await browser.postForm('/account/addresses', addressFields);
    const orders = await browser.get('/account/orders');
    const orderPath = /href="(\/account\/orders\/[^"]+)"/.exec(orders.body)?.[1];
    assert.ok(orderPath, 'the order list links the order');
    const addresses = await browser.get('/account/addresses');
    const addressPath = /href="(\/account\/addresses\/[^"/]+)"/.exec(addresses.body)?.[1];
    assert.ok(addressPath, 'the address list links the edit page');

    const urls = [
      '/account',
      '/account/addresses',
      addressPath,
      '/account/orders',
      orderPath,
      '/account/security',
      '/products/kettle',
    ];
    for (const url of urls) {
      const response = await browser.get(url);
      assert.equal(response.statusCode, 200, url);

      const forms = postFormsOf(response.body);
      assert.ok(forms.length > 0, `${url} has no POST form`);
      for (const form of forms) {
        assert.deepEqual(form.csrf, [expectedToken(browser)], `${url}: form ${form.action}`);
      }
    }
  });

  it('rejects forms without a token or with a wrong one and changes nothing', async () => {
    const { browser } = await signedInBrowser();
    await browser.get('/account');
    const stranger = new Browser(shop.app);
    const strangersToken = await stranger.currentCsrfToken();
    const attempts: [string, Record<string, string>][] = [
      ['/account/profile', { name: 'Mallory' }],
      ['/account/addresses', addressFields],
      ['/account/security/logout-everywhere', {}],
      ['/account/security/totp/start', {}],
      ['/account/logout', {}],
      ['/cart/lines', { variantId: variants.kettle, quantity: '1' }],
    ];

    for (const [url, fields] of attempts) {
      for (const token of [undefined, '', 'x'.repeat(43), strangersToken]) {
        const before = await snapshotAccounts();
        const response =
          token === undefined
            ? await browser.postForm(url, fields, { csrf: false })
            : await browser.postForm(url, { ...fields, _csrf: token });

        assert.equal(response.statusCode, 403, `${url} with token ${String(token)}`);
        assert.match(response.body, /The form has expired/);
        assert.deepEqual(await snapshotAccounts(), before, `${url} changed something`);
      }
    }
    assert.equal((await browser.get('/account')).statusCode, 200, 'still signed in');
  });

  it('rejects a cross-site login post even with a valid token', async () => {
    const { email } = await signedInBrowser();
    const browser = new Browser(shop.app);
    const token = await browser.currentCsrfToken();
    const before = await snapshotAccounts();

    const response = await shop.app.inject({
      method: 'POST',
      url: '/account/login',
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
        cookie: `${visitorCookie}=${browser.cookie}`,
      },
      payload: new URLSearchParams({ email, password, _csrf: token }).toString(),
    });

    assert.equal(response.statusCode, 403);
    assert.equal(response.cookies.length, 0);
    assert.deepEqual(await snapshotAccounts(), before);
  });

  it('stops accepting the guest token once the browser logs in', async () => {
    const { email } = await signedInBrowser();
    const browser = new Browser(shop.app);
    const guestToken = await browser.currentCsrfToken();
    assertRedirect(await browser.postForm('/account/login', { email, password }), '/account');

    const response = await browser.postForm('/account/profile', { name: 'Eve', _csrf: guestToken });

    assert.equal(response.statusCode, 403);
    const account = await browser.get('/account');
    assert.deepEqual(csrfTokensOf(account.body).at(0), expectedToken(browser));
    assert.notEqual(expectedToken(browser), guestToken);
  });
});
