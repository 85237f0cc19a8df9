import { findPurchasableVariants, type PurchasableVariant } from '../catalog/catalog.service.js';
import type { CartLineRow } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { nowIso, randomId } from '../server/ids.js';
import { type CartView, createCart, getCart, maxLinesPerCart } from './cart.service.js';

export interface CartItem {
  variantId: string;
  quantity: number;
}

export interface CopiedCart {
  cart: CartView;
  /** Items left out because they are no longer sold or out of stock, or put in with less. */
  shortened: number;
}

/**
 * Creates an open cart for the visitor holding `items` at current catalog prices, as far as the
 * catalog still allows. Variants no longer sold or sold out are skipped; quantities are cut to
 * the stock a deny policy leaves and to MAX_QUANTITY. Counts against the cart creation limit
 * like createCart. Runs in the caller's transaction when `ctx.db` is one.
 */
export async function createCartWithItems(
  ctx: ServiceContext,
  items: readonly CartItem[],
): Promise<CopiedCart> {
  const cart = await createCart(ctx);
  const variants = await findPurchasableVariants(
    ctx,
    items.map((item) => item.variantId),
  );

  const lines: CartLineRow[] = [];
  for (const item of items.slice(0, maxLinesPerCart)) {
    const variant = variants.get(item.variantId);
    const quantity = variant ? allowedQuantity(ctx, variant, item.quantity) : 0;
    if (!variant || quantity < 1 || lines.some((line) => line.variant_id === variant.id)) continue;

    lines.push({
      id: randomId(),
      cart_id: cart.id,
      variant_id: variant.id,
      quantity,
      created_at: nowIso(),
    });
  }
  if (lines.length > 0) await ctx.db.insertInto('cart_lines').values(lines).execute();

  const copied = await getCart(ctx, cart.id);
  const restored = new Map(copied.lines.map((line) => [line.variantId, line.quantity]));
  const shortened = items.filter(
    (item) => (restored.get(item.variantId) ?? 0) < item.quantity,
  ).length;
  return { cart: copied, shortened };
}

function allowedQuantity(
  ctx: ServiceContext,
  variant: PurchasableVariant,
  requested: number,
): number {
  const limit = Math.min(requested, ctx.config.maxQuantity);
  if (!variant.inventoryTracked || variant.inventoryPolicy !== 'deny') return limit;
  return Math.min(limit, Math.max(variant.inventoryQuantity, 0));
}
