import type { Kysely } from 'kysely';

import { isOwnedByCaller, recordAccessDenied } from '../cart/ownership.js';
import { releaseStock } from '../catalog/catalog.service.js';
import type { ShippingAddress } from '../checkout/checkout.service.js';
import type { Database, OrderLineRow, OrderRow, OrderStatus } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { notFound } from '../server/errors.js';
import { nowIso } from '../server/ids.js';
import { createOrderLinkToken, isValidOrderLinkToken } from './order-link.js';

export interface OrderLineView {
  productTitle: string;
  variantTitle: string;
  sku: string;
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
}

export interface OrderView {
  id: string;
  status: OrderStatus;
  email: string;
  shippingAddress: ShippingAddress;
  shippingMethod: string;
  lines: OrderLineView[];
  subtotalMinor: number;
  shippingMinor: number;
  totalMinor: number;
  currency: string;
  createdAt: string;
  paidAt: string | null;
}

export interface OrderForPayment {
  id: string;
  status: OrderStatus;
  totalMinor: number;
  currency: string;
  paymentReference: string | null;
}

/**
 * Returns an order to its owner (the customer it belongs to, or for a guest order the visitor
 * who placed it), or to anyone holding a valid signed link for it. Raises NOT_FOUND otherwise,
 * exactly as for a missing order, and records an `object_access_denied` event when the order
 * exists.
 */
export async function getOrder(
  ctx: ServiceContext,
  orderId: string,
  linkToken?: string,
): Promise<OrderView> {
  const order = await loadVisibleOrder(ctx, orderId, linkToken);
  return toOrderView(order, await readOrderLines(ctx.db, order.id));
}

/** Reads an order's lines in the order its views list them. */
export async function readOrderLines(
  db: Kysely<Database>,
  orderId: string,
): Promise<OrderLineRow[]> {
  return db
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('product_title')
    .orderBy('variant_title')
    .orderBy('sku')
    .execute();
}

/**
 * Loads an order for its owner (see isOwnedByCaller) or the holder of a valid signed link. Raises
 * NOT_FOUND otherwise, exactly as for a missing order, and records an `object_access_denied`
 * event when the order exists. Call it outside a transaction, so the event is kept.
 */
export async function loadVisibleOrder(
  ctx: ServiceContext,
  orderId: string,
  linkToken: string | undefined,
): Promise<OrderRow> {
  const order = await ctx.db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!order) throw notFound('The order');

  const viaLink =
    linkToken !== undefined && isValidOrderLinkToken(ctx.secrets.signingKey, order.id, linkToken);
  if (!isOwnedByCaller(ctx, order) && !viaLink) {
    await recordAccessDenied(ctx, 'order', orderId, { linkToken: linkToken ? 'invalid' : 'none' });
    throw notFound('The order');
  }
  return order;
}

/** Signs a token for `?token=` that shows this order to its holder; valid 7 days by default. */
export function signOrderLink(ctx: ServiceContext, orderId: string, ttlSeconds?: number): string {
  return createOrderLinkToken(ctx.secrets.signingKey, orderId, ttlSeconds);
}

/** Returns what the payment webhook needs to check an event against an order. */
export async function findOrderForPayment(
  ctx: ServiceContext,
  orderId: string,
): Promise<OrderForPayment | undefined> {
  const order = await ctx.db
    .selectFrom('orders')
    .select(['id', 'status', 'total_minor', 'currency', 'payment_reference'])
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!order) return undefined;

  return {
    id: order.id,
    status: order.status,
    totalMinor: order.total_minor,
    currency: order.currency,
    paymentReference: order.payment_reference,
  };
}

/**
 * Marks an order paid and returns true. Only a pending_payment order changes, and only when its
 * stored payment reference is absent or equal to `reference`. Any other order stays as it is and
 * the result is false, so a replayed or mismatched event cannot change an order twice.
 */
export async function markOrderPaid(
  ctx: ServiceContext,
  orderId: string,
  reference: string,
): Promise<boolean> {
  const result = await awaitingPayment(ctx.db, orderId, reference)
    .set({ status: 'paid', paid_at: nowIso(), payment_reference: reference })
    .executeTakeFirst();

  const changed = result.numUpdatedRows > 0n;
  if (changed) ctx.log.info({ orderId }, 'order paid');
  return changed;
}

/**
 * Marks a pending_payment order payment_failed and returns its reserved stock to the catalog in
 * one transaction. That is the caller's transaction when `ctx.db` is one (the webhook route's),
 * otherwise a new one. The status change is conditional, so stock is released at most once
 * however often the event arrives. Returns false when the order was not awaiting this payment.
 */
export async function markOrderPaymentFailed(
  ctx: ServiceContext,
  orderId: string,
  reference: string,
): Promise<boolean> {
  const changed = await endUnpaidOrder(ctx.db, orderId, 'payment_failed', reference);

  if (changed) ctx.log.info({ orderId }, 'order payment failed; stock released');
  return changed;
}

/** The states an unpaid order can end in; each one has released the order's stock. */
export type UnpaidEnd = 'payment_failed' | 'payment_expired' | 'cancelled';

/**
 * Moves a pending_payment order to `status` and returns its reserved stock to the catalog, in
 * the caller's transaction when `db` is one, otherwise in a new one. With `reference`, only an
 * order awaiting that payment changes. The status change is conditional, so however often and
 * however concurrently this runs for one order, its stock is released at most once. Returns
 * whether this call changed the order.
 */
export async function endUnpaidOrder(
  db: Kysely<Database>,
  orderId: string,
  status: UnpaidEnd,
  reference?: string,
): Promise<boolean> {
  return withinTransaction(db, async (trx) => {
    const update =
      reference === undefined
        ? pending(trx, orderId).set({ status })
        : awaitingPayment(trx, orderId, reference).set({ status, payment_reference: reference });
    const result = await update.executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;

    await releaseOrderStock(trx, orderId);
    return true;
  });
}

/** Returns the reserved quantity of every line of an order to the catalog's stock. */
export async function releaseOrderStock(db: Kysely<Database>, orderId: string): Promise<void> {
  const lines = await db
    .selectFrom('order_lines')
    .select(['variant_id', 'quantity'])
    .where('order_id', '=', orderId)
    .execute();
  for (const line of lines) await releaseStock(db, line.variant_id, line.quantity);
}

/** Runs `work` in the caller's transaction, or in a new one; Kysely cannot nest them. */
async function withinTransaction<T>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}

function pending(db: Kysely<Database>, orderId: string) {
  return db.updateTable('orders').where('id', '=', orderId).where('status', '=', 'pending_payment');
}

function awaitingPayment(db: Kysely<Database>, orderId: string, reference: string) {
  return pending(db, orderId).where((eb) =>
    eb.or([eb('payment_reference', 'is', null), eb('payment_reference', '=', reference)]),
  );
}

/** Returns the shipping address stored on an order row. */
export function shippingAddressOf(order: OrderRow): ShippingAddress {
  return {
    name: order.ship_name,
    line1: order.ship_line1,
    line2: order.ship_line2,
    city: order.ship_city,
    region: order.ship_region,
    postalCode: order.ship_postal_code,
    country: order.ship_country,
  };
}

export function toOrderView(order: OrderRow, lines: OrderLineRow[]): OrderView {
  return {
    id: order.id,
    status: order.status,
    email: order.email,
    shippingAddress: shippingAddressOf(order),
    shippingMethod: order.shipping_method,
    lines: lines.map((line) => ({
      productTitle: line.product_title,
      variantTitle: line.variant_title,
      sku: line.sku,
      unitPriceMinor: line.unit_price_minor,
      quantity: line.quantity,
      lineTotalMinor: line.line_total_minor,
    })),
    subtotalMinor: order.subtotal_minor,
    shippingMinor: order.shipping_minor,
    totalMinor: order.total_minor,
    currency: order.currency,
    createdAt: order.created_at,
    paidAt: order.paid_at,
  };
}
