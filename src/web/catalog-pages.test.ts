import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import {
  attributeOf,
  Browser,
  headingsOf,
  importProducts,
  productRow,
  tagsNamed,
} from '../../test/support/storefront.js';
import { isAllowedImageSrc } from './images.js';

const imageHost = 'cdn.example.com';

let shop: TestShop;
let browser: Browser;

before(async () => {
  shop = await startTestShop({
    env: { IMAGE_HOSTS: imageHost },
    payments: () => new RecordingPaymentGateway(),
  });
  browser = new Browser(shop.app);

  await importProducts(shop.db.kysely, [
    productRow('desk-lamp', {
      Title: 'Desk Lamp',
      Type: 'Lighting',
      Tags: 'Office, Gift idea',
      'Option1 Name': 'Colour',
      'Option1 Value': 'Black',
      'Variant SKU': 'LAMP-BLACK',
      'Variant Price': '40.00',
      'Variant Compare At Price': '55.00',
      'Image Src': `https://${imageHost}/lamp.jpg`,
      'Image Position': '1',
      'Image Alt Text': 'A black desk lamp',
    }),
    {
      Handle: 'desk-lamp',
      'Option1 Value': 'White',
      'Variant SKU': 'LAMP-WHITE',
      'Variant Price': '42.00',
      'Variant Inventory Tracker': 'shopify',
      'Variant Inventory Qty': '0',
      'Variant Inventory Policy': 'deny',
    },
    {
      Handle: 'desk-lamp',
      'Image Src': `https://${imageHost}/lamp-side.jpg`,
      'Image Position': '2',
      'Image Alt Text': 'The lamp from the side',
    },
    productRow('wall-clock', {
      Title: 'Wall Clock',
      Type: 'Decor',
      'Image Src': `http://${imageHost}/clock.jpg`,
      'Image Position': '1',
    }),
    productRow('tracking-poster', {
      Title: 'Tracking Poster',
      Type: 'Decor',
      'Image Src': 'https://tracker.example.net/pixel.png',
      'Image Position': '1',
    }),
    productRow('zebra-draft-lamp', {
      Title: 'Zebra Draft Lamp',
      Type: 'Lighting',
      Tags: 'Office',
      Status: 'draft',
    }),
    productRow('zebra-archived-lamp', {
      Title: 'Zebra Archived Lamp',
      Type: 'Lighting',
      Tags: 'Office',
      Status: 'archived',
    }),
    productRow('zebra-hidden-lamp', {
      Title: 'Zebra Hidden Lamp',
      Type: 'Lighting',
      Tags: 'Office',
      Published: 'false',
    }),
    ...Array.from({ length: 30 }, (_, index) =>
      productRow(`bulk-item-${String(index + 1).padStart(2, '0')}`, { Type: 'Bulk', Tags: 'bulk' }),
    ),
  ]);
});

after(() => shop.close());

async function variantIds(sku: string): Promise<string> {
  const row = await shop.db.kysely
    .selectFrom('variants')
    .select('id')
    .where('sku', '=', sku)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('home page', () => {
  it('shows products and collections under one h1', async () => {
    const response = await browser.get('/');

    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.deepEqual(headingsOf(response.body), ['Welcome to the shop']);
    assert.ok(response.body.startsWith('<!doctype html><html lang="en">'));
    assert.match(response.body, /href="\/products\/bulk-item-01"/);
    assert.match(response.body, /href="\/collections\/type\/lighting"/);
  });

  it('has the layout landmarks and skip link', async () => {
    const html = (await browser.get('/')).body;

    assert.match(html, /<a class="skip-link" href="#main">/);
    assert.match(html, /<header class="site-header">/);
    assert.match(html, /<nav class="site-nav" aria-label="Collections">/);
    assert.match(html, /<main id="main"/);
    assert.match(html, /<footer class="site-footer">/);
    assert.match(
      html,
      /<form class="search-form" role="search" action="\/search" method="get" aria-label="Site search">/,
    );
    assert.match(html, /<label for="site-search"/);
    assert.match(html, /<a class="cart-link" href="\/cart">/);
  });
});

describe('collection pages', () => {
  it('lists the collections by type and tag', async () => {
    const response = await browser.get('/collections');

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(response.body), ['Collections']);
    assert.match(response.body, /href="\/collections\/type\/decor"/);
    assert.match(response.body, /href="\/collections\/tag\/gift-idea"/);
  });

  it('lists the products of a type', async () => {
    const response = await browser.get('/collections/type/lighting');

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(response.body), ['Lighting']);
    assert.match(response.body, /Desk Lamp/);
    assert.doesNotMatch(response.body, /Wall Clock/);
  });

  it('lists the products of a tag', async () => {
    const response = await browser.get('/collections/tag/gift-idea');

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(response.body), ['Tagged “Gift idea”']);
    assert.match(response.body, /Desk Lamp/);
  });

  it('answers an unknown collection with a 404 page', async () => {
    const response = await browser.get('/collections/type/no-such-type');

    assert.equal(response.statusCode, 404);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.deepEqual(headingsOf(response.body), ['Not found']);
  });

  it('pages through a collection with a cursor link', async () => {
    const first = await browser.get('/collections/type/bulk');
    const next = tagsNamed(first.body, 'a').find((tag) => tag.includes('rel="next"'));
    assert.ok(next, 'no next-page link on the first page');
    const href = (attributeOf(next, 'href') ?? '').replaceAll('&amp;', '&');

    const second = await browser.get(href);

    assert.equal(countProductCards(first.body), 24);
    assert.equal(second.statusCode, 200);
    assert.equal(countProductCards(second.body), 6);
    assert.doesNotMatch(second.body, /rel="next"/);
    assert.match(second.body, /bulk-item-30/);
  });
});

describe('search page', () => {
  it('shows a prompt for an empty query', async () => {
    const response = await browser.get('/search?q=');

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(response.body), ['Search']);
    assert.match(response.body, /Type what you are looking for/);
    assert.match(response.body, /<label for="page-search">/);
  });

  it('names its two search landmarks apart', async () => {
    const html = (await browser.get('/search?q=lamp')).body;
    const searchForms = tagsNamed(html, 'form').filter((tag) => tag.includes('role="search"'));

    assert.deepEqual(
      searchForms.map((tag) => attributeOf(tag, 'aria-label')),
      ['Site search', 'Search the catalog'],
    );
  });

  it('finds products by title', async () => {
    const response = await browser.get('/search?q=lamp');

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(response.body), ['Results for “lamp”']);
    assert.match(response.body, /Desk Lamp/);
  });

  it('says so when nothing matches', async () => {
    const response = await browser.get('/search?q=xylophone');

    assert.equal(response.statusCode, 200);
    assert.match(response.body, /No products match your search/);
  });

  it('accepts a query of 200 characters', async () => {
    const response = await browser.get(`/search?q=${'a'.repeat(200)}`);

    assert.equal(response.statusCode, 200);
  });

  it('rejects a query of 201 characters with a clear page', async () => {
    const response = await browser.get(`/search?q=${'a'.repeat(201)}`);

    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /at most 200 characters/);
  });

  it('pages through results', async () => {
    const first = await browser.get('/search?q=bulk');
    const next = tagsNamed(first.body, 'a').find((tag) => tag.includes('rel="next"'));
    assert.ok(next, 'no next-page link on the first page');
    const href = (attributeOf(next, 'href') ?? '').replaceAll('&amp;', '&');

    const second = await browser.get(href);

    assert.match(href, /^\/search\?q=bulk&cursor=/);
    assert.equal(countProductCards(first.body), 24);
    assert.equal(countProductCards(second.body), 6);
  });
});

describe('product page', () => {
  it('shows the product with a variant choice and an add-to-cart form', async () => {
    const response = await browser.get('/products/desk-lamp');
    const html = response.body;

    assert.equal(response.statusCode, 200);
    assert.deepEqual(headingsOf(html), ['Desk Lamp']);
    assert.match(html, /<form class="add-to-cart" method="post" action="\/cart\/lines">/);
    assert.match(html, /<legend>Colour<\/legend>/);
    assert.match(html, /Black<\/span><span class="variant-choice__price">\$40\.00/);
    assert.match(html, /White<\/span><span class="variant-choice__price">\$42\.00/);
    assert.match(html, /<label for="quantity">Quantity<\/label>/);
    assert.match(html, /<s class="price__compare">\$55\.00<\/s>/);
  });

  it('marks stock states and disables sold-out variants', async () => {
    const html = (await browser.get('/products/desk-lamp')).body;
    const white = await variantIds('LAMP-WHITE');
    const radio = tagsNamed(html, 'input').find((tag) => tag.includes(`value="${white}"`));

    assert.ok(radio, 'no radio for the white variant');
    assert.match(radio, / disabled/);
    assert.match(html, /class="stock stock--in_stock">In stock/);
    assert.match(html, /class="stock stock--sold_out">Sold out/);
  });

  it('selects the variant named in the query', async () => {
    const black = await variantIds('LAMP-BLACK');
    const html = (await browser.get(`/products/desk-lamp?variant=${black}`)).body;
    const radio = tagsNamed(html, 'input').find((tag) => tag.includes(`value="${black}"`));

    assert.ok(radio);
    assert.match(radio, / checked/);
  });

  it('shows an image from an allowed host with its alt text', async () => {
    const html = (await browser.get('/products/desk-lamp')).body;
    const image = tagsNamed(html, 'img').find((tag) => tag.includes('product-image--main'));

    assert.ok(image);
    assert.equal(attributeOf(image, 'src'), `https://${imageHost}/lamp.jpg`);
    assert.equal(attributeOf(image, 'alt'), 'A black desk lamp');
  });

  it('shows the other images below the main one', async () => {
    const html = (await browser.get('/products/desk-lamp')).body;
    const image = tagsNamed(html, 'img').find((tag) => tag.includes('lamp-side.jpg'));

    assert.ok(image, 'second image missing');
    assert.equal(attributeOf(image, 'alt'), 'The lamp from the side');
  });

  it('shows the placeholder for http and unlisted image hosts', async () => {
    for (const handle of ['wall-clock', 'tracking-poster']) {
      const html = (await browser.get(`/products/${handle}`)).body;
      const image = tagsNamed(html, 'img').find((tag) => tag.includes('product-image--main'));

      assert.ok(image, handle);
      assert.equal(attributeOf(image, 'src'), shop.deps.assets['placeholder.svg']?.url, handle);
      assert.doesNotMatch(html, /tracker\.example\.net|http:\/\/cdn/, handle);
    }
  });

  it('answers an unknown handle with a 404 page', async () => {
    const response = await browser.get('/products/no-such-product');

    assert.equal(response.statusCode, 404);
    assert.deepEqual(headingsOf(response.body), ['Not found']);
  });
});

describe('products shoppers must not see', () => {
  const hidden = ['zebra-draft-lamp', 'zebra-archived-lamp', 'zebra-hidden-lamp'];

  it('answers draft, archived and unpublished products with 404', async () => {
    for (const handle of hidden) {
      const response = await browser.get(`/products/${handle}`);

      assert.equal(response.statusCode, 404, handle);
    }
  });

  it('leaves them out of every listing', async () => {
    const pages = [
      '/',
      '/collections',
      '/collections/type/lighting',
      '/collections/tag/office',
      '/search?q=zebra',
      '/search?q=lamp',
    ];
    for (const url of pages) {
      const html = (await browser.get(url)).body;

      assert.doesNotMatch(html, /Zebra|zebra-/, url);
    }
  });
});

describe('isAllowedImageSrc', () => {
  const hosts = [imageHost];
  const cases: [string, boolean][] = [
    [`https://${imageHost}/a.jpg`, true],
    [`https://${imageHost.toUpperCase()}/a.jpg`, true],
    [`http://${imageHost}/a.jpg`, false],
    [`https://${imageHost}:8443/a.jpg`, false],
    [`https://user:pass@${imageHost}/a.jpg`, false],
    [`https://${imageHost}.evil.test/a.jpg`, false],
    ['https://evil.test/a.jpg', false],
    ['//cdn.example.com/a.jpg', false],
    ['/a.jpg', false],
    ['data:image/svg+xml,<svg/>', false],
    ['javascript:alert(1)', false],
  ];

  for (const [src, expected] of cases) {
    it(`${expected ? 'allows' : 'rejects'} ${src}`, () => {
      assert.equal(isAllowedImageSrc(src, hosts), expected);
    });
  }
});

function countProductCards(html: string): number {
  return html.match(/<article class="product-card">/g)?.length ?? 0;
}
