import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';

import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { AppError } from '../server/errors.js';
import { validatorCompiler } from '../server/validation.js';
import { csrfToken, registerCsrfCheck } from './csrf.js';
import { openAuthTestDb } from './test-db.js';

const key = randomBytes(32);
const binding = 'session-hash-of-the-shopper';
const form = 'application/x-www-form-urlencoded';

let db: Kysely<Database>;
let close: () => Promise<void>;
let app: FastifyInstance;
// Bodies the handlers received, to prove what reached them and that rejected ones did not.
let received: unknown[];

before(async () => {
  ({ db, close } = await openAuthTestDb());
  app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send({ code: error.code, detail: error.detail });
    }
    return reply.status((error as { statusCode?: number }).statusCode ?? 500).send({
      code: 'OTHER',
      detail: (error as Error).message,
    });
  });
  await app.register(formbody);
  registerCsrfCheck(app, {
    key,
    bindingOf: (request) => (request.headers['x-test-binding'] as string | undefined) ?? null,
    events: { db },
  });

  const bodySchema = {
    type: 'object',
    properties: { name: { type: 'string' } },
    additionalProperties: false,
  };
  app.post('/form', { schema: { body: bodySchema } }, async (request) => {
    received.push({ ...(request.body as object) });
    return { ok: true };
  });
  app.delete('/form', async () => {
    received.push('delete');
    return { ok: true };
  });
  app.post('/empty', async () => {
    received.push('empty');
    return { ok: true };
  });
  app.post('/hook', { config: { crossSite: true } }, async (request) => {
    received.push({ ...(request.body as object) });
    return { ok: true };
  });
  app.get('/form', async () => ({ ok: true }));
  await app.ready();
});
after(async () => {
  await app.close();
  await close();
});
beforeEach(async () => {
  received = [];
  await db.deleteFrom('security_events').execute();
});

async function csrfEvents() {
  return db
    .selectFrom('security_events')
    .selectAll()
    .where('kind', '=', 'csrf_token_invalid')
    .execute();
}

function postForm(
  payload: string,
  headers: Record<string, string> = { 'x-test-binding': binding },
) {
  return app.inject({
    method: 'POST',
    url: '/form',
    headers: { 'content-type': form, ...headers },
    payload,
  });
}

describe('csrfToken', () => {
  it('is a base64url HMAC bound to the key and the binding', () => {
    const token = csrfToken(key, binding);

    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(token, csrfToken(key, binding));
    assert.notEqual(token, csrfToken(key, 'another-session'));
    assert.notEqual(token, csrfToken(randomBytes(32), binding));
  });
});

describe('registerCsrfCheck', () => {
  it('rejects a form post without a token and records the event', async () => {
    const response = await postForm('name=Ada');

    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'CSRF_TOKEN_INVALID');
    assert.equal(
      response.json().detail,
      'The form has expired; reload the page and submit it again.',
    );
    assert.deepEqual(received, []);
    const events = await csrfEvents();
    assert.equal(events.length, 1);
    assert.deepEqual(JSON.parse(events[0]!.details), {
      method: 'POST',
      path: '/form',
      problem: 'missing_token',
    });
  });

  it('rejects a token made for another binding', async () => {
    const foreign = csrfToken(key, 'the-attacker-session');

    const response = await postForm(`name=Ada&_csrf=${foreign}`);

    assert.equal(response.statusCode, 403);
    assert.deepEqual(received, []);
    assert.equal(JSON.parse((await csrfEvents())[0]!.details).problem, 'wrong_token');
  });

  it('rejects a wrong, truncated or repeated token', async () => {
    const token = csrfToken(key, binding);
    const wrong = [
      token.slice(0, -1),
      `${token}A`,
      'A'.repeat(43),
      csrfToken(randomBytes(32), binding),
    ];

    for (const value of wrong) {
      const response = await postForm(`name=Ada&_csrf=${encodeURIComponent(value)}`);
      assert.equal(response.statusCode, 403, value);
    }
    const repeated = await postForm(`name=Ada&_csrf=${token}&_csrf=${token}`);

    assert.equal(repeated.statusCode, 403);
    assert.deepEqual(received, []);
  });

  it('rejects a form when the browser holds no binding', async () => {
    const response = await postForm(`name=Ada&_csrf=${csrfToken(key, '')}`, {});

    assert.equal(response.statusCode, 403);
    assert.equal(JSON.parse((await csrfEvents())[0]!.details).problem, 'no_binding');
  });

  it('accepts the right token and strips it before validation', async () => {
    const response = await postForm(`name=Ada&_csrf=${csrfToken(key, binding)}`);

    assert.equal(response.statusCode, 200);
    assert.deepEqual(received, [{ name: 'Ada' }]);
    assert.equal((await csrfEvents()).length, 0);
  });

  it('checks other methods and non-form bodies too', async () => {
    const plain = await app.inject({
      method: 'POST',
      url: '/form',
      headers: { 'content-type': 'text/plain', 'x-test-binding': binding },
      payload: `{"name":"Ada","_csrf":"${csrfToken(key, binding)}"}`,
    });
    const deletion = await app.inject({
      method: 'DELETE',
      url: '/form',
      headers: { 'content-type': form, 'x-test-binding': binding },
      payload: 'confirm=1',
    });

    assert.equal(plain.statusCode, 403);
    assert.equal(deletion.statusCode, 403);
    assert.deepEqual(received, []);
  });

  it('leaves JSON bodies to the same-origin check', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/form',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: { name: 'Ada' },
    });

    assert.equal(response.statusCode, 200);
    assert.deepEqual(received, [{ name: 'Ada' }]);
  });

  it('does not strip _csrf from JSON bodies, so strict schemas reject it', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/form',
      headers: { 'content-type': 'application/json' },
      payload: { name: 'Ada', _csrf: 'x' },
    });

    assert.equal(response.statusCode, 400);
    assert.deepEqual(received, []);
  });

  it('lets bodyless posts and safe methods through', async () => {
    const empty = await app.inject({ method: 'POST', url: '/empty' });
    const read = await app.inject({ method: 'GET', url: '/form' });

    assert.equal(empty.statusCode, 200);
    assert.equal(read.statusCode, 200);
    assert.deepEqual(received, ['empty']);
  });

  it('skips routes marked crossSite', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/hook',
      headers: { 'content-type': form },
      payload: 'event=paid',
    });

    assert.equal(response.statusCode, 200);
    assert.deepEqual(received, [{ event: 'paid' }]);
  });
});
