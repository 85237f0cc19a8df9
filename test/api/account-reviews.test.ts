import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { signedInCustomer, snapshotAccounts, type TestCustomer } from './account-support.js';
import { Browser } from './auth-support.js';

let store: StoreTest;
let ada: TestCustomer;
let grace: TestCustomer;

before(async () => {
  store = await startStoreTest();
  ada = await signedInCustomer(store, 'ada@example.com', 'Ada Lovelace');
  grace = await signedInCustomer(store, 'grace@example.com', '  Grace   Brewster Hopper ');
});

after(() => store.close());

const hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> & "quotes"\nline two';

describe('writing reviews', () => {
  let reviewId: string;

  it('stores a review as plain text, exactly as written', async () => {
    const response = await ada.browser.request('POST', '/api/store/account/reviews', {
      productHandle: 'wool-hat',
      rating: 5,
      body: hostile,
    });

    assert.equal(response.statusCode, 201, response.body);
    reviewId = response.json().id;
    assert.equal(response.json().body, hostile);
    assert.equal(response.json().productHandle, 'wool-hat');
    assert.equal(response.json().productTitle, 'Wool Hat');
  });

  it('refuses a second review of the same product', async () => {
    const before = await snapshotAccounts(store.db);

    const response = await ada.browser.request('POST', '/api/store/account/reviews', {
      productHandle: 'wool-hat',
      rating: 1,
      body: 'Changed my mind.',
    });

    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'ALREADY_EXISTS');
    assert.equal(response.json().reviewId, reviewId);
    assert.deepEqual(await snapshotAccounts(store.db), before);
  });

  it('answers 404 for products not for sale', async () => {
    for (const productHandle of ['no-such-product', 'draft-mug', 'old-scarf', 'hidden-tote']) {
      const response = await ada.browser.request('POST', '/api/store/account/reviews', {
        productHandle,
        rating: 3,
        body: 'Fine.',
      });
      assert.equal(response.statusCode, 404, productHandle);
    }
  });

  it('rejects bad ratings, control characters, long text and unknown fields', async () => {
    const before = await snapshotAccounts(store.db);
    const base = { productHandle: 'poster', rating: 3, body: 'Fine.' };
    const bodies = [
      { ...base, rating: 0 },
      { ...base, rating: 6 },
      { ...base, rating: 4.5 },
      { ...base, rating: '5' },
      { ...base, body: '' },
      { ...base, body: '   ' },
      { ...base, body: 'bell\u0007' },
      { ...base, body: 'right-to-left \u202E override' },
      { ...base, body: 'x'.repeat(4001) },
      { ...base, customerId: grace.id },
      { ...base, createdAt: '2000-01-01T00:00:00.000Z' },
    ];

    for (const body of bodies) {
      const response = await ada.browser.request('POST', '/api/store/account/reviews', body);
      assert.equal(response.statusCode, 400, JSON.stringify(body).slice(0, 80));
    }
    assert.deepEqual(await snapshotAccounts(store.db), before);
  });

  it('changes the rating and text', async () => {
    const response = await ada.browser.request('PATCH', `/api/store/account/reviews/${reviewId}`, {
      rating: 4,
    });

    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().rating, 4);
    assert.equal(response.json().body, hostile);
    assert.ok(response.json().updatedAt >= response.json().createdAt);
  });

  it("lists the customer's own reviews", async () => {
    const response = await ada.browser.request('GET', '/api/store/account/reviews');

    assert.deepEqual(
      response.json().items.map((item: { id: string }) => item.id),
      [reviewId],
    );
  });
});

describe('public reviews of a product', () => {
  before(async () => {
    const response = await grace.browser.request('POST', '/api/store/account/reviews', {
      productHandle: 'wool-hat',
      rating: 1,
      body: 'Itchy.',
    });
    assert.equal(response.statusCode, 201);
  });

  it('show the first name only, to anyone', async () => {
    const anonymous = new Browser(store.app);

    const response = await anonymous.request('GET', '/api/store/products/wool-hat/reviews');

    assert.equal(response.statusCode, 200);
    const names = response.json().items.map((item: { reviewerName: string }) => item.reviewerName);
    assert.deepEqual(names.sort(), ['Ada', 'Grace']);
    for (const personal of ['Lovelace', 'Hopper', 'Brewster', '@example.com', ada.id, grace.id]) {
      assert.ok(!response.body.includes(personal), personal);
    }
  });

  it('count and average the ratings', async () => {
    const response = await store.app.inject({
      method: 'GET',
      url: '/api/store/products/wool-hat/reviews',
    });

    assert.equal(response.json().count, 2);
    assert.equal(response.json().averageRating, 2.5);
  });

  it('return review text as JSON text, never as markup', async () => {
    const response = await store.app.inject({
      method: 'GET',
      url: '/api/store/products/wool-hat/reviews',
    });

    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    const bodies = response.json().items.map((item: { body: string }) => item.body);
    assert.ok(bodies.includes(hostile));
  });

  it('come a page at a time', async () => {
    const first = await store.app.inject({
      method: 'GET',
      url: '/api/store/products/wool-hat/reviews?limit=1',
    });
    const second = await store.app.inject({
      method: 'GET',
      url: `/api/store/products/wool-hat/reviews?limit=1&cursor=${first.json().nextCursor}`,
    });

    assert.equal(first.json().items.length, 1);
    assert.equal(second.json().items.length, 1);
    assert.notEqual(first.json().items[0].id, second.json().items[0].id);
    assert.equal(second.json().nextCursor, null);
  });

  it('answer 404 for a product not for sale', async () => {
    const response = await store.app.inject({
      method: 'GET',
      url: '/api/store/products/draft-mug/reviews',
    });

    assert.equal(response.statusCode, 404);
  });

  it('leave out a deleted review', async () => {
    const mine = await grace.browser.request('GET', '/api/store/account/reviews');
    const deleted = await grace.browser.request(
      'DELETE',
      `/api/store/account/reviews/${mine.json().items[0].id}`,
    );

    const response = await store.app.inject({
      method: 'GET',
      url: '/api/store/products/wool-hat/reviews',
    });

    assert.equal(deleted.statusCode, 204);
    assert.equal(response.json().count, 1);
    assert.equal(response.json().averageRating, 4);
  });
});
