import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import '../auth/request-account.js';
import { isRecentlyReauthenticated, resolveSession, staffSessionCookie } from '../auth/sessions.js';
import { AppError } from '../server/errors.js';
import type { AdminDeps } from './app.js';
import './api-auth.js';
import { roleAllows } from './permissions.js';
import './route-config.js';
import { auditRequest } from './staff-context.js';

/** Path a session that still owes its second factor is sent to, by stage. */
export const mfaPaths = { mfa_enrolment: '/mfa/enrol', mfa_pending: '/mfa' } as const;

/** One route of the admin with its permission, collected for the permission matrix test. */
export interface AdminRoute {
  method: string;
  url: string;
  permission: string;
  sensitive: boolean;
}

/**
 * Rejects (throws on) a route without `config.permission` and records every route, so a test
 * can walk the whole admin. Routes under `publicPrefixes` are made `public`, because they come
 * from shared code without permissions, such as the asset routes. Call before any route is added.
 */
export function collectAdminRoutes(app: FastifyInstance, publicPrefixes: string[]): AdminRoute[] {
  const routes: AdminRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (
      route.config?.permission === undefined &&
      publicPrefixes.some((p) => route.url.startsWith(p))
    ) {
      route.config = { ...route.config, permission: 'public' };
    }
    const permission = route.config?.permission;
    if (permission === undefined) {
      throw new Error(`admin route ${route.url} has no config.permission`);
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: route.url,
        permission,
        sensitive: route.config?.sensitive === true,
      });
    }
  });
  return routes;
}

/**
 * Resolves the `__Host-staff` cookie into request.account and request.staff. A session of a
 * disabled staff member counts as none. The role is read from the staff table on every request,
 * so a role change applies to the next request. Routes of the admin API (`api_key`) never read
 * the cookie: only their bearer key authenticates them.
 */
export function registerStaffSessions(app: FastifyInstance, deps: AdminDeps): void {
  app.decorateRequest('account', null);
  app.decorateRequest('staff', null);
  app.decorateRequest('audited', false);

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.permission === 'api_key') return;
    const token = request.cookies[staffSessionCookie];
    if (!token) return;

    const session = await resolveSession(
      deps.db.kysely,
      'staff',
      token,
      deps.config.sessions.staff,
    );
    if (!session) return;

    const staff = await deps.db.kysely
      .selectFrom('staff')
      .select(['id', 'email', 'role'])
      .where('id', '=', session.account_id)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (!staff) return;

    request.account = {
      realm: 'staff',
      accountId: staff.id,
      sessionHash: session.token_hash,
      stage: session.stage,
      reauthenticatedAt: session.reauthenticated_at,
      role: staff.role,
    };
    request.staff = staff;
  });
}

/**
 * Enforces each route's `config.permission` and `config.sensitive`, before the body is parsed or
 * validated:
 * - `api_key` routes pass only once the API key hook (api-auth.ts) has accepted a key;
 * - no session: GET requests go to /login, others get 401;
 * - a session still owing its second factor reaches only `public` and `signed_in` routes. A GET
 *   of any other route is sent to enrolment or verification, and other methods get 401
 *   MFA_REQUIRED;
 * - a role without the route's permission gets 403 FORBIDDEN, which is also audited;
 * - a sensitive route without a password or TOTP proof in the last 5 minutes redirects to
 *   /reauth, for POSTs too, so the action does not run.
 */
export function registerAccessControl(app: FastifyInstance, deps: AdminDeps): void {
  app.addHook('onRequest', async (request, reply) => {
    // Requests that match no route have no config, so they are left to the 404 handler.
    if (request.routeOptions.url === undefined) return;

    const permission = request.routeOptions.config?.permission;
    if (permission === undefined) throw new AppError('FORBIDDEN', 'This route is not open.');
    if (permission === 'public') return;
    if (permission === 'api_key') {
      if (!request.apiKey) throw new AppError('AUTHENTICATION_REQUIRED', 'Send an admin API key.');
      return;
    }

    const account = request.account;
    if (!account || !request.staff) return notSignedIn(request, reply);
    if (permission === 'signed_in') return;

    if (account.stage !== 'active') {
      const target = mfaPaths[account.stage];
      if (request.method === 'GET') return reply.redirect(target, 303);
      throw new AppError('MFA_REQUIRED', 'Finish the second login step first.');
    }

    if (!roleAllows(request.staff.role, permission)) {
      await auditRequest(request, deps, {
        action: 'access.denied',
        objectType: 'route',
        objectId: `${request.method} ${request.routeOptions.url}`,
        details: { role: request.staff.role, permission },
      });
      throw new AppError('FORBIDDEN', `The ${request.staff.role} role does not allow this.`);
    }

    if (request.routeOptions.config?.sensitive && !isRecentlyReauthenticated(account)) {
      return reply.redirect(reauthPath(request), 303);
    }
  });
}

function notSignedIn(request: FastifyRequest, reply: FastifyReply) {
  if (request.method === 'GET') return reply.redirect('/login', 303);
  throw new AppError('AUTHENTICATION_REQUIRED', 'Log in to the admin first.');
}

/** Maximum length of a `next` kept with its query string; the /reauth schemas accept 500. */
const maxNextWithQuery = 400;

/**
 * Returns the URL of the re-authentication page, which leads back to the page of the action (its
 * GET form) afterwards. A GET keeps its query string (which passkey to remove, for one) unless it
 * is too long.
 */
export function reauthPath(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '/';
  const keepQuery = request.method === 'GET' && request.url.length <= maxNextWithQuery;
  return `/reauth?next=${encodeURIComponent(keepQuery ? request.url : path)}`;
}

/**
 * Returns `next` when it is a path on the admin itself, and '/' otherwise, so a crafted link to
 * /reauth or /login cannot send the staff member to another site afterwards.
 */
export function safeNextPath(next: string | undefined): string {
  // Printable ASCII only: browsers drop tabs and newlines from a Location, which would turn
  // "/<tab>/evil.example" into the other-site URL "//evil.example".
  if (!next || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next) || next.includes('\\')) return '/';
  return next;
}
