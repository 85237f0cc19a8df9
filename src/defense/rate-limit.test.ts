import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clientKey, createRateLimiter } from './rate-limit.js';

function fakeClock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('createRateLimiter', () => {
  it('rejects the request over the limit', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, now: clock.now });

    const decisions = [1, 2, 3, 4].map(() => limiter.take('a'));

    assert.deepEqual(decisions.slice(0, 3), [
      { allowed: true },
      { allowed: true },
      { allowed: true },
    ]);
    assert.deepEqual(decisions[3], { allowed: false, retryAfterSeconds: 60 });
  });

  it('counts retry-after down to the window end', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, now: clock.now });
    limiter.take('a');

    clock.advance(45_500);

    assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterSeconds: 15 });
  });

  it('starts a new window after the old one ends', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, now: clock.now });
    limiter.take('a');
    limiter.take('a');
    assert.equal(limiter.take('a').allowed, false);

    clock.advance(60_000);

    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, false);
  });

  it('counts each key on its own', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000 });

    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, false);
    assert.equal(limiter.take('b').allowed, true);
  });

  it('admits a new key when the table is full', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: clock.now });
    limiter.take('a');
    clock.advance(10_000);
    limiter.take('b');

    const newcomer = limiter.take('c');
    const stillCounted = limiter.take('b');
    const forgotten = limiter.take('a');

    assert.equal(newcomer.allowed, true);
    assert.deepEqual(stillCounted, { allowed: false, retryAfterSeconds: 60 });
    assert.equal(forgotten.allowed, true, 'the oldest window was evicted to make room');
  });

  it('never tracks more keys than maxKeys', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 3 });

    for (const key of ['a', 'b', 'c', 'd', 'e']) limiter.take(key);

    assert.equal(limiter.take('e').allowed, false, 'the newest key is still counted');
    assert.equal(limiter.take('a').allowed, true, 'the oldest key was forgotten');
  });
});

describe('clientKey', () => {
  it('keeps an IPv4 address whole', () => {
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  });

  it('unwraps an IPv4-mapped IPv6 address', () => {
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  });

  it('groups IPv6 addresses by /64', () => {
    const first = clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    const second = clientKey('2001:0db8:0001:0002::9');
    const otherNetwork = clientKey('2001:db8:1:3::9');

    assert.equal(first, '2001:db8:1:2::/64');
    assert.equal(second, first);
    assert.notEqual(otherNetwork, first);
  });

  it('expands compressed IPv6 prefixes', () => {
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  });

  it('keeps a value that is not an address', () => {
    assert.equal(clientKey('unknown'), 'unknown');
  });
});
