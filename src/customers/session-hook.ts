import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { RequestAccount } from '../auth/request-account.js';
import {
  clearSessionCookie,
  customerSessionCookie,
  isRecentlyReauthenticated,
  resolveSession,
  setSessionCookie,
} from '../auth/sessions.js';
import { readVisitorHash, withRotatedVisitor } from '../cart/visitor.js';
import type { SessionStage } from '../db/schema.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf, type ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';

/**
 * Resolves the `__Host-session` cookie into `request.account` before any handler runs. An
 * unknown, expired or idle token leaves it null; the stale cookie is then cleared, so the
 * browser stops sending it.
 */
export function registerCustomerSessions(app: FastifyInstance, deps: ShopDeps): void {
  app.decorateRequest('account', null);

  app.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[customerSessionCookie];
    if (token === undefined) return;

    const timeouts = deps.config.sessions.customer;
    const row = await resolveSession(deps.db.kysely, 'customer', token, timeouts);
    if (!row) {
      clearSessionCookie(reply, customerSessionCookie);
      return;
    }

    request.account = {
      realm: 'customer',
      accountId: row.account_id,
      sessionHash: row.token_hash,
      stage: row.stage,
      reauthenticatedAt: row.reauthenticated_at,
    };
  });
}

/**
 * Returns the request's customer session, or throws AUTHENTICATION_REQUIRED. Only fully signed
 * in sessions pass unless `allowStage` names others (the MFA step accepts 'mfa_pending').
 */
export function requireCustomer(
  request: FastifyRequest,
  options: { allowStage?: SessionStage[] } = {},
): RequestAccount {
  const account = request.account;
  const stages = options.allowStage ?? ['active'];
  if (!account || account.realm !== 'customer' || !stages.includes(account.stage)) {
    throw new AppError('AUTHENTICATION_REQUIRED', 'Log in to your account first.');
  }
  return account;
}

/**
 * Returns the signed-in customer when they proved their password or a second factor within the
 * last 5 minutes; throws REAUTHENTICATION_REQUIRED otherwise, so a borrowed open session cannot
 * remove a second factor or read new recovery codes.
 */
export function requireRecentAuth(request: FastifyRequest): RequestAccount {
  const account = requireCustomer(request);
  if (!isRecentlyReauthenticated(account)) {
    throw new AppError(
      'REAUTHENTICATION_REQUIRED',
      'Confirm your password or a code from your authenticator app, then try again.',
    );
  }
  return account;
}

/** Builds the context of an auth request: the visitor from the cart cookie, none issued. */
export function authContextOf(request: FastifyRequest, deps: ShopDeps): ServiceContext {
  return contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
}

export function setCustomerCookie(reply: FastifyReply, token: string): void {
  setSessionCookie(reply, customerSessionCookie, token);
}

export function clearCustomerCookie(reply: FastifyReply): void {
  clearSessionCookie(reply, customerSessionCookie);
}

/**
 * Gives the browser a new visitor cookie after logout. The old visitor's cart now belongs to the
 * account, so the next person at a shared computer must not see it.
 */
export async function rotateVisitorAfterLogout(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ShopDeps,
): Promise<void> {
  await withRotatedVisitor(request, reply, deps.secrets.signingKey, async () => {});
}
