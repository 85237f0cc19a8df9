import assert from 'node:assert/strict';

import type { LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';

import { createSession } from '../../src/auth/sessions.js';
import type { Database, SessionStage } from '../../src/db/schema.js';
import { nowIso, randomId } from '../../src/server/ids.js';
import type { StoreTest } from '../support/store-api.js';
import { Browser } from './auth-support.js';

/**
 * Customer of the account tests, made by writing the rows directly, because the account API is
 * under test here and registration and login have their own tests.
 */
export interface TestCustomer {
  id: string;
  email: string;
  browser: Browser;
  /** Session token in the browser's __Host-session cookie. */
  token: string;
}

/**
 * Inserts a confirmed customer and returns a browser signed in as them. The password hash is a
 * placeholder, so this customer cannot log in with a password. Tests that need one register
 * through the API instead.
 */
export async function signedInCustomer(
  store: StoreTest,
  email: string,
  name = 'Ada Lovelace',
): Promise<TestCustomer> {
  const id = randomId();
  const now = nowIso();
  await store.db
    .insertInto('customers')
    .values({
      id,
      email,
      email_confirmed_at: now,
      password_hash: 'not-a-password-hash',
      name,
      created_at: now,
      updated_at: now,
    })
    .execute();

  const browser = new Browser(store.app);
  const token = await startSession(store, id);
  browser.cookies.set('__Host-session', token);
  return { id, email, browser, token };
}

/** Creates another session of a customer and returns its token. */
export async function startSession(
  store: StoreTest,
  customerId: string,
  stage: SessionStage = 'active',
  userAgent = 'TestBrowser/1.0',
): Promise<string> {
  return createSession(store.db, {
    realm: 'customer',
    accountId: customerId,
    stage,
    userAgent,
    ip: '127.0.0.1',
    timeouts: store.shop.deps.config.sessions.customer,
  });
}

/** Returns the parts of a response that must not differ between "missing" and "someone else's". */
export function shapeOf(response: LightMyRequestResponse) {
  const { requestId, ...problem } = response.json();
  assert.equal(typeof requestId, 'string');
  return {
    status: response.statusCode,
    contentType: response.headers['content-type'],
    cacheControl: response.headers['cache-control'],
    problem,
  };
}

/** Returns the stored object_access_denied events that name `id`. */
export async function deniedEventsFor(db: Kysely<Database>, id: string) {
  const events = await db
    .selectFrom('security_events')
    .selectAll()
    .where('kind', '=', 'object_access_denied')
    .execute();
  return events.filter((event) => JSON.parse(event.details).id === id);
}

/**
 * Returns every row an account or cart request could change, for before/after comparisons.
 * Sessions are reduced to their hash, account, stage, creation and expiry, so last_seen_at, which
 * any request of their owner moves forward, is left out.
 */
export async function snapshotAccounts(db: Kysely<Database>) {
  return {
    customers: await db.selectFrom('customers').selectAll().orderBy('id').execute(),
    addresses: await db.selectFrom('customer_addresses').selectAll().orderBy('id').execute(),
    reviews: await db.selectFrom('reviews').selectAll().orderBy('id').execute(),
    sessions: await db
      .selectFrom('sessions')
      .select(['token_hash', 'account_id', 'stage', 'created_at', 'expires_at'])
      .orderBy('token_hash')
      .execute(),
    carts: await db.selectFrom('carts').selectAll().orderBy('id').execute(),
    cartLines: await db.selectFrom('cart_lines').selectAll().orderBy('id').execute(),
    orders: await db.selectFrom('orders').selectAll().orderBy('id').execute(),
    orderLines: await db.selectFrom('order_lines').selectAll().orderBy('id').execute(),
    stock: await db.selectFrom('variants').select(['id', 'inventory_quantity']).execute(),
  };
}

/** Creates a cart with one line through the API and returns its id, or fails the test. */
export async function cartWith(browser: Browser, variantId: string): Promise<string> {
  const created = await browser.request('POST', '/api/store/carts');
  assert.equal(created.statusCode, 201, created.body);
  const cartId: string = created.json().id;

  const added = await browser.request('POST', `/api/store/carts/${cartId}/lines`, {
    variantId,
    quantity: 1,
  });
  assert.equal(added.statusCode, 200, added.body);
  return cartId;
}

/** Checks out a cart through the API and returns the order id and its signed link token. */
export async function placeOrder(
  store: StoreTest,
  browser: Browser,
  cartId: string,
  checkout: object,
): Promise<{ orderId: string; orderToken: string }> {
  const placed = await browser.request('POST', `/api/store/carts/${cartId}/checkout`, checkout);
  assert.equal(placed.statusCode, 201, placed.body);

  const successUrl = new URL(store.payments.sessions.at(-1)?.successUrl ?? '');
  return { orderId: placed.json().orderId, orderToken: successUrl.searchParams.get('token') ?? '' };
}
