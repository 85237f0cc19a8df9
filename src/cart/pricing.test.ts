import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_MINOR_UNITS } from '../catalog/money.js';
import { AppError } from '../server/errors.js';
import {
  itemCount,
  lineTotalMinor,
  orderTotals,
  type PricedLine,
  shippingMinor,
  subtotalMinor,
} from './pricing.js';

function line(unitPriceMinor: number, quantity: number, requiresShipping = true): PricedLine {
  return { unitPriceMinor, quantity, requiresShipping };
}

function isAppError(code: string) {
  return (error: unknown) => error instanceof AppError && error.code === code;
}

describe('lineTotalMinor', () => {
  it('multiplies unit price by quantity', () => {
    assert.equal(lineTotalMinor(1099, 3), 3297);
  });

  it('allows a free line', () => {
    assert.equal(lineTotalMinor(0, 5), 0);
  });

  it('accepts a total exactly at the maximum', () => {
    assert.equal(lineTotalMinor(MAX_MINOR_UNITS / 10, 10), MAX_MINOR_UNITS);
  });

  it('rejects a total one unit above the maximum', () => {
    assert.throws(() => lineTotalMinor(MAX_MINOR_UNITS, 2), isAppError('AMOUNT_OUT_OF_RANGE'));
    assert.throws(
      () => lineTotalMinor(MAX_MINOR_UNITS / 10 + 1, 10),
      isAppError('AMOUNT_OUT_OF_RANGE'),
    );
  });

  it('rejects a product beyond exact integers', () => {
    assert.throws(
      () => lineTotalMinor(MAX_MINOR_UNITS, Number.MAX_SAFE_INTEGER),
      isAppError('AMOUNT_OUT_OF_RANGE'),
    );
  });

  it('rejects invalid unit prices', () => {
    for (const price of [-1, 10.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_MINOR_UNITS + 1]) {
      assert.throws(
        () => lineTotalMinor(price, 1),
        isAppError('AMOUNT_OUT_OF_RANGE'),
        `price ${price}`,
      );
    }
  });

  it('rejects invalid quantities', () => {
    for (const quantity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      assert.throws(
        () => lineTotalMinor(100, quantity),
        isAppError('QUANTITY_OUT_OF_RANGE'),
        `quantity ${quantity}`,
      );
    }
  });
});

describe('subtotalMinor', () => {
  it('sums line totals', () => {
    assert.equal(subtotalMinor([line(1099, 2), line(250, 4)]), 3198);
  });

  it('returns zero for an empty cart', () => {
    assert.equal(subtotalMinor([]), 0);
  });

  it('rejects a sum above the maximum', () => {
    const half = MAX_MINOR_UNITS / 2;

    assert.equal(subtotalMinor([line(half, 1), line(half, 1)]), MAX_MINOR_UNITS);
    assert.throws(
      () => subtotalMinor([line(half, 1), line(half, 1), line(1, 1)]),
      isAppError('AMOUNT_OUT_OF_RANGE'),
    );
  });
});

describe('itemCount', () => {
  it('counts units across lines', () => {
    assert.equal(itemCount([line(100, 2), line(5, 1)]), 3);
  });

  it('returns zero for an empty cart', () => {
    assert.equal(itemCount([]), 0);
  });
});

describe('shippingMinor', () => {
  it('charges the method price when a line ships', () => {
    assert.equal(shippingMinor([line(100, 1, false), line(100, 1, true)], 500), 500);
  });

  it('charges nothing when no line ships', () => {
    assert.equal(shippingMinor([line(100, 1, false)], 500), 0);
  });

  it('rejects a negative method price', () => {
    assert.throws(() => shippingMinor([line(100, 1)], -500), isAppError('AMOUNT_OUT_OF_RANGE'));
  });
});

describe('orderTotals', () => {
  it('adds shipping to the subtotal', () => {
    assert.deepEqual(orderTotals([line(1099, 2)], 500), {
      subtotalMinor: 2198,
      shippingMinor: 500,
      totalMinor: 2698,
    });
  });

  it('rejects a total pushed over the maximum by shipping', () => {
    assert.throws(
      () => orderTotals([line(MAX_MINOR_UNITS, 1)], 1),
      isAppError('AMOUNT_OUT_OF_RANGE'),
    );
  });
});
