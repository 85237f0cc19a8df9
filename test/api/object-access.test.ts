import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';

import { createOrderLinkToken } from '../../src/orders/order-link.js';
import { randomId } from '../../src/server/ids.js';
import {
  securityEvents,
  snapshotStore,
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../support/store-api.js';

// Another visitor's cart or order gets the same 404 as a missing one, so ids cannot be probed,
// and the attempt is stored as an object_access_denied event.

let store: StoreTest;
let owner: Visitor;
let intruder: Visitor;
let cartId: string;
let lineId: string;
let orderId: string;
let orderToken: string;

before(async () => {
  store = await startStoreTest();
  owner = new Visitor(store.app);
  intruder = new Visitor(store.app);
  await intruder.createCart();

  cartId = await owner.cartWith(store.catalog.hat, 1);
  lineId = (await owner.request('GET', `/api/store/carts/${cartId}`)).json().lines[0].id;

  const paidCart = await owner.cartWith(store.catalog.giftCard, 1);
  const placed = await owner.request(
    'POST',
    `/api/store/carts/${paidCart}/checkout`,
    validCheckout,
  );
  orderId = placed.json().orderId;
  const successUrl = new URL(store.payments.sessions.at(-1)?.successUrl ?? '');
  orderToken = successUrl.searchParams.get('token') ?? '';
});

after(() => store.close());

/** The parts of a 404 that must not differ between "missing" and "someone else's". */
function shapeOf(response: LightMyRequestResponse) {
  const { requestId, ...problem } = response.json();
  assert.equal(typeof requestId, 'string');
  return {
    status: response.statusCode,
    contentType: response.headers['content-type'],
    problem,
  };
}

async function deniedEventsFor(id: string) {
  const events = await securityEvents(store.db, 'object_access_denied');
  return events.filter((event) => JSON.parse(event.details).id === id);
}

describe('cart of another visitor', () => {
  const requests: [string, (id: string) => [string, string, unknown?]][] = [
    ['read', (id) => ['GET', `/api/store/carts/${id}`]],
    [
      'add a line',
      (id) => [
        'POST',
        `/api/store/carts/${id}/lines`,
        { variantId: store.catalog.hat, quantity: 1 },
      ],
    ],
    ['update a line', (id) => ['PATCH', `/api/store/carts/${id}/lines/${lineId}`, { quantity: 2 }]],
    ['remove a line', (id) => ['DELETE', `/api/store/carts/${id}/lines/${lineId}`]],
    ['check out', (id) => ['POST', `/api/store/carts/${id}/checkout`, validCheckout]],
  ];

  for (const [action, build] of requests) {
    it(`returns 404 like a missing cart to ${action}`, async () => {
      const before = await snapshotStore(store.db);
      const eventsBefore = (await deniedEventsFor(cartId)).length;
      const [method, url, body] = build(cartId);
      const [, missingUrl, missingBody] = build(randomId());

      const foreign = await intruder.request(method as 'GET', url, body);
      const missing = await intruder.request(method as 'GET', missingUrl, missingBody);

      assert.equal(foreign.statusCode, 404);
      assert.deepEqual(shapeOf(foreign), shapeOf(missing));
      assert.equal((await deniedEventsFor(cartId)).length, eventsBefore + 1);
      assert.deepEqual(await snapshotStore(store.db), before);
    });
  }

  it('returns 404 without any cookie', async () => {
    const anonymous = new Visitor(store.app);

    const response = await anonymous.request('GET', `/api/store/carts/${cartId}`);

    assert.equal(response.statusCode, 404);
    assert.equal(anonymous.cookie, undefined);
  });

  it('records no event for a missing cart', async () => {
    const missingId = randomId();

    await intruder.request('GET', `/api/store/carts/${missingId}`);

    assert.equal((await deniedEventsFor(missingId)).length, 0);
  });

  it('still serves the owner', async () => {
    const response = await owner.request('GET', `/api/store/carts/${cartId}`);

    assert.equal(response.statusCode, 200);
  });
});

describe('order of another visitor', () => {
  it('returns 404 like a missing order', async () => {
    const eventsBefore = (await deniedEventsFor(orderId)).length;

    const foreign = await intruder.request('GET', `/api/store/orders/${orderId}`);
    const missing = await intruder.request('GET', `/api/store/orders/${randomId()}`);

    assert.equal(foreign.statusCode, 404);
    assert.deepEqual(shapeOf(foreign), shapeOf(missing));
    assert.equal((await deniedEventsFor(orderId)).length, eventsBefore + 1);
  });

  it('serves the owner by cookie', async () => {
    const response = await owner.request('GET', `/api/store/orders/${orderId}`);

    assert.equal(response.statusCode, 200);
    assert.equal(response.json().email, validCheckout.email);
    assert.equal(response.headers['cache-control'], 'no-store');
  });
});

describe('signed order link', () => {
  it('serves the order without a cookie', async () => {
    const anonymous = new Visitor(store.app);

    const response = await anonymous.request(
      'GET',
      `/api/store/orders/${orderId}?token=${orderToken}`,
    );

    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().id, orderId);
  });

  it('rejects every altered character', async () => {
    const anonymous = new Visitor(store.app);
    const eventsBefore = (await deniedEventsFor(orderId)).length;
    let attempts = 0;

    for (let index = 0; index < orderToken.length; index += 1) {
      const original = orderToken[index] ?? '';
      const replacement = /[0-9]/.test(original)
        ? String((Number(original) + 1) % 10)
        : original === 'A'
          ? 'B'
          : 'A';
      const altered = orderToken.slice(0, index) + replacement + orderToken.slice(index + 1);

      const response = await anonymous.request(
        'GET',
        `/api/store/orders/${orderId}?token=${encodeURIComponent(altered)}`,
      );

      assert.equal(response.statusCode, 404, `position ${index}`);
      attempts += 1;
    }
    assert.equal((await deniedEventsFor(orderId)).length, eventsBefore + attempts);
  });

  it('rejects the token on another order', async () => {
    const other = new Visitor(store.app);
    const otherCart = await other.cartWith(store.catalog.giftCard, 1);
    const placed = await other.request(
      'POST',
      `/api/store/carts/${otherCart}/checkout`,
      validCheckout,
    );
    const anonymous = new Visitor(store.app);

    const response = await anonymous.request(
      'GET',
      `/api/store/orders/${placed.json().orderId}?token=${orderToken}`,
    );

    assert.equal(response.statusCode, 404);
  });

  it('rejects an expired token', async () => {
    const key = store.shop.deps.secrets.signingKey;
    const expired = createOrderLinkToken(key, orderId, 60, Date.now() - 61_000);
    const fresh = createOrderLinkToken(key, orderId, 60, Date.now());
    const anonymous = new Visitor(store.app);

    const response = await anonymous.request(
      'GET',
      `/api/store/orders/${orderId}?token=${expired}`,
    );
    const control = await anonymous.request('GET', `/api/store/orders/${orderId}?token=${fresh}`);

    assert.equal(response.statusCode, 404);
    assert.equal(control.statusCode, 200);
  });

  it('rejects an unknown query field', async () => {
    const response = await intruder.request(
      'GET',
      `/api/store/orders/${orderId}?token=${orderToken}&admin=1`,
    );

    assert.equal(response.statusCode, 400);
  });
});
