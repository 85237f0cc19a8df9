/** The columns of a Shopify export that the import tests fill in. */
export const testColumns = [
  'Handle',
  'Title',
  'Body (HTML)',
  'Vendor',
  'Type',
  'Tags',
  'Published',
  'Option1 Name',
  'Option1 Value',
  'Option2 Name',
  'Option2 Value',
  'Variant SKU',
  'Variant Grams',
  'Variant Inventory Tracker',
  'Variant Inventory Qty',
  'Variant Inventory Policy',
  'Variant Price',
  'Variant Compare At Price',
  'Image Src',
  'Image Position',
  'Status',
];

export type TestRow = Record<string, string>;

/** Returns the first row of a simple product with one variant, with `overrides` applied. */
export function productRow(handle: string, overrides: TestRow = {}): TestRow {
  return {
    Handle: handle,
    Title: `Title of ${handle}`,
    'Body (HTML)': `<p>About ${handle}</p>`,
    Vendor: 'Test Vendor',
    Type: 'Things',
    Tags: 'alpha, beta',
    Published: 'true',
    'Option1 Name': 'Title',
    'Option1 Value': 'Default Title',
    'Variant SKU': `SKU-${handle}`,
    'Variant Grams': '100',
    'Variant Inventory Tracker': 'shopify',
    'Variant Inventory Qty': '10',
    'Variant Inventory Policy': 'deny',
    'Variant Price': '10.00',
    Status: 'active',
    ...overrides,
  };
}

/** Returns a continuation row that adds a variant to `handle`. */
export function variantRow(handle: string, value: string, overrides: TestRow = {}): TestRow {
  return {
    Handle: handle,
    'Option1 Value': value,
    'Variant SKU': `SKU-${handle}-${value}`,
    'Variant Inventory Tracker': 'shopify',
    'Variant Inventory Qty': '5',
    'Variant Inventory Policy': 'deny',
    'Variant Price': '12.00',
    ...overrides,
  };
}

/** Returns a continuation row that adds an image to `handle`. */
export function imageRow(handle: string, src: string, position = ''): TestRow {
  return { Handle: handle, 'Image Src': src, 'Image Position': position };
}

/**
 * Writes rows as CSV the way Shopify does: every field that contains a comma, quote or line break
 * is quoted with quotes doubled. Missing columns are empty.
 */
export function toCsv(rows: TestRow[], options: { columns?: string[]; eol?: string } = {}): string {
  const columns = options.columns ?? testColumns;
  const eol = options.eol ?? '\n';
  const lines = [columns, ...rows.map((row) => columns.map((column) => row[column] ?? ''))];
  return lines.map((fields) => fields.map(quote).join(',')).join(eol) + eol;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
