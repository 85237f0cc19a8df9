import Stripe from 'stripe';

import { AppError } from '../server/errors.js';
import {
  type IgnoredPaymentEvent,
  type PaymentGateway,
  type PaymentSession,
  type PaymentSessionRequest,
  type SessionCancellation,
  type VerifiedPaymentEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from './gateway.js';

/** How far a Stripe-Signature timestamp may lie in the past or the future, in seconds. */
export const stripeToleranceSeconds = 300;

// Stripe accepts an expires_at from 30 minutes to 24 hours after it creates the session, and
// rejects the request otherwise. One minute off each bound covers travel time and clock skew.
const minSessionSeconds = 30 * 60 + 60;
const maxSessionSeconds = 24 * 60 * 60 - 60;

export interface StripeGatewayOptions {
  secretKey: string;
  /** The endpoint's signing secret (whsec_…) from the Stripe dashboard. */
  webhookSecret: string;
  /** Another address for the Stripe API; tests point it at a local stub. */
  api?: { host: string; port: number; protocol: 'http' | 'https' };
}

type CheckoutSession = Stripe.Checkout.Session;

/**
 * Payments through Stripe Checkout: the shopper pays on checkout.stripe.com and Stripe reports
 * the outcome with signed webhooks. Event types the shop does not act on are returned as
 * `{ type: 'ignored' }`, which the webhook route acknowledges with 200 without any change.
 */
export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe' as const;
  readonly origin = 'https://checkout.stripe.com';
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeGatewayOptions) {
    this.stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: 2,
      timeout: 10_000,
      telemetry: false,
      ...options.api,
    });
  }

  /**
   * Creates a Checkout Session with one line for the order total. The order id is the
   * idempotency key, so a retried checkout of the same order gets the same session back.
   */
  async createSession(request: PaymentSessionRequest): Promise<PaymentSession> {
    let session: CheckoutSession;
    try {
      session = await this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: request.amount.currency.toLowerCase(),
                unit_amount: request.amount.amount,
                product_data: { name: request.description },
              },
            },
          ],
          client_reference_id: request.orderId,
          metadata: { orderId: request.orderId },
          success_url: request.successUrl,
          cancel_url: request.cancelUrl,
          expires_at: stripeExpiresAt(request.expiresAt),
        },
        { idempotencyKey: `storefort-order-${request.orderId}` },
      );
    } catch (error) {
      throw providerFailed('the Checkout Session request failed', error);
    }

    if (!session.url) throw providerFailed('the Checkout Session has no url');
    return { reference: session.id, url: session.url };
  }

  /**
   * Expires the Checkout Session, which is how Stripe cancels one. Stripe expires only `open`
   * sessions and rejects the call for any other, so a rejected call reads the session back:
   * `complete` (paid, or a delayed payment under way) is `already_completed` and `expired` is
   * `cancelled`. Network and API failures, and an open session Stripe would not expire, are
   * `unavailable`.
   */
  async cancelSession(reference: string): Promise<SessionCancellation> {
    try {
      const session = await this.stripe.checkout.sessions.expire(reference);
      return session.status === 'expired' ? 'cancelled' : 'unavailable';
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) return 'unavailable';
    }
    return this.describeUnexpiredSession(reference);
  }

  /** Maps the status of a session that Stripe would not expire to the cancellation outcome. */
  private async describeUnexpiredSession(reference: string): Promise<SessionCancellation> {
    let session: CheckoutSession;
    try {
      session = await this.stripe.checkout.sessions.retrieve(reference);
    } catch {
      return 'unavailable';
    }

    if (session.status === 'complete') return 'already_completed';
    if (session.status === 'expired') return 'cancelled';
    return 'unavailable';
  }

  /**
   * Verifies the Stripe-Signature header with the SDK's constructEvent (which rejects timestamps
   * older than five minutes) and additionally rejects timestamps more than five minutes ahead,
   * which the SDK accepts. Throws WebhookVerificationError with a short reason.
   */
  verifyWebhook(
    rawBody: Buffer,
    headers: WebhookHeaders,
  ): VerifiedPaymentEvent | IgnoredPaymentEvent {
    const header = headers['stripe-signature'];
    if (typeof header !== 'string') {
      throw new WebhookVerificationError(
        header === undefined ? 'signature header missing' : 'signature header repeated',
      );
    }

    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(
        rawBody,
        header,
        this.options.webhookSecret,
        stripeToleranceSeconds,
      );
    } catch (error) {
      throw new WebhookVerificationError(describeVerificationFailure(error));
    }
    rejectFutureTimestamp(header);

    return toPaymentEvent(event);
  }
}

/**
 * Converts the order's payment deadline to Stripe's `expires_at` (Unix seconds), moved inside
 * the window Stripe accepts. With the shortest PAYMENT_TIMEOUT_MINUTES the session may outlive
 * the deadline by a minute or so, which the shop's grace period before expiry covers.
 */
export function stripeExpiresAt(deadline: Date, nowMs = Date.now()): number {
  const now = Math.floor(nowMs / 1000);
  const requested = Math.floor(deadline.getTime() / 1000);
  return Math.min(Math.max(requested, now + minSessionSeconds), now + maxSessionSeconds);
}

/** Maps the Checkout Session events to payment outcomes; every other type is ignored. */
export function toPaymentEvent(event: Stripe.Event): VerifiedPaymentEvent | IgnoredPaymentEvent {
  const ignored: IgnoredPaymentEvent = {
    eventId: event.id,
    type: 'ignored',
    providerType: event.type,
  };

  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      // A completed session with a delayed payment method is still `unpaid`; its outcome
      // arrives later as async_payment_succeeded or async_payment_failed.
      if (event.data.object.payment_status !== 'paid') return ignored;
      return fromSession(event.id, 'payment.succeeded', event.data.object) ?? ignored;
    }
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired':
      return fromSession(event.id, 'payment.failed', event.data.object) ?? ignored;
    default:
      return ignored;
  }
}

/**
 * Builds the shop's event from a session. Returns undefined for a session without an order id,
 * which another integration on the same Stripe account created.
 */
function fromSession(
  eventId: string,
  type: VerifiedPaymentEvent['type'],
  session: CheckoutSession,
): VerifiedPaymentEvent | undefined {
  const orderId = session.client_reference_id ?? session.metadata?.orderId;
  if (!orderId) return undefined;
  if (!Number.isSafeInteger(session.amount_total) || !session.currency) {
    throw new WebhookVerificationError('checkout session lacks amount_total or currency');
  }

  return {
    eventId,
    type,
    orderId,
    reference: session.id,
    amount: { amount: session.amount_total as number, currency: session.currency.toUpperCase() },
  };
}

function rejectFutureTimestamp(header: string, nowSeconds = Math.floor(Date.now() / 1000)): void {
  const timestamps = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('t='))
    .map((part) => Number(part.slice(2)));

  if (timestamps.length !== 1 || !Number.isSafeInteger(timestamps[0])) {
    throw new WebhookVerificationError('signature header malformed');
  }
  if ((timestamps[0] as number) - nowSeconds > stripeToleranceSeconds) {
    throw new WebhookVerificationError('signature timestamp outside tolerance');
  }
}

function describeVerificationFailure(error: unknown): string {
  if (error instanceof SyntaxError) return 'body is not JSON';
  const message = error instanceof Error ? error.message : '';
  if (message.includes('tolerance')) return 'signature timestamp outside tolerance';
  if (message.includes('Unable to extract')) return 'signature header malformed';
  if (message.includes('No signatures found')) return 'signature mismatch';
  return 'signature invalid';
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
  error.cause = new Error(`stripe: ${reason}`, { cause });
  return error;
}
