import type {
  PaymentGateway,
  PaymentSession,
  PaymentSessionRequest,
} from '../../src/payments/gateway.js';
import { WebhookVerificationError } from '../../src/payments/gateway.js';

/**
 * A PaymentGateway test double that records every createSession request and returns a page on
 * http://127.0.0.1:9, a port where nothing listens. It replaces the payment provider only in
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

  async createSession(request: PaymentSessionRequest): Promise<PaymentSession> {
    this.sessions.push(request);
    if (this.failWith) throw this.failWith;

    const reference = `test_${this.sessions.length}_${request.orderId}`;
    return { reference, url: this.urlOverride ?? `${this.origin}/pay/${reference}` };
  }

  verifyWebhook(): never {
    throw new WebhookVerificationError('the recording gateway accepts no webhooks');
  }
}
