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
 * pending_payment, and `replayed` means this event id was processed before. `refund_required`
 * means money arrived for an order that had failed, expired or been cancelled, whose stock was
 * already released: the order stays as it is and someone must refund the payment.
 */
export type PaymentEventResult =
  | { outcome: 'paid' | 'payment_failed' | 'unchanged' | 'replayed' | 'refund_required' }
  | { outcome: 'rejected'; reason: string };

type AppliedOutcome = 'paid' | 'payment_failed' | 'unchanged' | 'refund_required';

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

/**
 * Applies the event to the order. A success for an order that is already paid is a duplicate
 * report of the same payment and changes nothing. A success for an order that failed, expired
 * or was cancelled is logged at error level and stored as `refund_required` in payment_events.
 */
async function updateOrder(
  ctx: ServiceContext,
  order: OrderForPayment,
  event: VerifiedPaymentEvent,
): Promise<AppliedOutcome> {
  if (event.type === 'payment.succeeded') {
    if (await markOrderPaid(ctx, order.id, event.reference)) return 'paid';

    const current = await findOrderForPayment(ctx, order.id);
    const ids = { orderId: order.id, status: current?.status, eventId: event.eventId };
    if (current?.status === 'paid') {
      ctx.log.warn(ids, 'payment success reported again for a paid order');
      return 'unchanged';
    }
    ctx.log.error(ids, 'payment succeeded for an order no longer awaiting payment; refund it');
    return 'refund_required';
  }

  if (await markOrderPaymentFailed(ctx, order.id, event.reference)) return 'payment_failed';
  return 'unchanged';
}
