import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';

import { buildGatewayApp } from '../../src/payments/sandbox/server.js';
import { type Config, loadConfig } from '../../src/server/config.js';
import { openTestLog } from './log-files.js';

/** One webhook request as the receiver saw it. */
export interface ReceivedWebhook {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export interface WebhookReceiver {
  /** Origin the receiver listens on, http://localhost:<port>. */
  origin: string;
  received: ReceivedWebhook[];
  /** Statuses for the next requests, used in order; 200 once the list is empty. */
  statuses: number[];
  /** When set, each request is recorded at once, but its response waits until this settles. */
  holdUntil: Promise<void> | undefined;
  close(): Promise<void>;
}

/**
 * Starts a stand-in for the shop's webhook endpoint on localhost with a free port. It records
 * every request with its raw body and responds with the queued statuses.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const app: FastifyInstance = Fastify();
  const received: ReceivedWebhook[] = [];
  const statuses: number[] = [];
  const receiver = { holdUntil: undefined as Promise<void> | undefined };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/*', async (request, reply) => {
    received.push({
      url: request.url,
      headers: { ...request.headers },
      rawBody: request.body as Buffer,
    });
    await receiver.holdUntil;
    return reply.code(statuses.shift() ?? 200).send({ received: true });
  });

  await app.listen({ host: 'localhost', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(receiver, {
    origin: `http://localhost:${port}`,
    received,
    statuses,
    close: () => app.close(),
  });
}

/** Collects log lines written by a Fastify logger, for checks on what was logged. */
export function logCollector(): { write(line: string): void; text(): string } {
  const lines: string[] = [];
  return { write: (line) => void lines.push(line), text: () => lines.join('') };
}

/** Reads the hidden formToken field from a hosted payment page. */
export function formTokenOf(html: string): string {
  const match = /name="formToken" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('the page has no formToken field');
  return match[1];
}

export interface GatewayFixture {
  gateway: FastifyInstance;
  receiver: WebhookReceiver;
  config: Config;
  secret: string;
  logs: ReturnType<typeof logCollector>;
  /** Opens a session through the API with valid defaults; returns the created id and url. */
  createSession(overrides?: Record<string, unknown>): Promise<{ id: string; url: string }>;
  /** Calls POST /v1/sessions/:id/cancel, with the shared secret unless `authorization` is given. */
  cancelSession(id: string, authorization?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Builds a sandbox gateway whose shop is a webhook receiver on a real localhost socket. Requests
 * go through `inject`; with `listen` the gateway also listens on a free port of 127.0.0.1 that
 * GATEWAY_URL names. Webhook retries wait 10 ms instead of seconds.
 */
export async function startGatewayFixture(
  options: { listen?: boolean } = {},
): Promise<GatewayFixture> {
  const receiver = await startWebhookReceiver();
  const port = options.listen ? await freePort() : 3001;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PUBLIC_URL: receiver.origin,
    GATEWAY_URL: `http://127.0.0.1:${port}`,
  });
  const secret = randomBytes(32).toString('base64url');
  const logs = logCollector();
  const log = openTestLog('gateway', logs);
  const gateway = await buildGatewayApp({
    config,
    secret,
    retryDelaysMs: [10, 10],
    logStream: log.stream,
  });
  if (options.listen) await gateway.listen({ host: '127.0.0.1', port });

  const createSession = async (overrides: Record<string, unknown> = {}) => {
    const response = await gateway.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { authorization: `Bearer ${secret}` },
      payload: { ...sessionRequest(receiver.origin), ...overrides },
    });
    if (response.statusCode !== 201) throw new Error(`session not created: ${response.body}`);
    return response.json<{ id: string; url: string }>();
  };

  const cancelSession = (id: string, authorization = `Bearer ${secret}`) =>
    gateway.inject({
      method: 'POST',
      url: `/v1/sessions/${id}/cancel`,
      headers: { authorization },
    });

  return {
    gateway,
    receiver,
    config,
    secret,
    logs,
    createSession,
    cancelSession,
    close: async () => {
      await gateway.close();
      log.close();
      await receiver.close();
    },
  };
}

/** Builds a valid POST /v1/sessions body for a shop on `shopOrigin`, expiring in 30 minutes. */
export function sessionRequest(shopOrigin: string) {
  return {
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    orderId: 'order_abcdefghijklmnop',
    amount: 2599,
    currency: 'USD',
    description: 'Order at Storefort test shop',
    successUrl: `${shopOrigin}/orders/order_abcdefghijklmnop?token=t`,
    cancelUrl: `${shopOrigin}/cart`,
    webhookUrl: `${shopOrigin}/api/payments/webhooks/sandbox`,
  };
}

/** Submits the hosted card form of a session with the given fields (urlencoded, via inject). */
export async function submitCardForm(
  gateway: FastifyInstance,
  sessionId: string,
  fields: Partial<Record<'cardNumber' | 'expiry' | 'cvc' | 'name' | 'formToken', string>>,
) {
  const page = await gateway.inject({ method: 'GET', url: `/pay/${sessionId}` });
  const form = {
    formToken: formTokenOf(page.body),
    cardNumber: '4242 4242 4242 4242',
    expiry: futureExpiry(),
    cvc: '123',
    name: 'Ada Lovelace',
    ...fields,
  };
  return gateway.inject({
    method: 'POST',
    url: `/pay/${sessionId}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form).toString(),
  });
}

/** Returns an expiry date two years ahead, as MM/YY. */
export function futureExpiry(): string {
  return `12/${String((new Date().getUTCFullYear() + 2) % 100).padStart(2, '0')}`;
}

/**
 * Returns a port that was free a moment ago on 127.0.0.1. Another process may take it before
 * the caller listens; that race is accepted in tests that must know a port before listening.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port assigned');
  return address.port;
}
