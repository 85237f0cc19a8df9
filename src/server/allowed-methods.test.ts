import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Fastify from 'fastify';

import { collectRoutes, routePattern } from './allowed-methods.js';

describe('routePattern', () => {
  it('matches a static path exactly', () => {
    const pattern = routePattern('/api/openapi.json');

    assert.equal(pattern.test('/api/openapi.json'), true);
    assert.equal(pattern.test('/api/openapiXjson'), false);
    assert.equal(pattern.test('/api/openapi.json/extra'), false);
  });

  it('matches one segment per parameter', () => {
    const pattern = routePattern('/api/store/carts/:id/lines/:lineId');

    assert.equal(pattern.test('/api/store/carts/abc/lines/def'), true);
    assert.equal(pattern.test('/api/store/carts/abc/lines/'), false);
    assert.equal(pattern.test('/api/store/carts/a/b/lines/def'), false);
  });

  it('matches any rest for a wildcard', () => {
    const pattern = routePattern('/files/*');

    assert.equal(pattern.test('/files/a/b/c.txt'), true);
    assert.equal(pattern.test('/other/a'), false);
  });
});

describe('collectRoutes', () => {
  it('lists the methods of routes in plugins too', async () => {
    const app = Fastify();
    const table = collectRoutes(app);
    app.get('/items/:id', async () => ({}));
    app.delete('/items/:id', async () => ({}));
    await app.register(async (scope) => {
      scope.post('/items/:id', async () => ({}));
    });
    await app.ready();

    assert.deepEqual(table.allowedMethods('/items/7'), ['DELETE', 'GET', 'HEAD', 'POST']);
    assert.deepEqual(table.allowedMethods('/items'), []);
    await app.close();
  });
});
