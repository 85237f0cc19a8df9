import assert from 'node:assert/strict';
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { listProducts } from '../catalog.service.js';
import {
  type CatalogTestDb,
  countRows,
  openCatalogTestDb,
  readExpectedCounts,
  sharedCatalogsDir,
} from '../test-context.js';
import { importProductCsv, type ImportReport } from './importer.js';

const expectedByFile = readExpectedCounts();
const files = readdirSync(sharedCatalogsDir)
  .filter((name) => name.endsWith('.csv'))
  .sort();

async function importFile(test: CatalogTestDb, file: string): Promise<ImportReport> {
  const stream = createReadStream(join(sharedCatalogsDir, file));
  return importProductCsv(test.db.kysely, stream, { currency: test.ctx.config.currency });
}

async function countVisibleProducts(test: CatalogTestDb): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await listProducts(test.ctx, { limit: 100, cursor });
    total += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return total;
}

async function variantIds(test: CatalogTestDb): Promise<string[]> {
  const rows = await test.db.kysely.selectFrom('variants').select('id').orderBy('id').execute();
  return rows.map((row) => row.id);
}

it('has expected counts for every shared export', () => {
  assert.ok(files.length >= 5, `found ${files.length} CSV files in ${sharedCatalogsDir}`);
  for (const file of files) assert.ok(expectedByFile[file], `SOURCES.md lists ${file}`);
});

for (const file of files) {
  describe(`importing ${file}`, () => {
    const expected = expectedByFile[file];
    let test: CatalogTestDb;
    let first: ImportReport;

    before(async () => {
      test = await openCatalogTestDb();
      first = await importFile(test, file);
    });
    after(() => test.db.close());

    it('reports no problems', () => {
      assert.deepEqual(first.issues, []);
      assert.equal(first.fatal, null);
      assert.equal(first.skippedRows, 0);
    });

    it('stores one product per handle', async () => {
      assert.equal(first.products, expected?.handles);
      assert.equal(await countRows(test.db, 'products'), expected?.handles);
    });

    it('stores every variant row', async () => {
      assert.equal(first.variants, expected?.variant_rows);
      assert.equal(await countRows(test.db, 'variants'), expected?.variant_rows);
    });

    it('stores every distinct image', async () => {
      assert.equal(first.images, expected?.distinct_handle_image_pairs);
      assert.equal(await countRows(test.db, 'images'), expected?.distinct_handle_image_pairs);
    });

    it('shows shoppers only active published products', async () => {
      assert.equal(await countVisibleProducts(test), expected?.visible_products);
    });

    it('updates in place when imported again', async () => {
      const idsBefore = await variantIds(test);

      const second = await importFile(test, file);

      assert.equal(second.issueCount, 0);
      assert.equal(second.created, 0);
      assert.equal(second.updated, expected?.handles);
      assert.equal(await countRows(test.db, 'products'), expected?.handles);
      assert.equal(await countRows(test.db, 'variants'), expected?.variant_rows);
      assert.equal(await countRows(test.db, 'images'), expected?.distinct_handle_image_pairs);
      assert.equal(await countVisibleProducts(test), expected?.visible_products);
      assert.deepEqual(await variantIds(test), idsBefore, 'variants keep their ids');
    });
  });
}
