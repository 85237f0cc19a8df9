import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig } from './config.js';

function rejects(env: Record<string, string>, message: RegExp) {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => error instanceof ConfigError && message.test(error.message),
  );
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});

    assert.equal(config.port, 3000);
    assert.equal(config.gatewayPort, 3001);
    assert.equal(config.adminPort, 3002);
    assert.equal(config.host, 'localhost');
    assert.equal(config.databaseUrl, 'sqlite:./data/shop.db');
    assert.equal(config.publicUrl.origin, 'http://localhost:3000');
    assert.equal(config.gatewayUrl.origin, 'http://127.0.0.1:3001');
    assert.equal(config.paymentProvider, 'sandbox');
    assert.deepEqual(config.imageHosts, []);
    assert.equal(config.currency, 'USD');
    assert.equal(config.maxQuantity, 99);
  });

  it('derives the default URLs from the ports', () => {
    const config = loadConfig({ PORT: '3510', GATEWAY_PORT: '3511' });

    assert.equal(config.publicUrl.origin, 'http://localhost:3510');
    assert.equal(config.gatewayUrl.origin, 'http://127.0.0.1:3511');
  });

  it('rejects ports that are not whole numbers in range', () => {
    rejects({ PORT: 'abc' }, /^PORT must be a whole number/);
    rejects({ PORT: '70000' }, /^PORT must be between 0 and 65535/);
    rejects({ GATEWAY_PORT: '-1' }, /^GATEWAY_PORT must be a whole number/);
  });

  it('rejects a shop and gateway on one host', () => {
    rejects(
      { PUBLIC_URL: 'http://localhost:3000', GATEWAY_URL: 'http://localhost:3001' },
      /share the host "localhost"/,
    );
  });

  it('rejects URLs with a path or another scheme', () => {
    rejects({ PUBLIC_URL: 'http://localhost:3000/shop' }, /^PUBLIC_URL must be an origin/);
    rejects({ GATEWAY_URL: 'ftp://127.0.0.1' }, /^GATEWAY_URL must start with http/);
    rejects({ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL is not a valid URL/);
  });

  it('reads TRUST_PROXY as off or addresses', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    rejects({ TRUST_PROXY: '1' }, /^TRUST_PROXY entry "1"/);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback, ::1' }).trustProxy, [
      '10.0.0.0/8',
      'loopback',
      '::1',
    ]);
    rejects({ TRUST_PROXY: 'true' }, /^TRUST_PROXY entry "true"/);
    rejects({ TRUST_PROXY: '10.0.0.0/x' }, /^TRUST_PROXY entry "10.0.0.0\/x"/);
  });

  it('rejects a HOST that is neither a name nor an address', () => {
    rejects({ HOST: 'not..a..host' }, /^HOST must be a host name or IP address/);
    assert.equal(loadConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0');
    assert.equal(loadConfig({ HOST: '::' }).host, '::');
  });

  it('rejects currencies that ISO 4217 does not list', () => {
    rejects({ CURRENCY: 'XYZ' }, /^CURRENCY must be an ISO 4217 code/);
    rejects({ CURRENCY: 'dollars' }, /^CURRENCY must be an ISO 4217 code/);
    assert.equal(loadConfig({ CURRENCY: 'sek' }).currency, 'SEK');
  });

  it('rejects PostgreSQL until it is supported', () => {
    rejects({ DATABASE_URL: 'postgres://shop@127.0.0.1/shop' }, /PostgreSQL is not supported yet/);
    rejects({ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must look like sqlite:/);
  });

  it('requires Stripe keys for the Stripe provider', () => {
    rejects({ PAYMENT_PROVIDER: 'stripe' }, /^STRIPE_SECRET_KEY is missing/);
    rejects(
      { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_x' },
      /^STRIPE_WEBHOOK_SECRET is missing/,
    );
    rejects({ PAYMENT_PROVIDER: 'paypal' }, /^PAYMENT_PROVIDER must be sandbox or stripe/);
  });

  it('requires https in production', () => {
    rejects(
      { NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525' },
      /^PUBLIC_URL must use https/,
    );
  });

  it('requires an SMTP server in production', () => {
    rejects({ NODE_ENV: 'production', PUBLIC_URL: 'https://shop.example' }, /^SMTP_URL is missing/);
    rejects({ SMTP_URL: 'http://mail.example' }, /^SMTP_URL must start with smtp/);
  });

  it('puts the default database in DATA_DIR', () => {
    assert.equal(loadConfig({ DATA_DIR: '/srv/shop' }).databaseUrl, 'sqlite:/srv/shop/shop.db');
    assert.equal(
      loadConfig({ DATA_DIR: '/srv/shop', DATABASE_URL: 'sqlite:/other.db' }).databaseUrl,
      'sqlite:/other.db',
    );
  });

  it('keeps the admin on its own origin', () => {
    const config = loadConfig({});

    assert.equal(config.adminHost, '127.0.0.1');
    assert.equal(config.adminUrl.origin, 'http://localhost:3002');
    rejects({ ADMIN_URL: 'http://localhost:3000' }, /^ADMIN_URL must differ from PUBLIC_URL/);
  });

  it('never lowers the password hashing cost below the OWASP minimum', () => {
    const config = loadConfig({ ARGON2_MEMORY_KIB: '65536' });

    assert.deepEqual(config.passwordHashing, { memoryKiB: 65_536, iterations: 2, parallelism: 1 });
    rejects({ ARGON2_MEMORY_KIB: '4096' }, /ARGON2_MEMORY_KIB/);
    rejects({ ARGON2_ITERATIONS: '1' }, /ARGON2_ITERATIONS/);
  });

  it('applies the session timeouts of customers and staff', () => {
    const config = loadConfig({});

    assert.deepEqual(config.sessions.customer, { idleMinutes: 30, absoluteMinutes: 720 });
    assert.deepEqual(config.sessions.staff, { idleMinutes: 15, absoluteMinutes: 480 });
  });

  it('rejects image hosts that are not host names', () => {
    rejects({ IMAGE_HOSTS: 'cdn.shopify.com, https://evil.example/x' }, /^IMAGE_HOSTS entry/);
    assert.deepEqual(loadConfig({ IMAGE_HOSTS: 'CDN.shopify.com, ' }).imageHosts, [
      'cdn.shopify.com',
    ]);
  });
});
