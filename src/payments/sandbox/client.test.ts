import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import Fastify, { type FastifyInstance } from 'fastify';

import {
  type GatewayFixture,
  freePort,
  startGatewayFixture,
  submitCardForm,
} from '../../../test/support/payments.js';
import { AppError } from '../../server/errors.js';
import { WebhookVerificationError } from '../gateway.js';
import { SandboxGateway, sandboxWebhookPath } from './client.js';
import { signatureHeaderValue } from './signature.js';

const sessionRequest = (shopOrigin: string) => ({
  orderId: 'order_abcdefghijklmnop',
  amount: { amount: 1250, currency: 'EUR' },
  description: 'Order at Storefort',
  successUrl: `${shopOrigin}/orders/order_abcdefghijklmnop?token=t`,
  cancelUrl: `${shopOrigin}/cart`,
  expiresAt: new Date(Date.now() + 30 * 60_000),
});

async function listen(app: FastifyInstance): Promise<URL> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address);
  assert.ok(typeof address === 'object');
  return new URL(`http://127.0.0.1:${address.port}`);
}

function assertProviderFailed(error: unknown): true {
  assert.ok(error instanceof AppError);
  assert.equal(error.code, 'PAYMENT_PROVIDER_FAILED');
  assert.equal(error.status, 502);
  return true;
}

describe('sandbox client createSession', () => {
  let fixture: GatewayFixture;
  let gatewayUrl: URL;

  before(async () => {
    fixture = await startGatewayFixture({ listen: true });
    gatewayUrl = fixture.config.gatewayUrl;
  });
  after(() => fixture.close());

  const client = (overrides: { secret?: string; gatewayUrl?: URL; timeoutMs?: number } = {}) =>
    new SandboxGateway({
      gatewayUrl: overrides.gatewayUrl ?? gatewayUrl,
      publicUrl: new URL(fixture.receiver.origin),
      secret: overrides.secret ?? fixture.secret,
      timeoutMs: overrides.timeoutMs,
    });

  it('opens a session whose webhooks go to the shop endpoint', async () => {
    const session = await client().createSession(sessionRequest(fixture.receiver.origin));
    await submitCardForm(fixture.gateway, session.reference, {});

    assert.match(session.reference, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(session.url, `${gatewayUrl.origin}/pay/${session.reference}`);
    assert.equal(fixture.receiver.received.length, 1);
    assert.equal(fixture.receiver.received[0]?.url, sandboxWebhookPath);
    assert.equal(sandboxWebhookPath, '/api/payments/webhooks/sandbox');
    const event = JSON.parse(fixture.receiver.received[0]?.rawBody.toString() ?? '{}');
    assert.deepEqual(event.data, {
      sessionId: session.reference,
      orderId: 'order_abcdefghijklmnop',
      amount: 1250,
      currency: 'EUR',
    });
  });

  it('fails with PAYMENT_PROVIDER_FAILED on a wrong secret', async () => {
    const promise = client({ secret: 'x'.repeat(43) }).createSession(
      sessionRequest(fixture.receiver.origin),
    );

    await assert.rejects(promise, assertProviderFailed);
  });

  it('fails with PAYMENT_PROVIDER_FAILED when the gateway is unreachable', async () => {
    const closedPort = await freePort();
    const promise = client({ gatewayUrl: new URL(`http://127.0.0.1:${closedPort}`) }).createSession(
      sessionRequest(fixture.receiver.origin),
    );

    await assert.rejects(promise, assertProviderFailed);
  });

  it('fails with PAYMENT_PROVIDER_FAILED when the gateway is slow', async () => {
    const slow = Fastify();
    slow.post('/v1/sessions', () => new Promise(() => {}));
    const slowUrl = await listen(slow);
    try {
      const started = Date.now();
      const promise = client({ gatewayUrl: slowUrl, timeoutMs: 100 }).createSession(
        sessionRequest(fixture.receiver.origin),
      );

      await assert.rejects(promise, assertProviderFailed);
      assert.ok(Date.now() - started < 5000);
    } finally {
      slow.server.closeAllConnections();
      await slow.close();
    }
  });

  it('rejects a payment URL on another origin', async () => {
    const stub = Fastify();
    stub.post('/v1/sessions', async (_request, reply) =>
      reply.code(201).send({ id: 'A'.repeat(22), url: 'https://evil.example/pay/x' }),
    );
    const stubUrl = await listen(stub);
    try {
      const promise = client({ gatewayUrl: stubUrl }).createSession(
        sessionRequest(fixture.receiver.origin),
      );

      await assert.rejects(promise, assertProviderFailed);
    } finally {
      await stub.close();
    }
  });
});

describe('sandbox client verifyWebhook', () => {
  const secret = 'a-shared-secret-of-at-least-32-characters';
  const gateway = new SandboxGateway({
    gatewayUrl: new URL('http://127.0.0.1:3001'),
    publicUrl: new URL('http://localhost:3000'),
    secret,
  });
  const event = {
    id: 'evt_AAAAAAAAAAAAAAAAAAAA',
    type: 'payment.succeeded',
    data: { sessionId: 'S'.repeat(22), orderId: 'order_1', amount: 2599, currency: 'USD' },
  };
  const now = () => Math.floor(Date.now() / 1000);

  const signed = (body: unknown, key = secret, timestamp = now()) => {
    const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return { raw, headers: { 'storefort-signature': signatureHeaderValue(key, raw, timestamp) } };
  };

  const rejection = (raw: Buffer, headers: Record<string, string | string[] | undefined>) => {
    try {
      gateway.verifyWebhook(raw, headers);
    } catch (error) {
      assert.ok(error instanceof WebhookVerificationError);
      return error.message;
    }
    assert.fail('the webhook was accepted');
  };

  it('returns the verified event', () => {
    const { raw, headers } = signed(event);

    assert.deepEqual(gateway.verifyWebhook(raw, headers), {
      eventId: event.id,
      type: 'payment.succeeded',
      orderId: 'order_1',
      reference: 'S'.repeat(22),
      amount: { amount: 2599, currency: 'USD' },
    });
  });

  it('rejects a wrong secret and a changed body', () => {
    const wrongKey = signed(event, 'another-secret-that-the-shop-never-shared!');
    const original = signed(event);
    const changed = Buffer.from(JSON.stringify({ ...event, data: { ...event.data, amount: 1 } }));

    assert.equal(rejection(wrongKey.raw, wrongKey.headers), 'signature mismatch');
    assert.equal(rejection(changed, original.headers), 'signature mismatch');
  });

  it('rejects stale and future signatures', () => {
    const stale = signed(event, secret, now() - 301);
    const future = signed(event, secret, now() + 301);

    assert.equal(rejection(stale.raw, stale.headers), 'signature timestamp outside tolerance');
    assert.equal(rejection(future.raw, future.headers), 'signature timestamp outside tolerance');
  });

  it('rejects a missing or malformed header', () => {
    const raw = Buffer.from(JSON.stringify(event));

    assert.equal(rejection(raw, {}), 'signature header missing');
    assert.equal(
      rejection(raw, { 'storefort-signature': 'garbage' }),
      'signature header malformed',
    );
  });

  it('rejects signed bodies of the wrong shape', () => {
    const bodies: unknown[] = [
      'not json',
      [],
      { ...event, type: 'payment.refunded' },
      { ...event, extra: true },
      { ...event, data: { ...event.data, amount: '2599' } },
      { ...event, data: { ...event.data, amount: 0 } },
      { ...event, data: { ...event.data, amount: 25.99 } },
      { ...event, data: { ...event.data, currency: 'usd' } },
      { ...event, data: { ...event.data, cardNumber: '4242424242424242' } },
      { id: event.id, type: event.type },
    ];

    for (const body of bodies) {
      const { raw, headers } = signed(body);

      assert.match(rejection(raw, headers), /body/, JSON.stringify(body));
    }
  });
});

describe('sandbox client cancelSession', () => {
  let fixture: GatewayFixture;

  before(async () => {
    fixture = await startGatewayFixture({ listen: true });
  });
  after(() => fixture.close());

  const client = (overrides: { secret?: string; gatewayUrl?: URL; timeoutMs?: number } = {}) =>
    new SandboxGateway({
      gatewayUrl: overrides.gatewayUrl ?? fixture.config.gatewayUrl,
      publicUrl: new URL(fixture.receiver.origin),
      secret: overrides.secret ?? fixture.secret,
      timeoutMs: overrides.timeoutMs,
    });
  const pageOf = (id: string) => fixture.gateway.inject({ method: 'GET', url: `/pay/${id}` });

  /** Starts a stand-in gateway whose cancel endpoint sends `status` and `body`. */
  async function stubGateway(status: number, body: string, contentType = 'application/json') {
    const stub = Fastify();
    const requests: { headers: Record<string, unknown>; url: string }[] = [];
    stub.post('/v1/sessions/:id/cancel', async (request, reply) => {
      requests.push({ headers: request.headers, url: request.url });
      return reply.code(status).type(contentType).send(body);
    });
    return { url: await listen(stub), requests, close: () => stub.close() };
  }

  it('cancels an open session, and again when repeated', async () => {
    const session = await client().createSession(sessionRequest(fixture.receiver.origin));

    const first = await client().cancelSession(session.reference);
    const second = await client().cancelSession(session.reference);

    assert.equal(first, 'cancelled');
    assert.equal(second, 'cancelled');
    assert.match((await pageOf(session.reference)).body, /This payment was cancelled/);
  });

  it('reports a paid session as already completed', async () => {
    const session = await client().createSession(sessionRequest(fixture.receiver.origin));
    await submitCardForm(fixture.gateway, session.reference, {});

    assert.equal(await client().cancelSession(session.reference), 'already_completed');
  });

  it('reports an unknown session as unavailable', async () => {
    assert.equal(await client().cancelSession('A'.repeat(22)), 'unavailable');
  });

  it('reports a wrong secret as unavailable and leaves the session open', async () => {
    const session = await client().createSession(sessionRequest(fixture.receiver.origin));

    const outcome = await client({ secret: 'x'.repeat(43) }).cancelSession(session.reference);

    assert.equal(outcome, 'unavailable');
    assert.match((await pageOf(session.reference)).body, /name="cardNumber"/);
  });

  it('reports an unreachable gateway as unavailable', async () => {
    const closedPort = await freePort();
    const gatewayUrl = new URL(`http://127.0.0.1:${closedPort}`);

    assert.equal(await client({ gatewayUrl }).cancelSession('A'.repeat(22)), 'unavailable');
  });

  it('reports a slow gateway as unavailable after the timeout', async () => {
    const slow = Fastify();
    slow.post('/v1/sessions/:id/cancel', () => new Promise(() => {}));
    const slowUrl = await listen(slow);
    try {
      const started = Date.now();

      const outcome = await client({ gatewayUrl: slowUrl, timeoutMs: 100 }).cancelSession(
        'A'.repeat(22),
      );

      assert.equal(outcome, 'unavailable');
      assert.ok(Date.now() - started < 5000);
    } finally {
      slow.server.closeAllConnections();
      await slow.close();
    }
  });

  it('sends the secret and no body to the session path', async () => {
    const stub = await stubGateway(200, '{"status":"cancelled"}');
    try {
      const outcome = await client({ gatewayUrl: stub.url }).cancelSession('session_1-A');

      assert.equal(outcome, 'cancelled');
      assert.equal(stub.requests.length, 1);
      assert.equal(stub.requests[0]?.url, '/v1/sessions/session_1-A/cancel');
      assert.equal(stub.requests[0]?.headers.authorization, `Bearer ${fixture.secret}`);
      assert.equal(stub.requests[0]?.headers['content-type'], undefined);
    } finally {
      await stub.close();
    }
  });

  it('reports replies it does not expect as unavailable', async () => {
    const replies: [number, string, string?][] = [
      [200, '{"status":"already_completed"}'],
      [409, '{"status":"cancelled"}'],
      [200, '{"status":"ok"}'],
      [200, '<html>cancelled</html>', 'text/html'],
      [202, '{"status":"cancelled"}'],
      [404, '{"error":"not_found","message":"No session has this id."}'],
      [500, '{"status":"cancelled"}'],
      [503, 'unavailable', 'text/plain'],
    ];

    for (const [status, body, contentType] of replies) {
      const stub = await stubGateway(status, body, contentType);
      try {
        const outcome = await client({ gatewayUrl: stub.url }).cancelSession('A'.repeat(22));

        assert.equal(outcome, 'unavailable', `${status} ${body}`);
      } finally {
        await stub.close();
      }
    }
  });
});
