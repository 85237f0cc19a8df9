import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { RecordingPaymentGateway } from '../support/payment-double.js';
import { startTestShop, type TestShop } from '../support/shop.js';

const oneCartAMinute = { cartCreation: { limit: 1, windowMs: 60_000 } };
const shops: TestShop[] = [];

async function shopWith(env: Record<string, string>): Promise<TestShop> {
  const shop = await startTestShop({
    env,
    payments: () => new RecordingPaymentGateway(),
    rateLimits: oneCartAMinute,
  });
  shops.push(shop);
  return shop;
}

/** Creates a cart as a request arriving from `peer` that names `forwardedFor` as the client. */
async function createCart(shop: TestShop, peer: string, forwardedFor: string): Promise<number> {
  const response = await shop.app.inject({
    method: 'POST',
    url: '/api/store/carts',
    remoteAddress: peer,
    headers: { 'x-forwarded-for': forwardedFor },
  });
  return response.statusCode;
}

after(async () => {
  for (const shop of shops) await shop.close();
});

describe('rate limits behind a proxy', () => {
  it('counts each client of a trusted proxy apart', async () => {
    const shop = await shopWith({ TRUST_PROXY: '10.0.0.0/8' });

    const first = await createCart(shop, '10.0.0.5', '198.51.100.1');
    const second = await createCart(shop, '10.0.0.5', '198.51.100.2');
    const repeat = await createCart(shop, '10.0.0.5', '198.51.100.1');

    assert.equal(first, 201);
    assert.equal(second, 201);
    assert.equal(repeat, 429);
  });

  it('ignores X-Forwarded-For from a peer it does not trust', async () => {
    const shop = await shopWith({ TRUST_PROXY: '10.0.0.0/8' });

    const first = await createCart(shop, '203.0.113.9', '198.51.100.1');
    const spoofed = await createCart(shop, '203.0.113.9', '198.51.100.2');

    assert.equal(first, 201);
    assert.equal(spoofed, 429);
  });

  it('trusts no proxy without TRUST_PROXY', async () => {
    const shop = await shopWith({});

    const first = await createCart(shop, '10.0.0.5', '198.51.100.1');
    const second = await createCart(shop, '10.0.0.5', '198.51.100.2');

    assert.equal(first, 201);
    assert.equal(second, 429);
  });
});
