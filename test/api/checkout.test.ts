import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { shippingMethods } from '../../src/checkout/shipping.js';
import { readStock, setStock } from '../support/catalog-fixture.js';
import {
  snapshotStore,
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../support/store-api.js';

// These tests pay through RecordingPaymentGateway in place of the payment provider, because
// they test the shop's own checks. The payments domain tests the sandbox gateway end to end.

let store: StoreTest;
let visitor: Visitor;
const [standard, express] = shippingMethods('USD');

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

beforeEach(async () => {
  visitor = new Visitor(store.app);
  store.payments.failWith = undefined;
  store.payments.urlOverride = undefined;
  await setStock(store.db, store.catalog.hat, 5);
});

function checkout(cartId: string, body: unknown = validCheckout, as: Visitor = visitor) {
  return as.request('POST', `/api/store/carts/${cartId}/checkout`, body);
}

async function orderRow(orderId: string) {
  return store.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
}

async function cartStatus(cartId: string) {
  const cart = await store.db
    .selectFrom('carts')
    .select('status')
    .where('id', '=', cartId)
    .executeTakeFirstOrThrow();
  return cart.status;
}

describe('checkout', () => {
  it('places an order priced from the catalog', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 2);
    await visitor.request('POST', `/api/store/carts/${cartId}/lines`, {
      variantId: store.catalog.giftCard,
      quantity: 1,
    });

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 201, response.body);
    const { orderId, paymentUrl } = response.json();
    assert.deepEqual(Object.keys(response.json()).sort(), ['orderId', 'paymentUrl']);
    const order = await orderRow(orderId);
    assert.ok(order);
    assert.equal(order.subtotal_minor, 2 * 2500 + 5000);
    assert.equal(order.shipping_minor, standard?.priceMinor);
    assert.equal(order.total_minor, 10_000 + (standard?.priceMinor ?? 0));
    assert.equal(order.status, 'pending_payment');
    assert.equal(order.currency, 'USD');
    assert.equal(order.cart_id, cartId);
    assert.equal(order.payment_reference, `test_${store.payments.sessions.length}_${orderId}`);
    assert.equal(new URL(paymentUrl).origin, store.payments.origin);
    assert.equal(await readStock(store.db, store.catalog.hat), 3);
    assert.equal(await cartStatus(cartId), 'checked_out');
  });

  it('asks the provider for the order total', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);

    const response = await checkout(cartId, { ...validCheckout, shippingMethod: 'express' });

    const { orderId } = response.json();
    const session = store.payments.sessions.at(-1);
    assert.equal(session?.orderId, orderId);
    assert.deepEqual(session?.amount, {
      amount: 2500 + (express?.priceMinor ?? 0),
      currency: 'USD',
    });
    assert.equal(session?.cancelUrl, session?.successUrl);
    const order = await orderRow(orderId);
    const deadline = Date.parse(order?.created_at ?? '') + 30 * 60_000;
    assert.equal(session?.expiresAt.getTime(), deadline);
    const success = new URL(session?.successUrl ?? '');
    assert.equal(success.origin, 'http://localhost:3000');
    assert.equal(success.pathname, `/orders/${orderId}`);
    const anonymous = new Visitor(store.app);
    const viaLink = await anonymous.request('GET', `/api/store/orders/${orderId}${success.search}`);
    assert.equal(viaLink.statusCode, 200);
    assert.equal(viaLink.json().shippingMethod, 'express');
  });

  it('charges no shipping when nothing ships', async () => {
    const cartId = await visitor.cartWith(store.catalog.giftCard, 2);

    const response = await checkout(cartId);

    const order = await orderRow(response.json().orderId);
    assert.equal(order?.shipping_minor, 0);
    assert.equal(order?.total_minor, 10_000);
  });

  it('stores the order lines', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 2);

    const response = await checkout(cartId);
    const order = await visitor.request('GET', `/api/store/orders/${response.json().orderId}`);

    assert.deepEqual(order.json().lines, [
      {
        productTitle: 'Wool Hat',
        variantTitle: 'Red',
        sku: 'HAT-RED',
        unitPriceMinor: 2500,
        quantity: 2,
        lineTotalMinor: 5000,
      },
    ]);
  });

  it('uses the price at checkout time', async () => {
    const cartId = await visitor.cartWith(store.catalog.poster, 1);
    await setPrice(store.catalog.poster, 1900);

    const response = await checkout(cartId);
    await setPrice(store.catalog.poster, 1500);

    const order = await orderRow(response.json().orderId);
    assert.equal(order?.subtotal_minor, 1900);
  });

  it('rejects an empty cart', async () => {
    const cartId = await visitor.createCart();
    const before = await snapshotStore(store.db);

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'CART_EMPTY');
    assert.deepEqual(await snapshotStore(store.db), before);
  });
});

describe('checkout stock', () => {
  it('rejects stock that dropped after adding', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 3);
    await setStock(store.db, store.catalog.hat, 2);
    const before = await snapshotStore(store.db);
    const sessions = store.payments.sessions.length;

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'OUT_OF_STOCK');
    assert.deepEqual(await snapshotStore(store.db), before);
    assert.equal(await cartStatus(cartId), 'open');
    assert.equal(store.payments.sessions.length, sessions);
  });

  it('undoes earlier reservations when a later line fails', async () => {
    const cartId = await visitor.cartWith(store.catalog.poster, 2);
    await visitor.request('POST', `/api/store/carts/${cartId}/lines`, {
      variantId: store.catalog.hat,
      quantity: 2,
    });
    await setStock(store.db, store.catalog.hat, 1);
    const before = await snapshotStore(store.db);

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 409);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('rejects an item no longer sold', async () => {
    const cartId = await visitor.cartWith(store.catalog.giftCard, 1);
    await setProductStatusOf(store.catalog.giftCard, 'draft');
    const before = await snapshotStore(store.db);

    const response = await checkout(cartId);
    await setProductStatusOf(store.catalog.giftCard, 'active');

    assert.equal(response.statusCode, 409);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('lets a second shopper buy the last unit only once', async () => {
    await setStock(store.db, store.catalog.hat, 1);
    const first = new Visitor(store.app);
    const second = new Visitor(store.app);
    const firstCart = await first.cartWith(store.catalog.hat, 1);
    const secondCart = await second.cartWith(store.catalog.hat, 1);

    const results = await Promise.all([
      checkout(firstCart, validCheckout, first),
      checkout(secondCart, validCheckout, second),
    ]);

    assert.deepEqual(results.map((result) => result.statusCode).sort(), [201, 409]);
    assert.equal(await readStock(store.db, store.catalog.hat), 0);
  });
});

describe('double submit', () => {
  it('rejects a second checkout of the same cart', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);
    await checkout(cartId);
    const before = await snapshotStore(store.db);

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'CART_CLOSED');
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('refuses a second order for one cart', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);
    await checkout(cartId);
    // Reopening the cart by hand leaves only the unique orders.cart_id to stop a second order.
    await store.db.updateTable('carts').set({ status: 'open' }).where('id', '=', cartId).execute();
    const before = await snapshotStore(store.db);

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 409, response.body);
    assert.equal(response.json().code, 'CART_CLOSED');
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('creates one order from concurrent submits', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);

    const results = await Promise.all([checkout(cartId), checkout(cartId), checkout(cartId)]);

    const statuses = results.map((result) => result.statusCode).sort();
    assert.equal(statuses[0], 201);
    // A submit that loads the cart after the first checkout committed gets 404, because every
    // record has moved to the new token. One that loaded it before gets 409.
    for (const status of statuses.slice(1)) assert.ok([404, 409].includes(status), `${status}`);
    const orders = await store.db
      .selectFrom('orders')
      .select('id')
      .where('cart_id', '=', cartId)
      .execute();
    assert.equal(orders.length, 1);
    assert.equal(await readStock(store.db, store.catalog.hat), 4);
  });
});

describe('payment provider failure', () => {
  it('leaves no order and restores the cart', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 2);
    const before = await snapshotStore(store.db);
    store.payments.failWith = new Error('connect ECONNREFUSED 127.0.0.1:9');

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 502);
    assert.equal(response.json().code, 'PAYMENT_PROVIDER_FAILED');
    assert.doesNotMatch(response.body, /ECONNREFUSED/);
    const after = await snapshotStore(store.db);
    assert.deepEqual(after.orders, before.orders);
    assert.deepEqual(after.orderLines, before.orderLines);
    assert.deepEqual(after.stock, before.stock);
    assert.deepEqual(after.cartLines, before.cartLines);
    assert.equal(await cartStatus(cartId), 'open');
  });

  it('lets the shopper retry', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);
    store.payments.failWith = new Error('timed out');
    await checkout(cartId);
    store.payments.failWith = undefined;

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 201, response.body);
    assert.equal(await readStock(store.db, store.catalog.hat), 4);
  });

  it('refuses a payment URL off the provider origin', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);
    const before = await snapshotStore(store.db);
    store.payments.urlOverride = 'https://attacker.example/pay';

    const response = await checkout(cartId);

    assert.equal(response.statusCode, 502);
    assert.doesNotMatch(response.body, /attacker/);
    assert.deepEqual((await snapshotStore(store.db)).orders, before.orders);
    assert.deepEqual((await snapshotStore(store.db)).stock, before.stock);
  });
});

describe('checkout input', () => {
  const address = validCheckout.shippingAddress;
  const invalid: [string, unknown][] = [
    ['a malformed e-mail', { ...validCheckout, email: 'not-an-address' }],
    ['an e-mail with a line break', { ...validCheckout, email: 'a@b.com\r\nBcc: x@y.com' }],
    ['an over-long e-mail', { ...validCheckout, email: `${'a'.repeat(250)}@example.com` }],
    ['an unknown country', { ...validCheckout, shippingAddress: { ...address, country: 'ZZ' } }],
    ['a lower-case country', { ...validCheckout, shippingAddress: { ...address, country: 'us' } }],
    [
      'a three-letter country',
      { ...validCheckout, shippingAddress: { ...address, country: 'USA' } },
    ],
    ['an unknown shipping method', { ...validCheckout, shippingMethod: 'teleport' }],
    [
      'an over-long name',
      { ...validCheckout, shippingAddress: { ...address, name: 'x'.repeat(101) } },
    ],
    ['a blank name', { ...validCheckout, shippingAddress: { ...address, name: '   ' } }],
    [
      'a control character',
      { ...validCheckout, shippingAddress: { ...address, city: 'A\u0000B' } },
    ],
    ['a bidi override', { ...validCheckout, shippingAddress: { ...address, line1: 'x\u202Ey' } }],
    ['a bad postal code', { ...validCheckout, shippingAddress: { ...address, postalCode: '<b>' } }],
    ['a missing city', { ...validCheckout, shippingAddress: { ...address, city: undefined } }],
    ['a numeric e-mail', { ...validCheckout, email: 12345 }],
  ];

  for (const [name, body] of invalid) {
    it(`rejects ${name}`, async () => {
      const cartId = await visitor.cartWith(store.catalog.hat, 1);
      const before = await snapshotStore(store.db);

      const response = await checkout(cartId, body);

      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'VALIDATION_FAILED');
      assert.deepEqual(await snapshotStore(store.db), before);
    });
  }

  it('trims fields and accepts optional ones', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);
    const body = {
      ...validCheckout,
      email: '  shopper@example.com ',
      shippingAddress: { ...address, name: ' Ada ', line2: 'Flat 2', region: 'IL' },
    };

    const response = await checkout(cartId, body);

    const order = await orderRow(response.json().orderId);
    assert.equal(order?.email, 'shopper@example.com');
    assert.equal(order?.ship_name, 'Ada');
    assert.equal(order?.ship_line2, 'Flat 2');
    assert.equal(order?.ship_region, 'IL');
  });
});

async function setPrice(variantId: string, priceMinor: number) {
  await store.db
    .updateTable('variants')
    .set({ price_minor: priceMinor })
    .where('id', '=', variantId)
    .execute();
}

async function setProductStatusOf(variantId: string, status: 'active' | 'draft') {
  const variant = await store.db
    .selectFrom('variants')
    .select('product_id')
    .where('id', '=', variantId)
    .executeTakeFirstOrThrow();
  await store.db
    .updateTable('products')
    .set({ status })
    .where('id', '=', variant.product_id)
    .execute();
}
