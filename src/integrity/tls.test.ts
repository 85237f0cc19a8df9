import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type ConnectionOptions } from 'node:tls';
import { after, before, describe, it } from 'node:test';

import type { FastifyInstance } from 'fastify';

import { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import { assertSecurityHeaders } from '../../test/support/security-headers.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { buildShopApp, type ShopDeps } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { loadSecrets } from '../server/secrets.js';
import { loadAssetManifest } from './assets.js';
import { type DevCertificate, generateDevCertificate } from './dev-cert.js';

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  assert.ok(address, 'the server is not listening');
  assert.ok(typeof address === 'object', 'the server listens on a pipe');
  return address.port;
}

/** Resolves with the negotiated protocol, or rejects with the handshake error. */
function handshake(options: ConnectionOptions): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(options, () => {
      const protocol = socket.getProtocol();
      socket.end();
      resolve(protocol);
    });
    socket.on('error', reject);
  });
}

function get(
  send: typeof httpsRequest | typeof httpRequest,
  options: Record<string, unknown>,
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = send({ method: 'GET', ...options }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('shop over HTTPS', () => {
  let certificate: DevCertificate;
  let app: FastifyInstance;
  let closeDb: () => Promise<void>;
  let port: number;

  before(async () => {
    certificate = await generateDevCertificate();
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: 'sqlite::memory:',
      PUBLIC_URL: 'https://localhost:3443',
    };
    const config = loadConfig(env);
    const db = openDatabase(config.databaseUrl);
    await migrateToLatest(db);
    const deps: ShopDeps = {
      config,
      db,
      secrets: loadSecrets(config, env),
      payments: new RecordingPaymentGateway(),
      assets: await loadAssetManifest(),
    };

    app = await buildShopApp(deps, {
      cert: Buffer.from(certificate.certPem),
      key: Buffer.from(certificate.keyPem),
      minVersion: 'TLSv1.3',
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = portOf(app);
    closeDb = () => db.close();
  });

  after(async () => {
    await app.close();
    await closeDb();
  });

  it('rejects a TLS 1.2 handshake', async () => {
    const attempt = handshake({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: certificate.certPem,
      maxVersion: 'TLSv1.2',
    });

    await assert.rejects(attempt, (error: NodeJS.ErrnoException) => {
      assert.match(
        String(error.code),
        /ERR_SSL_(TLSV1_ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL)/,
      );
      return true;
    });
  });

  it('completes a TLS 1.3 handshake for localhost', async () => {
    const protocol = await handshake({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: certificate.certPem,
      minVersion: 'TLSv1.3',
    });

    assert.equal(protocol, 'TLSv1.3');
  });

  it('presents a certificate valid for 127.0.0.1', async () => {
    const protocol = await handshake({ host: '127.0.0.1', port, ca: certificate.certPem });

    assert.equal(protocol, 'TLSv1.3');
  });

  it('sends HSTS and the security headers', async () => {
    const response = await get(httpsRequest, {
      host: '127.0.0.1',
      port,
      path: '/healthz',
      servername: 'localhost',
      ca: certificate.certPem,
    });

    assert.equal(response.status, 200);
    assert.equal(
      response.headers['strict-transport-security'],
      'max-age=63072000; includeSubDomains',
    );
    assert.match(String(response.headers['content-security-policy']), /upgrade-insecure-requests/);
    assertSecurityHeaders(response.headers, 'HTTPS /healthz');
  });
});

describe('shop over plain HTTP', () => {
  let shop: TestShop;
  let port: number;

  before(async () => {
    shop = await startTestShop({
      env: { PUBLIC_URL: 'http://localhost:3000' },
      payments: () => new RecordingPaymentGateway(),
    });
    await shop.app.listen({ host: '127.0.0.1', port: 0 });
    port = portOf(shop.app);
  });

  after(() => shop.close());

  it('sends no HSTS', async () => {
    for (const path of ['/healthz', '/no-such-page']) {
      const response = await get(httpRequest, { host: '127.0.0.1', port, path });

      assert.equal(response.headers['strict-transport-security'], undefined, path);
      assert.doesNotMatch(String(response.headers['content-security-policy']), /upgrade-insecure/);
      assertSecurityHeaders(response.headers, `HTTP ${path}`);
    }
  });
});
