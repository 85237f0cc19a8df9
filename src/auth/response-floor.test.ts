import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';

import { withResponseFloor } from './response-floor.js';

describe('withResponseFloor', () => {
  it('pads quick work to the floor', async () => {
    const started = performance.now();
    const result = await withResponseFloor(60, async () => 'done');

    assert.equal(result, 'done');
    assert.ok(performance.now() - started >= 59, 'settled before the floor');
  });

  it('pads errors to the floor too', async () => {
    const started = performance.now();
    await assert.rejects(
      withResponseFloor(60, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );

    assert.ok(performance.now() - started >= 59, 'rejected before the floor');
  });

  it('adds nothing to slower work', async () => {
    const started = performance.now();
    await withResponseFloor(10, () => sleep(40));

    assert.ok(performance.now() - started < 200, 'waited long after the work');
  });
});
