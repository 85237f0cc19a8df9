import { timingSafeEqual } from 'node:crypto';

import { recordSecurityEvent } from '../defense/security-events.js';
import type { ServiceContext } from '../server/context.js';

/** Kinds of visitor-owned records, named in `object_access_denied` security events. */
export type OwnedResource = 'cart' | 'cart_line' | 'order';

/**
 * Tells whether the visitor in the context owns a record stored with `ownerHash`. A request
 * without a visitor cookie owns nothing. The hashes are compared in constant time.
 */
export function isOwnedByVisitor(ctx: ServiceContext, ownerHash: string): boolean {
  if (ctx.visitorHash === null) return false;

  const given = Buffer.from(ctx.visitorHash, 'utf8');
  const stored = Buffer.from(ownerHash, 'utf8');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * Records that a visitor requested a record that exists but belongs to someone else. Callers
 * then respond exactly as for a missing record, so the response does not confirm the id exists.
 */
export async function recordAccessDenied(
  ctx: ServiceContext,
  resource: OwnedResource,
  id: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  const source = { id: ctx.requestId, ip: ctx.ip, log: ctx.log };
  await recordSecurityEvent(ctx, source, 'object_access_denied', {
    resource,
    id,
    hasVisitorCookie: ctx.visitorHash !== null,
    ...details,
  });
}
