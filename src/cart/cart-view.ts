import type { PurchasableVariant } from '../catalog/catalog.service.js';
import type { CartLineRow, CartRow } from '../db/schema.js';
import { itemCount, lineTotalMinor, subtotalMinor } from './pricing.js';

// What the cart API and pages show: catalog data priced for the quantities in the cart.

export interface CartLineView {
  id: string;
  variantId: string;
  handle: string;
  productTitle: string;
  variantTitle: string;
  sku: string;
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
  imageSrc: string | null;
  available: boolean;
}

export interface CartView {
  id: string;
  currency: string;
  status: 'open' | 'checked_out';
  lines: CartLineView[];
  subtotalMinor: number;
  itemCount: number;
}

/**
 * Tells whether the stock on hand covers a quantity. Only tracked variants that deny overselling
 * can fall short.
 */
export function stockCovers(variant: PurchasableVariant, quantity: number): boolean {
  if (!variant.inventoryTracked || variant.inventoryPolicy !== 'deny') return true;
  return variant.inventoryQuantity >= quantity;
}

/** The fields of a cart line the view needs; mutations pass lines they have not yet written. */
export type LineState = Pick<CartLineRow, 'id' | 'variant_id' | 'quantity'>;

type Variants = ReadonlyMap<string, PurchasableVariant>;

/**
 * Prices the cart from catalog data. Lines without a purchasable variant are left out. Raises
 * AMOUNT_OUT_OF_RANGE when the subtotal would pass MAX_MINOR_UNITS, which is why mutations
 * build the view before they write.
 */
export function toCartView(
  cart: CartRow,
  lines: readonly LineState[],
  variants: Variants,
): CartView {
  const views: CartLineView[] = [];
  for (const line of lines) {
    const variant = variants.get(line.variant_id);
    if (variant) views.push(toLineView(line, variant));
  }

  return {
    id: cart.id,
    currency: cart.currency,
    status: cart.status,
    lines: views,
    subtotalMinor: subtotalMinor(views),
    itemCount: itemCount(views),
  };
}

function toLineView(line: LineState, variant: PurchasableVariant): CartLineView {
  return {
    id: line.id,
    variantId: variant.id,
    handle: variant.handle,
    productTitle: variant.productTitle,
    variantTitle: variant.variantTitle,
    sku: variant.sku,
    unitPriceMinor: variant.priceMinor,
    quantity: line.quantity,
    lineTotalMinor: lineTotalMinor(variant.priceMinor, line.quantity),
    imageSrc: variant.imageSrc,
    available: stockCovers(variant, line.quantity),
  };
}
