import { createHmac, timingSafeEqual } from 'node:crypto';

/** Default lifetime of a signed order link: 7 days. */
export const defaultOrderLinkTtlSeconds = 7 * 24 * 60 * 60;

// `<expiry in Unix seconds>.<HMAC-SHA256 in base64url>`. Leading zeros are refused, so each
// expiry has exactly one spelling and any edit to the digits changes the signed text.
const tokenPattern = /^([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$/;

/**
 * Signs a link token that lets its holder view one order until it expires, for the
 * confirmation page and the payment provider's return URL. The token is the expiry and an
 * HMAC-SHA256 over the order id and that expiry.
 */
export function createOrderLinkToken(
  signingKey: Buffer,
  orderId: string,
  ttlSeconds = defaultOrderLinkTtlSeconds,
  nowMs = Date.now(),
): string {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive whole number, not ${ttlSeconds}`);
  }

  const expiry = String(Math.floor(nowMs / 1000) + ttlSeconds);
  return `${expiry}.${mac(signingKey, orderId, expiry)}`;
}

/**
 * Tells whether a token was signed for this order and has not expired. The signature is
 * compared as text in constant time, so changing any character of the token voids it, even
 * the last base64url character whose low bits the decoder would ignore.
 */
export function isValidOrderLinkToken(
  signingKey: Buffer,
  orderId: string,
  token: string,
  nowMs = Date.now(),
): boolean {
  const match = tokenPattern.exec(token);
  if (!match) return false;

  const [, expiry = '', signature = ''] = match;
  if (Number(expiry) * 1000 <= nowMs) return false;

  const expected = Buffer.from(mac(signingKey, orderId, expiry), 'ascii');
  const given = Buffer.from(signature, 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function mac(signingKey: Buffer, orderId: string, expiry: string): string {
  // The purpose prefix keeps this HMAC from matching one the same key makes for anything else.
  return createHmac('sha256', signingKey)
    .update(`storefort:order-link:v1\n${orderId}\n${expiry}`)
    .digest('base64url');
}
