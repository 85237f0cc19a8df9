import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { sriHash } from '../../integrity/assets.js';
import {
  formTokenOf,
  type GatewayFixture,
  sessionRequest,
  startGatewayFixture,
  submitCardForm,
} from '../../../test/support/payments.js';
import { checkSignature } from './signature.js';

describe('sandbox hosted payment page', () => {
  let fixture: GatewayFixture;

  before(async () => {
    fixture = await startGatewayFixture();
  });
  beforeEach(() => {
    fixture.receiver.received.length = 0;
    fixture.receiver.statuses.length = 0;
  });
  after(() => fixture.close());

  const shopRequest = () => sessionRequest(fixture.receiver.origin);
  const pageOf = (id: string) => fixture.gateway.inject({ method: 'GET', url: `/pay/${id}` });
  const webhookBodies = () =>
    fixture.receiver.received.map((hook) => JSON.parse(hook.rawBody.toString()));

  const submitCode = async (id: string, code: string, formToken?: string) => {
    const token = formToken ?? formTokenOf((await pageOf(id)).body);
    return fixture.gateway.inject({
      method: 'POST',
      url: `/pay/${id}/challenge`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ formToken: token, code }).toString(),
    });
  };

  it('shows an accessible card form with the amount and test cards', async () => {
    const session = await fixture.createSession();

    const response = await pageOf(session.id);

    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/html/);
    assert.match(response.body, /^<!doctype html><html lang="en">/);
    assert.match(response.body, /\$25\.99/);
    for (const field of ['cardNumber', 'expiry', 'cvc', 'name']) {
      assert.match(response.body, new RegExp(`<label for="${field}">`), field);
      assert.match(response.body, new RegExp(`<input id="${field}" name="${field}"`), field);
    }
    assert.match(response.body, /autocomplete="cc-number"/);
    assert.match(response.body, /4242 4242 4242 4242/);
    assert.match(response.body, new RegExp(`action="/pay/${session.id}"`));
    assert.ok(response.body.includes(`href="${shopRequest().cancelUrl}"`));
  });

  it('links a stylesheet whose integrity matches what is served', async () => {
    const session = await fixture.createSession();
    const page = await pageOf(session.id);
    const link = /<link rel="stylesheet" href="([^"]+)" integrity="([^"]+)"/.exec(page.body);
    assert.ok(link);
    assert.ok(link[1]);
    assert.ok(link[2]);

    const css = await fixture.gateway.inject({ method: 'GET', url: link[1] });

    assert.equal(css.statusCode, 200);
    assert.match(css.headers['content-type'] as string, /^text\/css/);
    assert.equal(sriHash(css.body), link[2]);
    assert.match(link[2], /^sha384-/);
  });

  it('sends a strict CSP and security headers on pages and errors', async () => {
    const session = await fixture.createSession();

    for (const url of [`/pay/${session.id}`, '/pay/unknownunknownunknown', '/nowhere']) {
      const response = await fixture.gateway.inject({ method: 'GET', url });
      const csp = response.headers['content-security-policy'] as string;

      assert.match(csp, /default-src 'none'/, url);
      assert.match(csp, /style-src 'self'(;|$)/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.match(csp, new RegExp(`form-action 'self' ${fixture.receiver.origin}(;|$)`), url);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|script-src/, url);
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'same-origin');
      assert.equal(response.headers['cache-control'], 'no-store');
    }
  });

  it('returns 404 for unknown sessions', async () => {
    const unknown = await pageOf('AAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await pageOf('not-a-session');

    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /does not exist or has expired/);
    assert.equal(malformed.statusCode, 400);
  });

  it('pays with 4242 and sends a signed webhook before redirecting', async () => {
    const session = await fixture.createSession();

    const response = await submitCardForm(fixture.gateway, session.id, {});

    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, shopRequest().successUrl);
    assert.equal(fixture.receiver.received.length, 1);
    const hook = fixture.receiver.received[0];
    assert.ok(hook);
    assert.equal(hook.headers['content-type'], 'application/json');
    const check = checkSignature(fixture.secret, hook.headers['storefort-signature'], hook.rawBody);
    assert.equal(check.ok, true);
    const event = JSON.parse(hook.rawBody.toString());
    assert.match(event.id, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(
      { type: event.type, data: event.data },
      {
        type: 'payment.succeeded',
        data: {
          sessionId: session.id,
          orderId: shopRequest().orderId,
          amount: 2599,
          currency: 'USD',
        },
      },
    );
  });

  it('never sends or logs card data', async () => {
    const session = await fixture.createSession();

    await submitCardForm(fixture.gateway, session.id, { cvc: '987', name: 'Grace Hopper' });

    const sent = fixture.receiver.received.map((hook) => hook.rawBody.toString()).join('');
    const logged = fixture.logs.text();
    for (const secret of ['4242424242424242', '4242 4242 4242 4242', 'Grace Hopper']) {
      assert.ok(!sent.includes(secret), `webhook contains ${secret}`);
      assert.ok(!logged.includes(secret), `log contains ${secret}`);
    }
    // A three-digit CVC could turn up inside any number, so check that no field is logged.
    for (const field of ['cvc', 'cardNumber', 'expiry']) {
      assert.ok(!sent.includes(field), `webhook contains ${field}`);
      assert.ok(!logged.includes(field), `log contains ${field}`);
    }
    assert.ok(logged.includes('webhook delivered'), 'the log is captured');
  });

  it('pays a session at most once', async () => {
    const session = await fixture.createSession();
    const page = await pageOf(session.id);
    const formToken = formTokenOf(page.body);

    await submitCardForm(fixture.gateway, session.id, { formToken });
    const again = await fixture.gateway.inject({
      method: 'POST',
      url: `/pay/${session.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        formToken,
        cardNumber: '4242424242424242',
        expiry: '12/40',
        cvc: '123',
        name: 'Ada',
      }).toString(),
    });

    assert.equal(again.statusCode, 303);
    assert.equal(again.headers.location, `/pay/${session.id}`);
    assert.equal(fixture.receiver.received.length, 1);
    assert.match((await pageOf(session.id)).body, /Payment complete/);
  });

  it('declines 4000 0000 0000 0002 and tells the shop', async () => {
    const session = await fixture.createSession();

    const response = await submitCardForm(fixture.gateway, session.id, {
      cardNumber: '4000 0000 0000 0002',
    });

    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/pay/${session.id}`);
    const page = await pageOf(session.id);
    assert.match(page.body, /Payment declined/);
    assert.ok(page.body.includes(`href="${shopRequest().cancelUrl}"`));
    assert.deepEqual(
      webhookBodies().map((event) => event.type),
      ['payment.failed'],
    );
  });

  it('keeps a declined session closed', async () => {
    const session = await fixture.createSession();
    const formToken = formTokenOf((await pageOf(session.id)).body);
    await submitCardForm(fixture.gateway, session.id, { cardNumber: '4000000000000002' });

    const retry = await fixture.gateway.inject({
      method: 'POST',
      url: `/pay/${session.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        formToken,
        cardNumber: '4242424242424242',
        expiry: '12/40',
        cvc: '123',
        name: 'Ada',
      }).toString(),
    });

    assert.equal(retry.headers.location, `/pay/${session.id}`);
    assert.deepEqual(
      webhookBodies().map((event) => event.type),
      ['payment.failed'],
    );
  });

  it('asks for a one-time code for 4000 0027 6000 3184 and accepts 123456', async () => {
    const session = await fixture.createSession();

    const first = await submitCardForm(fixture.gateway, session.id, {
      cardNumber: '4000 0027 6000 3184',
    });
    const challenge = await pageOf(session.id);
    const confirmed = await submitCode(session.id, '123456');

    assert.equal(first.statusCode, 303);
    assert.equal(fixture.receiver.received.length, 1);
    assert.match(challenge.body, /Confirm the payment/);
    assert.match(challenge.body, new RegExp(`action="/pay/${session.id}/challenge"`));
    assert.match(challenge.body, /autocomplete="one-time-code"/);
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, shopRequest().successUrl);
    assert.deepEqual(
      webhookBodies().map((event) => event.type),
      ['payment.succeeded'],
    );
  });

  it('declines a wrong one-time code', async () => {
    const session = await fixture.createSession();
    await submitCardForm(fixture.gateway, session.id, { cardNumber: '4000002760003184' });

    const response = await submitCode(session.id, '654321');

    assert.equal(response.headers.location, `/pay/${session.id}`);
    assert.match((await pageOf(session.id)).body, /Payment declined/);
    assert.deepEqual(
      webhookBodies().map((event) => event.type),
      ['payment.failed'],
    );
  });

  it('re-asks for a code that is not six digits', async () => {
    const session = await fixture.createSession();
    await submitCardForm(fixture.gateway, session.id, { cardNumber: '4000002760003184' });

    const response = await submitCode(session.id, '12ab');

    assert.equal(response.statusCode, 422);
    assert.match(response.body, /Enter the 6-digit code/);
    assert.equal(fixture.receiver.received.length, 0);
  });

  it('shows no error summary before a code is entered', async () => {
    const session = await fixture.createSession();
    await submitCardForm(fixture.gateway, session.id, { cardNumber: '4000002760003184' });

    const page = await pageOf(session.id);

    assert.match(page.body, /Confirm the payment/);
    assert.doesNotMatch(page.body, /undefined/);
    assert.doesNotMatch(page.body, /Please correct the following/);
    assert.doesNotMatch(page.body, /role="alert"/);
  });

  it('summarises a code error with its label', async () => {
    const session = await fixture.createSession();
    await submitCardForm(fixture.gateway, session.id, { cardNumber: '4000002760003184' });

    const response = await submitCode(session.id, '12ab');

    assert.match(response.body, /Please correct the following/);
    assert.match(response.body, /One-time code: Enter the 6-digit code\./);
    assert.doesNotMatch(response.body, /undefined/);
  });

  it('does not accept a code before the card step', async () => {
    const session = await fixture.createSession();

    const response = await submitCode(session.id, '123456');

    assert.equal(response.headers.location, `/pay/${session.id}`);
    assert.equal(fixture.receiver.received.length, 0);
  });

  it('shows field errors without echoing the card number', async () => {
    const session = await fixture.createSession();

    const response = await submitCardForm(fixture.gateway, session.id, {
      cardNumber: '4242 4242 4242 4241',
      expiry: '01/20',
      cvc: '12',
      name: 'Ada <b>Lovelace</b>',
    });

    assert.equal(response.statusCode, 422);
    assert.match(response.body, /role="alert"/);
    assert.match(response.body, /This card number is invalid/);
    assert.match(response.body, /This card has expired/);
    assert.match(response.body, /3 or 4 digit security code/);
    assert.match(
      response.body,
      /id="cardNumber"[^>]*aria-invalid="true" aria-describedby="cardNumber-error"/,
    );
    assert.ok(!response.body.includes('4242 4242 4242 4241'));
    assert.ok(!response.body.includes('<b>Lovelace'), 'the name is escaped');
    assert.match(response.body, /value="Ada &lt;b>Lovelace&lt;\/b>"/);
    assert.equal(fixture.receiver.received.length, 0);
  });

  it('rejects a submit without the form token', async () => {
    const session = await fixture.createSession();

    const wrong = await submitCardForm(fixture.gateway, session.id, { formToken: 'x'.repeat(43) });
    const empty = await submitCardForm(fixture.gateway, session.id, { formToken: '' });
    const otherSession = await fixture.createSession();
    const foreign = await submitCardForm(fixture.gateway, session.id, {
      formToken: formTokenOf((await pageOf(otherSession.id)).body),
    });

    for (const response of [wrong, empty, foreign]) {
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /could not be verified/);
    }
    assert.equal(fixture.receiver.received.length, 0);
    assert.match((await pageOf(session.id)).body, /name="cardNumber"/);
  });

  it('rejects a form with unknown fields', async () => {
    const session = await fixture.createSession();
    const formToken = formTokenOf((await pageOf(session.id)).body);

    const response = await fixture.gateway.inject({
      method: 'POST',
      url: `/pay/${session.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        formToken,
        cardNumber: '4242424242424242',
        expiry: '12/40',
        cvc: '123',
        name: 'Ada',
        amount: '1',
      }).toString(),
    });

    assert.equal(response.statusCode, 400);
    assert.equal(fixture.receiver.received.length, 0);
  });

  it('retries the webhook after a server error', async () => {
    fixture.receiver.statuses.push(500, 503);
    const session = await fixture.createSession();

    const response = await submitCardForm(fixture.gateway, session.id, {});

    assert.equal(response.headers.location, shopRequest().successUrl);
    assert.equal(fixture.receiver.received.length, 3);
    const ids = new Set(webhookBodies().map((event) => event.id));
    assert.equal(ids.size, 1, 'every attempt carries the same event id');
  });

  it('stops retrying after a rejection', async () => {
    fixture.receiver.statuses.push(400);
    const session = await fixture.createSession();

    const response = await submitCardForm(fixture.gateway, session.id, {});

    assert.equal(response.headers.location, `/pay/${session.id}`);
    assert.equal(fixture.receiver.received.length, 1);
    assert.match((await pageOf(session.id)).body, /has not confirmed it yet/);
  });
});

describe('sandbox session expiry', () => {
  let fixture: GatewayFixture;

  before(async () => {
    fixture = await startGatewayFixture();
  });
  after(() => fixture.close());

  // Sessions live 250 ms: long enough for the steps before the wait, short enough for a test.
  let expiresAtMs = 0;
  const expiringSoon = () => {
    expiresAtMs = Date.now() + 250;
    return { expiresAt: new Date(expiresAtMs).toISOString() };
  };
  const waitForExpiry = () =>
    new Promise((resolve) => setTimeout(resolve, expiresAtMs + 20 - Date.now()));

  it('forgets a session after its expiresAt', async () => {
    const session = await fixture.createSession(expiringSoon());
    await waitForExpiry();

    const response = await fixture.gateway.inject({ method: 'GET', url: `/pay/${session.id}` });

    assert.equal(response.statusCode, 404);
  });

  it('refuses to pay an expired session', async () => {
    const session = await fixture.createSession(expiringSoon());
    const page = await fixture.gateway.inject({ method: 'GET', url: `/pay/${session.id}` });
    await waitForExpiry();

    const response = await fixture.gateway.inject({
      method: 'POST',
      url: `/pay/${session.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        formToken: formTokenOf(page.body),
        cardNumber: '4242 4242 4242 4242',
        expiry: '12/40',
        cvc: '123',
        name: 'Ada',
      }).toString(),
    });

    assert.equal(page.statusCode, 200);
    assert.equal(response.statusCode, 404);
    assert.equal(fixture.receiver.received.length, 0, 'no webhook was sent');
  });

  it('refuses the one-time code of an expired session', async () => {
    const session = await fixture.createSession(expiringSoon());
    await submitCardForm(fixture.gateway, session.id, { cardNumber: '4000 0027 6000 3184' });
    const page = await fixture.gateway.inject({ method: 'GET', url: `/pay/${session.id}` });
    await waitForExpiry();

    const response = await fixture.gateway.inject({
      method: 'POST',
      url: `/pay/${session.id}/challenge`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        formToken: formTokenOf(page.body),
        code: '123456',
      }).toString(),
    });

    assert.match(page.body, /one-time code/i);
    assert.equal(response.statusCode, 404);
    assert.equal(fixture.receiver.received.length, 0, 'no webhook was sent');
  });
});

describe('sandbox hosted page of a cancelled session', () => {
  let fixture: GatewayFixture;

  before(async () => {
    fixture = await startGatewayFixture();
  });
  beforeEach(() => {
    fixture.receiver.received.length = 0;
  });
  after(() => fixture.close());

  const pageOf = (id: string) => fixture.gateway.inject({ method: 'GET', url: `/pay/${id}` });
  const postForm = (url: string, fields: Record<string, string>) =>
    fixture.gateway.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });

  function assertCancelledPage(body: string) {
    assert.match(body, /<h1>Payment cancelled<\/h1>/);
    assert.match(body, /This payment was cancelled/);
    assert.ok(body.includes(`href="${sessionRequest(fixture.receiver.origin).cancelUrl}"`));
    assert.doesNotMatch(body, /<form/);
  }

  it('shows that the payment was cancelled', async () => {
    const session = await fixture.createSession();
    await fixture.cancelSession(session.id);

    const page = await pageOf(session.id);

    assert.equal(page.statusCode, 200);
    assertCancelledPage(page.body);
  });

  it('refuses the card form posted from a page opened before', async () => {
    const session = await fixture.createSession();
    const formToken = formTokenOf((await pageOf(session.id)).body);
    await fixture.cancelSession(session.id);

    const response = await postForm(`/pay/${session.id}`, {
      formToken,
      cardNumber: '4242 4242 4242 4242',
      expiry: '12/40',
      cvc: '123',
      name: 'Ada',
    });

    assert.equal(response.statusCode, 409);
    assertCancelledPage(response.body);
    assert.equal(fixture.receiver.received.length, 0, 'no webhook was sent');
    assertCancelledPage((await pageOf(session.id)).body);
  });

  it('refuses the one-time code posted from a page opened before', async () => {
    const session = await fixture.createSession();
    await submitCardForm(fixture.gateway, session.id, { cardNumber: '4000 0027 6000 3184' });
    const challenge = await pageOf(session.id);
    await fixture.cancelSession(session.id);

    const response = await postForm(`/pay/${session.id}/challenge`, {
      formToken: formTokenOf(challenge.body),
      code: '123456',
    });

    assert.match(challenge.body, /Confirm the payment/);
    assert.equal(response.statusCode, 409);
    assertCancelledPage(response.body);
    assert.equal(fixture.receiver.received.length, 0, 'no webhook was sent');
  });

  it('refuses a card form without a valid token too', async () => {
    const session = await fixture.createSession();
    await fixture.cancelSession(session.id);

    const response = await postForm(`/pay/${session.id}`, {
      formToken: 'x'.repeat(43),
      cardNumber: '4242 4242 4242 4242',
      expiry: '12/40',
      cvc: '123',
      name: 'Ada',
    });

    assert.equal(response.statusCode, 409);
    assertCancelledPage(response.body);
    assert.equal(fixture.receiver.received.length, 0, 'no webhook was sent');
  });
});
