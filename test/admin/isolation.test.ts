import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { loadConfig } from '../../src/server/config.js';
import { type RunningShop, startShop } from '../../src/server/start.js';
import { RecordingPaymentGateway } from '../support/payment-double.js';
import { startTestShop, type TestShop } from '../support/shop.js';
import { startTestAdmin, type TestAdmin } from './admin-support.js';

describe('admin isolation from the shop', () => {
  let shop: TestShop;
  let admin: TestAdmin;

  before(async () => {
    shop = await startTestShop({ payments: () => new RecordingPaymentGateway() });
    admin = await startTestAdmin();
  });
  after(async () => {
    await shop.close();
    await admin.close();
  });

  it('serves no admin path on the shop', async () => {
    const paths = new Set(
      admin.app.adminRoutes
        .map((route) => route.url.replace(/:[A-Za-z]+/g, 'x'))
        // Both apps serve these from the same shared code.
        .filter(
          (url) =>
            url !== '/' &&
            !url.startsWith('/assets/') &&
            url !== '/csp-report' &&
            url !== '/healthz',
        ),
    );
    assert.ok(paths.size > 20);

    for (const url of paths) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await shop.app.inject({ method, url, headers: { accept: 'text/html' } });
        assert.ok(
          [404, 405].includes(response.statusCode),
          `${method} ${url}: ${response.statusCode}`,
        );
        assert.doesNotMatch(response.body, /Storefort admin/, `${method} ${url}`);
      }
    }
  });

  it('answers / on the shop with the storefront, not the dashboard', async () => {
    const response = await shop.app.inject({ url: '/' });

    assert.doesNotMatch(response.body, /Storefort admin|Dashboard/);
  });
});

describe('admin listener', () => {
  let dir: string;
  let running: RunningShop;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'storefort-listen-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: `sqlite:${join(dir, 'shop.db')}`,
      DATA_DIR: dir,
      PORT: '0',
      GATEWAY_PORT: '0',
      ADMIN_PORT: '0',
      ADMIN_URL: 'http://localhost:39002',
    });
    running = await startShop(config);
  });
  after(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only by default', () => {
    const address = running.admin.server.address() as AddressInfo;

    assert.equal(address.address, '127.0.0.1');
  });
});
