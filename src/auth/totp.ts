import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

import type { Database, Realm } from '../db/schema.js';
import { AppError } from '../server/errors.js';
import {
  countRecoveryCodesLeft,
  deleteRecoveryCodes,
  regenerateRecoveryCodes,
} from './recovery-codes.js';
import { openSealedSecret, sealSecret } from './seal.js';

export { regenerateRecoveryCodes, useRecoveryCode } from './recovery-codes.js';

// RFC 6238 with the parameters every authenticator app supports.
const totpParameters = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
// Steps accepted either side of the current one, for clocks that drift by up to 30 seconds.
const driftWindow = 1;
// 160 bits, the HMAC-SHA1 key length RFC 4226 section 4 recommends.
const secretBytes = 20;

export interface TotpEnrolment {
  /** Base32 secret for manual entry; shown once, never again. */
  secret: string;
  /** The otpauth:// URI the QR code contains. */
  uri: string;
  /** The URI as a QR code, an SVG document with no scripts or styles. */
  qrSvg: string;
}

/**
 * Starts TOTP enrolment with a new secret, replacing an unconfirmed enrolment. The secret is
 * stored sealed and works only after confirmTotpEnrolment. Throws ALREADY_EXISTS when the account
 * already has a confirmed authenticator; disable that one first.
 */
export async function beginTotpEnrolment(
  db: Kysely<Database>,
  sealKey: Buffer,
  realm: Realm,
  accountId: string,
  label: string,
  issuer = 'Storefort',
  now: Date = new Date(),
): Promise<TotpEnrolment> {
  const existing = await findTotp(db, realm, accountId);
  if (existing?.confirmed_at) {
    throw new AppError(
      'ALREADY_EXISTS',
      'An authenticator app is already set up; remove it before adding another.',
    );
  }

  const secret = new Secret({ size: secretBytes });
  const values = {
    secret_sealed: sealSecret(sealKey, secret.base32, sealContext(realm, accountId)),
    confirmed_at: null,
    last_used_step: 0,
    created_at: now.toISOString(),
  };
  await db
    .insertInto('mfa_totp')
    .values({ realm, account_id: accountId, ...values })
    .onConflict((conflict) => conflict.columns(['realm', 'account_id']).doUpdateSet(values))
    .execute();

  const uri = new TOTP({ ...totpParameters, issuer, label, secret }).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret: secret.base32, uri, qrSvg };
}

/**
 * Confirms the pending enrolment with a first code from the app and returns 10 new recovery
 * codes, to be shown once. Throws INVALID_CODE when the code is wrong or no enrolment is pending.
 */
export async function confirmTotpEnrolment(
  db: Kysely<Database>,
  sealKey: Buffer,
  realm: Realm,
  accountId: string,
  code: string,
  now: Date = new Date(),
): Promise<string[]> {
  const row = await findTotp(db, realm, accountId);
  if (!row || row.confirmed_at) {
    throw new AppError('INVALID_CODE', 'No authenticator setup is pending; start it again.');
  }

  const step = matchingStep(sealKey, realm, accountId, row.secret_sealed, code, now);
  if (step === null) {
    throw new AppError('INVALID_CODE', 'The code is wrong; enter the current one from the app.');
  }

  const confirmed = await db
    .updateTable('mfa_totp')
    .set({ confirmed_at: now.toISOString(), last_used_step: step })
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .where('confirmed_at', 'is', null)
    .where('secret_sealed', '=', row.secret_sealed)
    .executeTakeFirst();
  if (Number(confirmed.numUpdatedRows) !== 1) {
    throw new AppError('INVALID_CODE', 'No authenticator setup is pending; start it again.');
  }

  return regenerateRecoveryCodes(db, realm, accountId, now);
}

/**
 * Returns whether `code` is a valid TOTP code of the account's confirmed authenticator, and
 * if so records its time step. A code is accepted once: its step must be later than the last
 * accepted step, so a code seen by someone else (shoulder, phishing proxy) cannot be replayed.
 */
export async function verifyTotp(
  db: Kysely<Database>,
  sealKey: Buffer,
  realm: Realm,
  accountId: string,
  code: string,
  now: Date = new Date(),
): Promise<boolean> {
  const row = await findTotp(db, realm, accountId);
  if (!row?.confirmed_at) return false;

  const step = matchingStep(sealKey, realm, accountId, row.secret_sealed, code, now);
  if (step === null || step <= row.last_used_step) return false;

  // The condition repeats in the UPDATE, so of two requests racing with one code only one wins.
  const result = await db
    .updateTable('mfa_totp')
    .set({ last_used_step: step })
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .where('last_used_step', '<', step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Removes the authenticator app. Recovery codes go too unless a passkey remains, since they
 * stand in for a second factor the account would otherwise no longer have.
 */
export async function disableTotp(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
): Promise<void> {
  await db
    .deleteFrom('mfa_totp')
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .execute();

  if ((await countPasskeys(db, realm, accountId)) === 0) {
    await deleteRecoveryCodes(db, realm, accountId);
  }
}

export interface MfaStatus {
  /** A confirmed authenticator app. */
  totp: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
}

export async function mfaStatus(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
): Promise<MfaStatus> {
  const totp = await findTotp(db, realm, accountId);
  return {
    totp: Boolean(totp?.confirmed_at),
    passkeys: await countPasskeys(db, realm, accountId),
    recoveryCodesLeft: await countRecoveryCodesLeft(db, realm, accountId),
  };
}

/** Returns whether the account has a second factor: a confirmed authenticator or a passkey. */
export async function hasMfa(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
): Promise<boolean> {
  const status = await mfaStatus(db, realm, accountId);
  return status.totp || status.passkeys > 0;
}

/** Returns the time step `code` belongs to within the drift window, or null when none matches. */
function matchingStep(
  sealKey: Buffer,
  realm: Realm,
  accountId: string,
  sealed: string,
  code: string,
  now: Date,
): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;

  const secret = Secret.fromBase32(
    openSealedSecret(sealKey, sealed, sealContext(realm, accountId)),
  );
  const totp = new TOTP({ ...totpParameters, secret });
  const timestamp = now.getTime();
  const delta = totp.validate({ token, timestamp, window: driftWindow });
  if (delta === null) return null;

  return totp.counter({ timestamp }) + delta;
}

function findTotp(db: Kysely<Database>, realm: Realm, accountId: string) {
  return db
    .selectFrom('mfa_totp')
    .selectAll()
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

async function countPasskeys(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
): Promise<number> {
  const row = await db
    .selectFrom('webauthn_credentials')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function sealContext(realm: Realm, accountId: string): string {
  return `totp:${realm}:${accountId}`;
}
