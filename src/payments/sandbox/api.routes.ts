import { createHash, timingSafeEqual } from 'node:crypto';

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type Static, Type } from 'typebox';

import { currencyExponent, MAX_MINOR_UNITS } from '../../catalog/money.js';
import type { GatewaySession, SessionStore } from './sessions.js';

const CreateSessionBody = Type.Object(
  {
    orderId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$' }),
    amount: Type.Integer({ minimum: 1, maximum: MAX_MINOR_UNITS }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    description: Type.String({ minLength: 1, maxLength: 200 }),
    successUrl: Type.String({ minLength: 1, maxLength: 2048 }),
    cancelUrl: Type.String({ minLength: 1, maxLength: 2048 }),
    webhookUrl: Type.String({ minLength: 1, maxLength: 2048 }),
    /** ISO 8601 instant after which the session can no longer be paid. */
    expiresAt: Type.String({ format: 'date-time', maxLength: 40 }),
  },
  { additionalProperties: false },
);

const CreatedSession = Type.Object(
  { id: Type.String(), url: Type.String() },
  { additionalProperties: false },
);

const SessionParams = Type.Object(
  { sessionId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) },
  { additionalProperties: false },
);

/** The cancel call takes no fields, so a missing body is treated as this empty object. */
const EmptyBody = Type.Object({}, { additionalProperties: false });

const CancelledSession = Type.Object(
  { status: Type.Literal('cancelled') },
  { additionalProperties: false },
);

const CompletedSession = Type.Object(
  { status: Type.Literal('already_completed') },
  { additionalProperties: false },
);

const ApiError = Type.Object(
  { error: Type.String(), message: Type.String() },
  { additionalProperties: false },
);

/** Maximum session lifetime: 24 hours, the maximum of a Stripe Checkout Session too. */
export const maxSessionLifetimeMs = 24 * 60 * 60 * 1000;

export interface ApiRouteOptions {
  store: SessionStore;
  secret: string;
  /** Origin of the shop; every URL in a session must point there. */
  shopOrigin: string;
  /** Public origin of this gateway, used to build the hosted page URL. */
  gatewayOrigin: string;
}

/**
 * Registers the server-to-server calls of the shop: POST /v1/sessions opens a payment and
 * POST /v1/sessions/:sessionId/cancel closes one that has not been paid. Callers authenticate
 * with `Authorization: Bearer <shared secret>`; the check runs before the body is even
 * validated, so an unauthenticated caller learns nothing about the schema.
 */
export async function registerApiRoutes(
  app: FastifyInstance,
  options: ApiRouteOptions,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const expectedDigest = digest(options.secret);

  api.addHook('onRequest', async (request, reply) => {
    if (isAuthorised(request.headers.authorization, expectedDigest)) return;
    request.log.info('gateway api call without a valid key');
    return sendApiError(reply, 401, 'unauthorised', 'Send Authorization: Bearer <secret>.');
  });

  api.post(
    '/v1/sessions',
    {
      schema: {
        body: CreateSessionBody,
        response: { 201: CreatedSession, 400: ApiError, 401: ApiError, 503: ApiError },
      },
    },
    async (request, reply) => {
      const problem = findInvalidField(request.body, options.shopOrigin);
      if (problem) return sendApiError(reply, 400, 'invalid_request', problem);

      const expiresAt = Date.parse(request.body.expiresAt);
      const session = options.store.create({ ...request.body, expiresAt });
      if (!session) {
        return sendApiError(reply, 503, 'unavailable', 'Too many open sessions; retry later.');
      }

      request.log.info({ sessionId: session.id, orderId: session.orderId }, 'session created');
      return reply
        .code(201)
        .send({ id: session.id, url: `${options.gatewayOrigin}/pay/${session.id}` });
    },
  );

  registerCancelRoute(app, options.store);
}

/**
 * Registers POST /v1/sessions/:sessionId/cancel: 200 `cancelled` once the session can no longer
 * be paid, 409 `already_completed` when a payment on it is under way or over, 404 when the id is
 * unknown or expired. Runs behind the Bearer check of registerApiRoutes.
 */
function registerCancelRoute(app: FastifyInstance, store: SessionStore): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/v1/sessions/:sessionId/cancel',
    {
      schema: {
        params: SessionParams,
        body: EmptyBody,
        response: {
          200: CancelledSession,
          400: ApiError,
          401: ApiError,
          404: ApiError,
          409: CompletedSession,
        },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const session = store.get(request.params.sessionId);
      if (!session) {
        return sendApiError(reply, 404, 'not_found', 'No session has this id, or it has expired.');
      }

      const logged = {
        sessionId: session.id,
        orderId: session.orderId,
        stateBefore: session.state,
      };
      if (!cancel(store, session)) {
        request.log.info(
          logged,
          'session not cancelled; its payment has been made or is under way',
        );
        return reply.code(409).send({ status: 'already_completed' as const });
      }
      request.log.info(logged, 'session cancelled');
      return reply.code(200).send({ status: 'cancelled' as const });
    },
  );
}

/**
 * Moves an `open` or `challenge` session to `cancelled`, and reports whether the session is now
 * cancelled. A session the shop cancelled before counts as cancelled, so a retried call gets
 * the same result. A session that is `processing`, `succeeded` or `declined` stays as it is.
 */
function cancel(store: SessionStore, session: GatewaySession): boolean {
  if (session.state === 'cancelled') return true;
  return store.transition(session, ['open', 'challenge'], 'cancelled');
}

type CreateSessionInput = Static<typeof CreateSessionBody>;

/** Returns a sentence naming the first invalid field, or undefined when all are valid. */
function findInvalidField(body: CreateSessionInput, shopOrigin: string): string | undefined {
  if (currencyExponent(body.currency) === undefined) {
    return `currency "${body.currency}" is not an ISO 4217 code.`;
  }
  const lifetimeMs = Date.parse(body.expiresAt) - Date.now();
  if (!(lifetimeMs > 0 && lifetimeMs <= maxSessionLifetimeMs)) {
    return 'expiresAt must lie in the future and at most 24 hours ahead.';
  }
  for (const field of ['successUrl', 'cancelUrl', 'webhookUrl'] as const) {
    if (!isShopUrl(body[field], shopOrigin)) {
      return `${field} must be an http(s) URL on the shop's origin ${shopOrigin}.`;
    }
  }
  return undefined;
}

function isShopUrl(raw: string, shopOrigin: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  const isHttp = url.protocol === 'http:' || url.protocol === 'https:';
  return isHttp && url.origin === shopOrigin && url.username === '' && url.password === '';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares SHA-256 digests, so the comparison takes the same time whatever the key's length. */
function isAuthorised(header: string | undefined, expectedDigest: Buffer): boolean {
  const match = /^Bearer ([^\s]+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), expectedDigest);
}

function sendApiError(reply: FastifyReply, status: number, error: string, message: string) {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send({ error, message });
}
