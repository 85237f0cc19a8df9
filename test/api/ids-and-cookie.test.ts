import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { signVisitorToken, visitorCookie } from '../../src/cart/visitor.js';
import { hashToken, randomToken } from '../../src/server/ids.js';
import { type StoreTest, startStoreTest, validCheckout, Visitor } from '../support/store-api.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

// randomId(): 16 random bytes as 22 base64url characters.
const idPattern = /^[A-Za-z0-9_-]{22}$/;

function decodedBits(id: string): number {
  return Buffer.from(id, 'base64url').length * 8;
}

describe('visitor cookie', () => {
  it('is set with the __Host- attributes', async () => {
    const response = await store.app.inject({ method: 'POST', url: '/api/store/carts' });

    const header = String(response.headers['set-cookie']);
    const cookie = response.cookies.find((entry) => entry.name === visitorCookie);
    assert.ok(cookie, header);
    assert.match(header, /^__Host-cart=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43};/);
    assert.match(header, /; HttpOnly/);
    assert.match(header, /; Secure/);
    assert.match(header, /; SameSite=Lax/);
    assert.match(header, /; Path=\/(;|$)/);
    assert.doesNotMatch(header, /Domain=/i);
    const [token = '', signature = ''] = cookie.value.split('.');
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.equal(signature, signVisitorToken(signingKey(), token).split('.')[1]);
  });

  it('is kept when the visitor already has one', async () => {
    const visitor = new Visitor(store.app);
    await visitor.createCart();
    const first = visitor.cookie;

    const response = await visitor.request('POST', '/api/store/carts');

    assert.equal(response.headers['set-cookie'], undefined);
    assert.equal(visitor.cookie, first);
  });

  it('is replaced when malformed', async () => {
    const response = await store.app.inject({
      method: 'POST',
      url: '/api/store/carts',
      headers: { cookie: `${visitorCookie}=not-a-token` },
    });

    const cookie = response.cookies.find((entry) => entry.name === visitorCookie);
    assert.match(cookie?.value ?? '', /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
  });

  it('is stored only as its SHA-256', async () => {
    const visitor = new Visitor(store.app);
    const cartId = await visitor.createCart();
    const token = (visitor.cookie ?? '').split('.')[0] ?? '';

    const cart = await store.db
      .selectFrom('carts')
      .select('visitor_hash')
      .where('id', '=', cartId)
      .executeTakeFirstOrThrow();
    const rows = await store.db.selectFrom('carts').selectAll().execute();

    assert.equal(cart.visitor_hash, hashToken(token));
    assert.equal(JSON.stringify(rows).includes(token), false);
  });
});

describe('visitor cookie fixation', () => {
  // An attacker who can plant a cookie in the shopper's browser picks a token they know, so the
  // shopper's cart and orders would be filed under the attacker's visitor hash.
  // Built per test, because the shop's signing key exists only once `before` has run.
  const plantedToken = randomToken();
  const planted: Record<string, () => string> = {
    'an unsigned token': () => plantedToken,
    'a token signed with another key': () => signVisitorToken(randomBytes(32), plantedToken),
    'a token with a changed signature': () =>
      flipLastCharacter(signVisitorToken(signingKey(), plantedToken)),
    'a signature moved to another token': () =>
      `${plantedToken}.${signVisitorToken(signingKey(), randomToken()).split('.')[1]}`,
  };

  for (const [name, plant] of Object.entries(planted)) {
    it(`ignores ${name}`, async () => {
      const victim = new Visitor(store.app);
      victim.cookie = plant();

      const response = await victim.request('POST', '/api/store/carts');

      assert.equal(response.statusCode, 201);
      const issued = response.cookies.find((entry) => entry.name === visitorCookie);
      assert.ok(issued, 'a fresh cookie replaces the planted one');
      assert.notEqual(issued.value.split('.')[0], plantedToken);
      const plantedCarts = await store.db
        .selectFrom('carts')
        .select('id')
        .where('visitor_hash', '=', hashToken(plantedToken))
        .execute();
      assert.deepEqual(plantedCarts, []);
    });
  }

  it('shows a planted unsigned token no cart', async () => {
    const owner = new Visitor(store.app);
    const cartId = await owner.cartWith(store.catalog.hat, 1);
    const ownerToken = (owner.cookie ?? '').split('.')[0] ?? '';
    const attacker = new Visitor(store.app);
    attacker.cookie = ownerToken;

    const response = await attacker.request('GET', `/api/store/carts/${cartId}`);

    assert.equal(response.statusCode, 404);
  });
});

function signingKey(): Buffer {
  return store.shop.deps.secrets.signingKey;
}

function flipLastCharacter(value: string): string {
  const last = value.at(-1) === 'A' ? 'B' : 'A';
  return `${value.slice(0, -1)}${last}`;
}

describe('identifiers', () => {
  it('gives carts random 128-bit ids', async () => {
    const visitor = new Visitor(store.app);
    const ids: string[] = [];
    for (let count = 0; count < 40; count += 1) ids.push(await visitor.createCart());

    for (const id of ids) {
      assert.match(id, idPattern);
      assert.ok(decodedBits(id) >= 128);
    }
    assert.equal(new Set(ids).size, ids.length);
    assert.notDeepEqual([...ids].sort(), ids, 'ids sort in creation order');
    assert.equal(
      ids.some((id) => /^\d+$/.test(id)),
      false,
    );
  });

  it('gives lines and orders random 128-bit ids', async () => {
    const visitor = new Visitor(store.app);
    const orderIds: string[] = [];
    const lineIds: string[] = [];

    for (let count = 0; count < 5; count += 1) {
      const cartId = await visitor.cartWith(store.catalog.giftCard, 1);
      const cart = await visitor.request('GET', `/api/store/carts/${cartId}`);
      lineIds.push(cart.json().lines[0].id);
      const placed = await visitor.request(
        'POST',
        `/api/store/carts/${cartId}/checkout`,
        validCheckout,
      );
      orderIds.push(placed.json().orderId);
    }

    for (const id of [...orderIds, ...lineIds]) {
      assert.match(id, idPattern);
      assert.ok(decodedBits(id) >= 128);
    }
    assert.equal(new Set(orderIds).size, orderIds.length);
    assert.equal(new Set(lineIds).size, lineIds.length);
  });
});
