import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { visitorCookie } from '../../src/cart/visitor.js';
import { snapshotStore, type StoreTest, startStoreTest, Visitor } from '../support/store-api.js';

// Quantities are whole numbers from 1 to MAX_QUANTITY (99 by default). JSON bodies are checked
// as sent, never coerced, so the raw text of each case matters: `1e2` is the number 100.
const badQuantities: [string, string][] = [
  ['zero', '0'],
  ['negative', '-1'],
  ['negative zero', '-0'],
  ['fraction', '1.5'],
  ['just above the maximum', '100'],
  ['exponent number over the maximum', '1e2'],
  ['exponent string', '"1e2"'],
  ['numeric string', '"2"'],
  ['null', 'null'],
  ['huge', '1e300'],
  ['beyond double range', '1e400'],
  ['boolean', 'true'],
  ['array', '[1]'],
  ['object', '{"value":1}'],
];

let store: StoreTest;
let visitor: Visitor;
let cartId: string;
let lineId: string;

before(async () => {
  store = await startStoreTest();
  visitor = new Visitor(store.app);
  cartId = await visitor.cartWith(store.catalog.giftCard, 3);
  const cart = await visitor.request('GET', `/api/store/carts/${cartId}`);
  lineId = cart.json<{ lines: { id: string }[] }>().lines[0]?.id ?? '';
});

after(() => store.close());

function sendRaw(method: 'POST' | 'PATCH', url: string, payload: string) {
  return store.app.inject({
    method,
    url,
    payload,
    headers: { 'content-type': 'application/json', cookie: `${visitorCookie}=${visitor.cookie}` },
  });
}

describe('cart quantities', () => {
  for (const [name, raw] of badQuantities) {
    it(`rejects a ${name} quantity when adding`, async () => {
      const before = await snapshotStore(store.db);
      const payload = `{"variantId":"${store.catalog.giftCard}","quantity":${raw}}`;

      const response = await sendRaw('POST', `/api/store/carts/${cartId}/lines`, payload);

      assert.equal(response.statusCode, 400, response.body);
      assert.deepEqual(await snapshotStore(store.db), before);
    });

    it(`rejects a ${name} quantity when updating`, async () => {
      const before = await snapshotStore(store.db);

      const response = await sendRaw(
        'PATCH',
        `/api/store/carts/${cartId}/lines/${lineId}`,
        `{"quantity":${raw}}`,
      );

      assert.equal(response.statusCode, 400, response.body);
      assert.deepEqual(await snapshotStore(store.db), before);
    });
  }

  it('rejects a missing quantity', async () => {
    const response = await visitor.request('POST', `/api/store/carts/${cartId}/lines`, {
      variantId: store.catalog.giftCard,
    });

    assert.equal(response.statusCode, 400);
  });

  it('accepts the maximum quantity', async () => {
    const response = await visitor.request('PATCH', `/api/store/carts/${cartId}/lines/${lineId}`, {
      quantity: 99,
    });

    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().lines[0].quantity, 99);
  });

  it('caps a repeated add at the maximum', async () => {
    await visitor.request('PATCH', `/api/store/carts/${cartId}/lines/${lineId}`, { quantity: 60 });
    const before = await snapshotStore(store.db);

    const response = await visitor.request('POST', `/api/store/carts/${cartId}/lines`, {
      variantId: store.catalog.giftCard,
      quantity: 40,
    });

    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'QUANTITY_OUT_OF_RANGE');
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('adds a repeated variant to its line', async () => {
    await visitor.request('PATCH', `/api/store/carts/${cartId}/lines/${lineId}`, { quantity: 60 });

    const response = await visitor.request('POST', `/api/store/carts/${cartId}/lines`, {
      variantId: store.catalog.giftCard,
      quantity: 39,
    });

    assert.equal(response.statusCode, 200, response.body);
    const lines = response.json().lines;
    assert.equal(lines.length, 1);
    assert.equal(lines[0].quantity, 99);
  });
});

describe('MAX_QUANTITY setting', () => {
  let small: StoreTest;

  before(async () => {
    small = await startStoreTest({ MAX_QUANTITY: '5' });
  });

  after(() => small.close());

  it('lowers the largest accepted quantity', async () => {
    const shopper = new Visitor(small.app);
    const id = await shopper.createCart();

    const over = await shopper.request('POST', `/api/store/carts/${id}/lines`, {
      variantId: small.catalog.giftCard,
      quantity: 6,
    });
    const at = await shopper.request('POST', `/api/store/carts/${id}/lines`, {
      variantId: small.catalog.giftCard,
      quantity: 5,
    });

    assert.equal(over.statusCode, 400);
    assert.equal(at.statusCode, 200, at.body);
  });
});
