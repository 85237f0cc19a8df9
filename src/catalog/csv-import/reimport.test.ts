import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { getProductByHandle, listProducts } from '../catalog.service.js';
import { type CatalogTestDb, countRows, openCatalogTestDb } from '../test-context.js';
import { imageRow, productRow, type TestRow, toCsv, variantRow } from './csv-fixture.js';
import { importProductCsv } from './importer.js';

let test: CatalogTestDb;

beforeEach(async () => {
  test = await openCatalogTestDb();
});
afterEach(() => test.db.close());

async function importRows(rows: TestRow[]) {
  return importProductCsv(test.db.kysely, toCsv(rows), { currency: 'USD' });
}

const shirtV1 = [
  productRow('shirt', {
    Title: 'Linen Shirt',
    Tags: 'summer',
    'Option1 Name': 'Size',
    'Option1 Value': 'S',
    'Image Src': 'https://cdn.test/front.png',
  }),
  variantRow('shirt', 'M'),
  variantRow('shirt', 'L'),
  imageRow('shirt', 'https://cdn.test/back.png'),
];

describe('importing a changed file again', () => {
  it('updates fields, variants, images and tags in place', async () => {
    await importRows(shirtV1);
    const before = await getProductByHandle(test.ctx, 'shirt');

    const report = await importRows([
      productRow('shirt', {
        Title: 'Hemp Shirt',
        Tags: 'autumn',
        'Option1 Name': 'Size',
        'Option1 Value': 'S',
        'Variant Price': '11.00',
        'Image Src': 'https://cdn.test/front.png',
      }),
      variantRow('shirt', 'M'),
    ]);

    const after = await getProductByHandle(test.ctx, 'shirt');
    assert.equal(report.updated, 1);
    assert.equal(after?.id, before?.id);
    assert.equal(after?.title, 'Hemp Shirt');
    assert.deepEqual(after?.tags, ['autumn']);
    assert.deepEqual(
      after?.variants.map((variant) => [variant.id, variant.priceMinor]),
      [
        [before?.variants[0]?.id, 1100],
        [before?.variants[1]?.id, 1200],
      ],
    );
    assert.deepEqual(
      after?.images.map((image) => image.src),
      ['https://cdn.test/front.png'],
    );
    assert.equal(await countRows(test.db, 'variants'), 2);
    assert.equal(await countRows(test.db, 'product_tags'), 1);
  });

  it('updates the search index', async () => {
    await importRows(shirtV1);

    await importRows([productRow('shirt', { Title: 'Hemp Shirt', 'Variant SKU': 'NEW-SKU' })]);

    const byOldTitle = await listProducts(test.ctx, { limit: 10, query: 'linen' });
    const byNewTitle = await listProducts(test.ctx, { limit: 10, query: 'hemp' });
    const bySku = await listProducts(test.ctx, { limit: 10, query: 'NEW-SKU' });
    assert.equal(byOldTitle.items.length, 0);
    assert.equal(byNewTitle.items.length, 1);
    assert.equal(bySku.items.length, 1);
  });

  it('hides a product that the new file archives', async () => {
    await importRows(shirtV1);

    await importRows([productRow('shirt', { Status: 'archived' })]);

    assert.equal(await getProductByHandle(test.ctx, 'shirt'), undefined);
    assert.equal(await countRows(test.db, 'products'), 1);
  });
});
