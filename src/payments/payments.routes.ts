import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';

import { recordSecurityEvent, securityEventStore } from '../defense/security-events.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf } from '../server/context.js';
import { AppError, notFound } from '../server/errors.js';
import { WebhookVerificationError } from './gateway.js';
import { applyPaymentEvent } from './payments.service.js';

/** Webhook bodies are small JSON documents; Stripe's largest events stay well below this. */
export const webhookBodyLimitBytes = 64 * 1024;

const WebhookParams = Type.Object(
  { provider: Type.String({ pattern: '^[a-z]{1,20}$' }) },
  { additionalProperties: false },
);

const WebhookReceipt = Type.Object(
  { received: Type.Literal(true) },
  { additionalProperties: false },
);

/**
 * Registers POST /api/payments/webhooks/:provider, the only place where an order becomes paid.
 * The signature covers the exact bytes of the body, so the route lives in its own plugin scope
 * whose JSON parser keeps the raw Buffer. Every other route still gets parsed JSON. Cross-site
 * checks are off because the provider's server calls the route and the signature proves who
 * the caller is.
 */
export function registerPaymentRoutes(app: FastifyInstance, deps: ShopDeps): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: webhookBodyLimitBytes },
      (_request, body, done) => done(null, body),
    );

    const api = scope.withTypeProvider<TypeBoxTypeProvider>();
    api.post(
      '/api/payments/webhooks/:provider',
      {
        schema: {
          summary: 'Receive a signed payment event from the payment provider',
          tags: ['payments'],
          params: WebhookParams,
          response: { 200: WebhookReceipt },
        },
        config: { crossSite: true },
        bodyLimit: webhookBodyLimitBytes,
      },
      async (request) => {
        if (request.params.provider !== deps.payments.name) throw notFound('This webhook');
        await receiveWebhook(request, deps);
        return { received: true as const };
      },
    );
  });
}

async function receiveWebhook(request: FastifyRequest, deps: ShopDeps): Promise<void> {
  const provider = deps.payments.name;
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

  let event;
  try {
    event = deps.payments.verifyWebhook(rawBody, request.headers);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return reject(request, deps, { provider, reason: error.message });
  }

  if (event.type === 'ignored') {
    request.log.info(
      { eventId: event.eventId, providerType: event.providerType },
      'webhook ignored',
    );
    return;
  }

  const ctx = contextOf(request, deps, null);
  const result = await applyPaymentEvent(ctx, provider, event);
  const ids = { provider, eventId: event.eventId, orderId: event.orderId };
  if (result.outcome === 'rejected')
    return reject(request, deps, { ...ids, reason: result.reason });

  request.log.info({ ...ids, outcome: result.outcome }, 'webhook processed');
}

/** Records the rejection as a security event and throws BAD_WEBHOOK (400). */
async function reject(
  request: FastifyRequest,
  deps: ShopDeps,
  details: { provider: string; reason: string; eventId?: string; orderId?: string },
): Promise<never> {
  await recordSecurityEvent(securityEventStore(deps), request, 'webhook_rejected', details);
  throw new AppError('BAD_WEBHOOK', 'The webhook was rejected.');
}
