import { createHmac, timingSafeEqual } from 'node:crypto';

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

// `<token>.<signature>`: a randomToken() (32 bytes in base64url) and the HMAC-SHA256 of it in
// base64url. Anything else is not a cookie this shop issued.
const cookiePattern = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

// One hash per request, so a handler that calls ensureVisitor twice sets a single cookie.
const issuedThisRequest = new WeakMap<FastifyRequest, string>();

/**
 * Returns the SHA-256 of the visitor token in the `__Host-cart` cookie, or null when the cookie
 * is absent, malformed or not signed with `signingKey`. A value the shop did not issue is thus
 * ignored, so a cookie planted in the shopper's browser cannot choose their identity. The token
 * never leaves this module; tables and contexts see the hash.
 */
export function readVisitorHash(request: FastifyRequest, signingKey: Buffer): string | null {
  const issued = issuedThisRequest.get(request);
  if (issued) return issued;

  const value = request.cookies[visitorCookie];
  if (value === undefined) return null;
  const token = verifiedToken(signingKey, value);
  return token === undefined ? null : hashToken(token);
}

/**
 * Returns the visitor hash, first issuing a new 256-bit token in the cookie when the request
 * carries no valid one. The cookie is HttpOnly, Secure, SameSite=Lax and Path=/ with no Domain.
 */
export function ensureVisitor(
  request: FastifyRequest,
  reply: FastifyReply,
  signingKey: Buffer,
): string {
  const existing = readVisitorHash(request, signingKey);
  if (existing) return existing;

  return issueVisitorCookie(request, reply, signingKey, randomToken());
}

/**
 * Runs `work` with the hash of a new visitor token and, once it resolves, sets that token in the
 * cookie in place of the current one. When `work` rejects, the cookie stays as it was. Checkout
 * uses it so that a new order belongs to a token that only this browser holds.
 */
export async function withRotatedVisitor<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  signingKey: Buffer,
  work: (nextVisitorHash: string) => Promise<T>,
): Promise<T> {
  const token = randomToken();
  const result = await work(hashToken(token));
  issueVisitorCookie(request, reply, signingKey, token);
  return result;
}

/** Returns the cookie value for a visitor token: the token, a dot and its signature. */
export function signVisitorToken(signingKey: Buffer, token: string): string {
  return `${token}.${mac(signingKey, token)}`;
}

/**
 * Sets the cookie for `token` (HttpOnly, Secure, SameSite=Lax, Path=/, no Domain) and makes its
 * hash the visitor of the rest of this request. Returns that hash.
 */
function issueVisitorCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  signingKey: Buffer,
  token: string,
): string {
  reply.setCookie(visitorCookie, signVisitorToken(signingKey, token), {
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

/** Returns the token of a cookie value whose signature verifies, or undefined. */
function verifiedToken(signingKey: Buffer, value: string): string | undefined {
  const match = cookiePattern.exec(value);
  if (!match) return undefined;

  const [, token = '', signature = ''] = match;
  const expected = Buffer.from(mac(signingKey, token), 'ascii');
  const given = Buffer.from(signature, 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : undefined;
}

function mac(signingKey: Buffer, token: string): string {
  // The purpose prefix keeps this HMAC from matching one the same key makes for anything else.
  return createHmac('sha256', signingKey)
    .update(`storefort:visitor-cookie:v1\n${token}`)
    .digest('base64url');
}
