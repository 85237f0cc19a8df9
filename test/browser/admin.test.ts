import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Browser } from 'playwright-core';

import { runAdminCommand } from '../../src/admin/admin.command.js';
import { verifyAuditLog } from '../../src/admin/audit-log.js';
import { insertStaff } from '../../src/admin/staff.service.js';
import { auditKeyOf } from '../../src/admin/staff-context.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { staffSessionCookie } from '../../src/auth/sessions.js';
import { loadConfig } from '../../src/server/config.js';
import { hashToken } from '../../src/server/ids.js';
import {
  insertPaidOrder,
  startTestAdmin,
  type TestAdmin,
  totpCode,
} from '../admin/admin-support.js';
import {
  assertAccessible,
  blockingAxeViolations,
  launchChromium,
  openRecordedPage,
  policyLines,
  type RecordedPage,
  waitUntil,
} from '../support/chromium.js';
import { freePort } from '../support/payments.js';
import { securityEvents } from '../support/store-api.js';

// The admin in Chromium on its own listener, with the CSP enforced: the first owner, made by
// `storefort admin create`, logs in, must set up an authenticator app before anything else
// opens, and changes a support member's role. The role change is sensitive, so once the last
// proof is older than 5 minutes it goes through the re-authentication page first.

/** Upper bound for one scenario. The suite's bound also covers starting the admin. */
const scenarioTimeoutMs = 60_000;

const owner = {
  email: 'olive.owner@example.com',
  name: 'Olive Owner',
  password: 'harbour lights over the bay',
};
const support = {
  email: 'sam.support@example.com',
  name: 'Sam Support',
  password: 'quiet mornings by the river',
};

describe('admin in Chromium', { timeout: 5 * scenarioTimeoutMs }, () => {
  let dataDir = '';
  let admin: TestAdmin | undefined;
  let adminOrigin = '';
  let ownerId = '';
  let supportId = '';
  let browser: Browser | undefined;
  let recorded: RecordedPage | undefined;
  let totpSecret: string | undefined;

  const db = () => {
    assert.ok(admin, 'the admin did not start');
    return admin.db.kysely;
  };
  const session = () => {
    assert.ok(recorded, 'the browser page did not open');
    return recorded;
  };

  before(async () => {
    // A database file, so `storefort admin create` and the admin share it as in production.
    dataDir = mkdtempSync(join(tmpdir(), 'storefort-admin-browser-'));
    const port = await freePort();
    adminOrigin = `http://localhost:${port}`;
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: `sqlite:${join(dataDir, 'shop.db')}`,
      SECRET_KEY: randomBytes(32).toString('base64url'),
      ADMIN_URL: adminOrigin,
      ADMIN_PORT: String(port),
    };

    const commandErrors: string[] = [];
    const exitCode = await runAdminCommand(
      ['create', '--email', owner.email, '--name', owner.name],
      loadConfig(env),
      {
        env: { ...env, STOREFORT_ADMIN_PASSWORD: owner.password },
        out: () => {},
        err: (line) => commandErrors.push(line),
      },
    );
    assert.equal(exitCode, 0, `storefort admin create failed: ${commandErrors.join('\n')}`);

    admin = await startTestAdmin(env);
    const hasher = createPasswordHasher(admin.config.passwordHashing, 1);
    supportId = await insertStaff(db(), hasher, { ...support, role: 'support' });
    ownerId = (
      await db()
        .selectFrom('staff')
        .select('id')
        .where('email', '=', owner.email)
        .executeTakeFirstOrThrow()
    ).id;
    await insertPaidOrder(admin.db);
    await admin.app.listen({ host: 'localhost', port });

    browser = await launchChromium();
    recorded = await openRecordedPage(browser);
  });

  after(async () => {
    await recorded?.context.close();
    await browser?.close();
    await admin?.close();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  async function ownerSessions() {
    return db()
      .selectFrom('sessions')
      .select(['token_hash', 'stage', 'reauthenticated_at'])
      .where('realm', '=', 'staff')
      .where('account_id', '=', ownerId)
      .execute();
  }

  async function roleOf(staffId: string): Promise<string> {
    const row = await db()
      .selectFrom('staff')
      .select('role')
      .where('id', '=', staffId)
      .executeTakeFirstOrThrow();
    return row.role;
  }

  async function auditRows(action: string) {
    return db()
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', action)
      .orderBy('seq')
      .execute();
  }

  it('makes the owner set up MFA first', { timeout: scenarioTimeoutMs }, async (t) => {
    const { page } = session();

    await page.goto(`${adminOrigin}/`);
    await page.waitForURL(`${adminOrigin}/login`);
    await t.test('login page passes axe', () => assertAccessible(page, 'login'));
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${adminOrigin}/mfa/enrol`);

    // With only the password, every admin page sends the owner back to the enrolment page.
    for (const path of ['/', '/orders', '/staff', `/staff/${supportId}/role`]) {
      await page.goto(`${adminOrigin}${path}`);
      await page.waitForURL(`${adminOrigin}/mfa/enrol`);
    }
    assert.deepEqual(
      (await ownerSessions()).map((row) => row.stage),
      ['mfa_enrolment'],
    );
    await t.test('enrolment page passes axe', () => assertAccessible(page, 'enrol'));

    totpSecret = ((await page.getByRole('main').locator('code').textContent()) ?? '').trim();
    assert.match(totpSecret, /^[A-Z2-7]{16,}=*$/, 'the page shows no base32 secret');
    await page.getByLabel('Code from the app').fill(totpCode(totpSecret));
    await page.getByRole('button', { name: 'Confirm the app' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = await page.locator('ul.recovery-codes li').allTextContents();
    await t.test('recovery codes page passes axe', () => assertAccessible(page, 'codes'));

    await page.getByRole('link', { name: 'Continue to the admin' }).click();
    await page.waitForURL(`${adminOrigin}/`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    assert.deepEqual(
      (await ownerSessions()).map((row) => row.stage),
      ['active'],
    );
    assert.equal((await auditRows('mfa_enrolment.succeeded'))[0]?.actor_id, ownerId);
  });

  it('sets an HttpOnly, Secure, Lax staff cookie', async () => {
    const cookies = await session().context.cookies(adminOrigin);
    const cookie = cookies.find((candidate) => candidate.name === staffSessionCookie);
    assert.ok(cookie, 'the browser holds no staff session cookie');

    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.expires, -1);
    assert.deepEqual(
      (await ownerSessions()).map((row) => row.token_hash),
      [hashToken(cookie.value)],
    );
  });

  it('passes axe on the main pages', { timeout: scenarioTimeoutMs }, async (t) => {
    const { page } = session();
    for (const [name, path, heading] of [
      ['dashboard', '/', 'Dashboard'],
      ['orders', '/orders', 'Orders'],
      ['staff', '/staff', 'Staff'],
      ['audit log', '/audit-log', 'Audit log'],
    ] as const) {
      const response = await page.goto(`${adminOrigin}${path}`);
      assert.equal(response?.status(), 200, `status of ${path}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await t.test(name, () => assertAccessible(page, name));
    }
  });

  it('changes a role after re-authentication', { timeout: scenarioTimeoutMs }, async (t) => {
    const { page } = session();
    assert.ok(totpSecret, 'the owner did not set up an authenticator app');
    const rolePath = `/staff/${supportId}/role`;

    await page.goto(`${adminOrigin}/staff`);
    await page.getByRole('link', { name: `Change role of ${support.email}` }).click();
    await page.waitForURL(`${adminOrigin}${rolePath}`);
    await page.getByLabel('Role').selectOption('manager');

    // The proof from the enrolment expires while the form is open.
    const staleProof = new Date(Date.now() - 6 * 60_000).toISOString();
    await db()
      .updateTable('sessions')
      .set({ reauthenticated_at: staleProof })
      .where('realm', '=', 'staff')
      .where('account_id', '=', ownerId)
      .execute();
    await page.getByRole('button', { name: 'Change role' }).click();
    await page.waitForURL(`${adminOrigin}/reauth?next=${encodeURIComponent(rolePath)}`);
    await t.test('re-authentication page passes axe', () => assertAccessible(page, 'reauth'));

    const [attempt] = await auditRows('request.post');
    assert.equal(await roleOf(supportId), 'support', 'the role changed without a fresh proof');
    assert.deepEqual(await auditRows('staff.role_changed'), []);
    assert.equal(attempt?.object_id, '/staff/:staffId/role', 'the refused POST left no trace');
    assert.equal(JSON.parse(attempt?.details ?? '{}').status, 303);

    // The code of the step after the enrolment's is within the drift window and not used yet.
    await page.getByLabel('Or a code from your authenticator app').fill(totpCode(totpSecret, 1));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${adminOrigin}${rolePath}`);
    const [proof] = await ownerSessions();
    assert.ok(
      Date.parse(proof?.reauthenticated_at ?? '') > Date.parse(staleProof) + 5 * 60_000,
      `the proof time was not renewed: ${proof?.reauthenticated_at}`,
    );

    await page.getByLabel('Role').selectOption('manager');
    await page.getByRole('button', { name: 'Change role' }).click();
    await page.waitForURL(`${adminOrigin}/staff`);
    const row = page.getByRole('row', { name: new RegExp(support.email) });
    await row.getByRole('cell', { name: 'manager', exact: true }).waitFor();

    assert.equal(await roleOf(supportId), 'manager');
    const [changed, ...more] = await auditRows('staff.role_changed');
    assert.deepEqual(more, []);
    assert.equal(changed?.actor_id, ownerId);
    assert.equal(changed?.actor_email, owner.email);
    assert.equal(changed?.object_type, 'staff');
    assert.equal(changed?.object_id, supportId);
    assert.deepEqual(JSON.parse(changed?.details ?? 'null'), { from: 'support', to: 'manager' });

    const [reauth] = await auditRows('reauth.succeeded');
    assert.equal(reauth?.actor_id, ownerId);
    assert.deepEqual(JSON.parse(reauth?.details ?? 'null'), { method: 'totp' });
    assert.ok((reauth?.seq ?? Infinity) < (changed?.seq ?? 0), 'the role changed before the proof');
  });

  it('shows the role change in an intact audit log', { timeout: scenarioTimeoutMs }, async () => {
    const { page } = session();
    assert.ok(admin, 'the admin did not start');

    await page.goto(`${adminOrigin}/audit-log`);
    await page.getByRole('cell', { name: 'staff.role_changed' }).first().waitFor();

    const created = await auditRows('staff.created');
    const verified = await verifyAuditLog(db(), auditKeyOf(admin.secrets));
    assert.deepEqual(
      created.map((row) => JSON.parse(row.details)),
      [{ email: owner.email, role: 'owner', via: 'storefort admin create' }],
    );
    assert.equal(verified.ok, true, `audit chain broken: ${JSON.stringify(verified)}`);
  });

  it('stores no CSP violation', async () => {
    // A report-uri report arrived about 100 ms after the violation in local runs of Chromium
    // 156, so one second of polling catches stragglers from the last page.
    const deadline = Date.now() + 1_000;
    let stored = await securityEvents(db(), 'csp_violation');
    while (stored.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stored = await securityEvents(db(), 'csp_violation');
    }

    assert.equal(await roleOf(supportId), 'manager', 'the admin scenarios did not all run');
    assert.deepEqual(policyLines(session()), []);
    assert.deepEqual(
      stored.map((event) => event.details),
      [],
    );
  });

  it('stores a planted CSP violation', async () => {
    const { page } = session();
    // Another origin than the admin's, so img-src 'self' blocks it before any request is sent.
    const canary = `${adminOrigin.replace('localhost', '127.0.0.1')}/csp-canary.png`;

    await page.goto(`${adminOrigin}/`);
    await page.evaluate((url) => {
      const image = document.createElement('img');
      image.src = url;
      document.body.append(image);
    }, canary);
    await waitUntil(
      async () => (await securityEvents(db(), 'csp_violation')).length > 0,
      'no csp_violation event was stored within 2 seconds',
      2_000,
    );

    const [event] = await securityEvents(db(), 'csp_violation');
    assert.match(event?.details ?? '', /csp-canary\.png/);
    assert.match(event?.details ?? '', /img-src/);
  });

  it('reports a planted axe violation under the CSP', async () => {
    const { page } = session();
    await page.goto(`${adminOrigin}/`);
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.id = 'planted-unlabelled-input';
      document.querySelector('main')?.append(input);
    });

    const violations = await blockingAxeViolations(page);

    assert.ok(
      violations.some((line) => line.startsWith('label ') && line.includes('#planted-unlabelled')),
      `axe did not report the unlabelled input: ${JSON.stringify(violations)}`,
    );
  });
});
