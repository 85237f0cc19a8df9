import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { safeNextPath } from './access.js';

describe('safeNextPath', () => {
  it('keeps paths on the admin', () => {
    assert.equal(safeNextPath('/staff/abc/role'), '/staff/abc/role');
    assert.equal(safeNextPath('/orders?before=2026-12-01'), '/orders?before=2026-12-01');
  });

  it('rejects other sites and odd characters', () => {
    const hostile = [
      undefined,
      '',
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example/',
      '/\t/evil.example/',
      '/\n/evil.example/',
      '/ /evil.example/',
      '/\u00a0/evil.example/',
      'javascript:alert(1)',
    ];

    for (const next of hostile) {
      assert.equal(safeNextPath(next), '/', JSON.stringify(next));
    }
  });
});
