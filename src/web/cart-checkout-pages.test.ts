import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { setStock } from '../../test/support/catalog-fixture.js';
import {
  checkoutFields,
  type KettleShop,
  serviceContextOf,
  startKettleShop,
} from '../../test/support/kettle-shop.js';
import type { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import type { TestShop } from '../../test/support/shop.js';
import { snapshotStore } from '../../test/support/store-api.js';
import { attributeOf, Browser, headingsOf, tagsNamed } from '../../test/support/storefront.js';
import { markOrderPaid, markOrderPaymentFailed } from '../orders/order.service.js';
import type { ServiceContext } from '../server/context.js';

let shop: TestShop;
let payments: RecordingPaymentGateway;
let browser: Browser;
let variants: KettleShop['variants'];

before(async () => {
  ({ shop, payments, variants } = await startKettleShop());
});

beforeEach(() => {
  browser = new Browser(shop.app);
  payments.sessions.length = 0;
});

after(() => shop.close());

function serviceContext(): ServiceContext {
  return serviceContextOf(shop);
}

/** Returns the form actions of the cart page's line forms, in page order. */
function lineFormActions(html: string): string[] {
  return tagsNamed(html, 'form')
    .map((tag) => attributeOf(tag, 'action') ?? '')
    .filter((action) => action.startsWith('/cart/lines/'));
}

/** Checks out the browser's cart and returns the order page path from the success URL. */
async function placeOrder(): Promise<{ orderId: string; orderPath: string }> {
  await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
  const response = await browser.postForm('/checkout', checkoutFields);
  assert.equal(response.statusCode, 303, response.body);

  const session = payments.sessions.at(-1);
  assert.ok(session);
  const success = new URL(session.successUrl);
  return { orderId: session.orderId, orderPath: `${success.pathname}${success.search}` };
}

describe('cart page', () => {
  it('shows an empty cart to a new visitor', async () => {
    const response = await browser.get('/cart');

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(response.body), ['Your cart']);
    assert.match(response.body, /Your cart is empty/);
  });

  it('adds a line and redirects to the cart', async () => {
    const response = await browser.postForm('/cart/lines', {
      variantId: variants.kettle,
      quantity: '2',
    });
    const cart = await browser.get('/cart');

    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/cart');
    assert.ok(browser.cookie, 'no visitor cookie was set');
    assert.match(cart.body, /Copper Kettle/);
    assert.match(cart.body, /value="2"/);
    assert.match(cart.body, /<dt>Subtotal<\/dt><dd>\$60\.00<\/dd>/);
    assert.match(cart.body, /<span class="cart-link__count" aria-hidden="true">2<\/span>/);
  });

  it('updates the quantity of a line', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const [update] = lineFormActions((await browser.get('/cart')).body);
    assert.ok(update);

    const response = await browser.postForm(update, { action: 'update', quantity: '3' });
    const cart = await browser.get('/cart');

    assert.equal(response.statusCode, 303);
    assert.match(cart.body, /value="3"/);
    assert.match(cart.body, /<dt>Subtotal<\/dt><dd>\$90\.00<\/dd>/);
  });

  it('removes a line', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const [, remove] = lineFormActions((await browser.get('/cart')).body);
    assert.ok(remove);

    const response = await browser.postForm(remove, { action: 'remove' });
    const cart = await browser.get('/cart');

    assert.equal(response.statusCode, 303);
    assert.match(cart.body, /Your cart is empty/);
  });

  it('refuses to change another visitor’s line', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const [update] = lineFormActions((await browser.get('/cart')).body);
    assert.ok(update);
    const stranger = new Browser(shop.app);
    await stranger.postForm('/cart/lines', { variantId: variants.ebook, quantity: '1' });
    const before = await snapshotStore(shop.db.kysely);

    const response = await stranger.postForm(update, { action: 'update', quantity: '9' });

    assert.equal(response.statusCode, 404);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });

  it('flags a line the stock cannot cover', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '3' });
    await setStock(shop.db.kysely, variants.kettle, 2);

    try {
      const html = (await browser.get('/cart')).body;

      assert.match(html, /Not enough stock for this quantity/);
      assert.doesNotMatch(html, /href="\/checkout"/);
    } finally {
      await setStock(shop.db.kysely, variants.kettle, 10);
    }
  });

  it('rejects an update without a quantity', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const [update] = lineFormActions((await browser.get('/cart')).body);
    assert.ok(update);

    const response = await browser.postForm(update, { action: 'update' });

    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Enter a quantity/);
  });
});

describe('checkout page', () => {
  it('sends a visitor with an empty cart back to the cart', async () => {
    const response = await browser.get('/checkout');

    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/cart');
  });

  it('shows the form and server totals', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '2' });

    const response = await browser.get('/checkout');
    const html = response.body;

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(html), ['Checkout']);
    for (const name of ['email', 'name', 'line1', 'line2', 'city', 'region', 'postalCode']) {
      assert.match(html, new RegExp(`<label for="checkout-${name}">`), name);
    }
    assert.match(html, /<label for="checkout-country">Country<\/label>/);
    assert.match(html, /<option value="US">United States<\/option>/);
    assert.match(html, /<input type="radio" id="shipping-standard"[^>]* checked/);
    assert.match(html, /<dd>\$60\.00<\/dd>/);
    assert.match(html, /<dd id="summary-shipping">\$5\.00<\/dd>/);
    assert.match(html, /<dd id="summary-total">\$65\.00<\/dd>/);
  });

  it('charges no shipping for digital items', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.ebook, quantity: '1' });

    const html = (await browser.get('/checkout')).body;

    assert.match(html, /<dd id="summary-shipping">\$0\.00<\/dd>/);
    assert.match(html, /<dd id="summary-total">\$8\.00<\/dd>/);
  });

  it('redirects to the payment page with 303', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });

    const response = await browser.postForm('/checkout', checkoutFields);

    assert.equal(response.statusCode, 303);
    const session = payments.sessions[0];
    assert.ok(session);
    assert.match(String(response.headers.location), /^http:\/\/127\.0\.0\.1:9\/pay\//);
    assert.equal(session.amount.amount, 3500);
  });

  it('shows the form again on a rejected field', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const before = await snapshotStore(shop.db.kysely);

    const response = await browser.postForm('/checkout', { ...checkoutFields, postalCode: '#!' });

    assert.equal(response.statusCode, 400);
    assert.deepEqual(headingsOf(response.body), ['Checkout']);
    assert.match(response.body, /Postal code may contain only letters/);
    assert.match(response.body, /value="shopper@example\.com"/);
    assert.match(response.body, /id="checkout-postalCode"[^>]*aria-invalid="true"/);
    assert.equal(payments.sessions.length, 0);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });

  it('shows the form again on an empty field', async () => {
    await browser.postForm('/cart/lines', { variantId: variants.kettle, quantity: '1' });
    const before = await snapshotStore(shop.db.kysely);

    const response = await browser.postForm('/checkout', { ...checkoutFields, city: '' });

    assert.equal(response.statusCode, 400);
    assert.deepEqual(headingsOf(response.body), ['Checkout']);
    assert.match(response.body, /City is required\./);
    assert.match(response.body, /value="shopper@example\.com"/);
    assert.match(response.body, /id="checkout-city"[^>]*aria-invalid="true"/);
    assert.equal(payments.sessions.length, 0);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });
});

describe('order status page', () => {
  it('shows pending until the webhook confirms', async () => {
    const { orderPath } = await placeOrder();

    const response = await browser.get(orderPath);

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(response.body), ['Waiting for payment confirmation']);
    assert.match(response.body, /Check the status again/);
    assert.match(response.body, /Copper Kettle/);
    assert.match(response.body, /<dd>\$35\.00<\/dd>/);
    assert.match(response.body, /United States<\/address>/);
  });

  it('confirms a paid order', async () => {
    const { orderId, orderPath } = await placeOrder();
    await markOrderPaid(serviceContext(), orderId, `test_1_${orderId}`);

    const response = await browser.get(orderPath);

    assert.deepEqual(headingsOf(response.body), ['Thank you for your order']);
    assert.doesNotMatch(response.body, /Check the status again/);
  });

  it('reports a failed payment', async () => {
    const { orderId, orderPath } = await placeOrder();
    await markOrderPaymentFailed(serviceContext(), orderId, `test_1_${orderId}`);

    const response = await browser.get(orderPath);

    assert.deepEqual(headingsOf(response.body), ['Payment failed']);
  });

  it('needs the signed token in another browser', async () => {
    const { orderId, orderPath } = await placeOrder();
    const stranger = new Browser(shop.app);

    const withToken = await stranger.get(orderPath);
    const withoutToken = await stranger.get(`/orders/${orderId}`);
    const forgedToken = await stranger.get(`/orders/${orderId}?token=1.${'A'.repeat(43)}`);

    assert.equal(withToken.statusCode, 200);
    assert.equal(withoutToken.statusCode, 404);
    assert.equal(forgedToken.statusCode, 404);
    assert.doesNotMatch(withoutToken.body, /Copper Kettle|shopper@example\.com/);
  });

  it('shows the status on payment return', async () => {
    const { orderId, orderPath } = await placeOrder();
    const token = new URL(orderPath, 'http://shop.test').searchParams.get('token') ?? '';
    const query = new URLSearchParams({ order: orderId, token });

    const response = await new Browser(shop.app).get(`/payment/return?${query}`);

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(response.body), ['Waiting for payment confirmation']);
  });
});
