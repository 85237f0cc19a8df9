import type { Kysely } from 'kysely';

import { deviceCookieAfterLogin, deviceSubject, trustedDeviceOf } from '../auth/device-cookie.js';
import type { PasswordHasher } from '../auth/passwords.js';
import { createSession, endSession, markReauthenticated, rotateSession } from '../auth/sessions.js';
import {
  attemptBuckets,
  checkThrottle,
  checkThrottles,
  clearThrottle,
  clearThrottles,
  recordFailure,
  recordFailures,
  throttleKey,
} from '../auth/throttle.js';
import { hasMfa, mfaStatus, useRecoveryCode, verifyTotp } from '../auth/totp.js';
import { listPasskeys, type PasskeySummary, removePasskey } from '../auth/webauthn.js';
import type { Database, SessionStage } from '../db/schema.js';
import type { SessionTimeouts } from '../server/config.js';
import { AppError, notFound } from '../server/errors.js';
import { type AuditEntry, appendAudit } from './audit-log.js';
import { normalizeEmail } from './staff.service.js';

/** Dependencies of the staff login and second-factor steps, built once by the admin app. */
export interface StaffAuthDeps {
  db: Kysely<Database>;
  hasher: PasswordHasher;
  auditKey: Buffer;
  /** Key from deriveKey(secrets, 'totp-seal'). */
  totpSealKey: Buffer;
  /** Key from deriveKey(secrets, 'device-cookie') that signs `__Host-staff-device` cookies. */
  deviceKey: Buffer;
  timeouts: SessionTimeouts;
}

/** The client a login or code comes from, for the session row and the audit log. */
export interface Client {
  ip: string;
  userAgent: string;
  /** Value of the `__Host-staff-device` cookie. It changes only which throttle counts a failure. */
  deviceCookie?: string | undefined;
}

/**
 * Returns the `__Host-staff-device` value to set once a staff login is complete, bound to the
 * staff member's current password hash so a password change voids it.
 */
export async function staffDeviceCookie(
  deps: Pick<StaffAuthDeps, 'db' | 'deviceKey'>,
  email: string,
  client: Client,
): Promise<string> {
  const normalized = normalizeEmail(email);
  const subject = deviceSubject(normalized, await passwordHashOf(deps.db, normalized));
  return deviceCookieAfterLogin(deps.deviceKey, 'staff', subject, client.deviceCookie);
}

async function passwordHashOf(db: Kysely<Database>, email: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('staff')
    .select('password_hash')
    .where('email', '=', email)
    .executeTakeFirst();
  return row?.password_hash;
}

const wrongCredentials = 'The email or password is wrong.';

/**
 * Checks a staff password and opens a session. The new session is at stage `mfa_enrolment`
 * when the staff member has no second factor yet and `mfa_pending` otherwise, so no staff
 * session is ever active on a password alone. An unknown email costs one dummy hash and gets
 * the same error, and both count against the same throttle keys (see attemptBuckets). With a
 * device cookie valid for this email, that is the device's own counter. Otherwise it is the
 * email's counter at this address plus the email's shared bucket. `previousSession` (the hash
 * of a session the browser already held) is ended, so a planted cookie never survives a login.
 */
export async function loginStaff(
  deps: StaffAuthDeps,
  client: Client,
  input: { email: string; password: string; previousSession: string | null },
): Promise<{ token: string; stage: SessionStage; staffId: string }> {
  const email = normalizeEmail(input.email);
  const staff = await deps.db
    .selectFrom('staff')
    .select(['id', 'password_hash'])
    .where('email', '=', email)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  const subject = deviceSubject(email, staff?.password_hash);
  const deviceId = trustedDeviceOf(deps.deviceKey, 'staff', subject, client.deviceCookie);
  const buckets = attemptBuckets('login', 'staff', email, { ip: client.ip, deviceId });
  const audit = (entry: Pick<AuditEntry, 'action' | 'actorId' | 'details'>) =>
    appendAudit(deps.db, deps.auditKey, {
      ...entry,
      actorEmail: email.slice(0, 254),
      objectType: 'staff',
      objectId: entry.actorId,
      ip: client.ip,
    });

  try {
    await checkThrottles(deps.db, buckets);
  } catch (error) {
    await audit({ action: 'login.throttled', actorId: '' });
    throw error;
  }

  if (!staff) await deps.hasher.verifyDummy(input.password);
  const check = staff
    ? await deps.hasher.verify(staff.password_hash, input.password)
    : { ok: false, needsRehash: false };

  if (!staff || !check.ok) {
    await recordFailures(deps.db, buckets);
    await audit({
      action: 'login.failed',
      actorId: staff?.id ?? '',
      details: { reason: staff ? 'wrong_password' : 'unknown_account' },
    });
    throw new AppError('INVALID_CREDENTIALS', wrongCredentials);
  }

  await clearThrottles(deps.db, buckets);
  if (check.needsRehash) {
    await deps.db
      .updateTable('staff')
      .set({ password_hash: await deps.hasher.hash(input.password) })
      .where('id', '=', staff.id)
      .execute();
  }
  if (input.previousSession) await endSession(deps.db, input.previousSession);

  const stage: SessionStage = (await hasMfa(deps.db, 'staff', staff.id))
    ? 'mfa_pending'
    : 'mfa_enrolment';
  const token = await createSession(deps.db, {
    realm: 'staff',
    accountId: staff.id,
    stage,
    userAgent: client.userAgent,
    ip: client.ip,
    timeouts: deps.timeouts,
  });
  await audit({ action: 'login.password_ok', actorId: staff.id, details: { stage } });
  return { token, stage, staffId: staff.id };
}

/** A second factor as typed into a form. */
export type CodeProof = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string };

/**
 * Checks a TOTP or recovery code of the staff member behind `sessionHash`. On success the
 * session is rotated to `active`: it gets a new token and the old one stops working. Failures
 * throw INVALID_CODE. They count against the device when the client's device cookie is valid
 * for the staff member. Otherwise they count against the account at this address and the
 * account's shared bucket, so someone with only the password cannot block a trusted browser.
 */
export async function completeStaffMfa(
  deps: StaffAuthDeps,
  actor: { id: string; email: string; sessionHash: string },
  client: Client,
  proof: CodeProof,
): Promise<{ token: string; deviceCookie: string }> {
  const email = normalizeEmail(actor.email);
  const subject = deviceSubject(email, await passwordHashOf(deps.db, email));
  const deviceId = trustedDeviceOf(deps.deviceKey, 'staff', subject, client.deviceCookie);
  const buckets = attemptBuckets('mfa', 'staff', actor.id, { ip: client.ip, deviceId });
  await checkThrottles(deps.db, buckets);

  const ok = await isCodeValid(deps, actor, proof);
  await auditProof(deps, actor, client, 'mfa', proof.kind, ok);
  if (!ok) {
    await recordFailures(deps.db, buckets);
    throw new AppError('INVALID_CODE', 'The code is wrong or was already used.');
  }

  await clearThrottles(deps.db, buckets);
  const token = await rotateSession(deps.db, actor.sessionHash, {
    stage: 'active',
    reauthenticated: true,
  });
  const deviceCookie = deviceCookieAfterLogin(
    deps.deviceKey,
    'staff',
    subject,
    client.deviceCookie,
  );
  return { token, deviceCookie };
}

/**
 * Re-authenticates an active session with the password or a TOTP code, so that sensitive
 * actions are allowed for the next 5 minutes. Failures of both kinds count against one
 * per-account `reauth` counter with the growing delays of recordFailure.
 */
export async function reauthenticateStaff(
  deps: StaffAuthDeps,
  actor: { id: string; email: string; sessionHash: string },
  client: Client,
  proof: { kind: 'password'; password: string } | { kind: 'totp'; code: string },
): Promise<void> {
  if (proof.kind === 'totp') {
    await checkReauthCode(deps, actor, client, proof);
  } else {
    await checkPassword(deps, actor, client, proof.password);
  }
  await markReauthenticated(deps.db, actor.sessionHash);
}

async function checkPassword(
  deps: StaffAuthDeps,
  actor: { id: string; email: string },
  client: Client,
  password: string,
): Promise<void> {
  const key = throttleKey('reauth', 'staff', actor.id);
  await checkThrottle(deps.db, key);

  const staff = await deps.db
    .selectFrom('staff')
    .select('password_hash')
    .where('id', '=', actor.id)
    .executeTakeFirstOrThrow();
  const { ok } = await deps.hasher.verify(staff.password_hash, password);
  await auditProof(deps, actor, client, 'reauth', 'password', ok);
  if (!ok) {
    await recordFailure(deps.db, key);
    throw new AppError('INVALID_CREDENTIALS', 'The password is wrong.');
  }
  await clearThrottle(deps.db, key);
}

// Re-authentication needs an active session, so its attempts have their own per-account
// counter. Failures at the second login step (by someone who has only the password) never
// block the owner's re-authentication.
async function checkReauthCode(
  deps: StaffAuthDeps,
  actor: { id: string; email: string },
  client: Client,
  proof: CodeProof,
): Promise<void> {
  const key = throttleKey('reauth', 'staff', actor.id);
  await checkThrottle(deps.db, key);

  const ok = await isCodeValid(deps, actor, proof);
  await auditProof(deps, actor, client, 'reauth', proof.kind, ok);
  if (!ok) {
    await recordFailure(deps.db, key);
    throw new AppError('INVALID_CODE', 'The code is wrong or was already used.');
  }
  await clearThrottle(deps.db, key);
}

async function isCodeValid(
  deps: StaffAuthDeps,
  actor: { id: string },
  proof: CodeProof,
): Promise<boolean> {
  const code = proof.code.replace(/\s+/g, '');
  return proof.kind === 'totp'
    ? verifyTotp(deps.db, deps.totpSealKey, 'staff', actor.id, code)
    : useRecoveryCode(deps.db, 'staff', actor.id, code);
}

/** Audits one second-factor or re-authentication attempt with its method but not the code. */
export async function auditProof(
  deps: Pick<StaffAuthDeps, 'db' | 'auditKey'>,
  actor: { id: string; email: string },
  client: Client,
  purpose: 'mfa' | 'reauth' | 'mfa_enrolment',
  method: string,
  ok: boolean,
): Promise<void> {
  await appendAudit(deps.db, deps.auditKey, {
    actorId: actor.id,
    actorEmail: actor.email,
    action: `${purpose}.${ok ? 'succeeded' : 'failed'}`,
    objectType: 'staff',
    objectId: actor.id,
    ip: client.ip,
    details: { method },
  });
}

/** Returns one of the staff member's passkeys, or throws NOT_FOUND when the id is not theirs. */
export async function findStaffPasskey(
  deps: Pick<StaffAuthDeps, 'db'>,
  staffId: string,
  passkeyId: string,
): Promise<PasskeySummary> {
  const passkeys = await listPasskeys(deps.db, 'staff', staffId);
  const passkey = passkeys.find((candidate) => candidate.id === passkeyId);
  if (!passkey) throw notFound('The passkey');
  return passkey;
}

export type PasskeyRemoval = { ok: true } | { ok: false; reason: string };

/**
 * Removes one of the staff member's own passkeys and audits it. Returns `ok: false` instead of
 * removing the last second factor, because the admin is never open on a password alone. The
 * caller's route is sensitive, so it requires a password or TOTP proof from the last 5 minutes.
 */
export async function removeStaffPasskey(
  deps: Pick<StaffAuthDeps, 'db' | 'auditKey'>,
  actor: { id: string; email: string },
  client: Client,
  passkeyId: string,
): Promise<PasskeyRemoval> {
  const passkey = await findStaffPasskey(deps, actor.id, passkeyId);
  const status = await mfaStatus(deps.db, 'staff', actor.id);
  if (!status.totp && status.passkeys <= 1) {
    return {
      ok: false,
      reason: 'This passkey is your only second factor; add another passkey before removing it.',
    };
  }

  await removePasskey(deps.db, 'staff', actor.id, passkey.id);
  await appendAudit(deps.db, deps.auditKey, {
    actorId: actor.id,
    actorEmail: actor.email,
    action: 'passkey.removed',
    objectType: 'passkey',
    objectId: passkey.id,
    ip: client.ip,
    details: { name: passkey.name },
  });
  return { ok: true };
}
