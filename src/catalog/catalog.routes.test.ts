import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';

import type { PaymentGateway } from '../payments/gateway.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import { importProductCsv } from './csv-import/importer.js';
import { productRow, toCsv } from './csv-import/csv-fixture.js';
import { seedDemoCatalogIfEmpty } from './demo-catalog.js';
import { countRows } from './test-context.js';

// Placeholder gateway for tests that never reach payment: the catalog routes do not pay, so
// any call to it is a bug and fails the test.
const unusedPayments: PaymentGateway = {
  name: 'sandbox',
  origin: 'https://payments.invalid',
  createSession: () => Promise.reject(new Error('catalog tests must not create payments')),
  cancelSession: () => Promise.reject(new Error('catalog tests must not cancel payments')),
  verifyWebhook: () => {
    throw new Error('catalog tests must not verify webhooks');
  },
};

const scriptTitle = '<script>alert("xss")</script> Mug';

let shop: TestShop;

before(async () => {
  shop = await startTestShop({ payments: () => unusedPayments });
  await seedDemoCatalogIfEmpty(shop.db, shop.deps.config);
  const csv = toCsv([productRow('script-mug', { Title: scriptTitle, Type: 'Teaware' })]);
  await importProductCsv(shop.db.kysely, csv, { currency: shop.deps.config.currency });
});
after(() => shop.close());

function get(url: string): Promise<LightMyRequestResponse> {
  return shop.app.inject({ method: 'GET', url });
}

function listUrl(params: Record<string, string>): string {
  return `/api/store/products?${new URLSearchParams(params).toString()}`;
}

interface PageBody {
  items: { handle: string; title: string }[];
  nextCursor: string | null;
}

async function tableCounts() {
  return {
    products: await countRows(shop.db, 'products'),
    variants: await countRows(shop.db, 'variants'),
    images: await countRows(shop.db, 'images'),
    tags: await countRows(shop.db, 'product_tags'),
  };
}

describe('GET /api/store/products', () => {
  it('lists visible products with the summary fields only', async () => {
    const response = await get('/api/store/products');

    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const body = response.json() as PageBody;
    assert.equal(body.items.length, 10);
    assert.equal(body.nextCursor, null);
    assert.deepEqual(Object.keys(body.items[0] ?? {}).sort(), [
      'available',
      'compareAtMinor',
      'currency',
      'handle',
      'id',
      'image',
      'priceMaxMinor',
      'priceMinMinor',
      'productType',
      'title',
      'vendor',
    ]);
  });

  it('accepts limit=100 and rejects limit=101, 0 and text', async () => {
    assert.equal((await get(listUrl({ limit: '100' }))).statusCode, 200);
    for (const limit of ['101', '0', '-1', 'ten', '1.5']) {
      const response = await get(listUrl({ limit }));

      assert.equal(response.statusCode, 400, `limit=${limit}`);
      assert.equal(response.json().code, 'VALIDATION_FAILED');
    }
  });

  it('follows nextCursor to the last page', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const params: Record<string, string> =
        cursor === null ? { limit: '3' } : { limit: '3', cursor };
      const response = await get(listUrl(params));
      assert.equal(response.statusCode, 200);
      const body = response.json() as PageBody;
      seen.push(...body.items.map((item) => item.handle));
      cursor = body.nextCursor;
    } while (cursor !== null);

    assert.equal(seen.length, 10);
    assert.equal(new Set(seen).size, 10);
  });

  it('filters by collection', async () => {
    const response = await get(listUrl({ collection: 'type:stationery' }));

    const body = response.json() as PageBody;
    assert.deepEqual(
      body.items.map((item) => item.handle),
      ['brewing-guide-cards', 'tasting-journal'],
    );
  });

  it('rejects a collection without a type: or tag: prefix', async () => {
    const response = await get(listUrl({ collection: 'stationery' }));

    assert.equal(response.statusCode, 400);
  });

  it('accepts a 200-character query and rejects a 201-character one', async () => {
    assert.equal((await get(listUrl({ query: 'a'.repeat(200) }))).statusCode, 200);
    assert.equal((await get(listUrl({ query: 'a'.repeat(201) }))).statusCode, 400);
  });

  it('rejects an unknown sort parameter and records a security event', async () => {
    const eventsBefore = await countRows(shop.db, 'security_events');
    const before = await tableCounts();

    const response = await get(listUrl({ sort: 'price; DROP TABLE products' }));

    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'UNKNOWN_FIELD');
    assert.equal(await countRows(shop.db, 'security_events'), eventsBefore + 1);
    assert.deepEqual(await tableCounts(), before);
  });

  const injections: [string, Record<string, string>][] = [
    ['a quote in the query', { query: "' OR 1=1 --" }],
    ['a stacked statement in the query', { query: "x'); DROP TABLE products; --" }],
    ['FTS syntax in the query', { query: 'title:* OR NEAR(a b) "' }],
    ['a UNION in the query', { query: "' UNION SELECT id, handle FROM products --" }],
    ['SQL in a tag slug', { collection: "tag:x' OR '1'='1" }],
    ['SQL in a type slug', { collection: 'type:tea--' }],
    ['SQL in the cursor', { cursor: "' OR 1=1 --" }],
    [
      'a forged cursor holding SQL',
      { cursor: Buffer.from(`["title","' OR 1=1 --","x"]`).toString('base64url') },
    ],
    [
      'a forged cursor of the wrong shape',
      { cursor: Buffer.from('{"a":1}').toString('base64url') },
    ],
    [
      'a forged search cursor',
      { query: 'tea', cursor: Buffer.from('["score","1; DROP","x"]').toString('base64url') },
    ],
  ];
  for (const [what, params] of injections) {
    it(`answers ${what} cleanly and changes nothing`, async () => {
      const before = await tableCounts();

      const response = await get(listUrl(params));

      assert.ok([200, 400].includes(response.statusCode), `status ${response.statusCode}`);
      if (response.statusCode === 400) {
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        assert.doesNotMatch(response.body, /SQLITE|syntax error|sqlite|stack/i);
      } else {
        assert.ok(Array.isArray((response.json() as PageBody).items));
      }
      assert.deepEqual(await tableCounts(), before);
    });
  }

  it('returns a script payload in a title as JSON data, unchanged', async () => {
    const response = await get(listUrl({ query: '<script>alert("xss")</script>' }));

    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    const body = response.json() as PageBody;
    assert.deepEqual(
      body.items.map((item) => item.title),
      [scriptTitle],
    );
  });
});

describe('GET /api/store/products/:handle', () => {
  it('returns the product with its variants', async () => {
    const response = await get('/api/store/products/stoneware-mug');

    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.title, 'Stoneware Mug');
    assert.equal(body.variants.length, 4);
    assert.deepEqual(Object.keys(body.variants[0]).sort(), [
      'available',
      'compareAtMinor',
      'id',
      'imageSrc',
      'options',
      'priceMinor',
      'sku',
      'stock',
      'title',
    ]);
    assert.equal(body.status, undefined);
  });

  it('finds a handle with non-ASCII characters', async () => {
    const csv = toCsv([productRow('meias-dryarmor™')]);
    await importProductCsv(shop.db.kysely, csv, { currency: 'USD' });

    const response = await get(`/api/store/products/${encodeURIComponent('meias-dryarmor™')}`);

    assert.equal(response.statusCode, 200);
    assert.equal(response.json().handle, 'meias-dryarmor™');
  });

  it('answers 404 for draft, archived and unknown products', async () => {
    for (const handle of ['winter-blend-preview', 'summer-sampler-2023', 'nothing-here']) {
      const response = await get(`/api/store/products/${handle}`);

      assert.equal(response.statusCode, 404, handle);
      assert.equal(response.json().code, 'NOT_FOUND');
    }
  });

  it('answers SQL in the handle with 404 and changes nothing', async () => {
    const before = await tableCounts();

    const response = await get(`/api/store/products/${encodeURIComponent("x' OR '1'='1")}`);

    assert.equal(response.statusCode, 404);
    assert.deepEqual(await tableCounts(), before);
  });

  it('rejects unknown query parameters', async () => {
    const response = await get('/api/store/products/stoneware-mug?debug=1');

    assert.equal(response.statusCode, 400);
  });
});

describe('catalog OpenAPI description', () => {
  it('lists the catalog routes under the catalog tag', async () => {
    const response = await get('/api/openapi.json');

    const paths = response.json().paths;
    assert.deepEqual(paths['/api/store/products'].get.tags, ['catalog']);
    assert.deepEqual(paths['/api/store/products/{handle}'].get.tags, ['catalog']);
  });

  it('marks every listing parameter optional', async () => {
    const response = await get('/api/openapi.json');

    const parameters: { name: string; required?: boolean }[] =
      response.json().paths['/api/store/products'].get.parameters;
    assert.deepEqual(
      parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
      [],
    );
  });
});
