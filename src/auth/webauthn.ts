import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';

import type { AuthChallengeTable, Database, Realm } from '../db/schema.js';
import { AppError, notFound } from '../server/errors.js';
import { hashToken, randomToken } from '../server/ids.js';
import { deleteRecoveryCodes } from './recovery-codes.js';

/** The relying party: the site passkeys are bound to. Build it with relyingPartyFor. */
export interface RelyingParty {
  rpID: string;
  origin: string;
  rpName: string;
}

/** Returns the relying party of a public URL: config.publicUrl (shop) or config.adminUrl. */
export function relyingPartyFor(url: URL, rpName = 'Storefort'): RelyingParty {
  return { rpID: url.hostname, origin: url.origin, rpName };
}

/** The cookie that stores the key of a pending ceremony's challenge. */
export const webauthnChallengeCookie = '__Host-webauthn';
/** Time a browser has to finish a ceremony, which is also the challenge cookie's lifetime. */
export const challengeTtlSeconds = 300;

const maxPasskeyNameLength = 64;
const invalidPasskey = 'The passkey could not be verified; start again.';
const challengeGone = 'This passkey request was already used or has expired; start again.';

/**
 * Sets a new challenge key in the `__Host-webauthn` cookie (HttpOnly, Secure, SameSite=Strict,
 * Max-Age 300) and returns it, for the start* functions below.
 */
export function issueChallengeKey(reply: FastifyReply): string {
  const key = randomToken();
  reply.setCookie(webauthnChallengeCookie, key, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    maxAge: challengeTtlSeconds,
  });
  return key;
}

export function clearChallengeCookie(reply: FastifyReply): void {
  reply.clearCookie(webauthnChallengeCookie, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
  });
}

/**
 * Returns registration options for a new passkey of the account and stores their challenge
 * under `challengeKey`. The account's existing passkeys are excluded, so an authenticator is not
 * registered twice. Passkeys are discoverable, so they can later sign in without an email.
 */
export async function startPasskeyRegistration(
  db: Kysely<Database>,
  rp: RelyingParty,
  realm: Realm,
  account: { id: string; email: string },
  challengeKey: string,
  now: Date = new Date(),
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await credentialsOf(db, realm, account.id);
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userName: account.email,
    // The opaque account id, never the email, is what the authenticator stores as user handle.
    userID: new TextEncoder().encode(account.id),
    attestationType: 'none',
    excludeCredentials: existing.map((credential) => ({
      id: credential.id,
      transports: parseTransports(credential.transports),
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    timeout: challengeTtlSeconds * 1000,
  });

  await storeChallenge(db, challengeKey, {
    purpose: 'webauthn_register',
    realm,
    account_id: account.id,
    challenge: options.challenge,
    now,
  });
  return options;
}

/**
 * Verifies the browser's registration response against the stored challenge (used up either
 * way) and stores the new passkey under `name`. Throws PASSKEY_REJECTED when the challenge is
 * missing, expired or another account's, or when the response does not verify, and
 * ALREADY_EXISTS when the credential is already registered.
 */
export async function finishPasskeyRegistration(
  db: Kysely<Database>,
  rp: RelyingParty,
  realm: Realm,
  accountId: string,
  challengeKey: string,
  response: unknown,
  name: string,
  now: Date = new Date(),
): Promise<void> {
  const challenge = await takeChallenge(db, challengeKey, 'webauthn_register', realm, now);
  if (!challenge) throw new AppError('PASSKEY_REJECTED', challengeGone);
  if (challenge.account_id !== accountId || !isCredentialJson(response)) {
    throw new AppError('PASSKEY_REJECTED', invalidPasskey);
  }

  const verification = await verifyRegistrationResponse({
    response: response as unknown as RegistrationResponseJSON,
    expectedChallenge: challenge.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.rpID,
    requireUserVerification: false,
  }).catch(() => null);
  if (!verification?.verified) throw new AppError('PASSKEY_REJECTED', invalidPasskey);

  const { credential } = verification.registrationInfo;
  const duplicate = await db
    .selectFrom('webauthn_credentials')
    .select('id')
    .where('id', '=', credential.id)
    .executeTakeFirst();
  if (duplicate) throw new AppError('ALREADY_EXISTS', 'This passkey is already registered.');

  await db
    .insertInto('webauthn_credentials')
    .values({
      id: credential.id,
      realm,
      account_id: accountId,
      public_key: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: JSON.stringify(credential.transports ?? []),
      name: passkeyName(name),
      created_at: now.toISOString(),
      last_used_at: null,
    })
    .execute();
}

/**
 * Returns sign-in options and stores their challenge under `challengeKey`. Without `accountId`
 * the browser offers any discoverable passkey of this site (passwordless login, which demands
 * user verification). With it, only that account's passkeys are allowed, for use as a second
 * factor after the password.
 */
export async function startPasskeyLogin(
  db: Kysely<Database>,
  rp: RelyingParty,
  realm: Realm,
  challengeKey: string,
  accountId?: string,
  now: Date = new Date(),
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const allowed = accountId === undefined ? [] : await credentialsOf(db, realm, accountId);
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: allowed.map((credential) => ({
      id: credential.id,
      transports: parseTransports(credential.transports),
    })),
    userVerification: accountId === undefined ? 'required' : 'preferred',
    timeout: challengeTtlSeconds * 1000,
  });

  await storeChallenge(db, challengeKey, {
    purpose: 'webauthn_login',
    realm,
    account_id: accountId ?? null,
    challenge: options.challenge,
    now,
  });
  return options;
}

/**
 * Verifies a sign-in response against the stored challenge (used up either way) and the stored
 * public key, advances the signature counter and returns the passkey's account. Throws
 * PASSKEY_REJECTED when the challenge is missing, used or expired, when the passkey is unknown, of
 * another realm or (with `accountId`) of another account, or when the signature or counter is
 * wrong.
 */
export async function finishPasskeyLogin(
  db: Kysely<Database>,
  rp: RelyingParty,
  realm: Realm,
  challengeKey: string,
  response: unknown,
  accountId?: string,
  now: Date = new Date(),
): Promise<{ accountId: string }> {
  const challenge = await takeChallenge(db, challengeKey, 'webauthn_login', realm, now);
  if (!challenge) throw new AppError('PASSKEY_REJECTED', challengeGone);
  if (challenge.account_id !== (accountId ?? null) || !isCredentialJson(response)) {
    throw new AppError('PASSKEY_REJECTED', invalidPasskey);
  }

  const stored = await db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('id', '=', response.id)
    .where('realm', '=', realm)
    .executeTakeFirst();
  if (!stored || (accountId !== undefined && stored.account_id !== accountId)) {
    throw new AppError('PASSKEY_REJECTED', invalidPasskey);
  }

  const verification = await verifyAuthenticationResponse({
    response: response as unknown as AuthenticationResponseJSON,
    expectedChallenge: challenge.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.rpID,
    credential: {
      id: stored.id,
      publicKey: Buffer.from(stored.public_key, 'base64url'),
      counter: stored.counter,
      transports: parseTransports(stored.transports),
    },
    // A passkey that replaces the password must prove its user (PIN, biometrics) as well.
    requireUserVerification: accountId === undefined,
  }).catch(() => null);
  if (!verification?.verified) throw new AppError('PASSKEY_REJECTED', invalidPasskey);

  await db
    .updateTable('webauthn_credentials')
    .set({ counter: verification.authenticationInfo.newCounter, last_used_at: now.toISOString() })
    .where('id', '=', stored.id)
    .execute();
  return { accountId: stored.account_id };
}

export interface PasskeySummary {
  /** Credential id, base64url; not a secret, browsers receive it in sign-in options. */
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function listPasskeys(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
): Promise<PasskeySummary[]> {
  const rows = await db
    .selectFrom('webauthn_credentials')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  }));
}

/**
 * Removes one of the account's passkeys; throws NOT_FOUND when the account has no passkey with
 * that id, even when another account does. When the last second factor goes, the recovery codes go with it.
 */
export async function removePasskey(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
  id: string,
): Promise<void> {
  const result = await db
    .deleteFrom('webauthn_credentials')
    .where('id', '=', id)
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) throw notFound('The passkey');

  const remaining = await credentialsOf(db, realm, accountId);
  const totp = await db
    .selectFrom('mfa_totp')
    .select('confirmed_at')
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (remaining.length === 0 && !totp?.confirmed_at) {
    await deleteRecoveryCodes(db, realm, accountId);
  }
}

function credentialsOf(db: Kysely<Database>, realm: Realm, accountId: string) {
  return db
    .selectFrom('webauthn_credentials')
    .select(['id', 'transports'])
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .execute();
}

async function storeChallenge(
  db: Kysely<Database>,
  challengeKey: string,
  challenge: Omit<AuthChallengeTable, 'key_hash' | 'expires_at'> & { now: Date },
): Promise<void> {
  const { now, ...fields } = challenge;
  const values = {
    ...fields,
    expires_at: new Date(now.getTime() + challengeTtlSeconds * 1000).toISOString(),
  };

  // Abandoned ceremonies leave rows behind; each new one clears the expired ones.
  await db.deleteFrom('auth_challenges').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('auth_challenges')
    .values({ key_hash: hashToken(challengeKey), ...values })
    .onConflict((conflict) => conflict.column('key_hash').doUpdateSet(values))
    .execute();
}

/** Deletes and returns the live challenge of `challengeKey`, so that it can be used only once. */
async function takeChallenge(
  db: Kysely<Database>,
  challengeKey: string,
  purpose: AuthChallengeTable['purpose'],
  realm: Realm,
  now: Date,
) {
  const row = await db
    .deleteFrom('auth_challenges')
    .where('key_hash', '=', hashToken(challengeKey))
    .returningAll()
    .executeTakeFirst();
  if (!row || row.purpose !== purpose || row.realm !== realm) return null;
  if (Date.parse(row.expires_at) <= now.getTime()) return null;
  return row;
}

/** Checks the outer shape the verifiers rely on before they parse the rest. */
function isCredentialJson(value: unknown): value is { id: string; response: object } {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { id?: unknown; response?: unknown };
  return (
    typeof candidate.id === 'string' &&
    candidate.id.length <= 1024 &&
    typeof candidate.response === 'object' &&
    candidate.response !== null
  );
}

/** Reads the stored JSON array of transport hints ("usb", "internal" …), ignoring junk. */
const knownTransports = new Set<string>([
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
]);

function parseTransports(stored: string): AuthenticatorTransportFuture[] {
  const parsed: unknown = JSON.parse(stored);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (item): item is AuthenticatorTransportFuture =>
      typeof item === 'string' && knownTransports.has(item),
  );
}

function passkeyName(name: string): string {
  const trimmed = name.trim().slice(0, maxPasskeyNameLength);
  return trimmed === '' ? 'Passkey' : trimmed;
}
