import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type StoreTest, startStoreTest } from '../support/store-api.js';

type Operation = {
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: Record<string, string[]>[];
};
type Description = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { in: string; name: string }> };
};

let store: StoreTest;
let description: Description;

before(async () => {
  store = await startStoreTest();
  const response = await store.app.inject({ method: 'GET', url: '/api/openapi.json' });
  assert.equal(response.statusCode, 200);
  description = response.json<Description>();
});

after(() => store.close());

describe('Store API description', () => {
  it('is OpenAPI 3.1', () => {
    assert.equal(description.openapi, '3.1.0');
  });

  it('documents a problem+json error for every Store API operation', () => {
    const operations = Object.entries(description.paths)
      .filter(([path]) => path.startsWith('/api/store/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ path, method, op })),
      );

    assert.ok(operations.length >= 10, `only ${operations.length} operations`);
    for (const { path, method, op } of operations) {
      const problems = Object.entries(op.responses).filter(
        ([status, response]) =>
          Number(status) >= 400 && response.content?.['application/problem+json'] !== undefined,
      );
      assert.ok(problems.length > 0, `${method.toUpperCase()} ${path} documents no error`);
    }
  });

  it('names the visitor cookie', () => {
    const scheme = description.components.securitySchemes.visitorCookie;

    assert.equal(scheme?.in, 'cookie');
    assert.equal(scheme?.name, '__Host-cart');
  });
});

describe('Store API media types', () => {
  it('names the session cookie on account routes', () => {
    const scheme = description.components.securitySchemes.customerSession;
    const accountOperations = Object.entries(description.paths)
      .filter(([path]) => path.startsWith('/api/store/account'))
      .flatMap(([, operations]) => Object.values(operations));

    assert.equal(scheme?.in, 'cookie');
    assert.equal(scheme?.name, '__Host-session');
    assert.ok(accountOperations.length >= 10, `only ${accountOperations.length} operations`);
    for (const operation of accountOperations) {
      assert.deepEqual(operation.security, [{ customerSession: [] }]);
    }
  });

  it('documents the auth routes', () => {
    for (const path of ['register', 'login', 'logout', 'password-reset', 'mfa/verify']) {
      assert.ok(description.paths[`/api/store/auth/${path}`]?.post, `POST /api/store/auth/${path}`);
    }
  });

  it('rejects a form body with 415 and creates nothing', async () => {
    const before = await store.db.selectFrom('carts').select('id').execute();

    const response = await store.app.inject({
      method: 'POST',
      url: '/api/store/carts',
      payload: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    assert.equal(response.statusCode, 415);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    assert.deepEqual(await store.db.selectFrom('carts').select('id').execute(), before);
  });

  it('accepts JSON with a charset and a body-less create', async () => {
    const withCharset = await store.app.inject({
      method: 'POST',
      url: '/api/store/carts',
      payload: '{}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    const bodyless = await store.app.inject({ method: 'POST', url: '/api/store/carts' });

    assert.equal(withCharset.statusCode, 201, withCharset.body);
    assert.equal(bodyless.statusCode, 201, bodyless.body);
  });
});
