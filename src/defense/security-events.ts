import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';

export type SecurityEventKind =
  | 'request_tampering'
  | 'cross_site_request'
  | 'webhook_rejected'
  | 'csp_violation'
  | 'object_access_denied';

const maxDetailsBytes = 4096;

/**
 * Stores a security event for review and logs it at warn. Details are truncated to 4 KiB so
 * an attacker cannot grow the table faster than the request size allows.
 */
export async function recordSecurityEvent(
  db: Kysely<Database>,
  request: Pick<FastifyRequest, 'id' | 'ip' | 'log'>,
  kind: SecurityEventKind,
  details: Record<string, unknown>,
): Promise<void> {
  let serialised = JSON.stringify(details);
  if (Buffer.byteLength(serialised) > maxDetailsBytes) {
    serialised = JSON.stringify({ truncated: serialised.slice(0, maxDetailsBytes - 64) });
  }

  await db
    .insertInto('security_events')
    .values({
      created_at: new Date().toISOString(),
      kind,
      source: request.ip,
      request_id: request.id,
      details: serialised,
    })
    .execute();

  logSecurityEvent(request.log, kind, request.id);
}

function logSecurityEvent(log: FastifyBaseLogger, kind: SecurityEventKind, requestId: string) {
  log.warn({ securityEvent: kind, requestId }, 'security event recorded');
}
