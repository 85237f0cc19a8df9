import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import type { FastifyReply } from 'fastify';

import type { Realm } from '../db/schema.js';
import { hashToken, randomToken } from '../server/ids.js';

/**
 * Device cookies mark a browser in which an account has completed a full login (password and,
 * where enrolled, the second factor). They decide only which failure counter a later attempt
 * is charged to (see attemptBuckets in throttle.ts), so an attacker who fails on purpose
 * against a victim's email cannot throttle the victim's own browser. A device cookie never
 * replaces the password or the second factor.
 *
 * The value is `<token>.<mac>`: a random 256-bit token and HMAC-SHA256, keyed with
 * deriveKey(secrets, 'device-cookie'), over the realm, the SHA-256 of the subject and the
 * token. The subject (see deviceSubject) is the normalized email and a fingerprint of the
 * current password hash, so a password change or reset voids every device cookie of the
 * account, including any minted by someone who knew the old password. The server stores
 * nothing else.
 *
 * NOTE: a browser keeps one device cookie per realm, for the account that logged in last there.
 * A second account logging in from the same browser takes it over, and an email change voids
 * it until the next full login.
 */

/** Device cookie names; the admin has its own, since it shares the host name by default. */
export const deviceCookieNames = {
  customer: '__Host-device',
  staff: '__Host-staff-device',
} as const satisfies Record<Realm, string>;

/** Lifetime of a device cookie: 180 days, renewed by every full login. */
export const deviceCookieMaxAgeSeconds = 180 * 24 * 60 * 60;

const valueRegExp = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

/**
 * Returns the subject a device cookie is bound to: the normalized email and the SHA-256 of the
 * account's password hash. Pass undefined for an unknown account, whose subject no issued
 * cookie matches.
 */
export function deviceSubject(email: string, passwordHash: string | undefined): string {
  const fingerprint = createHash('sha256')
    .update(passwordHash ?? 'no account')
    .digest('hex');
  return `${email}\n${fingerprint}`;
}

/** Returns a new device cookie value for `subject` (see deviceSubject). */
export function issueDeviceCookie(key: Buffer, realm: Realm, subject: string): string {
  const token = randomToken();
  return `${token}.${macOf(key, realm, subject, token)}`;
}

/**
 * Returns the device id of a cookie value that was issued for this realm and subject, or null
 * for a missing, malformed, forged, other account's or pre-password-change cookie. The id is the token's SHA-256, so
 * throttle keys and logs never carry the token itself.
 */
export function trustedDeviceOf(
  key: Buffer,
  realm: Realm,
  subject: string,
  value: string | undefined,
): string | null {
  const match = valueRegExp.exec(value ?? '');
  if (!match?.[1] || !match[2]) return null;

  const expected = Buffer.from(macOf(key, realm, subject, match[1]));
  const presented = Buffer.from(match[2]);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return null;
  return hashToken(match[1]);
}

/** Sets the realm's device cookie: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, 180 days. */
export function setDeviceCookie(reply: FastifyReply, realm: Realm, value: string): void {
  reply.setCookie(deviceCookieNames[realm], value, {
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    path: '/',
    maxAge: deviceCookieMaxAgeSeconds,
  });
}

/**
 * Returns the cookie value to set after a full login: the presented one when it is already
 * valid for this account (so the device keeps its throttle counter), else a new one.
 */
export function deviceCookieAfterLogin(
  key: Buffer,
  realm: Realm,
  subject: string,
  presented: string | undefined,
): string {
  if (presented && trustedDeviceOf(key, realm, subject, presented)) return presented;
  return issueDeviceCookie(key, realm, subject);
}

function macOf(key: Buffer, realm: Realm, subject: string, token: string): string {
  const subjectHash = createHash('sha256').update(subject).digest('hex');
  return createHmac('sha256', key)
    .update(`storefort:device:v2\n${realm}\n${subjectHash}\n${token}`)
    .digest('base64url');
}
