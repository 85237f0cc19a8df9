import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { type CatalogFixture, readStock } from '../support/catalog-fixture.js';
import { formTokenOf, futureExpiry } from '../support/payments.js';
import {
  payOnHostedPage,
  type SandboxShop,
  Shopper,
  startSandboxShop,
  type WebhookRecorder,
} from '../support/sandbox-shop.js';
import type { TestShop } from '../support/shop.js';
import { snapshotStore } from '../support/store-api.js';

// The shop and the sandbox gateway run on real sockets. Returning an order to the cart must
// cancel its payment session first, so the payment page the shopper left open cannot be paid.
describe('return to cart with the sandbox gateway', () => {
  let sandbox: SandboxShop;
  let shop: TestShop;
  let recorder: WebhookRecorder;
  let catalog: CatalogFixture;
  let shopOrigin: string;

  before(async () => {
    sandbox = await startSandboxShop();
    ({ shop, recorder, catalog, shopOrigin } = sandbox);
  });
  afterEach(() => {
    recorder.holdWebhooks = false;
  });
  after(() => sandbox.close());

  const db = () => shop.db.kysely;
  const orderStatus = async (orderId: string) =>
    (
      await db()
        .selectFrom('orders')
        .select('status')
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow()
    ).status;
  const paymentEvents = () => db().selectFrom('payment_events').selectAll().execute();
  const returnToCart = (shopper: Shopper, orderId: string) =>
    shopper.call('POST', `/api/store/orders/${orderId}/return-to-cart`);

  /** Posts a form of the hosted page, as a browser tab opened before would. */
  const postForm = (url: string, fields: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const cardFields = (formToken: string) => ({
    formToken,
    cardNumber: '4242 4242 4242 4242',
    expiry: futureExpiry(),
    cvc: '123',
    name: 'Ada Shopper',
  });

  it('refuses to pay the old payment page after the return', async () => {
    const shopper = new Shopper(shopOrigin);
    const { orderId, paymentUrl } = await shopper.checkOut(catalog.hat, 1);
    const formToken = formTokenOf(await (await fetch(paymentUrl)).text());

    const returned = await returnToCart(shopper, orderId);
    const before = await snapshotStore(db());
    const eventsBefore = await paymentEvents();
    const webhooksBefore = recorder.received.length;
    const page = await fetch(paymentUrl);
    const pageHtml = await page.text();
    const paid = await postForm(paymentUrl, cardFields(formToken));
    const paidHtml = await paid.text();

    assert.equal(returned.status, 201, JSON.stringify(returned.json));
    assert.equal(page.status, 200);
    assert.match(pageHtml, /This payment was cancelled/);
    assert.doesNotMatch(pageHtml, /name="cardNumber"/);
    assert.equal(paid.status, 409);
    assert.match(paidHtml, /This payment was cancelled/);
    assert.equal(await orderStatus(orderId), 'cancelled');
    assert.equal(recorder.received.length, webhooksBefore, 'no webhook reached the shop');
    assert.deepEqual(await paymentEvents(), eventsBefore);
    assert.deepEqual(await snapshotStore(db()), before);
  });

  it('refuses the one-time code of the old payment page after the return', async () => {
    const shopper = new Shopper(shopOrigin);
    const { orderId, paymentUrl } = await shopper.checkOut(catalog.hat, 1);
    const challenged = await payOnHostedPage(paymentUrl, '4000 0027 6000 3184');
    const challengePage = await (await fetch(new URL(challenged.location, paymentUrl))).text();

    const returned = await returnToCart(shopper, orderId);
    const before = await snapshotStore(db());
    const webhooksBefore = recorder.received.length;
    const confirmed = await postForm(`${paymentUrl}/challenge`, {
      formToken: formTokenOf(challengePage),
      code: '123456',
    });

    assert.match(challengePage, /Confirm the payment/);
    assert.equal(returned.status, 201, JSON.stringify(returned.json));
    assert.equal(confirmed.status, 409);
    assert.match(await confirmed.text(), /This payment was cancelled/);
    assert.equal(await orderStatus(orderId), 'cancelled');
    assert.equal(recorder.received.length, webhooksBefore, 'no webhook reached the shop');
    assert.deepEqual(await snapshotStore(db()), before);
  });

  it('refuses to return an order paid first', async () => {
    const shopper = new Shopper(shopOrigin);
    const { orderId, paymentUrl } = await shopper.checkOut(catalog.hat, 1);
    const paid = await payOnHostedPage(paymentUrl, '4242 4242 4242 4242');
    const before = await snapshotStore(db());

    const returned = await returnToCart(shopper, orderId);

    assert.equal(paid.status, 303);
    assert.equal(returned.status, 409);
    assert.equal(returned.json.code, 'ORDER_PAID');
    assert.equal(await orderStatus(orderId), 'paid');
    assert.deepEqual(await snapshotStore(db()), before);
  });

  it('refuses to return an order whose payment webhook is in flight', async () => {
    const shopper = new Shopper(shopOrigin);
    const { orderId, paymentUrl } = await shopper.checkOut(catalog.hat, 1);
    const stock = await readStock(db(), catalog.hat);
    const carts = await db().selectFrom('carts').select('id').execute();
    recorder.holdWebhooks = true;
    const paying = payOnHostedPage(paymentUrl, '4242 4242 4242 4242');
    await waitFor(() => recorder.failedWhileHeld > 0);

    const returned = await returnToCart(shopper, orderId);
    const statusDuringPayment = await orderStatus(orderId);
    recorder.holdWebhooks = false;
    const paid = await paying;

    assert.equal(returned.status, 409);
    assert.equal(returned.json.code, 'PAYMENT_IN_PROGRESS');
    assert.equal(statusDuringPayment, 'pending_payment');
    assert.equal(paid.status, 303);
    assert.equal(new URL(paid.location).pathname, `/orders/${orderId}`);
    assert.equal(await orderStatus(orderId), 'paid');
    assert.equal(await readStock(db(), catalog.hat), stock, 'the paid order keeps its stock');
    assert.deepEqual(await db().selectFrom('carts').select('id').execute(), carts);
  });
});

/** Polls `condition` every 10 ms until it holds; fails after five seconds. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('the condition did not hold within five seconds');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
