import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { readStock, setStock } from '../../test/support/catalog-fixture.js';
import {
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../../test/support/store-api.js';
import type { ServiceContext } from '../server/context.js';
import { randomId } from '../server/ids.js';
import { findOrderForPayment, markOrderPaid, markOrderPaymentFailed } from './order.service.js';

let store: StoreTest;
let ctx: ServiceContext;
let orderId: string;
let reference: string;

before(async () => {
  store = await startStoreTest();
  const { deps } = store.shop;
  ctx = {
    db: store.db,
    config: deps.config,
    secrets: deps.secrets,
    log: store.app.log,
    requestId: 'webhook-test',
    ip: '127.0.0.1',
    visitorHash: null,
    customerId: null,
  };
});

after(() => store.close());

// Each test starts from a fresh pending order for 2 hats, placed with 5 hats in stock.
beforeEach(async () => {
  await setStock(store.db, store.catalog.hat, 5);
  const visitor = new Visitor(store.app);
  const cartId = await visitor.cartWith(store.catalog.hat, 2);
  const placed = await visitor.request(
    'POST',
    `/api/store/carts/${cartId}/checkout`,
    validCheckout,
  );
  orderId = placed.json().orderId;
  reference = `test_${store.payments.sessions.length}_${orderId}`;
});

describe('findOrderForPayment', () => {
  it('returns the payment fields', async () => {
    const order = await findOrderForPayment(ctx, orderId);

    assert.deepEqual(order, {
      id: orderId,
      status: 'pending_payment',
      totalMinor: 5000 + 500,
      currency: 'USD',
      paymentReference: reference,
    });
  });

  it('returns undefined for an unknown order', async () => {
    assert.equal(await findOrderForPayment(ctx, randomId()), undefined);
  });
});

describe('markOrderPaid', () => {
  it('moves a pending order to paid', async () => {
    const changed = await markOrderPaid(ctx, orderId, reference);

    const order = await findOrderForPayment(ctx, orderId);
    assert.equal(changed, true);
    assert.equal(order?.status, 'paid');
  });

  it('changes an order only once', async () => {
    await markOrderPaid(ctx, orderId, reference);

    assert.equal(await markOrderPaid(ctx, orderId, reference), false);
  });

  it('ignores another payment reference', async () => {
    const changed = await markOrderPaid(ctx, orderId, 'someone_elses_session');

    assert.equal(changed, false);
    assert.equal((await findOrderForPayment(ctx, orderId))?.status, 'pending_payment');
  });

  it('ignores a failed order', async () => {
    await markOrderPaymentFailed(ctx, orderId, reference);

    assert.equal(await markOrderPaid(ctx, orderId, reference), false);
    assert.equal((await findOrderForPayment(ctx, orderId))?.status, 'payment_failed');
  });

  it('sets paidAt', async () => {
    await markOrderPaid(ctx, orderId, reference);

    const row = await store.db
      .selectFrom('orders')
      .select('paid_at')
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    assert.match(row.paid_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('markOrderPaymentFailed', () => {
  it('releases the reserved stock once', async () => {
    assert.equal(await readStock(store.db, store.catalog.hat), 3);

    const first = await markOrderPaymentFailed(ctx, orderId, reference);
    const second = await markOrderPaymentFailed(ctx, orderId, reference);

    assert.equal(first, true);
    assert.equal(second, false);
    assert.equal(await readStock(store.db, store.catalog.hat), 5);
    assert.equal((await findOrderForPayment(ctx, orderId))?.status, 'payment_failed');
  });

  it('leaves a paid order and its stock alone', async () => {
    await markOrderPaid(ctx, orderId, reference);

    const changed = await markOrderPaymentFailed(ctx, orderId, reference);

    assert.equal(changed, false);
    assert.equal(await readStock(store.db, store.catalog.hat), 3);
    assert.equal((await findOrderForPayment(ctx, orderId))?.status, 'paid');
  });

  it('ignores another payment reference', async () => {
    const changed = await markOrderPaymentFailed(ctx, orderId, 'someone_elses_session');

    assert.equal(changed, false);
    assert.equal(await readStock(store.db, store.catalog.hat), 3);
  });

  it('returns false for an unknown order', async () => {
    assert.equal(await markOrderPaymentFailed(ctx, randomId(), reference), false);
  });

  it('joins the caller transaction', async () => {
    const rollback = new Error('roll back');

    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        assert.equal(await markOrderPaymentFailed({ ...ctx, db: trx }, orderId, reference), true);
        throw rollback;
      }),
      rollback,
    );

    assert.equal((await findOrderForPayment(ctx, orderId))?.status, 'pending_payment');
    assert.equal(await readStock(store.db, store.catalog.hat), 3);
  });
});
