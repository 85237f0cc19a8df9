import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { deviceCookieNames, setDeviceCookie } from '../auth/device-cookie.js';
import {
  confirmEmailLink,
  login,
  logout,
  register,
  requestPasswordReset,
  resetPassword,
} from '../customers/accounts.service.js';
import { customerPasswordHasher } from '../customers/hasher.js';
import { completeMfa } from '../customers/mfa.service.js';
import {
  authContextOf,
  clearCustomerCookie,
  requireCustomer,
  rotateVisitorAfterLogout,
  setCustomerCookie,
} from '../customers/session-hook.js';
import type { ShopDeps } from '../server/app.js';
import {
  accountPage,
  accountPageBase,
  credentialErrors,
  formErrorOf,
  noticeText,
} from './account-page-kit.js';
import {
  confirmForm,
  emptyForm,
  forgotForm,
  linkQuery,
  loginForm,
  mfaForm,
  noticeQuery,
  registerForm,
  resetForm,
} from './account-forms.schema.js';
import { htmlResponse } from './forms.schema.js';
import type { PageChrome } from './layout.js';
import {
  ConfirmPage,
  ForgotPage,
  LoginPage,
  MessagePage,
  MfaPage,
  RegisterPage,
  ResetPage,
} from './pages/account/auth-pages.js';
import { sendPage } from './send-page.js';

const invalidLinkLines = [
  'This link is invalid, was already used or has expired.',
  'Ask for a new one: log in to get a new confirmation link, or use "Forgot your password?".',
];

/** Sends the page for a mailed link that is missing its token, was used or has expired: 400. */
function sendInvalidLinkPage(reply: FastifyReply, chrome: PageChrome) {
  const page = <MessagePage chrome={chrome} title="Link not valid" lines={invalidLinkLines} />;
  return sendPage(reply, page, 400);
}

/**
 * Pages to register, confirm an email address, log in (password, then a second factor when the
 * account has one), log out and reset a forgotten password. Each form posts to its own page and
 * gets a 303 redirect on success. A rejected form comes back with the problem and the values
 * typed (never the password), and nothing has changed.
 */
export function registerAccountAuthPages(parent: FastifyInstance, deps: ShopDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const hasher = customerPasswordHasher(deps);
  const base = (request: FastifyRequest, reply: FastifyReply) =>
    accountPageBase(request, reply, deps, authContextOf(request, deps));

  app.get(
    '/account/register',
    { config: accountPage, schema: { hide: true, response: htmlResponse } },
    async (request, reply) =>
      sendPage(reply, <RegisterPage {...await base(request, reply)} values={{}} />),
  );

  app.post(
    '/account/register',
    { config: accountPage, schema: { hide: true, body: registerForm, response: htmlResponse } },
    async (request, reply) => {
      const form = request.body;
      try {
        await register(authContextOf(request, deps), hasher, form);
        return reply.redirect('/account/check-email', 303);
      } catch (error) {
        const rejected = formErrorOf(request, error, credentialErrors);
        if (!rejected) throw error;
        const values = { name: form.name, email: form.email };
        const page = (
          <RegisterPage {...await base(request, reply)} values={values} error={rejected.error} />
        );
        return sendPage(reply, page, rejected.status);
      }
    },
  );

  app.get(
    '/account/check-email',
    { config: accountPage, schema: { hide: true, response: htmlResponse } },
    async (request, reply) => {
      const { chrome } = await base(request, reply);
      const lines = [
        'If the address can be used, we have sent it a link. Open it to continue.',
        'The mail may take a minute to arrive; check your spam folder too.',
      ];
      return sendPage(
        reply,
        <MessagePage chrome={chrome} title="Check your email" lines={lines} />,
      );
    },
  );

  app.get(
    '/account/confirm',
    { config: accountPage, schema: { hide: true, querystring: linkQuery, response: htmlResponse } },
    async (request, reply) => {
      const pageBase = await base(request, reply);
      const token = request.query.token;
      if (token === undefined) return sendInvalidLinkPage(reply, pageBase.chrome);
      return sendPage(reply, <ConfirmPage {...pageBase} token={token} />);
    },
  );

  app.post(
    '/account/confirm',
    { config: accountPage, schema: { hide: true, body: confirmForm, response: htmlResponse } },
    async (request, reply) => {
      try {
        const confirmed = await confirmEmailLink(authContextOf(request, deps), request.body.token);
        if (confirmed.kind === 'email_change') {
          const signedIn = request.account?.stage === 'active';
          return reply.redirect(
            signedIn ? '/account?notice=email-changed' : '/account/login?notice=email-changed',
            303,
          );
        }
        return reply.redirect('/account/login?notice=confirmed', 303);
      } catch (error) {
        if (!formErrorOf(request, error, ['INVALID_LINK'])) throw error;
        const { chrome } = await base(request, reply);
        return sendInvalidLinkPage(reply, chrome);
      }
    },
  );

  app.get(
    '/account/login',
    {
      config: accountPage,
      schema: { hide: true, querystring: noticeQuery, response: htmlResponse },
    },
    async (request, reply) => {
      if (request.account?.stage === 'active') return reply.redirect('/account', 303);
      const page = (
        <LoginPage {...await base(request, reply)} notice={noticeText(request.query.notice)} />
      );
      return sendPage(reply, page);
    },
  );

  app.post(
    '/account/login',
    { config: accountPage, schema: { hide: true, body: loginForm, response: htmlResponse } },
    async (request, reply) => {
      const form = request.body;
      try {
        const result = await login(authContextOf(request, deps), hasher, {
          email: form.email,
          password: form.password,
          userAgent: request.headers['user-agent'] ?? '',
          currentSessionHash: request.account?.sessionHash ?? null,
          deviceCookie: request.cookies[deviceCookieNames.customer],
        });
        setCustomerCookie(reply, result.token);
        if (result.deviceCookie) setDeviceCookie(reply, 'customer', result.deviceCookie);
        return reply.redirect(result.stage === 'mfa_pending' ? '/account/mfa' : '/account', 303);
      } catch (error) {
        const rejected = formErrorOf(request, error, [...credentialErrors, 'EMAIL_NOT_CONFIRMED']);
        if (!rejected) throw error;
        const page = (
          <LoginPage
            {...await base(request, reply)}
            email={form.email}
            error={rejected.error}
            notice={null}
          />
        );
        return sendPage(reply, page, rejected.status);
      }
    },
  );

  app.get(
    '/account/mfa',
    { config: accountPage, schema: { hide: true, response: htmlResponse } },
    async (request, reply) => {
      if (request.account?.stage === 'active') return reply.redirect('/account', 303);
      if (request.account?.stage !== 'mfa_pending') return reply.redirect('/account/login', 303);
      return sendPage(reply, <MfaPage {...await base(request, reply)} />);
    },
  );

  app.post(
    '/account/mfa',
    { config: accountPage, schema: { hide: true, body: mfaForm, response: htmlResponse } },
    async (request, reply) => {
      const session = requireCustomer(request, { allowStage: ['mfa_pending'] });
      const { code, recoveryCode } = request.body;
      try {
        const proof = recoveryCode !== undefined ? { recoveryCode } : { code: code ?? '' };
        const result = await completeMfa(
          authContextOf(request, deps),
          session.sessionHash,
          proof,
          request.cookies[deviceCookieNames.customer],
        );
        setCustomerCookie(reply, result.token);
        setDeviceCookie(reply, 'customer', result.deviceCookie);
        return reply.redirect('/account', 303);
      } catch (error) {
        const rejected = formErrorOf(request, error, [
          'INVALID_CODE',
          'TOO_MANY_ATTEMPTS',
          'RATE_LIMITED',
          'VALIDATION_FAILED',
        ]);
        if (!rejected) throw error;
        const field = recoveryCode !== undefined ? 'recoveryCode' : 'code';
        const page = (
          <MfaPage {...await base(request, reply)} error={{ ...rejected.error, field }} />
        );
        return sendPage(reply, page, rejected.status);
      }
    },
  );

  // Logout is a POST with a CSRF token, so another site cannot sign the shopper out. The visitor
  // cookie is replaced too: the cart now belongs to the account, and the next person at a shared
  // computer must not see it.
  app.post(
    '/account/logout',
    { config: accountPage, schema: { hide: true, body: emptyForm, response: htmlResponse } },
    async (request, reply) => {
      if (request.account) await logout(authContextOf(request, deps), request.account.sessionHash);
      clearCustomerCookie(reply);
      await rotateVisitorAfterLogout(request, reply, deps);
      return reply.redirect('/account/login?notice=logged-out', 303);
    },
  );

  app.get(
    '/account/forgot',
    { config: accountPage, schema: { hide: true, response: htmlResponse } },
    async (request, reply) => sendPage(reply, <ForgotPage {...await base(request, reply)} />),
  );

  app.post(
    '/account/forgot',
    { config: accountPage, schema: { hide: true, body: forgotForm, response: htmlResponse } },
    async (request, reply) => {
      try {
        await requestPasswordReset(authContextOf(request, deps), { email: request.body.email });
        return reply.redirect('/account/check-email', 303);
      } catch (error) {
        const rejected = formErrorOf(request, error, ['VALIDATION_FAILED', 'RATE_LIMITED']);
        if (!rejected) throw error;
        const page = (
          <ForgotPage
            {...await base(request, reply)}
            email={request.body.email}
            error={rejected.error}
          />
        );
        return sendPage(reply, page, rejected.status);
      }
    },
  );

  app.get(
    '/account/reset',
    { config: accountPage, schema: { hide: true, querystring: linkQuery, response: htmlResponse } },
    async (request, reply) => {
      const pageBase = await base(request, reply);
      const token = request.query.token;
      if (token === undefined) return sendInvalidLinkPage(reply, pageBase.chrome);
      return sendPage(reply, <ResetPage {...pageBase} token={token} />);
    },
  );

  app.post(
    '/account/reset',
    { config: accountPage, schema: { hide: true, body: resetForm, response: htmlResponse } },
    async (request, reply) => {
      const { token, password } = request.body;
      try {
        await resetPassword(authContextOf(request, deps), hasher, { token, password });
        // Every session ended, this browser's included, so its cookie is now useless.
        clearCustomerCookie(reply);
        return reply.redirect('/account/login?notice=password-reset', 303);
      } catch (error) {
        if (formErrorOf(request, error, ['INVALID_LINK'])) {
          const { chrome } = await base(request, reply);
          return sendInvalidLinkPage(reply, chrome);
        }
        const rejected = formErrorOf(request, error, [
          'WEAK_PASSWORD',
          'VALIDATION_FAILED',
          'RATE_LIMITED',
          'SERVER_BUSY',
        ]);
        if (!rejected) throw error;
        const page = (
          <ResetPage {...await base(request, reply)} token={token} error={rejected.error} />
        );
        return sendPage(reply, page, rejected.status);
      }
    },
  );
}
