import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import Fastify from 'fastify';
import { Type } from 'typebox';

import { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import { assertSecurityHeaders, parseCsp } from '../../test/support/security-headers.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import { type AssetManifest, registerAssetRoutes, sriHash } from './assets.js';
import {
  contentSecurityPolicy,
  type HeaderOptions,
  registerSecurityHeaders,
  securityHeaders,
} from './headers.js';

const options: HeaderOptions = {
  gatewayOrigin: 'https://pay.example',
  imageHosts: ['cdn.shopify.com', 'images.example'],
  https: false,
};

describe('contentSecurityPolicy', () => {
  it('allows only the shop itself by default', () => {
    const csp = parseCsp(contentSecurityPolicy(options));

    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), ["'self'"]);
    assert.deepEqual(csp.get('style-src'), ["'self'"]);
    assert.deepEqual(csp.get('connect-src'), ["'self'"]);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
  });

  it('lets forms post to the payment gateway', () => {
    const csp = parseCsp(contentSecurityPolicy(options));

    assert.deepEqual(csp.get('form-action'), ["'self'", 'https://pay.example']);
  });

  it('allows images from IMAGE_HOSTS over https only', () => {
    const csp = parseCsp(contentSecurityPolicy(options));

    assert.deepEqual(csp.get('img-src'), [
      "'self'",
      'https://cdn.shopify.com',
      'https://images.example',
    ]);
  });

  it('allows images from the shop alone without IMAGE_HOSTS', () => {
    const csp = parseCsp(contentSecurityPolicy({ ...options, imageHosts: [] }));

    assert.deepEqual(csp.get('img-src'), ["'self'"]);
  });

  it('sends violations to the report endpoint', () => {
    const csp = parseCsp(contentSecurityPolicy(options));

    assert.deepEqual(csp.get('report-uri'), ['/csp-report']);
  });

  it('names the Reporting API endpoint only over https', () => {
    const plain = parseCsp(contentSecurityPolicy(options));
    const tls = parseCsp(contentSecurityPolicy({ ...options, https: true }));

    assert.equal(plain.has('report-to'), false);
    assert.deepEqual(tls.get('report-to'), ['csp']);
    assert.equal(securityHeaders(options)['reporting-endpoints'], undefined);
    assert.equal(
      securityHeaders({ ...options, https: true })['reporting-endpoints'],
      'csp="/csp-report"',
    );
  });

  it('upgrades insecure requests only over https', () => {
    const plain = parseCsp(contentSecurityPolicy(options));
    const tls = parseCsp(contentSecurityPolicy({ ...options, https: true }));

    assert.equal(plain.has('upgrade-insecure-requests'), false);
    assert.equal(tls.has('upgrade-insecure-requests'), true);
  });

  it('never allows unsafe sources or wildcards', () => {
    for (const https of [false, true]) {
      const policy = contentSecurityPolicy({ ...options, https });

      assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval/);
      assert.doesNotMatch(policy, /(^|\s)\*|data:|blob:|http:/);
    }
  });
});

describe('securityHeaders', () => {
  it('sets the browser protections', () => {
    const headers = securityHeaders(options);

    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin');
    assert.equal(headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['content-security-policy'], contentSecurityPolicy(options));
  });

  it('turns off payment, camera, microphone and geolocation', () => {
    const policy = securityHeaders(options)['permissions-policy'] ?? '';

    for (const feature of ['payment', 'camera', 'microphone', 'geolocation']) {
      assert.ok(policy.split(', ').includes(`${feature}=()`), feature);
    }
  });

  it('sends HSTS only over https', () => {
    assert.equal(securityHeaders(options)['strict-transport-security'], undefined);
    assert.equal(
      securityHeaders({ ...options, https: true })['strict-transport-security'],
      'max-age=63072000; includeSubDomains',
    );
  });

  it('never names X-Powered-By', () => {
    assert.equal('x-powered-by' in securityHeaders(options), false);
  });
});

describe('security headers hook', () => {
  let shop: TestShop;

  before(async () => {
    shop = await startTestShop({
      payments: () => new RecordingPaymentGateway(),
      beforeReady: (app) => {
        app.get('/test/page', { config: { page: true, personal: true } }, async (_request, reply) =>
          reply.type('text/html; charset=utf-8').send('<!doctype html><title>t</title>'),
        );
        app.get('/test/cached', async (_request, reply) =>
          reply.header('cache-control', 'public, max-age=60').send({ ok: true }),
        );
        app.get('/test/personal-cached', { config: { personal: true } }, async (_request, reply) =>
          reply.header('cache-control', 'public, max-age=60').send({ ok: true }),
        );
        app.get('/test/fails-after-caching', async (_request, reply) => {
          reply.header('cache-control', 'public, max-age=60').header('x-powered-by', 'PHP/5');
          throw new Error('database unavailable');
        });
        app.get('/test/powered', async (_request, reply) =>
          reply.header('x-powered-by', 'Express').send({ ok: true }),
        );
        app.get('/test/redirect', async (_request, reply) => reply.redirect('/', 303));
        app.post(
          '/test/strict',
          { schema: { body: Type.Object({ a: Type.String() }, { additionalProperties: false }) } },
          async () => ({ ok: true }),
        );
      },
    });
  });

  after(() => shop.close());

  const cases: {
    label: string;
    method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
    url: string;
    status: number;
    headers?: Record<string, string>;
    payload?: string;
  }[] = [
    { label: 'JSON API', method: 'GET', url: '/healthz', status: 200 },
    { label: 'HEAD', method: 'HEAD', url: '/healthz', status: 200 },
    { label: 'HTML page', method: 'GET', url: '/test/page', status: 200 },
    { label: 'redirect', method: 'GET', url: '/test/redirect', status: 303 },
    { label: '404', method: 'GET', url: '/test/missing', status: 404 },
    { label: '405', method: 'DELETE', url: '/healthz', status: 405 },
    { label: '500', method: 'GET', url: '/test/fails-after-caching', status: 500 },
    { label: 'invalid percent-encoding', method: 'GET', url: '/assets/%E0%A4%A', status: 400 },
    {
      label: 'unknown field',
      method: 'POST',
      url: '/test/strict',
      status: 400,
      headers: { 'content-type': 'application/json' },
      payload: '{"a":"x","b":1}',
    },
    {
      label: 'cross-site POST',
      method: 'POST',
      url: '/test/strict',
      status: 403,
      headers: { 'sec-fetch-site': 'cross-site' },
    },
    {
      label: 'oversized body',
      method: 'POST',
      url: '/test/strict',
      status: 413,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(70_000) }),
    },
    {
      label: 'unsupported media type',
      method: 'POST',
      url: '/test/strict',
      status: 415,
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    },
  ];

  for (const entry of cases) {
    it(`covers the ${entry.label} response`, async () => {
      const response = await shop.app.inject({
        method: entry.method,
        url: entry.url,
        headers: entry.headers ?? {},
        payload: entry.payload,
      });

      assert.equal(response.statusCode, entry.status);
      assertSecurityHeaders(response.headers, entry.label);
      assert.equal(response.headers['strict-transport-security'], undefined, entry.label);
    });
  }

  it('covers a built asset', async () => {
    const asset = Object.values(shop.deps.assets)[0];
    assert.ok(asset, 'the asset manifest is empty; run npm run build');

    const response = await shop.app.inject({ method: 'GET', url: asset.url });

    assert.equal(response.statusCode, 200);
    assertSecurityHeaders(response.headers, 'asset');
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('marks personal pages no-store', async () => {
    const page = await shop.app.inject({ method: 'GET', url: '/test/page' });
    const personalCached = await shop.app.inject({ method: 'GET', url: '/test/personal-cached' });

    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(personalCached.headers['cache-control'], 'no-store');
  });

  it('keeps a cache policy a route chose', async () => {
    const response = await shop.app.inject({ method: 'GET', url: '/test/cached' });

    assert.equal(response.headers['cache-control'], 'public, max-age=60');
  });

  it('marks error responses no-store', async () => {
    const failed = await shop.app.inject({ method: 'GET', url: '/test/fails-after-caching' });
    const missingAsset = await shop.app.inject({ method: 'GET', url: '/assets/missing.js' });

    assert.equal(failed.headers['cache-control'], 'no-store');
    assert.equal(missingAsset.headers['cache-control'], 'no-store');
  });

  it('removes an X-Powered-By a route set', async () => {
    const response = await shop.app.inject({ method: 'GET', url: '/test/powered' });

    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-powered-by'], undefined);
  });
});

describe('security headers behind a TLS proxy', () => {
  let shop: TestShop;

  before(async () => {
    shop = await startTestShop({
      env: { PUBLIC_URL: 'https://shop.example' },
      payments: () => new RecordingPaymentGateway(),
    });
  });

  after(() => shop.close());

  it('sends HSTS when PUBLIC_URL is https', async () => {
    for (const url of ['/healthz', '/test/missing']) {
      const response = await shop.app.inject({ method: 'GET', url });

      assert.equal(
        response.headers['strict-transport-security'],
        'max-age=63072000; includeSubDomains',
      );
      assert.match(
        String(response.headers['content-security-policy']),
        /upgrade-insecure-requests/,
      );
    }
  });
});

describe('security headers on asset routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storefort-assets-'));
  const app = Fastify();

  before(async () => {
    const body = 'body{color:black}';
    writeFileSync(join(dir, 'app.0123456789ab.css'), body);
    const manifest: AssetManifest = {
      'app.css': {
        url: '/assets/app.0123456789ab.css',
        integrity: sriHash(body),
        contentType: 'text/css; charset=utf-8',
      },
    };
    registerSecurityHeaders(app, options);
    await registerAssetRoutes(app, manifest, dir);
    await app.ready();
  });

  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers a listed file and a missing one', async () => {
    const found = await app.inject({ method: 'GET', url: '/assets/app.0123456789ab.css' });
    const missing = await app.inject({ method: 'GET', url: '/assets/other.css' });

    assert.equal(found.statusCode, 200);
    assertSecurityHeaders(found.headers, 'listed asset');
    assert.equal(found.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(missing.statusCode, 404);
    assertSecurityHeaders(missing.headers, 'missing asset');
    assert.equal(missing.headers['cache-control'], 'no-store');
  });
});
