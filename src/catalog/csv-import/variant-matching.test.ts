import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { matchVariants } from './variant-matching.js';

describe('matchVariants', () => {
  it('pairs variants by position without SKUs', () => {
    const stored = [
      { id: 'a', sku: '', position: 1 },
      { id: 'b', sku: '', position: 2 },
    ];

    const matched = matchVariants(stored, [
      { sku: '', position: 1 },
      { sku: '', position: 2 },
      { sku: '', position: 3 },
    ]);

    assert.deepEqual(
      [...matched],
      [
        [1, 'a'],
        [2, 'b'],
      ],
    );
  });

  it('follows a unique SKU to its new position', () => {
    const stored = [
      { id: 'red', sku: 'RED', position: 1 },
      { id: 'blue', sku: 'BLUE', position: 2 },
    ];

    const matched = matchVariants(stored, [
      { sku: 'BLUE', position: 1 },
      { sku: 'RED', position: 2 },
    ]);

    assert.equal(matched.get(1), 'blue');
    assert.equal(matched.get(2), 'red');
  });

  it('pairs repeated SKUs by position', () => {
    const stored = [
      { id: 'x1', sku: 'ROUTE', position: 1 },
      { id: 'x2', sku: 'ROUTE', position: 2 },
    ];

    const matched = matchVariants(stored, [
      { sku: 'ROUTE', position: 1 },
      { sku: 'ROUTE', position: 2 },
    ]);

    assert.equal(matched.get(1), 'x1');
    assert.equal(matched.get(2), 'x2');
  });

  it('does not give one stored variant to two imported ones', () => {
    const stored = [
      { id: 'red', sku: 'RED', position: 1 },
      { id: 'blue', sku: 'BLUE', position: 2 },
    ];

    const matched = matchVariants(stored, [
      { sku: 'GREEN', position: 1 },
      { sku: 'RED', position: 2 },
    ]);

    assert.equal(matched.get(2), 'red');
    assert.equal(matched.get(1), undefined, 'position 1 belongs to RED, which moved');
  });
});
