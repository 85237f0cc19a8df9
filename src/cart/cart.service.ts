import type { Kysely } from 'kysely';

import { findPurchasableVariants, type PurchasableVariant } from '../catalog/catalog.service.js';
import type { CartLineRow, CartRow, Database } from '../db/schema.js';
import { enforceRateLimit } from '../defense/client-limits.js';
import type { ServiceContext } from '../server/context.js';
import { AppError, notFound } from '../server/errors.js';
import { nowIso, randomId } from '../server/ids.js';
import { type CartView, type LineState, stockCovers, toCartView } from './cart-view.js';
import { isOwnedByCaller, recordAccessDenied } from './ownership.js';

export type { CartLineView, CartView } from './cart-view.js';

/** Distinct variants one cart may hold, so a script cannot grow a cart without limit. */
export const maxLinesPerCart = 100;

type Variants = Map<string, PurchasableVariant>;

/**
 * Creates an empty open cart owned by the visitor in the context, and by the customer when one
 * is signed in, in the shop's currency. Every cart counts against the client's cart creation
 * limit, which raises RATE_LIMITED.
 */
export async function createCart(ctx: ServiceContext): Promise<CartView> {
  if (ctx.visitorHash === null) throw new Error('createCart needs a visitor; call ensureVisitor');
  enforceRateLimit(ctx, 'cartCreation');

  const now = nowIso();
  const cart: CartRow = {
    id: randomId(),
    visitor_hash: ctx.visitorHash,
    customer_id: ctx.customerId,
    currency: ctx.config.currency,
    status: 'open',
    created_at: now,
    updated_at: now,
  };
  await ctx.db.insertInto('carts').values(cart).execute();

  return toCartView(cart, [], new Map());
}

/**
 * Returns the caller's cart with current catalog prices. Lines whose variant is no longer sold
 * (deleted, unpublished, draft or archived since it was added) are left out of the view, and
 * deleted when the cart is still open. Raises NOT_FOUND for a missing cart and for someone
 * else's cart alike.
 */
export async function getCart(ctx: ServiceContext, cartId: string): Promise<CartView> {
  const cart = await loadOwnedCart(ctx, cartId);
  const lines = await readCartLines(ctx.db, cart.id);
  const variants = await findPurchasableVariants(ctx, variantIdsOf(lines));

  if (cart.status === 'open') await deleteLinesNoLongerSold(ctx.db, cart.id, lines, variants);
  return toCartView(cart, lines, variants);
}

/**
 * Returns the caller's most recently changed open cart, if any: one of the signed-in customer's
 * carts or a guest cart of the visitor cookie. A cart attached to a customer is never found
 * through the cookie alone, for the reason isOwnedByCaller gives.
 */
export async function findOpenCartForVisitor(ctx: ServiceContext): Promise<CartView | undefined> {
  const { customerId, visitorHash } = ctx;
  if (customerId === null && visitorHash === null) return undefined;

  const cart = await ctx.db
    .selectFrom('carts')
    .select('id')
    .where('status', '=', 'open')
    .where((eb) => {
      const owners = [];
      if (customerId !== null) owners.push(eb('customer_id', '=', customerId));
      if (visitorHash !== null) {
        owners.push(eb.and([eb('visitor_hash', '=', visitorHash), eb('customer_id', 'is', null)]));
      }
      return eb.or(owners);
    })
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return cart ? getCart(ctx, cart.id) : undefined;
}

/**
 * Adds a quantity of a variant, or adds it to the variant's existing line. The resulting line
 * quantity must stay within 1..MAX_QUANTITY and, for tracked variants that deny overselling,
 * within the stock on hand.
 */
export async function addLine(
  ctx: ServiceContext,
  cartId: string,
  input: { variantId: string; quantity: number },
): Promise<CartView> {
  ensureQuantityInRange(ctx, input.quantity);
  const cart = await loadOwnedCart(ctx, cartId);

  return ctx.db.transaction().execute(async (trx) => {
    await ensureCartOpen(trx, cart.id);
    const lines = await readCartLines(trx, cart.id);
    const variants = await findPurchasableVariants(
      { ...ctx, db: trx },
      variantIdsOf(lines).concat(input.variantId),
    );
    const variant = variants.get(input.variantId);
    if (!variant) throw notFound('The product variant');

    const existing = lines.find((line) => line.variant_id === variant.id);
    const quantity = (existing?.quantity ?? 0) + input.quantity;
    ensureQuantityInRange(ctx, quantity, existing?.quantity);
    ensureStockCovers(variant, quantity);

    if (existing) return saveQuantity(trx, cart, lines, variants, existing.id, quantity);
    return insertLine(trx, cart, lines, variants, variant.id, quantity);
  });
}

/** Sets a line's quantity, within 1..MAX_QUANTITY and the stock a deny policy allows. */
export async function updateLine(
  ctx: ServiceContext,
  cartId: string,
  lineId: string,
  quantity: number,
): Promise<CartView> {
  ensureQuantityInRange(ctx, quantity);
  const cart = await loadOwnedCart(ctx, cartId);

  return ctx.db.transaction().execute(async (trx) => {
    await ensureCartOpen(trx, cart.id);
    const lines = await readCartLines(trx, cart.id);
    const line = lines.find((candidate) => candidate.id === lineId);
    if (!line) throw notFound('The cart line');

    const variants = await findPurchasableVariants({ ...ctx, db: trx }, variantIdsOf(lines));
    const variant = variants.get(line.variant_id);
    if (!variant) {
      throw new AppError('NOT_FOUND', 'The item on this line is no longer sold; remove the line.');
    }
    ensureStockCovers(variant, quantity);

    return saveQuantity(trx, cart, lines, variants, line.id, quantity);
  });
}

/** Removes a line from the visitor's open cart. */
export async function removeLine(
  ctx: ServiceContext,
  cartId: string,
  lineId: string,
): Promise<CartView> {
  const cart = await loadOwnedCart(ctx, cartId);

  return ctx.db.transaction().execute(async (trx) => {
    await ensureCartOpen(trx, cart.id);
    const deleted = await trx
      .deleteFrom('cart_lines')
      .where('id', '=', lineId)
      .where('cart_id', '=', cart.id)
      .executeTakeFirst();
    if (deleted.numDeletedRows === 0n) throw notFound('The cart line');
    await touchCart(trx, cart.id);

    const lines = await readCartLines(trx, cart.id);
    const variants = await findPurchasableVariants({ ...ctx, db: trx }, variantIdsOf(lines));
    return toCartView(cart, lines, variants);
  });
}

/**
 * Loads a cart the caller owns (see isOwnedByCaller). Raises NOT_FOUND for a missing cart and
 * for someone else's cart alike, and records an `object_access_denied` event for the second.
 * Call it outside a transaction: the event must be stored even though the request fails.
 */
export async function loadOwnedCart(ctx: ServiceContext, cartId: string): Promise<CartRow> {
  const cart = await ctx.db
    .selectFrom('carts')
    .selectAll()
    .where('id', '=', cartId)
    .executeTakeFirst();
  if (!cart) throw notFound('The cart');

  if (!isOwnedByCaller(ctx, cart)) {
    await recordAccessDenied(ctx, 'cart', cartId);
    throw notFound('The cart');
  }
  return cart;
}

/** Reads a cart's lines in the order they were added. */
export async function readCartLines(db: Kysely<Database>, cartId: string): Promise<CartLineRow[]> {
  return db
    .selectFrom('cart_lines')
    .selectAll()
    .where('cart_id', '=', cartId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Marks an open cart checked out. Returns false when it was not open, which is how a second
 * checkout of the same cart is detected inside the checkout transaction.
 */
export async function closeCart(db: Kysely<Database>, cartId: string): Promise<boolean> {
  const result = await db
    .updateTable('carts')
    .set({ status: 'checked_out', updated_at: nowIso() })
    .where('id', '=', cartId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Opens a checked-out cart again, after its order was discarded before any payment. */
export async function reopenCart(db: Kysely<Database>, cartId: string): Promise<void> {
  await db
    .updateTable('carts')
    .set({ status: 'open', updated_at: nowIso() })
    .where('id', '=', cartId)
    .execute();
}

/**
 * Files every cart of one visitor under another visitor hash, after checkout has issued a new
 * visitor token. Statuses and timestamps stay as they are.
 */
export async function transferCarts(
  db: Kysely<Database>,
  fromVisitorHash: string,
  toVisitorHash: string,
): Promise<void> {
  await db
    .updateTable('carts')
    .set({ visitor_hash: toVisitorHash })
    .where('visitor_hash', '=', fromVisitorHash)
    .execute();
}

function ensureQuantityInRange(ctx: ServiceContext, quantity: number, alreadyInCart?: number) {
  const max = ctx.config.maxQuantity;
  if (Number.isInteger(quantity) && quantity >= 1 && quantity <= max) return;

  const detail =
    alreadyInCart === undefined
      ? `Quantity must be a whole number from 1 to ${max}.`
      : `The cart already holds ${alreadyInCart} of this item and a line may hold at most ${max}.`;
  throw new AppError('QUANTITY_OUT_OF_RANGE', detail, { maxQuantity: max });
}

function ensureStockCovers(variant: PurchasableVariant, quantity: number): void {
  if (stockCovers(variant, quantity)) return;

  throw new AppError(
    'OUT_OF_STOCK',
    `Only ${Math.max(variant.inventoryQuantity, 0)} of this item are in stock.`,
    { variantId: variant.id, available: Math.max(variant.inventoryQuantity, 0) },
  );
}

async function ensureCartOpen(db: Kysely<Database>, cartId: string): Promise<void> {
  const cart = await db
    .selectFrom('carts')
    .select('status')
    .where('id', '=', cartId)
    .executeTakeFirstOrThrow();
  if (cart.status !== 'open') {
    throw new AppError('CART_CLOSED', 'This cart has been checked out; start a new cart.');
  }
}

/**
 * Sets a line's quantity and returns the new view. The view is priced first, so an amount past
 * MAX_MINOR_UNITS raises before anything is written.
 */
async function saveQuantity(
  db: Kysely<Database>,
  cart: CartRow,
  lines: readonly CartLineRow[],
  variants: Variants,
  lineId: string,
  quantity: number,
): Promise<CartView> {
  const next = lines.map((line) => (line.id === lineId ? { ...line, quantity } : line));
  const view = toCartView(cart, next, variants);

  await db
    .updateTable('cart_lines')
    .set({ quantity })
    .where('id', '=', lineId)
    .where('cart_id', '=', cart.id)
    .execute();
  await touchCart(db, cart.id);
  return view;
}

/** Adds a new line and returns the new view, priced before the insert like saveQuantity. */
async function insertLine(
  db: Kysely<Database>,
  cart: CartRow,
  lines: readonly CartLineRow[],
  variants: Variants,
  variantId: string,
  quantity: number,
): Promise<CartView> {
  if (lines.length >= maxLinesPerCart) {
    throw new AppError(
      'CART_FULL',
      `A cart may contain at most ${maxLinesPerCart} different items; remove one first.`,
    );
  }

  const line: CartLineRow = {
    id: randomId(),
    cart_id: cart.id,
    variant_id: variantId,
    quantity,
    created_at: nowIso(),
  };
  const view = toCartView(cart, [...lines, line], variants);

  await db.insertInto('cart_lines').values(line).execute();
  await touchCart(db, cart.id);
  return view;
}

async function touchCart(db: Kysely<Database>, cartId: string): Promise<void> {
  await db.updateTable('carts').set({ updated_at: nowIso() }).where('id', '=', cartId).execute();
}

async function deleteLinesNoLongerSold(
  db: Kysely<Database>,
  cartId: string,
  lines: readonly LineState[],
  variants: Variants,
): Promise<void> {
  const staleIds = lines.filter((line) => !variants.has(line.variant_id)).map((line) => line.id);
  if (staleIds.length === 0) return;

  await db
    .deleteFrom('cart_lines')
    .where('cart_id', '=', cartId)
    .where('id', 'in', staleIds)
    .execute();
}

function variantIdsOf(lines: readonly LineState[]): string[] {
  return [...new Set(lines.map((line) => line.variant_id))];
}
