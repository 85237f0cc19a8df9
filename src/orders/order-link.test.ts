import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';

import { randomId } from '../server/ids.js';
import {
  createOrderLinkToken,
  defaultOrderLinkTtlSeconds,
  isValidOrderLinkToken,
} from './order-link.js';

const key = randomBytes(32);
const orderId = randomId();
const now = Date.UTC(2025, 0, 15, 12, 0, 0);

const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('order link token', () => {
  it('accepts a fresh token for its order', () => {
    const token = createOrderLinkToken(key, orderId, 60, now);

    assert.equal(isValidOrderLinkToken(key, orderId, token, now), true);
  });

  it('expires after seven days by default', () => {
    const token = createOrderLinkToken(key, orderId, undefined, now);
    const lastValid = now + (defaultOrderLinkTtlSeconds - 1) * 1000;
    const expired = now + defaultOrderLinkTtlSeconds * 1000;

    assert.equal(isValidOrderLinkToken(key, orderId, token, lastValid), true);
    assert.equal(isValidOrderLinkToken(key, orderId, token, expired), false);
  });

  it('rejects a token for another order', () => {
    const token = createOrderLinkToken(key, orderId, 60, now);

    assert.equal(isValidOrderLinkToken(key, randomId(), token, now), false);
  });

  it('rejects a token signed with another key', () => {
    const token = createOrderLinkToken(randomBytes(32), orderId, 60, now);

    assert.equal(isValidOrderLinkToken(key, orderId, token, now), false);
  });

  it('rejects every single-character change', () => {
    const token = createOrderLinkToken(key, orderId, 60, now);

    for (let index = 0; index < token.length; index += 1) {
      for (const replacement of `${base64url}.`) {
        if (replacement === token[index]) continue;
        const altered = token.slice(0, index) + replacement + token.slice(index + 1);
        assert.equal(
          isValidOrderLinkToken(key, orderId, altered, now),
          false,
          `position ${index} changed to ${replacement}`,
        );
      }
    }
  });

  it('rejects a later expiry with the old signature', () => {
    const token = createOrderLinkToken(key, orderId, 60, now);
    const [expiry, signature] = token.split('.');
    const extended = `${Number(expiry) + 86_400}.${signature}`;

    assert.equal(isValidOrderLinkToken(key, orderId, extended, now), false);
  });

  it('rejects leading zeros, truncation and extra characters', () => {
    const token = createOrderLinkToken(key, orderId, 60, now);

    for (const altered of [`0${token}`, token.slice(0, -1), `${token}A`, `${token}.`, '', '.']) {
      assert.equal(isValidOrderLinkToken(key, orderId, altered, now), false, altered);
    }
  });

  it('rejects a non-positive lifetime', () => {
    assert.throws(() => createOrderLinkToken(key, orderId, 0, now), RangeError);
    assert.throws(() => createOrderLinkToken(key, orderId, -60, now), RangeError);
    assert.throws(() => createOrderLinkToken(key, orderId, 1.5, now), RangeError);
  });
});
