import { type Config, ConfigError } from '../server/config.js';
import type { Secrets } from '../server/secrets.js';
import type { PaymentGateway } from './gateway.js';
import { SandboxGateway } from './sandbox/client.js';
import { StripeGateway } from './stripe.js';

/**
 * Returns the payment provider named by PAYMENT_PROVIDER. Throws ConfigError for the sandbox
 * with NODE_ENV=production, because its test cards would let anyone mark an order paid.
 */
export function createPaymentGateway(config: Config, secrets: Secrets): PaymentGateway {
  if (config.paymentProvider === 'stripe') {
    if (!config.stripeSecretKey || !config.stripeWebhookSecret) {
      throw new ConfigError(
        'PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET',
      );
    }
    return new StripeGateway({
      secretKey: config.stripeSecretKey,
      webhookSecret: config.stripeWebhookSecret,
    });
  }

  if (config.env === 'production') {
    throw new ConfigError('PAYMENT_PROVIDER=sandbox is not allowed with NODE_ENV=production');
  }
  return new SandboxGateway({
    gatewayUrl: config.gatewayUrl,
    publicUrl: config.publicUrl,
    secret: secrets.sandboxGatewaySecret,
  });
}
