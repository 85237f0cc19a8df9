import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { clientKey } from '../defense/rate-limit.js';
import { AppError } from '../server/errors.js';
import { hashToken, nowIso } from '../server/ids.js';
import { type ApiKeyScope, apiKeyScopes } from './admin-forms.schema.js';
import { type AdminLimits, takeOrReject } from './admin-limits.js';
import { apiKeyPrefix } from './api-keys.service.js';
import type { AdminDeps } from './app.js';
import { type AuditEntry, apiKeyActorId, appendAudit } from './audit-log.js';
import { auditKeyOf } from './staff-context.js';

/** The API key a request of the admin API was authenticated with. */
export interface ApiKeyActor {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API key hook on `api_key` routes once the key and its scope are checked. */
    apiKey: ApiKeyActor | null;
  }
}

/**
 * One detail for a missing, malformed, unknown and revoked key alike, so a response never reveals
 * which of them a guessed or leaked key is.
 */
const rejectedKeyDetail =
  'Send a valid, unrevoked admin API key as "Authorization: Bearer sfk_...".';

/** Keys are `sfk_` and 43 base64url characters; anything else cannot match and is not looked up. */
const keyFormat = /^sfk_[A-Za-z0-9_-]{43}$/;

/**
 * Returns the key of an `Authorization: Bearer <key>` header, or null when the header is
 * missing, uses another scheme or carries something that is not a Storefort key.
 */
export function bearerKey(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  const key = match?.[1];
  return key && key.startsWith(apiKeyPrefix) && keyFormat.test(key) ? key : null;
}

/** Parses the stored JSON scope list, keeping only the scopes this version supports. */
export function parseScopes(stored: string): ApiKeyScope[] {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return apiKeyScopes.filter((scope) => value.includes(scope));
}

/**
 * Authenticates requests to routes with `config.permission: 'api_key'` by their bearer key and
 * nothing else: the staff cookie is not read on these routes, so a page on another site cannot
 * make a signed-in browser call them. In order:
 * 1. the per-address limit, counted before the key is looked up;
 * 2. the key: missing, unknown and revoked keys get the same 401;
 * 3. the per-key limit;
 * 4. the route's `config.apiScope`, 403 without it;
 * then `last_used_at` is set and the call is audited with the key as actor. Rejections at steps
 * 2 and 4 are audited too; requests over a limit are only logged, so a flood cannot fill the
 * audit log.
 */
export function registerApiKeyAuth(
  app: FastifyInstance,
  deps: AdminDeps,
  limits: AdminLimits,
): void {
  app.decorateRequest('apiKey', null);

  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config?.permission !== 'api_key') return;
    reply.header('cache-control', 'no-store');

    takeOrReject(
      request,
      limits.apiPerAddress,
      clientKey(request.ip),
      'apiPerAddress',
      'Too many admin API requests came from this address; wait and retry after Retry-After seconds.',
    );

    const presented = bearerKey(request.headers.authorization);
    const row = presented
      ? await deps.db.kysely
          .selectFrom('api_keys')
          .select(['id', 'name', 'prefix', 'permissions', 'revoked_at'])
          .where('key_hash', '=', hashToken(presented))
          .executeTakeFirst()
      : undefined;
    if (!row || row.revoked_at !== null) {
      let reason = 'unknown_key';
      if (!presented) reason = 'missing_key';
      else if (row) reason = 'revoked_key';
      await auditApiCall(request, deps, {
        action: 'api.rejected',
        actorId: row ? apiKeyActorId(row.id) : '',
        details: { reason },
      });
      return rejectKey(reply);
    }

    takeOrReject(
      request,
      limits.apiPerKey,
      row.id,
      'apiPerKey',
      'This API key made too many requests; wait and retry after Retry-After seconds.',
    );

    const key: ApiKeyActor = {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      scopes: parseScopes(row.permissions),
    };
    const scope = config.apiScope;
    if (!scope || !key.scopes.includes(scope)) {
      await auditApiCall(request, deps, {
        action: 'api.denied',
        actorId: apiKeyActorId(key.id),
        details: { keyName: key.name, keyPrefix: key.prefix, scope: scope ?? null },
      });
      throw new AppError('FORBIDDEN', `This API key lacks the ${scope ?? 'required'} scope.`);
    }

    await deps.db.kysely
      .updateTable('api_keys')
      .set({ last_used_at: nowIso() })
      .where('id', '=', key.id)
      .execute();
    await auditApiCall(request, deps, {
      action: 'api.called',
      actorId: apiKeyActorId(key.id),
      details: { keyName: key.name, keyPrefix: key.prefix, scope },
    });
    request.apiKey = key;
  });
}

function rejectKey(reply: FastifyReply): never {
  reply.header('www-authenticate', 'Bearer realm="storefort-admin"');
  throw new AppError('AUTHENTICATION_REQUIRED', rejectedKeyDetail);
}

/**
 * Appends an audit row for an API call: the route pattern and its parameters, never the key
 * or the Authorization header.
 */
async function auditApiCall(
  request: FastifyRequest,
  deps: AdminDeps,
  entry: Pick<AuditEntry, 'action' | 'actorId'> & { details: Record<string, unknown> },
): Promise<void> {
  await appendAudit(deps.db.kysely, auditKeyOf(deps.secrets), {
    actorId: entry.actorId,
    actorEmail: '',
    action: entry.action,
    objectType: 'route',
    objectId: `${request.method} ${request.routeOptions.url ?? ''}`,
    ip: request.ip,
    details: { ...entry.details, params: request.params ?? {} },
  });
}
