import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import type { ApiKeyScope } from '../../src/admin/admin-forms.schema.js';
import { verifyAuditLog } from '../../src/admin/audit-log.js';
import { auditKeyOf } from '../../src/admin/staff-context.js';
import type { LightMyRequestResponse } from 'fastify';
import { hashToken, nowIso, randomId } from '../../src/server/ids.js';
import { insertPaidOrder, startTestAdmin, type TestAdmin } from './admin-support.js';

/** Every API route with the scope it needs. */
const routes: Array<{ url: (ids: Ids) => string; scope: ApiKeyScope }> = [
  { url: () => '/api/admin/orders', scope: 'orders:read' },
  { url: (ids) => `/api/admin/orders/${ids.orderId}`, scope: 'orders:read' },
  { url: (ids) => `/api/admin/customers/${ids.customerId}`, scope: 'customers:read' },
  { url: () => '/api/admin/products', scope: 'catalog:read' },
];

interface Ids {
  orderId: string;
  customerId: string;
}

/** Collects every log line the admin writes, to search them for keys. */
function logCollector() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

/** Returns a problem body without its per-request id, to compare two rejections. */
function problemWithoutId(response: LightMyRequestResponse) {
  const { requestId: _requestId, ...rest } = response.json() as Record<string, unknown>;
  return rest;
}

describe('admin API', () => {
  let admin: TestAdmin;
  let ownerId: string;
  let ownerSession: string;
  const ids: Ids = { orderId: '', customerId: '' };
  const log = logCollector();
  /** Every key this suite created, to search logs and responses for them. */
  const issuedKeys: string[] = [];

  before(async () => {
    admin = await startTestAdmin({ LOG_LEVEL: 'trace' }, { logStream: log.stream });
    ownerId = await admin.addStaff('owner');
    ownerSession = await admin.signIn(ownerId);
    ids.customerId = randomId();
    await admin.db.kysely
      .insertInto('customers')
      .values({
        id: ids.customerId,
        email: 'casey@example.test',
        email_confirmed_at: nowIso(),
        password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
        name: 'Casey Customer',
        created_at: nowIso(),
        updated_at: nowIso(),
      })
      .execute();
    ids.orderId = await insertPaidOrder(admin.db, 4200);
    await admin.db.kysely
      .updateTable('orders')
      .set({ customer_id: ids.customerId })
      .where('id', '=', ids.orderId)
      .execute();
  });
  after(() => admin.close());

  /** Creates a key through the admin's own form, as an owner does, and returns it. */
  async function createKey(scopes: ApiKeyScope[], name = `key-${randomId()}`): Promise<string> {
    const response = await admin.request({
      method: 'POST',
      url: '/api-keys/new',
      session: ownerSession,
      form: scopes.length > 0 ? { name, scopes } : { name },
    });
    assert.equal(response.statusCode, 200, response.body);
    const key = /<code>(sfk_[A-Za-z0-9_-]{43})<\/code>/.exec(response.body)?.[1];
    assert.ok(key, 'the new key is shown once');
    issuedKeys.push(key);
    return key;
  }

  function call(url: string, key?: string, extra: Record<string, string> = {}) {
    return admin.request({
      url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra },
    });
  }

  async function keyRow(key: string) {
    return admin.db.kysely
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hashToken(key))
      .executeTakeFirstOrThrow();
  }

  it('allows each route exactly to keys with its scope', async () => {
    const scopeSets: ApiKeyScope[][] = [
      [],
      ['orders:read'],
      ['customers:read'],
      ['catalog:read'],
      ['orders:read', 'customers:read', 'catalog:read'],
    ];
    const failures: string[] = [];

    for (const scopes of scopeSets) {
      const key = await createKey(scopes);
      for (const route of routes) {
        const response = await call(route.url(ids), key);
        const expected = scopes.includes(route.scope) ? 200 : 403;
        if (response.statusCode !== expected) {
          failures.push(`[${scopes.join(',')}] ${route.url(ids)}: ${response.statusCode}`);
        }
        if (expected === 403 && !response.body.includes(`lacks the ${route.scope} scope`)) {
          failures.push(`[${scopes.join(',')}] ${route.url(ids)}: 403 names no scope`);
        }
      }
    }

    assert.deepEqual(failures, []);
  });

  it('returns orders and customers without hashes', async () => {
    const key = await createKey(['orders:read', 'customers:read']);

    const order = await call(`/api/admin/orders/${ids.orderId}`, key);
    const customer = await call(`/api/admin/customers/${ids.customerId}`, key);

    assert.equal(order.statusCode, 200);
    assert.equal(order.json().totalMinor, 4200);
    assert.equal(order.json().shippingAddress.city, 'Testville');
    assert.ok(!order.body.includes('visitor'), 'no visitor hash');
    assert.equal(customer.statusCode, 200);
    assert.equal(customer.json().email, 'casey@example.test');
    assert.deepEqual(customer.json().orderIds, [ids.orderId]);
    assert.ok(!customer.body.includes('argon2'), 'no password hash');
    assert.ok(!customer.body.toLowerCase().includes('password'), 'no password field');
  });

  it('pages orders with a cursor and no repeats', async () => {
    const key = await createKey(['orders:read']);
    const sameInstant = '2030-01-01T00:00:00.000Z';
    for (let i = 0; i < 3; i += 1) {
      const id = await insertPaidOrder(admin.db);
      await admin.db.kysely
        .updateTable('orders')
        .set({ created_at: sameInstant })
        .where('id', '=', id)
        .execute();
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const response = await call(`/api/admin/orders?limit=2${query}`, key);
      assert.equal(response.statusCode, 200, response.body);
      const page = response.json() as { items: Array<{ id: string }>; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);

    const total = await admin.db.kysely.selectFrom('orders').select('id').execute();
    assert.equal(seen.length, total.length);
    assert.equal(new Set(seen).size, seen.length, 'no order appears twice');
  });

  it('rejects unknown query fields and forged cursors', async () => {
    const key = await createKey(['orders:read']);

    const unknownField = await call('/api/admin/orders?status=paid', key);
    const forgedCursor = await call('/api/admin/orders?cursor=bm90LWEtY3Vyc29y', key);

    assert.equal(unknownField.statusCode, 400);
    assert.equal(forgedCursor.statusCode, 400);
  });

  it('answers revoked, unknown and missing keys alike', async () => {
    const revoked = await createKey(['orders:read']);
    const keyId = (await keyRow(revoked)).id;
    const revoke = await admin.request({
      method: 'POST',
      url: `/api-keys/${keyId}/revoke`,
      session: ownerSession,
      form: {},
    });
    assert.equal(revoke.statusCode, 303);
    const unknown = `sfk_${'A'.repeat(43)}`;

    const responses = [
      await call('/api/admin/orders', revoked),
      await call('/api/admin/orders', unknown),
      await call('/api/admin/orders'),
      await call('/api/admin/orders', undefined, { authorization: 'Basic dXNlcjpwYXNz' }),
    ];

    for (const response of responses) {
      assert.equal(response.statusCode, 401);
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="storefort-admin"');
      assert.deepEqual(problemWithoutId(response), problemWithoutId(responses[0]!));
    }
    const rejected = await admin.db.kysely
      .selectFrom('audit_log')
      .select(['actor_id', 'details'])
      .where('action', '=', 'api.rejected')
      .execute();
    assert.ok(
      rejected.some((row) => row.actor_id === `api_key:${keyId}`),
      'the revoked key is named in the audit log',
    );
  });

  it('is not opened by the staff cookie', async () => {
    const key = await createKey(['orders:read']);

    const cookieOnly = await admin.request({ url: '/api/admin/orders', session: ownerSession });
    const cookieAndWrongKey = await admin.request({
      url: '/api/admin/orders',
      session: ownerSession,
      headers: { authorization: `Bearer sfk_${'B'.repeat(43)}` },
    });
    const keyOnly = await call('/api/admin/orders', key);

    assert.equal(cookieOnly.statusCode, 401);
    assert.equal(cookieAndWrongKey.statusCode, 401);
    assert.equal(keyOnly.statusCode, 200);
  });

  it('records last use and audits each call as the key', async () => {
    const key = await createKey(['customers:read']);
    const row = await keyRow(key);
    assert.equal(row.last_used_at, null);

    const allowed = await call(`/api/admin/customers/${ids.customerId}`, key);
    const denied = await call('/api/admin/orders', key);

    assert.equal(allowed.statusCode, 200);
    assert.equal(denied.statusCode, 403);
    assert.ok((await keyRow(key)).last_used_at, 'last_used_at is set');
    const audited = await admin.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_email', 'object_id', 'details'])
      .where('actor_id', '=', `api_key:${row.id}`)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      audited.map((entry) => [entry.action, entry.object_id]),
      [
        ['api.called', 'GET /api/admin/customers/:customerId'],
        ['api.denied', 'GET /api/admin/orders'],
      ],
    );
    assert.equal(audited[0]!.actor_email, '', 'no staff member is named');
    assert.deepEqual(JSON.parse(audited[0]!.details).params, { customerId: ids.customerId });
    const verification = await verifyAuditLog(admin.db.kysely, auditKeyOf(admin.secrets));
    const rows = await admin.db.kysely.selectFrom('audit_log').select('seq').execute();
    assert.equal(verification.ok, true);
    assert.equal(verification.ok && verification.rows, rows.length);
  });

  it('never writes a key to a log, the audit log or a response', async () => {
    const key = await createKey(['orders:read']);
    const responses = [
      await call('/api/admin/orders', key),
      await call(`/api/admin/customers/${ids.customerId}`, key),
      await call('/api/admin/orders?unknown=1', key),
    ];
    const auditRows = await admin.db.kysely.selectFrom('audit_log').selectAll().execute();
    const auditText = JSON.stringify(auditRows);
    const logText = log.lines.join('');

    assert.ok(log.lines.length > 20, 'the admin logged at trace level');
    for (const issued of issuedKeys) {
      const secretPart = issued.slice('sfk_'.length + 8);
      assert.ok(!logText.includes(secretPart), 'no key in the log');
      assert.ok(!auditText.includes(secretPart), 'no key in the audit log');
      for (const response of responses) {
        assert.ok(!response.body.includes(secretPart), 'no key in a response body');
        assert.ok(!JSON.stringify(response.headers).includes(secretPart), 'no key in headers');
      }
    }
  });
});

describe('admin API rate limits', () => {
  let admin: TestAdmin;
  let ownerSession: string;

  before(async () => {
    admin = await startTestAdmin(
      {},
      {
        limits: {
          apiPerAddress: { limit: 5, windowMs: 60_000 },
          apiPerKey: { limit: 3, windowMs: 60_000 },
        },
      },
    );
    ownerSession = await admin.signIn(await admin.addStaff('owner'));
  });
  after(() => admin.close());

  async function createKey(): Promise<string> {
    const response = await admin.request({
      method: 'POST',
      url: '/api-keys/new',
      session: ownerSession,
      form: { name: `key-${randomId()}`, scopes: 'catalog:read' },
    });
    const key = /<code>(sfk_[A-Za-z0-9_-]{43})<\/code>/.exec(response.body)?.[1];
    assert.ok(key);
    return key;
  }

  const call = (key: string, remoteAddress: string) =>
    admin.request({
      url: '/api/admin/products',
      headers: { authorization: `Bearer ${key}` },
      remoteAddress,
    });

  it('limits one key across addresses', async () => {
    const key = await createKey();

    const statuses: number[] = [];
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) {
      statuses.push((await call(key, address)).statusCode);
    }
    const other = await call(await createKey(), '10.0.0.4');

    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(other.statusCode, 200, 'another key is not affected');
  });

  it('limits one address whatever key it sends', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push(
        (await call(`sfk_${randomId()}${randomId()}`.slice(0, 47), '10.1.0.1')).statusCode,
      );
    }
    const limited = await call(await createKey(), '10.1.0.1');
    const elsewhere = await call(await createKey(), '10.1.0.2');

    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After is set');
    assert.equal(elsewhere.statusCode, 200);
  });
});
