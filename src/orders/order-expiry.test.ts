import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Kysely } from 'kysely';
import { pino } from 'pino';

import { readStock, seedCatalogFixture, setStock } from '../../test/support/catalog-fixture.js';
import {
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../../test/support/store-api.js';
import { reserveStock } from '../catalog/catalog.service.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Database } from '../db/schema.js';
import { type Config, ConfigError, loadConfig } from '../server/config.js';
import type { ServiceContext } from '../server/context.js';
import { startShop } from '../server/start.js';
import {
  expireUnpaidOrders,
  expiryGraceMinutes,
  paymentDeadline,
  startExpiryTimer,
} from './order-expiry.js';
import { insertOrder } from './order-placement.js';
import { markOrderPaid } from './order.service.js';

const minute = 60_000;

let store: StoreTest;
let ctx: ServiceContext;

before(async () => {
  store = await startStoreTest();
  const { deps } = store.shop;
  ctx = {
    db: store.db,
    config: deps.config,
    secrets: deps.secrets,
    log: store.app.log,
    requestId: 'expiry-test',
    ip: '127.0.0.1',
    visitorHash: null,
    customerId: null,
  };
});

after(() => store.close());

beforeEach(async () => {
  await setStock(store.db, store.catalog.hat, 5);
  // Orders of earlier tests must not count against this test's sweeps.
  await store.db
    .updateTable('orders')
    .set({ status: 'payment_failed' })
    .where('status', '=', 'pending_payment')
    .execute();
});

/** Places an order for `quantity` hats through the Store API and returns its id. */
async function placeHatOrder(quantity = 1, visitor = new Visitor(store.app)): Promise<string> {
  const cartId = await visitor.cartWith(store.catalog.hat, quantity);
  const response = await visitor.request(
    'POST',
    `/api/store/carts/${cartId}/checkout`,
    validCheckout,
  );
  assert.equal(response.statusCode, 201, response.body);
  return response.json<{ orderId: string }>().orderId;
}

/** Moves an order's creation time into the past. */
async function ageOrder(orderId: string, minutes: number): Promise<void> {
  const createdAt = new Date(Date.now() - minutes * minute).toISOString();
  await store.db
    .updateTable('orders')
    .set({ created_at: createdAt })
    .where('id', '=', orderId)
    .execute();
}

async function statusOf(orderId: string) {
  const row = await store.db
    .selectFrom('orders')
    .select('status')
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  return row.status;
}

const pastDeadline = () => ctx.config.paymentTimeoutMinutes + expiryGraceMinutes + 1;

describe('paymentDeadline', () => {
  it('lies PAYMENT_TIMEOUT_MINUTES after the order', () => {
    const config = { paymentTimeoutMinutes: 45 } as Config;
    const placedAt = new Date('2030-01-01T12:00:00.000Z');

    assert.equal(paymentDeadline(config, placedAt).toISOString(), '2030-01-01T12:45:00.000Z');
  });
});

describe('expireUnpaidOrders', () => {
  it('expires an order past its deadline and grace period', async () => {
    const orderId = await placeHatOrder(2);
    await ageOrder(orderId, pastDeadline());
    assert.equal(await readStock(store.db, store.catalog.hat), 3);

    const expired = await expireUnpaidOrders(ctx, { limit: 10 });

    assert.equal(expired, 1);
    assert.equal(await statusOf(orderId), 'payment_expired');
    assert.equal(await readStock(store.db, store.catalog.hat), 5);
  });

  it('keeps an order within the grace period', async () => {
    const orderId = await placeHatOrder();
    await ageOrder(orderId, ctx.config.paymentTimeoutMinutes + expiryGraceMinutes - 1);

    const expired = await expireUnpaidOrders(ctx, { limit: 10 });

    assert.equal(expired, 0);
    assert.equal(await statusOf(orderId), 'pending_payment');
    assert.equal(await readStock(store.db, store.catalog.hat), 4);
  });

  it('releases stock once however often it runs', async () => {
    const orderId = await placeHatOrder(2);
    await ageOrder(orderId, pastDeadline());

    const counts = await Promise.all([
      expireUnpaidOrders(ctx, { limit: 10 }),
      expireUnpaidOrders(ctx, { limit: 10 }),
    ]);
    const again = await expireUnpaidOrders(ctx, { limit: 10 });

    assert.equal(counts[0] + counts[1] + again, 1);
    assert.equal(await readStock(store.db, store.catalog.hat), 5);
  });

  it('leaves a paid order alone', async () => {
    const orderId = await placeHatOrder();
    const reference = `test_${store.payments.sessions.length}_${orderId}`;
    await markOrderPaid(ctx, orderId, reference);
    await ageOrder(orderId, pastDeadline());

    await expireUnpaidOrders(ctx, { limit: 10 });

    assert.equal(await statusOf(orderId), 'paid');
    assert.equal(await readStock(store.db, store.catalog.hat), 4);
  });

  it('expires the oldest orders first, up to the limit', async () => {
    const oldest = await placeHatOrder();
    const newer = await placeHatOrder();
    await ageOrder(oldest, pastDeadline() + 10);
    await ageOrder(newer, pastDeadline());

    const expired = await expireUnpaidOrders(ctx, { limit: 1 });

    assert.equal(expired, 1);
    assert.equal(await statusOf(oldest), 'payment_expired');
    assert.equal(await statusOf(newer), 'pending_payment');
  });

  it('measures from the given instant', async () => {
    const orderId = await placeHatOrder();
    const later = new Date(Date.now() + pastDeadline() * minute);

    await expireUnpaidOrders(ctx, { limit: 10, now: later });

    assert.equal(await statusOf(orderId), 'payment_expired');
  });
});

describe('abandoned checkouts', () => {
  it('cannot hold stock past the payment timeout', async () => {
    // The attack: anonymous checkouts that never pay reserve every tracked item in stock.
    await setStock(store.db, store.catalog.hat, 3);
    const shopper = new Visitor(store.app);
    const cartId = await shopper.cartWith(store.catalog.hat, 1);
    const abandoned = [];
    for (let count = 0; count < 3; count += 1) abandoned.push(await placeHatOrder());
    const rejected = await shopper.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );
    for (const orderId of abandoned) await ageOrder(orderId, pastDeadline());

    const accepted = await shopper.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );

    assert.equal(rejected.statusCode, 409);
    assert.equal(rejected.json().code, 'OUT_OF_STOCK');
    assert.equal(accepted.statusCode, 201, accepted.body);
    for (const orderId of abandoned) assert.equal(await statusOf(orderId), 'payment_expired');
    assert.equal(await readStock(store.db, store.catalog.hat), 2);
  });
});

describe('startExpiryTimer', () => {
  const waitFor = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      if (await check()) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  };

  it('expires orders without any checkout', async () => {
    const orderId = await placeHatOrder();
    await ageOrder(orderId, pastDeadline());

    const timer = startExpiryTimer({ ...ctx, log: pino({ level: 'silent' }) }, 20);
    const expired = await waitFor(async () => (await statusOf(orderId)) === 'payment_expired');
    await timer.stop();

    assert.ok(expired, 'the timer did not expire the order');
    assert.equal(await readStock(store.db, store.catalog.hat), 5);
  });

  it('stops sweeping once stopped', async () => {
    const timer = startExpiryTimer({ ...ctx, log: pino({ level: 'silent' }) }, 20);
    await timer.stop();
    const orderId = await placeHatOrder();
    await ageOrder(orderId, pastDeadline());

    await new Promise((resolve) => setTimeout(resolve, 100));

    assert.equal(await statusOf(orderId), 'pending_payment');
  });

  it('logs a failed sweep and keeps running', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    // A database without tables makes every sweep fail.
    const broken = openDatabase('sqlite::memory:');

    const timer = startExpiryTimer({ ...ctx, db: broken.kysely, log }, 20);
    const failedTwice = await waitFor(async () => lines.length >= 2);
    await timer.stop();
    await broken.close();

    assert.ok(failedTwice, 'the timer stopped after the first failure');
    const entry = JSON.parse(lines[0] ?? '{}');
    assert.equal(entry.msg, 'order expiry sweep failed');
    assert.equal(entry.task, 'order-expiry');
  });
});

describe('startShop', () => {
  it('expires unpaid orders on its own', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'storefort-expiry-'));
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: `sqlite:${join(dataDir, 'shop.db')}`,
      DATA_DIR: dataDir,
      PORT: '0',
      GATEWAY_PORT: '0',
      ADMIN_PORT: '0',
      ADMIN_URL: 'http://localhost:39002',
    };
    const config = loadConfig(env);
    const prepared = openDatabase(config.databaseUrl);
    await migrateToLatest(prepared);
    const catalog = await seedCatalogFixture(prepared.kysely);
    await setStock(prepared.kysely, catalog.hat, 5);
    const orderId = await insertStaleHatOrder(prepared.kysely, catalog.hat, config);

    const running = await startShop(config);
    let status: string | undefined;
    try {
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && status !== 'payment_expired') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = (
          await prepared.kysely
            .selectFrom('orders')
            .select('status')
            .where('id', '=', orderId)
            .executeTakeFirstOrThrow()
        ).status;
      }
    } finally {
      await running.close();
    }

    assert.equal(status, 'payment_expired');
    assert.equal(await readStock(prepared.kysely, catalog.hat), 5);
    await prepared.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

/** Writes a pending order for two hats, placed long enough ago to be past its deadline. */
async function insertStaleHatOrder(db: Kysely<Database>, hat: string, config: Config) {
  assert.ok(await reserveStock(db, hat, 2));
  const placedAt = new Date(
    Date.now() - (config.paymentTimeoutMinutes + expiryGraceMinutes + 1) * minute,
  );
  return insertOrder(db, {
    visitorHash: 'a'.repeat(64),
    cartId: 'stale-cart',
    email: 'shopper@example.com',
    shippingAddress: {
      name: 'Ada Shopper',
      line1: '1 Market Street',
      line2: '',
      city: 'Springfield',
      region: '',
      postalCode: '12345',
      country: 'US',
    },
    shippingMethod: 'standard',
    totals: { subtotalMinor: 5000, shippingMinor: 500, totalMinor: 5500 },
    currency: config.currency,
    paymentProvider: 'sandbox',
    placedAt,
    lines: [
      {
        variantId: hat,
        productTitle: 'Wool Hat',
        variantTitle: 'Red',
        sku: 'HAT-RED',
        unitPriceMinor: 2500,
        quantity: 2,
        lineTotalMinor: 5000,
      },
    ],
  });
}

describe('PAYMENT_TIMEOUT_MINUTES', () => {
  const load = (value?: string) =>
    loadConfig({
      NODE_ENV: 'test',
      ...(value === undefined ? {} : { PAYMENT_TIMEOUT_MINUTES: value }),
    });

  it('defaults to 30 minutes', () => {
    assert.equal(load().paymentTimeoutMinutes, 30);
  });

  it('accepts 30 to 1440 minutes', () => {
    assert.equal(load('30').paymentTimeoutMinutes, 30);
    assert.equal(load('1440').paymentTimeoutMinutes, 1440);
  });

  it('rejects values Stripe cannot honour', () => {
    for (const value of ['29', '1441', '0', '-5', '30.5', 'half an hour']) {
      assert.throws(() => load(value), ConfigError, value);
    }
  });
});
