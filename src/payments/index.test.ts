import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig } from '../server/config.js';
import { createPaymentGateway } from './index.js';
import { SandboxGateway } from './sandbox/client.js';
import { StripeGateway } from './stripe.js';

const secrets = {
  signingKey: Buffer.from('k'.repeat(32)),
  sandboxGatewaySecret: 's'.repeat(32),
};

describe('createPaymentGateway', () => {
  it('returns the sandbox client on GATEWAY_URL by default', () => {
    const config = loadConfig({ NODE_ENV: 'test', GATEWAY_URL: 'http://127.0.0.1:4001' });

    const gateway = createPaymentGateway(config, secrets);

    assert.ok(gateway instanceof SandboxGateway);
    assert.equal(gateway.name, 'sandbox');
    assert.equal(gateway.origin, 'http://127.0.0.1:4001');
  });

  it('returns the Stripe adapter for PAYMENT_PROVIDER=stripe', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    });

    const gateway = createPaymentGateway(config, secrets);

    assert.ok(gateway instanceof StripeGateway);
    assert.equal(gateway.origin, 'https://checkout.stripe.com');
  });

  it('rejects the sandbox with NODE_ENV=production', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      PUBLIC_URL: 'https://shop.example',
      GATEWAY_URL: 'https://pay.example',
    });

    assert.throws(() => createPaymentGateway(config, secrets), ConfigError);
  });
});
