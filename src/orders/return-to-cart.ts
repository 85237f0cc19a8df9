import { type CopiedCart, createCartWithItems } from '../cart/cart-copy.js';
import type { OrderRow } from '../db/schema.js';
import { enforceRateLimit } from '../defense/client-limits.js';
import type { PaymentGateway } from '../payments/gateway.js';
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
 * Before a pending order is cancelled, its payment session is cancelled at the provider, so the
 * old payment page can no longer be paid. When the provider reports a payment on it that is
 * under way or done, nothing changes and the error is PAYMENT_IN_PROGRESS (or ORDER_PAID once
 * the webhook has arrived). When the provider cannot be reached, the order is cancelled anyway
 * and a warning is logged: a payment made later on the old page leaves the order cancelled and
 * is recorded as `refund_required` by the webhook route.
 *
 * The cart creation is counted against the client's rate limit (RATE_LIMITED) before anything
 * else, and cancelling and copying share one transaction, so a rejected request changes neither
 * the order nor the payment session.
 */
export async function returnOrderToCart(
  ctx: ServiceContext,
  payments: PaymentGateway,
  orderId: string,
  linkToken: string | undefined,
): Promise<CopiedCart> {
  const order = await loadVisibleOrder(ctx, orderId, linkToken);
  if (order.status === 'paid') throw orderPaid();
  enforceRateLimit(ctx, 'cartCreation');

  if (order.status === 'pending_payment') await cancelPaymentSession(ctx, payments, order);

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
    // The cart creation was counted above, so the copy must not count it a second time.
    return createCartWithItems({ ...ctx, db: trx, limits: undefined }, items);
  });
}

/**
 * Cancels the payment session of a pending order. Raises PAYMENT_IN_PROGRESS, or ORDER_PAID when
 * the order has been paid meanwhile, if the provider reports a payment on the session. An order
 * without a session, or whose session belongs to another provider than the shop's current one,
 * needs no call and gets none.
 */
async function cancelPaymentSession(
  ctx: ServiceContext,
  payments: PaymentGateway,
  order: OrderRow,
): Promise<void> {
  const reference = order.payment_reference;
  if (reference === null) return;
  if (order.payment_provider !== payments.name) {
    ctx.log.warn(
      { orderId: order.id, provider: order.payment_provider },
      'payment session not cancelled; the order was placed with another provider',
    );
    return;
  }

  const outcome = await payments.cancelSession(reference);
  if (outcome === 'already_completed') {
    if (await isPaid(ctx.db, order.id)) throw orderPaid();
    throw new AppError(
      'PAYMENT_IN_PROGRESS',
      'The payment for this order is being completed. Refresh the order page in a moment.',
    );
  }
  if (outcome === 'unavailable') {
    ctx.log.warn(
      { orderId: order.id, provider: payments.name },
      'payment session could not be cancelled; a late payment on it will need a refund',
    );
  }
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
