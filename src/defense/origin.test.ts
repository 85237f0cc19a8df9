import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import { bodyLimitBytes } from '../server/app.js';

const shopOrigin = 'http://localhost:3000';

let shop: TestShop;
let handlerCalls = 0;

before(async () => {
  shop = await startTestShop({
    env: { PUBLIC_URL: shopOrigin },
    payments: () => new RecordingPaymentGateway(),
    beforeReady: (app) => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] as const) {
        app.route({
          method,
          url: '/test/change',
          handler: async () => {
            handlerCalls += 1;
            return { changed: true };
          },
        });
      }
      app.post('/test/signed-hook', { config: { crossSite: true } }, async () => {
        handlerCalls += 1;
        return { received: true };
      });
    },
  });
});

after(() => shop.close());

beforeEach(async () => {
  handlerCalls = 0;
  await shop.db.kysely.deleteFrom('security_events').execute();
});

function send(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET',
  headers: Record<string, string>,
) {
  return shop.app.inject({ method, url: '/test/change', headers, payload: undefined });
}

async function crossSiteEvents() {
  const rows = await shop.db.kysely
    .selectFrom('security_events')
    .selectAll()
    .where('kind', '=', 'cross_site_request')
    .execute();
  return rows.map((row) => ({
    ...row,
    details: JSON.parse(row.details) as Record<string, unknown>,
  }));
}

describe('cross-site check', () => {
  const refused: [string, Record<string, string>][] = [
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
    ['a foreign Origin', { origin: 'https://attacker.example' }],
    ['Origin null', { origin: 'null' }],
    ['a foreign Origin on another port', { origin: 'http://localhost:3001' }],
    ['cross-site with a matching Origin', { 'sec-fetch-site': 'cross-site', origin: shopOrigin }],
  ];

  for (const [label, headers] of refused) {
    it(`rejects a POST with ${label}`, async () => {
      const response = await send('POST', headers);

      assert.equal(response.statusCode, 403);
      assert.equal(response.json().code, 'CROSS_SITE_REQUEST');
      assert.equal(handlerCalls, 0);

      const events = await crossSiteEvents();
      assert.equal(events.length, 1);
      assert.equal(events[0]?.request_id, response.headers['x-request-id']);
      assert.deepEqual(events[0]?.details, {
        method: 'POST',
        path: '/test/change',
        origin: headers.origin ?? null,
        fetchSite: headers['sec-fetch-site'] ?? null,
      });
    });
  }

  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    it(`rejects a cross-site ${method}`, async () => {
      const response = await send(method, { 'sec-fetch-site': 'cross-site' });

      assert.equal(response.statusCode, 403);
      assert.equal(handlerCalls, 0);
      assert.equal((await crossSiteEvents()).length, 1);
    });
  }

  it('rejects before reading the body', async () => {
    const response = await shop.app.inject({
      method: 'POST',
      url: '/test/change',
      headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      payload: JSON.stringify({ filler: 'x'.repeat(bodyLimitBytes * 2) }),
    });

    assert.equal(response.statusCode, 403);
    assert.equal(handlerCalls, 0);
  });

  const accepted: [string, Record<string, string>][] = [
    ['Sec-Fetch-Site same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site none', { 'sec-fetch-site': 'none' }],
    ['the shop Origin', { origin: shopOrigin }],
    ['no Origin or Sec-Fetch-Site', {}],
  ];

  for (const [label, headers] of accepted) {
    it(`accepts a POST with ${label}`, async () => {
      const response = await send('POST', headers);

      assert.equal(response.statusCode, 200);
      assert.equal(handlerCalls, 1);
      assert.equal((await crossSiteEvents()).length, 0);
    });
  }

  it('lets a cross-site GET through', async () => {
    const response = await send('GET', { 'sec-fetch-site': 'cross-site' });

    assert.equal(response.statusCode, 200);
    assert.equal((await crossSiteEvents()).length, 0);
  });

  it('lets routes marked crossSite opt out', async () => {
    const response = await shop.app.inject({
      method: 'POST',
      url: '/test/signed-hook',
      headers: { 'sec-fetch-site': 'cross-site', origin: 'https://payments.example' },
    });

    assert.equal(response.statusCode, 200);
    assert.equal(handlerCalls, 1);
    assert.equal((await crossSiteEvents()).length, 0);
  });
});
