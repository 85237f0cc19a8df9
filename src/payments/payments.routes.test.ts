import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';

import {
  type CatalogFixture,
  readStock,
  seedCatalogFixture,
} from '../../test/support/catalog-fixture.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import {
  securityEvents,
  snapshotStore,
  validCheckout,
  Visitor,
} from '../../test/support/store-api.js';
import { captureLogs } from '../../test/support/log-capture.js';
import type { Database } from '../db/schema.js';
import { endUnpaidOrder } from '../orders/order.service.js';
import { randomId } from '../server/ids.js';
import type { PaymentSession, PaymentSessionRequest } from './gateway.js';
import { SandboxGateway } from './sandbox/client.js';
import { signatureHeaderValue } from './sandbox/signature.js';

/**
 * The real sandbox client for webhook verification, with sessions opened locally instead of
 * over HTTP: these tests are about the shop's webhook route, not the gateway.
 */
class LocalSessionSandbox extends SandboxGateway {
  override async createSession(_request: PaymentSessionRequest): Promise<PaymentSession> {
    const reference = randomId();
    return { reference, url: `${this.origin}/pay/${reference}` };
  }
}

const webhookUrl = '/api/payments/webhooks/sandbox';

describe('payment webhook route', () => {
  let shop: TestShop;
  let app: FastifyInstance;
  let db: Kysely<Database>;
  let catalog: CatalogFixture;
  let secret: string;

  const logs = captureLogs();

  before(async () => {
    shop = await startTestShop({
      env: { LOG_LEVEL: 'warn' },
      logStream: logs.stream,
      payments: (config, deps) =>
        new LocalSessionSandbox({
          gatewayUrl: config.gatewayUrl,
          publicUrl: config.publicUrl,
          secret: deps.secrets.sandboxGatewaySecret,
        }),
    });
    app = shop.app;
    db = shop.db.kysely;
    catalog = await seedCatalogFixture(db);
    secret = shop.deps.secrets.sandboxGatewaySecret;
  });
  after(() => shop.close());

  beforeEach(async () => {
    await db
      .updateTable('variants')
      .set({ inventory_quantity: 5 })
      .where('id', '=', catalog.hat)
      .execute();
  });

  /** Places an order for two hats and returns it with its payment reference. */
  async function placeOrder() {
    const visitor = new Visitor(app);
    const cartId = await visitor.cartWith(catalog.hat, 2);
    const response = await visitor.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );
    assert.equal(response.statusCode, 201, response.body);
    const orderId = response.json<{ orderId: string }>().orderId;
    const order = await orderRow(orderId);
    return {
      id: orderId,
      reference: order.payment_reference ?? '',
      total: order.total_minor,
      currency: order.currency,
    };
  }

  async function orderRow(orderId: string) {
    return db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
  }

  function eventFor(
    order: { id: string; reference: string; total: number; currency: string },
    type = 'payment.succeeded',
    overrides: Record<string, unknown> = {},
  ) {
    return {
      id: randomId(),
      type,
      data: {
        sessionId: order.reference,
        orderId: order.id,
        amount: order.total,
        currency: order.currency,
        ...overrides,
      },
    };
  }

  function send(
    event: unknown,
    options: {
      key?: string;
      timestamp?: number;
      headers?: Record<string, string>;
      url?: string;
    } = {},
  ) {
    const body = JSON.stringify(event);
    const signature = signatureHeaderValue(
      options.key ?? secret,
      Buffer.from(body),
      options.timestamp,
    );
    return app.inject({
      method: 'POST',
      url: options.url ?? webhookUrl,
      headers: {
        'content-type': 'application/json',
        'storefort-signature': signature,
        ...options.headers,
      },
      payload: body,
    });
  }

  async function paymentEvents() {
    return db.selectFrom('payment_events').selectAll().orderBy('received_at').execute();
  }

  it('marks the order paid on a valid payment.succeeded', async () => {
    const order = await placeOrder();
    const event = eventFor(order);

    const response = await send(event);

    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { received: true });
    const row = await orderRow(order.id);
    assert.equal(row.status, 'paid');
    assert.ok(row.paid_at);
    const stored = (await paymentEvents()).find((entry) => entry.event_id === event.id);
    assert.equal(stored?.outcome, 'paid');
    assert.equal(stored?.provider, 'sandbox');
    assert.equal(stored?.order_id, order.id);
  });

  it('ignores a replayed event', async () => {
    const order = await placeOrder();
    const event = eventFor(order);
    await send(event);
    const before = await snapshotStore(db);
    const eventsBefore = await paymentEvents();

    const replay = await send(event);
    const resigned = await send(event, { timestamp: Math.floor(Date.now() / 1000) + 60 });

    assert.equal(replay.statusCode, 200);
    assert.equal(resigned.statusCode, 200);
    assert.deepEqual(await snapshotStore(db), before);
    assert.deepEqual(await paymentEvents(), eventsBefore);
  });

  it('does not pay an order twice with a second event', async () => {
    const order = await placeOrder();
    await send(eventFor(order));
    const paidAt = (await orderRow(order.id)).paid_at;

    const second = await send(eventFor(order));

    assert.equal(second.statusCode, 200);
    assert.equal((await orderRow(order.id)).paid_at, paidAt);
    assert.equal((await paymentEvents()).at(-1)?.outcome, 'unchanged');
  });

  it('marks the order failed and releases stock on payment.failed', async () => {
    const order = await placeOrder();
    assert.equal(await readStock(db, catalog.hat), 3);

    const response = await send(eventFor(order, 'payment.failed'));

    assert.equal(response.statusCode, 200);
    assert.equal((await orderRow(order.id)).status, 'payment_failed');
    assert.equal(await readStock(db, catalog.hat), 5);
  });

  for (const ended of ['payment_expired', 'cancelled'] as const) {
    it(`keeps a ${ended} order unpaid when its payment arrives`, async () => {
      const order = await placeOrder();
      await endUnpaidOrder(db, order.id, ended);
      const before = await snapshotStore(db);
      const event = eventFor(order);

      const response = await send(event);

      assert.equal(response.statusCode, 200);
      assert.deepEqual(await snapshotStore(db), before);
      const stored = (await paymentEvents()).find((entry) => entry.event_id === event.id);
      assert.equal(stored?.outcome, 'refund_required');
      const alarm = logs.entries().find((entry) => entry.orderId === order.id);
      assert.equal(alarm?.level, 50, 'logged at error level');
      assert.match(String(alarm?.msg), /refund/);
    });
  }

  it('logs a repeated success for a paid order as a warning', async () => {
    const order = await placeOrder();
    await send(eventFor(order));

    await send(eventFor(order));

    const entry = logs.entries().find((line) => line.orderId === order.id);
    assert.equal(entry?.level, 40);
    assert.equal((await paymentEvents()).at(-1)?.outcome, 'unchanged');
  });

  describe('rejects and records', () => {
    const rejectedCases: [
      string,
      (order: Awaited<ReturnType<typeof placeOrder>>) => Promise<unknown>,
      string,
    ][] = [
      [
        'a forged signature',
        (order) => send(eventFor(order), { key: 'f'.repeat(43) }),
        'signature mismatch',
      ],
      [
        'a stale signature',
        (order) => send(eventFor(order), { timestamp: Math.floor(Date.now() / 1000) - 301 }),
        'signature timestamp outside tolerance',
      ],
      [
        'a future signature',
        (order) => send(eventFor(order), { timestamp: Math.floor(Date.now() / 1000) + 301 }),
        'signature timestamp outside tolerance',
      ],
      [
        'a missing signature',
        (order) => send(eventFor(order), { headers: { 'storefort-signature': '' } }),
        'signature header malformed',
      ],
      [
        'a mismatched amount',
        (order) => send(eventFor(order, 'payment.succeeded', { amount: 1 })),
        'amount does not match the order total',
      ],
      [
        'a mismatched currency',
        (order) => send(eventFor(order, 'payment.succeeded', { currency: 'EUR' })),
        'currency does not match the order',
      ],
      [
        'another payment reference',
        (order) => send(eventFor(order, 'payment.succeeded', { sessionId: randomId() })),
        'payment reference does not match the order',
      ],
      [
        'an unknown order',
        (order) => send(eventFor(order, 'payment.succeeded', { orderId: randomId() })),
        'order not found',
      ],
      [
        'a failure for another reference',
        (order) => send(eventFor(order, 'payment.failed', { sessionId: randomId() })),
        'payment reference does not match the order',
      ],
    ];

    for (const [name, attack, reason] of rejectedCases) {
      it(name, async () => {
        const order = await placeOrder();
        const before = await snapshotStore(db);
        const eventsBefore = await paymentEvents();
        const recordedBefore = (await securityEvents(db, 'webhook_rejected')).length;

        const response = (await attack(order)) as { statusCode: number; json(): { code: string } };

        assert.equal(response.statusCode, 400);
        assert.equal(response.json().code, 'BAD_WEBHOOK');
        assert.deepEqual(await snapshotStore(db), before);
        assert.deepEqual(await paymentEvents(), eventsBefore);
        const recorded = await securityEvents(db, 'webhook_rejected');
        assert.equal(recorded.length, recordedBefore + 1);
        assert.equal(JSON.parse(recorded.at(-1)?.details ?? '{}').reason, reason);
      });
    }

    it('does not consume the id of a rejected event', async () => {
      const order = await placeOrder();
      const event = eventFor(order);

      await send(event, { key: 'f'.repeat(43) });
      const genuine = await send(event);

      assert.equal(genuine.statusCode, 200);
      assert.equal((await orderRow(order.id)).status, 'paid');
    });
  });

  it('returns 404 for another provider', async () => {
    const order = await placeOrder();
    const before = await snapshotStore(db);

    const response = await send(eventFor(order), { url: '/api/payments/webhooks/stripe' });

    assert.equal(response.statusCode, 404);
    assert.deepEqual(await snapshotStore(db), before);
  });

  it('accepts cross-site deliveries, whose signature proves the caller', async () => {
    const order = await placeOrder();

    const response = await send(eventFor(order), {
      headers: { origin: 'https://pay.example', 'sec-fetch-site': 'cross-site' },
    });

    assert.equal(response.statusCode, 200);
    assert.equal((await orderRow(order.id)).status, 'paid');
  });

  it('rejects bodies that are not JSON or larger than 64 KiB', async () => {
    const order = await placeOrder();
    const event = eventFor(order);
    const text = await app.inject({
      method: 'POST',
      url: webhookUrl,
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify(event),
    });
    const large = await send({ ...event, padding: 'x'.repeat(65 * 1024) });

    assert.equal(text.statusCode, 415);
    assert.equal(large.statusCode, 413);
    assert.equal((await orderRow(order.id)).status, 'pending_payment');
  });

  it('leaves JSON parsing of other routes as it was', async () => {
    const visitor = new Visitor(app);

    const cartId = await visitor.cartWith(catalog.hat, 1);

    assert.match(cartId, /^[A-Za-z0-9_-]+$/);
  });

  it('is listed in the API description under payments', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });

    const operation = response.json().paths['/api/payments/webhooks/{provider}']?.post;
    assert.deepEqual(operation?.tags, ['payments']);
  });
});
