import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  securityEvents,
  snapshotStore,
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../support/store-api.js';

// Clients that add money fields or other unknown fields to a request get 400 UNKNOWN_FIELD and
// a request_tampering security event, and no cart line, order, stock level or payment session
// changes. The shop prices everything from its own catalog.

let store: StoreTest;
let visitor: Visitor;
let cartId: string;
let lineId: string;

before(async () => {
  store = await startStoreTest();
  visitor = new Visitor(store.app);
  cartId = await visitor.cartWith(store.catalog.hat, 1);
  const cart = await visitor.request('GET', `/api/store/carts/${cartId}`);
  lineId = cart.json<{ lines: { id: string }[] }>().lines[0]?.id ?? '';
});

after(() => store.close());

interface TamperCase {
  name: string;
  method: 'POST' | 'PATCH' | 'DELETE';
  path: () => string;
  body: () => Record<string, unknown>;
  field: string;
}

function addLine(extra: Record<string, unknown>) {
  return { variantId: store.catalog.hat, quantity: 1, ...extra };
}

const cases: TamperCase[] = [
  ...['price', 'unitPriceMinor', 'lineTotalMinor', 'total', 'discount', 'currency'].map(
    (field): TamperCase => ({
      name: `line with ${field}`,
      method: 'POST',
      path: () => `/api/store/carts/${cartId}/lines`,
      body: () => addLine({ [field]: field === 'currency' ? 'JPY' : 1 }),
      field,
    }),
  ),
  {
    name: 'line update with price',
    method: 'PATCH',
    path: () => `/api/store/carts/${cartId}/lines/${lineId}`,
    body: () => ({ quantity: 2, unitPriceMinor: 1 }),
    field: 'unitPriceMinor',
  },
  {
    name: 'line removal with a body field',
    method: 'DELETE',
    path: () => `/api/store/carts/${cartId}/lines/${lineId}`,
    body: () => ({ restock: true }),
    field: 'restock',
  },
  ...['currency', 'lines', 'status', 'visitorHash', 'subtotalMinor'].map((field): TamperCase => ({
    name: `cart creation with ${field}`,
    method: 'POST',
    path: () => '/api/store/carts',
    body: () => ({ [field]: field === 'lines' ? [{ variantId: 'x', quantity: 1 }] : 'EUR' }),
    field,
  })),
  ...['totalMinor', 'subtotalMinor', 'shippingMinor', 'discount', 'currency', 'status'].map(
    (field): TamperCase => ({
      name: `checkout with ${field}`,
      method: 'POST',
      path: () => `/api/store/carts/${cartId}/checkout`,
      body: () => ({ ...validCheckout, [field]: field === 'currency' ? 'EUR' : 1 }),
      field,
    }),
  ),
  {
    name: 'checkout with client lines',
    method: 'POST',
    path: () => `/api/store/carts/${cartId}/checkout`,
    body: () => ({ ...validCheckout, lines: [{ variantId: 'x', quantity: 1, unitPriceMinor: 1 }] }),
    field: 'lines',
  },
  {
    name: 'checkout with an unknown address field',
    method: 'POST',
    path: () => `/api/store/carts/${cartId}/checkout`,
    body: () => ({
      ...validCheckout,
      shippingAddress: { ...validCheckout.shippingAddress, vat: '0' },
    }),
    field: 'vat',
  },
];

describe('request tampering', () => {
  for (const tamper of cases) {
    it(`rejects ${tamper.name}`, async () => {
      const body = tamper.body();
      const before = await snapshotStore(store.db);
      const eventsBefore = (await securityEvents(store.db, 'request_tampering')).length;
      const sessionsBefore = store.payments.sessions.length;

      const response = await visitor.request(tamper.method, tamper.path(), body);

      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'UNKNOWN_FIELD');
      assert.deepEqual(response.json().fields, [tamper.field]);
      const events = await securityEvents(store.db, 'request_tampering');
      assert.equal(events.length, eventsBefore + 1);
      assert.deepEqual(JSON.parse(events.at(-1)?.details ?? '{}').fields, [tamper.field]);
      assert.deepEqual(await snapshotStore(store.db), before);
      assert.equal(store.payments.sessions.length, sessionsBefore);
    });
  }

  it('rejects a prototype-poisoning body', async () => {
    const before = await snapshotStore(store.db);

    const response = await store.app.inject({
      method: 'POST',
      url: `/api/store/carts/${cartId}/lines`,
      headers: { 'content-type': 'application/json', cookie: `__Host-cart=${visitor.cookie}` },
      payload: `{"variantId":"${store.catalog.hat}","quantity":1,"__proto__":{"admin":true}}`,
    });

    assert.equal(response.statusCode, 400);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('still accepts the untampered requests', async () => {
    const line = await visitor.request('POST', `/api/store/carts/${cartId}/lines`, addLine({}));
    const checkout = await visitor.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );

    assert.equal(line.statusCode, 200, line.body);
    assert.equal(checkout.statusCode, 201, checkout.body);
  });
});
