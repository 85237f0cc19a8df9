import type { ImageRow, VariantRow } from '../db/schema.js';
import type { ProductImage, VariantView } from './catalog.service.js';

/** Tracked variants with this many units or fewer show as low stock. */
export const lowStockThreshold = 5;

/** Shopify's name for the single variant of a product without options. */
const defaultVariantTitle = 'Default Title';

type StockFields = Pick<
  VariantRow,
  'inventory_tracked' | 'inventory_quantity' | 'inventory_policy'
>;

/**
 * Tells whether a variant can be bought. Only tracked stock at 0 or below with policy deny
 * cannot be.
 */
export function isAvailable(variant: StockFields): boolean {
  if (!variant.inventory_tracked || variant.inventory_policy === 'continue') return true;
  return variant.inventory_quantity > 0;
}

export function stockState(variant: StockFields): VariantView['stock'] {
  if (!variant.inventory_tracked) return 'untracked';
  if (variant.inventory_quantity <= 0) {
    return variant.inventory_policy === 'continue' ? 'backorder' : 'sold_out';
  }
  return variant.inventory_quantity <= lowStockThreshold ? 'low_stock' : 'in_stock';
}

type OptionFields = Pick<VariantRow, 'option1' | 'option2' | 'option3'>;

/** Returns the variant's option values in order, or none for Shopify's "Default Title" variant. */
export function optionValues(variant: OptionFields): string[] {
  const values = [variant.option1, variant.option2, variant.option3].filter(
    (value): value is string => value !== null && value !== '',
  );
  return values.length === 1 && values[0] === defaultVariantTitle ? [] : values;
}

/** "Red / M", or the product title for a variant without options. */
export function variantTitle(variant: OptionFields, productTitle: string): string {
  const values = optionValues(variant);
  return values.length > 0 ? values.join(' / ') : productTitle;
}

export function toVariantView(variant: VariantRow, productTitle: string): VariantView {
  return {
    id: variant.id,
    title: variantTitle(variant, productTitle),
    sku: variant.sku,
    options: optionValues(variant),
    priceMinor: variant.price_minor,
    compareAtMinor: variant.compare_at_minor,
    available: isAvailable(variant),
    stock: stockState(variant),
    imageSrc: variant.image_src,
  };
}

export function toImage(image: Pick<ImageRow, 'src' | 'alt'>): ProductImage {
  return { src: image.src, alt: image.alt };
}

/**
 * Option names with their values in the order variants first use them. Options whose variants
 * carry no value, such as the "Title" option of a product without options, are left out.
 */
export function collectOptions(
  names: (string | null)[],
  variants: OptionFields[],
): { name: string; values: string[] }[] {
  const options: { name: string; values: string[] }[] = [];
  const withOptions = variants.filter((variant) => optionValues(variant).length > 0);

  names.forEach((name, slot) => {
    const values = new Set<string>();
    for (const variant of withOptions) {
      const value = [variant.option1, variant.option2, variant.option3][slot];
      if (value) values.add(value);
    }
    if (values.size > 0) options.push({ name: name ?? `Option ${slot + 1}`, values: [...values] });
  });
  return options;
}

/** Price range, the compare-at price of the cheapest variant, and availability. */
export function summarisePrices(variants: VariantRow[]) {
  const cheapest = variants.reduce<VariantRow | undefined>(
    (best, variant) =>
      best === undefined || variant.price_minor < best.price_minor ? variant : best,
    undefined,
  );
  return {
    priceMinMinor: cheapest?.price_minor ?? 0,
    priceMaxMinor: Math.max(0, ...variants.map((variant) => variant.price_minor)),
    compareAtMinor: cheapest?.compare_at_minor ?? null,
    available: variants.some(isAvailable),
  };
}
