import { createHash, timingSafeEqual } from 'node:crypto';

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type Static, Type } from 'typebox';

import { currencyExponent, MAX_MINOR_UNITS } from '../../catalog/money.js';
import type { SessionStore } from './sessions.js';

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
 * Registers POST /v1/sessions, the server-to-server call with which the shop opens a payment.
 * Callers authenticate with `Authorization: Bearer <shared secret>`; the check runs before the
 * body is even validated, so an unauthenticated caller learns nothing about the schema.
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
