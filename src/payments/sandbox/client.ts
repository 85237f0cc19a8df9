import { Type } from 'typebox';
import { Compile } from 'typebox/compile';

import { AppError } from '../../server/errors.js';
import {
  type PaymentGateway,
  type PaymentSession,
  type PaymentSessionRequest,
  type SessionCancellation,
  type VerifiedPaymentEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from '../gateway.js';
import { checkSignature, signatureHeader } from './signature.js';

/** Path of the shop's webhook endpoint for this provider. */
export const sandboxWebhookPath = '/api/payments/webhooks/sandbox';

const CreatedSession = Compile(
  Type.Object({
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{22,100}$' }),
    url: Type.String({ maxLength: 2048 }),
  }),
);

const CancelResponse = Compile(
  Type.Object({
    status: Type.Union([Type.Literal('cancelled'), Type.Literal('already_completed')]),
  }),
);

const SandboxEvent = Compile(
  Type.Object(
    {
      id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$' }),
      type: Type.Union([Type.Literal('payment.succeeded'), Type.Literal('payment.failed')]),
      data: Type.Object(
        {
          sessionId: Type.String({ minLength: 1, maxLength: 100 }),
          orderId: Type.String({ minLength: 1, maxLength: 100 }),
          amount: Type.Integer({ minimum: 1 }),
          currency: Type.String({ pattern: '^[A-Z]{3}$' }),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
);

export interface SandboxGatewayOptions {
  /** Origin of the sandbox gateway (GATEWAY_URL). */
  gatewayUrl: URL;
  /** Origin of the shop (PUBLIC_URL); the gateway posts webhooks there. */
  publicUrl: URL;
  /** Shared secret: API key for the gateway and HMAC key of its webhooks. */
  secret: string;
  /** Time limit of each request to the gateway in milliseconds; defaults to 10 s. */
  timeoutMs?: number;
}

/** The shop's side of the sandbox gateway: opens sessions over HTTP and verifies webhooks. */
export class SandboxGateway implements PaymentGateway {
  readonly name = 'sandbox' as const;
  readonly origin: string;

  constructor(private readonly options: SandboxGatewayOptions) {
    this.origin = options.gatewayUrl.origin;
  }

  /**
   * Opens a payment session. Every failure (network, timeout, non-201, a response of the wrong
   * shape or a payment URL on another origin) becomes AppError PAYMENT_PROVIDER_FAILED.
   */
  async createSession(request: PaymentSessionRequest): Promise<PaymentSession> {
    const body = {
      orderId: request.orderId,
      amount: request.amount.amount,
      currency: request.amount.currency,
      description: request.description,
      successUrl: request.successUrl,
      cancelUrl: request.cancelUrl,
      webhookUrl: `${this.options.publicUrl.origin}${sandboxWebhookPath}`,
      expiresAt: request.expiresAt.toISOString(),
    };

    const created = await this.postSession(body);
    if (!CreatedSession.Check(created) || !created.url.startsWith(`${this.origin}/pay/`)) {
      throw providerFailed('the payment gateway sent an unexpected response.');
    }
    return { reference: created.id, url: created.url };
  }

  /**
   * Cancels a session through POST /v1/sessions/:id/cancel. A 200 with `cancelled` or a 409
   * with `already_completed` is returned as the outcome. Every other outcome (network failure,
   * timeout, another status, a body of the wrong shape) is `unavailable`, because the session
   * may still be payable. The gateway returns 404 for a session it never had or that expired.
   */
  async cancelSession(reference: string): Promise<SessionCancellation> {
    let response: Response;
    try {
      response = await fetch(`${this.origin}/v1/sessions/${encodeURIComponent(reference)}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.secret}` },
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch {
      return 'unavailable';
    }

    const body: unknown = await response.json().catch(() => undefined);
    if (!CancelResponse.Check(body)) return 'unavailable';
    if (response.status === 200 && body.status === 'cancelled') return 'cancelled';
    if (response.status === 409 && body.status === 'already_completed') return 'already_completed';
    return 'unavailable';
  }

  /**
   * Verifies the Storefort-Signature header (HMAC-SHA256 over `<t>.<body>`, at most five minutes
   * off in either direction), then the body's shape. Throws WebhookVerificationError naming the
   * first check that failed.
   */
  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders): VerifiedPaymentEvent {
    const signature = checkSignature(this.options.secret, headers[signatureHeader], rawBody);
    if (!signature.ok) throw new WebhookVerificationError(signature.reason);

    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new WebhookVerificationError('body is not JSON');
    }
    if (!SandboxEvent.Check(parsed)) throw new WebhookVerificationError('body has the wrong shape');

    return {
      eventId: parsed.id,
      type: parsed.type,
      orderId: parsed.data.orderId,
      reference: parsed.data.sessionId,
      amount: { amount: parsed.data.amount, currency: parsed.data.currency },
    };
  }

  private async postSession(body: Record<string, unknown>): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.origin}/v1/sessions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.secret}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw providerFailed('the payment gateway could not be reached.', error);
    }

    if (response.status !== 201) {
      await response.body?.cancel();
      throw providerFailed(`the payment gateway returned status ${response.status}.`);
    }
    try {
      return await response.json();
    } catch (error) {
      throw providerFailed('the payment gateway sent a body that is not JSON.', error);
    }
  }
}

/**
 * Builds the PAYMENT_PROVIDER_FAILED error. The client sees a generic sentence, and the reason
 * travels in `cause` to the error log.
 */
function providerFailed(reason: string, cause?: unknown): AppError {
  const error = new AppError(
    'PAYMENT_PROVIDER_FAILED',
    'The payment could not be started; please try again in a moment.',
  );
  error.cause = new Error(`sandbox gateway: ${reason}`, { cause });
  return error;
}
