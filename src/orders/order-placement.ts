import type { Kysely } from 'kysely';

import type { Totals } from '../cart/pricing.js';
import type { ShippingAddress } from '../checkout/checkout.service.js';
import type { Database, OrderLineRow, OrderRow } from '../db/schema.js';
import { randomId } from '../server/ids.js';
import { releaseOrderStock } from './order.service.js';

/** An order line as priced by checkout from catalog data. */
export interface NewOrderLine {
  variantId: string;
  productTitle: string;
  variantTitle: string;
  sku: string;
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
}

export interface NewOrder {
  visitorHash: string;
  /** The customer the order belongs to: the one signed in or the cart's; absent for a guest. */
  customerId?: string | null;
  cartId: string;
  email: string;
  shippingAddress: ShippingAddress;
  shippingMethod: string;
  totals: Totals;
  currency: string;
  paymentProvider: string;
  /** The order's creation time; its payment deadline and expiry count from here. */
  placedAt: Date;
  lines: NewOrderLine[];
}

/**
 * Inserts a pending_payment order and its lines with a new random id, and returns that id. Run
 * it inside the checkout transaction, after the stock for every line has been reserved.
 */
export async function insertOrder(db: Kysely<Database>, order: NewOrder): Promise<string> {
  const id = randomId();
  const address = order.shippingAddress;
  const row: OrderRow = {
    id,
    visitor_hash: order.visitorHash,
    customer_id: order.customerId ?? null,
    cart_id: order.cartId,
    email: order.email,
    ship_name: address.name,
    ship_line1: address.line1,
    ship_line2: address.line2,
    ship_city: address.city,
    ship_region: address.region,
    ship_postal_code: address.postalCode,
    ship_country: address.country,
    shipping_method: order.shippingMethod,
    subtotal_minor: order.totals.subtotalMinor,
    shipping_minor: order.totals.shippingMinor,
    total_minor: order.totals.totalMinor,
    currency: order.currency,
    status: 'pending_payment',
    payment_provider: order.paymentProvider,
    payment_reference: null,
    created_at: order.placedAt.toISOString(),
    paid_at: null,
    refunded_minor: 0,
  };
  await db.insertInto('orders').values(row).execute();

  const lines: OrderLineRow[] = order.lines.map((line) => ({
    id: randomId(),
    order_id: id,
    variant_id: line.variantId,
    product_title: line.productTitle,
    variant_title: line.variantTitle,
    sku: line.sku,
    unit_price_minor: line.unitPriceMinor,
    quantity: line.quantity,
    line_total_minor: line.lineTotalMinor,
  }));
  await db.insertInto('order_lines').values(lines).execute();

  return id;
}

/** Stores the payment provider's session reference on an order still awaiting payment. */
export async function setPaymentReference(
  db: Kysely<Database>,
  orderId: string,
  reference: string,
): Promise<void> {
  await db
    .updateTable('orders')
    .set({ payment_reference: reference })
    .where('id', '=', orderId)
    .where('status', '=', 'pending_payment')
    .execute();
}

/**
 * Deletes a pending_payment order that never reached the payment provider and returns its
 * reserved stock. Returns the cart id it was placed from, or undefined when the order is gone
 * or no longer pending, in which case nothing changes.
 */
export async function discardUnpaidOrder(
  db: Kysely<Database>,
  orderId: string,
): Promise<string | undefined> {
  const order = await db
    .selectFrom('orders')
    .select(['cart_id'])
    .where('id', '=', orderId)
    .where('status', '=', 'pending_payment')
    .executeTakeFirst();
  if (!order) return undefined;

  await releaseOrderStock(db, orderId);
  await db.deleteFrom('order_lines').where('order_id', '=', orderId).execute();
  await db.deleteFrom('orders').where('id', '=', orderId).execute();
  return order.cart_id;
}

/** Files every order of one visitor under another visitor hash, as transferCarts does for carts. */
export async function transferOrders(
  db: Kysely<Database>,
  fromVisitorHash: string,
  toVisitorHash: string,
): Promise<void> {
  await db
    .updateTable('orders')
    .set({ visitor_hash: toVisitorHash })
    .where('visitor_hash', '=', fromVisitorHash)
    .execute();
}
