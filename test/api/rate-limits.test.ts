import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { captureLogs } from '../support/log-capture.js';
import {
  securityEvents,
  snapshotStore,
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../support/store-api.js';
import { Browser } from '../support/storefront.js';

// Each suite runs its own shop with tiny limits. Injected requests come from 127.0.0.1 unless
// they name another remoteAddress.

const minute = 60_000;

/** Creates carts from `remoteAddress` until the shop refuses one, so its limit is used up. */
async function useUpCartLimit(app: FastifyInstance, remoteAddress = '127.0.0.1') {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await app.inject({ method: 'POST', url: '/api/store/carts', remoteAddress });
    if (response.statusCode === 429) return;
  }
  throw new Error('the cart creation limit was never reached');
}

function assertRateLimited(response: LightMyRequestResponse, contentType: RegExp) {
  assert.equal(response.statusCode, 429, response.body);
  assert.match(String(response.headers['content-type']), contentType);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(retryAfter >= 1, `Retry-After ${retryAfter}`);
  assert.ok(retryAfter <= 60, `Retry-After ${retryAfter}`);
}

describe('cart creation limit', () => {
  let store: StoreTest;
  const logs = captureLogs();

  before(async () => {
    store = await startStoreTest(
      { LOG_LEVEL: 'info' },
      { rateLimits: { cartCreation: { limit: 2, windowMs: minute } }, logStream: logs.stream },
    );
  });
  after(() => store.close());

  it('rejects the cart over the limit', async () => {
    await new Visitor(store.app).createCart();
    await new Visitor(store.app).createCart();
    const before = await snapshotStore(store.db);

    const response = await new Visitor(store.app).request('POST', '/api/store/carts');

    assertRateLimited(response, /^application\/problem\+json/);
    assert.equal(response.json().code, 'RATE_LIMITED');
    assert.equal(response.json().retryAfterSeconds, Number(response.headers['retry-after']));
    assert.deepEqual(await snapshotStore(store.db), before);
    const logged = logs.entries().filter((entry) => entry.msg === 'rate limit exceeded');
    assert.equal(logged.at(-1)?.rateLimit, 'cartCreation');
  });

  it('counts each address on its own', async () => {
    await useUpCartLimit(store.app);

    const other = await store.app.inject({
      method: 'POST',
      url: '/api/store/carts',
      remoteAddress: '203.0.113.7',
    });
    const same = await store.app.inject({ method: 'POST', url: '/api/store/carts' });

    assert.equal(other.statusCode, 201);
    assert.equal(same.statusCode, 429);
  });

  it('counts IPv6 addresses by /64', async () => {
    await useUpCartLimit(store.app, '2001:db8:1:2::1');

    const sameNetwork = await store.app.inject({
      method: 'POST',
      url: '/api/store/carts',
      remoteAddress: '2001:db8:1:2::ffff',
    });

    assert.equal(sameNetwork.statusCode, 429);
  });

  it('limits carts the add-to-cart form creates', async () => {
    const browser = new Browser(store.app);
    await useUpCartLimit(store.app);
    const before = await snapshotStore(store.db);

    const response = await browser.postForm('/cart/lines', {
      variantId: store.catalog.hat,
      quantity: '1',
    });

    assertRateLimited(response, /^text\/html/);
    assert.match(response.body, /Too many carts/);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('still adds lines to an existing cart', async () => {
    const browser = new Browser(store.app);
    const cart = await store.app.inject({
      method: 'POST',
      url: '/api/store/carts',
      remoteAddress: '198.51.100.2',
    });
    browser.cookie = cart.cookies[0]?.value;
    await useUpCartLimit(store.app);

    const response = await browser.postForm('/cart/lines', {
      variantId: store.catalog.hat,
      quantity: '1',
    });

    assert.equal(cart.statusCode, 201);
    assert.equal(response.statusCode, 303, response.body);
  });
});

describe('checkout limit', () => {
  let store: StoreTest;

  before(async () => {
    store = await startStoreTest({}, { rateLimits: { checkout: { limit: 1, windowMs: minute } } });
  });
  after(() => store.close());

  it('rejects the checkout over the limit', async () => {
    const visitor = new Visitor(store.app);
    const first = await visitor.cartWith(store.catalog.hat, 1);
    const second = await visitor.cartWith(store.catalog.hat, 1);
    const placed = await visitor.request(
      'POST',
      `/api/store/carts/${first}/checkout`,
      validCheckout,
    );
    const before = await snapshotStore(store.db);
    const sessions = store.payments.sessions.length;

    const response = await visitor.request(
      'POST',
      `/api/store/carts/${second}/checkout`,
      validCheckout,
    );

    assert.equal(placed.statusCode, 201, placed.body);
    assertRateLimited(response, /^application\/problem\+json/);
    assert.equal(response.json().code, 'RATE_LIMITED');
    assert.deepEqual(await snapshotStore(store.db), before);
    assert.equal(store.payments.sessions.length, sessions);
  });

  it('limits the checkout form too', async () => {
    const browser = new Browser(store.app);
    await browser.postForm('/cart/lines', { variantId: store.catalog.giftCard, quantity: '1' });
    const before = await snapshotStore(store.db);

    const response = await browser.postForm('/checkout', {
      email: 'shopper@example.com',
      name: 'Ada Shopper',
      line1: '1 Market Street',
      line2: '',
      city: 'Springfield',
      region: '',
      postalCode: '12345',
      country: 'US',
      shippingMethod: 'standard',
    });

    assertRateLimited(response, /^text\/html/);
    assert.match(response.body, /Too many checkouts/);
    assert.deepEqual(await snapshotStore(store.db), before);
  });
});

describe('security event limit', () => {
  let store: StoreTest;
  const logs = captureLogs();

  before(async () => {
    store = await startStoreTest(
      { LOG_LEVEL: 'warn' },
      { rateLimits: { securityEvents: { limit: 3, windowMs: minute } }, logStream: logs.stream },
    );
  });
  after(() => store.close());

  const crossSitePost = (remoteAddress = '127.0.0.1') =>
    store.app.inject({
      method: 'POST',
      url: '/api/store/carts',
      remoteAddress,
      headers: { 'sec-fetch-site': 'cross-site' },
    });

  it('stores at most the limit and counts the rest', async () => {
    const responses: LightMyRequestResponse[] = [];
    for (let count = 0; count < 13; count += 1) responses.push(await crossSitePost());

    assert.deepEqual(new Set(responses.map((response) => response.statusCode)), new Set([403]));
    assert.equal((await securityEvents(store.db, 'cross_site_request')).length, 3);
    const summaries = logs
      .entries()
      .filter((entry) => entry.msg === 'security events over the rate limit; not stored');
    assert.deepEqual(
      summaries.map((entry) => entry.dropped),
      [1, 10],
    );
  });

  it('counts every kind of event against one address', async () => {
    const stored = (await securityEvents(store.db, 'request_tampering')).length;

    const response = await store.app.inject({
      method: 'POST',
      url: '/api/store/carts',
      payload: { currency: 'EUR' },
    });

    assert.equal(response.statusCode, 400);
    assert.equal((await securityEvents(store.db, 'request_tampering')).length, stored);
  });

  it('keeps storing events of other addresses', async () => {
    const response = await crossSitePost('192.0.2.44');

    const events = await securityEvents(store.db, 'cross_site_request');
    assert.equal(response.statusCode, 403);
    assert.equal(events.at(-1)?.source, '192.0.2.44');
  });
});
