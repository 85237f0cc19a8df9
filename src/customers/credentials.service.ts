import { consumeLink, issueLink, linkTtlMinutes, voidLinks } from '../auth/links.js';
import { checkPasswordPolicy, type PasswordHasher } from '../auth/passwords.js';
import { withResponseFloor } from '../auth/response-floor.js';
import { endOtherSessions, markReauthenticated, rotateSession } from '../auth/sessions.js';
import { checkThrottle, clearThrottle, recordFailure, throttleKey } from '../auth/throttle.js';
import { verifyTotp } from '../auth/totp.js';
import type { CustomerRow } from '../db/schema.js';
import { enforceRateLimit } from '../defense/client-limits.js';
import { enqueueMail } from '../mail/outbox.js';
import type { ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';
import { hashToken, nowIso } from '../server/ids.js';
import { deriveKey } from '../server/secrets.js';
import { accountMail } from './account-mail.js';
import {
  findCustomerByEmail,
  findCustomerById,
  invalidLink,
  normalizeEmail,
  requireCustomerRow,
} from './customer-records.js';
import { attachGuestPurchases } from './guest-attachment.js';

/** A signed-in customer's session, as request.account carries it. */
export interface CustomerSession {
  accountId: string;
  sessionHash: string;
}

const checkEmail = { status: 'check_email' } as const;

/**
 * Replaces the password after checking the current one. Every other session ends, and the
 * caller's session gets a new token that the caller sets as the cookie, so a stolen password or
 * cookie stops working. The owner gets a notice by mail.
 */
export async function changePassword(
  ctx: ServiceContext,
  hasher: PasswordHasher,
  session: CustomerSession,
  input: { current: string; next: string },
): Promise<{ token: string }> {
  const customer = await requireCustomerRow(ctx.db, session.accountId);
  await verifyPassword(ctx, hasher, customer, input.current);
  checkPasswordPolicy(input.next, [customer.email, customer.name]);

  await storePassword(ctx, customer.id, await hasher.hash(input.next));
  await endOtherSessions(ctx.db, 'customer', customer.id, session.sessionHash);
  const token = await rotateSession(ctx.db, session.sessionHash, { reauthenticated: true });
  await enqueueMail(ctx.db, accountMail.passwordChanged(customer.email));

  ctx.log.info({ customerId: customer.id }, 'customer password changed');
  return { token };
}

/**
 * Time a reset request takes at least. Issuing a link and queueing the mail costs a few
 * database writes that an unknown address skips; under load that measured up to 7 ms, which a
 * timing attacker could tell apart. Both outcomes are padded to this floor instead.
 */
export const passwordResetFloorMs = 100;

/**
 * Mails a password reset link valid for 30 minutes when the address has an account. A newer
 * request voids older links. Returns the same response, after the same time, for unknown
 * addresses.
 */
export async function requestPasswordReset(
  ctx: ServiceContext,
  input: { email: string },
): Promise<typeof checkEmail> {
  enforceRateLimit(ctx, 'authAttempts');
  const email = normalizeEmail(input.email);

  return withResponseFloor(passwordResetFloorMs, async () => {
    const customer = await findCustomerByEmail(ctx.db, email);
    if (!customer) return checkEmail;

    const token = await issueLink(ctx.db, {
      purpose: 'reset_password',
      realm: 'customer',
      accountId: customer.id,
      ttlMinutes: linkTtlMinutes.reset_password,
    });
    await enqueueMail(ctx.db, accountMail.resetPassword(ctx.config, customer.email, token));
    return checkEmail;
  });
}

/**
 * Sets a new password through an emailed reset link and ends every session of the account. The
 * link proves the mailbox, so the address counts as confirmed. The link is consumed only once
 * the new password passed the policy, so a refused password leaves the link usable. Throws
 * INVALID_LINK and WEAK_PASSWORD.
 */
export async function resetPassword(
  ctx: ServiceContext,
  hasher: PasswordHasher,
  input: { token: string; password: string },
): Promise<void> {
  enforceRateLimit(ctx, 'authAttempts');
  const pending = await findLiveLink(ctx, input.token);
  const customer = pending ? await findCustomerById(ctx.db, pending.account_id) : undefined;
  if (!customer) throw invalidLink();

  checkPasswordPolicy(input.password, [customer.email, customer.name]);
  const passwordHash = await hasher.hash(input.password);
  const link = await consumeLink(ctx.db, 'reset_password', input.token);
  if (!link) throw invalidLink();

  await storePassword(ctx, customer.id, passwordHash, customer.email_confirmed_at ?? nowIso());
  await endOtherSessions(ctx.db, 'customer', customer.id, null);
  await clearThrottle(ctx.db, throttleKey('login', 'customer', customer.email));
  await enqueueMail(ctx.db, accountMail.passwordChanged(customer.email));
  ctx.log.info({ customerId: customer.id }, 'customer password reset');
}

/**
 * Starts moving the account to `newEmail` after checking the password: the new address gets a
 * confirmation link and the current one a notice. When the new address already belongs to an
 * account, that address gets a notice instead of a link. The answer is the same either way.
 */
export async function requestEmailChange(
  ctx: ServiceContext,
  hasher: PasswordHasher,
  accountId: string,
  input: { password: string; newEmail: string },
): Promise<typeof checkEmail> {
  enforceRateLimit(ctx, 'authAttempts');
  const customer = await requireCustomerRow(ctx.db, accountId);
  const newEmail = normalizeEmail(input.newEmail);
  await verifyPassword(ctx, hasher, customer, input.password);

  const holder = await findCustomerByEmail(ctx.db, newEmail);
  if (holder) {
    if (holder.id !== customer.id) {
      await enqueueMail(ctx.db, accountMail.emailTakenNotice(newEmail));
    }
  } else {
    const token = await issueLink(ctx.db, {
      purpose: 'change_email',
      realm: 'customer',
      accountId: customer.id,
      newEmail,
      ttlMinutes: linkTtlMinutes.change_email,
    });
    await enqueueMail(ctx.db, accountMail.changeEmail(ctx.config, newEmail, token));
  }
  await enqueueMail(ctx.db, accountMail.emailChangeNotice(customer.email));
  return checkEmail;
}

/**
 * Moves the account to the address an email-change link was sent to, and attaches guest orders
 * placed with it. Throws INVALID_LINK for a bad token, and also when another account took the
 * address after the link was sent.
 */
export async function confirmEmailChange(
  ctx: ServiceContext,
  token: string,
): Promise<{ customerId: string }> {
  const link = await consumeLink(ctx.db, 'change_email', token);
  const customer = link ? await findCustomerById(ctx.db, link.account_id) : undefined;
  const newEmail = link?.new_email;
  if (!customer || !newEmail) throw invalidLink();
  if (await findCustomerByEmail(ctx.db, newEmail)) throw invalidLink();

  const now = nowIso();
  await ctx.db
    .updateTable('customers')
    .set({ email: newEmail, email_confirmed_at: now, updated_at: now })
    .where('id', '=', customer.id)
    .execute();
  await clearThrottle(ctx.db, throttleKey('login', 'customer', customer.email));
  await attachGuestPurchases(ctx, customer.id, newEmail);
  await enqueueMail(ctx.db, accountMail.emailChanged(customer.email));

  ctx.log.info({ customerId: customer.id }, 'customer email changed');
  return { customerId: customer.id };
}

/**
 * Records a fresh proof for sensitive actions: the password, or a code from the authenticator
 * app. Throws INVALID_CREDENTIALS or INVALID_CODE, and TOO_MANY_ATTEMPTS while throttled.
 */
export async function reauthenticate(
  ctx: ServiceContext,
  hasher: PasswordHasher,
  session: CustomerSession,
  proof: { password: string } | { code: string },
): Promise<void> {
  const customer = await requireCustomerRow(ctx.db, session.accountId);
  if ('password' in proof) {
    await verifyPassword(ctx, hasher, customer, proof.password);
  } else {
    await verifyTotpCode(ctx, customer.id, proof.code);
  }
  await markReauthenticated(ctx.db, session.sessionHash);
}

/**
 * Checks a TOTP code of a signed-in customer under the account's re-authentication throttle,
 * which failures at the second login step do not touch. Throws INVALID_CODE or
 * TOO_MANY_ATTEMPTS; a code is accepted once only.
 */
export async function verifyTotpCode(
  ctx: ServiceContext,
  accountId: string,
  code: string,
): Promise<void> {
  const key = throttleKey('reauth', 'customer', accountId);
  await checkThrottle(ctx.db, key);

  const sealKey = deriveKey(ctx.secrets, 'totp-seal');
  if (!(await verifyTotp(ctx.db, sealKey, 'customer', accountId, code))) {
    await recordFailure(ctx.db, key);
    throw new AppError('INVALID_CODE', 'The code is wrong or was already used.');
  }
  await clearThrottle(ctx.db, key);
}

/**
 * Checks the signed-in customer's password under the account's re-authentication throttle, so
 * a borrowed session cannot be used to guess it quickly, while failed logins against the email
 * from elsewhere never block it. Throws INVALID_CREDENTIALS.
 */
async function verifyPassword(
  ctx: ServiceContext,
  hasher: PasswordHasher,
  customer: CustomerRow,
  password: string,
): Promise<void> {
  const key = throttleKey('reauth', 'customer', customer.id);
  await checkThrottle(ctx.db, key);

  const verdict = await hasher.verify(customer.password_hash, password);
  if (!verdict.ok) {
    await recordFailure(ctx.db, key);
    throw new AppError('INVALID_CREDENTIALS', 'The password is wrong.');
  }
  await clearThrottle(ctx.db, key);
}

async function storePassword(
  ctx: ServiceContext,
  customerId: string,
  passwordHash: string,
  emailConfirmedAt?: string,
): Promise<void> {
  await ctx.db
    .updateTable('customers')
    .set({
      password_hash: passwordHash,
      updated_at: nowIso(),
      ...(emailConfirmedAt ? { email_confirmed_at: emailConfirmedAt } : {}),
    })
    .where('id', '=', customerId)
    .execute();
  // A pending email change may be an intruder's; a new password cancels it with the rest.
  await voidLinks(ctx.db, 'customer', customerId, ['reset_password', 'change_email']);
}

/** Reads an unused, unexpired reset link without consuming it. */
async function findLiveLink(ctx: ServiceContext, token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;

  return ctx.db
    .selectFrom('auth_links')
    .select('account_id')
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', 'reset_password')
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
}
