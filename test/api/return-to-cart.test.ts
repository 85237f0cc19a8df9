import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { markOrderPaid } from '../../src/orders/order.service.js';
import type { ServiceContext } from '../../src/server/context.js';
import { readStock, setStock } from '../support/catalog-fixture.js';
import {
  snapshotStore,
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../support/store-api.js';

let store: StoreTest;
let visitor: Visitor;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

beforeEach(async () => {
  visitor = new Visitor(store.app);
  await setStock(store.db, store.catalog.hat, 5);
});

/** Checks out two hats for the visitor; returns the order id and its signed link token. */
async function placeOrder() {
  const cartId = await visitor.cartWith(store.catalog.hat, 2);
  const placed = await visitor.request(
    'POST',
    `/api/store/carts/${cartId}/checkout`,
    validCheckout,
  );
  assert.equal(placed.statusCode, 201, placed.body);
  const orderId = placed.json<{ orderId: string }>().orderId;
  const token = new URL(store.payments.sessions.at(-1)?.successUrl ?? '').searchParams.get('token');
  return { orderId, token: token ?? '' };
}

function returnToCart(orderId: string, query = '', as: Visitor = visitor) {
  return as.request('POST', `/api/store/orders/${orderId}/return-to-cart${query}`);
}

describe('POST /api/store/orders/:id/return-to-cart', () => {
  it('cancels a pending order and returns the new cart', async () => {
    const { orderId } = await placeOrder();
    assert.equal(await readStock(store.db, store.catalog.hat), 3);

    const response = await returnToCart(orderId);

    assert.equal(response.statusCode, 201, response.body);
    const cart = response.json();
    assert.equal(cart.status, 'open');
    assert.deepEqual(
      cart.lines.map((line: { variantId: string; quantity: number }) => [
        line.variantId,
        line.quantity,
      ]),
      [[store.catalog.hat, 2]],
    );
    assert.equal(await readStock(store.db, store.catalog.hat), 5);
    const order = await visitor.request('GET', `/api/store/orders/${orderId}`);
    assert.equal(order.json().status, 'cancelled');
  });

  it('accepts the signed link token from another client', async () => {
    const { orderId, token } = await placeOrder();
    const other = new Visitor(store.app);

    const response = await returnToCart(orderId, `?token=${encodeURIComponent(token)}`, other);

    assert.equal(response.statusCode, 201, response.body);
    assert.ok(other.cookie, 'the other client got a visitor cookie');
    const cart = await other.request('GET', `/api/store/carts/${response.json().id}`);
    assert.equal(cart.statusCode, 200);
  });

  it('rejects another visitor', async () => {
    const { orderId } = await placeOrder();
    const before = await snapshotStore(store.db);

    const response = await returnToCart(orderId, '', new Visitor(store.app));

    assert.equal(response.statusCode, 404);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('rejects a paid order', async () => {
    const { orderId } = await placeOrder();
    const reference = `test_${store.payments.sessions.length}_${orderId}`;
    await markOrderPaid(serviceContext(), orderId, reference);
    const before = await snapshotStore(store.db);

    const response = await returnToCart(orderId);

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'ORDER_PAID');
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('rejects a body with fields', async () => {
    const { orderId } = await placeOrder();
    const before = await snapshotStore(store.db);

    const response = await visitor.request('POST', `/api/store/orders/${orderId}/return-to-cart`, {
      priceMinor: 1,
    });

    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'UNKNOWN_FIELD');
    assert.deepEqual(await snapshotStore(store.db), before);
  });
});

function serviceContext(): ServiceContext {
  const { deps } = store.shop;
  return {
    db: store.db,
    config: deps.config,
    secrets: deps.secrets,
    log: store.app.log,
    requestId: 'test',
    ip: '127.0.0.1',
    visitorHash: null,
  };
}
