/**
 * The Shopify product CSV columns the importer reads, keyed by the name used in code. Exports
 * carry many more columns (SEO, Google Shopping, metafields, market prices); those are ignored.
 */
export const columnNames = {
  handle: 'Handle',
  title: 'Title',
  bodyHtml: 'Body (HTML)',
  vendor: 'Vendor',
  type: 'Type',
  productCategory: 'Product Category',
  tags: 'Tags',
  published: 'Published',
  option1Name: 'Option1 Name',
  option1Value: 'Option1 Value',
  option2Name: 'Option2 Name',
  option2Value: 'Option2 Value',
  option3Name: 'Option3 Name',
  option3Value: 'Option3 Value',
  sku: 'Variant SKU',
  grams: 'Variant Grams',
  inventoryTracker: 'Variant Inventory Tracker',
  inventoryQuantity: 'Variant Inventory Qty',
  inventoryPolicy: 'Variant Inventory Policy',
  price: 'Variant Price',
  compareAtPrice: 'Variant Compare At Price',
  requiresShipping: 'Variant Requires Shipping',
  taxable: 'Variant Taxable',
  barcode: 'Variant Barcode',
  imageSrc: 'Image Src',
  imagePosition: 'Image Position',
  imageAlt: 'Image Alt Text',
  variantImage: 'Variant Image',
  status: 'Status',
} as const;

export type ColumnKey = keyof typeof columnNames;

/** One CSV record with the known columns picked out; absent columns read as undefined. */
export type CsvRow = { readonly [key in ColumnKey]?: string };

/** Position of each known column in a record. */
export type ColumnIndex = ReadonlyMap<ColumnKey, number>;

export type HeaderResult = { ok: true; index: ColumnIndex } | { ok: false; reason: string };

const keysByName = new Map<string, ColumnKey>(
  Object.entries(columnNames).map(([key, name]) => [name.toLowerCase(), key as ColumnKey]),
);

/**
 * Reads the header record. Names are matched case-insensitively after trimming. A file without
 * Handle or Title, or with a known column twice, is rejected because its rows cannot be read
 * unambiguously.
 */
export function readHeader(fields: readonly string[]): HeaderResult {
  const index = new Map<ColumnKey, number>();

  for (const [position, field] of fields.entries()) {
    const key = keysByName.get(field.trim().toLowerCase());
    if (key === undefined) continue;
    if (index.has(key)) {
      return { ok: false, reason: `the header names the column "${columnNames[key]}" twice` };
    }
    index.set(key, position);
  }

  for (const required of ['handle', 'title'] as const) {
    if (!index.has(required)) {
      return { ok: false, reason: `the header has no "${columnNames[required]}" column` };
    }
  }
  return { ok: true, index };
}

/** Picks the known columns out of one record. */
export function toRow(fields: readonly string[], index: ColumnIndex): CsvRow {
  const row: { [key in ColumnKey]?: string } = {};
  for (const [key, position] of index) {
    row[key] = fields[position];
  }
  return row;
}
