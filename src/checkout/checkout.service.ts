import {
  closeCart,
  loadOwnedCart,
  readCartLines,
  reopenCart,
  transferCarts,
} from '../cart/cart.service.js';
import { lineTotalMinor, orderTotals } from '../cart/pricing.js';
import {
  findPurchasableVariants,
  type PurchasableVariant,
  reserveStock,
} from '../catalog/catalog.service.js';
import type { CartLineRow, CartRow } from '../db/schema.js';
import { enforceRateLimit } from '../defense/client-limits.js';
import {
  discardUnpaidOrder,
  insertOrder,
  type NewOrderLine,
  setPaymentReference,
  transferOrders,
} from '../orders/order-placement.js';
import { expireBeforeCheckout, paymentDeadline } from '../orders/order-expiry.js';
import { signOrderLink } from '../orders/order.service.js';
import type { PaymentGateway, PaymentSession } from '../payments/gateway.js';
import type { ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';
import { validateCheckoutInput } from './checkout-input.js';
import { findShippingMethod, type ShippingMethod } from './shipping.js';

export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2 code, upper case. */
  country: string;
}

export interface CheckoutInput {
  email: string;
  shippingAddress: ShippingAddress;
  shippingMethod: string;
}

export interface CheckoutResult {
  orderId: string;
  paymentUrl: string;
  /** Signed order-link token, also part of the success URL given to the payment provider. */
  orderToken: string;
}

interface PlacedOrder {
  id: string;
  totalMinor: number;
  currency: string;
  placedAt: Date;
  /** Visitor hash that owned the cart before checkout. */
  previousVisitorHash: string;
  /** New visitor hash that the visitor's carts and orders moved to. */
  visitorHash: string;
}

/**
 * Turns the visitor's cart into a pending_payment order and opens a payment session for it.
 * Each call counts against the client's checkout rate limit (RATE_LIMITED) and first expires a
 * few orders whose payment time is over, so abandoned orders release their stock.
 *
 * One transaction closes the cart, re-reads every price from the catalog, reserves stock and
 * writes the order, so a failure at any step (CART_CLOSED, CART_EMPTY, OUT_OF_STOCK,
 * AMOUNT_OUT_OF_RANGE) leaves nothing behind. When the payment provider then fails, the order
 * is deleted, its stock released and the cart reopened: the shopper never received a payment
 * URL, so no payment can refer to that order, and a retry of the same cart works. The error is
 * PAYMENT_PROVIDER_FAILED.
 *
 * The cart must belong to the visitor in `ctx`, but the order, and every cart and order of that
 * visitor, is filed under `orderVisitorHash` in the same transaction. That is the hash of a new
 * token that the caller sets in the cookie once this call succeeds (see checkoutForVisitor), so
 * anyone else holding the old cookie reads none of them. A discarded order moves them all back.
 */
export async function checkout(
  ctx: ServiceContext,
  payments: PaymentGateway,
  cartId: string,
  input: CheckoutInput,
  orderVisitorHash: string,
): Promise<CheckoutResult> {
  enforceRateLimit(ctx, 'checkout');
  const details = validateCheckoutInput(input);
  const method = findShippingMethod(ctx.config.currency, details.shippingMethod);
  if (!method) throw new Error(`validated shipping method ${details.shippingMethod} is unknown`);

  const cart = await loadOwnedCart(ctx, cartId);
  await expireBeforeCheckout(ctx);
  const placing = { cart, details, method, visitorHash: orderVisitorHash };
  const order = await placeOrder(ctx, payments.name, placing).catch((error) => {
    throw isSecondOrderForCart(error) ? cartClosed() : error;
  });
  ctx.log.info({ orderId: order.id, totalMinor: order.totalMinor }, 'order placed');
  return startPayment(ctx, payments, order);
}

/** The input of one order placement: the owned cart, validated details and the new owner. */
interface OrderToPlace {
  cart: CartRow;
  details: CheckoutInput;
  method: ShippingMethod;
  visitorHash: string;
}

async function placeOrder(
  ctx: ServiceContext,
  provider: string,
  { cart, details, method, visitorHash }: OrderToPlace,
): Promise<PlacedOrder> {
  return ctx.db.transaction().execute(async (trx) => {
    // The conditional update is the double-submit guard: of two concurrent checkouts of one
    // cart, only the first finds it open. orders.cart_id is unique as a second line of defence.
    if (!(await closeCart(trx, cart.id))) throw cartClosed();

    const cartLines = await readCartLines(trx, cart.id);
    if (cartLines.length === 0) throw new AppError('CART_EMPTY', 'Add an item before checkout.');

    const variants = await findPurchasableVariants(
      { ...ctx, db: trx },
      cartLines.map((line) => line.variant_id),
    );
    const lines = cartLines.map((line) => priceLine(line, variants.get(line.variant_id)));
    for (const line of lines) {
      if (!(await reserveStock(trx, line.variantId, line.quantity))) throw outOfStock(line);
    }

    const totals = orderTotals(lines, method.priceMinor);
    const placedAt = new Date();
    const id = await insertOrder(trx, {
      visitorHash,
      // A guest cart checked out by a signed-in customer becomes that customer's order.
      customerId: cart.customer_id ?? ctx.customerId,
      cartId: cart.id,
      email: details.email,
      shippingAddress: details.shippingAddress,
      shippingMethod: method.id,
      totals,
      currency: ctx.config.currency,
      paymentProvider: provider,
      placedAt,
      lines,
    });
    await transferCarts(trx, cart.visitor_hash, visitorHash);
    await transferOrders(trx, cart.visitor_hash, visitorHash);

    return {
      id,
      totalMinor: totals.totalMinor,
      currency: ctx.config.currency,
      placedAt,
      previousVisitorHash: cart.visitor_hash,
      visitorHash,
    };
  });
}

type PricedOrderLine = NewOrderLine & { requiresShipping: boolean };

function priceLine(line: CartLineRow, variant: PurchasableVariant | undefined): PricedOrderLine {
  if (!variant) {
    throw new AppError('OUT_OF_STOCK', 'An item in the cart is no longer sold; remove it.', {
      lineId: line.id,
      variantId: line.variant_id,
    });
  }

  return {
    variantId: variant.id,
    productTitle: variant.productTitle,
    variantTitle: variant.variantTitle,
    sku: variant.sku,
    unitPriceMinor: variant.priceMinor,
    quantity: line.quantity,
    lineTotalMinor: lineTotalMinor(variant.priceMinor, line.quantity),
    requiresShipping: variant.requiresShipping,
  };
}

async function startPayment(
  ctx: ServiceContext,
  payments: PaymentGateway,
  order: PlacedOrder,
): Promise<CheckoutResult> {
  const orderToken = signOrderLink(ctx, order.id);
  const origin = ctx.config.publicUrl.origin;
  const orderUrl = `${origin}/orders/${order.id}?token=${encodeURIComponent(orderToken)}`;

  // The shopper returns to the order page either way. After a cancel or a decline it offers to
  // put the items back in a cart, because the cart was closed when the order was placed.
  let session: PaymentSession;
  try {
    session = await payments.createSession({
      orderId: order.id,
      amount: { amount: order.totalMinor, currency: order.currency },
      successUrl: orderUrl,
      cancelUrl: orderUrl,
      description: `Order ${order.id}`,
      expiresAt: paymentDeadline(ctx.config, order.placedAt),
    });
    ensureOnGateway(session, payments.origin);
  } catch (error) {
    ctx.log.error({ err: error, orderId: order.id }, 'payment session failed; order discarded');
    await discardOrder(ctx, order);
    throw new AppError(
      'PAYMENT_PROVIDER_FAILED',
      'The payment provider could not be reached. Your cart is unchanged; try again shortly.',
    );
  }

  await setPaymentReference(ctx.db, order.id, session.reference);
  return { orderId: order.id, paymentUrl: session.url, orderToken };
}

/** Deletes the order, reopens its cart and gives the visitor's records back to the old token. */
async function discardOrder(ctx: ServiceContext, order: PlacedOrder): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const cartId = await discardUnpaidOrder(trx, order.id);
    if (cartId) await reopenCart(trx, cartId);

    await transferCarts(trx, order.visitorHash, order.previousVisitorHash);
    await transferOrders(trx, order.visitorHash, order.previousVisitorHash);
  });
}

/** Refuses a payment URL off the provider's own origin, so checkout never redirects elsewhere. */
function ensureOnGateway(session: PaymentSession, gatewayOrigin: string): void {
  let origin: string;
  try {
    origin = new URL(session.url).origin;
  } catch {
    throw new Error('the payment provider returned a payment URL that does not parse');
  }
  if (origin !== gatewayOrigin) {
    throw new Error(`the payment URL is on ${origin}, not on the provider's ${gatewayOrigin}`);
  }
}

/** Tells whether an insert failed on the unique orders.cart_id (SQLite or PostgreSQL wording). */
function isSecondOrderForCart(error: unknown): boolean {
  if (!(error instanceof Error)) return false;

  const { code } = error as Error & { code?: unknown };
  const unique = code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
  return unique && /orders\.cart_id|orders_cart_id/.test(error.message);
}

function cartClosed(): AppError {
  return new AppError('CART_CLOSED', 'This cart has already been checked out.');
}

function outOfStock(line: NewOrderLine): AppError {
  return new AppError('OUT_OF_STOCK', `Not enough stock for ${line.sku || line.productTitle}.`, {
    variantId: line.variantId,
  });
}
