import { findPurchasableVariants, type PurchasableVariant } from '../catalog/catalog.service.js';
import type { CartLineRow } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { nowIso, randomId } from '../server/ids.js';
import {
  type CartView,
  createCart,
  findOpenCartForVisitor,
  getCart,
  maxLinesPerCart,
} from './cart.service.js';

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
 * Puts `items` at current catalog prices into the visitor's open cart, or into a new one when
 * the visitor has none, so a second "Return to cart" never hides what the shopper added since.
 * An item already in the cart keeps the larger of the two quantities, so returning the same
 * order twice (a double click, a second tab) does not double it. Variants no longer sold or
 * sold out are skipped; quantities are cut to the stock a deny policy leaves and to
 * MAX_QUANTITY. A new cart counts against the cart creation limit like createCart. Runs in the
 * caller's transaction when `ctx.db` is one.
 */
export async function createCartWithItems(
  ctx: ServiceContext,
  items: readonly CartItem[],
): Promise<CopiedCart> {
  const cart = (await findOpenCartForVisitor(ctx)) ?? (await createCart(ctx));
  const current = new Map(cart.lines.map((line) => [line.variantId, line]));
  const variants = await findPurchasableVariants(
    ctx,
    items.map((item) => item.variantId),
  );

  let lineCount = cart.lines.length;
  const seen = new Set<string>();
  for (const item of items) {
    const variant = variants.get(item.variantId);
    if (!variant || seen.has(variant.id)) continue;
    seen.add(variant.id);

    const line = current.get(variant.id);
    const quantity = allowedQuantity(ctx, variant, Math.max(line?.quantity ?? 0, item.quantity));
    if (line) {
      if (quantity > line.quantity) await setLineQuantity(ctx, line.id, quantity);
    } else if (quantity >= 1 && lineCount < maxLinesPerCart) {
      await insertLine(ctx, cart.id, variant.id, quantity);
      lineCount += 1;
    }
  }
  await ctx.db
    .updateTable('carts')
    .set({ updated_at: nowIso() })
    .where('id', '=', cart.id)
    .execute();

  const copied = await getCart(ctx, cart.id);
  const restored = new Map(copied.lines.map((line) => [line.variantId, line.quantity]));
  const shortened = items.filter(
    (item) => (restored.get(item.variantId) ?? 0) < item.quantity,
  ).length;
  return { cart: copied, shortened };
}

async function setLineQuantity(ctx: ServiceContext, lineId: string, quantity: number) {
  await ctx.db.updateTable('cart_lines').set({ quantity }).where('id', '=', lineId).execute();
}

async function insertLine(
  ctx: ServiceContext,
  cartId: string,
  variantId: string,
  quantity: number,
): Promise<void> {
  const line: CartLineRow = {
    id: randomId(),
    cart_id: cartId,
    variant_id: variantId,
    quantity,
    created_at: nowIso(),
  };
  await ctx.db.insertInto('cart_lines').values(line).execute();
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
