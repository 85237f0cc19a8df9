import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { hashToken, nowIso, randomId } from '../../src/server/ids.js';
import { insertPaidOrder, staffPassword, startTestAdmin, type TestAdmin } from './admin-support.js';

const sixMinutesAgo = () => new Date(Date.now() - 6 * 60_000);

describe('sensitive admin actions', () => {
  let admin: TestAdmin;
  let ownerId: string;
  let customerId: string;

  before(async () => {
    admin = await startTestAdmin();
    ownerId = await admin.addStaff('owner');
    customerId = randomId();
    await admin.db.kysely
      .insertInto('customers')
      .values({
        id: customerId,
        email: 'casey@example.test',
        email_confirmed_at: nowIso(),
        password_hash: 'not-a-hash',
        name: 'Casey',
        created_at: nowIso(),
        updated_at: nowIso(),
      })
      .execute();
  });
  after(() => admin.close());

  async function order(id: string) {
    return admin.db.kysely
      .selectFrom('orders')
      .select(['status', 'refunded_minor'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  it('sends a stale session to re-auth and changes nothing', async () => {
    const session = await admin.signIn(ownerId, { reauthenticatedAt: sixMinutesAgo() });
    const orderId = await insertPaidOrder(admin.db);
    const targetId = await admin.addStaff('support');
    const auditBefore = await admin.db.kysely.selectFrom('audit_log').select('seq').execute();

    const attempts: Array<{ url: string; form: Record<string, string> }> = [
      { url: `/orders/${orderId}/refund`, form: { amount: '50.00' } },
      { url: `/customers/${customerId}/export`, form: {} },
      { url: `/staff/${targetId}/role`, form: { role: 'owner' } },
      { url: '/api-keys/new', form: { name: 'stale key' } },
      {
        url: '/staff/new',
        form: { email: 'new@example.test', name: 'New', password: staffPassword, role: 'owner' },
      },
    ];
    for (const attempt of attempts) {
      const response = await admin.request({ method: 'POST', session, ...attempt });
      assert.equal(response.statusCode, 303, attempt.url);
      assert.equal(
        response.headers.location,
        `/reauth?next=${encodeURIComponent(attempt.url)}`,
        attempt.url,
      );
      assert.doesNotMatch(response.body, /casey@example\.test/, 'no export data');
    }

    assert.deepEqual(await order(orderId), { status: 'paid', refunded_minor: 0 });
    const target = await admin.db.kysely
      .selectFrom('staff')
      .select('role')
      .where('id', '=', targetId)
      .executeTakeFirstOrThrow();
    assert.equal(target.role, 'support');
    assert.equal((await admin.db.kysely.selectFrom('api_keys').select('id').execute()).length, 0);
    const newStaff = await admin.db.kysely
      .selectFrom('staff')
      .select('id')
      .where('email', '=', 'new@example.test')
      .execute();
    assert.equal(newStaff.length, 0);
    const domainActions = await admin.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('seq', '>', auditBefore.length)
      .where('action', 'in', [
        'order.refunded',
        'customer.exported',
        'staff.role_changed',
        'api_key.created',
      ])
      .execute();
    assert.deepEqual(domainActions, []);
  });

  it('also guards the form pages of sensitive actions', async () => {
    const session = await admin.signIn(ownerId, { reauthenticatedAt: sixMinutesAgo() });

    const response = await admin.request({ url: `/customers/${customerId}/export`, session });

    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /^\/reauth\?next=/);
  });

  it('re-authenticates with the password and then refunds', async () => {
    const session = await admin.signIn(ownerId, { reauthenticatedAt: sixMinutesAgo() });
    const orderId = await insertPaidOrder(admin.db, 5000);

    const wrong = await admin.request({
      method: 'POST',
      url: '/reauth',
      session,
      form: { next: `/orders/${orderId}/refund`, password: 'not the password' },
    });
    assert.equal(wrong.statusCode, 401);

    const reauth = await admin.request({
      method: 'POST',
      url: '/reauth',
      session,
      form: { next: `/orders/${orderId}/refund`, password: staffPassword },
    });
    assert.equal(reauth.statusCode, 303);
    assert.equal(reauth.headers.location, `/orders/${orderId}/refund`);

    const page = await admin.request({ url: `/orders/${orderId}/refund`, session });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /cannot issue refunds from Storefort yet/);

    const partial = await admin.request({
      method: 'POST',
      url: `/orders/${orderId}/refund`,
      session,
      form: { amount: '20.00' },
    });
    assert.equal(partial.statusCode, 303);
    assert.deepEqual(await order(orderId), { status: 'paid', refunded_minor: 2000 });

    const tooMuch = await admin.request({
      method: 'POST',
      url: `/orders/${orderId}/refund`,
      session,
      form: { amount: '30.01' },
    });
    assert.equal(tooMuch.statusCode, 422);
    assert.deepEqual(await order(orderId), { status: 'paid', refunded_minor: 2000 });

    const rest = await admin.request({
      method: 'POST',
      url: `/orders/${orderId}/refund`,
      session,
      form: { amount: '30' },
    });
    assert.equal(rest.statusCode, 303);
    assert.deepEqual(await order(orderId), { status: 'refunded', refunded_minor: 5000 });

    const audit = await admin.db.kysely
      .selectFrom('audit_log')
      .select(['details', 'actor_id'])
      .where('action', '=', 'order.refunded')
      .where('object_id', '=', orderId)
      .orderBy('seq')
      .execute();
    assert.equal(audit.length, 2);
    assert.equal(audit[0]?.actor_id, ownerId);
    assert.equal(JSON.parse(audit[1]!.details).amountMinor, 3000);
  });

  it('rejects a next path on another site after re-auth', async () => {
    const session = await admin.signIn(ownerId, { reauthenticatedAt: sixMinutesAgo() });

    const response = await admin.request({
      method: 'POST',
      url: '/reauth',
      session,
      form: { next: '//evil.example/steal', password: staffPassword },
    });

    assert.equal(response.headers.location, '/');
  });

  it('shows a new API key once and stores only its hash', async () => {
    const session = await admin.signIn(ownerId);

    const response = await admin.request({
      method: 'POST',
      url: '/api-keys/new',
      session,
      form: { name: 'warehouse', scopes: ['orders:read', 'catalog:read'] },
    });

    assert.equal(response.statusCode, 200);
    const key = /<code>(sfk_[A-Za-z0-9_-]{43})<\/code>/.exec(response.body)?.[1];
    assert.ok(key, 'the key is shown');
    const row = await admin.db.kysely
      .selectFrom('api_keys')
      .selectAll()
      .where('name', '=', 'warehouse')
      .executeTakeFirstOrThrow();
    assert.equal(row.key_hash, hashToken(key));
    assert.deepEqual(JSON.parse(row.permissions), ['catalog:read', 'orders:read']);
    const list = await admin.request({ url: '/api-keys', session });
    assert.ok(!list.body.includes(key), 'the list never shows the key again');
  });

  it('exports customer data as JSON without secrets', async () => {
    const session = await admin.signIn(ownerId);

    const response = await admin.request({
      method: 'POST',
      url: `/customers/${customerId}/export`,
      session,
      form: {},
    });

    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-disposition']), /attachment/);
    const data = response.json() as { customer: Record<string, unknown> };
    assert.equal(data.customer.email, 'casey@example.test');
    assert.ok(!response.body.includes('password_hash'));
    assert.ok(!response.body.includes('not-a-hash'));
  });

  it('never demotes the last owner', async () => {
    const solo = await startTestAdmin();
    try {
      const onlyOwner = await solo.addStaff('owner');
      const session = await solo.signIn(onlyOwner);

      const response = await solo.request({
        method: 'POST',
        url: `/staff/${onlyOwner}/role`,
        session,
        form: { role: 'support' },
      });

      assert.equal(response.statusCode, 409);
      assert.match(response.body, /last owner/);
      const row = await solo.db.kysely
        .selectFrom('staff')
        .select('role')
        .where('id', '=', onlyOwner)
        .executeTakeFirstOrThrow();
      assert.equal(row.role, 'owner');
    } finally {
      await solo.close();
    }
  });
});
