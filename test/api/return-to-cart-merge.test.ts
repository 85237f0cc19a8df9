import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { setStock } from '../support/catalog-fixture.js';
import { type StoreTest, startStoreTest, validCheckout, Visitor } from '../support/store-api.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
  await setStock(store.db, store.catalog.hat, 50);
});

after(() => store.close());

type CartBody = { id: string; lines: { variantId: string; quantity: number }[] };

function quantities(cart: CartBody): Record<string, number> {
  return Object.fromEntries(cart.lines.map((line) => [line.variantId, line.quantity]));
}

describe('returning an order to a visitor with an open cart', () => {
  it('adds the items to that cart once', async () => {
    const visitor = new Visitor(store.app);
    const cartId = await visitor.cartWith(store.catalog.hat, 2);
    const placed = await visitor.request(
      'POST',
      `/api/store/carts/${cartId}/checkout`,
      validCheckout,
    );
    assert.equal(placed.statusCode, 201, placed.body);
    const { orderId } = placed.json<{ orderId: string }>();

    const first = await visitor.request('POST', `/api/store/orders/${orderId}/return-to-cart`);
    const returned = first.json<CartBody>();
    const added = await visitor.request('POST', `/api/store/carts/${returned.id}/lines`, {
      variantId: store.catalog.poster,
      quantity: 1,
    });
    const second = await visitor.request('POST', `/api/store/orders/${orderId}/return-to-cart`);

    assert.equal(first.statusCode, 201, first.body);
    assert.equal(added.statusCode, 200, added.body);
    assert.equal(second.statusCode, 201, second.body);
    const merged = second.json<CartBody>();
    assert.equal(merged.id, returned.id, 'the second return made another cart');
    assert.deepEqual(quantities(merged), {
      [store.catalog.hat]: 2,
      [store.catalog.poster]: 1,
    });
  });
});
