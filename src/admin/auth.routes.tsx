import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { csrfToken } from '../auth/csrf.js';
import { deviceCookieNames, setDeviceCookie } from '../auth/device-cookie.js';
import {
  clearSessionCookie,
  endSession,
  rotateSession,
  setSessionCookie,
  staffSessionCookie,
} from '../auth/sessions.js';
import { beginTotpEnrolment, confirmTotpEnrolment, mfaStatus } from '../auth/totp.js';
import {
  finishPasskeyLogin,
  finishPasskeyRegistration,
  listPasskeys,
  startPasskeyLogin,
  startPasskeyRegistration,
} from '../auth/webauthn.js';
import type { SecondFactorChange } from '../customers/account-mail.js';
import { AppError } from '../server/errors.js';
import { hashToken, randomToken } from '../server/ids.js';
import { sendPage } from '../web/send-page.js';
import { mfaPaths, safeNextPath } from './access.js';
import { adminCsrfKey, preLoginCookie } from './admin-csrf.js';
import {
  codeForm,
  emptyJson,
  htmlResponse,
  jsonObjectResponse,
  loginForm,
  nextQuery,
  passkeyForm,
  passkeyQuery,
  passkeyVerifyJson,
  reauthForm,
  redirectResponse,
} from './admin-forms.schema.js';
import type { AdminServices } from './admin-services.js';
import {
  EnrolPage,
  LoginPage,
  MfaPage,
  ReauthPage,
  RecoveryCodesPage,
  RemovePasskeyPage,
  SecurityPage,
} from './pages/auth-pages.js';
import {
  auditProof,
  type Client,
  completeStaffMfa,
  findStaffPasskey,
  loginStaff,
  reauthenticateStaff,
  removeStaffPasskey,
  staffDeviceCookie,
} from './staff-auth.service.js';
import { auditRequest } from './staff-context.js';
import { notifyStaffOfFactorChange } from './staff-mail.js';

/** Short-lived cookie holding the key of a pending WebAuthn challenge (5 minutes, single use). */
const webauthnCookie = '__Host-staff-webauthn';
const webauthnCookieOptions = {
  httpOnly: true,
  secure: true,
  sameSite: 'strict' as const,
  path: '/',
  maxAge: 300,
};

const publicPage = { page: true, personal: true, permission: 'public' } as const;
const mfaPage = { page: true, personal: true, permission: 'signed_in' } as const;
const mfaJson = { personal: true, permission: 'signed_in' } as const;
const staffPage = { page: true, personal: true, permission: 'staff' } as const;
const sensitiveStaffPage = { ...staffPage, sensitive: true } as const;

function clientOf(request: FastifyRequest): Client {
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? '',
    deviceCookie: request.cookies[deviceCookieNames.staff],
  };
}

/** Errors a form shows next to itself instead of on an error page. */
function formError(error: unknown): AppError | null {
  if (!(error instanceof AppError)) return null;
  const shown = ['INVALID_CREDENTIALS', 'INVALID_CODE', 'TOO_MANY_ATTEMPTS', 'ALREADY_EXISTS'];
  return shown.includes(error.code) ? error : null;
}

/** The session of a request on a `signed_in` route; the access hook guarantees one exists. */
function sessionActor(request: FastifyRequest) {
  const account = request.account;
  const staff = request.staff;
  if (!account || !staff) throw new AppError('AUTHENTICATION_REQUIRED', 'Log in first.');
  return { ...staff, sessionHash: account.sessionHash, stage: account.stage };
}

function alreadyVerified(): AppError {
  return new AppError('ALREADY_EXISTS', 'This session has already passed its second factor.');
}

function newChallengeKey(reply: FastifyReply): string {
  const key = randomToken();
  reply.setCookie(webauthnCookie, key, webauthnCookieOptions);
  return key;
}

function takeChallengeKey(request: FastifyRequest, reply: FastifyReply): string {
  const key = request.cookies[webauthnCookie];
  reply.clearCookie(webauthnCookie, webauthnCookieOptions);
  if (!key) {
    throw new AppError(
      'PASSKEY_REJECTED',
      'This passkey request was already used or has expired; start again.',
    );
  }
  return key;
}

/**
 * Registers login, logout, the second-factor steps (TOTP and passkey enrolment, verification,
 * recovery codes), re-authentication and the staff member's own security page.
 */
export function registerStaffAuthRoutes(parent: FastifyInstance, services: AdminServices): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { deps, auth } = services;
  const db = deps.db.kysely;

  // Signs the browser's session in at a new stage: a new token, and the old one stops working.
  // The login is complete now, so the browser becomes a trusted device of the staff member.
  const promote = async (
    request: FastifyRequest,
    reply: FastifyReply,
    actor: { email: string; sessionHash: string },
  ) => {
    const token = await rotateSession(db, actor.sessionHash, {
      stage: 'active',
      reauthenticated: true,
    });
    setSessionCookie(reply, staffSessionCookie, token);
    setDeviceCookie(reply, 'staff', await staffDeviceCookie(auth, actor.email, clientOf(request)));
    request.audited = true;
    return token;
  };
  const notifyOwner = (actor: { email: string }, change: SecondFactorChange) =>
    notifyStaffOfFactorChange(db, deps.config, actor, change);

  // Adding a passkey is the same ceremony at enrolment and on the security page; the routes keep
  // their own stage checks and audit entries.
  const passkeyOptions = async (reply: FastifyReply, actor: { id: string; email: string }) => {
    const account = { id: actor.id, email: actor.email };
    const options = await startPasskeyRegistration(
      db,
      services.rp,
      'staff',
      account,
      newChallengeKey(reply),
    );
    return options as unknown as Record<string, unknown>;
  };
  const savePasskey = (
    staffId: string,
    challengeKey: string,
    body: { response: unknown; name?: string | undefined },
  ) =>
    finishPasskeyRegistration(
      db,
      services.rp,
      'staff',
      staffId,
      challengeKey,
      body.response as never,
      body.name?.trim() || 'Admin passkey',
    );

  app.get(
    '/login',
    { config: publicPage, schema: { response: htmlResponse } },
    async (request, reply) => {
      if (request.account) return reply.redirect('/', 303);
      return sendPage(reply, <LoginPage chrome={services.chrome(request, reply)} />);
    },
  );

  app.post(
    '/login',
    {
      config: { ...publicPage, signInAttempt: true },
      schema: { body: loginForm, response: htmlResponse },
    },
    async (request, reply) => {
      request.audited = true;
      try {
        const result = await loginStaff(auth, clientOf(request), {
          email: request.body.email,
          password: request.body.password,
          previousSession: request.account?.sessionHash ?? null,
        });
        setSessionCookie(reply, staffSessionCookie, result.token);
        reply.clearCookie(preLoginCookie, { path: '/', secure: true, httpOnly: true });
        return reply.redirect(result.stage === 'active' ? '/' : mfaPaths[result.stage], 303);
      } catch (error) {
        const shown = formError(error);
        if (!shown) throw error;
        return sendPage(
          reply,
          <LoginPage
            chrome={services.chrome(request, reply)}
            error={shown.detail}
            email={request.body.email}
          />,
          shown.status,
        );
      }
    },
  );

  app.post(
    '/logout',
    { config: { ...mfaPage }, schema: { response: htmlResponse } },
    async (request, reply) => {
      const actor = sessionActor(request);
      await endSession(db, actor.sessionHash);
      clearSessionCookie(reply, staffSessionCookie);
      await auditRequest(request, deps, {
        action: 'logout',
        objectType: 'staff',
        objectId: actor.id,
      });
      return reply.redirect('/login', 303);
    },
  );

  registerEnrolmentRoutes();
  registerVerificationRoutes();
  registerReauthRoutes();
  registerSecurityRoutes();

  function registerEnrolmentRoutes() {
    const renderEnrolPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      error?: AppError,
    ) => {
      const actor = sessionActor(request);
      if (actor.stage !== 'mfa_enrolment') return reply.redirect('/', 303);

      // Each visit starts a fresh unconfirmed secret, replacing any earlier unconfirmed one. After
      // a wrong code the form is repeated without one, so the secret already scanned stays valid.
      const totp = error
        ? null
        : await beginTotpEnrolment(
            db,
            services.totpSealKey,
            'staff',
            actor.id,
            actor.email,
            'Storefort admin',
          );
      return sendPage(
        reply,
        <EnrolPage
          chrome={services.chrome(request, reply)}
          totp={totp}
          passkeys={services.passkeysBundle}
          {...(error ? { error: error.detail } : {})}
        />,
        error?.status ?? 200,
      );
    };

    app.get(
      '/mfa/enrol',
      { config: mfaPage, schema: { response: htmlResponse } },
      (request, reply) => renderEnrolPage(request, reply),
    );

    app.post(
      '/mfa/enrol/totp',
      {
        config: { ...mfaPage, signInAttempt: true },
        schema: { body: codeForm, response: htmlResponse },
      },
      async (request, reply) => {
        const actor = sessionActor(request);
        if (actor.stage !== 'mfa_enrolment') return reply.redirect('/', 303);

        let codes: string[];
        try {
          codes = await confirmTotpEnrolment(
            db,
            services.totpSealKey,
            'staff',
            actor.id,
            request.body.code.replace(/\s+/g, ''),
          );
        } catch (error) {
          await auditProof(auth, actor, clientOf(request), 'mfa_enrolment', 'totp', false);
          request.audited = true;
          const shown = formError(error);
          if (!shown) throw error;
          return renderEnrolPage(request, reply, shown);
        }

        await auditProof(auth, actor, clientOf(request), 'mfa_enrolment', 'totp', true);
        await notifyOwner(actor, 'totp_added');
        const token = await promote(request, reply, actor);
        // The page's logout form belongs to the new session, so its token binds to that one.
        const csrf = csrfToken(adminCsrfKey(deps.secrets), hashToken(token));
        return sendPage(
          reply,
          <RecoveryCodesPage
            chrome={{ assets: deps.assets, staff: actor, active: true, csrfToken: csrf }}
            codes={codes}
          />,
        );
      },
    );

    app.post(
      '/mfa/enrol/passkey/options',
      { config: mfaJson, schema: { body: emptyJson, response: jsonObjectResponse } },
      async (request, reply) => {
        const actor = sessionActor(request);
        if (actor.stage !== 'mfa_enrolment') {
          throw new AppError('ALREADY_EXISTS', 'A second factor is already set up.');
        }
        return passkeyOptions(reply, actor);
      },
    );

    app.post(
      '/mfa/enrol/passkey/verify',
      { config: mfaJson, schema: { body: passkeyVerifyJson, response: redirectResponse } },
      async (request, reply) => {
        const actor = sessionActor(request);
        if (actor.stage !== 'mfa_enrolment') {
          throw new AppError('ALREADY_EXISTS', 'A second factor is already set up.');
        }
        const challengeKey = takeChallengeKey(request, reply);
        try {
          await savePasskey(actor.id, challengeKey, request.body);
        } catch (error) {
          await auditProof(auth, actor, clientOf(request), 'mfa_enrolment', 'passkey', false);
          request.audited = true;
          throw error;
        }
        await auditProof(auth, actor, clientOf(request), 'mfa_enrolment', 'passkey', true);
        await notifyOwner(actor, 'passkey_added');
        await promote(request, reply, actor);
        return { redirect: '/' };
      },
    );
  }

  function registerVerificationRoutes() {
    const renderMfaPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      error?: AppError,
    ) => {
      const actor = sessionActor(request);
      if (actor.stage !== 'mfa_pending') {
        return reply.redirect(actor.stage === 'active' ? '/' : mfaPaths[actor.stage], 303);
      }
      const status = await mfaStatus(db, 'staff', actor.id);
      return sendPage(
        reply,
        <MfaPage
          chrome={services.chrome(request, reply)}
          passkeys={services.passkeysBundle && status.passkeys > 0}
          {...(error ? { error: error.detail } : {})}
        />,
        error?.status ?? 200,
      );
    };

    app.get('/mfa', { config: mfaPage, schema: { response: htmlResponse } }, (request, reply) =>
      renderMfaPage(request, reply),
    );

    for (const kind of ['totp', 'recovery'] as const) {
      app.post(
        `/mfa/${kind}`,
        {
          config: { ...mfaPage, signInAttempt: true },
          schema: { body: codeForm, response: htmlResponse },
        },
        async (request, reply) => {
          const actor = sessionActor(request);
          if (actor.stage !== 'mfa_pending') return reply.redirect('/', 303);

          request.audited = true;
          try {
            const result = await completeStaffMfa(auth, actor, clientOf(request), {
              kind,
              code: request.body.code,
            });
            setSessionCookie(reply, staffSessionCookie, result.token);
            setDeviceCookie(reply, 'staff', result.deviceCookie);
          } catch (error) {
            const shown = formError(error);
            if (!shown) throw error;
            return renderMfaPage(request, reply, shown);
          }
          return reply.redirect('/', 303);
        },
      );
    }

    app.post(
      '/mfa/passkey/options',
      { config: mfaJson, schema: { body: emptyJson, response: jsonObjectResponse } },
      async (request, reply) => {
        const actor = sessionActor(request);
        if (actor.stage !== 'mfa_pending') throw alreadyVerified();
        const options = await startPasskeyLogin(
          db,
          services.rp,
          'staff',
          newChallengeKey(reply),
          actor.id,
        );
        return options as unknown as Record<string, unknown>;
      },
    );

    app.post(
      '/mfa/passkey/verify',
      {
        config: { ...mfaJson, signInAttempt: true },
        schema: { body: passkeyVerifyJson, response: redirectResponse },
      },
      async (request, reply) => {
        const actor = sessionActor(request);
        if (actor.stage !== 'mfa_pending') throw alreadyVerified();

        const challengeKey = takeChallengeKey(request, reply);
        let ok = false;
        try {
          const result = await finishPasskeyLogin(
            db,
            services.rp,
            'staff',
            challengeKey,
            request.body.response as never,
            actor.id,
          );
          ok = result.accountId === actor.id;
        } finally {
          await auditProof(auth, actor, clientOf(request), 'mfa', 'passkey', ok);
          request.audited = true;
        }
        if (!ok) throw new AppError('PASSKEY_REJECTED', 'This passkey does not belong to you.');

        await promote(request, reply, actor);
        return { redirect: '/' };
      },
    );
  }

  function registerReauthRoutes() {
    const renderReauthPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      next: string,
      error?: AppError,
    ) => {
      const actor = sessionActor(request);
      const status = await mfaStatus(db, 'staff', actor.id);
      return sendPage(
        reply,
        <ReauthPage
          chrome={services.chrome(request, reply)}
          next={safeNextPath(next)}
          totp={status.totp}
          {...(error ? { error: error.detail } : {})}
        />,
        error?.status ?? 200,
      );
    };

    app.get(
      '/reauth',
      { config: staffPage, schema: { querystring: nextQuery, response: htmlResponse } },
      (request, reply) => renderReauthPage(request, reply, request.query.next ?? '/'),
    );

    app.post(
      '/reauth',
      {
        config: { ...staffPage, signInAttempt: true },
        schema: { body: reauthForm, response: htmlResponse },
      },
      async (request, reply) => {
        const actor = sessionActor(request);
        const { password, code, next } = request.body;
        request.audited = true;
        try {
          if (code) {
            await reauthenticateStaff(auth, actor, clientOf(request), { kind: 'totp', code });
          } else if (password) {
            await reauthenticateStaff(auth, actor, clientOf(request), {
              kind: 'password',
              password,
            });
          } else {
            throw new AppError('INVALID_CREDENTIALS', 'Enter your password or a code.');
          }
        } catch (error) {
          const shown = formError(error);
          if (!shown) throw error;
          return renderReauthPage(request, reply, next, shown);
        }
        return reply.redirect(safeNextPath(next), 303);
      },
    );
  }

  function registerSecurityRoutes() {
    app.get(
      '/me/security',
      { config: staffPage, schema: { response: htmlResponse } },
      async (request, reply) => {
        const actor = sessionActor(request);
        const [status, passkeys] = await Promise.all([
          mfaStatus(db, 'staff', actor.id),
          listPasskeys(db, 'staff', actor.id),
        ]);
        return sendPage(
          reply,
          <SecurityPage
            chrome={services.chrome(request, reply)}
            status={status}
            passkeys={passkeys}
            canAddPasskey={services.passkeysBundle}
          />,
        );
      },
    );

    app.post(
      '/me/passkeys/options',
      {
        config: { personal: true, permission: 'staff' },
        schema: { body: emptyJson, response: jsonObjectResponse },
      },
      async (request, reply) => {
        const actor = sessionActor(request);
        return passkeyOptions(reply, actor);
      },
    );

    app.post(
      '/me/passkeys/verify',
      {
        config: { personal: true, permission: 'staff' },
        schema: { body: passkeyVerifyJson, response: redirectResponse },
      },
      async (request, reply) => {
        const actor = sessionActor(request);
        await savePasskey(actor.id, takeChallengeKey(request, reply), request.body);
        await auditRequest(request, deps, {
          action: 'passkey.added',
          objectType: 'staff',
          objectId: actor.id,
        });
        await notifyOwner(actor, 'passkey_added');
        return { redirect: '/me/security' };
      },
    );

    // Removal is sensitive: a stolen session alone must not strip the account's second factor.
    app.get(
      '/me/passkeys/remove',
      { config: sensitiveStaffPage, schema: { querystring: passkeyQuery, response: htmlResponse } },
      async (request, reply) => {
        const actor = sessionActor(request);
        if (!request.query.id) return reply.redirect('/me/security', 303);
        const passkey = await findStaffPasskey(auth, actor.id, request.query.id);
        return sendPage(
          reply,
          <RemovePasskeyPage chrome={services.chrome(request, reply)} passkey={passkey} />,
        );
      },
    );

    app.post(
      '/me/passkeys/remove',
      { config: sensitiveStaffPage, schema: { body: passkeyForm, response: htmlResponse } },
      async (request, reply) => {
        const actor = sessionActor(request);
        const result = await removeStaffPasskey(auth, actor, clientOf(request), request.body.id);
        if (result.ok) {
          await notifyOwner(actor, 'passkey_removed');
          request.audited = true;
          return reply.redirect('/me/security', 303);
        }
        const passkey = await findStaffPasskey(auth, actor.id, request.body.id);
        return sendPage(
          reply,
          <RemovePasskeyPage
            chrome={services.chrome(request, reply)}
            passkey={passkey}
            error={result.reason}
          />,
          409,
        );
      },
    );
  }
}
