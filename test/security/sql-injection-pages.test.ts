import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { RecordingPaymentGateway } from '../support/payment-double.js';
import { startTestShop, type TestShop } from '../support/shop.js';
import { Browser, importProducts, productRow } from '../support/storefront.js';

// Classic payloads for string, numeric, UNION, stacked and FTS5 query injection.
const payloads = [
  "' OR '1'='1",
  "tea' OR 1=1 --",
  '1; DROP TABLE products; --',
  "' UNION SELECT id, handle, title FROM products --",
  "x') OR ('1'='1",
  '" OR "" = "',
  'title:*',
  'NEAR(a b)',
  '* OR products',
  "'; UPDATE variants SET price_minor = 1; --",
  '%27%20OR%201%3D1',
];

let shop: TestShop;
let browser: Browser;

before(async () => {
  shop = await startTestShop({ payments: () => new RecordingPaymentGateway() });
  browser = new Browser(shop.app);
  await importProducts(shop.db.kysely, [
    productRow('green-tea', { Title: 'Green Tea', Type: 'Tea', Tags: 'green' }),
    productRow('secret-draft', { Title: 'Secret Draft', Type: 'Tea', Status: 'draft' }),
  ]);
});

after(() => shop.close());

async function catalogSnapshot() {
  const db = shop.db.kysely;
  return {
    products: await db.selectFrom('products').select(['id', 'status']).orderBy('id').execute(),
    prices: await db.selectFrom('variants').select(['id', 'price_minor']).orderBy('id').execute(),
  };
}

function pageUrls(payload: string): string[] {
  const encoded = encodeURIComponent(payload);
  return [
    `/search?q=${encoded}`,
    `/collections/type/${encoded}`,
    `/collections/tag/${encoded}`,
    `/products/${encoded}`,
    `/search?q=tea&cursor=${encoded}`,
  ];
}

describe('SQL injection through storefront pages', () => {
  for (const payload of payloads) {
    it(`keeps ${JSON.stringify(payload)} out of SQL`, async () => {
      const before = await catalogSnapshot();

      for (const url of pageUrls(payload)) {
        const response = await browser.get(url);

        assert.ok([200, 400, 404].includes(response.statusCode), `${url}: ${response.statusCode}`);
        assert.doesNotMatch(response.body, /sqlite|syntax error|SQLITE_|no such column/i, url);
        assert.doesNotMatch(response.body, /Secret Draft/, `${url} revealed a draft product`);
      }
      assert.deepEqual(await catalogSnapshot(), before);
    });
  }

  it('still finds real products after the payloads', async () => {
    const response = await browser.get('/search?q=green');

    assert.equal(response.statusCode, 200);
    assert.match(response.body, /Green Tea/);
  });
});
