import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { clientKey, createRateLimiter, type RateLimiterOptions } from './rate-limit.js';

export type SecurityEventKind =
  | 'request_tampering'
  | 'cross_site_request'
  | 'webhook_rejected'
  | 'csp_violation'
  | 'object_access_denied'
  | 'csrf_token_invalid';

const maxDetailsBytes = 4096;

/**
 * Destination of security events: the database, and the shop's per-address gate. A
 * ServiceContext fits this shape. Without a gate (command line, hand-built test contexts) every
 * event is stored.
 */
export interface SecurityEventStore {
  db: Kysely<Database>;
  limits?: { securityEvents: SecurityEventGate } | undefined;
}

/** Returns the store of a running shop, from its dependencies. */
export function securityEventStore(deps: {
  db: { kysely: Kysely<Database> };
  limits?: { securityEvents: SecurityEventGate } | undefined;
}): SecurityEventStore {
  return { db: deps.db.kysely, limits: deps.limits };
}

/**
 * Stores a security event for review and logs it at warn. Details are truncated to 4 KiB so
 * an attacker cannot grow the table faster than the request size allows. Over the per-address
 * limit of the store's gate the event is not stored; the gate counts it and logs a summary.
 */
export async function recordSecurityEvent(
  store: SecurityEventStore,
  request: Pick<FastifyRequest, 'id' | 'ip' | 'log'>,
  kind: SecurityEventKind,
  details: Record<string, unknown>,
): Promise<void> {
  if (store.limits && !store.limits.securityEvents.admit(request.ip, request.log)) return;

  let serialised = JSON.stringify(details);
  if (Buffer.byteLength(serialised) > maxDetailsBytes) {
    serialised = JSON.stringify({ truncated: serialised.slice(0, maxDetailsBytes - 64) });
  }

  await store.db
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

/** Decides which security events of an address are stored. */
export interface SecurityEventGate {
  /** Counts one event from `source` and returns whether it may be stored. */
  admit(source: string, log: FastifyBaseLogger): boolean;
}

/** Addresses whose dropped events are counted at once; beyond this, drops are not counted. */
const maxCountedSources = 10_000;

/**
 * Creates a gate that lets `limit` events per address and window through. Events over the limit
 * are dropped and counted. The 1st, 10th, 100th and every further power of ten are logged at
 * warn with the running count, and the total is logged again when that address's next event is
 * stored. A flood therefore costs a few log lines instead of a row per request. The lines carry
 * the request id but not the address, which the stored events of that address already contain.
 */
export function createSecurityEventGate(options: RateLimiterOptions): SecurityEventGate {
  const limiter = createRateLimiter(options);
  const dropped = new Map<string, number>();

  return {
    admit(source, log) {
      const key = clientKey(source);
      const count = dropped.get(key) ?? 0;

      if (limiter.take(key).allowed) {
        if (count > 0) {
          dropped.delete(key);
          log.warn({ dropped: count }, 'security events dropped over the rate limit');
        }
        return true;
      }

      const next = count + 1;
      if (count > 0 || dropped.size < maxCountedSources) dropped.set(key, next);
      if (isPowerOfTen(next)) {
        log.warn({ dropped: next }, 'security events over the rate limit; not stored');
      }
      return false;
    },
  };
}

function isPowerOfTen(value: number): boolean {
  return Number.isInteger(Math.log10(value));
}
