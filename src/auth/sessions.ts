import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database, Realm, SessionRow, SessionStage } from '../db/schema.js';
import type { SessionTimeouts } from '../server/config.js';
import { AppError } from '../server/errors.js';
import { hashToken, randomToken } from '../server/ids.js';
import type { RequestAccount } from './request-account.js';

/**
 * Session cookies. The `__Host-` prefix makes browsers refuse them unless Secure, Path=/ and
 * without Domain, so a sibling subdomain cannot plant a session (fixation) or read it.
 */
export const customerSessionCookie = '__Host-session';
export const staffSessionCookie = '__Host-staff';

/** How long a password or second-factor proof counts as recent for sensitive actions. */
export const reauthenticationWindowMs = 5 * 60_000;

// last_seen_at is written at most this often, so a page with many requests costs one write.
const lastSeenResolutionMs = 60_000;

// randomToken(): 32 bytes in base64url. Anything else cannot be a session and skips the query.
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

export interface NewSession {
  realm: Realm;
  accountId: string;
  stage: SessionStage;
  userAgent: string;
  ip: string;
  timeouts: SessionTimeouts;
  /** The clock; tests pass a fixed instant. */
  now?: Date;
}

/**
 * Creates a session and returns its token, a 256-bit random value that only the cookie holds.
 * The table stores the token's SHA-256, so a leaked database copy cannot be replayed as a cookie.
 * The session ends `timeouts.absoluteMinutes` after creation however active it is.
 */
export async function createSession(db: Kysely<Database>, session: NewSession): Promise<string> {
  const now = session.now ?? new Date();
  const token = randomToken();

  await db
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      realm: session.realm,
      account_id: session.accountId,
      stage: session.stage,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: addMinutes(now, session.timeouts.absoluteMinutes).toISOString(),
      reauthenticated_at: now.toISOString(),
      // Shown in the session list so the holder can tell devices apart; bounded for the table.
      user_agent: session.userAgent.slice(0, 256),
      ip: session.ip,
    })
    .execute();

  return token;
}

/**
 * Returns the live session of `realm` for a cookie's token, or null when there is none, when it
 * passed its absolute end, or when it was idle longer than `timeouts.idleMinutes` (such a row is
 * deleted). A live session's last_seen_at moves forward, at most once a minute.
 */
export async function resolveSession(
  db: Kysely<Database>,
  realm: Realm,
  token: string,
  timeouts: SessionTimeouts,
  now: Date = new Date(),
): Promise<SessionRow | null> {
  if (!tokenPattern.test(token)) return null;

  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('realm', '=', realm)
    .executeTakeFirst();
  if (!row) return null;

  if (isSessionOver(row, timeouts, now)) {
    await endSession(db, tokenHash);
    return null;
  }

  if (now.getTime() - Date.parse(row.last_seen_at) >= lastSeenResolutionMs) {
    const lastSeen = now.toISOString();
    await db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeen })
      .where('token_hash', '=', tokenHash)
      .execute();
    return { ...row, last_seen_at: lastSeen };
  }
  return row;
}

function isSessionOver(row: SessionRow, timeouts: SessionTimeouts, now: Date): boolean {
  const time = now.getTime();
  if (time >= Date.parse(row.expires_at)) return true;
  return time - Date.parse(row.last_seen_at) >= timeouts.idleMinutes * 60_000;
}

export interface SessionChanges {
  stage?: SessionStage;
  /** Records a fresh password or second-factor proof. */
  reauthenticated?: boolean;
}

/**
 * Replaces a session's token with a new one and returns it; the old token stops working at once.
 * Call it whenever the session gains privilege (second factor passed, password changed), so a
 * token observed before that point is worthless. The account, creation time and absolute end
 * stay. Throws AUTHENTICATION_REQUIRED when the old session no longer exists.
 */
export async function rotateSession(
  db: Kysely<Database>,
  oldHash: string,
  changes: SessionChanges = {},
  now: Date = new Date(),
): Promise<string> {
  const token = randomToken();

  await db.transaction().execute(async (trx) => {
    const old = await trx
      .deleteFrom('sessions')
      .where('token_hash', '=', oldHash)
      .returningAll()
      .executeTakeFirst();
    if (!old) throw new AppError('AUTHENTICATION_REQUIRED', 'The session has ended; log in again.');

    await trx
      .insertInto('sessions')
      .values({
        ...old,
        token_hash: hashToken(token),
        stage: changes.stage ?? old.stage,
        last_seen_at: now.toISOString(),
        reauthenticated_at: changes.reauthenticated ? now.toISOString() : old.reauthenticated_at,
      })
      .execute();
  });

  return token;
}

/** Records that the session's holder has just proved their password or a second factor. */
export async function markReauthenticated(
  db: Kysely<Database>,
  hash: string,
  now: Date = new Date(),
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ reauthenticated_at: now.toISOString() })
    .where('token_hash', '=', hash)
    .execute();
}

export async function endSession(db: Kysely<Database>, hash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hash).execute();
}

/**
 * Ends every session of the account except `keepHash`, or every one when it is null; used after
 * a password change or reset and for "log out everywhere". Returns how many ended.
 */
export async function endOtherSessions(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
  keepHash: string | null,
): Promise<number> {
  let query = db
    .deleteFrom('sessions')
    .where('realm', '=', realm)
    .where('account_id', '=', accountId);
  if (keepHash !== null) query = query.where('token_hash', '!=', keepHash);

  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Lists the account's sessions that have not reached their absolute end, most recently used
 * first. Idle sessions are listed until a request or the next login removes them.
 */
export async function listSessions(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
  now: Date = new Date(),
): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .where('expires_at', '>', now.toISOString())
    .orderBy('last_seen_at', 'desc')
    .execute();
}

/** Deletes sessions past their absolute end, of every account. Returns how many. */
export async function deleteExpiredSessions(
  db: Kysely<Database>,
  now: Date = new Date(),
): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

const cookieOptions = { httpOnly: true, secure: true, sameSite: 'lax', path: '/' } as const;

/**
 * Sets a session cookie: HttpOnly, Secure, SameSite=Lax, Path=/ and no Domain. It has no
 * Max-Age, so the browser drops it when it closes; the server enforces the real lifetime.
 */
export function setSessionCookie(reply: FastifyReply, name: string, token: string): void {
  reply.setCookie(name, token, cookieOptions);
}

export function clearSessionCookie(reply: FastifyReply, name: string): void {
  reply.clearCookie(name, cookieOptions);
}

/** Returns whether the account proved a password or second factor within the last 5 minutes. */
export function isRecentlyReauthenticated(account: RequestAccount, now = Date.now()): boolean {
  return now - Date.parse(account.reauthenticatedAt) < reauthenticationWindowMs;
}

function addMinutes(date: Date, minutes: number): Date {
  return new Date(date.getTime() + minutes * 60_000);
}
