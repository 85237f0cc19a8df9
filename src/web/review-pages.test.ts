import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';

import { startKettleShop } from '../../test/support/kettle-shop.js';
import type { TestShop } from '../../test/support/shop.js';
import {
  assertSubresourcesFromManifest,
  Browser,
  postFormsOf,
  tagsNamed,
} from '../../test/support/storefront.js';
import { createSession } from '../auth/sessions.js';
import { nowIso, randomId } from '../server/ids.js';

let shop: TestShop;

before(async () => {
  ({ shop } = await startKettleShop());
});

after(() => shop.close());

let customerCount = 0;

/**
 * Inserts a confirmed customer and returns a browser signed in as them. Registration and login
 * have their own tests; here only the review forms are under test.
 */
async function signedInCustomer(name: string): Promise<{ id: string; browser: Browser }> {
  customerCount += 1;
  const id = randomId();
  const now = nowIso();
  await shop.db.kysely
    .insertInto('customers')
    .values({
      id,
      email: `reviewer${customerCount}@example.com`,
      email_confirmed_at: now,
      password_hash: 'not-a-password-hash',
      name,
      created_at: now,
      updated_at: now,
    })
    .execute();

  const token = await createSession(shop.db.kysely, {
    realm: 'customer',
    accountId: id,
    stage: 'active',
    userAgent: 'TestBrowser/1.0',
    ip: '127.0.0.1',
    timeouts: shop.deps.config.sessions.customer,
  });
  const browser = new Browser(shop.app);
  browser.setCookie('__Host-session', token);
  return { id, browser };
}

async function reviewsOf(customerId: string) {
  return shop.db.kysely
    .selectFrom('reviews')
    .selectAll()
    .where('customer_id', '=', customerId)
    .execute();
}

async function allReviews() {
  return shop.db.kysely.selectFrom('reviews').selectAll().orderBy('id').execute();
}

async function deniedEventsFor(id: string) {
  const events = await shop.db.kysely
    .selectFrom('security_events')
    .select('details')
    .where('kind', '=', 'object_access_denied')
    .execute();
  return events.filter((event) => JSON.parse(event.details).id === id);
}

/** Writes a review through the product page's form, as a browser without JavaScript does. */
async function writeReview(browser: Browser, rating: string, body: string, handle = 'kettle') {
  await browser.get(`/products/${handle}`);
  const response = await browser.postForm(`/products/${handle}/reviews`, { rating, body });
  assert.equal(response.statusCode, 303, response.body);
  assert.equal(response.headers.location, `/products/${handle}#reviews`);
}

/** Returns the reviews section of a product page. */
function reviewsSectionOf(html: string): string {
  const match = /<section class="reviews"[\s\S]*?<\/section>/.exec(html);
  assert.ok(match, 'the product page has no reviews section');
  return match[0];
}

/** Returns the page with its request id, which differs on every response, replaced. */
function withoutRequestId(response: LightMyRequestResponse): string {
  const requestId = String(response.headers['x-request-id']);
  return response.body.split(requestId).join('<request id>');
}

describe('product reviews on the product page', () => {
  after(async () => {
    await shop.db.kysely.deleteFrom('reviews').execute();
  });

  it('shows reviews with first names, count and average', async () => {
    const ada = await signedInCustomer('Ada Lovelace');
    const grace = await signedInCustomer('Grace Brewster Hopper');
    await writeReview(ada.browser, '5', 'Boils fast.');
    await writeReview(grace.browser, '4', 'Pretty, but the handle gets warm.');

    const page = await new Browser(shop.app).get('/products/ebook');
    const section = reviewsSectionOf((await new Browser(shop.app).get('/products/kettle')).body);

    assert.match(reviewsSectionOf(page.body), /No reviews yet\./);
    assert.match(section, /Rated 4\.5 out of 5 on average, from 2 reviews\./);
    assert.match(section, /<strong>Ada<\/strong>/);
    assert.match(section, /<strong>Grace<\/strong>/);
    assert.doesNotMatch(section, /Lovelace|Hopper|Brewster/);
    assert.match(section, /Boils fast\./);
    assert.match(section, /5 out of 5 stars/);
    assert.match(section, /4 out of 5 stars/);
    assert.match(section, /<a href="\/account\/login">Log in<\/a> to write a review/);
    assert.deepEqual(postFormsOf(section), [], 'a guest gets no review form');
  });

  it('pages through older reviews', async () => {
    await shop.db.kysely.deleteFrom('reviews').execute();
    for (let index = 0; index < 11; index += 1) {
      const { browser } = await signedInCustomer(`Reviewer${index} Test`);
      await writeReview(browser, '3', `Review number ${index}.`);
    }
    const browser = new Browser(shop.app);

    const first = reviewsSectionOf((await browser.get('/products/kettle')).body);
    const more = /<a href="([^"]+)">Older reviews<\/a>/.exec(first)?.[1];
    assert.ok(more, 'the first page links the older reviews');
    const second = reviewsSectionOf((await browser.get(more.replaceAll('&amp;', '&'))).body);

    assert.match(first, /from 11 reviews/);
    assert.equal((first.match(/class="review"/g) ?? []).length, 10);
    assert.equal((second.match(/class="review"/g) ?? []).length, 1);
    assert.match(second, /Review number 0\./);
    assert.doesNotMatch(second, /Older reviews/);
  });

  it('writes, edits and deletes a review through forms', async () => {
    const ada = await signedInCustomer('Ada Lovelace');
    const empty = await ada.browser.get('/products/kettle');
    const createForm = postFormsOf(reviewsSectionOf(empty.body));
    assert.deepEqual(
      createForm.map((form) => form.action),
      ['/products/kettle/reviews'],
    );
    assert.equal(createForm[0]?.csrf.length, 1, 'the review form carries a CSRF token');

    await writeReview(ada.browser, '2', 'Too small.\r\nSecond line.');
    const [written] = await reviewsOf(ada.id);
    assert.ok(written, 'the review was stored');
    assert.equal(written.rating, 2);
    assert.equal(written.body, 'Too small.\nSecond line.');

    const own = reviewsSectionOf((await ada.browser.get('/products/kettle')).body);
    assert.match(own, /<h3>Your review<\/h3>/);
    assert.match(own, /<option value="2" selected>/);
    assert.match(own, /<textarea[^>]*>Too small\.\nSecond line\.<\/textarea>/);
    assert.deepEqual(
      postFormsOf(own).map((form) => form.action),
      [`/account/reviews/${written.id}`, `/account/reviews/${written.id}/delete`],
    );

    const edited = await ada.browser.postForm(`/account/reviews/${written.id}`, {
      rating: '4',
      body: 'Grew on me.',
    });
    assert.equal(edited.statusCode, 303, edited.body);
    assert.equal(edited.headers.location, '/products/kettle#reviews');
    const [changed] = await reviewsOf(ada.id);
    assert.equal(changed?.rating, 4);
    assert.equal(changed?.body, 'Grew on me.');

    const deleted = await ada.browser.postForm(`/account/reviews/${written.id}/delete`, {});
    assert.equal(deleted.statusCode, 303, deleted.body);
    assert.equal(deleted.headers.location, '/products/kettle#reviews');
    assert.deepEqual(await reviewsOf(ada.id), []);
  });

  it('shows a rejected review form again with the text kept', async () => {
    const ada = await signedInCustomer('Ada Lovelace');
    await ada.browser.get('/products/kettle');
    const before = await allReviews();

    const noRating = await ada.browser.postForm('/products/kettle/reviews', {
      rating: '',
      body: 'Kept text',
    });
    const noText = await ada.browser.postForm('/products/kettle/reviews', {
      rating: '5',
      body: '   ',
    });

    assert.equal(noRating.statusCode, 400);
    assert.match(noRating.body, /role="alert"[\s\S]*Choose a rating from 1 to 5 stars\./);
    assert.match(noRating.body, /<select id="review-rating"[^>]*aria-invalid="true"/);
    assert.match(noRating.body, /<textarea[^>]*>Kept text<\/textarea>/);
    assert.equal(noText.statusCode, 400);
    assert.match(noText.body, /The review is required\./);
    assert.match(noText.body, /<textarea[^>]*aria-invalid="true"/);
    assert.deepEqual(await allReviews(), before);
  });

  it('renders HTML and script in a review as text', async () => {
    const mallory = await signedInCustomer('<b>Mallory</b> Evil');
    const attack = '<script>alert(1)</script></textarea><img src=x onerror=alert(2)>"\'';
    await writeReview(mallory.browser, '1', attack);

    for (const browser of [new Browser(shop.app), mallory.browser]) {
      const page = await browser.get('/products/kettle');
      const section = reviewsSectionOf(page.body);

      assert.doesNotMatch(page.body, /<script>alert|<img src=x|<b>Mallory/);
      assert.match(section, /&lt;script>alert\(1\)&lt;\/script>&lt;\/textarea>&lt;img src=x/);
      assert.match(section, /<strong>&lt;b>Mallory&lt;\/b><\/strong>/);
      assert.equal(tagsNamed(section, 'script').length, 0);
      assert.equal(tagsNamed(section, 'img').length, 0);
      assertSubresourcesFromManifest(page.body, shop.deps.assets, 'product page with reviews');
      const csp = String(page.headers['content-security-policy']);
      assert.doesNotMatch(/script-src[^;]*/.exec(csp)?.[0] ?? '', /unsafe-inline/);
    }
    const owner = reviewsSectionOf((await mallory.browser.get('/products/kettle')).body);
    assert.match(owner, /<textarea[^>]*>&lt;script>alert\(1\)&lt;\/script>&lt;\/textarea>/);
  });

  it("answers 404 for another customer's review and records it", async () => {
    const ada = await signedInCustomer('Ada Lovelace');
    const eve = await signedInCustomer('Eve Intruder');
    await writeReview(ada.browser, '5', 'Mine.');
    const [review] = await reviewsOf(ada.id);
    assert.ok(review, 'the review was stored');
    const missingId = randomId();
    await eve.browser.get('/products/kettle');
    const before = await allReviews();

    const attempts = [
      (id: string) => eve.browser.postForm(`/account/reviews/${id}`, { rating: '1', body: 'x' }),
      (id: string) => eve.browser.postForm(`/account/reviews/${id}`, { rating: '9', body: '' }),
      (id: string) => eve.browser.postForm(`/account/reviews/${id}/delete`, {}),
    ];
    for (const attempt of attempts) {
      const foreign = await attempt(review.id);
      const missing = await attempt(missingId);

      assert.equal(foreign.statusCode, 404);
      assert.equal(missing.statusCode, 404);
      assert.equal(withoutRequestId(foreign), withoutRequestId(missing));
    }

    assert.deepEqual(await allReviews(), before);
    assert.equal((await deniedEventsFor(review.id)).length, attempts.length);
    assert.equal((await deniedEventsFor(missingId)).length, 0);
  });

  it('needs a signed-in customer to write a review', async () => {
    const guest = new Browser(shop.app);
    await guest.get('/products/kettle');
    const before = await allReviews();

    const response = await guest.postForm('/products/kettle/reviews', {
      rating: '5',
      body: 'Anonymous praise.',
    });

    assert.equal(response.statusCode, 401);
    assert.deepEqual(await allReviews(), before);
  });
});
