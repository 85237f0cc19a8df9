import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { RecordingPaymentGateway } from '../../test/support/payment-double.js';
import { assertSecurityHeaders } from '../../test/support/security-headers.js';
import { startTestShop, type TestShop } from '../../test/support/shop.js';
import { maxReportBytes, reportsPerMinute, type StoredViolation } from './csp-report.routes.js';

let shop: TestShop;
let nextAddress = 1;

before(async () => {
  shop = await startTestShop({ payments: () => new RecordingPaymentGateway() });
});

after(() => shop.close());

beforeEach(async () => {
  await shop.db.kysely.deleteFrom('security_events').execute();
});

/** Returns a new client address on each call, so one test's rate limit never affects another. */
function freshAddress(): string {
  nextAddress += 1;
  return `198.51.100.${nextAddress}`;
}

function postReport(
  payload: unknown,
  contentType: string,
  options: { address?: string; headers?: Record<string, string> } = {},
) {
  return shop.app.inject({
    method: 'POST',
    url: '/csp-report',
    remoteAddress: options.address ?? freshAddress(),
    headers: { 'content-type': contentType, ...options.headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

async function storedEvents(kind = 'csp_violation') {
  const rows = await shop.db.kysely
    .selectFrom('security_events')
    .selectAll()
    .where('kind', '=', kind)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as StoredViolation }));
}

const legacyReport = {
  'csp-report': {
    'document-uri': 'http://localhost:3000/orders/ord_1?token=order-link-secret',
    referrer: 'http://localhost:3000/checkout',
    'violated-directive': 'script-src-elem',
    'effective-directive': 'script-src-elem',
    'original-policy': "default-src 'none'; script-src 'self'",
    disposition: 'enforce',
    'blocked-uri': 'https://evil.example/steal.js?c=session-cookie',
    'line-number': 12,
    'column-number': 7,
    'source-file': 'http://localhost:3000/assets/product.abc.js?v=2',
    'status-code': 200,
    'script-sample': '',
  },
};

function reportingApiReport(type: string, body: Record<string, unknown>) {
  return {
    type,
    age: 10,
    url: 'http://localhost:3000/products/wool-hat',
    user_agent: 'Mozilla/5.0',
    body,
  };
}

describe('POST /csp-report', () => {
  it('stores a report-uri violation without query strings', async () => {
    const address = freshAddress();

    const response = await postReport(legacyReport, 'application/csp-report', { address });

    assert.equal(response.statusCode, 204);
    assert.equal(response.body, '');
    const events = await storedEvents();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.source, address);
    assert.deepEqual(events[0]?.details, {
      directive: 'script-src-elem',
      blockedUri: 'https://evil.example/steal.js',
      documentPath: '/orders/ord_1',
      sourceFile: 'http://localhost:3000/assets/product.abc.js',
      line: 12,
      column: 7,
      disposition: 'enforce',
    });
    assert.ok(!JSON.stringify(events).includes('secret'));
    assert.ok(!JSON.stringify(events).includes('session-cookie'));
  });

  it('stores each csp-violation of a Reporting API batch', async () => {
    const batch = [
      reportingApiReport('csp-violation', {
        documentURL: 'http://localhost:3000/products/wool-hat?variant=v1',
        blockedURL: 'inline',
        effectiveDirective: 'style-src-attr',
        sourceFile: 'http://localhost:3000/products/wool-hat',
        lineNumber: 3,
        columnNumber: 1,
        disposition: 'enforce',
        sample: 'color: red',
      }),
      reportingApiReport('deprecation', { id: 'SomeFeature', message: 'deprecated' }),
      reportingApiReport('csp-violation', {
        documentURL: 'http://localhost:3000/cart',
        blockedURL: 'data:image/png;base64,AAAA',
        effectiveDirective: 'img-src',
      }),
    ];

    const response = await postReport(batch, 'application/reports+json');

    assert.equal(response.statusCode, 204);
    const events = await storedEvents();
    assert.deepEqual(
      events.map((event) => event.details),
      [
        {
          directive: 'style-src-attr',
          blockedUri: 'inline',
          documentPath: '/products/wool-hat',
          sourceFile: 'http://localhost:3000/products/wool-hat',
          line: 3,
          column: 1,
          disposition: 'enforce',
        },
        {
          directive: 'img-src',
          blockedUri: 'data:',
          documentPath: '/cart',
          sourceFile: null,
          line: null,
          column: null,
          disposition: null,
        },
      ],
    );
  });

  it('accepts a charset parameter on the media type', async () => {
    const response = await postReport(legacyReport, 'application/csp-report; charset=utf-8');

    assert.equal(response.statusCode, 204);
    assert.equal((await storedEvents()).length, 1);
  });

  it('cuts long strings', async () => {
    const report = {
      'csp-report': { ...legacyReport['csp-report'], 'effective-directive': 'd'.repeat(5000) },
    };

    await postReport(report, 'application/csp-report');

    const [event] = await storedEvents();
    assert.equal(event?.details.directive, `${'d'.repeat(200)}…`);
  });

  it('takes reports from other sites', async () => {
    const response = await postReport(legacyReport, 'application/csp-report', {
      headers: { 'sec-fetch-site': 'cross-site', origin: 'https://elsewhere.example' },
    });

    assert.equal(response.statusCode, 204);
    assert.equal((await storedEvents()).length, 1);
    assert.equal((await storedEvents('cross_site_request')).length, 0);
  });

  it('carries the security headers', async () => {
    const response = await postReport(legacyReport, 'application/csp-report');

    assertSecurityHeaders(response.headers, 'POST /csp-report');
  });
});

describe('POST /csp-report rejections', () => {
  it('rejects a body over 8 KiB with 413', async () => {
    const report = {
      'csp-report': { ...legacyReport['csp-report'], 'script-sample': 'x'.repeat(maxReportBytes) },
    };

    const response = await postReport(report, 'application/csp-report');

    assert.equal(response.statusCode, 413);
    assert.equal(response.json().code, 'PAYLOAD_TOO_LARGE');
    assert.equal((await storedEvents()).length, 0);
  });

  for (const contentType of [
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
  ]) {
    it(`rejects ${contentType} with 415`, async () => {
      const response = await postReport(legacyReport, contentType);

      assert.equal(response.statusCode, 415);
      assert.equal((await storedEvents()).length, 0);
    });
  }

  it('rejects a request without a body with 415', async () => {
    const response = await shop.app.inject({
      method: 'POST',
      url: '/csp-report',
      remoteAddress: freshAddress(),
    });

    assert.equal(response.statusCode, 415);
    assert.equal((await storedEvents()).length, 0);
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await postReport('{"csp-report": {', 'application/csp-report');

    assert.equal(response.statusCode, 400);
    assert.equal((await storedEvents()).length, 0);
  });

  it('rejects a Reporting API body sent as report-uri', async () => {
    const batch = [reportingApiReport('csp-violation', { effectiveDirective: 'img-src' })];

    const response = await postReport(batch, 'application/csp-report');

    assert.equal(response.statusCode, 400);
    assert.equal((await storedEvents()).length, 0);
  });

  it('rejects an envelope with an unknown member', async () => {
    const response = await postReport({ ...legacyReport, extra: 1 }, 'application/csp-report');

    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'UNKNOWN_FIELD');
    assert.equal((await storedEvents()).length, 0);
  });

  it('rejects a batch of more than 20 reports', async () => {
    const report = reportingApiReport('csp-violation', { effectiveDirective: 'img-src' });

    const response = await postReport(Array(21).fill(report), 'application/reports+json');

    assert.equal(response.statusCode, 400);
    assert.equal((await storedEvents()).length, 0);
  });

  it('answers GET with 405', async () => {
    const response = await shop.app.inject({ method: 'GET', url: '/csp-report' });

    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.allow, 'POST');
  });
});

describe('POST /csp-report rate limit', () => {
  it(`stores ${reportsPerMinute} reports a minute per address, then answers 429`, async () => {
    const address = freshAddress();
    for (let i = 0; i < reportsPerMinute; i += 1) {
      const response = await postReport(legacyReport, 'application/csp-report', { address });
      assert.equal(response.statusCode, 204, `report ${i + 1}`);
    }

    const limited = await postReport(legacyReport, 'application/csp-report', { address });
    const otherClient = await postReport(legacyReport, 'application/csp-report');

    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assertSecurityHeaders(limited.headers, 'rate-limited report');
    assert.equal(otherClient.statusCode, 204);

    const events = await storedEvents();
    assert.equal(events.filter((event) => event.source === address).length, reportsPerMinute);
    assert.equal(events.length, reportsPerMinute + 1);
  });

  it('counts malformed reports too', async () => {
    const address = freshAddress();
    for (let i = 0; i < reportsPerMinute; i += 1) {
      await postReport({ ...legacyReport, unknown: i }, 'application/csp-report', { address });
    }

    const limited = await postReport({ ...legacyReport, unknown: 0 }, 'application/csp-report', {
      address,
    });

    assert.equal(limited.statusCode, 429);
    assert.equal((await storedEvents('request_tampering')).length, reportsPerMinute);
  });
});
