import type { InventoryPolicy, ProductStatus } from '../../db/schema.js';

/** Three option slots, as Shopify products have; unused slots are null. */
export type OptionTriple = [string | null, string | null, string | null];

/**
 * A product read from the CSV and checked, ready to be written. Text is kept as imported,
 * including cells that start with =, +, - or @.
 *
 * NOTE: spreadsheets run such cells as formulas, so a future CSV export must escape them (for
 * example with a leading apostrophe) before the file reaches anyone's spreadsheet.
 */
export interface ProductDraft {
  handle: string;
  title: string;
  bodyHtml: string;
  bodyText: string;
  vendor: string;
  productType: string;
  /** Tags as written, in order, without duplicates (compared case-insensitively). */
  tags: string[];
  status: ProductStatus;
  published: boolean;
  optionNames: OptionTriple;
  variants: VariantDraft[];
  images: ImageDraft[];
}

export interface VariantDraft {
  /** 1-based order of the variant rows in the file. */
  position: number;
  /** Physical line in the file, for messages. */
  line: number;
  sku: string;
  options: OptionTriple;
  priceMinor: number;
  /** Only kept when higher than the price; a lower "compare at" price is no discount. */
  compareAtMinor: number | null;
  grams: number;
  barcode: string;
  taxable: boolean;
  requiresShipping: boolean;
  inventoryTracked: boolean;
  inventoryQuantity: number;
  inventoryPolicy: InventoryPolicy;
  imageSrc: string | null;
}

export interface ImageDraft {
  /** 1-based display order. */
  position: number;
  src: string;
  alt: string;
}
