import {
  findOrderForPayment,
  markOrderPaid,
  markOrderPaymentFailed,
  type OrderForPayment,
} from '../orders/order.service.js';
import type { ServiceContext } from '../server/context.js';
import { nowIso } from '../server/ids.js';
import type { VerifiedPaymentEvent } from './gateway.js';

/**
 * Outcome of a verified payment event. `unchanged` means the order had already left
 * pending_payment, and `replayed` means this event id was processed before.
 */
export type PaymentEventResult =
  | { outcome: 'paid' | 'payment_failed' | 'unchanged' | 'replayed' }
  | { outcome: 'rejected'; reason: string };

/** Aborts the transaction of a rejected event; caught in applyPaymentEvent. */
class RejectedEvent extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Applies a verified event to its order, in one transaction with the insert of the event id
 * into payment_events. The primary key on that id makes a replayed event a no-op. The order
 * must exist, carry the event's payment reference and have the event's amount and currency.
 * Otherwise the event is rejected and the transaction rolls back, so order and payment_events
 * stay unchanged.
 *
 * The order service runs inside this transaction because `ctx.db` is bound to it; Kysely
 * rejects nested transactions, so markOrderPaymentFailed joins an open one instead.
 */
export async function applyPaymentEvent(
  ctx: ServiceContext,
  provider: string,
  event: VerifiedPaymentEvent,
): Promise<PaymentEventResult> {
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const trxCtx: ServiceContext = { ...ctx, db: trx };

      const inserted = await trx
        .insertInto('payment_events')
        .values({
          event_id: event.eventId,
          provider,
          order_id: event.orderId,
          type: event.type,
          outcome: 'received',
          received_at: nowIso(),
        })
        .onConflict((conflict) => conflict.column('event_id').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 0n) return { outcome: 'replayed' as const };

      const order = await findOrderForPayment(trxCtx, event.orderId);
      if (!order) throw new RejectedEvent('order not found');
      const mismatch = findMismatch(order, event);
      if (mismatch) throw new RejectedEvent(mismatch);

      const outcome = await updateOrder(trxCtx, order, event);
      await trx
        .updateTable('payment_events')
        .set({ outcome })
        .where('event_id', '=', event.eventId)
        .execute();
      return { outcome };
    });
  } catch (error) {
    if (error instanceof RejectedEvent) return { outcome: 'rejected', reason: error.reason };
    throw error;
  }
}

/** Returns why the event does not belong to the order, or undefined when it matches. */
function findMismatch(order: OrderForPayment, event: VerifiedPaymentEvent): string | undefined {
  if (order.paymentReference === null || order.paymentReference !== event.reference) {
    return 'payment reference does not match the order';
  }
  if (order.totalMinor !== event.amount.amount) return 'amount does not match the order total';
  if (order.currency !== event.amount.currency) return 'currency does not match the order';
  return undefined;
}

async function updateOrder(
  ctx: ServiceContext,
  order: OrderForPayment,
  event: VerifiedPaymentEvent,
): Promise<'paid' | 'payment_failed' | 'unchanged'> {
  if (event.type === 'payment.succeeded') {
    if (await markOrderPaid(ctx, order.id, event.reference)) return 'paid';

    // Money was taken for an order that is no longer awaiting it; someone has to refund.
    ctx.log.error(
      { orderId: order.id, status: order.status, eventId: event.eventId },
      'payment succeeded for an order not awaiting payment',
    );
    return 'unchanged';
  }

  if (await markOrderPaymentFailed(ctx, order.id, event.reference)) return 'payment_failed';
  return 'unchanged';
}
