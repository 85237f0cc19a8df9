import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { AppError } from '../server/errors.js';
import { openAuthTestDb } from './test-db.js';
import {
  attemptBuckets,
  checkThrottle,
  clearThrottle,
  delayAfter,
  maxDelaySeconds,
  recordFailure,
  recordSharedFailure,
  sharedBucketCapacity,
  sharedBucketLeakMs,
  throttleKey,
} from './throttle.js';

const start = new Date('2030-01-01T10:00:00.000Z');

function secondsAfter(seconds: number): Date {
  return new Date(start.getTime() + seconds * 1000);
}

let db: Kysely<Database>;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await openAuthTestDb());
});
after(() => close());
beforeEach(async () => {
  await db.deleteFrom('auth_throttle').execute();
});

/** Returns the seconds the key must wait at `now`, or 0 when an attempt is allowed. */
async function waitAt(key: string, now: Date): Promise<number> {
  try {
    await checkThrottle(db, key, now);
    return 0;
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'TOO_MANY_ATTEMPTS');
    assert.equal(error.status, 429);
    return error.extensions.retryAfterSeconds as number;
  }
}

/** Fails `count` times, each at the first moment the throttle allows; returns the waits. */
async function failRepeatedly(key: string, count: number): Promise<number[]> {
  const waits: number[] = [];
  let now = start;
  for (let attempt = 0; attempt < count; attempt += 1) {
    assert.equal(await waitAt(key, now), 0, `attempt ${attempt + 1} should be allowed`);
    const { retryAfterSeconds } = await recordFailure(db, key, now);
    waits.push(retryAfterSeconds);
    now = new Date(now.getTime() + retryAfterSeconds * 1000);
  }
  return waits;
}

describe('throttleKey', () => {
  it('normalizes the email and never contains it', () => {
    const key = throttleKey('login', 'customer', ' Ada@Example.com ');

    assert.equal(key, throttleKey('login', 'customer', 'ada@example.com'));
    assert.ok(!key.toLowerCase().includes('ada'));
    assert.match(key, /^login:customer:[0-9a-f]{64}$/);
  });

  it('separates kinds and realms', () => {
    const keys = new Set([
      throttleKey('login', 'customer', 'ada@example.com'),
      throttleKey('login', 'staff', 'ada@example.com'),
      throttleKey('mfa', 'customer', 'ada@example.com'),
    ]);

    assert.equal(keys.size, 3);
  });
});

describe('login throttle', () => {
  it('allows four failures freely, then doubles the wait from one second', async () => {
    const key = throttleKey('login', 'customer', 'ada@example.com');

    const waits = await failRepeatedly(key, 10);

    assert.deepEqual(waits, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32]);
  });

  it('blocks an attempt during the wait and allows it afterwards', async () => {
    const key = throttleKey('login', 'customer', 'ada@example.com');
    for (let failure = 0; failure < 7; failure += 1) await recordFailure(db, key, start);

    assert.equal(await waitAt(key, start), 4);
    assert.equal(await waitAt(key, secondsAfter(3.5)), 1);
    assert.equal(await waitAt(key, secondsAfter(4)), 0);
  });

  it('caps the wait at 15 minutes, never locking the account for good', async () => {
    const key = throttleKey('login', 'customer', 'ada@example.com');

    const waits = await failRepeatedly(key, 40);

    assert.equal(Math.max(...waits), maxDelaySeconds);
    assert.equal(maxDelaySeconds, 900);
    assert.equal(waits.at(-1), 900);
    assert.equal(delayAfter(1000), 900);
  });

  it('treats unknown and known emails identically', async () => {
    // The throttle never looks up accounts, so whether an address has one cannot show.
    await db
      .insertInto('customers')
      .values({
        id: 'customer-1',
        email: 'known@example.com',
        email_confirmed_at: start.toISOString(),
        password_hash: 'x',
        name: 'Known',
        created_at: start.toISOString(),
        updated_at: start.toISOString(),
      })
      .execute();
    const known = throttleKey('login', 'customer', 'known@example.com');
    const unknown = throttleKey('login', 'customer', 'unknown@example.com');

    const knownWaits = await failRepeatedly(known, 12);
    const unknownWaits = await failRepeatedly(unknown, 12);

    assert.deepEqual(knownWaits, unknownWaits);
    assert.equal(await waitAt(known, start), await waitAt(unknown, start));
  });

  it('keeps keys apart', async () => {
    const attacked = throttleKey('login', 'customer', 'ada@example.com');
    const other = throttleKey('login', 'customer', 'grace@example.com');
    for (let failure = 0; failure < 8; failure += 1) await recordFailure(db, attacked, start);

    assert.ok((await waitAt(attacked, start)) > 0);
    assert.equal(await waitAt(other, start), 0);
  });

  it('forgets failures after a success', async () => {
    const key = throttleKey('mfa', 'customer', 'customer-1');
    for (let failure = 0; failure < 8; failure += 1) await recordFailure(db, key, start);

    await clearThrottle(db, key);

    assert.equal(await waitAt(key, start), 0);
    assert.deepEqual(await recordFailure(db, key, start), { failures: 1, retryAfterSeconds: 0 });
  });

  it('starts counting again after a day without failures', async () => {
    const key = throttleKey('login', 'customer', 'ada@example.com');
    for (let failure = 0; failure < 8; failure += 1) await recordFailure(db, key, start);

    const next = await recordFailure(db, key, secondsAfter(24 * 3600 + 1));

    assert.deepEqual(next, { failures: 1, retryAfterSeconds: 0 });
  });
});

describe('attempt buckets', () => {
  const email = 'ada@example.com';

  it('uses only the device counter for a trusted device', () => {
    const buckets = attemptBuckets('login', 'customer', email, { ip: '192.0.2.1', deviceId: 'd1' });

    assert.deepEqual(buckets, [
      { key: `${throttleKey('login', 'customer', email)}:device:d1`, policy: 'growing' },
    ]);
  });

  it('counts untrusted attempts per address and in the shared bucket', () => {
    const buckets = attemptBuckets('login', 'customer', email, { ip: '192.0.2.1', deviceId: null });
    const other = attemptBuckets('login', 'customer', email, { ip: '192.0.2.2', deviceId: null });

    assert.equal(buckets.length, 2);
    assert.equal(buckets[0]?.policy, 'growing');
    assert.notEqual(buckets[0]?.key, other[0]?.key);
    assert.ok(!buckets[0]?.key.includes('192.0.2.1'));
    assert.deepEqual(buckets[1], {
      key: throttleKey('login', 'customer', email),
      policy: 'shared',
    });
    assert.deepEqual(other[1], buckets[1]);
  });

  it('puts addresses of one IPv6 /64 into one counter', () => {
    const keyOf = (ip: string) =>
      attemptBuckets('mfa', 'staff', 'staff-1', { ip, deviceId: null })[0]?.key;

    assert.equal(keyOf('2001:db8:0:1::1'), keyOf('2001:db8:0:1:ffff::2'));
    assert.notEqual(keyOf('2001:db8:0:1::1'), keyOf('2001:db8:0:2::1'));
  });
});

describe('shared bucket', () => {
  const key = 'login:customer:shared-test';

  it('fills after its capacity and then waits one drain interval', async () => {
    const levels = [];
    for (let failure = 0; failure < sharedBucketCapacity; failure += 1) {
      levels.push((await recordSharedFailure(db, key, start)).level);
    }

    assert.equal(levels.at(-1), sharedBucketCapacity);
    assert.equal(await waitAt(key, start), sharedBucketLeakMs / 1000);
    assert.equal(await waitAt(key, new Date(start.getTime() + sharedBucketLeakMs)), 0);
  });

  it('drains one failure per interval, so one slow address never fills it', async () => {
    // One address after its first burst: a failure every 15 minutes for two days.
    let now = start.getTime();
    let level = 0;
    for (let failure = 0; failure < 200; failure += 1) {
      ({ level } = await recordSharedFailure(db, key, new Date(now)));
      now += 15 * 60_000;
    }

    assert.equal(level, 1);
  });

  it('lets guessing through a full bucket go on at one try per interval', async () => {
    for (let failure = 0; failure < sharedBucketCapacity; failure += 1) {
      await recordSharedFailure(db, key, start);
    }
    let now = start.getTime();
    let allowed = 0;
    // Try every minute for an hour (minutes 0 to 60) and fail whenever allowed.
    for (let minute = 0; minute <= 60; minute += 1) {
      if ((await waitAt(key, new Date(now))) === 0) {
        allowed += 1;
        await recordSharedFailure(db, key, new Date(now));
      }
      now += 60_000;
    }

    assert.equal(allowed, 60 / (sharedBucketLeakMs / 60_000));
  });
});

describe('throttle message', () => {
  it('uses the singular for one second', async () => {
    const key = throttleKey('login', 'customer', 'singular@example.com');
    for (let failure = 0; failure < 5; failure += 1) await recordFailure(db, key, start);

    await assert.rejects(checkThrottle(db, key, start), {
      message: 'Too many failed attempts; wait 1 second before trying again.',
    });
    await recordFailure(db, key, secondsAfter(1));
    await assert.rejects(checkThrottle(db, key, secondsAfter(1)), {
      message: 'Too many failed attempts; wait 2 seconds before trying again.',
    });
  });
});
