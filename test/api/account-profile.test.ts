import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { hashToken } from '../../src/server/ids.js';
import { type StoreTest, startStoreTest, validCheckout } from '../support/store-api.js';
import {
  cartWith,
  placeOrder,
  signedInCustomer,
  snapshotAccounts,
  startSession,
  type TestCustomer,
} from './account-support.js';
import { Browser } from './auth-support.js';

let store: StoreTest;
let ada: TestCustomer;

before(async () => {
  store = await startStoreTest();
  ada = await signedInCustomer(store, 'ada@example.com', 'Ada Lovelace');
});

after(() => store.close());

describe('account routes', () => {
  const routes: [string, string][] = [
    ['GET', '/api/store/account'],
    ['GET', '/api/store/account/addresses'],
    ['GET', '/api/store/account/orders'],
    ['GET', '/api/store/account/sessions'],
    ['GET', '/api/store/account/reviews'],
  ];

  it('answer 401 without a session', async () => {
    const guest = new Browser(store.app);

    for (const [method, url] of routes) {
      const response = await guest.request(method as 'GET', url);
      assert.equal(response.statusCode, 401, url);
      assert.equal(response.json().code, 'AUTHENTICATION_REQUIRED', url);
    }
  });

  it('answer 401 to a session still waiting for its second factor', async () => {
    const pending = new Browser(store.app);
    pending.cookies.set('__Host-session', await startSession(store, ada.id, 'mfa_pending'));

    for (const [method, url] of routes) {
      const response = await pending.request(method as 'GET', url);
      assert.equal(response.statusCode, 401, url);
    }
  });

  it('are sent no-store', async () => {
    for (const [method, url] of routes) {
      const response = await ada.browser.request(method as 'GET', url);
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.headers['cache-control'], 'no-store', url);
    }
  });

  it('are described in OpenAPI under the account tag', async () => {
    const spec = (await store.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const paths = Object.keys(spec.paths).filter((path) => path.startsWith('/api/store/account'));

    assert.ok(paths.length >= 8);
    for (const path of paths) {
      for (const [method, operation] of Object.entries<{ tags: string[]; responses: object }>(
        spec.paths[path],
      )) {
        assert.deepEqual(operation.tags, ['account'], `${method} ${path}`);
        assert.ok('401' in operation.responses, `${method} ${path} documents 401`);
      }
    }
  });
});

describe('profile', () => {
  it('shows the email and name but no password hash', async () => {
    const response = await ada.browser.request('GET', '/api/store/account');

    assert.equal(response.statusCode, 200);
    assert.deepEqual(Object.keys(response.json()).sort(), [
      'createdAt',
      'email',
      'emailConfirmed',
      'name',
    ]);
    assert.equal(response.json().email, 'ada@example.com');
    assert.equal(response.json().emailConfirmed, true);
    assert.ok(!response.body.includes('not-a-password-hash'));
  });

  it('changes the name, trimmed', async () => {
    const response = await ada.browser.request('PATCH', '/api/store/account', {
      name: '  Augusta Ada King  ',
    });

    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().name, 'Augusta Ada King');
  });

  it('rejects a name with a control character, an empty one and unknown fields', async () => {
    const before = await snapshotAccounts(store.db);
    const bodies = [
      { name: 'Ada\u202Eecalevol' },
      { name: '   ' },
      { name: 'Ada', email: 'mallory@example.com' },
      { email: 'mallory@example.com' },
    ];

    for (const body of bodies) {
      const response = await ada.browser.request('PATCH', '/api/store/account', body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
    }
    assert.deepEqual(await snapshotAccounts(store.db), before);
  });
});

describe('addresses', () => {
  let addressId: string;

  it('saves an address with the checkout rules', async () => {
    const response = await ada.browser.request('POST', '/api/store/account/addresses', {
      ...validCheckout.shippingAddress,
      country: 'GB',
      postalCode: ' SW1A 1AA ',
    });

    assert.equal(response.statusCode, 201, response.body);
    addressId = response.json().id;
    assert.equal(response.json().postalCode, 'SW1A 1AA');
    assert.equal(response.json().line2, '');
  });

  it('rejects an unassigned country code', async () => {
    const response = await ada.browser.request('POST', '/api/store/account/addresses', {
      ...validCheckout.shippingAddress,
      country: 'ZZ',
    });

    assert.equal(response.statusCode, 400);
    assert.match(response.json().detail, /country/);
  });

  it('changes one field and keeps the others', async () => {
    const response = await ada.browser.request(
      'PATCH',
      `/api/store/account/addresses/${addressId}`,
      {
        city: 'London',
      },
    );

    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().city, 'London');
    assert.equal(response.json().country, 'GB');
  });

  it('rejects an empty change and unknown fields', async () => {
    const empty = await ada.browser.request(
      'PATCH',
      `/api/store/account/addresses/${addressId}`,
      {},
    );
    const unknown = await ada.browser.request(
      'PATCH',
      `/api/store/account/addresses/${addressId}`,
      {
        customerId: 'someone-else',
      },
    );

    assert.equal(empty.statusCode, 400);
    assert.equal(unknown.statusCode, 400);
  });

  it('lists and deletes addresses', async () => {
    const listed = await ada.browser.request('GET', '/api/store/account/addresses');
    const deleted = await ada.browser.request(
      'DELETE',
      `/api/store/account/addresses/${addressId}`,
    );
    const again = await ada.browser.request('DELETE', `/api/store/account/addresses/${addressId}`);

    assert.deepEqual(
      listed.json().items.map((item: { id: string }) => item.id),
      [addressId],
    );
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    assert.equal(again.statusCode, 404);
  });

  it('keeps at most 20 addresses per account', async () => {
    const customer = await signedInCustomer(store, 'many@example.com');
    for (let index = 0; index < 20; index += 1) {
      const response = await customer.browser.request('POST', '/api/store/account/addresses', {
        ...validCheckout.shippingAddress,
      });
      assert.equal(response.statusCode, 201);
    }

    const response = await customer.browser.request('POST', '/api/store/account/addresses', {
      ...validCheckout.shippingAddress,
    });

    assert.equal(response.statusCode, 400);
    const count = await store.db
      .selectFrom('customer_addresses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 20);
  });
});

describe('orders', () => {
  it('lists orders placed while signed in, newest first, a page at a time', async () => {
    const customer = await signedInCustomer(store, 'orders@example.com');
    const placed: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const cartId = await cartWith(customer.browser, store.catalog.giftCard);
      placed.push((await placeOrder(store, customer.browser, cartId, validCheckout)).orderId);
    }

    const first = await customer.browser.request('GET', '/api/store/account/orders?limit=2');
    const cursor = first.json().nextCursor;
    const second = await customer.browser.request(
      'GET',
      `/api/store/account/orders?limit=2&cursor=${cursor}`,
    );

    const ids = [...first.json().items, ...second.json().items].map(
      (item: { id: string }) => item.id,
    );
    assert.deepEqual(ids, [...placed].reverse());
    assert.equal(second.json().nextCursor, null);
    assert.equal(first.json().items[0].itemCount, 1);
    assert.equal(first.json().items[0].status, 'pending_payment');
  });

  it('shows one order in full', async () => {
    const cartId = await cartWith(ada.browser, store.catalog.giftCard);
    const { orderId } = await placeOrder(store, ada.browser, cartId, validCheckout);

    const response = await ada.browser.request('GET', `/api/store/account/orders/${orderId}`);

    assert.equal(response.statusCode, 200);
    assert.equal(response.json().id, orderId);
    assert.equal(response.json().lines.length, 1);
  });

  it('rejects a forged cursor', async () => {
    const response = await ada.browser.request('GET', '/api/store/account/orders?cursor=AAAA');

    assert.equal(response.statusCode, 400);
  });
});

describe('sessions', () => {
  it('lists each session once, marking the current one', async () => {
    const customer = await signedInCustomer(store, 'sessions@example.com');
    await startSession(store, customer.id, 'active', 'Phone/1.0');

    const response = await customer.browser.request('GET', '/api/store/account/sessions');

    const items = response.json().items;
    assert.equal(items.length, 2);
    assert.deepEqual(items.map((item: { current: boolean }) => item.current).sort(), [false, true]);
    assert.deepEqual(items.map((item: { userAgent: string }) => item.userAgent).sort(), [
      'Phone/1.0',
      'TestBrowser/1.0',
    ]);
  });

  it('never reveals a token or a token hash', async () => {
    const customer = await signedInCustomer(store, 'hashes@example.com');
    const other = await startSession(store, customer.id);
    const rows = await store.db
      .selectFrom('sessions')
      .select('token_hash')
      .where('account_id', '=', customer.id)
      .execute();

    const response = await customer.browser.request('GET', '/api/store/account/sessions');

    assert.equal(rows.length, 2);
    for (const secret of [customer.token, other, ...rows.map((row) => row.token_hash)]) {
      assert.ok(!response.body.includes(secret));
      assert.ok(!response.body.includes(secret.slice(0, 16)));
    }
    for (const item of response.json().items) {
      assert.ok(!rows.some((row) => row.token_hash === item.id));
      assert.notEqual(item.id, hashToken(customer.token));
    }
  });

  it('ends another session, which then stops working', async () => {
    const customer = await signedInCustomer(store, 'end-other@example.com');
    const phone = new Browser(store.app);
    phone.cookies.set('__Host-session', await startSession(store, customer.id));
    const listed = await customer.browser.request('GET', '/api/store/account/sessions');
    const otherId = listed.json().items.find((item: { current: boolean }) => !item.current).id;

    const ended = await customer.browser.request(
      'DELETE',
      `/api/store/account/sessions/${otherId}`,
    );

    assert.equal(ended.statusCode, 204);
    assert.equal((await phone.request('GET', '/api/store/account')).statusCode, 401);
    assert.equal((await customer.browser.request('GET', '/api/store/account')).statusCode, 200);
  });

  it('ends the current session and clears its cookie', async () => {
    const customer = await signedInCustomer(store, 'end-current@example.com');
    const listed = await customer.browser.request('GET', '/api/store/account/sessions');
    const currentId = listed.json().items[0].id;

    const ended = await customer.browser.request(
      'DELETE',
      `/api/store/account/sessions/${currentId}`,
    );

    assert.equal(ended.statusCode, 204);
    assert.equal(customer.browser.session, undefined);
    const replay = new Browser(store.app);
    replay.cookies.set('__Host-session', customer.token);
    assert.equal((await replay.request('GET', '/api/store/account')).statusCode, 401);
  });
});
