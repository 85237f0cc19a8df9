import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type StoreTest, startStoreTest, validCheckout } from '../support/store-api.js';
import { Browser, latestMail, strongPassword, tokenIn } from './auth-support.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

async function cartWith(browser: Browser, variantId: string, quantity: number): Promise<string> {
  const created = await browser.request('POST', '/api/store/carts');
  assert.equal(created.statusCode, 201, created.body);
  const cartId = created.json<{ id: string }>().id;
  const added = await browser.request('POST', `/api/store/carts/${cartId}/lines`, {
    variantId,
    quantity,
  });
  assert.equal(added.statusCode, 200, added.body);
  return cartId;
}

async function placeOrder(browser: Browser, email: string): Promise<string> {
  const cartId = await cartWith(browser, store.catalog.hat, 1);
  const response = await browser.request('POST', `/api/store/carts/${cartId}/checkout`, {
    ...validCheckout,
    email,
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<{ orderId: string }>().orderId;
}

async function register(browser: Browser, email: string): Promise<string> {
  const response = await browser.request('POST', '/api/store/auth/register', {
    email,
    password: strongPassword,
    name: 'Guest Buyer',
  });
  assert.equal(response.statusCode, 202, response.body);
  return tokenIn(await latestMail(store.db, email.toLowerCase(), 'confirm_email'));
}

async function customerId(email: string): Promise<string> {
  const row = await store.db
    .selectFrom('customers')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function ownerOf(table: 'orders' | 'carts', id: string) {
  const row = await store.db
    .selectFrom(table)
    .select('customer_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.customer_id;
}

describe('guest purchases join the account', () => {
  it('attaches guest orders and the open cart on email confirmation', async () => {
    const browser = new Browser(store.app);
    const ownOrder = await placeOrder(browser, 'Buyer@Example.com');
    const otherOrder = await placeOrder(new Browser(store.app), 'someone-else@example.com');
    const openCart = await cartWith(browser, store.catalog.hat, 2);
    const token = await register(browser, 'buyer@example.com');

    const confirmed = await browser.request('POST', '/api/store/auth/confirm-email', { token });

    assert.equal(confirmed.statusCode, 200);
    const id = await customerId('buyer@example.com');
    assert.equal(await ownerOf('orders', ownOrder), id);
    assert.equal(await ownerOf('orders', otherOrder), null);
    assert.equal(await ownerOf('carts', openCart), id);
  });

  it('does not attach orders of an address before it is confirmed', async () => {
    const browser = new Browser(store.app);
    const order = await placeOrder(new Browser(store.app), 'claimed@example.com');

    await register(browser, 'claimed@example.com');

    assert.equal(await ownerOf('orders', order), null);
  });

  it('merges the guest cart into the account cart at login', async () => {
    const laptop = new Browser(store.app);
    const accountCart = await cartWith(laptop, store.catalog.hat, 1);
    const token = await register(laptop, 'merge@example.com');
    await laptop.request('POST', '/api/store/auth/confirm-email', { token });
    const phone = new Browser(store.app);
    const guestCart = await cartWith(phone, store.catalog.hat, 2);
    await phone.request('POST', `/api/store/carts/${guestCart}/lines`, {
      variantId: store.catalog.giftCard,
      quantity: 1,
    });

    await phone.login('merge@example.com', strongPassword);

    const lines = await store.db
      .selectFrom('cart_lines')
      .select(['variant_id', 'quantity'])
      .where('cart_id', '=', accountCart)
      .execute();
    const byVariant = (a: { variant_id: string }, b: { variant_id: string }) =>
      a.variant_id < b.variant_id ? -1 : 1;
    const expected = [
      { variant_id: store.catalog.hat, quantity: 3 },
      { variant_id: store.catalog.giftCard, quantity: 1 },
    ].sort(byVariant);
    assert.deepEqual(lines.sort(byVariant), expected);
    const guest = await store.db
      .selectFrom('carts')
      .select('id')
      .where('id', '=', guestCart)
      .executeTakeFirst();
    assert.equal(guest, undefined, 'the emptied guest cart must go');
    const shown = await phone.request('GET', `/api/store/carts/${accountCart}`);
    assert.equal(shown.statusCode, 200, 'the merged cart must be visible in this browser');
  });

  it('gives the next user of the browser a fresh cart after logout', async () => {
    const browser = new Browser(store.app);
    const token = await register(browser, 'shared@example.com');
    await browser.request('POST', '/api/store/auth/confirm-email', { token });
    await browser.login('shared@example.com', strongPassword);
    const cart = await cartWith(browser, store.catalog.hat, 1);

    await browser.request('POST', '/api/store/auth/logout', {});
    const afterLogout = await browser.request('GET', `/api/store/carts/${cart}`);

    assert.equal(afterLogout.statusCode, 404);
  });
});
