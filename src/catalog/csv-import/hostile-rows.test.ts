import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { getProductByHandle, listProducts } from '../catalog.service.js';
import { type CatalogTestDb, countRows, openCatalogTestDb } from '../test-context.js';
import {
  imageRow,
  productRow,
  type TestRow,
  testColumns,
  toCsv,
  variantRow,
} from './csv-fixture.js';
import { importProductCsv, type ImportReport } from './importer.js';

let test: CatalogTestDb;

beforeEach(async () => {
  test = await openCatalogTestDb();
});
afterEach(() => test.db.close());

function importCsv(csv: string | Buffer | Readable): Promise<ImportReport> {
  return importProductCsv(test.db.kysely, csv, { currency: 'USD' });
}

function importRows(rows: TestRow[]): Promise<ImportReport> {
  return importCsv(toCsv(rows));
}

async function storedHandles(): Promise<string[]> {
  const rows = await test.db.kysely
    .selectFrom('products')
    .select('handle')
    .orderBy('handle')
    .execute();
  return rows.map((row) => row.handle);
}

async function storedProduct(handle: string) {
  return test.db.kysely
    .selectFrom('products')
    .selectAll()
    .where('handle', '=', handle)
    .executeTakeFirstOrThrow();
}

function issueLines(report: ImportReport): number[] {
  return report.issues.map((issue) => issue.line);
}

describe('importer with bad rows', () => {
  it('reports a bad price with its line and imports the other products', async () => {
    const report = await importRows([
      productRow('first'),
      productRow('second', { 'Variant Price': '12,50' }),
      productRow('third'),
    ]);

    assert.deepEqual(await storedHandles(), ['first', 'third']);
    assert.deepEqual(issueLines(report), [3]);
    assert.equal(report.issues[0]?.handle, 'second');
    assert.match(report.issues[0]?.message ?? '', /Variant Price is invalid/);
    assert.equal(report.skippedRows, 1);
  });

  it('imports nothing of a product with one bad variant row', async () => {
    const report = await importRows([
      productRow('shirt', { 'Option1 Name': 'Size', 'Option1 Value': 'S' }),
      variantRow('shirt', 'M'),
      variantRow('shirt', 'L', { 'Variant Price': '1e3' }),
      productRow('socks'),
    ]);

    assert.deepEqual(await storedHandles(), ['socks']);
    assert.equal(await countRows(test.db, 'variants'), 1);
    assert.deepEqual(issueLines(report), [4]);
    assert.equal(report.skippedRows, 3);
  });

  it('leaves a stored product unchanged when its new version is rejected', async () => {
    await importRows([productRow('shirt', { Title: 'Old title' })]);

    const report = await importRows([
      productRow('shirt', { Title: 'New title', 'Variant Price': '-5.00' }),
    ]);

    assert.equal(report.issueCount, 1);
    assert.equal((await storedProduct('shirt')).title, 'Old title');
  });

  const badValues: [string, TestRow, RegExp][] = [
    [
      'an unknown inventory policy',
      { 'Variant Inventory Policy': 'sometimes' },
      /Inventory Policy "sometimes" is unknown/,
    ],
    [
      'a quantity that is not an integer',
      { 'Variant Inventory Qty': '2.5' },
      /Inventory Qty "2.5" is not a whole number/,
    ],
    [
      'a missing price',
      { 'Variant Price': '', 'Option1 Value': 'Red' },
      /Variant Price is missing/,
    ],
    ['a price with too many decimals', { 'Variant Price': '10.001' }, /more than 2 decimal places/],
    [
      'a negative compare-at price',
      { 'Variant Compare At Price': '-1' },
      /Compare At Price is invalid/,
    ],
    ['weight that is not a number', { 'Variant Grams': 'heavy' }, /Grams "heavy" is not a weight/],
    ['an unknown status', { Status: 'deleted' }, /Status "deleted" is unknown/],
    [
      'a Published value that is not true or false',
      { Published: 'yes' },
      /Published must be true or false/,
    ],
    ['a missing title', { Title: '' }, /Title is missing/],
    [
      'a javascript: image URL',
      { 'Image Src': 'javascript:alert(1)' },
      /Image Src .* is not an http or https URL/,
    ],
    [
      'a data: image URL',
      { 'Image Src': 'data:image/png;base64,AAAA' },
      /not an http or https URL/,
    ],
    [
      'an image URL with a line break',
      { 'Image Src': 'https://cdn.test/a\n.png' },
      /not an http or https URL/,
    ],
    [
      'an image position of zero',
      { 'Image Src': 'https://cdn.test/a.png', 'Image Position': '0' },
      /Image Position "0"/,
    ],
    ['a handle with a slash', { Handle: 'a/b' }, /Handle contains/],
    ['a handle with an escape character', { Handle: 'a\u001b[31mred' }, /Handle contains/],
  ];
  for (const [what, overrides, message] of badValues) {
    it(`rejects ${what}`, async () => {
      const report = await importRows([productRow('good'), productRow('bad', overrides)]);

      assert.deepEqual(await storedHandles(), ['good']);
      assert.deepEqual(issueLines(report), [3]);
      assert.match(report.issues[0]?.message ?? '', message);
    });
  }

  it('rejects a product whose variants repeat the same options', async () => {
    const report = await importRows([
      productRow('shirt', { 'Option1 Name': 'Size', 'Option1 Value': 'M' }),
      variantRow('shirt', 'm'),
    ]);

    assert.equal(await countRows(test.db, 'products'), 0);
    assert.deepEqual(issueLines(report), [3]);
    assert.match(
      report.issues[0]?.message ?? '',
      /repeats the option values of the variant on line 2/,
    );
  });

  it('rejects a handle whose rows are not consecutive', async () => {
    const report = await importRows([productRow('a'), productRow('b'), productRow('a')]);

    assert.deepEqual(await storedHandles(), ['a', 'b']);
    assert.deepEqual(issueLines(report), [4]);
    assert.match(report.issues[0]?.message ?? '', /already appeared on line 2/);
  });

  it('rejects a row without a handle', async () => {
    const report = await importRows([productRow('a'), { ...productRow(''), Title: 'Orphan' }]);

    assert.deepEqual(await storedHandles(), ['a']);
    assert.deepEqual(issueLines(report), [3]);
    assert.match(report.issues[0]?.message ?? '', /Handle is missing/);
  });

  it('rejects a product without a variant row', async () => {
    const report = await importRows([
      { Handle: 'only-image', Title: 'Only an image', 'Image Src': 'https://cdn.test/a.png' },
    ]);

    assert.equal(await countRows(test.db, 'products'), 0);
    assert.match(report.issues[0]?.message ?? '', /no variant row/);
  });
});

describe('importer with hostile cells', () => {
  it('stores formula-like cells as plain text', async () => {
    const formulas = {
      Title: '=HYPERLINK("https://evil.test","Click")',
      Vendor: "+cmd|' /C calc'!A0",
      Tags: '-2+3, @SUM(A1:A9)',
      'Variant SKU': '=1+1',
    };

    const report = await importRows([productRow('formula', formulas)]);

    assert.equal(report.issueCount, 0);
    const product = await storedProduct('formula');
    assert.equal(product.title, formulas.Title);
    assert.equal(product.vendor, formulas.Vendor);
    assert.equal(product.tags, '-2+3, @SUM(A1:A9)');
    const variant = await test.db.kysely
      .selectFrom('variants')
      .select('sku')
      .executeTakeFirstOrThrow();
    assert.equal(variant.sku, '=1+1');
  });

  it('strips scripts, iframes, handlers and javascript: links from bodies', async () => {
    const body =
      '<p onclick="steal()">Nice <a href="javascript:alert(1)">bike</a></p>' +
      '<script>window.adminAccountId=42</script><iframe src="https://evil.test"></iframe>' +
      '<img src="x" onerror="alert(1)"><img src="https://cdn.test/ok.png">';

    await importRows([productRow('bike', { 'Body (HTML)': body })]);

    const product = await storedProduct('bike');
    assert.equal(product.body_html, '<p>Nice <a>bike</a></p><img src="https://cdn.test/ok.png" />');
    assert.equal(product.body_text, 'Nice bike');
  });

  it('rejects a 10,000-character title with its line', async () => {
    const report = await importRows([
      productRow('ok'),
      productRow('long', { Title: 'x'.repeat(10_000) }),
    ]);

    assert.deepEqual(await storedHandles(), ['ok']);
    assert.deepEqual(issueLines(report), [3]);
    assert.match(report.issues[0]?.message ?? '', /Title is longer than 255 characters \(10000\)/);
    assert.ok(
      (report.issues[0]?.message.length ?? 0) < 200,
      'the message does not repeat the value',
    );
  });

  it('rejects 10,000-character tags, SKUs and option values', async () => {
    const long = 'y'.repeat(10_000);

    const report = await importRows([
      productRow('tag', { Tags: long }),
      productRow('sku', { 'Variant SKU': long }),
      productRow('option', { 'Option1 Value': long }),
      productRow('image', { 'Image Src': `https://cdn.test/${long}` }),
    ]);

    assert.equal(await countRows(test.db, 'products'), 0);
    assert.deepEqual(issueLines(report), [2, 3, 4, 5]);
  });

  it('imports a 10,000-character body', async () => {
    const body = `<p>${'word '.repeat(2_000)}</p>`;

    const report = await importRows([productRow('long-body', { 'Body (HTML)': body })]);

    assert.equal(report.issueCount, 0);
    assert.equal((await storedProduct('long-body')).body_html, body);
  });

  it('rejects a body over 512 KiB', async () => {
    const report = await importRows([
      productRow('huge', { 'Body (HTML)': 'z'.repeat(512 * 1024 + 1) }),
    ]);

    assert.equal(await countRows(test.db, 'products'), 0);
    assert.match(report.issues[0]?.message ?? '', /larger than 512 KiB/);
  });

  it('ignores unknown columns', async () => {
    const columns = [...testColumns, 'Evil Column', '__proto__', 'SEO Title'];
    const row = {
      ...productRow('extra'),
      'Evil Column': '<script>',
      __proto__: 'x',
      'SEO Title': 'y',
    };

    const report = await importCsv(toCsv([row], { columns }));

    assert.equal(report.issueCount, 0);
    assert.deepEqual(await storedHandles(), ['extra']);
  });

  it('reads a file with a byte order mark and CRLF line endings', async () => {
    const body = '<p>line one</p>\r\n<p>line two</p>';
    const csv = toCsv(
      [
        productRow('crlf', { 'Body (HTML)': body }),
        productRow('crlf-bad', { 'Variant Price': 'free' }),
      ],
      { eol: '\r\n' },
    );

    const report = await importCsv(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]),
    );

    assert.deepEqual(await storedHandles(), ['crlf']);
    assert.equal((await storedProduct('crlf')).body_text, 'line one line two');
    assert.deepEqual(issueLines(report), [4], 'the body of line 2 spans two lines');
  });

  it('reports broken quoting and imports the products around it', async () => {
    const csv = [
      toCsv([productRow('before')]).trimEnd(),
      'broken,Broken "quote" title,,,,,true,Title,Default Title,,,,,,,deny,5.00,,,,active',
      toCsv([productRow('after')], { columns: testColumns })
        .split('\n')
        .slice(1)
        .join('\n'),
    ].join('\n');

    const report = await importCsv(csv);

    assert.deepEqual(await storedHandles(), ['after', 'before']);
    assert.deepEqual(issueLines(report), [3]);
    assert.equal(report.issues[0]?.handle, 'broken');
    assert.match(report.issues[0]?.message ?? '', /quote character sits inside a field/);
  });

  it('rejects the whole product when one of its rows has broken quoting', async () => {
    const rows = toCsv([
      productRow('shirt', { 'Option1 Name': 'Size', 'Option1 Value': 'S' }),
      variantRow('shirt', 'M'),
      productRow('socks'),
    ]).split('\n');
    rows[2] = 'shirt,,,,,,,,L"x,,,,,shopify,1,deny,5.00,,,,';

    const report = await importCsv(rows.join('\n'));

    assert.deepEqual(await storedHandles(), ['socks']);
    assert.deepEqual(issueLines(report), [3, 3]);
  });

  it('rejects the product that follows a broken row with its handle', async () => {
    const rows = toCsv([
      productRow('first'),
      productRow('shirt', { 'Option1 Name': 'Size', 'Option1 Value': 'S' }),
      variantRow('shirt', 'M'),
    ]).split('\n');
    rows[2] = 'shirt,The "best" shirt,,,,,true,Size,S,,,,,shopify,1,deny,5.00,,,,active';

    const report = await importCsv(rows.join('\n'));

    assert.deepEqual(await storedHandles(), ['first']);
    assert.deepEqual(issueLines(report), [3, 3]);
    assert.equal(report.skippedRows, 2);
  });

  it('rejects the last product when the stream fails', async () => {
    const csv = toCsv([productRow('complete'), productRow('cut-off')]);
    async function* failing() {
      yield Buffer.from(csv);
      throw new Error('connection reset');
    }

    const report = await importCsv(Readable.from(failing()));

    assert.deepEqual(await storedHandles(), ['complete']);
    assert.match(report.fatal?.message ?? '', /connection reset/);
    assert.match(report.issues[0]?.message ?? '', /file ended before this product was complete/);
  });

  it('reports an unclosed quote at its line and keeps the products before it', async () => {
    const lost = toCsv([productRow('lost', { Tags: 'alpha' })]).split('\n')[1];
    const csv = `${toCsv([productRow('before')])}open,"Never closed,,,\n${lost}\n`;

    const report = await importCsv(csv);

    assert.deepEqual(await storedHandles(), ['before']);
    assert.deepEqual(issueLines(report), [3]);
    assert.match(report.issues[0]?.message ?? '', /never closed/);
  });

  it('fails cleanly when the header has no Handle column', async () => {
    const report = await importCsv('Name,Title\nshirt,Shirt\n');

    assert.equal(report.fatal?.line, 1);
    assert.match(report.fatal?.message ?? '', /no "Handle" column/);
    assert.equal(await countRows(test.db, 'products'), 0);
  });
});

describe('importer visibility rules', () => {
  it('stores draft, archived and unpublished products without showing them', async () => {
    await importRows([
      productRow('active'),
      productRow('draft', { Status: 'draft' }),
      productRow('archived', { Status: 'archived' }),
      productRow('hidden', { Published: 'FALSE' }),
      productRow('blank-published', { Published: '' }),
    ]);

    const page = await listProducts(test.ctx, { limit: 100 });
    assert.equal(await countRows(test.db, 'products'), 5);
    assert.deepEqual(
      page.items.map((item) => item.handle),
      ['active', 'blank-published'],
    );
    assert.equal(await getProductByHandle(test.ctx, 'draft'), undefined);
    assert.equal(await getProductByHandle(test.ctx, 'hidden'), undefined);
  });

  it('reads prices, weights and stock exactly', async () => {
    await importRows([
      productRow('exact', {
        'Variant Price': '101.50',
        'Variant Compare At Price': '1099.00',
        'Variant Grams': '226.796185',
        'Variant Inventory Qty': '-3',
        'Variant Inventory Policy': 'continue',
      }),
      productRow('no-stock-column', { 'Variant Inventory Qty': '' }),
    ]);

    const variants = await test.db.kysely
      .selectFrom('variants')
      .innerJoin('products', 'products.id', 'variants.product_id')
      .select(['products.handle', 'price_minor', 'compare_at_minor', 'grams', 'inventory_quantity'])
      .orderBy('products.handle')
      .execute();
    assert.deepEqual(variants, [
      {
        handle: 'exact',
        price_minor: 10150,
        compare_at_minor: 109900,
        grams: 227,
        inventory_quantity: -3,
      },
      {
        handle: 'no-stock-column',
        price_minor: 1000,
        compare_at_minor: null,
        grams: 100,
        inventory_quantity: 0,
      },
    ]);
  });

  it('orders images by position and keeps each URL once', async () => {
    await importRows([
      productRow('pics', { 'Image Src': 'https://cdn.test/b.png', 'Image Position': '2' }),
      imageRow('pics', 'https://cdn.test/a.png', '1'),
      imageRow('pics', 'https://cdn.test/b.png', '3'),
      imageRow('pics', 'http://cdn.test/c.png'),
    ]);

    const product = await getProductByHandle(test.ctx, 'pics');
    assert.deepEqual(
      product?.images.map((image) => image.src),
      ['https://cdn.test/a.png', 'https://cdn.test/b.png', 'http://cdn.test/c.png'],
    );
  });
});
