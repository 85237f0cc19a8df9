import type { Money } from '../catalog/money.js';

/** A request for a hosted payment page that collects one amount. */
export interface PaymentSessionRequest {
  orderId: string;
  amount: Money;
  /** Pages the provider sends the shopper to after paying, and after giving up. */
  successUrl: string;
  cancelUrl: string;
  /** Shown on the hosted page; never card data. */
  description: string;
  /**
   * When the provider must stop taking this payment: the order's payment deadline. After it the
   * shop releases the order's stock, so a later payment would have to be refunded.
   */
  expiresAt: Date;
}

export interface PaymentSession {
  /** The provider's id for this payment, stored on the order. */
  reference: string;
  /** The hosted payment page the shopper is redirected to. */
  url: string;
}

/**
 * Outcome of asking the provider to cancel a payment session:
 * - `cancelled`: the session can no longer be paid, whether this call or an earlier one
 *   cancelled it.
 * - `already_completed`: a payment on the session is being made or has ended, so the session
 *   could not be cancelled and its outcome arrives by webhook.
 * - `unavailable`: the provider could not be reached, did not know the session or returned
 *   something else, so the session may still be payable. The caller logs it.
 */
export type SessionCancellation = 'cancelled' | 'already_completed' | 'unavailable';

/** A webhook event whose signature, timestamp and shape were verified. */
export interface VerifiedPaymentEvent {
  eventId: string;
  type: 'payment.succeeded' | 'payment.failed';
  orderId: string;
  reference: string;
  amount: Money;
}

/**
 * A verified event that carries no payment outcome for the shop, such as a Stripe event type
 * the shop does not act on. The webhook route acknowledges it with 200 and changes nothing.
 */
export interface IgnoredPaymentEvent {
  eventId: string;
  type: 'ignored';
  /** The provider's own event type, for the log. */
  providerType: string;
}

/** Thrown by verifyWebhook; `reason` is stored in the security event, never sent to clients. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/**
 * A payment provider that takes card data on its own hosted page, so card numbers never reach
 * the shop. Implementations: the sandbox gateway for development and the Stripe adapter.
 */
export interface PaymentGateway {
  readonly name: 'sandbox' | 'stripe';
  /** Origin of the hosted payment page, added to the CSP's form-action. */
  readonly origin: string;
  createSession(request: PaymentSessionRequest): Promise<PaymentSession>;
  /**
   * Cancels the session with this reference at the provider, so its payment page can no longer
   * be paid. Repeating the call returns `cancelled` again. Never throws: every failure is
   * `unavailable`.
   */
  cancelSession(reference: string): Promise<SessionCancellation>;
  /** Verifies signature and freshness of a raw webhook body; throws WebhookVerificationError. */
  verifyWebhook(
    rawBody: Buffer,
    headers: WebhookHeaders,
  ): VerifiedPaymentEvent | IgnoredPaymentEvent;
}
