import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  type Permission,
  rolePermissions,
  roleAllows,
  staffRoles,
} from '../../src/admin/permissions.js';
import { hashToken, nowIso, randomId } from '../../src/server/ids.js';
import { insertPaidOrder, startTestAdmin, type TestAdmin } from './admin-support.js';

const forbiddenTitle = 'Your role does not allow this';

describe('admin permission matrix', () => {
  let admin: TestAdmin;
  const params: Record<string, string> = {};

  before(async () => {
    admin = await startTestAdmin();
    params.orderId = await insertPaidOrder(admin.db);
    params.staffId = await admin.addStaff('support', 'target@example.test');
    params.customerId = randomId();
    await admin.db.kysely
      .insertInto('customers')
      .values({
        id: params.customerId,
        email: 'customer@example.test',
        email_confirmed_at: nowIso(),
        password_hash: 'not-a-hash',
        name: 'Casey Customer',
        created_at: nowIso(),
        updated_at: nowIso(),
      })
      .execute();
    params.keyId = randomId();
    await admin.db.kysely
      .insertInto('api_keys')
      .values({
        id: params.keyId,
        name: 'fixture',
        key_hash: hashToken(randomId()),
        prefix: 'sfk_fixt',
        permissions: '[]',
        created_by: params.staffId,
        created_at: nowIso(),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
  });
  after(() => admin.close());

  function concreteUrl(url: string): string {
    return url.replace(/:([A-Za-z]+)/g, (_match, name: string) => params[name] ?? 'unknown');
  }

  it('registers every admin page', () => {
    const registered = admin.app.adminRoutes.map((route) => `${route.method} ${route.url}`);

    for (const expected of [
      'GET /',
      'GET /orders',
      'POST /orders/:orderId/refund',
      'POST /customers/:customerId/export',
      'POST /staff/:staffId/role',
      'POST /api-keys/new',
      'GET /outbox',
      'GET /audit-log',
      'GET /security-events',
      'POST /staff/:staffId/disable',
      'POST /me/passkeys/remove',
      'GET /api/admin/orders',
      'GET /api/admin/customers/:customerId',
    ]) {
      assert.ok(registered.includes(expected), `${expected} is registered`);
    }
    assert.ok(registered.length >= 30, `only ${registered.length} routes found`);
    for (const route of admin.app.adminRoutes.filter((r) => r.url.startsWith('/api/admin/'))) {
      assert.equal(route.permission, 'api_key', `${route.url} is opened by API keys only`);
    }
  });

  it('lets each role reach exactly the routes its permissions name', async () => {
    const failures: string[] = [];

    for (const route of admin.app.adminRoutes) {
      for (const role of staffRoles) {
        const staffId = await admin.addStaff(role);
        // A fresh session per request: logout ends it, and sensitive routes need recent re-auth.
        const session = await admin.signIn(staffId);
        const response = await admin.request({
          method: route.method as 'GET' | 'POST',
          url: concreteUrl(route.url),
          session,
          ...(route.method === 'POST' ? { form: {} } : {}),
        });

        // A staff cookie never opens the API, whatever the role: the API takes keys only.
        if (route.permission === 'api_key') {
          if (response.statusCode !== 401) {
            failures.push(
              `${role} ${route.method} ${route.url}: ${response.statusCode}, expected 401`,
            );
          }
          continue;
        }

        const allowed = roleAllows(role, route.permission as Permission);
        const denied = response.statusCode === 403 && response.body.includes(forbiddenTitle);
        if (allowed && response.statusCode === 403) {
          failures.push(`${role} ${route.method} ${route.url}: 403 but the matrix allows it`);
        }
        // Every permission-guarded page renders for a role that has the permission.
        const guardedPage = route.method === 'GET' && route.permission.includes(':');
        if (allowed && guardedPage && response.statusCode !== 200) {
          failures.push(
            `${role} ${route.method} ${route.url}: ${response.statusCode}, expected 200`,
          );
        }
        if (!allowed && !denied) {
          failures.push(
            `${role} ${route.method} ${route.url}: ${response.statusCode}, expected 403`,
          );
        }
      }
    }

    assert.deepEqual(failures, []);
  });

  it('audits a request the role does not allow', async () => {
    const session = await admin.signIn(await admin.addStaff('fulfilment'));

    const response = await admin.request({ url: '/audit-log', session });

    assert.equal(response.statusCode, 403);
    const row = await admin.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'access.denied')
      .where('object_id', '=', 'GET /audit-log')
      .executeTakeFirst();
    assert.ok(row, 'access.denied row');
  });

  it('matches the matrix written in docs/permissions.md', () => {
    const doc = readFileSync(
      join(import.meta.dirname, '..', '..', 'docs', 'permissions.md'),
      'utf8',
    );
    const rows = doc
      .split('\n')
      .filter((line) => /^\| `[a-z_]+:[a-z_]+` +\|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));

    const documented = new Map(
      rows.map((cells) => [cells[1]!.replaceAll('`', ''), cells.slice(2, 6)]),
    );
    const all = new Set(Object.values(rolePermissions).flat());
    assert.equal(documented.size, all.size, 'every permission has a row');
    for (const permission of all) {
      const cells = documented.get(permission);
      assert.ok(cells, `${permission} is documented`);
      staffRoles.forEach((role, index) => {
        const expected = rolePermissions[role].includes(permission) ? 'yes' : 'no';
        assert.equal(cells[index], expected, `${permission} for ${role}`);
      });
    }
  });
});
