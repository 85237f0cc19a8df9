import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { randomId } from '../../src/server/ids.js';
import { type StoreTest, startStoreTest, validCheckout } from '../support/store-api.js';
import {
  cartWith,
  deniedEventsFor,
  placeOrder,
  shapeOf,
  signedInCustomer,
  startSession,
  snapshotAccounts,
  type TestCustomer,
} from './account-support.js';
import { Browser } from './auth-support.js';

// Customer B requests every kind of object that belongs to customer A, with every method the
// API offers for it. Each response must equal the response for a missing id (status, headers and
// problem body without its requestId), nothing of A's may change, and each attempt must be
// stored as an object_access_denied event naming the object.

let store: StoreTest;
let alice: TestCustomer;
let bob: TestCustomer;

const owned = {
  cartId: '',
  lineId: '',
  orderId: '',
  addressId: '',
  reviewId: '',
  sessionId: '',
};

before(async () => {
  store = await startStoreTest();
  alice = await signedInCustomer(store, 'alice@example.com', 'Alice Liddell');
  bob = await signedInCustomer(store, 'bob@example.com', 'Bob Builder');
  // Bob has objects of his own, so "missing" is not simply "Bob has nothing".
  await cartWith(bob.browser, store.catalog.hat);

  owned.cartId = await cartWith(alice.browser, store.catalog.hat);
  const cart = await alice.browser.request('GET', `/api/store/carts/${owned.cartId}`);
  owned.lineId = cart.json().lines[0].id;

  const orderCart = await cartWith(alice.browser, store.catalog.giftCard);
  owned.orderId = (await placeOrder(store, alice.browser, orderCart, validCheckout)).orderId;

  const address = await alice.browser.request('POST', '/api/store/account/addresses', {
    ...validCheckout.shippingAddress,
  });
  assert.equal(address.statusCode, 201, address.body);
  owned.addressId = address.json().id;

  const review = await alice.browser.request('POST', '/api/store/account/reviews', {
    productHandle: 'wool-hat',
    rating: 4,
    body: 'Warm.',
  });
  assert.equal(review.statusCode, 201, review.body);
  owned.reviewId = review.json().id;

  // A second session of Alice's, listed by its public id.
  await startSession(store, alice.id, 'active', 'OtherDevice/2.0');
  const sessions = await alice.browser.request('GET', '/api/store/account/sessions');
  owned.sessionId = sessions.json().items.find((item: { current: boolean }) => !item.current).id;
});

after(() => store.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Build = (id: string) => [Method, string, unknown?];

const attacks: [string, keyof typeof owned, Build][] = [
  ['read a cart', 'cartId', (id) => ['GET', `/api/store/carts/${id}`]],
  [
    'add a cart line',
    'cartId',
    (id) => ['POST', `/api/store/carts/${id}/lines`, { variantId: store.catalog.hat, quantity: 1 }],
  ],
  [
    'change a cart line',
    'cartId',
    (id) => ['PATCH', `/api/store/carts/${id}/lines/${owned.lineId}`, { quantity: 2 }],
  ],
  [
    'remove a cart line',
    'cartId',
    (id) => ['DELETE', `/api/store/carts/${id}/lines/${owned.lineId}`],
  ],
  [
    'check out a cart',
    'cartId',
    (id) => ['POST', `/api/store/carts/${id}/checkout`, validCheckout],
  ],
  ['read an order', 'orderId', (id) => ['GET', `/api/store/orders/${id}`]],
  ['read an account order', 'orderId', (id) => ['GET', `/api/store/account/orders/${id}`]],
  [
    'return an order to a cart',
    'orderId',
    (id) => ['POST', `/api/store/orders/${id}/return-to-cart`],
  ],
  [
    'change an address',
    'addressId',
    (id) => ['PATCH', `/api/store/account/addresses/${id}`, { city: 'Elsewhere' }],
  ],
  ['delete an address', 'addressId', (id) => ['DELETE', `/api/store/account/addresses/${id}`]],
  [
    'change a review',
    'reviewId',
    (id) => ['PATCH', `/api/store/account/reviews/${id}`, { rating: 1, body: 'Awful.' }],
  ],
  ['delete a review', 'reviewId', (id) => ['DELETE', `/api/store/account/reviews/${id}`]],
  ['end a session', 'sessionId', (id) => ['DELETE', `/api/store/account/sessions/${id}`]],
];

/** An id of the same form as the owned one that names nothing. */
function missingIdLike(kind: keyof typeof owned): string {
  // Session ids are 64 characters; a random one of that form is not a valid public id.
  return kind === 'sessionId' ? randomId().repeat(3).slice(0, 64) : randomId();
}

describe("another customer's objects", () => {
  for (const [action, kind, build] of attacks) {
    it(`answers like a missing id to ${action}`, async () => {
      const id = owned[kind];
      const before = await snapshotAccounts(store.db);
      const eventsBefore = (await deniedEventsFor(store.db, id)).length;
      const [method, url, body] = build(id);
      const [, missingUrl, missingBody] = build(missingIdLike(kind));

      const foreign = await bob.browser.request(method, url, body);
      const missing = await bob.browser.request(method, missingUrl, missingBody);

      assert.equal(foreign.statusCode, 404, foreign.body);
      assert.deepEqual(shapeOf(foreign), shapeOf(missing));
      assert.deepEqual(await snapshotAccounts(store.db), before);
      assert.equal((await deniedEventsFor(store.db, id)).length, eventsBefore + 1);
    });
  }

  it('stores events without personal data', async () => {
    const events = await deniedEventsFor(store.db, owned.addressId);

    assert.ok(events.length > 0);
    for (const event of events) {
      assert.deepEqual(Object.keys(JSON.parse(event.details)).sort(), [
        'hasVisitorCookie',
        'id',
        'resource',
        'signedIn',
      ]);
      assert.ok(!event.details.includes('alice'));
      assert.ok(!event.details.includes(alice.id));
      assert.ok(!event.details.includes(bob.id));
    }
  });

  it('leaves every object usable by its owner', async () => {
    const paths = [
      `/api/store/carts/${owned.cartId}`,
      `/api/store/orders/${owned.orderId}`,
      `/api/store/account/orders/${owned.orderId}`,
    ];
    for (const path of paths) {
      const response = await alice.browser.request('GET', path);
      assert.equal(response.statusCode, 200, path);
    }

    const addresses = await alice.browser.request('GET', '/api/store/account/addresses');
    assert.equal(addresses.json().items[0].city, validCheckout.shippingAddress.city);
    const reviews = await alice.browser.request('GET', '/api/store/account/reviews');
    assert.equal(reviews.json().items[0].body, 'Warm.');
    const sessions = await alice.browser.request('GET', '/api/store/account/sessions');
    assert.ok(sessions.json().items.some((item: { id: string }) => item.id === owned.sessionId));
  });

  it("does not list them in the intruder's own lists", async () => {
    const lists = [
      '/api/store/account/orders',
      '/api/store/account/addresses',
      '/api/store/account/reviews',
      '/api/store/account/sessions',
    ];
    for (const path of lists) {
      const response = await bob.browser.request('GET', path);
      assert.equal(response.statusCode, 200, path);
      assert.ok(!response.body.includes(owned.orderId), path);
      assert.ok(!response.body.includes(owned.addressId), path);
      assert.ok(!response.body.includes(owned.reviewId), path);
      assert.ok(!response.body.includes(owned.sessionId), path);
    }
  });
});

describe("a guest's objects", () => {
  let guest: Browser;
  let guestCart: string;
  let guestOrder: { orderId: string; orderToken: string };

  before(async () => {
    guest = new Browser(store.app);
    guestCart = await cartWith(guest, store.catalog.hat);
    const orderCart = await cartWith(guest, store.catalog.giftCard);
    guestOrder = await placeOrder(store, guest, orderCart, validCheckout);
  });

  it('are hidden from a signed-in customer who does not own them', async () => {
    const eventsBefore = (await deniedEventsFor(store.db, guestCart)).length;

    const cart = await bob.browser.request('GET', `/api/store/carts/${guestCart}`);
    const order = await bob.browser.request('GET', `/api/store/orders/${guestOrder.orderId}`);
    const accountOrder = await bob.browser.request(
      'GET',
      `/api/store/account/orders/${guestOrder.orderId}`,
    );

    assert.equal(cart.statusCode, 404);
    assert.equal(order.statusCode, 404);
    assert.equal(accountOrder.statusCode, 404);
    assert.equal((await deniedEventsFor(store.db, guestCart)).length, eventsBefore + 1);
  });

  it('stay with the guest', async () => {
    const cart = await guest.request('GET', `/api/store/carts/${guestCart}`);
    const order = await guest.request('GET', `/api/store/orders/${guestOrder.orderId}`);

    assert.equal(cart.statusCode, 200);
    assert.equal(order.statusCode, 200);
  });

  it('open through a signed order link, even for a signed-in customer', async () => {
    const { orderId, orderToken } = guestOrder;

    const response = await bob.browser.request(
      'GET',
      `/api/store/orders/${orderId}?token=${encodeURIComponent(orderToken)}`,
    );

    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().id, orderId);
  });

  it('reject a signed order link with any character changed', async () => {
    const { orderId, orderToken } = guestOrder;

    for (let index = 0; index < orderToken.length; index += 1) {
      const original = orderToken[index] ?? '';
      const replacement = /[0-9]/.test(original)
        ? String((Number(original) + 1) % 10)
        : original === 'A'
          ? 'B'
          : 'A';
      const altered = orderToken.slice(0, index) + replacement + orderToken.slice(index + 1);

      const response = await bob.browser.request(
        'GET',
        `/api/store/orders/${orderId}?token=${encodeURIComponent(altered)}`,
      );
      assert.equal(response.statusCode, 404, `position ${index}`);
    }
  });

  it('answer 401 on the account routes without a session', async () => {
    const response = await guest.request('GET', `/api/store/account/orders/${owned.orderId}`);

    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'AUTHENTICATION_REQUIRED');
  });
});

describe("a customer's cart and order on a shared browser", () => {
  it('are hidden once the session is gone, though the visitor cookie stays', async () => {
    const carol = await signedInCustomer(store, 'carol@example.com', 'Carol Shared');
    const cartId = await cartWith(carol.browser, store.catalog.hat);
    const orderCart = await cartWith(carol.browser, store.catalog.giftCard);
    const { orderId, orderToken } = await placeOrder(
      store,
      carol.browser,
      orderCart,
      validCheckout,
    );
    const sharedVisitor = carol.browser.cookies.get('__Host-cart') ?? '';
    assert.notEqual(sharedVisitor, '');

    // Carol's session ends; Dave logs in on the same browser, which keeps the visitor cookie.
    const dave = await signedInCustomer(store, 'dave@example.com', 'Dave Next');
    dave.browser.cookies.set('__Host-cart', sharedVisitor);
    const guestOnSameBrowser = new Browser(store.app);
    guestOnSameBrowser.cookies.set('__Host-cart', sharedVisitor);

    for (const browser of [dave.browser, guestOnSameBrowser]) {
      const cart = await browser.request('GET', `/api/store/carts/${cartId}`);
      const order = await browser.request('GET', `/api/store/orders/${orderId}`);
      assert.equal(cart.statusCode, 404);
      assert.equal(order.statusCode, 404);
    }

    const viaLink = await guestOnSameBrowser.request(
      'GET',
      `/api/store/orders/${orderId}?token=${encodeURIComponent(orderToken)}`,
    );
    assert.equal(viaLink.statusCode, 200);
  });

  it('follow the customer to another browser', async () => {
    const erin = await signedInCustomer(store, 'erin@example.com', 'Erin Travels');
    const cartId = await cartWith(erin.browser, store.catalog.hat);
    const elsewhere = new Browser(store.app);
    elsewhere.cookies.set('__Host-session', await startSession(store, erin.id));

    const response = await elsewhere.request('GET', `/api/store/carts/${cartId}`);

    assert.equal(response.statusCode, 200);
    assert.equal(response.json().lines.length, 1);
  });

  it('records the order under the customer who placed it', async () => {
    const row = await store.db
      .selectFrom('orders')
      .select('customer_id')
      .where('id', '=', owned.orderId)
      .executeTakeFirstOrThrow();

    assert.equal(row.customer_id, alice.id);
  });
});
