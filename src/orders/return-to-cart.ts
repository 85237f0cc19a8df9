import { type CopiedCart, createCartWithItems } from '../cart/cart-copy.js';
import type { ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';
import { endUnpaidOrder, loadVisibleOrder } from './order.service.js';

/**
 * Puts the items of an unpaid order back into a new open cart for the visitor in `ctx`, who
 * must own the order or hold a valid signed link to it (NOT_FOUND otherwise). A pending order
 * is cancelled first and its stock released once, so a shopper who gave up on the payment page
 * gets the items back instead of holding them until the order expires. Orders that failed,
 * expired or were cancelled are copied as they are. A paid order raises ORDER_PAID.
 *
 * Cancelling and copying share one transaction, so a cart creation over the client's rate limit
 * (RATE_LIMITED) leaves the order pending.
 */
export async function returnOrderToCart(
  ctx: ServiceContext,
  orderId: string,
  linkToken: string | undefined,
): Promise<CopiedCart> {
  const order = await loadVisibleOrder(ctx, orderId, linkToken);
  if (order.status === 'paid') throw orderPaid();

  return ctx.db.transaction().execute(async (trx) => {
    if (order.status === 'pending_payment') {
      if (await endUnpaidOrder(trx, order.id, 'cancelled')) {
        ctx.log.info({ orderId: order.id }, 'order cancelled by the shopper; stock released');
      } else if (await isPaid(trx, order.id)) {
        // The success webhook arrived between the read above and the update.
        throw orderPaid();
      }
    }

    const lines = await trx
      .selectFrom('order_lines')
      .select(['variant_id', 'quantity'])
      .where('order_id', '=', order.id)
      .orderBy('product_title')
      .orderBy('variant_title')
      .execute();
    const items = lines.map((line) => ({ variantId: line.variant_id, quantity: line.quantity }));
    return createCartWithItems({ ...ctx, db: trx }, items);
  });
}

async function isPaid(db: ServiceContext['db'], orderId: string): Promise<boolean> {
  const row = await db
    .selectFrom('orders')
    .select('status')
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  return row.status === 'paid';
}

function orderPaid(): AppError {
  return new AppError(
    'ORDER_PAID',
    'This order has been paid, so its items cannot go back to a cart.',
  );
}
