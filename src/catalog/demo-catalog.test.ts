import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { listCollections, listProducts } from './catalog.service.js';
import { seedDemoCatalogIfEmpty } from './demo-catalog.js';
import { type CatalogTestDb, countRows, openCatalogTestDb } from './test-context.js';

describe('seedDemoCatalogIfEmpty', () => {
  let test: CatalogTestDb;

  beforeEach(async () => {
    test = await openCatalogTestDb();
  });
  afterEach(() => test.db.close());

  it('seeds an empty store once', async () => {
    const first = await seedDemoCatalogIfEmpty(test.db, test.ctx.config);
    const second = await seedDemoCatalogIfEmpty(test.db, test.ctx.config);

    assert.equal(first, true);
    assert.equal(second, false);
    assert.equal(await countRows(test.db, 'products'), 11);
  });

  it('shows shoppers every product but the draft and the archived one', async () => {
    await seedDemoCatalogIfEmpty(test.db, test.ctx.config);

    const page = await listProducts(test.ctx, { limit: 100 });

    assert.equal(page.items.length, 9);
    assert.ok(!page.items.some((item) => item.handle === 'winter-blend-preview'));
    assert.ok(
      page.items.some((item) => !item.available),
      'one product is sold out',
    );
  });

  it('has three product types', async () => {
    await seedDemoCatalogIfEmpty(test.db, test.ctx.config);

    const { types, tags } = await listCollections(test.ctx);

    assert.equal(types.length, 3);
    assert.ok(tags.length >= 5);
  });

  it('leaves a store with products alone', async () => {
    await seedDemoCatalogIfEmpty(test.db, test.ctx.config);
    await test.db.kysely.deleteFrom('products').where('handle', '!=', 'glass-teapot').execute();

    const seeded = await seedDemoCatalogIfEmpty(test.db, test.ctx.config);

    assert.equal(seeded, false);
    assert.equal(await countRows(test.db, 'products'), 1);
  });

  it('imports in a currency without decimals', async () => {
    const yen = await openCatalogTestDb('JPY');
    try {
      assert.equal(await seedDemoCatalogIfEmpty(yen.db, yen.ctx.config), true);
      const page = await listProducts(yen.ctx, { limit: 1 });
      assert.equal(page.items[0]?.currency, 'JPY');
      assert.equal(page.items[0]?.priceMinMinor, 7);
    } finally {
      await yen.db.close();
    }
  });
});
