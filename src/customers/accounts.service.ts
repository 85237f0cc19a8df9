import { linkTtlMinutes, consumeLink, issueLink, voidLinks } from '../auth/links.js';
import { checkPasswordPolicy, type PasswordHasher } from '../auth/passwords.js';
import { createSession, endOtherSessions, endSession } from '../auth/sessions.js';
import {
  attemptBuckets,
  checkThrottles,
  clearThrottles,
  recordFailures,
  type ThrottleBucket,
} from '../auth/throttle.js';
import { hasMfa } from '../auth/totp.js';
import type { CustomerRow } from '../db/schema.js';
import { enforceRateLimit } from '../defense/client-limits.js';
import { enqueueMail } from '../mail/outbox.js';
import type { ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';
import { nowIso, randomId } from '../server/ids.js';
import { accountMail } from './account-mail.js';
import { customerDeviceOf, deviceCookieForLogin } from './customer-devices.js';
import {
  findCustomerByEmail,
  findCustomerById,
  invalidLink,
  normalizeEmail,
  normalizeName,
} from './customer-records.js';
import { confirmEmailChange } from './credentials.service.js';
import { attachGuestPurchases } from './guest-attachment.js';

export {
  changePassword,
  confirmEmailChange,
  reauthenticate,
  requestEmailChange,
  requestPasswordReset,
  resetPassword,
} from './credentials.service.js';

/** The response to every sign-up and mail request, whether or not the address has an account. */
export interface CheckEmail {
  status: 'check_email';
}

const checkEmail: CheckEmail = { status: 'check_email' };

// One detail for a wrong password and an unknown address, so the response reveals neither.
const invalidCredentials = 'The email or password is wrong.';

/**
 * Creates an unconfirmed account and mails a confirmation link. For an address that already
 * has an account it mails the owner a warning instead. Both paths check the password policy,
 * hash the password and queue one mail, so the response and its timing are the same and do not
 * reveal which addresses have accounts. Throws WEAK_PASSWORD and VALIDATION_FAILED.
 */
export async function register(
  ctx: ServiceContext,
  hasher: PasswordHasher,
  input: { email: string; password: string; name: string },
): Promise<CheckEmail> {
  enforceRateLimit(ctx, 'authAttempts');
  const email = normalizeEmail(input.email);
  const name = normalizeName(input.name);
  checkPasswordPolicy(input.password, [email, name]);

  const passwordHash = await hasher.hash(input.password);
  const now = nowIso();
  const id = randomId();
  const inserted = await ctx.db
    .insertInto('customers')
    .values({
      id,
      email,
      email_confirmed_at: null,
      password_hash: passwordHash,
      name,
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) => conflict.column('email').doNothing())
    .executeTakeFirst();

  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
    await enqueueMail(ctx.db, accountMail.registerExisting(ctx.config, email));
    return checkEmail;
  }

  await sendConfirmation(ctx, id, email);
  ctx.log.info({ customerId: id }, 'customer registered');
  return checkEmail;
}

/**
 * Confirms the address a sign-up link was sent to and gives the account the guest orders
 * placed with that address and the browser's open cart. Throws INVALID_LINK for an unknown,
 * used or expired token.
 */
export async function confirmEmail(
  ctx: ServiceContext,
  token: string,
): Promise<{ customerId: string }> {
  const link = await consumeLink(ctx.db, 'confirm_email', token);
  const customer = link ? await findCustomerById(ctx.db, link.account_id) : undefined;
  if (!customer) throw invalidLink();

  await ctx.db
    .updateTable('customers')
    .set({ email_confirmed_at: customer.email_confirmed_at ?? nowIso(), updated_at: nowIso() })
    .where('id', '=', customer.id)
    .execute();
  await attachGuestPurchases(ctx, customer.id, customer.email);

  ctx.log.info({ customerId: customer.id }, 'customer email confirmed');
  return { customerId: customer.id };
}

/**
 * Confirms either kind of emailed address link: a sign-up confirmation or an email change.
 * The storefront's /account/confirm page uses it, since both mails link there.
 */
export async function confirmEmailLink(
  ctx: ServiceContext,
  token: string,
): Promise<{ customerId: string; kind: 'signup' | 'email_change' }> {
  try {
    return { ...(await confirmEmail(ctx, token)), kind: 'signup' };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'INVALID_LINK') throw error;
  }
  return { ...(await confirmEmailChange(ctx, token)), kind: 'email_change' };
}

export interface LoginInput {
  email: string;
  password: string;
  userAgent: string;
  /** Hash of the session the request already carried; it ends, so a planted one is useless. */
  currentSessionHash: string | null;
  /** The `__Host-device` cookie of the request; it changes only which throttle counts. */
  deviceCookie?: string | undefined;
}

export interface LoginResult {
  /** For the session cookie only; never send it in a body. */
  token: string;
  stage: 'active' | 'mfa_pending';
  /** For the `__Host-device` cookie after a full login (stage 'active'); never in a body. */
  deviceCookie?: string;
}

/**
 * Checks an email and password and starts a new session: 'mfa_pending' when the account has a
 * second factor, else 'active'. A wrong password and an unknown address both throw
 * INVALID_CREDENTIALS after the same hashing work and count against the same throttle keys
 * (see attemptBuckets). With a device cookie valid for this email that is the device's own
 * counter. Otherwise it is the email's counter at this client address plus the email's shared
 * bucket. An unconfirmed account gets EMAIL_NOT_CONFIRMED, but only after a correct password,
 * and a fresh confirmation link.
 */
export async function login(
  ctx: ServiceContext,
  hasher: PasswordHasher,
  input: LoginInput,
): Promise<LoginResult> {
  enforceRateLimit(ctx, 'authAttempts');
  const email = normalizeEmail(input.email);
  const customer = await findCustomerByEmail(ctx.db, email);
  const deviceId = customerDeviceOf(ctx, email, customer?.password_hash, input.deviceCookie);
  const buckets = attemptBuckets('login', 'customer', email, { ip: ctx.ip, deviceId });
  await checkThrottles(ctx.db, buckets);

  if (!customer) {
    await hasher.verifyDummy(input.password);
    return failLogin(ctx, buckets);
  }
  const verdict = await hasher.verify(customer.password_hash, input.password);
  if (!verdict.ok) return failLogin(ctx, buckets);

  await clearThrottles(ctx.db, buckets);
  // The device cookie signs the password hash, so it must see the upgraded one.
  const passwordHash = verdict.needsRehash
    ? await rehash(ctx, hasher, customer, input.password)
    : customer.password_hash;
  if (customer.email_confirmed_at === null) {
    await sendConfirmation(ctx, customer.id, customer.email);
    throw new AppError(
      'EMAIL_NOT_CONFIRMED',
      'Confirm your email address first; a new confirmation link is on its way.',
    );
  }

  if (input.currentSessionHash !== null) await endSession(ctx.db, input.currentSessionHash);
  const stage = (await hasMfa(ctx.db, 'customer', customer.id)) ? 'mfa_pending' : 'active';
  const token = await createSession(ctx.db, {
    realm: 'customer',
    accountId: customer.id,
    stage,
    userAgent: input.userAgent,
    ip: ctx.ip,
    timeouts: ctx.config.sessions.customer,
  });
  ctx.log.info(
    { customerId: customer.id, stage, trustedDevice: deviceId !== null },
    'customer logged in',
  );
  if (stage === 'mfa_pending') return { token, stage };

  await finishLogin(ctx, customer);
  const deviceCookie = deviceCookieForLogin(
    ctx,
    { email: customer.email, password_hash: passwordHash },
    input.deviceCookie,
  );
  return { token, stage, deviceCookie };
}

/**
 * Voids pending reset links, since the holder has just proved the password, and attaches guest
 * orders and the guest cart to the account. Runs when a session becomes fully signed in.
 */
export async function finishLogin(
  ctx: ServiceContext,
  customer: Pick<CustomerRow, 'id' | 'email'>,
): Promise<void> {
  await voidLinks(ctx.db, 'customer', customer.id, ['reset_password']);
  await attachGuestPurchases(ctx, customer.id, customer.email);
}

/** Ends one session. The caller clears the cookie and rotates the visitor cookie. */
export async function logout(ctx: ServiceContext, sessionHash: string): Promise<void> {
  await endSession(ctx.db, sessionHash);
}

/** Ends every session of the account, the caller's included. */
export async function logoutEverywhere(ctx: ServiceContext, accountId: string): Promise<void> {
  const ended = await endOtherSessions(ctx.db, 'customer', accountId, null);
  await voidLinks(ctx.db, 'customer', accountId, ['change_email']);
  ctx.log.info({ customerId: accountId, ended }, 'customer logged out everywhere');
}

async function failLogin(ctx: ServiceContext, buckets: ThrottleBucket[]): Promise<never> {
  await recordFailures(ctx.db, buckets);
  throw new AppError('INVALID_CREDENTIALS', invalidCredentials);
}

async function rehash(
  ctx: ServiceContext,
  hasher: PasswordHasher,
  customer: CustomerRow,
  password: string,
): Promise<string> {
  const passwordHash = await hasher.hash(password);
  await ctx.db
    .updateTable('customers')
    .set({ password_hash: passwordHash, updated_at: nowIso() })
    .where('id', '=', customer.id)
    .execute();
  return passwordHash;
}

async function sendConfirmation(ctx: ServiceContext, customerId: string, email: string) {
  const token = await issueLink(ctx.db, {
    purpose: 'confirm_email',
    realm: 'customer',
    accountId: customerId,
    ttlMinutes: linkTtlMinutes.confirm_email,
  });
  await enqueueMail(ctx.db, accountMail.confirmEmail(ctx.config, email, token));
}
