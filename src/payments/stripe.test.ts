import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import Stripe from 'stripe';

import { freePort } from '../../test/support/payments.js';
import { AppError } from '../server/errors.js';
import { WebhookVerificationError } from './gateway.js';
import { StripeGateway, stripeExpiresAt } from './stripe.js';

const webhookSecret = 'whsec_test_secret_for_storefort_tests';
const signer = new Stripe('sk_test_unused');
const gateway = new StripeGateway({ secretKey: 'sk_test_unused', webhookSecret });

const now = () => Math.floor(Date.now() / 1000);

function checkoutEvent(type: string, session: Record<string, unknown> = {}) {
  return {
    id: 'evt_test_1',
    object: 'event',
    type,
    created: now(),
    data: {
      object: {
        id: 'cs_test_abc',
        object: 'checkout.session',
        client_reference_id: 'order_1',
        metadata: { orderId: 'order_1' },
        amount_total: 2599,
        currency: 'usd',
        payment_status: 'paid',
        ...session,
      },
    },
  };
}

function signed(event: unknown, options: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  const header = signer.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? webhookSecret,
    timestamp: options.timestamp ?? now(),
  });
  return { raw: Buffer.from(payload), headers: { 'stripe-signature': header } };
}

function rejection(raw: Buffer, headers: Record<string, string | string[] | undefined>): string {
  try {
    gateway.verifyWebhook(raw, headers);
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError, String(error));
    return error.message;
  }
  assert.fail('the webhook was accepted');
}

describe('Stripe webhook verification', () => {
  it('turns a paid checkout.session.completed into payment.succeeded', () => {
    const { raw, headers } = signed(checkoutEvent('checkout.session.completed'));

    assert.deepEqual(gateway.verifyWebhook(raw, headers), {
      eventId: 'evt_test_1',
      type: 'payment.succeeded',
      orderId: 'order_1',
      reference: 'cs_test_abc',
      amount: { amount: 2599, currency: 'USD' },
    });
  });

  it('treats async success like completion', () => {
    const { raw, headers } = signed(checkoutEvent('checkout.session.async_payment_succeeded'));

    assert.equal(gateway.verifyWebhook(raw, headers).type, 'payment.succeeded');
  });

  it('turns failed and expired sessions into payment.failed', () => {
    for (const type of ['checkout.session.async_payment_failed', 'checkout.session.expired']) {
      const event = checkoutEvent(type, { payment_status: 'unpaid' });
      const { raw, headers } = signed(event);

      const result = gateway.verifyWebhook(raw, headers);

      assert.equal(result.type, 'payment.failed', type);
      assert.equal(result.type === 'payment.failed' && result.reference, 'cs_test_abc');
    }
  });

  it('ignores an unpaid completion and other event types', () => {
    const unpaid = signed(
      checkoutEvent('checkout.session.completed', { payment_status: 'unpaid' }),
    );
    const other = signed({ ...checkoutEvent('payment_intent.succeeded'), id: 'evt_other' });

    assert.deepEqual(gateway.verifyWebhook(unpaid.raw, unpaid.headers), {
      eventId: 'evt_test_1',
      type: 'ignored',
      providerType: 'checkout.session.completed',
    });
    assert.deepEqual(gateway.verifyWebhook(other.raw, other.headers), {
      eventId: 'evt_other',
      type: 'ignored',
      providerType: 'payment_intent.succeeded',
    });
  });

  it('falls back to metadata and ignores sessions without an order', () => {
    const viaMetadata = signed(
      checkoutEvent('checkout.session.completed', { client_reference_id: null }),
    );
    const foreign = signed(
      checkoutEvent('checkout.session.completed', { client_reference_id: null, metadata: {} }),
    );

    const fromMetadata = gateway.verifyWebhook(viaMetadata.raw, viaMetadata.headers);
    assert.equal(fromMetadata.type === 'payment.succeeded' && fromMetadata.orderId, 'order_1');
    assert.equal(gateway.verifyWebhook(foreign.raw, foreign.headers).type, 'ignored');
  });

  it('rejects a paid session without an amount', () => {
    const { raw, headers } = signed(
      checkoutEvent('checkout.session.completed', { amount_total: null }),
    );

    assert.match(rejection(raw, headers), /amount_total/);
  });

  it('rejects a body changed after signing', () => {
    const { headers } = signed(checkoutEvent('checkout.session.completed'));
    const tampered = Buffer.from(
      JSON.stringify(checkoutEvent('checkout.session.completed', { amount_total: 1 })),
    );

    assert.equal(rejection(tampered, headers), 'signature mismatch');
  });

  it('rejects a signature made with another secret', () => {
    const { raw, headers } = signed(checkoutEvent('checkout.session.completed'), {
      secret: 'whsec_someone_else',
    });

    assert.equal(rejection(raw, headers), 'signature mismatch');
  });

  it('rejects stale and future timestamps beyond five minutes', () => {
    const stale = signed(checkoutEvent('checkout.session.completed'), { timestamp: now() - 301 });
    const future = signed(checkoutEvent('checkout.session.completed'), { timestamp: now() + 301 });

    assert.equal(rejection(stale.raw, stale.headers), 'signature timestamp outside tolerance');
    assert.equal(rejection(future.raw, future.headers), 'signature timestamp outside tolerance');
  });

  it('accepts timestamps within five minutes either way', () => {
    for (const offset of [-290, 290]) {
      const { raw, headers } = signed(checkoutEvent('checkout.session.completed'), {
        timestamp: now() + offset,
      });

      assert.equal(gateway.verifyWebhook(raw, headers).type, 'payment.succeeded', String(offset));
    }
  });

  it('rejects missing, repeated and malformed headers', () => {
    const { raw, headers } = signed(checkoutEvent('checkout.session.completed'));
    const header = headers['stripe-signature'];

    assert.equal(rejection(raw, {}), 'signature header missing');
    assert.equal(
      rejection(raw, { 'stripe-signature': [header, header] }),
      'signature header repeated',
    );
    assert.equal(rejection(raw, { 'stripe-signature': 'garbage' }), 'signature header malformed');
    assert.equal(
      rejection(raw, { 'stripe-signature': `t=${now()},t=${now()},${header.split(',')[1]}` }),
      'signature header malformed',
    );
  });
});

describe('Stripe Checkout Session creation', () => {
  let stub: FastifyInstance;
  let port: number;
  const requests: { headers: Record<string, unknown>; body: Record<string, string> }[] = [];
  let reply: { status: number; body: Record<string, unknown> };

  before(async () => {
    stub = Fastify();
    await stub.register(formbody);
    stub.post('/v1/checkout/sessions', async (request, response) => {
      requests.push({
        headers: request.headers,
        body: { ...(request.body as Record<string, string>) },
      });
      return response.code(reply.status).send(reply.body);
    });
    await stub.listen({ host: '127.0.0.1', port: 0 });
    const address = stub.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => stub.close());

  const stripeGateway = () =>
    new StripeGateway({
      secretKey: 'sk_test_local_stub',
      webhookSecret,
      api: { host: '127.0.0.1', port, protocol: 'http' },
    });

  const request = {
    orderId: 'order_1',
    amount: { amount: 2599, currency: 'EUR' },
    description: 'Order at Storefort',
    successUrl: 'https://shop.example/orders/order_1?token=t',
    cancelUrl: 'https://shop.example/orders/order_1?token=t',
    expiresAt: new Date(Date.now() + 45 * 60_000),
  };

  it('sends one line with the order total and returns the session', async () => {
    requests.length = 0;
    reply = {
      status: 200,
      body: {
        id: 'cs_test_123',
        object: 'checkout.session',
        url: 'https://checkout.stripe.com/c/pay/cs_test_123',
      },
    };

    const session = await stripeGateway().createSession(request);

    assert.deepEqual(session, {
      reference: 'cs_test_123',
      url: 'https://checkout.stripe.com/c/pay/cs_test_123',
    });
    assert.equal(requests.length, 1);
    const sent = requests[0];
    assert.ok(sent);
    assert.equal(sent.headers.authorization, 'Bearer sk_test_local_stub');
    assert.equal(sent.headers['idempotency-key'], 'storefort-order-order_1');
    assert.deepEqual(sent.body, {
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '2599',
      'line_items[0][price_data][product_data][name]': 'Order at Storefort',
      client_reference_id: 'order_1',
      'metadata[orderId]': 'order_1',
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
      expires_at: String(Math.floor(request.expiresAt.getTime() / 1000)),
    });
  });

  it('fails with PAYMENT_PROVIDER_FAILED when Stripe rejects the request', async () => {
    reply = {
      status: 400,
      body: { error: { type: 'invalid_request_error', message: 'Invalid currency' } },
    };

    await assert.rejects(stripeGateway().createSession(request), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'PAYMENT_PROVIDER_FAILED');
      assert.doesNotMatch(error.detail, /Invalid currency/);
      return true;
    });
  });

  it('fails when the session has no URL', async () => {
    reply = { status: 200, body: { id: 'cs_test_456', object: 'checkout.session', url: null } };

    await assert.rejects(stripeGateway().createSession(request), AppError);
  });

  it('uses checkout.stripe.com as the form origin', () => {
    assert.equal(stripeGateway().origin, 'https://checkout.stripe.com');
    assert.equal(stripeGateway().name, 'stripe');
  });
});

describe('Stripe Checkout Session cancellation', () => {
  let stub: FastifyInstance;
  let port: number;
  const requests: { method: string; url: string; authorization: unknown }[] = [];
  let expireReply: { status: number; body: Record<string, unknown> };
  let retrieveReply: { status: number; body: Record<string, unknown> };

  before(async () => {
    stub = Fastify();
    await stub.register(formbody);
    const record = (request: { method: string; url: string; headers: Record<string, unknown> }) =>
      requests.push({
        method: request.method,
        url: request.url,
        authorization: request.headers.authorization,
      });
    // stripe-node 23 retries a 5xx response unless its stripe-should-retry header is false, and
    // those retries would only slow the tests.
    stub.post('/v1/checkout/sessions/:id/expire', async (request, response) => {
      record(request);
      return response
        .code(expireReply.status)
        .header('stripe-should-retry', 'false')
        .send(expireReply.body);
    });
    stub.get('/v1/checkout/sessions/:id', async (request, response) => {
      record(request);
      return response
        .code(retrieveReply.status)
        .header('stripe-should-retry', 'false')
        .send(retrieveReply.body);
    });
    await stub.listen({ host: '127.0.0.1', port: 0 });
    const address = stub.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  beforeEach(() => {
    requests.length = 0;
  });
  after(() => stub.close());

  const stripeGateway = (apiPort = port) =>
    new StripeGateway({
      secretKey: 'sk_test_local_stub',
      webhookSecret,
      api: { host: '127.0.0.1', port: apiPort, protocol: 'http' },
    });
  const session = (status: string) => ({
    status: 200,
    body: { id: 'cs_test_1', object: 'checkout.session', status },
  });
  const rejected = {
    status: 400,
    body: {
      error: {
        type: 'invalid_request_error',
        message: 'Only Checkout Sessions with a status in [open] can be expired.',
      },
    },
  };
  const failed = { status: 500, body: { error: { type: 'api_error', message: 'Stripe failed' } } };

  it('expires an open session', async () => {
    expireReply = session('expired');

    const outcome = await stripeGateway().cancelSession('cs_test_1');

    assert.equal(outcome, 'cancelled');
    assert.deepEqual(requests, [
      {
        method: 'POST',
        url: '/v1/checkout/sessions/cs_test_1/expire',
        authorization: 'Bearer sk_test_local_stub',
      },
    ]);
  });

  it('reports a completed session as already completed', async () => {
    expireReply = rejected;
    retrieveReply = session('complete');

    const outcome = await stripeGateway().cancelSession('cs_test_1');

    assert.equal(outcome, 'already_completed');
    assert.deepEqual(
      requests.map((request) => `${request.method} ${request.url}`),
      ['POST /v1/checkout/sessions/cs_test_1/expire', 'GET /v1/checkout/sessions/cs_test_1'],
    );
  });

  it('reports an expired session as cancelled', async () => {
    expireReply = rejected;
    retrieveReply = session('expired');

    assert.equal(await stripeGateway().cancelSession('cs_test_1'), 'cancelled');
  });

  it('reports an open session Stripe would not expire as unavailable', async () => {
    expireReply = rejected;
    retrieveReply = session('open');

    assert.equal(await stripeGateway().cancelSession('cs_test_1'), 'unavailable');
  });

  it('reports a failed read-back as unavailable', async () => {
    expireReply = rejected;
    retrieveReply = failed;

    assert.equal(await stripeGateway().cancelSession('cs_test_1'), 'unavailable');
  });

  it('reports a Stripe failure as unavailable without reading back', async () => {
    expireReply = failed;
    retrieveReply = session('expired');

    const outcome = await stripeGateway().cancelSession('cs_test_1');

    assert.equal(outcome, 'unavailable');
    assert.equal(requests.length, 1);
  });

  it('reports an expiry that left the session open as unavailable', async () => {
    expireReply = session('open');

    assert.equal(await stripeGateway().cancelSession('cs_test_1'), 'unavailable');
  });

  it('reports an unreachable Stripe as unavailable', async () => {
    const closedPort = await freePort();

    assert.equal(await stripeGateway(closedPort).cancelSession('cs_test_1'), 'unavailable');
  });
});

describe('stripeExpiresAt', () => {
  const now = Date.UTC(2030, 0, 1, 12, 0, 0);
  const nowSeconds = now / 1000;
  const minutes = (count: number) => new Date(now + count * 60_000);

  it('passes a deadline inside Stripe window unchanged', () => {
    assert.equal(stripeExpiresAt(minutes(90), now), nowSeconds + 90 * 60);
  });

  it('keeps a minute above the 30-minute minimum', () => {
    assert.equal(stripeExpiresAt(minutes(29.5), now), nowSeconds + 31 * 60);
  });

  it('keeps a minute below the 24-hour maximum', () => {
    assert.equal(stripeExpiresAt(minutes(24 * 60), now), nowSeconds + 24 * 60 * 60 - 60);
  });
});
