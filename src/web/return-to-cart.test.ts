import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { readStock, setStock } from '../../test/support/catalog-fixture.js';
import {
  checkoutFields,
  type KettleShop,
  serviceContextOf,
  startKettleShop,
} from '../../test/support/kettle-shop.js';
import type { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import { securityEvents, snapshotStore } from '../../test/support/store-api.js';
import {
  attributeOf,
  Browser,
  headingsOf,
  importProducts,
  productRow,
  tagsNamed,
} from '../../test/support/storefront.js';
import { endUnpaidOrder, markOrderPaid } from '../orders/order.service.js';
import type { ServiceContext } from '../server/context.js';

let shop: TestShop;
let payments: RecordingPaymentGateway;
let browser: Browser;
let variants: KettleShop['variants'];

before(async () => {
  ({ shop, payments, variants } = await startKettleShop());
});

beforeEach(async () => {
  payments.cancellations.length = 0;
  payments.cancelOutcome = 'cancelled';
  browser = new Browser(shop.app);
  await setStock(shop.db.kysely, variants.kettle, 10);
  await setPrice(variants.kettle, 3000);
  await shop.db.kysely.updateTable('products').set({ status: 'active' }).execute();
});

after(() => shop.close());

function serviceContext(): ServiceContext {
  return serviceContextOf(shop);
}

async function setPrice(variantId: string, priceMinor: number) {
  await shop.db.kysely
    .updateTable('variants')
    .set({ price_minor: priceMinor })
    .where('id', '=', variantId)
    .execute();
}

/** Puts 2 kettles and an e-book in the browser's cart and checks out; returns the order. */
async function placeOrder(as: Browser = browser) {
  await as.postForm('/cart/lines', { variantId: variants.kettle, quantity: '2' });
  await as.postForm('/cart/lines', { variantId: variants.ebook, quantity: '1' });
  const response = await as.postForm('/checkout', checkoutFields);
  assert.equal(response.statusCode, 303, response.body);

  const session = payments.sessions.at(-1);
  assert.ok(session);
  const success = new URL(session.successUrl);
  return {
    orderId: session.orderId,
    reference: `test_${payments.sessions.length}_${session.orderId}`,
    orderPath: `${success.pathname}${success.search}`,
    token: success.searchParams.get('token') ?? '',
    cancelUrl: session.cancelUrl,
  };
}

function returnToCart(orderId: string, fields: Record<string, string> = {}, as = browser) {
  return as.postForm(`/orders/${orderId}/return-to-cart`, fields);
}

async function orderStatus(orderId: string) {
  const row = await shop.db.kysely
    .selectFrom('orders')
    .select('status')
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  return row.status;
}

/** Returns the quantities of the visitor's open cart page, by product title. */
async function cartContents(as: Browser = browser) {
  const html = (await as.get('/cart')).body;
  return {
    html,
    kettle: /Copper Kettle/.test(html),
    ebook: /Tea E-book/.test(html),
  };
}

function returnForm(html: string) {
  return tagsNamed(html, 'form').find((tag) => /return-to-cart/.test(tag));
}

describe('order page of a pending order', () => {
  it('is where the gateway sends a shopper who cancels', async () => {
    const order = await placeOrder();

    assert.equal(order.cancelUrl, `http://localhost:3000${order.orderPath}`);
  });

  it('says the payment is being confirmed and when the order is released', async () => {
    const order = await placeOrder();

    const response = await browser.get(order.orderPath);

    assert.deepEqual(headingsOf(response.body), ['Waiting for payment confirmation']);
    assert.doesNotMatch(response.body, /do not need to pay again/);
    assert.match(response.body, /confirming your payment/);
    assert.match(response.body, /payment page closes 30 minutes after you placed the order/);
  });

  it('offers a return-to-cart form carrying the link token', async () => {
    const order = await placeOrder();

    const response = await browser.get(order.orderPath);

    const form = returnForm(response.body);
    assert.ok(form, 'no return-to-cart form');
    assert.equal(attributeOf(form, 'method'), 'post');
    assert.equal(attributeOf(form, 'action'), `/orders/${order.orderId}/return-to-cart`);
    assert.ok(response.body.includes(`name="token" value="${order.token}"`));
    assert.match(response.body, /Cancel and return to cart/);
  });
});

describe('return to cart', () => {
  it('cancels a pending order and refills the cart at current prices', async () => {
    const order = await placeOrder();
    assert.equal(await readStock(shop.db.kysely, variants.kettle), 8);
    assert.equal((await cartContents()).kettle, false, 'checkout closed the cart');
    await setPrice(variants.kettle, 3200);

    const response = await returnToCart(order.orderId, { token: order.token });

    assert.equal(response.statusCode, 303, response.body);
    assert.equal(response.headers.location, '/cart');
    assert.deepEqual(payments.cancellations, [order.reference]);
    assert.equal(await orderStatus(order.orderId), 'cancelled');
    assert.equal(await readStock(shop.db.kysely, variants.kettle), 10);
    const cart = await cartContents();
    assert.equal(cart.kettle, true);
    assert.equal(cart.ebook, true);
    assert.match(cart.html, /value="2"/);
    assert.match(cart.html, /\$32\.00/);
  });

  it('works for the owner without a token', async () => {
    const order = await placeOrder();

    const response = await returnToCart(order.orderId);

    assert.equal(response.statusCode, 303, response.body);
    assert.equal(await orderStatus(order.orderId), 'cancelled');
  });

  it('releases stock once when sent twice', async () => {
    const order = await placeOrder();

    await returnToCart(order.orderId);
    const second = await returnToCart(order.orderId);

    assert.equal(second.statusCode, 303);
    assert.equal(await orderStatus(order.orderId), 'cancelled');
    assert.equal(await readStock(shop.db.kysely, variants.kettle), 10);
  });

  it('skips items no longer sold', async () => {
    const order = await placeOrder();
    await shop.db.kysely
      .updateTable('products')
      .set({ status: 'archived' })
      .where('handle', '=', 'ebook')
      .execute();

    await returnToCart(order.orderId);

    const cart = await cartContents();
    assert.equal(cart.kettle, true);
    assert.equal(cart.ebook, false);
  });

  it('cuts a quantity to the stock left', async () => {
    const order = await placeOrder();
    await markOrderFailed(order);
    await setStock(shop.db.kysely, variants.kettle, 1);

    await returnToCart(order.orderId);

    const cart = await cartContents();
    assert.match(cart.html, /value="1"/);
    assert.doesNotMatch(cart.html, /value="2"/);
  });

  it('refills the cart after a failed payment', async () => {
    const order = await placeOrder();
    await markOrderFailed(order);
    const page = await browser.get(order.orderPath);
    const stock = await readStock(shop.db.kysely, variants.kettle);

    const response = await returnToCart(order.orderId, { token: order.token });

    assert.ok(returnForm(page.body), 'the failed order offers the form');
    assert.equal(response.statusCode, 303);
    assert.deepEqual(payments.cancellations, [], 'a failed order has no session to cancel');
    assert.equal(await orderStatus(order.orderId), 'payment_failed');
    assert.equal(await readStock(shop.db.kysely, variants.kettle), stock);
    assert.equal((await cartContents()).kettle, true);
  });

  it('refills the cart after the order expired', async () => {
    const order = await placeOrder();
    await endUnpaidOrder(shop.db.kysely, order.orderId, 'payment_expired');

    const page = await browser.get(order.orderPath);
    const response = await returnToCart(order.orderId, { token: order.token });

    assert.deepEqual(headingsOf(page.body), ['Payment time ran out']);
    assert.match(page.body, /not paid within 30 minutes/);
    assert.ok(returnForm(page.body), 'the expired order offers the form');
    assert.equal(response.statusCode, 303);
    assert.equal((await cartContents()).kettle, true);
  });

  it('gives the cart to a token holder in another browser', async () => {
    const order = await placeOrder();
    const other = new Browser(shop.app);

    const response = await returnToCart(order.orderId, { token: order.token }, other);

    assert.equal(response.statusCode, 303, response.body);
    assert.ok(other.cookie, 'the other browser got a visitor cookie');
    assert.equal((await cartContents(other)).kettle, true);
  });

  it('shows a cancelled order as cancelled', async () => {
    const order = await placeOrder();
    await returnToCart(order.orderId);

    const page = await browser.get(order.orderPath);

    assert.deepEqual(headingsOf(page.body), ['Order cancelled']);
    assert.equal(returnForm(page.body), undefined);
  });
});

describe('return to cart attacks', () => {
  it('rejects a stranger without a token', async () => {
    const order = await placeOrder();
    const before = await snapshotStore(shop.db.kysely);
    const denied = (await securityEvents(shop.db.kysely, 'object_access_denied')).length;

    const response = await returnToCart(order.orderId, {}, new Browser(shop.app));

    assert.equal(response.statusCode, 404);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
    const events = await securityEvents(shop.db.kysely, 'object_access_denied');
    assert.equal(events.length, denied + 1);
  });

  it('rejects a forged or foreign token', async () => {
    const order = await placeOrder();
    const other = await placeOrder(new Browser(shop.app));
    const before = await snapshotStore(shop.db.kysely);
    const stranger = new Browser(shop.app);

    const forged = await returnToCart(order.orderId, { token: `1.${'A'.repeat(43)}` }, stranger);
    const foreign = await returnToCart(order.orderId, { token: other.token }, stranger);

    assert.equal(forged.statusCode, 404);
    assert.equal(foreign.statusCode, 404);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });

  it('rejects a cross-site form post', async () => {
    const order = await placeOrder();
    const before = await snapshotStore(shop.db.kysely);

    const response = await shop.app.inject({
      method: 'POST',
      url: `/orders/${order.orderId}/return-to-cart`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
        cookie: `__Host-cart=${browser.cookie}`,
      },
      payload: new URLSearchParams({ token: order.token }).toString(),
    });

    assert.equal(response.statusCode, 403);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });

  it('refuses a paid order', async () => {
    const order = await placeOrder();
    await markOrderPaid(serviceContext(), order.orderId, order.reference);
    const before = await snapshotStore(shop.db.kysely);

    const response = await returnToCart(order.orderId, { token: order.token });

    assert.equal(response.statusCode, 409);
    assert.match(response.body, /already been paid/);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
    assert.deepEqual(payments.cancellations, [], 'no payment session was cancelled');
  });

  it('refuses while the payment is being completed', async () => {
    const order = await placeOrder();
    payments.cancelOutcome = 'already_completed';
    const before = await snapshotStore(shop.db.kysely);

    const response = await returnToCart(order.orderId, { token: order.token });

    assert.equal(response.statusCode, 409);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /Refresh the order page in a moment/);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
    assert.equal(await orderStatus(order.orderId), 'pending_payment');
  });

  it('rejects unknown form fields', async () => {
    const order = await placeOrder();
    const before = await snapshotStore(shop.db.kysely);

    const response = await returnToCart(order.orderId, { price: '1' });

    assert.equal(response.statusCode, 400);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });
});

describe('return to cart over the cart limit', () => {
  let limited: TestShop;

  before(async () => {
    limited = await startTestShop({
      payments: () => payments,
      rateLimits: { cartCreation: { limit: 1, windowMs: 60_000 } },
    });
    await importProducts(limited.db.kysely, [
      productRow('kettle', { 'Variant SKU': 'KETTLE', 'Variant Price': '30.00' }),
    ]);
  });
  after(() => limited.close());

  it('leaves the order pending', async () => {
    const shopper = new Browser(limited.app);
    const [variant] = await limited.db.kysely.selectFrom('variants').select('id').execute();
    await shopper.postForm('/cart/lines', { variantId: variant?.id ?? '', quantity: '1' });
    await shopper.postForm('/checkout', checkoutFields);
    const orderId = payments.sessions.at(-1)?.orderId ?? '';
    const before = await snapshotStore(limited.db.kysely);

    const response = await shopper.postForm(`/orders/${orderId}/return-to-cart`, {});

    assert.equal(response.statusCode, 429);
    assert.ok(Number(response.headers['retry-after']) >= 1);
    assert.deepEqual(await snapshotStore(limited.db.kysely), before);
    assert.deepEqual(payments.cancellations, [], 'the payment session stays open');
  });
});

async function markOrderFailed(order: { orderId: string; reference: string }) {
  await endUnpaidOrder(shop.db.kysely, order.orderId, 'payment_failed', order.reference);
}
