import { currencyExponent, parseDecimalToMinor } from '../catalog/money.js';
import type { OrderLineRow, OrderRow, OrderStatus } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { notFound } from '../server/errors.js';
import { appendAudit } from './audit-log.js';
import type { StaffContext } from './staff-context.js';

// NOTE: the admin reads the orders tables directly, because the order service scopes every
// query to one visitor or customer and staff see all orders.

/** Orders per list page. */
export const orderPageSize = 50;

export type OrderSummary = Pick<
  OrderRow,
  'id' | 'email' | 'status' | 'total_minor' | 'refunded_minor' | 'currency' | 'created_at'
>;

/** Lists orders newest first; `before` is the created_at of the previous page's last row. */
export async function listOrders(
  ctx: StaffContext,
  options: { before?: string | undefined; email?: string | undefined },
): Promise<OrderSummary[]> {
  let query = ctx.db
    .selectFrom('orders')
    .select(['id', 'email', 'status', 'total_minor', 'refunded_minor', 'currency', 'created_at'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(orderPageSize);
  if (options.before) query = query.where('created_at', '<', options.before);
  if (options.email) query = query.where('email', '=', options.email.trim().toLowerCase());
  return query.execute();
}

export interface OrderDetail {
  order: OrderRow;
  lines: OrderLineRow[];
}

/**
 * Returns an order and its lines, for staff pages and the admin API alike. Lines sort by product
 * title, then id, so lines of one product keep a stable order. Throws NOT_FOUND for no such order.
 */
export async function findOrder(ctx: ServiceContext, orderId: string): Promise<OrderDetail> {
  const order = await ctx.db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!order) throw notFound('The order');

  const lines = await ctx.db
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('product_title')
    .orderBy('id')
    .execute();
  return { order, lines };
}

/** Statuses from which money can be returned: the order was paid and not fully refunded. */
const refundableStatuses: readonly OrderStatus[] = ['paid'];

export type RefundResult =
  { ok: true; refundedMinor: number; status: OrderStatus } | { ok: false; reason: string };

/**
 * Records a refund of `amountText` (major units, e.g. "12.50") on a paid order: adds it to
 * refunded_minor and sets status `refunded` once the whole total is refunded. The update checks
 * the amount refunded so far, so two refunds submitted at once cannot together exceed the total.
 *
 * NOTE: the payment gateway interface (src/payments/gateway.ts) has no refund call yet. This
 * only records the refund, and staff return the money in the provider's dashboard.
 */
export async function refundOrder(
  ctx: StaffContext,
  orderId: string,
  amountText: string,
): Promise<RefundResult> {
  const { order } = await findOrder(ctx, orderId);
  if (!refundableStatuses.includes(order.status)) {
    return { ok: false, reason: `An order with status ${order.status} cannot be refunded.` };
  }

  const exponent = currencyExponent(order.currency) ?? 2;
  const parsed = parseDecimalToMinor(amountText, exponent);
  if (!parsed.ok) return { ok: false, reason: `The amount is invalid: ${parsed.reason}.` };
  const amount = parsed.value;
  const remaining = order.total_minor - order.refunded_minor;
  if (amount <= 0) return { ok: false, reason: 'The amount must be greater than zero.' };
  if (amount > remaining) {
    return { ok: false, reason: 'The amount is more than what is left to refund on this order.' };
  }

  const refundedMinor = order.refunded_minor + amount;
  const status: OrderStatus = refundedMinor === order.total_minor ? 'refunded' : order.status;
  const updated = await ctx.db
    .updateTable('orders')
    .set({ refunded_minor: refundedMinor, status })
    .where('id', '=', orderId)
    .where('refunded_minor', '=', order.refunded_minor)
    .where('status', '=', order.status)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    return { ok: false, reason: 'The order changed meanwhile; reload it and try again.' };
  }

  await appendAudit(ctx.db, ctx.auditKey, {
    actorId: ctx.staff.id,
    actorEmail: ctx.staff.email,
    action: 'order.refunded',
    objectType: 'order',
    objectId: orderId,
    ip: ctx.ip,
    details: {
      amountMinor: amount,
      currency: order.currency,
      refundedMinor,
      status,
      provider: order.payment_provider,
      providerRefund: 'not_supported',
    },
  });
  return { ok: true, refundedMinor, status };
}
