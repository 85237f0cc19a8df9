import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import {
  type GatewayFixture,
  sessionRequest,
  startGatewayFixture,
  submitCardForm,
} from '../../../test/support/payments.js';

describe('sandbox gateway API', () => {
  let fixture: GatewayFixture;
  let shop: string;

  before(async () => {
    fixture = await startGatewayFixture();
    shop = fixture.receiver.origin;
  });
  after(() => fixture.close());

  const post = (payload: unknown, authorization?: string) =>
    fixture.gateway.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: authorization === undefined ? {} : { authorization },
      payload: payload as Record<string, unknown>,
    });

  it('creates a session for an authenticated caller', async () => {
    const response = await post(sessionRequest(shop), `Bearer ${fixture.secret}`);

    assert.equal(response.statusCode, 201);
    const body = response.json<{ id: string; url: string }>();
    assert.match(body.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(body.url, `http://127.0.0.1:3001/pay/${body.id}`);
    assert.deepEqual(Object.keys(body).sort(), ['id', 'url']);
  });

  it('gives every session a different id', async () => {
    const first = await fixture.createSession();
    const second = await fixture.createSession();

    assert.notEqual(first.id, second.id);
  });

  it('rejects callers without the shared secret', async () => {
    const cases = [
      undefined,
      '',
      'Bearer',
      `Bearer ${fixture.secret}x`,
      `Bearer ${fixture.secret.slice(1)}`,
      `Basic ${fixture.secret}`,
      `bearer ${fixture.secret}`,
      `Bearer  ${fixture.secret}`,
      'Bearer wrong-secret',
    ];

    for (const authorization of cases) {
      const response = await post(sessionRequest(shop), authorization);

      assert.equal(response.statusCode, 401, String(authorization));
      assert.equal(response.headers['www-authenticate'], 'Bearer');
      assert.equal(response.json().error, 'unauthorised');
    }
  });

  it('checks the key before it validates the body', async () => {
    const response = await post({ nonsense: true }, 'Bearer wrong');

    assert.equal(response.statusCode, 401);
  });

  it('rejects invalid amounts', async () => {
    for (const amount of [0, -100, 12.5, '2599', null, 10_000_000_000_001]) {
      const response = await post({ ...sessionRequest(shop), amount }, `Bearer ${fixture.secret}`);

      assert.equal(response.statusCode, 400, `amount ${String(amount)}`);
      assert.equal(response.json().error, 'invalid_request');
    }
  });

  it('rejects an expiresAt outside the next 24 hours', async () => {
    const hour = 60 * 60_000;
    const cases = [
      new Date(Date.now() - 1000).toISOString(),
      new Date(Date.now() + 24 * hour + 60_000).toISOString(),
      'tomorrow',
      '2030-01-01',
      '',
    ];

    for (const expiresAt of cases) {
      const response = await post(
        { ...sessionRequest(shop), expiresAt },
        `Bearer ${fixture.secret}`,
      );

      assert.equal(response.statusCode, 400, expiresAt);
      assert.match(response.json().message, /expiresAt/, expiresAt);
    }
  });

  it('requires an expiresAt', async () => {
    const { expiresAt: _expiresAt, ...withoutExpiry } = sessionRequest(shop);

    const response = await post(withoutExpiry, `Bearer ${fixture.secret}`);

    assert.equal(response.statusCode, 400);
    assert.match(response.json().message, /expiresAt/);
  });

  it('rejects currencies that are not upper-case ISO codes', async () => {
    for (const currency of ['usd', 'US', 'USDX', '', 'U$D']) {
      const response = await post(
        { ...sessionRequest(shop), currency },
        `Bearer ${fixture.secret}`,
      );

      assert.equal(response.statusCode, 400, currency);
    }
  });

  it('rejects URLs outside the shop origin', async () => {
    const port = new URL(shop).port;
    const badUrls = [
      'javascript:alert(1)',
      'https://evil.example/cart',
      `http://127.0.0.1:${port}/cart`,
      `http://localhost:${Number(port) + 1}/cart`,
      `https://localhost:${port}/cart`,
      `ftp://localhost:${port}/cart`,
      `http://user:pass@localhost:${port}/cart`,
      '/cart',
      'not a url',
    ];

    for (const field of ['successUrl', 'cancelUrl', 'webhookUrl']) {
      for (const url of badUrls) {
        const payload = { ...sessionRequest(shop), [field]: url };
        const response = await post(payload, `Bearer ${fixture.secret}`);

        assert.equal(response.statusCode, 400, `${field} ${url}`);
        assert.match(response.json().message, new RegExp(field));
      }
    }
  });

  it('rejects unknown and missing fields', async () => {
    const extra = await post(
      { ...sessionRequest(shop), cardNumber: '4242' },
      `Bearer ${fixture.secret}`,
    );
    const { description: _description, ...missing } = sessionRequest(shop);
    const incomplete = await post(missing, `Bearer ${fixture.secret}`);

    assert.equal(extra.statusCode, 400);
    assert.match(extra.json().message, /cardNumber/);
    assert.equal(incomplete.statusCode, 400);
  });

  it('rejects order ids with characters outside base64url', async () => {
    for (const orderId of ['', 'a b', '<script>', 'x'.repeat(101)]) {
      const response = await post({ ...sessionRequest(shop), orderId }, `Bearer ${fixture.secret}`);

      assert.equal(response.statusCode, 400, orderId);
    }
  });

  it('accepts JSON only', async () => {
    const response = await fixture.gateway.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: {
        authorization: `Bearer ${fixture.secret}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ ...sessionRequest(shop), amount: '2599' }).toString(),
    });

    assert.equal(response.statusCode, 415);
  });
});

describe('sandbox gateway session cancel', () => {
  let fixture: GatewayFixture;

  before(async () => {
    fixture = await startGatewayFixture();
  });
  beforeEach(() => {
    fixture.receiver.received.length = 0;
    fixture.receiver.holdUntil = undefined;
  });
  after(() => fixture.close());

  const pageOf = (id: string) => fixture.gateway.inject({ method: 'GET', url: `/pay/${id}` });

  it('cancels an open session', async () => {
    const session = await fixture.createSession();

    const response = await fixture.cancelSession(session.id);

    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'cancelled' });
    const page = await pageOf(session.id);
    assert.match(page.body, /This payment was cancelled/);
    assert.doesNotMatch(page.body, /name="cardNumber"/);
  });

  it('cancels a session waiting for the one-time code', async () => {
    const session = await fixture.createSession();
    await submitCardForm(fixture.gateway, session.id, { cardNumber: '4000 0027 6000 3184' });

    const response = await fixture.cancelSession(session.id);

    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'cancelled' });
    assert.match((await pageOf(session.id)).body, /This payment was cancelled/);
  });

  it('answers a repeated cancel with 200', async () => {
    const session = await fixture.createSession();
    await fixture.cancelSession(session.id);

    const again = await fixture.cancelSession(session.id);

    assert.equal(again.statusCode, 200);
    assert.deepEqual(again.json(), { status: 'cancelled' });
  });

  it('answers 409 for paid and declined sessions', async () => {
    for (const cardNumber of ['4242 4242 4242 4242', '4000 0000 0000 0002']) {
      const session = await fixture.createSession();
      await submitCardForm(fixture.gateway, session.id, { cardNumber });
      const before = (await pageOf(session.id)).body;

      const response = await fixture.cancelSession(session.id);

      assert.equal(response.statusCode, 409, cardNumber);
      assert.deepEqual(response.json(), { status: 'already_completed' }, cardNumber);
      assert.equal((await pageOf(session.id)).body, before, cardNumber);
    }
  });

  it('answers 409 while the payment webhook is in flight', async () => {
    let release = () => {};
    fixture.receiver.holdUntil = new Promise((resolve) => (release = resolve));
    const session = await fixture.createSession();
    const paying = submitCardForm(fixture.gateway, session.id, {});
    await waitFor(() => fixture.receiver.received.length === 1);

    const response = await fixture.cancelSession(session.id);
    release();
    const paid = await paying;

    assert.equal(response.statusCode, 409);
    assert.deepEqual(response.json(), { status: 'already_completed' });
    assert.equal(paid.statusCode, 303);
    assert.equal(paid.headers.location, sessionRequest(fixture.receiver.origin).successUrl);
    assert.match((await pageOf(session.id)).body, /Payment complete/);
  });

  it('answers 404 for an unknown session', async () => {
    const response = await fixture.cancelSession('A'.repeat(22));

    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error, 'not_found');
  });

  it('answers 404 for an expired session', async () => {
    const expiresAt = Date.now() + 250;
    const session = await fixture.createSession({ expiresAt: new Date(expiresAt).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, expiresAt + 20 - Date.now()));

    const response = await fixture.cancelSession(session.id);

    assert.equal(response.statusCode, 404);
  });

  it('rejects a malformed session id', async () => {
    for (const id of ['short', 'A'.repeat(23), `${'A'.repeat(21)}%3C`]) {
      const response = await fixture.cancelSession(id);

      assert.equal(response.statusCode, 400, id);
    }
  });

  it('rejects callers without the shared secret and keeps the session open', async () => {
    const session = await fixture.createSession();
    const cases = [
      '',
      'Bearer',
      `Bearer ${fixture.secret}x`,
      `Basic ${fixture.secret}`,
      'Bearer wrong-secret',
    ];

    for (const authorization of cases) {
      const response = await fixture.cancelSession(session.id, authorization);

      assert.equal(response.statusCode, 401, authorization);
      assert.equal(response.headers['www-authenticate'], 'Bearer');
      assert.equal(response.json().error, 'unauthorised');
    }
    const unauthenticated = await fixture.gateway.inject({
      method: 'POST',
      url: `/v1/sessions/${session.id}/cancel`,
    });
    assert.equal(unauthenticated.statusCode, 401);
    assert.match((await pageOf(session.id)).body, /name="cardNumber"/);
  });

  it('rejects a body with fields and keeps the session open', async () => {
    const session = await fixture.createSession();

    const response = await fixture.gateway.inject({
      method: 'POST',
      url: `/v1/sessions/${session.id}/cancel`,
      headers: { authorization: `Bearer ${fixture.secret}` },
      payload: { state: 'cancelled' },
    });

    assert.equal(response.statusCode, 400);
    assert.match(response.json().message, /state/);
    assert.match((await pageOf(session.id)).body, /name="cardNumber"/);
  });
});

/** Polls `condition` every 5 ms until it holds; fails after two seconds. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('the condition did not hold within two seconds');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
