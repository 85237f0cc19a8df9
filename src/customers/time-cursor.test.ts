import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AppError } from '../server/errors.js';
import { decodeTimeCursor, encodeTimeCursor } from './time-cursor.js';

describe('time cursor', () => {
  it('round-trips a position', () => {
    const cursor = { createdAt: '2025-01-02T03:04:05.678Z', id: 'abc_DEF-123' };

    assert.deepEqual(decodeTimeCursor(encodeTimeCursor(cursor)), cursor);
  });

  it('rejects text that is not a cursor', () => {
    const bad = [
      'not-base64-json',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('["yesterday","id"]').toString('base64url'),
      Buffer.from('["2025-01-02T03:04:05Z",""]').toString('base64url'),
      Buffer.from(`["2025-01-02T03:04:05Z","${'a'.repeat(65)}"]`).toString('base64url'),
      Buffer.from('["2025-01-02T03:04:05Z","id","extra"]').toString('base64url'),
    ];

    for (const text of bad) {
      assert.throws(
        () => decodeTimeCursor(text),
        (error) => error instanceof AppError && error.code === 'VALIDATION_FAILED',
        text,
      );
    }
  });
});
