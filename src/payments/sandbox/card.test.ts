import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type CardInput, checkCard, passesLuhn } from './card.js';

const now = new Date('2030-06-15T12:00:00Z');
const valid: CardInput = {
  cardNumber: '4242 4242 4242 4242',
  expiry: '12/31',
  cvc: '123',
  name: 'Ada Lovelace',
};

describe('card check', () => {
  it('maps the test cards to their outcomes', () => {
    const cases: [string, string][] = [
      ['4242 4242 4242 4242', 'succeed'],
      ['4000-0000-0000-0002', 'decline'],
      ['4000002760003184', 'challenge'],
    ];

    for (const [cardNumber, outcome] of cases) {
      assert.deepEqual(checkCard({ ...valid, cardNumber }, now), { ok: true, outcome });
    }
  });

  it('rejects a number that fails the Luhn check', () => {
    const result = checkCard({ ...valid, cardNumber: '4242 4242 4242 4241' }, now);

    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : (result.errors.cardNumber ?? ''), /invalid/);
  });

  it('rejects a valid number that is not a test card', () => {
    const result = checkCard({ ...valid, cardNumber: '5555 5555 5555 4444' }, now);

    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : (result.errors.cardNumber ?? ''), /test cards/);
  });

  it('rejects numbers of the wrong length or with letters', () => {
    for (const cardNumber of ['', '4242', '4242 4242 4242 4242 4242', '4242x4242x4242x4242']) {
      const result = checkCard({ ...valid, cardNumber }, now);

      assert.ok(!result.ok, cardNumber);
      assert.ok(result.errors.cardNumber, cardNumber);
    }
  });

  it('accepts an expiry in the current month and later', () => {
    for (const expiry of ['06/30', '6/30', '06 / 2030', '01/31', '12/2050']) {
      assert.equal(checkCard({ ...valid, expiry }, now).ok, true, expiry);
    }
  });

  it('rejects past, malformed and far-future expiry dates', () => {
    for (const expiry of ['05/30', '12/29', '13/30', '00/31', '0631', 'June 2031', '01/2099', '']) {
      const result = checkCard({ ...valid, expiry }, now);

      assert.ok(!result.ok, expiry);
      assert.ok(result.errors.expiry, expiry);
    }
  });

  it('accepts a CVC of 3 or 4 digits only', () => {
    assert.equal(checkCard({ ...valid, cvc: '1234' }, now).ok, true);
    for (const cvc of ['12', '12345', 'abc', '']) {
      const result = checkCard({ ...valid, cvc }, now);

      assert.ok(!result.ok, cvc);
      assert.ok(result.errors.cvc, cvc);
    }
  });

  it('requires a name of at most 100 characters', () => {
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const result = checkCard({ ...valid, name }, now);

      assert.ok(!result.ok, JSON.stringify(name));
      assert.ok(result.errors.name, JSON.stringify(name));
    }
  });

  it('reports every invalid field at once', () => {
    const result = checkCard({ cardNumber: '1', expiry: 'x', cvc: '', name: '' }, now);

    assert.equal(result.ok, false);
    assert.deepEqual(Object.keys(result.ok ? {} : result.errors).sort(), [
      'cardNumber',
      'cvc',
      'expiry',
      'name',
    ]);
  });
});

describe('Luhn checksum', () => {
  it('accepts valid numbers and rejects single-digit errors', () => {
    assert.equal(passesLuhn('79927398713'), true);
    assert.equal(passesLuhn('79927398710'), false);
    assert.equal(passesLuhn('4000002760003184'), true);
    assert.equal(passesLuhn('4000002760003185'), false);
  });
});
