import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';

import {
  checkoutFields,
  type KettleShop,
  startKettleShop,
} from '../../test/support/kettle-shop.js';
import type { TestShop } from '../../test/support/shop.js';
import { Browser, postFormsOf } from '../../test/support/storefront.js';
import { createSession, customerSessionCookie } from '../auth/sessions.js';
import { visitorCookie } from '../cart/visitor.js';
import { customerPasswordHasher } from '../customers/hasher.js';
import { hashToken, nowIso, randomId } from '../server/ids.js';

// The account pages attacked by a customer with an account of their own: other customers'
// addresses and orders, forms that change security settings, and carts across browsers.

let shop: TestShop;
let payments: KettleShop['payments'];
let variants: KettleShop['variants'];

before(async () => {
  ({ shop, payments, variants } = await startKettleShop());
});

after(() => shop.close());

const password = 'correct horse battery staple';
const { email: _email, shippingMethod: _method, ...addressFields } = checkoutFields;
let customerCount = 0;

interface Customer {
  id: string;
  email: string;
  browser: Browser;
}

/**
 * Inserts a confirmed customer with a real password hash and returns a browser signed in as
 * them. The session is made directly: login itself is tested elsewhere.
 */
async function signedInCustomer(name = 'Ada Lovelace'): Promise<Customer> {
  customerCount += 1;
  const id = randomId();
  const email = `owner${customerCount}@example.com`;
  const now = nowIso();
  await shop.db.kysely
    .insertInto('customers')
    .values({
      id,
      email,
      email_confirmed_at: now,
      password_hash: await customerPasswordHasher(shop.deps).hash(password),
      name,
      created_at: now,
      updated_at: now,
    })
    .execute();

  const browser = new Browser(shop.app);
  browser.setCookie(customerSessionCookie, await newSession(id));
  return { id, email, browser };
}

async function newSession(customerId: string): Promise<string> {
  return createSession(shop.db.kysely, {
    realm: 'customer',
    accountId: customerId,
    stage: 'active',
    userAgent: 'TestBrowser/1.0',
    ip: '127.0.0.1',
    timeouts: shop.deps.config.sessions.customer,
  });
}

async function deniedEventsFor(id: string) {
  const events = await shop.db.kysely
    .selectFrom('security_events')
    .select('details')
    .where('kind', '=', 'object_access_denied')
    .execute();
  return events.filter((event) => JSON.parse(event.details).id === id);
}

/** Returns the page with its request id, which differs on every response, replaced. */
function withoutRequestId(response: LightMyRequestResponse): string {
  const requestId = String(response.headers['x-request-id']);
  return response.body.split(requestId).join('<request id>');
}

function assertRedirect(response: LightMyRequestResponse, location: string): void {
  assert.equal(response.statusCode, 303, response.body);
  assert.equal(response.headers.location, location);
}

/** Fills the cart and places an order through the pages; returns the order's id. */
async function placeOrder(browser: Browser): Promise<string> {
  await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
  const placed = await browser.postForm('/checkout', checkoutFields);
  assert.equal(placed.statusCode, 303, placed.body);
  const orderId = payments.sessions.at(-1)?.orderId;
  assert.ok(orderId, 'checkout opened no payment session');
  return orderId;
}

/** Returns the cart count shown in the page header. */
function cartCountOf(html: string): string | undefined {
  return /class="cart-link__count"[^>]*>(\d+)</.exec(html)?.[1];
}

describe('address edit page', () => {
  it("answers 404 for another customer's address and records it", async () => {
    const ada = await signedInCustomer();
    const eve = await signedInCustomer('Eve Intruder');
    await ada.browser.postForm('/account/addresses', addressFields);
    const address = await shop.db.kysely
      .selectFrom('customer_addresses')
      .selectAll()
      .where('customer_id', '=', ada.id)
      .executeTakeFirstOrThrow();
    const missingId = randomId();

    const attempts = [
      (id: string) => eve.browser.get(`/account/addresses/${id}`),
      (id: string) => eve.browser.postForm(`/account/addresses/${id}`, addressFields),
      (id: string) =>
        eve.browser.postForm(`/account/addresses/${id}`, { ...addressFields, country: 'XX' }),
      (id: string) => eve.browser.postForm(`/account/addresses/${id}/delete`, {}),
    ];
    for (const [index, attempt] of attempts.entries()) {
      const foreign = await attempt(address.id);
      const missing = await attempt(missingId);

      assert.equal(foreign.statusCode, 404, `attempt ${index}`);
      assert.equal(withoutRequestId(foreign), withoutRequestId(missing), `attempt ${index}`);
      assert.equal((await deniedEventsFor(address.id)).length, index + 1, `attempt ${index}`);
    }

    const after = await shop.db.kysely
      .selectFrom('customer_addresses')
      .selectAll()
      .where('id', '=', address.id)
      .executeTakeFirst();
    assert.deepEqual(after, address);
    assert.equal((await deniedEventsFor(missingId)).length, 0);
    assert.equal((await ada.browser.get(`/account/addresses/${address.id}`)).statusCode, 200);
  });
});

describe('cart of a customer in a new browser', () => {
  it('shows the cart after logging in elsewhere', async () => {
    const ada = await signedInCustomer();
    await ada.browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '2' });

    // A second browser with an empty cookie jar logs in; the login sets no visitor cookie.
    const login = await shop.app.inject({
      method: 'POST',
      url: '/api/store/auth/login',
      payload: { email: ada.email, password },
    });
    assert.equal(login.statusCode, 200, login.body);
    const session = login.cookies.find((cookie) => cookie.name === customerSessionCookie);
    assert.ok(session, 'login set the session cookie');
    const second = new Browser(shop.app);
    second.setCookie(customerSessionCookie, session.value);
    assert.equal(second.cookies.get(visitorCookie), undefined);

    const home = await second.get('/');
    const cart = await second.get('/cart');

    assert.equal(cartCountOf(home.body), '2');
    assert.equal(cartCountOf(cart.body), '2');
    assert.match(cart.body, /Copper Kettle/);
    const lineForm = postFormsOf(cart.body).find((form) => form.action.startsWith('/cart/lines/'));
    assert.ok(lineForm, 'the cart page has a form per line');

    const changed = await second.postForm(lineForm.action, { action: 'update', quantity: '3' });
    assertRedirect(changed, '/cart');
    assert.equal(cartCountOf((await second.get('/cart')).body), '3');
    assert.equal(cartCountOf((await ada.browser.get('/cart')).body), '3');
  });
});

describe('account order page', () => {
  it('returns an unpaid order to the cart for its owner', async () => {
    const ada = await signedInCustomer();
    const orderId = await placeOrder(ada.browser);

    const page = await ada.browser.get(`/account/orders/${orderId}`);
    assert.equal(page.statusCode, 200, page.body);
    const form = postFormsOf(page.body).find((entry) => entry.action.endsWith('/return-to-cart'));
    assert.ok(form, 'the pending order has a return-to-cart form');
    assert.equal(form.action, `/orders/${orderId}/return-to-cart`);
    assert.doesNotMatch(page.body, /name="token"/);

    assertRedirect(await ada.browser.postForm(form.action, {}), '/cart');

    const order = await shop.db.kysely
      .selectFrom('orders')
      .select('status')
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    assert.equal(order.status, 'cancelled');
    const cart = await ada.browser.get('/cart');
    assert.match(cart.body, /Copper Kettle/);
    assert.equal(cartCountOf(cart.body), '1');
  });

  it("answers 404 for another customer's order and records it", async () => {
    const ada = await signedInCustomer();
    const eve = await signedInCustomer('Eve Intruder');
    const orderId = await placeOrder(ada.browser);
    const missingId = randomId();
    const before = await shop.db.kysely.selectFrom('orders').selectAll().orderBy('id').execute();
    const cartsBefore = await shop.db.kysely.selectFrom('carts').selectAll().execute();

    const attempts = [
      (id: string) => eve.browser.get(`/account/orders/${id}`),
      (id: string) => eve.browser.postForm(`/orders/${id}/return-to-cart`, {}),
    ];
    for (const [index, attempt] of attempts.entries()) {
      const foreign = await attempt(orderId);
      const missing = await attempt(missingId);

      assert.equal(foreign.statusCode, 404, `attempt ${index}`);
      assert.equal(withoutRequestId(foreign), withoutRequestId(missing), `attempt ${index}`);
      assert.equal((await deniedEventsFor(orderId)).length, index + 1, `attempt ${index}`);
    }

    const after = await shop.db.kysely.selectFrom('orders').selectAll().orderBy('id').execute();
    assert.deepEqual(after, before);
    assert.deepEqual(await shop.db.kysely.selectFrom('carts').selectAll().execute(), cartsBefore);
  });
});

describe('account pages under attack', () => {
  /** Makes the customer's sessions look signed in long ago, past the 5-minute proof window. */
  async function ageProof(customerId: string): Promise<void> {
    await shop.db.kysely
      .updateTable('sessions')
      .set({ reauthenticated_at: new Date(Date.now() - 10 * 60_000).toISOString() })
      .where('account_id', '=', customerId)
      .execute();
  }

  it('needs a recent password to set up an authenticator app', async () => {
    const ada = await signedInCustomer();
    await ageProof(ada.id);
    await ada.browser.get('/account/security');

    const refused = await ada.browser.postForm('/account/security/totp/start', {});
    const enrolments = await shop.db.kysely
      .selectFrom('mfa_totp')
      .select('account_id')
      .where('account_id', '=', ada.id)
      .execute();

    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Confirm it is you/);
    assert.doesNotMatch(refused.body, /<svg/);
    assert.deepEqual(enrolments, []);

    await ada.browser.postForm('/account/security/reauthenticate', { password });
    const started = await ada.browser.postForm('/account/security/totp/start', {});
    assert.equal(started.statusCode, 200);
    assert.match(started.body, /<code class="secret">[A-Z2-7]+<\/code>/);
  });

  it('needs a recent password to add a factor through the API', async () => {
    const ada = await signedInCustomer();
    await ageProof(ada.id);
    const cookie = `${customerSessionCookie}=${ada.browser.cookies.get(customerSessionCookie)}`;

    for (const url of [
      '/api/store/auth/mfa/totp/start',
      '/api/store/auth/mfa/passkeys/register/options',
    ]) {
      const response = await shop.app.inject({ method: 'POST', url, payload: {}, headers: { cookie } });

      assert.equal(response.statusCode, 403, url);
      assert.equal(response.json().code, 'REAUTHENTICATION_REQUIRED', url);
    }
    const security = await ada.browser.get('/account/security');
    assert.match(security.body, /Confirm it is you/);
  });

  it('replaces the visitor cookie when the current session is ended', async () => {
    const ada = await signedInCustomer();
    await ada.browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const visitorBefore = ada.browser.cookies.get(visitorCookie);
    assert.ok(visitorBefore, 'adding to the cart set the visitor cookie');
    // The page offers no end button for its own session, but the form route accepts its id.
    const cookie = `${customerSessionCookie}=${ada.browser.cookies.get(customerSessionCookie)}`;
    const listed = await shop.app.inject({
      method: 'GET',
      url: '/api/store/account/sessions',
      headers: { cookie },
    });
    const sessions: { id: string; current: boolean }[] = listed.json().items;
    const current = sessions.find((session) => session.current)?.id;
    assert.ok(current, 'the session list names the current session');
    await ada.browser.get('/account/security');

    const ended = await ada.browser.postForm('/account/security/sessions/end', { id: current });

    assertRedirect(ended, '/account/login?notice=logged-out');
    assert.equal(ada.browser.cookies.get(customerSessionCookie), undefined);
    const visitorAfter = ada.browser.cookies.get(visitorCookie);
    assert.ok(visitorAfter, 'a new visitor cookie was set');
    assert.notEqual(visitorAfter, visitorBefore);
    const cart = await ada.browser.get('/cart');
    assert.equal(cartCountOf(cart.body), '0');
    const carts = await shop.db.kysely
      .selectFrom('carts')
      .select('visitor_hash')
      .where('customer_id', '=', ada.id)
      .execute();
    const newHash = hashToken(visitorAfter.split('.')[0] ?? '');
    assert.ok(carts.every((cart) => cart.visitor_hash !== newHash));
  });

  it('has no redirect target parameter on login or account pages', async () => {
    const browser = new Browser(shop.app);
    for (const url of [
      '/account/login?next=https://evil.example/',
      '/account/login?redirect=//evil.example',
      '/account?next=https://evil.example/',
    ]) {
      const response = await browser.get(url);

      assert.equal(response.statusCode, 400, url);
      assert.equal(response.headers.location, undefined, url);
    }
  });
});
