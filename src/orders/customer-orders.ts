import { sql } from 'kysely';

import { recordAccessDenied } from '../cart/ownership.js';
import type { OrderStatus } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { requireCustomerId } from '../customers/customer-context.js';
import { decodeTimeCursor, encodeTimeCursor } from '../customers/time-cursor.js';
import { notFound } from '../server/errors.js';
import { type OrderView, readOrderLines, toOrderView } from './order.service.js';

/**
 * Orders as a signed-in customer's account lists them: the orders attached to the account,
 * placed while signed in or attached at login by e-mail. Guest orders of the same browser that
 * are not attached stay reachable through the visitor cookie and signed links, not here.
 */

export interface OrderSummary {
  id: string;
  status: OrderStatus;
  itemCount: number;
  totalMinor: number;
  currency: string;
  createdAt: string;
  paidAt: string | null;
}

/** Lists the signed-in customer's orders, newest first, `limit` at a time. */
export async function listCustomerOrders(
  ctx: ServiceContext,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: OrderSummary[]; nextCursor: string | null }> {
  const customerId = requireCustomerId(ctx);
  const position = page.cursor === undefined ? undefined : decodeTimeCursor(page.cursor);

  const rows = await ctx.db
    .selectFrom('orders')
    .select((eb) => [
      'orders.id',
      'orders.status',
      'orders.total_minor',
      'orders.currency',
      'orders.created_at',
      'orders.paid_at',
      eb
        .selectFrom('order_lines')
        .select((inner) =>
          inner.fn.coalesce(inner.fn.sum<number>('quantity'), sql<number>`0`).as('n'),
        )
        .whereRef('order_lines.order_id', '=', 'orders.id')
        .as('item_count'),
    ])
    .where('orders.customer_id', '=', customerId)
    .$if(position !== undefined, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb('orders.created_at', '<', position?.createdAt ?? ''),
          eb.and([
            eb('orders.created_at', '=', position?.createdAt ?? ''),
            eb('orders.id', '<', position?.id ?? ''),
          ]),
        ]),
      ),
    )
    .orderBy('orders.created_at', 'desc')
    .orderBy('orders.id', 'desc')
    .limit(page.limit + 1)
    .execute();

  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((row) => ({
      id: row.id,
      status: row.status,
      itemCount: Number(row.item_count ?? 0),
      totalMinor: row.total_minor,
      currency: row.currency,
      createdAt: row.created_at,
      paidAt: row.paid_at,
    })),
    nextCursor:
      rows.length > page.limit && last
        ? encodeTimeCursor({ createdAt: last.created_at, id: last.id })
        : null,
  };
}

/**
 * Returns one of the signed-in customer's orders. Any other order raises NOT_FOUND like a
 * missing one, and records an `object_access_denied` event when it exists.
 */
export async function getCustomerOrder(ctx: ServiceContext, orderId: string): Promise<OrderView> {
  const customerId = requireCustomerId(ctx);
  const order = await ctx.db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!order) throw notFound('The order');

  if (order.customer_id !== customerId) {
    await recordAccessDenied(ctx, 'order', orderId);
    throw notFound('The order');
  }
  return toOrderView(order, await readOrderLines(ctx.db, order.id));
}
