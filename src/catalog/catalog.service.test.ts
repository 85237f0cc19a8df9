import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { AppError } from '../server/errors.js';
import {
  findPurchasableVariants,
  getProductByHandle,
  listCollections,
  listProducts,
  type ProductListQuery,
  releaseStock,
  reserveStock,
} from './catalog.service.js';
import { productRow, toCsv } from './csv-import/csv-fixture.js';
import { importProductCsv } from './csv-import/importer.js';
import { seedDemoCatalogIfEmpty } from './demo-catalog.js';
import { type CatalogTestDb, openCatalogTestDb } from './test-context.js';

let test: CatalogTestDb;

before(async () => {
  test = await openCatalogTestDb();
  await seedDemoCatalogIfEmpty(test.db, test.ctx.config);
});
after(() => test.db.close());

async function handles(q: Omit<ProductListQuery, 'limit'> & { limit?: number }): Promise<string[]> {
  const page = await listProducts(test.ctx, { limit: 100, ...q });
  return page.items.map((item) => item.handle);
}

async function allPages(q: Omit<ProductListQuery, 'cursor'>): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listProducts(test.ctx, { ...q, cursor });
    pages.push(page.items.map((item) => item.handle));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 50);
  return pages;
}

async function variantId(sku: string): Promise<string> {
  const row = await test.db.kysely
    .selectFrom('variants')
    .select('id')
    .where('sku', '=', sku)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function quantityOf(sku: string): Promise<number> {
  const row = await test.db.kysely
    .selectFrom('variants')
    .select('inventory_quantity')
    .where('sku', '=', sku)
    .executeTakeFirstOrThrow();
  return row.inventory_quantity;
}

function isAppError(code: string) {
  return (error: unknown) => error instanceof AppError && error.code === code;
}

const visibleByTitle = [
  'brewing-guide-cards',
  'chamomile-nights',
  'earl-grey-cream',
  'enamel-camp-cup',
  'glass-teapot',
  'morning-mist-green-tea',
  'smoky-lapsang-souchong',
  'stoneware-mug',
  'tasting-journal',
];

describe('listProducts', () => {
  it('lists visible products by title', async () => {
    assert.deepEqual(await handles({}), visibleByTitle);
  });

  it('pages through every product once with the cursor', async () => {
    const pages = await allPages({ limit: 2 });

    assert.deepEqual(pages.flat(), visibleByTitle);
    assert.deepEqual(
      pages.map((page) => page.length),
      [2, 2, 2, 2, 1],
    );
  });

  it('caps the page size at 100 and raises it to at least 1', async () => {
    const large = await listProducts(test.ctx, { limit: 1000 });
    const zero = await listProducts(test.ctx, { limit: 0 });

    assert.equal(large.items.length, visibleByTitle.length);
    assert.equal(zero.items.length, 1);
  });

  it('filters by product type slug', async () => {
    assert.deepEqual(await handles({ collection: { kind: 'type', slug: 'stationery' } }), [
      'brewing-guide-cards',
      'tasting-journal',
    ]);
  });

  it('filters by tag slug without showing hidden products', async () => {
    assert.deepEqual(await handles({ collection: { kind: 'tag', slug: 'black-tea' } }), [
      'earl-grey-cream',
      'smoky-lapsang-souchong',
    ]);
  });

  it('returns nothing for an unknown collection', async () => {
    assert.deepEqual(await handles({ collection: { kind: 'type', slug: 'nothing' } }), []);
    assert.deepEqual(await handles({ collection: { kind: 'tag', slug: 'nothing' } }), []);
  });

  it('searches titles, bodies, tags and SKUs by word prefix', async () => {
    assert.deepEqual(await handles({ query: 'green' }), ['morning-mist-green-tea']);
    assert.deepEqual(await handles({ query: 'campfi' }).then((found) => found.sort()), [
      'enamel-camp-cup',
      'smoky-lapsang-souchong',
    ]);
    assert.deepEqual(await handles({ query: 'outdoors' }), ['enamel-camp-cup']);
    assert.deepEqual(await handles({ query: 'TEA-LAPS' }), ['smoky-lapsang-souchong']);
  });

  it('ranks title matches first', async () => {
    const found = await handles({ query: 'mug' });

    assert.equal(found[0], 'stoneware-mug');
  });

  it('never finds draft or archived products', async () => {
    assert.deepEqual(await handles({ query: 'winter' }), []);
    assert.deepEqual(await handles({ query: 'sampler' }), []);
  });

  it('combines search with a collection', async () => {
    assert.deepEqual(
      await handles({ query: 'tea', collection: { kind: 'type', slug: 'teaware' } }),
      ['glass-teapot'],
    );
  });

  it('pages through search results with the cursor', async () => {
    const all = await handles({ query: 'tea' });

    const pages = await allPages({ query: 'tea', limit: 2 });

    assert.ok(all.length > 4, `"tea" finds ${all.length} products`);
    assert.deepEqual(pages.flat(), all);
  });

  it('handles an empty, a 200-character and a punctuation-only query', async () => {
    assert.deepEqual(await handles({ query: '' }), visibleByTitle);
    assert.deepEqual(
      await handles({ query: 'tea '.repeat(50) }).then((found) => found.length > 0),
      true,
    );
    assert.deepEqual(await handles({ query: '"*^:()' }), []);
  });

  it('rejects a cursor that was not made by a listing', async () => {
    await assert.rejects(
      listProducts(test.ctx, { limit: 2, cursor: 'bm90IGEgY3Vyc29y' }),
      isAppError('VALIDATION_FAILED'),
    );
  });

  it('rejects a listing cursor in a search', async () => {
    const { nextCursor } = await listProducts(test.ctx, { limit: 2 });

    await assert.rejects(
      listProducts(test.ctx, { limit: 2, query: 'tea', cursor: nextCursor ?? '' }),
      isAppError('VALIDATION_FAILED'),
    );
  });

  it('summarises prices and availability', async () => {
    const page = await listProducts(test.ctx, { limit: 100 });
    const mist = page.items.find((item) => item.handle === 'morning-mist-green-tea');
    const chamomile = page.items.find((item) => item.handle === 'chamomile-nights');
    const teapot = page.items.find((item) => item.handle === 'glass-teapot');

    assert.deepEqual(
      { min: mist?.priceMinMinor, max: mist?.priceMaxMinor, compareAt: mist?.compareAtMinor },
      { min: 900, max: 1600, compareAt: null },
    );
    assert.equal(mist?.currency, 'USD');
    assert.equal(mist?.available, true);
    assert.equal(chamomile?.available, false);
    assert.equal(teapot?.compareAtMinor, 3800);
    assert.equal(teapot?.image, null);
  });
});

describe('getProductByHandle', () => {
  it('returns options and variants in order', async () => {
    const mug = await getProductByHandle(test.ctx, 'stoneware-mug');

    assert.deepEqual(mug?.options, [
      { name: 'Colour', values: ['Sand', 'Slate'] },
      { name: 'Size', values: ['Regular', 'Large'] },
    ]);
    assert.deepEqual(
      mug?.variants.map((variant) => [variant.title, variant.stock, variant.available]),
      [
        ['Sand / Regular', 'in_stock', true],
        ['Sand / Large', 'low_stock', true],
        ['Slate / Regular', 'in_stock', true],
        ['Slate / Large', 'sold_out', false],
      ],
    );
    assert.deepEqual(mug?.variants[1]?.options, ['Sand', 'Large']);
  });

  it('names a variant without options after its product', async () => {
    const lapsang = await getProductByHandle(test.ctx, 'smoky-lapsang-souchong');

    assert.deepEqual(lapsang?.options, []);
    assert.equal(lapsang?.variants[0]?.title, 'Smoky Lapsang Souchong');
    assert.deepEqual(lapsang?.variants[0]?.options, []);
  });

  it('reports backorder, untracked and sold-out stock', async () => {
    const earl = await getProductByHandle(test.ctx, 'earl-grey-cream');
    const cup = await getProductByHandle(test.ctx, 'enamel-camp-cup');
    const chamomile = await getProductByHandle(test.ctx, 'chamomile-nights');

    assert.deepEqual([earl?.variants[0]?.stock, earl?.variants[0]?.available], ['backorder', true]);
    assert.deepEqual([cup?.variants[0]?.stock, cup?.variants[0]?.available], ['untracked', true]);
    assert.deepEqual([chamomile?.variants[0]?.stock, chamomile?.available], ['sold_out', false]);
  });

  it('returns the sanitised body and tags', async () => {
    const teapot = await getProductByHandle(test.ctx, 'glass-teapot');

    assert.match(teapot?.bodyHtml ?? '', /^<p>Borosilicate glass/);
    assert.deepEqual(teapot?.tags, ['Teapots', 'Gift idea']);
  });

  it('hides draft, archived and unknown products', async () => {
    assert.equal(await getProductByHandle(test.ctx, 'winter-blend-preview'), undefined);
    assert.equal(await getProductByHandle(test.ctx, 'summer-sampler-2023'), undefined);
    assert.equal(await getProductByHandle(test.ctx, 'no-such-product'), undefined);
  });
});

describe('listCollections', () => {
  it('counts visible products per type and tag', async () => {
    const { types, tags } = await listCollections(test.ctx);

    assert.deepEqual(types, [
      { name: 'Stationery', slug: 'stationery', productCount: 2 },
      { name: 'Tea', slug: 'tea', productCount: 4 },
      { name: 'Teaware', slug: 'teaware', productCount: 3 },
    ]);
    assert.deepEqual(
      tags.find((tag) => tag.slug === 'black-tea'),
      { name: 'Black tea', slug: 'black-tea', productCount: 2 },
    );
    assert.equal(
      tags.find((tag) => tag.slug === 'seasonal'),
      undefined,
      'only hidden products have it',
    );
  });

  it('counts a product imported after an earlier call', async () => {
    const before = await listCollections(test.ctx);
    const row = productRow('collection-cache-probe', { Type: 'Probes', Tags: 'probe-tag' });

    await importProductCsv(test.db.kysely, toCsv([row]), { currency: 'USD' });
    const after = await listCollections(test.ctx);

    assert.equal(
      before.types.find((type) => type.slug === 'probes'),
      undefined,
    );
    assert.deepEqual(
      after.types.find((type) => type.slug === 'probes'),
      { name: 'Probes', slug: 'probes', productCount: 1 },
    );
    assert.equal(after.tags.find((tag) => tag.slug === 'probe-tag')?.productCount, 1);
  });
});

describe('findPurchasableVariants', () => {
  it('returns visible variants and leaves out hidden and unknown ones', async () => {
    const mug = await variantId('MUG-SAND-L');
    const draft = await variantId('TEA-WINTER');
    const archived = await variantId('TEA-SAMPLER-23');

    const found = await findPurchasableVariants(test.ctx, [mug, draft, archived, 'unknown', mug]);

    assert.deepEqual([...found.keys()], [mug]);
    assert.deepEqual(found.get(mug), {
      id: mug,
      productId: found.get(mug)?.productId,
      handle: 'stoneware-mug',
      productTitle: 'Stoneware Mug',
      variantTitle: 'Sand / Large',
      sku: 'MUG-SAND-L',
      priceMinor: 2800,
      inventoryTracked: true,
      inventoryQuantity: 4,
      inventoryPolicy: 'deny',
      imageSrc: null,
      requiresShipping: true,
    });
  });

  it('returns an empty map for no ids', async () => {
    assert.equal((await findPurchasableVariants(test.ctx, [])).size, 0);
  });
});

describe('reserveStock and releaseStock', () => {
  it('takes tracked stock with policy deny only while it lasts', async () => {
    const id = await variantId('BOOK-TASTE-LIN');

    const first = await reserveStock(test.db.kysely, id, 2);
    const second = await reserveStock(test.db.kysely, id, 2);

    assert.equal(first, true);
    assert.equal(second, false);
    assert.equal(await quantityOf('BOOK-TASTE-LIN'), 1);
  });

  it('lets only one of two transactions take the last unit', async () => {
    const id = await variantId('BOOK-TASTE-LIN');
    const reserveInTransaction = () =>
      test.db.kysely.transaction().execute((trx) => reserveStock(trx, id, 1));

    const results = await Promise.all([reserveInTransaction(), reserveInTransaction()]);

    assert.deepEqual(results.sort(), [false, true]);
    assert.equal(await quantityOf('BOOK-TASTE-LIN'), 0);
  });

  it('oversells stock with policy continue', async () => {
    const id = await variantId('TEA-EARL-50');

    assert.equal(await reserveStock(test.db.kysely, id, 3), true);
    assert.equal(await quantityOf('TEA-EARL-50'), -3);
  });

  it('leaves untracked stock alone', async () => {
    const id = await variantId('CUP-ENAMEL-W');

    assert.equal(await reserveStock(test.db.kysely, id, 50), true);
    await releaseStock(test.db.kysely, id, 50);
    assert.equal(await quantityOf('CUP-ENAMEL-W'), 0);
  });

  it('gives tracked stock back', async () => {
    const id = await variantId('TEA-CHAMOMILE');

    await releaseStock(test.db.kysely, id, 2);

    assert.equal(await quantityOf('TEA-CHAMOMILE'), 2);
    assert.equal(await reserveStock(test.db.kysely, id, 2), true);
  });

  it('cannot reserve an unknown variant', async () => {
    assert.equal(await reserveStock(test.db.kysely, 'unknown', 1), false);
  });

  it('rejects quantities that are not positive whole numbers', async () => {
    const id = await variantId('TEA-MIST-50');

    for (const quantity of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(
        reserveStock(test.db.kysely, id, quantity),
        isAppError('QUANTITY_OUT_OF_RANGE'),
      );
      await assert.rejects(
        releaseStock(test.db.kysely, id, quantity),
        isAppError('QUANTITY_OUT_OF_RANGE'),
      );
    }
    assert.equal(await quantityOf('TEA-MIST-50'), 40);
  });
});
