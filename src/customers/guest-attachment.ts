import { sql } from 'kysely';

import { maxLinesPerCart } from '../cart/cart.service.js';
import type { ServiceContext } from '../server/context.js';
import { nowIso, randomId } from '../server/ids.js';

/**
 * Gives a customer who just signed in (or confirmed `email`) what they bought and collected as
 * a guest: guest orders placed with that email, and the browser's open cart. When the customer
 * already has an open cart from another browser, the guest cart's lines are merged into it and
 * the merged cart moves to this browser. Call it only once the email is proven, since an order
 * placed with someone's address must not go to an account that merely claims it.
 */
export async function attachGuestPurchases(
  ctx: ServiceContext,
  customerId: string,
  email: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const txCtx = { ...ctx, db: trx };

    // Checkout keeps the email as typed, so the comparison ignores case like account emails do.
    await trx
      .updateTable('orders')
      .set({ customer_id: customerId })
      .where('customer_id', 'is', null)
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .execute();

    await attachVisitorCart(txCtx, customerId);
  });
}

async function attachVisitorCart(ctx: ServiceContext, customerId: string): Promise<void> {
  if (ctx.visitorHash === null) return;

  const guestCart = await ctx.db
    .selectFrom('carts')
    .select(['id', 'customer_id'])
    .where('visitor_hash', '=', ctx.visitorHash)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('customer_id', 'is', null), eb('customer_id', '=', customerId)]))
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!guestCart || guestCart.customer_id === customerId) return;

  const accountCart = await ctx.db
    .selectFrom('carts')
    .select('id')
    .where('customer_id', '=', customerId)
    .where('status', '=', 'open')
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();

  if (!accountCart) {
    await ctx.db
      .updateTable('carts')
      .set({ customer_id: customerId })
      .where('id', '=', guestCart.id)
      .execute();
    return;
  }

  await mergeCartLines(ctx, guestCart.id, accountCart.id);
  await ctx.db
    .updateTable('carts')
    .set({ visitor_hash: ctx.visitorHash, updated_at: nowIso() })
    .where('id', '=', accountCart.id)
    .execute();
  await removeCart(ctx, guestCart.id);
}

/**
 * Adds the source cart's lines to the target: quantities of a variant in both are summed up to
 * MAX_QUANTITY, and new variants are added while the target has fewer than maxLinesPerCart
 * lines. Stock is checked again at checkout, as for any cart line.
 */
async function mergeCartLines(ctx: ServiceContext, sourceId: string, targetId: string) {
  const source = await ctx.db
    .selectFrom('cart_lines')
    .selectAll()
    .where('cart_id', '=', sourceId)
    .orderBy('created_at')
    .execute();
  const target = await ctx.db
    .selectFrom('cart_lines')
    .selectAll()
    .where('cart_id', '=', targetId)
    .execute();
  const byVariant = new Map(target.map((line) => [line.variant_id, line]));

  let lineCount = target.length;
  for (const line of source) {
    const existing = byVariant.get(line.variant_id);
    if (existing) {
      const quantity = Math.min(existing.quantity + line.quantity, ctx.config.maxQuantity);
      await ctx.db
        .updateTable('cart_lines')
        .set({ quantity })
        .where('id', '=', existing.id)
        .execute();
    } else if (lineCount < maxLinesPerCart) {
      await ctx.db
        .insertInto('cart_lines')
        .values({
          id: randomId(),
          cart_id: targetId,
          variant_id: line.variant_id,
          quantity: Math.min(line.quantity, ctx.config.maxQuantity),
          created_at: nowIso(),
        })
        .execute();
      lineCount += 1;
    }
  }
}

/** Deletes an emptied guest cart unless an order still refers to it. */
async function removeCart(ctx: ServiceContext, cartId: string): Promise<void> {
  await ctx.db.deleteFrom('cart_lines').where('cart_id', '=', cartId).execute();

  const referenced = await ctx.db
    .selectFrom('orders')
    .select('id')
    .where('cart_id', '=', cartId)
    .executeTakeFirst();
  if (!referenced) await ctx.db.deleteFrom('carts').where('id', '=', cartId).execute();
}
