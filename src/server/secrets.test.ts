import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig } from './config.js';
import { loadSecrets } from './secrets.js';

const productionStripe = {
  NODE_ENV: 'production',
  SMTP_URL: 'smtp://127.0.0.1:2525',
  PUBLIC_URL: 'https://shop.example',
  PAYMENT_PROVIDER: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_placeholder',
  STRIPE_WEBHOOK_SECRET: 'whsec_placeholder',
};

describe('loadSecrets', () => {
  it('requires SECRET_KEY in production', () => {
    const config = loadConfig(productionStripe);

    assert.throws(
      () => loadSecrets(config, productionStripe),
      /^ConfigError: SECRET_KEY is missing/,
    );
  });

  it('needs no sandbox secret for Stripe in production', () => {
    const env = { ...productionStripe, SECRET_KEY: 'k'.repeat(32) };

    const secrets = loadSecrets(loadConfig(env), env);

    assert.equal(secrets.signingKey.toString(), 'k'.repeat(32));
    assert.equal(secrets.sandboxGatewaySecret.length, 43);
  });

  it('rejects a secret shorter than 32 characters', () => {
    const env = { ...productionStripe, SECRET_KEY: 'short' };

    assert.throws(() => loadSecrets(loadConfig(env), env), ConfigError);
  });

  it('generates development secrets once with mode 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'storefort-secrets-'));
    const env = { NODE_ENV: 'development', DATA_DIR: dir };
    try {
      const first = loadSecrets(loadConfig(env), env);
      const second = loadSecrets(loadConfig(env), env);

      assert.deepEqual(second, first);
      assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
      assert.equal(
        readFileSync(join(dir, 'sandbox-gateway.key'), 'utf8'),
        first.sandboxGatewaySecret,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a secret file other users can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'storefort-secrets-'));
    const env = { NODE_ENV: 'development', DATA_DIR: dir };
    try {
      loadSecrets(loadConfig(env), env);
      chmodSync(join(dir, 'secret.key'), 0o644);

      assert.throws(() => loadSecrets(loadConfig(env), env), /readable by other users/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
