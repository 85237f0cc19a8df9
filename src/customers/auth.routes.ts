import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { deviceCookieNames, setDeviceCookie } from '../auth/device-cookie.js';
import {
  clearChallengeCookie,
  issueChallengeKey,
  webauthnChallengeCookie,
} from '../auth/webauthn.js';
import { treatMissingBodyAsEmpty } from '../cart/cart.routes.js';
import type { ShopDeps } from '../server/app.js';
import { AppError } from '../server/errors.js';
import { problemResponses } from '../server/problem.schema.js';
import {
  confirmEmailLink,
  login,
  logout,
  logoutEverywhere,
  reauthenticate,
  register,
  requestPasswordReset,
  resetPassword,
} from './accounts.service.js';
import * as schema from './auth.schema.js';
import { customerPasswordHasher } from './hasher.js';
import {
  addPasskey,
  completeMfa,
  confirmTotp,
  customerMfaStatus,
  deletePasskey,
  loginWithPasskey,
  passkeyLoginOptions,
  passkeyRegistrationOptions,
  regenerateRecoveryCodes,
  removeTotp,
  startTotp,
} from './mfa.service.js';
import {
  authContextOf,
  clearCustomerCookie,
  requireCustomer,
  requireRecentAuth,
  rotateVisitorAfterLogout,
  setCustomerCookie,
} from './session-hook.js';

const tags = ['auth'];
const config = { personal: true };

/**
 * Registers the customer auth API under /api/store/auth: sign-up, email confirmation, login
 * with password and second factor, logout, password reset, TOTP and passkey management. Every
 * route takes JSON only, so the cross-site check (Origin, Sec-Fetch-Site) guards it. Session
 * tokens travel in the `__Host-session` cookie and never in a body.
 */
export function registerCustomerAuthRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const hasher = customerPasswordHasher(deps);
  const userAgentOf = (request: FastifyRequest) => request.headers['user-agent'] ?? '';

  api.post(
    '/api/store/auth/register',
    {
      schema: {
        summary: 'Create an account; a confirmation link is mailed',
        description: 'The response is the same for new and existing addresses.',
        tags,
        body: schema.registerBody,
        response: { 202: schema.checkEmailView, ...problemResponses(400, 403, 422, 429, 503) },
      },
      config,
    },
    async (request, reply) => {
      const result = await register(authContextOf(request, deps), hasher, request.body);
      return reply.code(202).send(result);
    },
  );

  api.post(
    '/api/store/auth/confirm-email',
    {
      schema: {
        summary: 'Confirm an email address with the token from a sign-up or email-change mail',
        tags,
        body: schema.tokenBody,
        response: { 200: schema.confirmedView, ...problemResponses(400, 403) },
      },
      config,
    },
    async (request) => {
      const result = await confirmEmailLink(authContextOf(request, deps), request.body.token);
      return { status: 'confirmed' as const, kind: result.kind };
    },
  );

  api.post(
    '/api/store/auth/login',
    {
      schema: {
        summary: 'Log in with email and password; sets the __Host-session cookie',
        description:
          "Stage 'mfa_pending' means a second factor is due at /api/store/auth/mfa/verify.",
        tags,
        body: schema.loginBody,
        response: { 200: schema.stageView, ...problemResponses(400, 401, 403, 429, 503) },
      },
      config,
    },
    async (request, reply) => {
      const result = await login(authContextOf(request, deps), hasher, {
        ...request.body,
        userAgent: userAgentOf(request),
        currentSessionHash: request.account?.sessionHash ?? null,
        deviceCookie: request.cookies[deviceCookieNames.customer],
      });
      setCustomerCookie(reply, result.token);
      if (result.deviceCookie) setDeviceCookie(reply, 'customer', result.deviceCookie);
      return { stage: result.stage };
    },
  );

  api.post(
    '/api/store/auth/logout',
    {
      schema: {
        summary: 'End this session and start a new anonymous cart cookie',
        tags,
        body: schema.emptyBody,
        response: { 200: schema.statusView, ...problemResponses(400, 403) },
      },
      config,
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      if (request.account) await logout(authContextOf(request, deps), request.account.sessionHash);
      await endBrowserSession(request, reply, deps);
      return { status: 'logged_out' };
    },
  );

  api.post(
    '/api/store/auth/logout-everywhere',
    {
      schema: {
        summary: 'End every session of the account, this one included',
        tags,
        body: schema.emptyBody,
        response: { 200: schema.statusView, ...problemResponses(400, 401, 403) },
      },
      config,
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      const account = requireCustomer(request);
      await logoutEverywhere(authContextOf(request, deps), account.accountId);
      await endBrowserSession(request, reply, deps);
      return { status: 'logged_out' };
    },
  );

  api.post(
    '/api/store/auth/password-reset',
    {
      schema: {
        summary: 'Mail a password reset link, valid for 30 minutes',
        description: 'The response is the same whether or not the address has an account.',
        tags,
        body: schema.emailBody,
        response: { 202: schema.checkEmailView, ...problemResponses(400, 403, 429) },
      },
      config,
    },
    async (request, reply) => {
      const result = await requestPasswordReset(authContextOf(request, deps), request.body);
      return reply.code(202).send(result);
    },
  );

  api.post(
    '/api/store/auth/password-reset/confirm',
    {
      schema: {
        summary: 'Set a new password with a reset link; ends every session of the account',
        tags,
        body: schema.resetBody,
        response: { 200: schema.statusView, ...problemResponses(400, 403, 422, 429, 503) },
      },
      config,
    },
    async (request) => {
      await resetPassword(authContextOf(request, deps), hasher, request.body);
      return { status: 'password_changed' };
    },
  );

  api.post(
    '/api/store/auth/reauthenticate',
    {
      schema: {
        summary: 'Confirm the password or a TOTP code before a sensitive change',
        tags,
        body: schema.reauthenticateBody,
        response: { 200: schema.statusView, ...problemResponses(400, 401, 403, 429, 503) },
      },
      config,
    },
    async (request) => {
      const account = requireCustomer(request);
      await reauthenticate(authContextOf(request, deps), hasher, account, request.body);
      return { status: 'reauthenticated' };
    },
  );

  registerMfaRoutes(app, deps);
}

function registerMfaRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/store/auth/mfa/verify',
    {
      schema: {
        summary: 'Second login step: a TOTP code or a recovery code; renews the session cookie',
        tags,
        body: schema.mfaVerifyBody,
        response: { 200: schema.stageView, ...problemResponses(400, 401, 403, 429) },
      },
      config,
    },
    async (request, reply) => {
      const account = requireCustomer(request, { allowStage: ['mfa_pending'] });
      const ctx = authContextOf(request, deps);
      const device = request.cookies[deviceCookieNames.customer];
      const result = await completeMfa(ctx, account.sessionHash, request.body, device);
      setCustomerCookie(reply, result.token);
      setDeviceCookie(reply, 'customer', result.deviceCookie);
      return { stage: 'active' as const };
    },
  );

  api.get(
    '/api/store/auth/mfa',
    {
      schema: {
        summary: 'Show which second factors the account has',
        tags,
        response: { 200: schema.mfaStatusView, ...problemResponses(401) },
      },
      config,
    },
    async (request) => {
      const account = requireCustomer(request);
      return customerMfaStatus(authContextOf(request, deps), account.accountId);
    },
  );

  api.post(
    '/api/store/auth/mfa/totp/start',
    {
      schema: {
        summary: 'Start enrolling an authenticator app; the secret is shown this once',
        description: secondFactorNeedsRecentAuth,
        tags,
        body: schema.emptyBody,
        response: { 200: schema.totpStartView, ...problemResponses(400, 401, 403, 409) },
      },
      config,
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request) => {
      const account = requireRecentAuth(request);
      return startTotp(authContextOf(request, deps), account.accountId);
    },
  );

  api.post(
    '/api/store/auth/mfa/totp/confirm',
    {
      schema: {
        summary: 'Finish enrolling with a first code; returns recovery codes, shown this once',
        tags,
        body: schema.totpConfirmBody,
        response: { 200: schema.recoveryCodesView, ...problemResponses(400, 401, 403, 409) },
      },
      config,
    },
    async (request) => {
      const account = requireCustomer(request);
      return confirmTotp(authContextOf(request, deps), account.accountId, request.body.code);
    },
  );

  api.delete(
    '/api/store/auth/mfa/totp',
    {
      schema: {
        summary: 'Remove the authenticator app (needs a recent password or code)',
        tags,
        body: schema.emptyBody,
        response: { 200: schema.statusView, ...problemResponses(400, 401, 403) },
      },
      config,
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request) => {
      const account = requireRecentAuth(request);
      await removeTotp(authContextOf(request, deps), account.accountId);
      return { status: 'removed' };
    },
  );

  api.post(
    '/api/store/auth/mfa/recovery-codes',
    {
      schema: {
        summary: 'Replace all recovery codes (needs a recent password or code)',
        tags,
        body: schema.emptyBody,
        response: { 200: schema.recoveryCodesView, ...problemResponses(400, 401, 403) },
      },
      config,
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request) => {
      const account = requireRecentAuth(request);
      return regenerateRecoveryCodes(authContextOf(request, deps), account.accountId);
    },
  );

  registerPasskeyRoutes(app, deps);
}

/**
 * Why adding a factor needs a recent proof too: a stolen session cookie alone must not let its
 * holder add a passkey, which logs in without the password, or an authenticator app that locks
 * the owner out.
 */
const secondFactorNeedsRecentAuth =
  'Needs a password or code confirmed in the last 5 minutes (POST /api/store/auth/reauthenticate); ' +
  'otherwise answers 403 REAUTHENTICATION_REQUIRED.';

function registerPasskeyRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/store/auth/mfa/passkeys/register/options',
    {
      schema: {
        summary: 'Start adding a passkey to the account',
        description: secondFactorNeedsRecentAuth,
        tags,
        body: schema.emptyBody,
        response: { 200: schema.webauthnOptionsView, ...problemResponses(400, 401, 403) },
      },
      config,
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      const account = requireRecentAuth(request);
      const challengeKey = issueChallengeKey(reply);
      const ctx = authContextOf(request, deps);
      return passkeyRegistrationOptions(ctx, account.accountId, challengeKey);
    },
  );

  api.post(
    '/api/store/auth/mfa/passkeys/register/verify',
    {
      schema: {
        summary: 'Finish adding a passkey with the browser response',
        tags,
        body: schema.passkeyRegisterBody,
        response: { 200: schema.redirectView, ...problemResponses(400, 401, 403) },
      },
      config,
    },
    async (request, reply) => {
      const account = requireCustomer(request);
      const challengeKey = endCeremony(request, reply);
      const { response, name } = request.body;
      const ctx = authContextOf(request, deps);
      await addPasskey(ctx, account.accountId, challengeKey, response, name?.trim() || 'Passkey');
      return { stage: 'active' as const, redirect: '/account/security?notice=passkey-added' };
    },
  );

  api.post(
    '/api/store/auth/mfa/passkeys/login/options',
    {
      schema: {
        summary: 'Start a passkey login, or the passkey second step of a password login',
        tags,
        body: schema.emptyBody,
        response: { 200: schema.webauthnOptionsView, ...problemResponses(400, 403, 429) },
      },
      config,
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      const pending = request.account?.stage === 'mfa_pending' ? request.account : null;
      const challengeKey = issueChallengeKey(reply);
      const ctx = authContextOf(request, deps);
      return passkeyLoginOptions(ctx, challengeKey, pending?.accountId);
    },
  );

  api.post(
    '/api/store/auth/mfa/passkeys/login/verify',
    {
      schema: {
        summary: 'Finish a passkey login; sets a new __Host-session cookie',
        tags,
        body: schema.passkeyLoginBody,
        response: { 200: schema.redirectView, ...problemResponses(400, 401, 403, 429) },
      },
      config,
    },
    async (request, reply) => {
      const challengeKey = endCeremony(request, reply);
      const result = await loginWithPasskey(authContextOf(request, deps), {
        challengeKey,
        response: request.body.response,
        userAgent: request.headers['user-agent'] ?? '',
        currentSessionHash: request.account?.sessionHash ?? null,
        ...deviceCookieOf(request),
      });
      setCustomerCookie(reply, result.token);
      setDeviceCookie(reply, 'customer', result.deviceCookie);
      return { stage: result.stage, redirect: '/account' };
    },
  );

  api.delete(
    '/api/store/auth/mfa/passkeys/:id',
    {
      schema: {
        summary: 'Remove one of the account passkeys (needs a recent password or code)',
        tags,
        params: schema.passkeyParams,
        body: schema.emptyBody,
        response: { 200: schema.statusView, ...problemResponses(400, 401, 403, 404) },
      },
      config,
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request) => {
      const account = requireRecentAuth(request);
      await deletePasskey(authContextOf(request, deps), account.accountId, request.params.id);
      return { status: 'removed' };
    },
  );
}

/** Clears the session cookie and gives the browser a new, empty visitor identity. */
async function endBrowserSession(request: FastifyRequest, reply: FastifyReply, deps: ShopDeps) {
  clearCustomerCookie(reply);
  await rotateVisitorAfterLogout(request, reply, deps);
}

function deviceCookieOf(request: FastifyRequest): { deviceCookie?: string } {
  const value = request.cookies[deviceCookieNames.customer];
  return value === undefined ? {} : { deviceCookie: value };
}

/** Reads and clears the ceremony key; without it the ceremony cannot be verified. */
function endCeremony(request: FastifyRequest, reply: FastifyReply): string {
  const key = request.cookies[webauthnChallengeCookie];
  clearChallengeCookie(reply);
  if (!key) {
    throw new AppError(
      'PASSKEY_REJECTED',
      'This passkey request was already used or has expired; start again.',
    );
  }
  return key;
}
