import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  checkSignature,
  computeSignature,
  signatureHeaderValue,
  signatureToleranceSeconds,
} from './signature.js';

const secret = 'a-shared-secret-of-at-least-32-characters';
const otherSecret = 'another-secret-that-the-shop-never-shared!';
const body = Buffer.from('{"id":"evt_1","type":"payment.succeeded"}');
const now = 1_750_000_000;

describe('webhook signature check', () => {
  it('accepts a body signed with the shared secret', () => {
    const header = signatureHeaderValue(secret, body, now);

    const result = checkSignature(secret, header, body, now);

    assert.deepEqual(result, { ok: true, timestamp: now });
  });

  it('rejects a signature made with another secret', () => {
    const header = signatureHeaderValue(otherSecret, body, now);

    const result = checkSignature(secret, header, body, now);

    assert.deepEqual(result, { ok: false, reason: 'signature mismatch' });
  });

  it('rejects a body changed after signing', () => {
    const header = signatureHeaderValue(secret, body, now);
    const changed = Buffer.from(body.toString().replace('succeeded', 'failed'));

    const result = checkSignature(secret, header, changed, now);

    assert.deepEqual(result, { ok: false, reason: 'signature mismatch' });
  });

  it('rejects a body re-signed with another key', () => {
    const forged = Buffer.from('{"id":"evt_2","type":"payment.succeeded","amount":1}');
    const header = signatureHeaderValue(otherSecret, forged, now);

    const result = checkSignature(secret, header, forged, now);

    assert.deepEqual(result, { ok: false, reason: 'signature mismatch' });
  });

  it('rejects a timestamp moved forward on an old signature', () => {
    const signature = computeSignature(secret, now - 3600, body);
    const header = `t=${now},v1=${signature}`;

    const result = checkSignature(secret, header, body, now);

    assert.deepEqual(result, { ok: false, reason: 'signature mismatch' });
  });

  it('rejects stale and future timestamps beyond five minutes', () => {
    for (const offset of [-(signatureToleranceSeconds + 1), signatureToleranceSeconds + 1]) {
      const header = signatureHeaderValue(secret, body, now + offset);

      const result = checkSignature(secret, header, body, now);

      assert.deepEqual(result, { ok: false, reason: 'signature timestamp outside tolerance' });
    }
  });

  it('accepts timestamps exactly five minutes off', () => {
    for (const offset of [-signatureToleranceSeconds, signatureToleranceSeconds]) {
      const header = signatureHeaderValue(secret, body, now + offset);

      assert.equal(checkSignature(secret, header, body, now).ok, true);
    }
  });

  it('accepts a header with several v1 values when one matches', () => {
    const good = computeSignature(secret, now, body);
    const other = computeSignature(otherSecret, now, body);
    const header = `t=${now},v1=${other},v1=${good},v0=ignored`;

    assert.equal(checkSignature(secret, header, body, now).ok, true);
  });

  it('accepts the same valid header twice, leaving replay to the event id', () => {
    const header = signatureHeaderValue(secret, body, now);

    assert.equal(checkSignature(secret, header, body, now).ok, true);
    assert.equal(checkSignature(secret, header, body, now + 10).ok, true);
  });

  it('rejects malformed headers', () => {
    const signature = computeSignature(secret, now, body);
    const cases: [string | string[] | undefined, string][] = [
      [undefined, 'signature header missing'],
      [[`t=${now},v1=${signature}`, `t=${now},v1=${signature}`], 'signature header repeated'],
      ['', 'signature header malformed'],
      ['garbage', 'signature header malformed'],
      [`v1=${signature}`, 'signature timestamp missing'],
      [`t=${now}`, 'signature value missing'],
      [`t=soon,v1=${signature}`, 'signature timestamp invalid'],
      [`t=-5,v1=${signature}`, 'signature timestamp invalid'],
      [`t=${now},t=${now},v1=${signature}`, 'signature timestamp repeated'],
      [`t=${now},v1=${signature.slice(2)}`, 'signature value invalid'],
      [`t=${now},v1=${signature.toUpperCase()}`, 'signature value invalid'],
      [`t=${now},v1=${'z'.repeat(64)}`, 'signature value invalid'],
      [`t=${now},${`v1=${signature},`.repeat(9)}`, 'signature header malformed'],
      [`t=${now},v1=${signature}${','.repeat(2000)}`, 'signature header too long'],
    ];

    for (const [header, reason] of cases) {
      assert.deepEqual(
        checkSignature(secret, header, body, now),
        { ok: false, reason },
        `header ${JSON.stringify(header)?.slice(0, 60)}`,
      );
    }
  });

  it('rejects more than eight signatures', () => {
    const signature = computeSignature(secret, now, body);
    const header = `t=${now}${`,v1=${signature}`.repeat(9)}`;

    assert.deepEqual(checkSignature(secret, header, body, now), {
      ok: false,
      reason: 'too many signatures',
    });
  });
});
