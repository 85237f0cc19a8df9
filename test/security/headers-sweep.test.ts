import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';

import { assertSecurityHeaders } from '../support/security-headers.js';
import { type StoreTest, startStoreTest, Visitor } from '../support/store-api.js';

type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS';

// Storefront pages and addresses an attacker or a crawler tries, beside the Store API paths
// the OpenAPI document lists.
const extraPaths = [
  '/',
  '/products/wool-hat',
  '/products/wool-hat?variant=unknown',
  '/products/no-such-product',
  '/collections/type/hats',
  '/collections/tag/winter',
  '/search?q=hat',
  '/search?q=%3Cscript%3E',
  '/cart',
  '/cart/lines',
  '/checkout',
  '/orders/unknown?token=forged',
  '/payment/return?order=unknown&token=forged',
  '/healthz',
  '/api/openapi.json',
  '/csp-report',
  '/favicon.ico',
  '/robots.txt',
  '/.env',
  '/.git/config',
  '/assets/../package.json',
  '/assets/%2e%2e%2fpackage.json',
  '/admin',
  '/api/store/products/%E0%A4%A',
];

const methods: Method[] = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'];

let store: StoreTest;
const responses: { label: string; response: LightMyRequestResponse }[] = [];

before(async () => {
  store = await startStoreTest();
  const visitor = new Visitor(store.app);
  const cartId = await visitor.createCart();

  const apiPaths = Object.keys((store.app.swagger() as { paths?: object }).paths ?? {}).map(
    (path) =>
      path
        .replace('{handle}', 'wool-hat')
        .replace('{id}', cartId)
        .replace('{lineId}', 'unknown-line')
        .replace('{provider}', 'sandbox'),
  );
  const assetPaths = Object.values(store.shop.deps.assets).map((asset) => asset.url);

  for (const path of [...apiPaths, ...extraPaths, ...assetPaths]) {
    for (const method of methods) {
      const withBody = method === 'POST' || method === 'PATCH';
      const response = await store.app.inject({
        method,
        url: path,
        headers: withBody ? { 'content-type': 'application/json' } : {},
        payload: withBody ? '{}' : undefined,
      });
      responses.push({ label: `${method} ${path} → ${response.statusCode}`, response });
    }
  }
});

after(() => store.close());

describe('security headers across the shop', () => {
  it('sweeps enough routes and outcomes to mean something', () => {
    const statuses = new Set(responses.map(({ response }) => response.statusCode));
    const pages = responses.filter(({ response }) =>
      String(response.headers['content-type']).startsWith('text/html'),
    );

    assert.ok(responses.length >= 150, `only ${responses.length} responses`);
    for (const status of [200, 400, 404, 405]) {
      assert.ok(statuses.has(status), `no ${status} response in the sweep`);
    }
    assert.ok(pages.length > 0, 'no HTML page in the sweep');
  });

  it('never allows unsafe-inline or unsafe-eval', () => {
    for (const { label, response } of responses) {
      const policy = response.headers['content-security-policy'];

      assert.equal(typeof policy, 'string', `${label}: no Content-Security-Policy`);
      assert.doesNotMatch(String(policy), /'unsafe-inline'/, label);
      assert.doesNotMatch(String(policy), /'unsafe-eval'/, label);
    }
  });

  it('never sends X-Powered-By', () => {
    for (const { label, response } of responses) {
      assert.equal(response.headers['x-powered-by'], undefined, label);
    }
  });

  it('sends every security header on every response', () => {
    for (const { label, response } of responses) {
      assertSecurityHeaders(response.headers, label);
    }
  });
});
