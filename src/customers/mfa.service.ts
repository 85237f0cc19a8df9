import { createSession, endSession, rotateSession } from '../auth/sessions.js';
import {
  attemptBuckets,
  checkThrottles,
  clearThrottles,
  recordFailures,
} from '../auth/throttle.js';
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  disableTotp,
  mfaStatus,
  regenerateRecoveryCodes as replaceRecoveryCodes,
  useRecoveryCode,
  verifyTotp,
} from '../auth/totp.js';
import {
  finishPasskeyLogin,
  finishPasskeyRegistration,
  listPasskeys,
  relyingPartyFor,
  removePasskey,
  startPasskeyLogin,
  startPasskeyRegistration,
} from '../auth/webauthn.js';
import { enforceRateLimit } from '../defense/client-limits.js';
import { enqueueMail } from '../mail/outbox.js';
import type { ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';
import { deriveKey } from '../server/secrets.js';
import { accountMail, type SecondFactorChange } from './account-mail.js';
import { finishLogin } from './accounts.service.js';
import { customerDeviceOf, deviceCookieForLogin } from './customer-devices.js';
import { requireCustomerRow } from './customer-records.js';

/** The second step of a login: a TOTP code or one of the recovery codes. */
export type MfaProof = { code: string } | { recoveryCode: string };

/**
 * Completes a login that is waiting for its second factor. On success the session gets the
 * stage 'active' and a new token, which the caller sets as the cookie, along with the returned
 * device cookie. A token seen before the second factor is thus worthless. Throws INVALID_CODE,
 * TOO_MANY_ATTEMPTS, and AUTHENTICATION_REQUIRED when the session is not waiting for a second
 * factor. Failures count against the device when `deviceCookie` is valid for the account, else
 * against the account from this address and the account's shared bucket (see attemptBuckets),
 * so someone holding only the password cannot block the owner's trusted browser.
 */
export async function completeMfa(
  ctx: ServiceContext,
  sessionHash: string,
  proof: MfaProof,
  deviceCookie?: string,
): Promise<{ token: string; deviceCookie: string }> {
  enforceRateLimit(ctx, 'authAttempts');
  const customer = await requireCustomerRow(ctx.db, await pendingAccountOf(ctx, sessionHash));
  const deviceId = customerDeviceOf(ctx, customer.email, customer.password_hash, deviceCookie);
  const buckets = attemptBuckets('mfa', 'customer', customer.id, { ip: ctx.ip, deviceId });
  await checkThrottles(ctx.db, buckets);

  const accepted =
    'code' in proof
      ? await verifyTotp(ctx.db, sealKeyOf(ctx), 'customer', customer.id, proof.code)
      : await useRecoveryCode(ctx.db, 'customer', customer.id, proof.recoveryCode);
  if (!accepted) {
    await recordFailures(ctx.db, buckets);
    throw new AppError('INVALID_CODE', 'The code is wrong or was already used.');
  }

  await clearThrottles(ctx.db, buckets);
  return {
    token: await activate(ctx, sessionHash, customer.id),
    deviceCookie: deviceCookieForLogin(ctx, customer, deviceCookie),
  };
}

/** Starts TOTP enrolment; the secret and QR code are shown once, to the account's owner. */
export async function startTotp(ctx: ServiceContext, accountId: string) {
  const customer = await requireCustomerRow(ctx.db, accountId);
  return beginTotpEnrolment(ctx.db, sealKeyOf(ctx), 'customer', customer.id, customer.email);
}

/** Confirms TOTP enrolment with a first code and returns 10 recovery codes, shown once. */
export async function confirmTotp(
  ctx: ServiceContext,
  accountId: string,
  code: string,
): Promise<{ recoveryCodes: string[] }> {
  const recoveryCodes = await confirmTotpEnrolment(
    ctx.db,
    sealKeyOf(ctx),
    'customer',
    accountId,
    code,
  );
  await notifyOwner(ctx, accountId, 'totp_added');
  ctx.log.info({ customerId: accountId }, 'customer enrolled totp');
  return { recoveryCodes };
}

/** Removes the authenticator app. Routes require a recent password or code first. */
export async function removeTotp(ctx: ServiceContext, accountId: string): Promise<void> {
  await disableTotp(ctx.db, 'customer', accountId);
  await notifyOwner(ctx, accountId, 'totp_removed');
  ctx.log.info({ customerId: accountId }, 'customer removed totp');
}

/** Replaces every recovery code with 10 new ones, shown once. Routes require recent auth. */
export async function regenerateRecoveryCodes(
  ctx: ServiceContext,
  accountId: string,
): Promise<{ recoveryCodes: string[] }> {
  const recoveryCodes = await replaceRecoveryCodes(ctx.db, 'customer', accountId);
  await notifyOwner(ctx, accountId, 'recovery_codes_regenerated');
  return { recoveryCodes };
}

export async function customerMfaStatus(ctx: ServiceContext, accountId: string) {
  return mfaStatus(ctx.db, 'customer', accountId);
}

/** Returns the relying party of the shop's passkeys: the public URL's host and origin. */
export function shopRelyingParty(ctx: ServiceContext) {
  return relyingPartyFor(ctx.config.publicUrl);
}

export async function passkeyRegistrationOptions(
  ctx: ServiceContext,
  accountId: string,
  challengeKey: string,
) {
  const customer = await requireCustomerRow(ctx.db, accountId);
  const account = { id: customer.id, email: customer.email };
  return startPasskeyRegistration(ctx.db, shopRelyingParty(ctx), 'customer', account, challengeKey);
}

export async function addPasskey(
  ctx: ServiceContext,
  accountId: string,
  challengeKey: string,
  response: unknown,
  name: string,
): Promise<void> {
  await finishPasskeyRegistration(
    ctx.db,
    shopRelyingParty(ctx),
    'customer',
    accountId,
    challengeKey,
    response as Parameters<typeof finishPasskeyRegistration>[5],
    name,
  );
  await notifyOwner(ctx, accountId, 'passkey_added');
  ctx.log.info({ customerId: accountId }, 'customer added passkey');
}

/**
 * Returns passkey login options: for a session waiting for its second factor, the account's
 * own credentials; otherwise discoverable credentials, for a login with no password.
 */
export async function passkeyLoginOptions(
  ctx: ServiceContext,
  challengeKey: string,
  accountId?: string,
) {
  return startPasskeyLogin(ctx.db, shopRelyingParty(ctx), 'customer', challengeKey, accountId);
}

/**
 * Signs in with a passkey and returns a new session token and the device cookie to set. When
 * the request carries a session waiting for its second factor, the passkey must belong to that
 * account and completes the login. Otherwise the passkey alone signs in, because it proves
 * possession and user verification at once.
 */
export async function loginWithPasskey(
  ctx: ServiceContext,
  input: {
    challengeKey: string;
    response: unknown;
    userAgent: string;
    currentSessionHash: string | null;
    /** The request's `__Host-device` cookie, kept when it is already this account's. */
    deviceCookie?: string;
  },
): Promise<{ token: string; stage: 'active'; deviceCookie: string }> {
  enforceRateLimit(ctx, 'authAttempts');
  const pendingAccount = input.currentSessionHash
    ? await pendingAccountOf(ctx, input.currentSessionHash).catch(() => undefined)
    : undefined;

  const { accountId } = await finishPasskeyLogin(
    ctx.db,
    shopRelyingParty(ctx),
    'customer',
    input.challengeKey,
    input.response as Parameters<typeof finishPasskeyLogin>[4],
    pendingAccount,
  );
  const customer = await requireCustomerRow(ctx.db, accountId);
  const deviceCookie = deviceCookieForLogin(ctx, customer, input.deviceCookie);
  if (pendingAccount && input.currentSessionHash) {
    const token = await activate(ctx, input.currentSessionHash, accountId);
    return { token, stage: 'active', deviceCookie };
  }

  if (input.currentSessionHash) await endSession(ctx.db, input.currentSessionHash);
  const token = await createSession(ctx.db, {
    realm: 'customer',
    accountId,
    stage: 'active',
    userAgent: input.userAgent,
    ip: ctx.ip,
    timeouts: ctx.config.sessions.customer,
  });
  await finishLogin(ctx, customer);
  ctx.log.info({ customerId: accountId }, 'customer logged in with passkey');
  return { token, stage: 'active', deviceCookie };
}

export async function customerPasskeys(ctx: ServiceContext, accountId: string) {
  return listPasskeys(ctx.db, 'customer', accountId);
}

export async function deletePasskey(
  ctx: ServiceContext,
  accountId: string,
  id: string,
): Promise<void> {
  await removePasskey(ctx.db, 'customer', accountId, id);
  await notifyOwner(ctx, accountId, 'passkey_removed');
}

/** Mails the owner about a change of their second factors, so a hijacked session shows. */
async function notifyOwner(ctx: ServiceContext, accountId: string, change: SecondFactorChange) {
  const customer = await requireCustomerRow(ctx.db, accountId);
  await enqueueMail(ctx.db, accountMail.secondFactorChanged(ctx.config, customer.email, change));
}

async function pendingAccountOf(ctx: ServiceContext, sessionHash: string): Promise<string> {
  const session = await ctx.db
    .selectFrom('sessions')
    .select(['account_id', 'stage'])
    .where('token_hash', '=', sessionHash)
    .where('realm', '=', 'customer')
    .executeTakeFirst();
  if (!session || session.stage !== 'mfa_pending') {
    throw new AppError('AUTHENTICATION_REQUIRED', 'Log in with your password first.');
  }
  return session.account_id;
}

async function activate(ctx: ServiceContext, sessionHash: string, accountId: string) {
  const token = await rotateSession(ctx.db, sessionHash, {
    stage: 'active',
    reauthenticated: true,
  });
  await finishLogin(ctx, await requireCustomerRow(ctx.db, accountId));
  ctx.log.info({ customerId: accountId }, 'customer passed second factor');
  return token;
}

function sealKeyOf(ctx: ServiceContext): Buffer {
  return deriveKey(ctx.secrets, 'totp-seal');
}
