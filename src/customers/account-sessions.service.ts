import { endSession, listSessions } from '../auth/sessions.js';
import { recordAccessDenied } from '../cart/ownership.js';
import type { ServiceContext } from '../server/context.js';
import { notFound } from '../server/errors.js';
import { deriveKey } from '../server/secrets.js';
import { requireCustomerId } from './customer-context.js';
import { publicSessionId, tokenHashOfPublicId } from './session-ids.js';

export interface SessionView {
  /** Public id (see session-ids.ts); never the token or its hash. */
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string;
  ip: string;
}

/**
 * Lists the signed-in customer's sessions that have not reached their absolute end, most
 * recently used first, marking the one whose token hash is `currentHash`.
 */
export async function listAccountSessions(
  ctx: ServiceContext,
  currentHash: string,
): Promise<SessionView[]> {
  const customerId = requireCustomerId(ctx);
  const key = sessionIdKey(ctx);
  const rows = await listSessions(ctx.db, 'customer', customerId);

  return rows.map((row) => ({
    id: publicSessionId(key, row.token_hash),
    current: row.token_hash === currentHash,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    userAgent: row.user_agent,
    ip: row.ip,
  }));
}

/**
 * Ends one of the signed-in customer's sessions by its public id and returns whether it was the
 * current one, so the route can clear the cookie. Another account's session raises NOT_FOUND
 * like an unknown id and records an `object_access_denied` event; the event names the public id.
 */
export async function endAccountSession(
  ctx: ServiceContext,
  publicId: string,
  currentHash: string,
): Promise<{ endedCurrent: boolean }> {
  const customerId = requireCustomerId(ctx);
  const tokenHash = tokenHashOfPublicId(sessionIdKey(ctx), publicId);
  if (tokenHash === null) throw notFound('The session');

  const session = await ctx.db
    .selectFrom('sessions')
    .select(['realm', 'account_id'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!session) throw notFound('The session');

  if (session.realm !== 'customer' || session.account_id !== customerId) {
    await recordAccessDenied(ctx, 'session', publicId);
    throw notFound('The session');
  }

  await endSession(ctx.db, tokenHash);
  ctx.log.info({ customerId }, 'session ended from the session list');
  return { endedCurrent: tokenHash === currentHash };
}

function sessionIdKey(ctx: ServiceContext): Buffer {
  return deriveKey(ctx.secrets, 'session-id');
}
