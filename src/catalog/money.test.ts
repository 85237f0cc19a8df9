import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  currencyExponent,
  formatMinorAsDecimal,
  formatMoney,
  MAX_MINOR_UNITS,
  parseDecimalToMinor,
} from './money.js';

describe('parseDecimalToMinor', () => {
  const accepted: [string, number, number][] = [
    ['0.00', 2, 0],
    ['101.50', 2, 10150],
    ['1099.00', 2, 109900],
    ['12', 2, 1200],
    ['10.500', 2, 1050],
    ['0.98', 2, 98],
    ['42.99', 2, 4299],
    ['  7.5 ', 2, 750],
    ['1099', 0, 1099],
    ['1099.000', 0, 1099],
    ['12.345', 3, 12345],
    ['100000000000.00', 2, MAX_MINOR_UNITS],
  ];
  for (const [text, exponent, expected] of accepted) {
    it(`reads "${text}" with ${exponent} decimals as ${expected}`, () => {
      assert.deepEqual(parseDecimalToMinor(text, exponent), { ok: true, value: expected });
    });
  }

  const rejected: [string, number, RegExp][] = [
    ['1e3', 2, /not a decimal amount/],
    ['-1', 2, /not a decimal amount/],
    ['+1', 2, /not a decimal amount/],
    ['1,000.00', 2, /not a decimal amount/],
    ['12,50', 2, /not a decimal amount/],
    ['12.345', 2, /more than 2 decimal places/],
    ['12.5', 0, /more than 0 decimal places/],
    ['', 2, /not a decimal amount/],
    ['.5', 2, /not a decimal amount/],
    ['5.', 2, /not a decimal amount/],
    ['NaN', 2, /not a decimal amount/],
    ['Infinity', 2, /not a decimal amount/],
    ['0x10', 2, /not a decimal amount/],
    ['١٢', 2, /not a decimal amount/],
    ['100000000000.01', 2, /too large/],
    ['999999999999999', 2, /too large/],
    ['9999999999999999', 2, /not a decimal amount/],
  ];
  for (const [text, exponent, reason] of rejected) {
    it(`rejects "${text}" with ${exponent} decimals`, () => {
      const result = parseDecimalToMinor(text, exponent);

      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.reason, reason);
    });
  }

  it('shortens a long value in the reason', () => {
    const result = parseDecimalToMinor('9'.repeat(10_000), 2);

    assert.equal(result.ok, false);
    assert.ok(result.ok || result.reason.length < 100, 'the reason quotes at most 40 characters');
  });
});

describe('currencyExponent', () => {
  it('gives USD two decimals', () => {
    assert.equal(currencyExponent('USD'), 2);
  });

  it('gives JPY no decimals', () => {
    assert.equal(currencyExponent('JPY'), 0);
  });

  it('gives BHD three decimals', () => {
    assert.equal(currencyExponent('BHD'), 3);
  });

  it('returns undefined for a malformed code', () => {
    assert.equal(currencyExponent('DOLLARS'), undefined);
  });
});

describe('formatMinorAsDecimal', () => {
  const cases: [number, number, string][] = [
    [0, 2, '0.00'],
    [5, 2, '0.05'],
    [10150, 2, '101.50'],
    [109900, 2, '1099.00'],
    [-250, 2, '-2.50'],
    [1099, 0, '1099'],
    [MAX_MINOR_UNITS, 2, '100000000000.00'],
  ];
  for (const [amount, exponent, expected] of cases) {
    it(`writes ${amount} with ${exponent} decimals as "${expected}"`, () => {
      assert.equal(formatMinorAsDecimal(amount, exponent), expected);
    });
  }

  it('round-trips with parseDecimalToMinor', () => {
    for (const amount of [0, 1, 99, 100, 4299, 109900, MAX_MINOR_UNITS]) {
      const text = formatMinorAsDecimal(amount, 2);

      assert.deepEqual(parseDecimalToMinor(text, 2), { ok: true, value: amount });
    }
  });
});

describe('formatMoney', () => {
  it('formats dollars for en-US', () => {
    assert.equal(formatMoney({ amount: 109900, currency: 'USD' }), '$1,099.00');
  });

  it('formats yen without decimals', () => {
    assert.equal(formatMoney({ amount: 1099, currency: 'JPY' }), '¥1,099');
  });

  it('formats the maximum amount without float rounding', () => {
    assert.equal(
      formatMoney({ amount: MAX_MINOR_UNITS - 1, currency: 'USD' }),
      '$99,999,999,999.99',
    );
  });
});
