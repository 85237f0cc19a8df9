import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { seedCatalogFixture } from '../support/catalog-fixture.js';
import { RecordingPaymentGateway } from '../support/payment-double.js';
import { startTestShop, type TestShop } from '../support/shop.js';
import { validCheckout, Visitor } from '../support/store-api.js';

const cardNumber = '4242424242424242';
const bearerSecret = 'bearer-secret-value-0123456789';

const logLines: string[] = [];
const payments = new RecordingPaymentGateway();
let shop: TestShop;
let visitor: Visitor;
let orderToken: string;

// Runs a whole guest purchase, plus refused requests that carry personal data, with the shop
// logging at debug level into `logLines`.
before(async () => {
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  shop = await startTestShop({
    env: { LOG_LEVEL: 'debug' },
    payments: () => payments,
    logStream,
  });
  const catalog = await seedCatalogFixture(shop.db.kysely);
  visitor = new Visitor(shop.app);

  const cartId = await visitor.cartWith(catalog.hat, 1);
  const checkout = await visitor.request('POST', `/api/store/carts/${cartId}/checkout`, {
    ...validCheckout,
    cardNumber,
  });
  assert.equal(checkout.statusCode, 400, 'a checkout carrying a card number must be refused');

  const placed = await visitor.request(
    'POST',
    `/api/store/carts/${cartId}/checkout`,
    validCheckout,
  );
  assert.equal(placed.statusCode, 201, placed.body);
  const { orderId } = placed.json<{ orderId: string }>();
  const successUrl = new URL(payments.sessions.at(-1)?.successUrl ?? '');
  orderToken = successUrl.searchParams.get('token') ?? '';
  assert.ok(orderToken.length > 20, 'the payment request carried no order token');

  const byLink = await shop.app.inject({
    method: 'GET',
    url: `/api/store/orders/${orderId}?token=${orderToken}`,
    headers: { authorization: `Bearer ${bearerSecret}` },
  });
  assert.equal(byLink.statusCode, 200, byLink.body);
});

after(() => shop.close());

describe('log redaction', () => {
  it('captures the request log lines', () => {
    assert.ok(logLines.length > 5, `only ${logLines.length} log lines`);
    assert.ok(logLines.some((line) => line.includes('"requestId"')));
    assert.ok(logLines.some((line) => line.includes('"securityEvent":"request_tampering"')));
  });

  it('writes every line as JSON', () => {
    for (const line of logLines) assert.doesNotThrow(() => JSON.parse(line), line);
  });

  const secrets: [string, () => string][] = [
    ['the email address', () => validCheckout.email],
    ['the shopper name', () => validCheckout.shippingAddress.name],
    ['the street address', () => validCheckout.shippingAddress.line1],
    ['the card number', () => cardNumber],
    ['the order link token', () => orderToken],
    ['the visitor cookie', () => visitor.cookie ?? 'missing cookie'],
    ['the authorization header', () => bearerSecret],
  ];
  for (const [what, value] of secrets) {
    it(`keeps ${what} out of the log`, () => {
      const leaked = logLines.filter((line) => line.includes(value()));

      assert.deepEqual(leaked, []);
    });
  }
});
