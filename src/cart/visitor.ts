import type { FastifyReply, FastifyRequest } from 'fastify';

import { hashToken, randomToken } from '../server/ids.js';

/**
 * The cookie that identifies a visitor's carts and orders. The `__Host-` prefix makes browsers
 * refuse it unless it is Secure, has Path=/ and no Domain, so a sibling subdomain cannot plant
 * or overwrite it. Browsers treat http://localhost as a secure context and keep it there too.
 */
export const visitorCookie = '__Host-cart';

/** Lifetime of the cookie: a cart survives a closed browser for 30 days. */
export const visitorCookieMaxAgeSeconds = 30 * 24 * 60 * 60;

// randomToken() output: 32 bytes in base64url. Anything else is not a token this shop issued.
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

// One hash per request, so a handler that calls ensureVisitor twice sets a single cookie.
const issuedThisRequest = new WeakMap<FastifyRequest, string>();

/**
 * Returns the SHA-256 of the visitor token in the `__Host-cart` cookie, or null when the cookie
 * is absent or malformed. The token never leaves this module; tables and contexts see the hash.
 */
export function readVisitorHash(request: FastifyRequest): string | null {
  const issued = issuedThisRequest.get(request);
  if (issued) return issued;

  const token = request.cookies[visitorCookie];
  if (token === undefined || !tokenPattern.test(token)) return null;
  return hashToken(token);
}

/**
 * Returns the visitor hash, first issuing a new 256-bit token in the cookie when the request
 * carries none. The cookie is HttpOnly, Secure, SameSite=Lax and Path=/ with no Domain.
 */
export function ensureVisitor(request: FastifyRequest, reply: FastifyReply): string {
  const existing = readVisitorHash(request);
  if (existing) return existing;

  const token = randomToken();
  reply.setCookie(visitorCookie, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    path: '/',
    maxAge: visitorCookieMaxAgeSeconds,
  });

  const hash = hashToken(token);
  issuedThisRequest.set(request, hash);
  return hash;
}
