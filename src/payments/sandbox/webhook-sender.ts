import type { FastifyBaseLogger } from 'fastify';

import { randomId } from '../../server/ids.js';
import type { GatewaySession } from './sessions.js';
import { signatureHeader, signatureHeaderValue } from './signature.js';

export type GatewayEventType = 'payment.succeeded' | 'payment.failed';

/** The JSON body of a sandbox webhook. Card data never appears in it. */
export interface GatewayEvent {
  id: string;
  type: GatewayEventType;
  data: { sessionId: string; orderId: string; amount: number; currency: string };
}

export interface DeliveryOptions {
  secret: string;
  log: FastifyBaseLogger;
  /** Waits before each retry in milliseconds; defaults to 0.5 s, 2 s and 5 s (four attempts). */
  retryDelaysMs?: number[];
  /** Time limit of one attempt in milliseconds; defaults to 5 s. */
  timeoutMs?: number;
}

export function buildEvent(session: GatewaySession, type: GatewayEventType): GatewayEvent {
  return {
    id: randomId(),
    type,
    data: {
      sessionId: session.id,
      orderId: session.orderId,
      amount: session.amount,
      currency: session.currency,
    },
  };
}

/**
 * POSTs a signed event to the shop and returns whether the shop acknowledged it with a 2xx.
 * Network errors, timeouts, 408, 429 and 5xx are retried, each time with a fresh timestamp.
 * Any other 4xx means the shop rejected the event, so it is final. Redirects count as failures,
 * so the event never travels to an address the session did not name.
 */
export async function deliverWebhook(
  url: string,
  event: GatewayEvent,
  options: DeliveryOptions,
): Promise<boolean> {
  const body = JSON.stringify(event);
  const delays = options.retryDelaysMs ?? [500, 2000, 5000];
  const context = { eventId: event.id, type: event.type, sessionId: event.data.sessionId };

  for (let attempt = 1; attempt <= delays.length + 1; attempt += 1) {
    const result = await postOnce(url, body, options);
    if (result.ok) {
      options.log.info({ ...context, attempt }, 'webhook delivered');
      return true;
    }

    const willRetry = result.retryable && attempt <= delays.length;
    options.log.warn({ ...context, attempt, problem: result.problem, willRetry }, 'webhook failed');
    if (!willRetry) return false;
    await sleep(delays[attempt - 1] ?? 0);
  }
  return false;
}

type AttemptResult = { ok: true } | { ok: false; retryable: boolean; problem: string };

async function postOnce(
  url: string,
  body: string,
  options: DeliveryOptions,
): Promise<AttemptResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [signatureHeader]: signatureHeaderValue(options.secret, Buffer.from(body)),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    await response.body?.cancel();

    if (response.status >= 200 && response.status < 300) return { ok: true };
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    return { ok: false, retryable, problem: `status ${response.status}` };
  } catch (error) {
    return { ok: false, retryable: true, problem: (error as Error).name };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
