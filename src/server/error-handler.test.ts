import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { Type } from 'typebox';

import { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import { assertSecurityHeaders } from '../../test/support/security-headers.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import { bodyLimitBytes } from './app.js';
import { setErrorPageRenderer } from './error-handler.js';
import { type ErrorCode, errorCatalogue } from './errors.js';

const internalMessage = 'SELECT * FROM secret_table at /work/main/src/x.ts';
const leakMarkers = ['SELECT', 'secret_table', '/work/main', 'x.ts', 'stack', '    at '];

let shop: TestShop;
let handlerCalls = 0;
const logLines: string[] = [];

before(async () => {
  shop = await startTestShop({
    payments: () => new RecordingPaymentGateway(),
    beforeReady: (app) => {
      const logStream = new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      });
      const logger = pino({ level: 'info' }, logStream);
      app.addHook('onRequest', async (request) => {
        request.log = logger.child({ requestId: request.id });
      });

      app.get('/test/fails', async () => {
        throw new Error(internalMessage);
      });
      app.get('/test/items/:id', async () => ({ ok: true }));
      app.get(
        '/test/broken-response',
        {
          schema: {
            response: { 200: Type.Object({ secretColumn: Type.String() }) },
          },
        },
        async () => ({ other: 'value' }),
      );
      app.post(
        '/test/items',
        { schema: { body: Type.Object({ name: Type.String() }, { additionalProperties: false }) } },
        async () => {
          handlerCalls += 1;
          return { ok: true };
        },
      );
    },
  });
});

after(() => shop.close());

beforeEach(async () => {
  handlerCalls = 0;
  logLines.length = 0;
  await shop.db.kysely.deleteFrom('security_events').execute();
});

function assertProblem(response: LightMyRequestResponse, code: ErrorCode): Record<string, unknown> {
  const { status, title } = errorCatalogue[code];
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);

  const problem = response.json() as Record<string, unknown>;
  assert.equal(problem.type, `urn:storefort:problem:${code.toLowerCase().replaceAll('_', '-')}`);
  assert.equal(problem.title, title);
  assert.equal(problem.status, status);
  assert.equal(typeof problem.detail, 'string');
  assert.equal(problem.code, code);
  assert.equal(problem.requestId, response.headers['x-request-id']);
  assertSecurityHeaders(response.headers, `${code} response`);
  return problem;
}

function postItems(payload: string, contentType = 'application/json') {
  return shop.app.inject({
    method: 'POST',
    url: '/test/items',
    headers: { 'content-type': contentType },
    payload,
  });
}

async function securityEventCount(): Promise<number> {
  const rows = await shop.db.kysely.selectFrom('security_events').select('id').execute();
  return rows.length;
}

describe('problem responses', () => {
  it('answers an invalid body with 400', async () => {
    const response = await postItems(JSON.stringify({ name: 5 }));

    const problem = assertProblem(response, 'VALIDATION_FAILED');
    assert.match(String(problem.detail), /name/);
    assert.equal(handlerCalls, 0);
  });

  it('hides the pattern of an invalid id', async () => {
    const response = await shop.app.inject({ method: 'GET', url: '/api/store/carts/not$an$id' });

    const problem = assertProblem(response, 'VALIDATION_FAILED');
    assert.equal(problem.detail, 'id has an invalid format.');
    assert.ok(!response.body.includes('A-Za-z'), response.body);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await postItems('{"name":');

    const problem = assertProblem(response, 'VALIDATION_FAILED');
    assert.equal(problem.detail, 'The body is not valid JSON.');
    assert.equal(handlerCalls, 0);
    assert.equal(await securityEventCount(), 0);
  });

  it('answers an empty JSON body with 400', async () => {
    const response = await postItems('');

    assertProblem(response, 'VALIDATION_FAILED');
    assert.equal(handlerCalls, 0);
  });

  it('rejects a JSON body carrying __proto__', async () => {
    const response = await postItems('{"name":"a","__proto__":{"isAdmin":true}}');

    assertProblem(response, 'VALIDATION_FAILED');
    assert.equal(handlerCalls, 0);
  });

  it('answers an unknown path with 404', async () => {
    const response = await shop.app.inject({ method: 'GET', url: '/test/nothing-here' });

    assertProblem(response, 'NOT_FOUND');
  });

  it('answers a wrong method with 405', async () => {
    for (const method of ['GET', 'DELETE', 'PUT'] as const) {
      const response = await shop.app.inject({ method, url: '/test/items' });

      const problem = assertProblem(response, 'METHOD_NOT_ALLOWED');
      assert.equal(response.headers.allow, 'POST', method);
      assert.match(String(problem.detail), new RegExp(`^${method} `));
    }
  });

  it('lists GET and HEAD for a parametric path', async () => {
    const response = await shop.app.inject({ method: 'POST', url: '/test/items/42' });

    assertProblem(response, 'METHOD_NOT_ALLOWED');
    assert.equal(response.headers.allow, 'GET, HEAD');
  });

  it('answers a body over 64 KiB with 413', async () => {
    const json = JSON.stringify({ name: 'x'.repeat(bodyLimitBytes) });
    const form = `name=${'x'.repeat(bodyLimitBytes)}`;

    const jsonResponse = await postItems(json);
    const formResponse = await postItems(form, 'application/x-www-form-urlencoded');

    assertProblem(jsonResponse, 'PAYLOAD_TOO_LARGE');
    assertProblem(formResponse, 'PAYLOAD_TOO_LARGE');
    assert.equal(handlerCalls, 0);
    assert.equal(await securityEventCount(), 0);
  });

  it('accepts a body just under the limit', async () => {
    const name = 'x'.repeat(bodyLimitBytes - JSON.stringify({ name: '' }).length);

    const response = await postItems(JSON.stringify({ name }));

    assert.equal(response.statusCode, 200);
    assert.equal(handlerCalls, 1);
  });

  it('answers an unsupported Content-Type with 415', async () => {
    const response = await postItems('<name>a</name>', 'application/xml');

    assertProblem(response, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(handlerCalls, 0);
  });

  it('answers invalid percent-encoding with 400', async () => {
    const response = await shop.app.inject({ method: 'GET', url: '/test/items/%E0%A4%A' });

    assertProblem(response, 'VALIDATION_FAILED');
  });

  it('answers an overlong path parameter with 414', async () => {
    const response = await shop.app.inject({
      method: 'GET',
      url: `/test/items/${'a'.repeat(201)}`,
    });

    assertProblem(response, 'URI_TOO_LONG');
  });
});

describe('internal errors', () => {
  it('hides the message and keeps it in the log', async () => {
    const response = await shop.app.inject({ method: 'GET', url: '/test/fails' });

    const problem = assertProblem(response, 'INTERNAL');
    for (const marker of leakMarkers) {
      assert.ok(!response.body.includes(marker), `response body contains "${marker}"`);
    }
    assert.deepEqual(Object.keys(problem).sort(), [
      'code',
      'detail',
      'requestId',
      'status',
      'title',
      'type',
    ]);

    const logLine = logLines.find((line) => line.includes('"request failed"'));
    assert.ok(logLine, 'no "request failed" log line');
    assert.ok(logLine.includes(internalMessage), 'log line lacks the internal message');
    assert.ok(logLine.includes(String(problem.requestId)), 'log line lacks the request id');
  });

  it('hides a response schema failure', async () => {
    const response = await shop.app.inject({ method: 'GET', url: '/test/broken-response' });

    assertProblem(response, 'INTERNAL');
    assert.ok(!response.body.includes('secretColumn'));
    assert.ok(!response.body.includes('value'));
  });

  it('falls back to problem+json when the error page fails', async () => {
    setErrorPageRenderer(() => {
      throw new Error('renderer broke at /work/main/src/web/x.ts');
    });

    const response = await shop.app.inject({
      method: 'GET',
      url: '/test/nothing-here',
      headers: { accept: 'text/html' },
    });

    assertProblem(response, 'NOT_FOUND');
    assert.ok(!response.body.includes('renderer broke'));
    assert.ok(!response.body.includes('/work/main'));
  });
});

describe('unknown fields', () => {
  it('rejects them and records a security event', async () => {
    const response = await postItems(JSON.stringify({ name: 'a', priceMinor: 1 }));

    const problem = assertProblem(response, 'UNKNOWN_FIELD');
    assert.deepEqual(problem.fields, ['priceMinor']);
    assert.equal(handlerCalls, 0);

    const events = await shop.db.kysely.selectFrom('security_events').selectAll().execute();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, 'request_tampering');
    assert.equal(events[0]?.request_id, problem.requestId);
    assert.deepEqual(JSON.parse(String(events[0]?.details)), {
      path: '/test/items',
      method: 'POST',
      fields: ['priceMinor'],
    });
  });

  it('cuts a long field name before echoing it', async () => {
    const field = 'f'.repeat(5000);

    const response = await postItems(JSON.stringify({ name: 'a', [field]: 1 }));

    const problem = assertProblem(response, 'UNKNOWN_FIELD');
    assert.deepEqual(problem.fields, ['f'.repeat(100)]);
  });
});

describe('malformed HTTP', () => {
  async function sendRaw(bytes: string): Promise<string> {
    const port = await listeningPort();
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
      let received = '';
      socket.on('data', (chunk) => (received += String(chunk)));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
  }

  let port: number | undefined;
  async function listeningPort(): Promise<number> {
    if (port === undefined) {
      await shop.app.listen({ host: '127.0.0.1', port: 0 });
      const address = shop.app.server.address();
      port = typeof address === 'object' && address ? address.port : 0;
    }
    return port;
  }

  function parseRaw(raw: string) {
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    const [statusLine = '', ...headerLines] = head.split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { statusLine, headers, body };
  }

  it('answers bytes that are not HTTP with 400 problem+json', async () => {
    const { statusLine, headers, body } = parseRaw(await sendRaw('NOT HTTP AT ALL\r\n\r\n'));

    assert.equal(statusLine, 'HTTP/1.1 400 Bad Request');
    assert.equal(headers['content-type'], 'application/problem+json');
    assert.equal(JSON.parse(body).code, 'VALIDATION_FAILED');
    assertSecurityHeaders(headers, 'malformed request');
  });

  it('answers oversized headers with 431', async () => {
    const request = `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;

    const { statusLine, headers, body } = parseRaw(await sendRaw(request));

    assert.equal(statusLine, 'HTTP/1.1 431 Request Header Fields Too Large');
    assert.equal(JSON.parse(body).code, 'HEADERS_TOO_LARGE');
    assertSecurityHeaders(headers, 'oversized headers');
  });
});
