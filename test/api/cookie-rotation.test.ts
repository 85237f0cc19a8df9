import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';

import { visitorCookie } from '../../src/cart/visitor.js';
import { hashToken } from '../../src/server/ids.js';
import { setStock } from '../support/catalog-fixture.js';
import {
  securityEvents,
  snapshotStore,
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../support/store-api.js';
import { Browser } from '../support/storefront.js';

// Visitor-cookie fixation: apps on one host name share cookies whatever their port, so an
// attacker there can plant a cookie that the shop validly issued to the attacker. Checkout
// therefore files the order under a new token and sets it in the response, so the attacker's
// copy of the old cookie reads nothing the shopper typed at checkout.

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

beforeEach(async () => {
  store.payments.failWith = undefined;
  await setStock(store.db, store.catalog.hat, 5);
});

/** An attacker with a cookie the shop issued, and a victim whose browser stores the same one. */
async function plantedPair<T extends Visitor | Browser>(make: () => T) {
  const attacker = make();
  const issued = await store.app.inject({ method: 'POST', url: '/api/store/carts' });
  const planted = issued.cookies.find((cookie) => cookie.name === visitorCookie)?.value;
  assert.ok(planted, 'the shop issued the attacker a cookie');
  attacker.cookie = planted;
  const victim = make();
  victim.cookie = planted;
  return { attacker, victim, planted };
}

function tokenHash(cookieValue: string | undefined): string {
  return hashToken((cookieValue ?? '').split('.')[0] ?? '');
}

function issuedCookieHeader(response: LightMyRequestResponse): string | undefined {
  const headers = [response.headers['set-cookie'] ?? []].flat();
  return headers.find((header) => header.startsWith(`${visitorCookie}=`));
}

async function orderOwner(orderId: string): Promise<string | undefined> {
  const row = await store.db
    .selectFrom('orders')
    .select('visitor_hash')
    .where('id', '=', orderId)
    .executeTakeFirst();
  return row?.visitor_hash;
}

async function deniedEventsFor(id: string) {
  const events = await securityEvents(store.db, 'object_access_denied');
  return events.filter((event) => JSON.parse(event.details).id === id);
}

describe('visitor cookie at API checkout', () => {
  it('sets a new cookie with the __Host- attributes', async () => {
    const { victim, planted } = await plantedPair(() => new Visitor(store.app));
    const cartId = await victim.cartWith(store.catalog.hat, 1);

    const response = await victim.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );

    assert.equal(response.statusCode, 201, response.body);
    const header = issuedCookieHeader(response);
    assert.ok(header, 'checkout set the visitor cookie');
    assert.match(header, /^__Host-cart=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43};/);
    assert.match(header, /; HttpOnly/);
    assert.match(header, /; Secure/);
    assert.match(header, /; SameSite=Lax/);
    assert.match(header, /; Path=\/(;|$)/);
    assert.doesNotMatch(header, /Domain=/i);
    assert.notEqual(victim.cookie, planted);
    assert.notEqual(tokenHash(victim.cookie), tokenHash(planted));
  });

  it('files the order under the new token', async () => {
    const { victim, planted } = await plantedPair(() => new Visitor(store.app));
    const cartId = await victim.cartWith(store.catalog.hat, 1);

    const response = await victim.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );

    const owner = await orderOwner(response.json().orderId);
    assert.equal(owner, tokenHash(victim.cookie));
    assert.notEqual(owner, tokenHash(planted));
  });

  it('hides the order from the planted cookie', async () => {
    const { attacker, victim } = await plantedPair(() => new Visitor(store.app));
    const cartId = await victim.cartWith(store.catalog.hat, 1);
    const placed = await victim.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );
    const { orderId } = placed.json();

    const stolen = await attacker.request('GET', `/api/store/orders/${orderId}`);
    const own = await victim.request('GET', `/api/store/orders/${orderId}`);

    assert.equal(stolen.statusCode, 404);
    assert.doesNotMatch(stolen.body, /shopper@example\.com|Ada Shopper|Market Street/);
    assert.equal((await deniedEventsFor(orderId)).length, 1);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().email, validCheckout.email);
  });

  it('lets only the new cookie return the order to a cart', async () => {
    const { attacker, victim } = await plantedPair(() => new Visitor(store.app));
    const cartId = await victim.cartWith(store.catalog.hat, 2);
    const placed = await victim.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );
    const { orderId } = placed.json();
    const before = await snapshotStore(store.db);

    const refused = await attacker.request(
      'POST',
      `/api/store/orders/${orderId}/return-to-cart`,
      {},
    );

    assert.equal(refused.statusCode, 404);
    assert.equal((await deniedEventsFor(orderId)).length, 1);
    assert.deepEqual(await snapshotStore(store.db), before);

    const returned = await victim.request(
      'POST',
      `/api/store/orders/${orderId}/return-to-cart`,
      {},
    );

    assert.equal(returned.statusCode, 201, returned.body);
    const cart = await victim.request('GET', `/api/store/carts/${returned.json().id}`);
    assert.equal(cart.statusCode, 200);
    const order = await victim.request('GET', `/api/store/orders/${orderId}`);
    assert.equal(order.json().status, 'cancelled');
  });

  it('moves the other carts and orders to the new cookie', async () => {
    const { attacker, victim } = await plantedPair(() => new Visitor(store.app));
    const firstCart = await victim.cartWith(store.catalog.giftCard, 1);
    const first = await victim.request(
      'POST',
      `/api/store/carts/${firstCart}/checkout`,
      validCheckout,
    );
    const openCart = await victim.cartWith(store.catalog.hat, 1);
    const secondCart = await victim.cartWith(store.catalog.hat, 1);

    await victim.request('POST', `/api/store/carts/${secondCart}/checkout`, validCheckout);

    const earlierOrder = `/api/store/orders/${first.json().orderId}`;
    assert.equal((await victim.request('GET', `/api/store/carts/${openCart}`)).statusCode, 200);
    assert.equal((await victim.request('GET', earlierOrder)).statusCode, 200);
    assert.equal((await attacker.request('GET', `/api/store/carts/${openCart}`)).statusCode, 404);
    assert.equal((await attacker.request('GET', `/api/store/carts/${secondCart}`)).statusCode, 404);
    assert.equal((await attacker.request('GET', earlierOrder)).statusCode, 404);
  });

  it('keeps the cookie when the cart is empty', async () => {
    const { victim, planted } = await plantedPair(() => new Visitor(store.app));
    const cartId = await victim.createCart();
    const before = await snapshotStore(store.db);

    const response = await victim.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );

    assert.equal(response.statusCode, 409, response.body);
    assert.equal(issuedCookieHeader(response), undefined);
    assert.equal(victim.cookie, planted);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('keeps the cookie when the payment provider fails', async () => {
    const visitor = new Visitor(store.app);
    const cartId = await visitor.cartWith(store.catalog.hat, 1);
    const cookie = visitor.cookie;
    store.payments.failWith = new Error('provider down');

    const failed = await visitor.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );

    assert.equal(failed.statusCode, 502, failed.body);
    assert.equal(issuedCookieHeader(failed), undefined);
    assert.equal(visitor.cookie, cookie);
    const cart = await visitor.request('GET', `/api/store/carts/${cartId}`);
    assert.equal(cart.statusCode, 200, 'the old cookie still owns the reopened cart');
  });
});

describe('visitor cookie at storefront checkout', () => {
  const checkoutFields = {
    email: 'shopper@example.com',
    name: 'Ada Shopper',
    line1: '1 Market Street',
    line2: '',
    city: 'Springfield',
    region: 'IL',
    postalCode: '12345',
    country: 'US',
    shippingMethod: 'standard',
  };

  it('hides the order page from the planted cookie', async () => {
    const { attacker, victim, planted } = await plantedPair(() => new Browser(store.app));
    await victim.postForm('/cart/lines', { variantId: store.catalog.hat, quantity: '1' });

    const response = await victim.postForm('/checkout', checkoutFields);

    assert.equal(response.statusCode, 303, response.body);
    const header = issuedCookieHeader(response);
    assert.ok(header, 'checkout set the visitor cookie');
    assert.match(header, /; HttpOnly/);
    assert.match(header, /; Secure/);
    assert.match(header, /; SameSite=Lax/);
    assert.match(header, /; Path=\/(;|$)/);
    assert.notEqual(victim.cookie, planted);
    const orderId = store.payments.sessions.at(-1)?.orderId ?? '';
    const stolen = await attacker.get(`/orders/${orderId}`);
    assert.equal(stolen.statusCode, 404);
    assert.doesNotMatch(stolen.body, /shopper@example\.com|Ada Shopper|Market Street/);
    assert.equal((await deniedEventsFor(orderId)).length, 1);
    const own = await victim.get(`/orders/${orderId}`);
    assert.equal(own.statusCode, 200);
    assert.match(own.body, /Ada Shopper/);
  });

  it('keeps the cookie when the form is rejected', async () => {
    const { victim, planted } = await plantedPair(() => new Browser(store.app));
    await victim.postForm('/cart/lines', { variantId: store.catalog.hat, quantity: '1' });
    const before = await snapshotStore(store.db);

    const response = await victim.postForm('/checkout', { ...checkoutFields, email: 'not-mail' });

    assert.equal(response.statusCode, 400);
    assert.equal(issuedCookieHeader(response), undefined);
    assert.equal(victim.cookie, planted);
    assert.deepEqual(await snapshotStore(store.db), before);
  });
});
