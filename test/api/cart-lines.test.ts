import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { maxLinesPerCart } from '../../src/cart/cart.service.js';
import { MAX_MINOR_UNITS } from '../../src/catalog/money.js';
import { randomId } from '../../src/server/ids.js';
import { seedProductWithVariants, setStock } from '../support/catalog-fixture.js';
import {
  snapshotStore,
  type StoreTest,
  startStoreTest,
  validCheckout,
  Visitor,
} from '../support/store-api.js';

let store: StoreTest;
let visitor: Visitor;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

beforeEach(async () => {
  visitor = new Visitor(store.app);
  await setStock(store.db, store.catalog.hat, 5);
});

function addLine(cartId: string, variantId: string, quantity: number) {
  return visitor.request('POST', `/api/store/carts/${cartId}/lines`, { variantId, quantity });
}

describe('cart lines', () => {
  for (const role of ['draft', 'archived', 'unpublished'] as const) {
    it(`rejects a variant of a ${role} product`, async () => {
      const cartId = await visitor.createCart();
      const before = await snapshotStore(store.db);

      const response = await addLine(cartId, store.catalog[role], 1);

      assert.equal(response.statusCode, 404);
      assert.equal(response.json().code, 'NOT_FOUND');
      assert.deepEqual(await snapshotStore(store.db), before);
    });
  }

  it('rejects an unknown variant', async () => {
    const cartId = await visitor.createCart();
    const before = await snapshotStore(store.db);

    const response = await addLine(cartId, randomId(), 1);

    assert.equal(response.statusCode, 404);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('prices lines from the catalog', async () => {
    const cartId = await visitor.createCart();
    await addLine(cartId, store.catalog.hat, 2);

    const response = await addLine(cartId, store.catalog.giftCard, 1);

    assert.equal(response.statusCode, 200, response.body);
    const cart = response.json();
    assert.equal(cart.currency, 'USD');
    assert.equal(cart.subtotalMinor, 2 * 2500 + 5000);
    assert.equal(cart.itemCount, 3);
    assert.deepEqual(
      cart.lines.map((line: { sku: string; lineTotalMinor: number }) => [
        line.sku,
        line.lineTotalMinor,
      ]),
      [
        ['HAT-RED', 5000],
        ['GIFT', 5000],
      ],
    );
  });

  it('follows a catalog price change', async () => {
    const cartId = await visitor.cartWith(store.catalog.poster, 1);
    await store.db
      .updateTable('variants')
      .set({ price_minor: 1800 })
      .where('id', '=', store.catalog.poster)
      .execute();

    const response = await visitor.request('GET', `/api/store/carts/${cartId}`);

    assert.equal(response.json().subtotalMinor, 1800);
    await store.db
      .updateTable('variants')
      .set({ price_minor: 1500 })
      .where('id', '=', store.catalog.poster)
      .execute();
  });

  it('updates and removes a line', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);
    const lineId = (await visitor.request('GET', `/api/store/carts/${cartId}`)).json().lines[0].id;

    const updated = await visitor.request('PATCH', `/api/store/carts/${cartId}/lines/${lineId}`, {
      quantity: 3,
    });
    const removed = await visitor.request('DELETE', `/api/store/carts/${cartId}/lines/${lineId}`);

    assert.equal(updated.json().lines[0].quantity, 3);
    assert.equal(updated.json().subtotalMinor, 7500);
    assert.deepEqual(removed.json().lines, []);
    assert.equal(removed.json().subtotalMinor, 0);
  });

  it('rejects a line id of another cart', async () => {
    const first = await visitor.cartWith(store.catalog.hat, 1);
    const second = await visitor.cartWith(store.catalog.giftCard, 1);
    const foreignLine = (await visitor.request('GET', `/api/store/carts/${first}`)).json().lines[0]
      .id;
    const before = await snapshotStore(store.db);

    const patch = await visitor.request(
      'PATCH',
      `/api/store/carts/${second}/lines/${foreignLine}`,
      {
        quantity: 2,
      },
    );
    const remove = await visitor.request(
      'DELETE',
      `/api/store/carts/${second}/lines/${foreignLine}`,
    );

    assert.equal(patch.statusCode, 404);
    assert.equal(remove.statusCode, 404);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('drops a line whose product was archived', async () => {
    const cartId = await visitor.cartWith(store.catalog.poster, 1);
    await addLine(cartId, store.catalog.giftCard, 1);
    await setProductStatus(store.catalog.poster, 'archived');

    const response = await visitor.request('GET', `/api/store/carts/${cartId}`);
    await setProductStatus(store.catalog.poster, 'active');

    assert.deepEqual(
      response.json().lines.map((line: { sku: string }) => line.sku),
      ['GIFT'],
    );
    assert.equal(response.json().subtotalMinor, 5000);
  });

  it('refuses changes to a checked-out cart', async () => {
    const cartId = await visitor.cartWith(store.catalog.giftCard, 1);
    await visitor.request('POST', `/api/store/carts/${cartId}/checkout`, validCheckout);
    const before = await snapshotStore(store.db);

    const response = await addLine(cartId, store.catalog.giftCard, 1);

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'CART_CLOSED');
    assert.deepEqual(await snapshotStore(store.db), before);
  });
});

describe('cart limits', () => {
  it('rejects a line beyond the line limit', async () => {
    const variantIds = await seedProductWithVariants(store.db, 'bulk', maxLinesPerCart + 1, 100);
    const cartId = await visitor.createCart();
    for (const variantId of variantIds.slice(0, maxLinesPerCart)) {
      const added = await addLine(cartId, variantId, 1);
      assert.equal(added.statusCode, 200, added.body);
    }
    const before = await snapshotStore(store.db);

    const response = await addLine(cartId, variantIds[maxLinesPerCart] ?? '', 1);

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'CART_FULL');
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('rejects a subtotal above the maximum amount', async () => {
    const [costly = ''] = await seedProductWithVariants(store.db, 'costly', 1, MAX_MINOR_UNITS);
    const cartId = await visitor.cartWith(costly, 1);
    const before = await snapshotStore(store.db);

    const response = await addLine(cartId, costly, 1);

    assert.equal(response.statusCode, 422, response.body);
    assert.equal(response.json().code, 'AMOUNT_OUT_OF_RANGE');
    assert.deepEqual(await snapshotStore(store.db), before);
  });
});

describe('deny-policy stock when adding', () => {
  it('rejects more than the stock', async () => {
    const cartId = await visitor.createCart();
    const before = await snapshotStore(store.db);

    const response = await addLine(cartId, store.catalog.hat, 6);

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'OUT_OF_STOCK');
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('counts the quantity already in the cart', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 3);
    const before = await snapshotStore(store.db);

    const response = await addLine(cartId, store.catalog.hat, 3);

    assert.equal(response.statusCode, 409);
    assert.deepEqual(await snapshotStore(store.db), before);
  });

  it('rejects an update beyond the stock', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 1);
    const lineId = (await visitor.request('GET', `/api/store/carts/${cartId}`)).json().lines[0].id;

    const response = await visitor.request('PATCH', `/api/store/carts/${cartId}/lines/${lineId}`, {
      quantity: 6,
    });

    assert.equal(response.statusCode, 409);
  });

  it('rejects a sold-out variant', async () => {
    const cartId = await visitor.createCart();

    const response = await addLine(cartId, store.catalog.soldOutHat, 1);

    assert.equal(response.statusCode, 409);
  });

  it('accepts exactly the stock', async () => {
    const cartId = await visitor.createCart();

    const response = await addLine(cartId, store.catalog.hat, 5);

    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().lines[0].available, true);
  });

  it('allows backorders under the continue policy', async () => {
    const cartId = await visitor.createCart();

    const response = await addLine(cartId, store.catalog.poster, 4);

    assert.equal(response.statusCode, 200, response.body);
  });

  it('marks a line unavailable after stock drops', async () => {
    const cartId = await visitor.cartWith(store.catalog.hat, 4);
    await setStock(store.db, store.catalog.hat, 2);

    const response = await visitor.request('GET', `/api/store/carts/${cartId}`);

    assert.equal(response.json().lines[0].available, false);
  });
});

async function setProductStatus(variantId: string, status: 'active' | 'archived') {
  const variant = await store.db
    .selectFrom('variants')
    .select('product_id')
    .where('id', '=', variantId)
    .executeTakeFirstOrThrow();
  await store.db
    .updateTable('products')
    .set({ status })
    .where('id', '=', variant.product_id)
    .execute();
}
