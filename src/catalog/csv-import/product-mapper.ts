import type { InventoryPolicy, ProductStatus } from '../../db/schema.js';
import type { CsvRow } from './columns.js';
import { fieldLimits, RowFields } from './fields.js';
import { htmlToText, sanitizeBodyHtml } from './html.js';
import type { ImageDraft, OptionTriple, ProductDraft, VariantDraft } from './product-draft.js';

/** One CSV record with the physical line it starts on. */
export interface SourceRow {
  line: number;
  row: CsvRow;
}

export interface RowIssue {
  line: number;
  message: string;
}

export type MapResult = { ok: true; draft: ProductDraft } | { ok: false; issues: RowIssue[] };

const statuses: readonly ProductStatus[] = ['active', 'draft', 'archived'];
const policies: readonly InventoryPolicy[] = ['deny', 'continue'];
const optionKeys = [
  ['option1Name', 'option1Value'],
  ['option2Name', 'option2Value'],
  ['option3Name', 'option3Value'],
] as const;

/**
 * Maps the consecutive rows of one handle to a product. Product fields come from the first
 * row. Every row may add a variant (a row with a Variant Price or an option value) and an
 * image. Any invalid value fails the whole product, and each problem becomes one issue.
 */
export function mapProduct(handle: string, rows: SourceRow[], currencyExponent: number): MapResult {
  const issues: RowIssue[] = [];
  const [first] = rows;
  if (!first) return { ok: false, issues: [{ line: 0, message: 'the product has no rows' }] };

  const product = readProductFields(handle, first, issues);
  const variants = readVariants(rows, currencyExponent, issues);
  const images = readImages(rows, issues);

  if (variants.length === 0) {
    issues.push({
      line: first.line,
      message: 'the product has no variant row (none has a Variant Price or an option value)',
    });
  }
  issues.push(...findRepeatedOptions(variants));

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, draft: { ...product, variants, images } };
}

/** Tells a variant row from an image-only continuation row. */
export function isVariantRow(row: CsvRow): boolean {
  return [row.price, row.option1Value, row.option2Value, row.option3Value].some(
    (value) => value !== undefined && value.trim() !== '',
  );
}

type ProductFields = Omit<ProductDraft, 'variants' | 'images'>;

function readProductFields(handle: string, source: SourceRow, issues: RowIssue[]): ProductFields {
  const fields = new RowFields(source.row);
  checkHandle(handle, fields);

  const title = fields.line('title');
  if (!fields.has('title')) fields.fail("Title is missing on the product's first row");

  const bodyHtml = sanitizeBodyHtml(fields.document('bodyHtml', fieldLimits.bodyBytes));
  const product: ProductFields = {
    handle,
    title,
    bodyHtml,
    bodyText: htmlToText(bodyHtml),
    vendor: fields.line('vendor'),
    productType: fields.line('type') || categoryLeaf(fields.line('productCategory', 1000)),
    tags: readTags(fields),
    status: fields.choice('status', statuses, 'active'),
    // Shopify's product CSV documentation: leaving Published blank publishes the product.
    published: fields.flag('published', true),
    optionNames: optionKeys.map(([name]) => fields.line(name) || null) as OptionTriple,
  };

  collect(issues, source.line, fields);
  return product;
}

function checkHandle(handle: string, fields: RowFields): void {
  if (handle.length > fieldLimits.handle) {
    fields.fail(`Handle is longer than ${fieldLimits.handle} characters`);
  } else if (/[\s\p{Cc}/\\]/u.test(handle)) {
    fields.fail('Handle contains a space, a control character or a slash');
  }
}

/** "Apparel & Accessories > … > Wigs" → "Wigs"; newer exports carry no Type for some products. */
function categoryLeaf(category: string): string {
  const leaf = category.split('>').at(-1)?.trim() ?? '';
  return leaf.toLowerCase() === 'uncategorized' ? '' : leaf;
}

function readTags(fields: RowFields): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];

  for (const part of fields.raw('tags').split(',')) {
    const tag = part.replace(/[\s\p{Cc}]+/gu, ' ').trim();
    if (tag === '' || seen.has(tag.toLowerCase())) continue;
    if (tag.length > fieldLimits.text) {
      fields.fail(`a tag in Tags is longer than ${fieldLimits.text} characters`);
      return [];
    }
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }

  if (tags.length > fieldLimits.tags) {
    fields.fail(`Tags lists ${tags.length} tags; at most ${fieldLimits.tags} are allowed`);
    return [];
  }
  return tags;
}

function readVariants(rows: SourceRow[], exponent: number, issues: RowIssue[]): VariantDraft[] {
  const variants: VariantDraft[] = [];
  for (const source of rows) {
    if (!isVariantRow(source.row)) continue;
    variants.push(readVariant(source, variants.length + 1, exponent, issues));
  }
  return variants;
}

function readVariant(
  source: SourceRow,
  position: number,
  exponent: number,
  issues: RowIssue[],
): VariantDraft {
  const fields = new RowFields(source.row);

  const priceMinor = fields.money('price', exponent);
  if (priceMinor === undefined && !fields.has('price')) fields.fail('Variant Price is missing');
  const compareAtMinor = fields.money('compareAtPrice', exponent) ?? null;
  const price = priceMinor ?? 0;

  // Only Shopify-tracked stock is counted here. A third-party tracker (a fulfilment app) keeps
  // the stock elsewhere, so the shop treats those variants as untracked.
  const inventoryTracked = fields.raw('inventoryTracker').toLowerCase() === 'shopify';

  const variant: VariantDraft = {
    position,
    line: source.line,
    sku: fields.line('sku'),
    options: optionKeys.map(([, value]) => fields.line(value) || null) as OptionTriple,
    priceMinor: price,
    compareAtMinor: compareAtMinor !== null && compareAtMinor > price ? compareAtMinor : null,
    grams: fields.grams('grams'),
    barcode: fields.line('barcode'),
    taxable: fields.flag('taxable', true),
    requiresShipping: fields.flag('requiresShipping', true),
    inventoryTracked,
    // Newer exports have no quantity column; missing stock counts as none.
    inventoryQuantity: fields.integer('inventoryQuantity') ?? 0,
    inventoryPolicy: fields.choice('inventoryPolicy', policies, 'deny'),
    imageSrc: fields.url('variantImage') ?? null,
  };

  collect(issues, source.line, fields);
  return variant;
}

function readImages(rows: SourceRow[], issues: RowIssue[]): ImageDraft[] {
  const bySrc = new Map<string, { order: number; position: number | undefined; alt: string }>();

  for (const source of rows) {
    const fields = new RowFields(source.row);
    const src = fields.url('imageSrc');
    const position = fields.position('imagePosition');
    const alt = fields.line('imageAlt', fieldLimits.alt);
    collect(issues, source.line, fields);

    if (src === undefined) continue;
    const known = bySrc.get(src);
    if (known) {
      known.alt ||= alt;
      continue;
    }
    bySrc.set(src, { order: bySrc.size, position, alt });
  }

  return [...bySrc]
    .sort(
      ([, a], [, b]) => (a.position ?? Infinity) - (b.position ?? Infinity) || a.order - b.order,
    )
    .map(([src, image], index) => ({ position: index + 1, src, alt: image.alt }));
}

function findRepeatedOptions(variants: VariantDraft[]): RowIssue[] {
  const firstLineByKey = new Map<string, number>();
  const issues: RowIssue[] = [];

  for (const variant of variants) {
    const key = JSON.stringify(variant.options.map((value) => value?.toLowerCase() ?? null));
    const earlier = firstLineByKey.get(key);
    if (earlier === undefined) {
      firstLineByKey.set(key, variant.line);
    } else {
      issues.push({
        line: variant.line,
        message: `the variant repeats the option values of the variant on line ${earlier}`,
      });
    }
  }
  return issues;
}

function collect(issues: RowIssue[], line: number, fields: RowFields): void {
  for (const message of fields.issues) issues.push({ line, message });
}
