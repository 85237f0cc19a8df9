import { addressOfRow } from '../customers/addresses.service.js';
import { decodeTimeCursor, encodeTimeCursor } from '../customers/time-cursor.js';
import type { OrderRow } from '../db/schema.js';
import { shippingAddressOf } from '../orders/order.service.js';
import type { ServiceContext } from '../server/context.js';
import type { ApiKeyActor } from './api-auth.js';
import { findCustomer } from './customers.service.js';
import { findOrder } from './orders.service.js';
import type {
  ApiCustomerDetail,
  ApiOrderDetail,
  ApiOrderPage,
  ApiOrderSummary,
} from './api.schema.js';

// NOTE: like the admin pages, these read the orders and customer tables directly (single records
// through the admin services), because the shop's services scope every query to one visitor or
// customer.

/** The context of an admin API call: the shop's context plus the key that authenticated it. */
export interface ApiContext extends ServiceContext {
  apiKey: ApiKeyActor;
}

/**
 * Lists orders newest first, `limit` at a time. The cursor contains the last row's created_at and
 * id, so rows created in the same millisecond are neither skipped nor repeated across pages.
 * Throws VALIDATION_FAILED for a cursor this function did not make.
 */
export async function listOrdersPage(
  ctx: ApiContext,
  options: { limit: number; cursor?: string | undefined },
): Promise<ApiOrderPage> {
  let query = ctx.db
    .selectFrom('orders')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.cursor) {
    const after = decodeTimeCursor(options.cursor);
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }

  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  const hasMore = rows.length > options.limit;
  return {
    items: page.map(orderSummary),
    nextCursor:
      hasMore && last ? encodeTimeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

export async function findOrderDetail(ctx: ApiContext, orderId: string): Promise<ApiOrderDetail> {
  const { order, lines } = await findOrder(ctx, orderId);
  return {
    ...orderSummary(order),
    shippingAddress: shippingAddressOf(order),
    shippingMethod: order.shipping_method,
    subtotalMinor: order.subtotal_minor,
    shippingMinor: order.shipping_minor,
    paymentProvider: order.payment_provider,
    lines: lines.map((line) => ({
      variantId: line.variant_id,
      productTitle: line.product_title,
      variantTitle: line.variant_title,
      sku: line.sku,
      quantity: line.quantity,
      unitPriceMinor: line.unit_price_minor,
      lineTotalMinor: line.line_total_minor,
    })),
  };
}

/** Returns a customer's profile, addresses and order ids, never the password hash or sessions. */
export async function findCustomerDetail(
  ctx: ApiContext,
  customerId: string,
): Promise<ApiCustomerDetail> {
  const { customer, addresses, orders } = await findCustomer(ctx, customerId);
  return {
    id: customer.id,
    email: customer.email,
    name: customer.name,
    emailConfirmedAt: customer.email_confirmed_at,
    createdAt: customer.created_at,
    addresses: addresses.map((row) => ({
      id: row.id,
      address: addressOfRow(row),
      createdAt: row.created_at,
    })),
    orderIds: orders.map((row) => row.id),
  };
}

function orderSummary(order: OrderRow): ApiOrderSummary {
  return {
    id: order.id,
    email: order.email,
    status: order.status,
    customerId: order.customer_id,
    totalMinor: order.total_minor,
    refundedMinor: order.refunded_minor,
    currency: order.currency,
    createdAt: order.created_at,
    paidAt: order.paid_at,
  };
}
