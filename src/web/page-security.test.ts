import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import { assertSecurityHeaders } from '../../test/support/security-headers.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import { securityEvents, snapshotStore } from '../../test/support/store-api.js';
import {
  assertSubresourcesFromManifest,
  Browser,
  importProducts,
  productRow,
  tagsNamed,
  withoutProductBody,
} from '../../test/support/storefront.js';
import { sanitizeBodyHtml } from '../catalog/csv-import/html.js';
import { slugify } from '../catalog/slug.js';

const scriptPayload = '<script>alert(1)</script>';
const imagePayload = '<img src=x onerror=alert(1)>';
const attributePayload = '"><script>alert(2)</script>';

let shop: TestShop;
let browser: Browser;
let hostileVariantId: string;
let hostileBody: string;

before(async () => {
  shop = await startTestShop({ payments: () => new RecordingPaymentGateway() });
  browser = new Browser(shop.app);

  await importProducts(shop.db.kysely, [
    productRow('hostile', {
      Title: `${scriptPayload} Hostile ${imagePayload}`,
      Vendor: `${imagePayload} Vendor ${attributePayload}`,
      Type: `${scriptPayload}`,
      Tags: `${scriptPayload}, ${imagePayload}, plain`,
      'Option1 Name': `${scriptPayload}`,
      'Option1 Value': `${imagePayload}`,
      'Body (HTML)':
        '<p style="color:red" onclick="alert(3)">Styled body</p><script>alert(4)</script>' +
        '<img src="https://x.example/a.png" onerror="alert(5)" style="width:1px">' +
        '<a href="javascript:alert(6)">link</a>',
    }),
  ]);

  const stored = await shop.db.kysely
    .selectFrom('products')
    .innerJoin('variants', 'variants.product_id', 'products.id')
    .select(['variants.id', 'products.body_html'])
    .where('products.handle', '=', 'hostile')
    .executeTakeFirstOrThrow();
  hostileVariantId = stored.id;
  hostileBody = stored.body_html;
});

after(() => shop.close());

/** Asserts that no payload came through as markup; escaped text is fine. */
function assertNoInjectedMarkup(html: string, label: string): void {
  assert.doesNotMatch(html, /<script>alert/i, `${label}: script payload unescaped`);
  assert.doesNotMatch(html, /<img src=x/i, `${label}: image payload unescaped`);
  assert.doesNotMatch(html, /"><script/i, `${label}: attribute payload broke out`);
  assert.doesNotMatch(html, /\son[a-z]+="/i, `${label}: event handler attribute`);
  assert.doesNotMatch(html, /javascript:/i, `${label}: javascript: URL`);
}

describe('escaping of catalog text', () => {
  const pages = () => [
    '/',
    '/products/hostile',
    `/products/hostile?variant=${hostileVariantId}`,
    '/search?q=hostile',
    '/collections',
    `/collections/tag/${slugify(scriptPayload)}`,
    `/collections/tag/${slugify(imagePayload)}`,
    `/collections/type/${slugify(scriptPayload)}`,
  ];

  it('escapes catalog text on every page', async () => {
    for (const url of pages()) {
      const response = await browser.get(url);

      assert.equal(response.statusCode, 200, url);
      assertNoInjectedMarkup(response.body, url);
    }
  });

  it('shows the payload as text', async () => {
    const html = (await browser.get('/products/hostile')).body;

    assert.match(html, /<h1>&lt;script>alert\(1\)&lt;\/script> Hostile &lt;img src=x/);
    assert.match(html, /&quot;>&lt;script>alert\(2\)&lt;\/script>/);
  });

  it('escapes a script in the search text', async () => {
    for (const query of [scriptPayload, imagePayload, attributePayload]) {
      const response = await browser.get(`/search?q=${encodeURIComponent(query)}`);

      assert.equal(response.statusCode, 200, query);
      assertNoInjectedMarkup(response.body, query);
    }
  });

  it('escapes the search text inside the input value', async () => {
    const html = (await browser.get(`/search?q=${encodeURIComponent(attributePayload)}`)).body;
    const input = tagsNamed(html, 'input').find((tag) => tag.includes('id="page-search"'));

    assert.ok(input);
    assert.match(input, /value="&quot;>&lt;script>alert\(2\)&lt;\/script>"/);
  });
});

describe('the sanitised product body', () => {
  it('drops scripts, handlers, styles and javascript links', () => {
    assert.match(hostileBody, /Styled body/);
    assert.doesNotMatch(hostileBody, /<script|onclick|onerror|style=|javascript:/i);
  });

  it('drops style attributes in the import sanitiser', () => {
    const cleaned = sanitizeBodyHtml('<p style="position:fixed">a</p><span style="x">b</span>');

    assert.doesNotMatch(cleaned, /style/);
    assert.match(cleaned, /<p>a<\/p>/);
  });

  it('renders once as the only raw markup', async () => {
    const html = (await browser.get('/products/hostile')).body;

    assert.equal(html.split(hostileBody).length, 2, 'body not rendered exactly once');
    assertNoInjectedMarkup(html, 'product page');
  });
});

describe('page markup and headers', () => {
  async function pagesToCheck(): Promise<string[]> {
    await browser.postForm('/cart/lines', { variantId: hostileVariantId, quantity: '1' });
    return [
      '/',
      '/collections',
      `/collections/tag/plain`,
      '/search',
      '/search?q=hostile',
      '/products/hostile',
      '/cart',
      '/checkout',
      '/products/missing',
      `/search?q=${'a'.repeat(201)}`,
      '/orders/unknownorderid0000000?token=nope',
    ];
  }

  it('sends security headers on every page', async () => {
    for (const url of await pagesToCheck()) {
      const response = await browser.get(url);

      assert.match(String(response.headers['content-type']), /^text\/html/, url);
      assertSecurityHeaders(response.headers, url);
    }
  });

  it('loads subresources with manifest SRI', async () => {
    for (const url of await pagesToCheck()) {
      const html = (await browser.get(url)).body;

      assertSubresourcesFromManifest(html, shop.deps.assets, url);
    }
  });

  it('has no inline scripts or styles', async () => {
    for (const url of await pagesToCheck()) {
      const html = withoutProductBody((await browser.get(url)).body, hostileBody);

      assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, `${url}: inline script`);
      assert.doesNotMatch(html, /<style/i, `${url}: style element`);
      assert.doesNotMatch(html, /\sstyle=/i, `${url}: style attribute`);
    }
  });

  it('marks cart, checkout and order pages as not cacheable', async () => {
    for (const url of ['/cart', '/checkout', '/orders/unknownorderid0000000']) {
      const response = await browser.get(url);

      assert.equal(response.headers['cache-control'], 'no-store', url);
    }
  });
});

describe('tampered forms', () => {
  it('rejects an add-to-cart form that carries a price', async () => {
    const visitor = new Browser(shop.app);
    const before = await snapshotStore(shop.db.kysely);
    const eventsBefore = (await securityEvents(shop.db.kysely, 'request_tampering')).length;

    const response = await visitor.postForm('/cart/lines', {
      variantId: hostileVariantId,
      quantity: '1',
      price: '0.01',
    });

    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /does not accept/);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
    const eventsAfter = await securityEvents(shop.db.kysely, 'request_tampering');
    assert.equal(eventsAfter.length, eventsBefore + 1);
  });

  it('escapes a hostile field name on the error page', async () => {
    const visitor = new Browser(shop.app);

    const response = await visitor.postForm('/cart/lines', {
      variantId: hostileVariantId,
      quantity: '1',
      [scriptPayload]: '1',
    });

    assert.equal(response.statusCode, 400);
    assertNoInjectedMarkup(response.body, 'error page');
    assert.match(response.body, /&lt;script>alert\(1\)&lt;\/script>/);
    assert.match(response.body, new RegExp(`<code>${response.headers['x-request-id']}</code>`));
  });

  it('rejects quantities that are not 1 to 4 digits', async () => {
    const visitor = new Browser(shop.app);
    const before = await snapshotStore(shop.db.kysely);

    for (const quantity of ['', '-1', '1.5', '1e3', '0x10', ' 1', '12345', '１']) {
      const response = await visitor.postForm('/cart/lines', {
        variantId: hostileVariantId,
        quantity,
      });

      assert.equal(response.statusCode, 400, JSON.stringify(quantity));
    }
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });

  it('leaves the range check to the cart service', async () => {
    const visitor = new Browser(shop.app);
    const before = await snapshotStore(shop.db.kysely);

    for (const quantity of ['0', '100', '9999']) {
      const response = await visitor.postForm('/cart/lines', {
        variantId: hostileVariantId,
        quantity,
      });

      assert.equal(response.statusCode, 400, quantity);
      assert.match(response.body, /quantity/i, quantity);
    }
    const after = await snapshotStore(shop.db.kysely);
    assert.deepEqual(after.cartLines, before.cartLines);
  });

  it('rejects a checkout form that carries a total', async () => {
    const visitor = new Browser(shop.app);
    await visitor.postForm('/cart/lines', { variantId: hostileVariantId, quantity: '1' });
    const before = await snapshotStore(shop.db.kysely);

    const response = await visitor.postForm('/checkout', {
      email: 'shopper@example.com',
      name: 'Ada Shopper',
      line1: '1 Market Street',
      line2: '',
      city: 'Springfield',
      region: '',
      postalCode: '12345',
      country: 'US',
      shippingMethod: 'standard',
      total: '1',
    });

    assert.equal(response.statusCode, 400);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });

  it('rejects a form posted from another site', async () => {
    const before = await snapshotStore(shop.db.kysely);

    const response = await shop.app.inject({
      method: 'POST',
      url: '/cart/lines',
      payload: new URLSearchParams({ variantId: hostileVariantId, quantity: '1' }).toString(),
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
      },
    });

    assert.equal(response.statusCode, 403);
    assert.deepEqual(await snapshotStore(shop.db.kysely), before);
  });
});
