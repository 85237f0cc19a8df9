import { createHash, randomBytes } from 'node:crypto';

/** Returns a random identifier with 128 bits of entropy, URL safe (22 characters). */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/** Returns a random secret token with 256 bits of entropy, URL safe (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a token, hex encoded; tables keep this instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Returns the current instant as an ISO 8601 UTC string, the form every table stores. */
export function nowIso(): string {
  return new Date().toISOString();
}
