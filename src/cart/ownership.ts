import { timingSafeEqual } from 'node:crypto';

import { recordSecurityEvent } from '../defense/security-events.js';
import type { ServiceContext } from '../server/context.js';

/** Kinds of owned records, named in `object_access_denied` security events. */
export type OwnedResource = 'cart' | 'cart_line' | 'order' | 'address' | 'review' | 'session';

/** The owner columns of a cart or an order. */
export interface VisitorOwned {
  visitor_hash: string;
  customer_id: string | null;
}

/**
 * Tells whether the caller in the context owns a cart or an order. A record attached to a
 * customer belongs to that signed-in customer alone, whatever browser asks: otherwise a shopper
 * who logged out, or the next person who logs in on the same browser, would keep reading the
 * account's carts and orders through the visitor cookie. A guest record (no customer) belongs to
 * the visitor whose cookie created it, signed in or not.
 */
export function isOwnedByCaller(ctx: ServiceContext, record: VisitorOwned): boolean {
  if (record.customer_id !== null) return record.customer_id === ctx.customerId;
  return isOwnedByVisitor(ctx, record.visitor_hash);
}

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
 * Records that a caller requested a record that exists but belongs to someone else. Callers
 * then respond exactly as for a missing record, so the response does not confirm the id exists.
 * The event names the record, never its owner or contents.
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
    signedIn: ctx.customerId !== null,
    ...details,
  });
}
