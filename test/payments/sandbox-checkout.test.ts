import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { signatureHeaderValue } from '../../src/payments/sandbox/signature.js';
import { type CatalogFixture, readStock } from '../support/catalog-fixture.js';
import {
  payOnHostedPage,
  type SandboxShop,
  Shopper,
  startSandboxShop,
  type WebhookRecorder,
} from '../support/sandbox-shop.js';
import type { TestShop } from '../support/shop.js';
import { securityEvents, snapshotStore } from '../support/store-api.js';

describe('sandbox checkout end to end', () => {
  let sandbox: SandboxShop;
  let shop: TestShop;
  let recorder: WebhookRecorder;
  let catalog: CatalogFixture;
  let shopOrigin: string;
  let gatewayOrigin: string;

  before(async () => {
    sandbox = await startSandboxShop();
    ({ shop, recorder, catalog, shopOrigin, gatewayOrigin } = sandbox);
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
  const postWebhook = (body: Buffer | string, signature: string) =>
    fetch(`${shopOrigin}/api/payments/webhooks/sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'storefort-signature': signature },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });

  it('pays an order through the hosted page and the webhook', async () => {
    const shopper = new Shopper(shopOrigin);
    const { orderId, paymentUrl } = await shopper.checkOut(catalog.hat, 2);
    assert.equal(new URL(paymentUrl).origin, gatewayOrigin);
    assert.equal(await orderStatus(orderId), 'pending_payment');

    const paid = await payOnHostedPage(paymentUrl, '4242 4242 4242 4242');

    assert.equal(paid.status, 303);
    const successUrl = new URL(paid.location);
    assert.equal(successUrl.origin, shopOrigin);
    assert.equal(successUrl.pathname, `/orders/${orderId}`);
    const token = successUrl.searchParams.get('token') ?? '';
    const order = await new Shopper(shopOrigin).call(
      'GET',
      `/api/store/orders/${orderId}?token=${encodeURIComponent(token)}`,
    );
    assert.equal(order.status, 200);
    assert.equal(order.json.status, 'paid');
    assert.equal(recorder.received.length, 1);
  });

  it('leaves a declined order unpaid and releases its stock', async () => {
    const stockBefore = await readStock(db(), catalog.hat);
    const { orderId, paymentUrl } = await new Shopper(shopOrigin).checkOut(catalog.hat, 1);
    assert.equal(await readStock(db(), catalog.hat), stockBefore - 1);

    const declined = await payOnHostedPage(paymentUrl, '4000 0000 0000 0002');
    const page = await fetch(new URL(declined.location, paymentUrl));

    assert.equal(declined.status, 303);
    assert.match(await page.text(), /Payment declined/);
    assert.equal(await orderStatus(orderId), 'payment_failed');
    assert.equal(await readStock(db(), catalog.hat), stockBefore);
  });

  describe('rejects forged webhooks and changes nothing', () => {
    /** Places a pending order and builds the genuine payment.succeeded event an attacker starts from. */
    async function pendingOrderEvent() {
      const { orderId, paymentUrl } = await new Shopper(shopOrigin).checkOut(catalog.poster, 1);
      const order = await db()
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow();
      const event = {
        id: `evt${Date.now()}${Math.random().toString(36).slice(2)}`,
        type: 'payment.succeeded',
        data: {
          sessionId: new URL(paymentUrl).pathname.split('/').at(-1) ?? '',
          orderId,
          amount: order.total_minor,
          currency: order.currency,
        },
      };
      return { orderId, event };
    }

    const secret = () => shop.deps.secrets.sandboxGatewaySecret;
    const otherKey = 'k'.repeat(43);
    const now = () => Math.floor(Date.now() / 1000);

    const attacks: [string, (event: Record<string, unknown>) => [string, string], string][] = [
      [
        'a body changed after signing',
        (event) => {
          const signature = signatureHeaderValue(secret(), Buffer.from(JSON.stringify(event)));
          const changed = JSON.stringify({ ...event, type: 'payment.succeeded', extra: 1 });
          return [changed, signature];
        },
        'signature mismatch',
      ],
      [
        'a body re-signed with another key',
        (event) => {
          const body = JSON.stringify(event);
          return [body, signatureHeaderValue(otherKey, Buffer.from(body))];
        },
        'signature mismatch',
      ],
      [
        'a stale signature',
        (event) => {
          const body = JSON.stringify(event);
          return [body, signatureHeaderValue(secret(), Buffer.from(body), now() - 400)];
        },
        'signature timestamp outside tolerance',
      ],
      [
        'a mismatched amount',
        (event) => {
          const data = event.data as Record<string, unknown>;
          const body = JSON.stringify({ ...event, data: { ...data, amount: 1 } });
          return [body, signatureHeaderValue(secret(), Buffer.from(body))];
        },
        'amount does not match the order total',
      ],
      [
        'a mismatched currency',
        (event) => {
          const data = event.data as Record<string, unknown>;
          const body = JSON.stringify({ ...event, data: { ...data, currency: 'EUR' } });
          return [body, signatureHeaderValue(secret(), Buffer.from(body))];
        },
        'currency does not match the order',
      ],
    ];

    for (const [name, forge, reason] of attacks) {
      it(name, async () => {
        const { orderId, event } = await pendingOrderEvent();
        const [body, signature] = forge(event);
        const before = await snapshotStore(db());
        const recordedBefore = (await securityEvents(db(), 'webhook_rejected')).length;

        const response = await postWebhook(body, signature);

        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { code: string }).code, 'BAD_WEBHOOK');
        assert.equal(await orderStatus(orderId), 'pending_payment');
        assert.deepEqual(await snapshotStore(db()), before);
        const recorded = await securityEvents(db(), 'webhook_rejected');
        assert.equal(recorded.length, recordedBefore + 1);
        assert.equal(JSON.parse(recorded.at(-1)?.details ?? '{}').reason, reason);
      });
    }
  });

  it('ignores a replayed genuine webhook', async () => {
    const { orderId, paymentUrl } = await new Shopper(shopOrigin).checkOut(catalog.giftCard, 1);
    await payOnHostedPage(paymentUrl, '4242424242424242');
    const genuine = recorder.received.at(-1);
    assert.ok(genuine);
    assert.equal(await orderStatus(orderId), 'paid');
    const before = await snapshotStore(db());
    const eventsBefore = await db().selectFrom('payment_events').selectAll().execute();

    const replay = await postWebhook(
      genuine.rawBody,
      String(genuine.headers['storefort-signature']),
    );

    assert.equal(replay.status, 200);
    assert.deepEqual(await snapshotStore(db()), before);
    assert.deepEqual(await db().selectFrom('payment_events').selectAll().execute(), eventsBefore);
  });
});
