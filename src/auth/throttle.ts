import { createHash } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database, Realm } from '../db/schema.js';
import { AppError } from '../server/errors.js';

/** The failure count from which each further attempt must wait. */
export const freeFailures = 5;
/** The longest wait between attempts: the delay doubles up to this and stays there. */
export const maxDelaySeconds = 15 * 60;
// A counter untouched for this long starts again from zero, so an old attack leaves no trace.
const forgetAfterMs = 24 * 60 * 60_000;

/**
 * Returns the throttle key for login attempts on an email or second-factor attempts on an
 * account. The subject is hashed, so the table holds no email addresses, and a login key never
 * depends on whether an account exists: unknown and known emails are throttled identically.
 */
export function throttleKey(kind: 'login' | 'mfa', realm: Realm, subject: string): string {
  const normalized = kind === 'login' ? subject.trim().toLowerCase() : subject;
  const digest = createHash('sha256').update(normalized).digest('hex');
  return `${kind}:${realm}:${digest}`;
}

/**
 * Throws TOO_MANY_ATTEMPTS (429, with `retryAfterSeconds`) while the key waits after repeated
 * failures. There is no permanent lockout, so an attacker cannot lock the owner out for longer
 * than the current delay (at most 15 minutes); the per-address limit slows guessing further.
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

  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  throw new AppError(
    'TOO_MANY_ATTEMPTS',
    `Too many failed attempts; wait ${retryAfterSeconds} seconds before trying again.`,
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
    const row = await trx
      .selectFrom('auth_throttle')
      .select(['failures', 'updated_at'])
      .where('key', '=', key)
      .executeTakeFirst();

    const isStale = row !== undefined && now.getTime() - Date.parse(row.updated_at) > forgetAfterMs;
    const failures = (row && !isStale ? row.failures : 0) + 1;
    const retryAfterSeconds = delayAfter(failures);
    const values = {
      failures,
      blocked_until: new Date(now.getTime() + retryAfterSeconds * 1000).toISOString(),
      updated_at: now.toISOString(),
    };

    await trx
      .insertInto('auth_throttle')
      .values({ key, ...values })
      .onConflict((conflict) => conflict.column('key').doUpdateSet(values))
      .execute();
    return { failures, retryAfterSeconds };
  });
}

/** Forgets the failures of a key after a successful attempt. */
export async function clearThrottle(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('auth_throttle').where('key', '=', key).execute();
}

/** Seconds to wait after the given number of consecutive failures. */
export function delayAfter(failures: number): number {
  if (failures < freeFailures) return 0;
  return Math.min(2 ** (failures - freeFailures), maxDelaySeconds);
}
