import type { FastifyReply, FastifyRequest } from 'fastify';

import type { RequestAccount } from '../auth/request-account.js';
import type { ShopDeps } from '../server/app.js';
import type { ServiceContext } from '../server/context.js';
import { AppError, type ErrorCode } from '../server/errors.js';
import { loadChrome } from './chrome.js';
import { formTokenFor } from './csrf-field.js';
import type { AccountPageBase, FormError } from './pages/account/parts.js';

/** Every account page shows or changes one person's data, so none may be cached. */
export const accountPage = { page: true, personal: true } as const;

/** Loads the layout data and the CSRF token of an account page's forms. */
export async function accountPageBase(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ShopDeps,
  ctx: ServiceContext,
): Promise<AccountPageBase> {
  const chrome = await loadChrome(ctx, deps);
  return { chrome, csrfToken: formTokenFor(request, reply, deps) };
}

/**
 * Returns the form error and status for a service error that the user can correct by editing
 * the form, or null for any other error, which the caller rethrows to the error page. Only codes
 * in `codes` count, so a form never hides an error its page cannot explain. Logs the code of a
 * rejected form at info level, as checkout does.
 */
export function formErrorOf(
  request: FastifyRequest,
  error: unknown,
  codes: readonly ErrorCode[],
): { error: FormError; status: number } | null {
  if (!(error instanceof AppError) || !codes.includes(error.code)) return null;
  request.log.info({ code: error.code, route: request.routeOptions.url }, 'account form rejected');

  const issues = error.extensions.errors as { field?: unknown }[] | undefined;
  const field = issues?.[0]?.field;
  // Services name nested fields by path ("shippingAddress.city"); the forms use the last part.
  const formField = typeof field === 'string' ? (field.split('.').pop() ?? null) : null;
  return {
    error: { message: error.detail, field: formField },
    status: error.status,
  };
}

/** Errors of the password and email forms that the form itself can explain. */
export const credentialErrors: readonly ErrorCode[] = [
  'VALIDATION_FAILED',
  'WEAK_PASSWORD',
  'INVALID_CREDENTIALS',
  'TOO_MANY_ATTEMPTS',
  'RATE_LIMITED',
  'SERVER_BUSY',
];

/**
 * Returns the request's fully signed-in customer, or where to send the browser instead: the
 * second-factor page for a session still waiting for it, else the login page.
 */
export function customerOrRedirect(
  request: FastifyRequest,
): { account: RequestAccount } | { redirect: string } {
  const account = request.account;
  if (account?.realm === 'customer' && account.stage === 'active') return { account };
  if (account?.realm === 'customer' && account.stage === 'mfa_pending') {
    return { redirect: '/account/mfa' };
  }
  return { redirect: '/account/login' };
}

/** Confirmations shown after a redirect, by the code in `?notice=`. Unknown codes show nothing. */
const notices: Record<string, string> = {
  'logged-out': 'You are logged out.',
  confirmed: 'Your email address is confirmed. You can log in now.',
  'email-changed': 'Your new email address is confirmed.',
  'password-reset': 'Your password was changed and every session was ended. Log in again.',
  'logged-out-everywhere': 'Every session of your account was ended.',
  saved: 'Your changes were saved.',
  'password-changed': 'Your password was changed, and your other sessions were ended.',
  'email-sent':
    'If that address can be used, a confirmation link is on its way to it. Your email changes ' +
    'once you open the link.',
  'session-ended': 'The session was ended.',
  reauthenticated: 'Thank you. You can change your security settings for the next 5 minutes.',
  'totp-removed': 'The authenticator app was removed from your account.',
  'passkey-removed': 'The passkey was removed.',
  'passkey-added': 'The passkey was added.',
  'address-added': 'The address was added.',
  'address-removed': 'The address was removed.',
};

export function noticeText(code: string | undefined): string | null {
  return code !== undefined && Object.hasOwn(notices, code) ? (notices[code] ?? null) : null;
}
