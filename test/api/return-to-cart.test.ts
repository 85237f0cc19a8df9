import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { markOrderPaid } from '../../src/orders/order.service.js';
import type { ServiceContext } from '../../src/server/context.js';
import { readStock, setStock } from '../support/catalog-fixture.js';
import { captureLogs } from '../support/log-capture.js';
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
  store.payments.cancellations.length = 0;
  store.payments.cancelOutcome = 'cancelled';
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
    assert.deepEqual(store.payments.cancellations, [], 'no payment session was cancelled');
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
    assert.deepEqual(store.payments.cancellations, [], 'no payment session was cancelled');
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

describe('return to cart and the payment session', () => {
  it('cancels the payment session of a pending order', async () => {
    const { orderId } = await placeOrder();
    const reference = await paymentReferenceOf(orderId);

    const response = await returnToCart(orderId);

    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(store.payments.cancellations, [reference]);
    assert.equal(await orderStatus(orderId), 'cancelled');
  });

  it('changes nothing while the provider completes a payment', async () => {
    const { orderId } = await placeOrder();
    store.payments.cancelOutcome = 'already_completed';
    const before = await snapshotStore(store.db);

    const response = await returnToCart(orderId);

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'PAYMENT_IN_PROGRESS');
    assert.match(response.json().detail, /Refresh the order page in a moment/);
    assert.deepEqual(await snapshotStore(store.db), before);
    assert.equal(await orderStatus(orderId), 'pending_payment');
  });

  it('answers ORDER_PAID when the webhook lands during the cancel', async () => {
    const { orderId } = await placeOrder();
    const reference = await paymentReferenceOf(orderId);
    store.payments.cancelSession = async () => {
      await markOrderPaid(serviceContext(), orderId, reference);
      return 'already_completed';
    };
    try {
      const response = await returnToCart(orderId);

      assert.equal(response.statusCode, 409);
      assert.equal(response.json().code, 'ORDER_PAID');
      assert.equal(await orderStatus(orderId), 'paid');
      assert.equal(await readStock(store.db, store.catalog.hat), 3);
    } finally {
      Reflect.deleteProperty(store.payments, 'cancelSession');
    }
  });

  it('cancels the order when the provider cannot be reached', async () => {
    const { orderId } = await placeOrder();
    store.payments.cancelOutcome = 'unavailable';

    const response = await returnToCart(orderId);

    assert.equal(response.statusCode, 201, response.body);
    assert.equal(store.payments.cancellations.length, 1);
    assert.equal(await orderStatus(orderId), 'cancelled');
    assert.equal(await readStock(store.db, store.catalog.hat), 5);
  });

  it('skips the provider for an order without a payment session', async () => {
    const { orderId } = await placeOrder();
    await setOrder(orderId, { payment_reference: null });

    const response = await returnToCart(orderId);

    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(store.payments.cancellations, []);
    assert.equal(await orderStatus(orderId), 'cancelled');
  });

  it('skips the provider for an order placed with another provider', async () => {
    const { orderId } = await placeOrder();
    await setOrder(orderId, { payment_provider: 'stripe' });

    const response = await returnToCart(orderId);

    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(store.payments.cancellations, []);
    assert.equal(await orderStatus(orderId), 'cancelled');
  });

  it('skips the provider for orders that are no longer pending', async () => {
    const { orderId } = await placeOrder();
    await returnToCart(orderId);
    store.payments.cancellations.length = 0;

    const again = await returnToCart(orderId);

    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(store.payments.cancellations, []);
  });
});

describe('return to cart with the provider unreachable', () => {
  let logged: StoreTest;
  const logs = captureLogs();

  before(async () => {
    logged = await startStoreTest({ LOG_LEVEL: 'warn' }, { logStream: logs.stream });
    logged.payments.cancelOutcome = 'unavailable';
  });
  after(() => logged.close());

  it('logs a warning with the order id', async () => {
    const shopper = new Visitor(logged.app);
    const cartId = await shopper.cartWith(logged.catalog.hat, 1);
    const placed = await shopper.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );
    const { orderId } = placed.json<{ orderId: string }>();

    const response = await shopper.request('POST', `/api/store/orders/${orderId}/return-to-cart`);

    assert.equal(response.statusCode, 201, response.body);
    const warning = logs.entries().find((entry) => entry.orderId === orderId);
    assert.ok(warning, 'no log line names the order');
    assert.equal(warning.level, 40);
    assert.match(String(warning.msg), /payment session could not be cancelled/);
  });
});

async function paymentReferenceOf(orderId: string): Promise<string> {
  const row = await store.db
    .selectFrom('orders')
    .select('payment_reference')
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  assert.ok(row.payment_reference, 'checkout stored no payment reference');
  return row.payment_reference;
}

async function orderStatus(orderId: string) {
  const row = await store.db
    .selectFrom('orders')
    .select('status')
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  return row.status;
}

async function setOrder(
  orderId: string,
  values: { payment_reference?: null; payment_provider?: string },
) {
  await store.db.updateTable('orders').set(values).where('id', '=', orderId).execute();
}

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
    customerId: null,
  };
}
