import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import type { ComponentChildren } from 'preact';
import { Type } from 'typebox';

import { challengeCode, checkCard } from './card.js';
import { CardPage, ChallengePage, Message, OutcomePage, renderDocument } from './pages.js';
import { type GatewaySession, isFormTokenValid, type SessionStore } from './sessions.js';
import { stylesheet } from './stylesheet.js';
import { buildEvent, deliverWebhook, type GatewayEventType } from './webhook-sender.js';

/** Form bodies are a few short fields; anything larger is not our form. */
const formBodyLimitBytes = 16 * 1024;

const SessionParams = Type.Object(
  { sessionId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) },
  { additionalProperties: false },
);

const CardForm = Type.Object(
  {
    formToken: Type.String({ maxLength: 100 }),
    cardNumber: Type.String({ maxLength: 40 }),
    expiry: Type.String({ maxLength: 10 }),
    cvc: Type.String({ maxLength: 8 }),
    name: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);

const ChallengeForm = Type.Object(
  { formToken: Type.String({ maxLength: 100 }), code: Type.String({ maxLength: 10 }) },
  { additionalProperties: false },
);

export interface HostedPageOptions {
  store: SessionStore;
  secret: string;
  /** Waits between webhook retries; see deliverWebhook for the default. */
  retryDelaysMs?: number[];
}

/**
 * Registers the hosted payment page: GET /pay/:sessionId shows the view for the session's state,
 * POST /pay/:sessionId takes the card form and POST /pay/:sessionId/challenge the one-time code.
 * Both forms of a session the shop cancelled are rejected with 409 before any field is checked.
 * Card fields are read, checked and dropped within the request; they are never logged, stored
 * or sent to the shop.
 */
export async function registerHostedPageRoutes(
  app: FastifyInstance,
  options: HostedPageOptions,
): Promise<void> {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  await pages.register(formbody, { bodyLimit: formBodyLimitBytes });
  const finish = (session: GatewaySession, type: GatewayEventType, log: FastifyBaseLogger) =>
    finishPayment(session, type, { ...options, log });

  pages.get(stylesheet.url, async (_request, reply) => {
    return reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(stylesheet.body);
  });

  pages.get('/pay/:sessionId', { schema: { params: SessionParams } }, async (request, reply) => {
    const session = options.store.get(request.params.sessionId);
    if (!session) return sendUnknownSession(reply);

    if (session.state === 'open') return sendPage(reply, 200, <CardPage session={session} />);
    if (session.state === 'challenge') {
      return sendPage(reply, 200, <ChallengePage session={session} />);
    }
    return sendPage(reply, 200, <OutcomePage session={session} />);
  });

  pages.post(
    '/pay/:sessionId',
    { schema: { params: SessionParams, body: CardForm } },
    async (request, reply) => {
      const session = options.store.get(request.params.sessionId);
      if (!session) return sendUnknownSession(reply);
      if (session.state === 'cancelled') return sendCancelled(reply, session);
      if (!isFormTokenValid(session, request.body.formToken)) {
        request.log.info({ sessionId: session.id }, 'form token invalid');
        return sendStaleForm(reply);
      }
      if (session.state !== 'open') return reply.redirect(`/pay/${session.id}`, 303);

      const { formToken: _token, ...card } = request.body;
      const check = checkCard(card);
      if (!check.ok) {
        const values = { expiry: card.expiry, name: card.name };
        const page = <CardPage session={session} errors={check.errors} values={values} />;
        return sendPage(reply, 422, page);
      }

      if (check.outcome === 'challenge') {
        options.store.transition(session, ['open'], 'challenge');
        return reply.redirect(`/pay/${session.id}`, 303);
      }
      if (!options.store.transition(session, ['open'], 'processing')) {
        return reply.redirect(`/pay/${session.id}`, 303);
      }
      const type = check.outcome === 'succeed' ? 'payment.succeeded' : 'payment.failed';
      return sendOutcome(reply, await finish(session, type, request.log));
    },
  );

  pages.post(
    '/pay/:sessionId/challenge',
    { schema: { params: SessionParams, body: ChallengeForm } },
    async (request, reply) => {
      const session = options.store.get(request.params.sessionId);
      if (!session) return sendUnknownSession(reply);
      if (session.state === 'cancelled') return sendCancelled(reply, session);
      if (!isFormTokenValid(session, request.body.formToken)) {
        request.log.info({ sessionId: session.id }, 'form token invalid');
        return sendStaleForm(reply);
      }
      if (session.state !== 'challenge') return reply.redirect(`/pay/${session.id}`, 303);

      const code = request.body.code.trim();
      if (!/^\d{6}$/.test(code)) {
        const page = <ChallengePage session={session} error="Enter the 6-digit code." />;
        return sendPage(reply, 422, page);
      }

      if (!options.store.transition(session, ['challenge'], 'processing')) {
        return reply.redirect(`/pay/${session.id}`, 303);
      }
      const type = code === challengeCode ? 'payment.succeeded' : 'payment.failed';
      return sendOutcome(reply, await finish(session, type, request.log));
    },
  );
}

/**
 * Sends the outcome to the shop and moves the session to its final state. The shopper is sent
 * on only after the shop acknowledged the webhook (or all attempts failed), so on landing back
 * at the shop the order already shows its new status.
 *
 * NOTE: the sandbox stops after the last failed attempt. A real provider keeps retrying for
 * days, but here such an order stays unpaid and expires after PAYMENT_TIMEOUT_MINUTES although
 * the sandbox shows the payment as made.
 */
async function finishPayment(
  session: GatewaySession,
  type: GatewayEventType,
  options: HostedPageOptions & { log: FastifyBaseLogger },
): Promise<GatewaySession> {
  const event = buildEvent(session, type);
  session.shopNotified = await deliverWebhook(session.webhookUrl, event, {
    secret: options.secret,
    log: options.log,
    retryDelaysMs: options.retryDelaysMs,
  });
  session.state = type === 'payment.succeeded' ? 'succeeded' : 'declined';
  return session;
}

function sendOutcome(reply: FastifyReply, session: GatewaySession) {
  if (session.state === 'succeeded' && session.shopNotified) {
    return reply.redirect(session.successUrl, 303);
  }
  return reply.redirect(`/pay/${session.id}`, 303);
}

function sendPage(reply: FastifyReply, status: number, page: ComponentChildren) {
  return reply.code(status).type('text/html; charset=utf-8').send(renderDocument(page));
}

/** Rejects a form posted to a session the shop cancelled, so the payment is never made. */
function sendCancelled(reply: FastifyReply, session: GatewaySession) {
  return sendPage(reply, 409, <OutcomePage session={session} />);
}

function sendUnknownSession(reply: FastifyReply) {
  const page = (
    <Message title="Payment page not found">
      This payment page does not exist or has expired. Return to the shop and start the checkout
      again.
    </Message>
  );
  return sendPage(reply, 404, page);
}

function sendStaleForm(reply: FastifyReply) {
  const page = (
    <Message title="Form expired">
      This form could not be verified. Reload the payment page and submit it again.
    </Message>
  );
  return sendPage(reply, 403, page);
}
