import { createHash } from 'node:crypto';

import type { Kysely, Transaction } from 'kysely';

import type { Database, Realm } from '../db/schema.js';
import { clientKey } from '../defense/rate-limit.js';
import { AppError } from '../server/errors.js';

/** The failure count from which each further attempt must wait. */
export const freeFailures = 5;
/** The maximum wait between attempts: the delay doubles up to this and stays there. */
export const maxDelaySeconds = 15 * 60;
// A growing counter untouched for this long starts again from zero, so an old attack stops
// counting.
const forgetAfterMs = 24 * 60 * 60_000;

/** Kind of proof an attempt offers: a password at login, a second factor, or a re-authentication. */
export type AttemptKind = 'login' | 'mfa' | 'reauth';

/**
 * Returns the throttle key for login attempts on an email, or second-factor and
 * re-authentication attempts on an account. The subject is hashed, so the table contains no email
 * addresses. A login key never depends on whether an account exists, so unknown and known emails
 * are throttled identically.
 */
export function throttleKey(kind: AttemptKind, realm: Realm, subject: string): string {
  const normalized = kind === 'login' ? subject.trim().toLowerCase() : subject;
  const digest = createHash('sha256').update(normalized).digest('hex');
  return `${kind}:${realm}:${digest}`;
}

/**
 * Throws TOO_MANY_ATTEMPTS (429, with `retryAfterSeconds`) while the key waits after repeated
 * failures. A wait never exceeds 15 minutes, but an attacker can renew it with one failure per
 * wait. That is why attempts are counted per device (see attemptBuckets). A renewed wait on an
 * email does not reach a browser that still has a valid device cookie for that account.
 */
export async function checkThrottle(
  db: Kysely<Database>,
  key: string,
  now: Date = new Date(),
): Promise<void> {
  const row = await db
    .selectFrom('auth_throttle')
    .select('blocked_until')
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return;

  const waitMs = Date.parse(row.blocked_until) - now.getTime();
  if (waitMs <= 0) return;

  throw tooManyAttempts(Math.ceil(waitMs / 1000));
}

function tooManyAttempts(retryAfterSeconds: number): AppError {
  const unit = retryAfterSeconds === 1 ? 'second' : 'seconds';
  return new AppError(
    'TOO_MANY_ATTEMPTS',
    `Too many failed attempts; wait ${retryAfterSeconds} ${unit} before trying again.`,
    { retryAfterSeconds },
  );
}

/**
 * Counts a failure and returns the new count and the seconds until the next attempt is
 * allowed. The first four failures cost nothing. From the fifth on, the wait is
 * 2^(failures − 5) seconds (1, 2, 4 …), capped at 15 minutes.
 */
export async function recordFailure(
  db: Kysely<Database>,
  key: string,
  now: Date = new Date(),
): Promise<{ failures: number; retryAfterSeconds: number }> {
  return db.transaction().execute(async (trx) => {
    const row = await findCounter(trx, key);

    const isStale = row !== undefined && now.getTime() - Date.parse(row.updated_at) > forgetAfterMs;
    const failures = (row && !isStale ? row.failures : 0) + 1;
    const retryAfterSeconds = delayAfter(failures);
    const values = {
      failures,
      blocked_until: new Date(now.getTime() + retryAfterSeconds * 1000).toISOString(),
      updated_at: now.toISOString(),
    };

    await saveCounter(trx, key, values);
    return { failures, retryAfterSeconds };
  });
}

/** Deletes the failure counter of a key after a successful attempt. */
export async function clearThrottle(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('auth_throttle').where('key', '=', key).execute();
}

/** Seconds to wait after the given number of consecutive failures. */
export function delayAfter(failures: number): number {
  if (failures < freeFailures) return 0;
  return Math.min(2 ** (failures - freeFailures), maxDelaySeconds);
}

/**
 * Capacity of the shared bucket that counts an email's (or account's) failures from every
 * untrusted device together. One client address cannot fill it, since its own counter lets it
 * fail about 15 times in the first 17 minutes and 4 times an hour after that, while the bucket
 * drains 12 an hour. Only guessing from several addresses at once fills it.
 */
export const sharedBucketCapacity = 30;
/**
 * Drain interval of the shared bucket. One failure drains per interval, so a full bucket waits
 * at most this long.
 */
export const sharedBucketLeakMs = 5 * 60_000;

/**
 * One counter an attempt is checked against and charged to on failure. `growing` counters use
 * the delays of recordFailure, and the `shared` counter is a leaky bucket (recordSharedFailure).
 */
export interface ThrottleBucket {
  key: string;
  policy: 'growing' | 'shared';
}

/** The origin of an attempt: its client address and, when it has one, its trusted device. */
export interface AttemptSource {
  ip: string;
  /**
   * Device id from trustedDeviceOf, set only when the device cookie is valid for the attempted
   * account.
   */
  deviceId: string | null;
}

/**
 * Returns the counters of a login or second-factor attempt on `subject` (normalized email for
 * login, account id for mfa). An attempt from a trusted device counts only against that
 * device, so failures made from other browsers or addresses never block it. Any other attempt
 * counts against the subject from its client address (IPv6 cut to /64) with growing delays. It
 * also counts against the subject's shared bucket of all untrusted devices, which keeps
 * guessing from many addresses slow. The keys do not depend on whether the account exists.
 */
export function attemptBuckets(
  kind: 'login' | 'mfa',
  realm: Realm,
  subject: string,
  source: AttemptSource,
): ThrottleBucket[] {
  const subjectKey = throttleKey(kind, realm, subject);
  if (source.deviceId !== null) {
    return [{ key: `${subjectKey}:device:${source.deviceId}`, policy: 'growing' }];
  }

  const network = createHash('sha256').update(clientKey(source.ip)).digest('hex');
  return [
    { key: `${subjectKey}:net:${network}`, policy: 'growing' },
    { key: subjectKey, policy: 'shared' },
  ];
}

/** Throws TOO_MANY_ATTEMPTS with the maximum wait of the buckets while any of them is blocked. */
export async function checkThrottles(
  db: Kysely<Database>,
  buckets: ThrottleBucket[],
  now: Date = new Date(),
): Promise<void> {
  const rows = await db
    .selectFrom('auth_throttle')
    .select('blocked_until')
    .where(
      'key',
      'in',
      buckets.map((bucket) => bucket.key),
    )
    .execute();
  const waitMs = Math.max(0, ...rows.map((row) => Date.parse(row.blocked_until) - now.getTime()));
  if (waitMs > 0) throw tooManyAttempts(Math.ceil(waitMs / 1000));
}

/** Charges one failure to every bucket. */
export async function recordFailures(
  db: Kysely<Database>,
  buckets: ThrottleBucket[],
  now: Date = new Date(),
): Promise<void> {
  for (const bucket of buckets) {
    if (bucket.policy === 'shared') await recordSharedFailure(db, bucket.key, now);
    else await recordFailure(db, bucket.key, now);
  }
}

/**
 * Deletes the growing counters after a success. The shared bucket is left to drain, so that
 * one success (by anyone who has the password) does not reset what a distributed guesser of
 * the second factor has built up.
 */
export async function clearThrottles(db: Kysely<Database>, buckets: ThrottleBucket[]) {
  for (const bucket of buckets) {
    if (bucket.policy === 'growing') await clearThrottle(db, bucket.key);
  }
}

/**
 * Adds a failure to a leaky bucket of `sharedBucketCapacity` that drains one failure every
 * `sharedBucketLeakMs`. While it is full, attempts wait until the next failure drains, at most
 * 5 minutes, so over a long run guessing through the bucket gets about one try per 5 minutes.
 * `updated_at` is the instant the next drain is counted from, and `failures` is the level.
 */
export async function recordSharedFailure(
  db: Kysely<Database>,
  key: string,
  now: Date = new Date(),
): Promise<{ level: number; retryAfterSeconds: number }> {
  return db.transaction().execute(async (trx) => {
    const row = await findCounter(trx, key);

    let level = 0;
    let drainFrom = now.getTime();
    if (row) {
      const drained = Math.floor((now.getTime() - Date.parse(row.updated_at)) / sharedBucketLeakMs);
      level = Math.max(0, row.failures - Math.max(0, drained));
      if (level > 0) drainFrom = Date.parse(row.updated_at) + drained * sharedBucketLeakMs;
    }
    level = Math.min(level + 1, sharedBucketCapacity);
    const blockedUntil = level >= sharedBucketCapacity ? drainFrom + sharedBucketLeakMs : 0;

    const values = {
      failures: level,
      blocked_until: new Date(Math.max(blockedUntil, now.getTime())).toISOString(),
      updated_at: new Date(drainFrom).toISOString(),
    };
    await saveCounter(trx, key, values);
    return {
      level,
      retryAfterSeconds: Math.max(0, Math.ceil((blockedUntil - now.getTime()) / 1000)),
    };
  });
}

/** Reads a key's counter inside the transaction that will update it. */
function findCounter(trx: Transaction<Database>, key: string) {
  return trx
    .selectFrom('auth_throttle')
    .select(['failures', 'updated_at'])
    .where('key', '=', key)
    .executeTakeFirst();
}

/** Inserts a key's counter or replaces the one it has. */
async function saveCounter(
  trx: Transaction<Database>,
  key: string,
  values: { failures: number; blocked_until: string; updated_at: string },
): Promise<void> {
  await trx
    .insertInto('auth_throttle')
    .values({ key, ...values })
    .onConflict((conflict) => conflict.column('key').doUpdateSet(values))
    .execute();
}
