import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { RequestAccount } from '../auth/request-account.js';
import { isRecentlyReauthenticated } from '../auth/sessions.js';
import { endAccountSession, listAccountSessions } from '../customers/account-sessions.service.js';
import {
  changePassword,
  logoutEverywhere,
  reauthenticate,
  requestEmailChange,
} from '../customers/accounts.service.js';
import { customerPasswordHasher } from '../customers/hasher.js';
import {
  confirmTotp,
  customerMfaStatus,
  customerPasskeys,
  deletePasskey,
  regenerateRecoveryCodes,
  removeTotp,
  startTotp,
} from '../customers/mfa.service.js';
import {
  clearCustomerCookie,
  requireCustomer,
  requireRecentAuth,
  rotateVisitorAfterLogout,
  setCustomerCookie,
} from '../customers/session-hook.js';
import type { ShopDeps } from '../server/app.js';
import { AppError } from '../server/errors.js';
import {
  accountPage,
  accountPageBase,
  credentialErrors,
  customerOrRedirect,
  formErrorOf,
  noticeText,
} from './account-page-kit.js';
import {
  emailForm,
  emptyForm,
  noticeQuery,
  passkeyRemoveForm,
  passwordForm,
  reauthForm,
  sessionEndForm,
  totpConfirmForm,
} from './account-forms.schema.js';
import { pageContext } from './chrome.js';
import { htmlResponse } from './forms.schema.js';
import {
  RecoveryCodesPage,
  type SecurityPageProps,
  SecurityPage,
  TotpEnrolPage,
} from './pages/account/security-pages.js';
import { sendPage } from './send-page.js';

type SecurityState = Pick<SecurityPageProps, 'error' | 'needsReauth'> & { status?: number };

/**
 * The security page: sessions, password, email address, authenticator app, recovery codes and
 * passkeys. Adding or removing a second factor and replacing recovery codes need a password or
 * code entered in the last 5 minutes. Without one, the page comes back with status 403 and a
 * confirmation form.
 */
export function registerAccountSecurityPages(parent: FastifyInstance, deps: ShopDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const hasher = customerPasswordHasher(deps);
  const config = { config: accountPage };
  const post = <B,>(body: B) => ({
    ...config,
    schema: { hide: true, body, response: htmlResponse },
  });

  // The confirmation form shows whenever the last proof is too old, not only after a rejected
  // action: the passkey button calls the Store API, whose refusal cannot bring the form back.
  const showSecurity = async (
    request: FastifyRequest,
    reply: FastifyReply,
    account: RequestAccount,
    state: SecurityState & { notice?: string | undefined },
  ) => {
    const ctx = pageContext(request, deps);
    const [sessions, mfa, passkeys, base] = await Promise.all([
      listAccountSessions(ctx, account.sessionHash),
      customerMfaStatus(ctx, account.accountId),
      customerPasskeys(ctx, account.accountId),
      accountPageBase(request, reply, deps, ctx),
    ]);
    const page = (
      <SecurityPage
        {...base}
        sessions={sessions}
        mfa={mfa}
        passkeys={passkeys.map((passkey: { id: string; name: string }) => ({
          id: passkey.id,
          name: passkey.name,
        }))}
        notice={noticeText(state.notice)}
        {...(state.error ? { error: state.error } : {})}
        needsReauth={state.needsReauth ?? !isRecentlyReauthenticated(account)}
      />
    );
    return sendPage(reply, page, state.status);
  };

  // Runs a sensitive action, or shows the confirmation form when the last proof is too old.
  const sensitive = async (
    request: FastifyRequest,
    reply: FastifyReply,
    action: (account: RequestAccount) => Promise<FastifyReply>,
  ): Promise<FastifyReply> => {
    const account = requireCustomer(request);
    try {
      requireRecentAuth(request);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'REAUTHENTICATION_REQUIRED') throw error;
      request.log.info(
        { code: error.code, route: request.routeOptions.url },
        'account form rejected',
      );
      return showSecurity(request, reply, account, { needsReauth: true, status: 403 });
    }
    return action(account);
  };

  app.get(
    '/account/security',
    { ...config, schema: { hide: true, querystring: noticeQuery, response: htmlResponse } },
    async (request, reply) => {
      const signedIn = customerOrRedirect(request);
      if ('redirect' in signedIn) return reply.redirect(signedIn.redirect, 303);
      return showSecurity(request, reply, signedIn.account, { notice: request.query.notice });
    },
  );

  app.post('/account/security/sessions/end', post(sessionEndForm), async (request, reply) => {
    const account = requireCustomer(request);
    const ctx = pageContext(request, deps);
    const { endedCurrent } = await endAccountSession(ctx, request.body.id, account.sessionHash);
    if (endedCurrent) {
      // Ending this browser's own session is a logout, so the visitor cookie is replaced as well.
      clearCustomerCookie(reply);
      await rotateVisitorAfterLogout(request, reply, deps);
      return reply.redirect('/account/login?notice=logged-out', 303);
    }
    return reply.redirect('/account/security?notice=session-ended', 303);
  });

  app.post('/account/security/logout-everywhere', post(emptyForm), async (request, reply) => {
    const account = requireCustomer(request);
    await logoutEverywhere(pageContext(request, deps), account.accountId);
    clearCustomerCookie(reply);
    await rotateVisitorAfterLogout(request, reply, deps);
    return reply.redirect('/account/login?notice=logged-out-everywhere', 303);
  });

  app.post('/account/security/password', post(passwordForm), async (request, reply) => {
    const account = requireCustomer(request);
    const { currentPassword, newPassword } = request.body;
    try {
      const { token } = await changePassword(pageContext(request, deps), hasher, account, {
        current: currentPassword,
        next: newPassword,
      });
      setCustomerCookie(reply, token);
      return reply.redirect('/account/security?notice=password-changed', 303);
    } catch (error) {
      const rejected = formErrorOf(request, error, credentialErrors);
      if (!rejected) throw error;
      const state = {
        error: { form: 'password' as const, error: rejected.error },
        status: rejected.status,
      };
      return showSecurity(request, reply, account, state);
    }
  });

  app.post('/account/security/email', post(emailForm), async (request, reply) => {
    const account = requireCustomer(request);
    try {
      await requestEmailChange(pageContext(request, deps), hasher, account.accountId, request.body);
      return reply.redirect('/account/security?notice=email-sent', 303);
    } catch (error) {
      const rejected = formErrorOf(request, error, credentialErrors);
      if (!rejected) throw error;
      const state = {
        error: { form: 'email' as const, error: rejected.error },
        status: rejected.status,
      };
      return showSecurity(request, reply, account, state);
    }
  });

  app.post('/account/security/reauthenticate', post(reauthForm), async (request, reply) => {
    const account = requireCustomer(request);
    const { password, code } = request.body;
    try {
      const proof = code !== undefined ? { code } : { password: password ?? '' };
      await reauthenticate(pageContext(request, deps), hasher, account, proof);
      return reply.redirect('/account/security?notice=reauthenticated', 303);
    } catch (error) {
      const rejected = formErrorOf(request, error, [...credentialErrors, 'INVALID_CODE']);
      if (!rejected) throw error;
      const state = {
        error: { form: 'reauth' as const, error: rejected.error },
        status: rejected.status,
      };
      return showSecurity(request, reply, account, state);
    }
  });

  // Adding a factor needs a recent proof as well: with a stolen session cookie alone, an
  // attacker could otherwise enrol their own authenticator and lock the owner out.
  app.post('/account/security/totp/start', post(emptyForm), async (request, reply) => {
    await sensitive(request, reply, async (account) => {
      const ctx = pageContext(request, deps);
      try {
        const enrolment = await startTotp(ctx, account.accountId);
        const base = await accountPageBase(request, reply, deps, ctx);
        return sendPage(reply, <TotpEnrolPage {...base} enrolment={enrolment} />);
      } catch (error) {
        const rejected = formErrorOf(request, error, ['ALREADY_EXISTS']);
        if (!rejected) throw error;
        const state = {
          error: { form: 'mfa' as const, error: rejected.error },
          status: rejected.status,
        };
        return showSecurity(request, reply, account, state);
      }
    });
    return reply;
  });

  app.post('/account/security/totp/confirm', post(totpConfirmForm), async (request, reply) => {
    const account = requireCustomer(request);
    const ctx = pageContext(request, deps);
    try {
      const { recoveryCodes } = await confirmTotp(ctx, account.accountId, request.body.code);
      const base = await accountPageBase(request, reply, deps, ctx);
      return sendPage(reply, <RecoveryCodesPage {...base} codes={recoveryCodes} />);
    } catch (error) {
      const rejected = formErrorOf(request, error, [
        'INVALID_CODE',
        'VALIDATION_FAILED',
        'TOO_MANY_ATTEMPTS',
      ]);
      if (!rejected) throw error;
      const base = await accountPageBase(request, reply, deps, ctx);
      const error_ = { ...rejected.error, field: 'code' };
      return sendPage(
        reply,
        <TotpEnrolPage {...base} enrolment={null} error={error_} />,
        rejected.status,
      );
    }
  });

  app.post('/account/security/totp/remove', post(emptyForm), async (request, reply) => {
    await sensitive(request, reply, async (account) => {
      await removeTotp(pageContext(request, deps), account.accountId);
      return reply.redirect('/account/security?notice=totp-removed', 303);
    });
    return reply;
  });

  app.post('/account/security/recovery-codes', post(emptyForm), async (request, reply) => {
    await sensitive(request, reply, async (account) => {
      const ctx = pageContext(request, deps);
      const { recoveryCodes } = await regenerateRecoveryCodes(ctx, account.accountId);
      const base = await accountPageBase(request, reply, deps, ctx);
      return sendPage(reply, <RecoveryCodesPage {...base} codes={recoveryCodes} />);
    });
    return reply;
  });

  app.post('/account/security/passkeys/remove', post(passkeyRemoveForm), async (request, reply) => {
    await sensitive(request, reply, async (account) => {
      await deletePasskey(pageContext(request, deps), account.accountId, request.body.id);
      return reply.redirect('/account/security?notice=passkey-removed', 303);
    });
    return reply;
  });
}
