import assert from 'node:assert/strict';

import type { FastifyInstance } from 'fastify';

import type {
  PaymentGateway,
  PaymentSessionRequest,
  WebhookHeaders,
} from '../../src/payments/gateway.js';
import { createPaymentGateway } from '../../src/payments/index.js';
import { buildGatewayApp } from '../../src/payments/sandbox/server.js';
import { type CatalogFixture, seedCatalogFixture } from './catalog-fixture.js';
import { openTestLog } from './log-files.js';
import { formTokenOf, freePort, futureExpiry } from './payments.js';
import { startTestShop, type TestShop } from './shop.js';
import { validCheckout } from './store-api.js';

/**
 * The shop's real payment gateway, keeping a copy of every webhook it is asked to verify. While
 * `holdWebhooks` is true it fails every webhook with a server error instead, so the sandbox
 * keeps the session `processing` and retries after 0.5, 2 and 5 seconds.
 */
export class WebhookRecorder implements PaymentGateway {
  readonly received: { rawBody: Buffer; headers: WebhookHeaders }[] = [];
  readonly name: PaymentGateway['name'];
  readonly origin: string;
  holdWebhooks = false;
  /** Webhooks failed because `holdWebhooks` was true. */
  failedWhileHeld = 0;

  constructor(private readonly inner: PaymentGateway) {
    this.name = inner.name;
    this.origin = inner.origin;
  }

  createSession(request: PaymentSessionRequest) {
    return this.inner.createSession(request);
  }

  cancelSession(reference: string) {
    return this.inner.cancelSession(reference);
  }

  verifyWebhook(rawBody: Buffer, headers: WebhookHeaders) {
    if (this.holdWebhooks) {
      this.failedWhileHeld += 1;
      throw new Error('the test holds webhooks back');
    }
    this.received.push({ rawBody: Buffer.from(rawBody), headers: { ...headers } });
    return this.inner.verifyWebhook(rawBody, headers);
  }
}

/** A shopper talking to the shop over a real socket; keeps the cart cookie like a browser. */
export class Shopper {
  private cookie: string | undefined;

  constructor(private readonly shopOrigin: string) {}

  async call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${this.shopOrigin}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** Adds one product line to a new cart and checks out; returns the order id and payment URL. */
  async checkOut(variantId: string, quantity: number) {
    const cart = await this.call('POST', '/api/store/carts');
    assert.equal(cart.status, 201);
    const cartId = String(cart.json.id);
    const line = await this.call('POST', `/api/store/carts/${cartId}/lines`, {
      variantId,
      quantity,
    });
    assert.equal(line.status, 200);

    const placed = await this.call('POST', `/api/store/carts/${cartId}/checkout`, validCheckout);
    assert.equal(placed.status, 201, JSON.stringify(placed.json));
    return { orderId: String(placed.json.orderId), paymentUrl: String(placed.json.paymentUrl) };
  }
}

/** Opens the hosted page and submits the card form; returns the gateway's redirect. */
export async function payOnHostedPage(paymentUrl: string, cardNumber: string) {
  const page = await fetch(paymentUrl);
  assert.equal(page.status, 200);
  const html = await page.text();

  const response = await fetch(paymentUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      formToken: formTokenOf(html),
      cardNumber,
      expiry: futureExpiry(),
      cvc: '123',
      name: 'Ada Shopper',
    }).toString(),
  });
  return { status: response.status, location: response.headers.get('location') ?? '' };
}

export interface SandboxShop {
  shop: TestShop;
  gateway: FastifyInstance;
  recorder: WebhookRecorder;
  catalog: CatalogFixture;
  shopOrigin: string;
  gatewayOrigin: string;
  close(): Promise<void>;
}

/**
 * Starts a shop seeded with the fixture catalog on http://localhost:<free port> and the sandbox
 * gateway on http://127.0.0.1:<free port>, both on real sockets, paying through the real
 * SandboxGateway client wrapped in a WebhookRecorder.
 */
export async function startSandboxShop(): Promise<SandboxShop> {
  const [shopPort, gatewayPort] = [await freePort(), await freePort()];
  const shopOrigin = `http://localhost:${shopPort}`;
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;

  let recorder: WebhookRecorder | undefined;
  const shop = await startTestShop({
    env: { PUBLIC_URL: shopOrigin, GATEWAY_URL: gatewayOrigin, GATEWAY_PORT: String(gatewayPort) },
    payments: (config, deps) => {
      recorder = new WebhookRecorder(createPaymentGateway(config, deps.secrets));
      return recorder;
    },
  });
  if (!recorder) throw new Error('the shop was built without its payment gateway');
  const catalog = await seedCatalogFixture(shop.db.kysely);
  await shop.app.listen({ host: 'localhost', port: shopPort });
  // Built here rather than with startGateway so that its log lines join the run's log files
  // instead of stdout.
  const gatewayLog = openTestLog('gateway');
  const gateway = await buildGatewayApp({
    config: shop.deps.config,
    secret: shop.deps.secrets.sandboxGatewaySecret,
    ...(gatewayLog.stream ? { logStream: gatewayLog.stream } : {}),
  });
  await gateway.listen({ host: '127.0.0.1', port: gatewayPort });

  return {
    shop,
    gateway,
    recorder,
    catalog,
    shopOrigin,
    gatewayOrigin,
    close: async () => {
      await gateway.close();
      gatewayLog.close();
      await shop.close();
    },
  };
}
