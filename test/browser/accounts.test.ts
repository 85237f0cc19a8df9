import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';

import { customerSessionCookie } from '../../src/auth/sessions.js';
import { hashToken } from '../../src/server/ids.js';
import {
  addVirtualAuthenticator,
  assertAccessible,
  launchChromium,
  openRecordedPage,
  policyLines,
  type RecordedPage,
  type VirtualCredential,
  waitUntil,
} from '../support/chromium.js';
import { RecordingPaymentGateway } from '../support/payment-double.js';
import { freePort } from '../support/payments.js';
import { startTestShop, type TestShop } from '../support/shop.js';
import { securityEvents } from '../support/store-api.js';

// A shopper's account from sign-up to two-factor login, through the storefront pages in
// Chromium with the CSP enforced. The shopper registers, confirms by the mailed link and logs
// in. Then they add a passkey on a virtual authenticator and log in with it alone, and add an
// authenticator app and log in with the password and a code. Each scenario continues from the
// browser state of the one before, as one shopper's visits would.

/** Upper bound for one scenario. The suite's bound also covers starting the shop. */
const scenarioTimeoutMs = 60_000;

const shopper = {
  name: 'Ada Shopper',
  email: 'ada.shopper@example.com',
  password: 'lighthouse keeper at dawn',
};

describe('customer accounts in Chromium', { timeout: 8 * scenarioTimeoutMs }, () => {
  let shop: TestShop | undefined;
  let shopOrigin = '';
  let browser: Browser | undefined;
  let recorded: RecordedPage | undefined;
  let listCredentials: (() => Promise<VirtualCredential[]>) | undefined;
  let totpSecret: string | undefined;
  /** The TOTP step whose code confirmed the enrolment, which must not work a second time. */
  let enrolmentCode: string | undefined;

  const db = () => {
    assert.ok(shop, 'the shop did not start');
    return shop.db.kysely;
  };
  const session = () => {
    assert.ok(recorded, 'the browser page did not open');
    return recorded;
  };

  before(async () => {
    const port = await freePort();
    shopOrigin = `http://localhost:${port}`;
    shop = await startTestShop({
      env: { PUBLIC_URL: shopOrigin },
      payments: () => new RecordingPaymentGateway(),
    });
    await shop.app.listen({ host: 'localhost', port });

    browser = await launchChromium();
    recorded = await openRecordedPage(browser);
    listCredentials = await addVirtualAuthenticator(recorded.page);
  });

  after(async () => {
    await recorded?.context.close();
    await browser?.close();
    await shop?.close();
  });

  async function customerId(): Promise<string> {
    const row = await db()
      .selectFrom('customers')
      .select('id')
      .where('email', '=', shopper.email)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Reads the shopper's customer sessions from the database, oldest first. */
  async function storedSessions() {
    return db()
      .selectFrom('sessions')
      .select(['token_hash', 'stage'])
      .where('realm', '=', 'customer')
      .where('account_id', '=', await customerId())
      .orderBy('created_at')
      .execute();
  }

  /** Returns the `__Host-session` cookie the browser has for the shop, if any. */
  async function sessionCookie() {
    const cookies = await session().context.cookies(shopOrigin);
    return cookies.find((cookie) => cookie.name === customerSessionCookie);
  }

  /** Returns the link in the newest mail of this kind to `to`, read from the outbox table. */
  async function mailedLink(to: string, kind: string): Promise<URL> {
    const mail = await db()
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', to)
      .where('kind', '=', kind)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const link = /https?:\/\/\S+/.exec(mail.body_text ?? '')?.[0];
    assert.ok(link, `the ${kind} mail has no link: ${mail.body_text}`);
    return new URL(link);
  }

  async function fillLogin(page: Page, password: string): Promise<void> {
    await page.getByLabel('Email').fill(shopper.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  }

  async function logOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.waitForURL(`${shopOrigin}/account/login?notice=logged-out`);
  }

  it('registers, confirms the email and logs in', { timeout: scenarioTimeoutMs }, async () => {
    const { page } = session();

    await page.goto(`${shopOrigin}/account/register`);
    await page.getByLabel('Name').fill(shopper.name);
    await page.getByLabel('Email').fill(shopper.email);
    await page.getByLabel('Password').fill(shopper.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${shopOrigin}/account/check-email`);

    const unconfirmed = await db()
      .selectFrom('customers')
      .select(['name', 'email_confirmed_at'])
      .where('email', '=', shopper.email)
      .executeTakeFirstOrThrow();
    assert.equal(unconfirmed.name, shopper.name);
    assert.equal(unconfirmed.email_confirmed_at, null);

    const link = await mailedLink(shopper.email, 'confirm_email');
    assert.equal(link.origin, shopOrigin, 'the confirmation link leads to another site');
    assert.equal(link.pathname, '/account/confirm');
    await page.goto(link.href);
    await page.getByRole('button', { name: 'Confirm email address' }).click();
    await page.waitForURL(`${shopOrigin}/account/login?notice=confirmed`);

    const confirmed = await db()
      .selectFrom('customers')
      .select('email_confirmed_at')
      .where('email', '=', shopper.email)
      .executeTakeFirstOrThrow();
    assert.notEqual(confirmed.email_confirmed_at, null);

    await fillLogin(page, shopper.password);
    await page.waitForURL(`${shopOrigin}/account`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your account');
    assert.deepEqual(
      (await storedSessions()).map((row) => row.stage),
      ['active'],
    );
  });

  it('sets an HttpOnly, Secure, Lax session cookie', async () => {
    const cookie = await sessionCookie();
    assert.ok(cookie, 'the browser holds no session cookie after login');
    const stored = await storedSessions();

    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    // -1: a browser-session cookie, gone when the browser closes.
    assert.equal(cookie.expires, -1);
    assert.deepEqual(
      stored.map((row) => row.token_hash),
      [hashToken(cookie.value)],
    );
    assert.equal(
      await session().page.evaluate(() => document.cookie.includes('__Host-session')),
      false,
      'page scripts can read the session cookie',
    );
  });

  it('adds a passkey and logs in with it alone', { timeout: scenarioTimeoutMs }, async () => {
    const { page } = session();
    assert.ok(listCredentials, 'the virtual authenticator was not added');

    await page.goto(`${shopOrigin}/account/security`);
    // The form is hidden until passkeys.js has loaded under the CSP and SRI and found WebAuthn.
    await page.getByLabel('Name of the new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('button', { name: 'Remove passkey Test laptop' }).waitFor();
    await page.getByText('The passkey was added.').waitFor();

    const [credential, ...others] = await listCredentials();
    const stored = await db()
      .selectFrom('webauthn_credentials')
      .select(['id', 'realm', 'name', 'last_used_at'])
      .where('account_id', '=', await customerId())
      .execute();
    assert.deepEqual(others, []);
    assert.ok(credential, 'the authenticator holds no credential');
    assert.equal(credential.rpId, 'localhost');
    assert.equal(credential.isResidentCredential, true);
    assert.deepEqual(stored, [
      { id: credential.id, realm: 'customer', name: 'Test laptop', last_used_at: null },
    ]);

    await logOut(page);
    assert.equal(await sessionCookie(), undefined, 'logout left the session cookie');
    assert.deepEqual(await storedSessions(), []);

    await page.getByRole('button', { name: 'Log in with a passkey' }).click();
    await page.waitForURL(`${shopOrigin}/account`);

    const [used] = await listCredentials();
    const afterLogin = await db()
      .selectFrom('webauthn_credentials')
      .select('last_used_at')
      .where('id', '=', credential.id)
      .executeTakeFirstOrThrow();
    const sessions = await storedSessions();
    assert.ok((used?.signCount ?? 0) > credential.signCount, 'the passkey was not used');
    assert.notEqual(afterLogin.last_used_at, null);
    assert.deepEqual(
      sessions.map((row) => row.stage),
      ['active'],
    );
    assert.equal(sessions[0]?.token_hash, hashToken((await sessionCookie())?.value ?? ''));
  });

  it('adds an authenticator app', { timeout: scenarioTimeoutMs }, async () => {
    const { page } = session();

    await page.goto(`${shopOrigin}/account/security`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code of the authenticator key' }).waitFor();
    await assertAccessible(page, 'authenticator set-up');

    totpSecret = ((await page.locator('code.secret').textContent()) ?? '').replace(/\s+/g, '');
    assert.match(totpSecret, /^[A-Z2-7]{16,}=*$/, 'the page shows no base32 secret');
    enrolmentCode = totpCode(totpSecret);
    await page.getByLabel('Code from the app').fill(enrolmentCode);
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    await assertAccessible(page, 'recovery codes');

    const codes = await page.locator('ol.recovery-codes li').allTextContents();
    const totp = await db()
      .selectFrom('mfa_totp')
      .selectAll()
      .where('realm', '=', 'customer')
      .where('account_id', '=', await customerId())
      .executeTakeFirstOrThrow();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    assert.notEqual(totp.confirmed_at, null);
    assert.doesNotMatch(JSON.stringify(totp), new RegExp(totpSecret), 'the secret is stored clear');

    await page.getByRole('link', { name: 'I have saved them' }).click();
    await page.waitForURL(`${shopOrigin}/account/security`);
    await page.getByText('You have 10 unused recovery codes').waitFor();
    await assertAccessible(page, 'security with a passkey and an authenticator app');
  });

  it('logs in with the password and a code', { timeout: scenarioTimeoutMs }, async () => {
    const { page } = session();
    assert.ok(totpSecret, 'the authenticator app was not set up');
    assert.ok(enrolmentCode, 'the authenticator app was not confirmed');

    await page.goto(`${shopOrigin}/account/security`);
    await logOut(page);
    await fillLogin(page, shopper.password);
    await page.waitForURL(`${shopOrigin}/account/mfa`);
    await assertAccessible(page, 'second login step');

    // The password alone opens nothing: the account pages send the session back to this step.
    await page.goto(`${shopOrigin}/account/orders`);
    await page.waitForURL(`${shopOrigin}/account/mfa`);
    assert.deepEqual(
      (await storedSessions()).map((row) => row.stage),
      ['mfa_pending'],
    );

    // The code that confirmed the app was used once already, so it must not work again.
    await page.getByLabel('Code from your authenticator app').fill(enrolmentCode);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(new URL(page.url()).pathname, '/account/mfa');
    assert.deepEqual(
      (await storedSessions()).map((row) => row.stage),
      ['mfa_pending'],
    );

    // The next step's code is within the accepted drift and newer than the one used.
    await page.getByLabel('Code from your authenticator app').fill(totpCode(totpSecret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${shopOrigin}/account`);

    const sessions = await storedSessions();
    assert.deepEqual(
      sessions.map((row) => row.stage),
      ['active'],
    );
    assert.equal(sessions[0]?.token_hash, hashToken((await sessionCookie())?.value ?? ''));
  });

  it('passes axe on the account pages', { timeout: scenarioTimeoutMs }, async (t) => {
    const { page } = session();
    for (const [name, path] of [
      ['profile', '/account'],
      ['addresses', '/account/addresses'],
      ['orders', '/account/orders'],
      ['security', '/account/security'],
    ] as const) {
      await page.goto(`${shopOrigin}${path}`);
      await t.test(name, () => assertAccessible(page, name));
    }

    await logOut(page);
    for (const [name, path] of [
      ['login', '/account/login'],
      ['register', '/account/register'],
      ['forgot password', '/account/forgot'],
    ] as const) {
      await page.goto(`${shopOrigin}${path}`);
      await t.test(name, () => assertAccessible(page, name));
    }
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

    assert.ok(totpSecret, 'the account scenarios did not all run');
    assert.deepEqual(policyLines(session()), []);
    assert.deepEqual(
      stored.map((event) => event.details),
      [],
    );
  });

  it('stores a planted CSP violation', async () => {
    const { page } = session();
    // Another origin than the shop's, so img-src 'self' blocks it before any request is sent.
    const canary = `${shopOrigin.replace('localhost', '127.0.0.1')}/csp-canary.png`;

    await page.goto(`${shopOrigin}/account/login`);
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
    assert.ok(
      policyLines(session()).some((line) => line.includes(canary)),
      `no console message names the canary: ${JSON.stringify(session().consoleLines)}`,
    );
  });
});

/** Computes the TOTP code of a base32 secret, `stepOffset` 30-second steps from now. */
function totpCode(secret: string, stepOffset = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + stepOffset * 30_000 });
}
