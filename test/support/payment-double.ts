import type {
  PaymentGateway,
  PaymentSession,
  PaymentSessionRequest,
  SessionCancellation,
} from '../../src/payments/gateway.js';
import { WebhookVerificationError } from '../../src/payments/gateway.js';

/**
 * A PaymentGateway test double that records every createSession request and returns a page on
 * http://127.0.0.1:9, a port where nothing listens. It also records every cancelSession
 * reference and returns `cancelOutcome`. It replaces the payment provider only in
 * tests of the shop's own checks (prices, stock, ownership, tampering). The payments domain's
 * tests cover the real sandbox gateway end to end.
 */
export class RecordingPaymentGateway implements PaymentGateway {
  readonly name = 'sandbox' as const;
  readonly origin = 'http://127.0.0.1:9';
  readonly sessions: PaymentSessionRequest[] = [];

  /** When set, createSession rejects with this error after recording the request. */
  failWith: Error | undefined;
  /** When set, createSession returns this URL instead of one on `origin`. */
  urlOverride: string | undefined;
  /** References passed to cancelSession, oldest first. */
  readonly cancellations: string[] = [];
  /** What cancelSession returns; `cancelled` unless a test sets another outcome. */
  cancelOutcome: SessionCancellation = 'cancelled';

  async createSession(request: PaymentSessionRequest): Promise<PaymentSession> {
    this.sessions.push(request);
    if (this.failWith) throw this.failWith;

    const reference = `test_${this.sessions.length}_${request.orderId}`;
    return { reference, url: this.urlOverride ?? `${this.origin}/pay/${reference}` };
  }

  async cancelSession(reference: string): Promise<SessionCancellation> {
    this.cancellations.push(reference);
    return this.cancelOutcome;
  }

  verifyWebhook(): never {
    throw new WebhookVerificationError('the recording gateway accepts no webhooks');
  }
}
