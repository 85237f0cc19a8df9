import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';

import { visitorCookie } from '../../src/cart/visitor.js';
import type { Database } from '../../src/db/schema.js';
import { type CatalogFixture, seedCatalogFixture } from './catalog-fixture.js';
import { RecordingPaymentGateway } from './payment-double.js';
import { startTestShop, type TestShop } from './shop.js';

/** A test shop seeded with the fixture catalog, paying through a RecordingPaymentGateway. */
export interface StoreTest {
  shop: TestShop;
  app: FastifyInstance;
  db: Kysely<Database>;
  catalog: CatalogFixture;
  payments: RecordingPaymentGateway;
  close(): Promise<void>;
}

export async function startStoreTest(
  env: Record<string, string> = {},
  options: Pick<Parameters<typeof startTestShop>[0], 'rateLimits' | 'logStream'> = {},
): Promise<StoreTest> {
  const payments = new RecordingPaymentGateway();
  const shop = await startTestShop({ env, payments: () => payments, ...options });
  const catalog = await seedCatalogFixture(shop.db.kysely);

  return {
    shop,
    app: shop.app,
    db: shop.db.kysely,
    catalog,
    payments,
    close: () => shop.close(),
  };
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * A browser-like client: it keeps the `__Host-cart` cookie the shop sets and sends it back.
 * Requests carry no Origin or Sec-Fetch-Site header, as a script would send them.
 */
export class Visitor {
  cookie: string | undefined;

  constructor(private readonly app: FastifyInstance) {}

  async request(method: Method, url: string, body?: unknown): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body as object }),
      headers: this.cookie ? { cookie: `${visitorCookie}=${this.cookie}` } : {},
    });

    const issued = response.cookies.find((cookie) => cookie.name === visitorCookie);
    if (issued) this.cookie = issued.value;
    return response;
  }

  /** Creates a cart and returns its id; fails the test if the shop refuses. */
  async createCart(): Promise<string> {
    const response = await this.request('POST', '/api/store/carts');
    if (response.statusCode !== 201) {
      throw new Error(`cart creation failed with ${response.statusCode}: ${response.body}`);
    }
    return response.json<{ id: string }>().id;
  }

  /** Creates a cart holding `quantity` of a variant and returns the cart id. */
  async cartWith(variantId: string, quantity = 1): Promise<string> {
    const cartId = await this.createCart();
    const response = await this.request('POST', `/api/store/carts/${cartId}/lines`, {
      variantId,
      quantity,
    });
    if (response.statusCode !== 200) {
      throw new Error(`adding a line failed with ${response.statusCode}: ${response.body}`);
    }
    return cartId;
  }
}

export const validCheckout = {
  email: 'shopper@example.com',
  shippingAddress: {
    name: 'Ada Shopper',
    line1: '1 Market Street',
    city: 'Springfield',
    postalCode: '12345',
    country: 'US',
  },
  shippingMethod: 'standard',
};

/** Everything a cart, checkout or order request could change, for before/after comparisons. */
export async function snapshotStore(db: Kysely<Database>) {
  return {
    carts: await db.selectFrom('carts').selectAll().orderBy('id').execute(),
    cartLines: await db.selectFrom('cart_lines').selectAll().orderBy('id').execute(),
    orders: await db.selectFrom('orders').selectAll().orderBy('id').execute(),
    orderLines: await db.selectFrom('order_lines').selectAll().orderBy('id').execute(),
    stock: await db
      .selectFrom('variants')
      .select(['id', 'inventory_quantity'])
      .orderBy('id')
      .execute(),
  };
}

export async function securityEvents(db: Kysely<Database>, kind: string) {
  return db.selectFrom('security_events').selectAll().where('kind', '=', kind).execute();
}
