import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pino } from 'pino';

import { AppError } from '../server/errors.js';
import { createClientLimits, defaultRateLimits, enforceRateLimit } from './client-limits.js';

const log = pino({ level: 'silent' });

function clientAt(ip: string, limits = createClientLimits()) {
  return { ip, log, limits };
}

describe('createClientLimits', () => {
  it('allows 30 carts, 10 checkouts, 30 sign-in attempts and 60 events a minute', () => {
    assert.deepEqual(defaultRateLimits, {
      cartCreation: { limit: 30, windowMs: 60_000 },
      checkout: { limit: 10, windowMs: 60_000 },
      authAttempts: { limit: 30, windowMs: 60_000 },
      securityEvents: { limit: 60, windowMs: 60_000 },
    });
  });

  it('enforces the default sign-in attempt limit per address', () => {
    const limits = createClientLimits();
    const client = clientAt('203.0.113.9', limits);
    const neighbour = clientAt('198.51.100.7', limits);

    for (let count = 0; count < 30; count += 1) enforceRateLimit(client, 'authAttempts');

    assert.throws(() => enforceRateLimit(client, 'authAttempts'), {
      code: 'RATE_LIMITED',
      message: 'Too many sign-in attempts were made from this address; try again shortly.',
    });
    assert.doesNotThrow(() => enforceRateLimit(neighbour, 'authAttempts'));
    assert.doesNotThrow(() => enforceRateLimit(client, 'checkout'));
  });

  it('enforces the default cart limit', () => {
    const client = clientAt('203.0.113.9');

    for (let count = 0; count < 30; count += 1) enforceRateLimit(client, 'cartCreation');

    assert.throws(() => enforceRateLimit(client, 'cartCreation'), { code: 'RATE_LIMITED' });
  });

  it('replaces only the limits it is given', () => {
    const limits = createClientLimits({ checkout: { limit: 1, windowMs: 60_000 } });
    const client = clientAt('203.0.113.9', limits);

    enforceRateLimit(client, 'checkout');

    assert.throws(() => enforceRateLimit(client, 'checkout'), { code: 'RATE_LIMITED' });
    for (let count = 0; count < 30; count += 1) enforceRateLimit(client, 'cartCreation');
  });

  it('starts counting again after the window', () => {
    let time = 1_000_000;
    const limits = createClientLimits({ checkout: { limit: 1, windowMs: 60_000 } }, () => time);
    const client = clientAt('203.0.113.9', limits);
    enforceRateLimit(client, 'checkout');

    time += 60_000;

    assert.doesNotThrow(() => enforceRateLimit(client, 'checkout'));
  });
});

describe('enforceRateLimit', () => {
  it('raises RATE_LIMITED with the seconds to wait', () => {
    let time = 1_000_000;
    const limits = createClientLimits({ cartCreation: { limit: 1, windowMs: 60_000 } }, () => time);
    const client = clientAt('203.0.113.9', limits);
    enforceRateLimit(client, 'cartCreation');
    time += 20_000;

    assert.throws(
      () => enforceRateLimit(client, 'cartCreation'),
      (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.status, 429);
        assert.deepEqual(error.extensions, { retryAfterSeconds: 40 });
        return true;
      },
    );
  });

  it('counts nothing for a context without limits', () => {
    const client = { ip: '203.0.113.9', log };

    for (let count = 0; count < 100; count += 1) enforceRateLimit(client, 'checkout');
  });
});
