import { MAX_MINOR_UNITS } from '../catalog/money.js';
import { AppError } from '../server/errors.js';

/**
 * Cart and order arithmetic. Pure: callers pass prices they read from the catalog, never prices
 * a client sent. Every amount is an integer in minor units between 0 and MAX_MINOR_UNITS, and
 * every result is checked against that bound, so a large quantity or a long cart raises
 * AMOUNT_OUT_OF_RANGE instead of losing precision.
 */

export interface PricedLine {
  unitPriceMinor: number;
  quantity: number;
  requiresShipping: boolean;
}

export interface Totals {
  subtotalMinor: number;
  shippingMinor: number;
  totalMinor: number;
}

/** Multiplies a unit price by a quantity; raises AMOUNT_OUT_OF_RANGE above MAX_MINOR_UNITS. */
export function lineTotalMinor(unitPriceMinor: number, quantity: number): number {
  ensureAmount(unitPriceMinor, 'unit price');
  ensureQuantity(quantity);

  // Comparing against the quotient keeps the check exact: the product itself could already be
  // past the range where Number represents integers exactly.
  if (unitPriceMinor > 0 && quantity > Math.floor(MAX_MINOR_UNITS / unitPriceMinor)) {
    throw tooLarge('line total');
  }
  return unitPriceMinor * quantity;
}

/** Sums the line totals of a cart or order. An empty list has a subtotal of 0. */
export function subtotalMinor(
  lines: readonly Pick<PricedLine, 'unitPriceMinor' | 'quantity'>[],
): number {
  let sum = 0;
  for (const line of lines) {
    sum = addAmounts(sum, lineTotalMinor(line.unitPriceMinor, line.quantity), 'subtotal');
  }
  return sum;
}

/** Counts the units in a cart: two of one variant and one of another make 3. */
export function itemCount(lines: readonly Pick<PricedLine, 'quantity'>[]): number {
  let count = 0;
  for (const line of lines) {
    ensureQuantity(line.quantity);
    count += line.quantity;
  }
  return count;
}

/**
 * Returns the shipping charge for a cart: the method's flat price when at least one line needs
 * shipping, and 0 when every line is digital or a service.
 */
export function shippingMinor(lines: readonly PricedLine[], methodPriceMinor: number): number {
  ensureAmount(methodPriceMinor, 'shipping price');
  return lines.some((line) => line.requiresShipping) ? methodPriceMinor : 0;
}

/** Computes subtotal, shipping and total for an order shipped with a flat-price method. */
export function orderTotals(lines: readonly PricedLine[], methodPriceMinor: number): Totals {
  const subtotal = subtotalMinor(lines);
  const shipping = shippingMinor(lines, methodPriceMinor);
  const total = addAmounts(subtotal, shipping, 'order total');

  return { subtotalMinor: subtotal, shippingMinor: shipping, totalMinor: total };
}

function addAmounts(left: number, right: number, what: string): number {
  const sum = left + right;
  if (sum > MAX_MINOR_UNITS) throw tooLarge(what);
  return sum;
}

function ensureAmount(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_MINOR_UNITS) {
    throw new AppError(
      'AMOUNT_OUT_OF_RANGE',
      `The ${what} must be a whole number of minor units from 0 to ${MAX_MINOR_UNITS}.`,
    );
  }
}

function ensureQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    throw new AppError('QUANTITY_OUT_OF_RANGE', 'A quantity must be a whole number of at least 1.');
  }
}

function tooLarge(what: string): AppError {
  return new AppError(
    'AMOUNT_OUT_OF_RANGE',
    `The ${what} is above the largest amount the shop can charge; lower a quantity.`,
  );
}
