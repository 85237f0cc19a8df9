import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import * as OTPAuth from 'otpauth';

import { adminCsrfKey, preLoginCookie } from '../../src/admin/admin-csrf.js';
import { type AdminApp, buildAdminApp } from '../../src/admin/app.js';
import { csrfToken } from '../../src/auth/csrf.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { openSealedSecret } from '../../src/auth/seal.js';
import { staffSessionCookie } from '../../src/auth/sessions.js';
import { SoftwareAuthenticator } from '../../src/auth/test-authenticator.js';
import { sendPendingMail } from '../../src/mail/mail-worker.js';
import { createLogTransport } from '../../src/mail/transport.js';
import { hashToken, nowIso, randomId } from '../../src/server/ids.js';
import { deriveKey } from '../../src/server/secrets.js';
import { Browser, latestMail, tokenIn } from '../api/auth-support.js';
import { captureLogs } from '../support/log-capture.js';
import { openTestLog, type TestLog } from '../support/log-files.js';
import { type StoreTest, startStoreTest, validCheckout } from '../support/store-api.js';

// Runs one customer's whole account life through the Store API and one staff member's through
// the admin app, and records every response and log line. Both apps log at trace level. The
// tests then check that no secret the run produced or stored shows up anywhere it should not.

const secretKey = 'leak-test-secret-key-0123456789abcdefghij';
const gatewaySecret = 'leak-test-gateway-secret-0123456789abcdef';
const email = 'leaky@example.com';
const newEmail = 'leaky-new@example.com';
const staffEmail = 'owner@example.test';
const passwords = {
  first: 'first passphrase of the customer',
  changed: 'second passphrase after a change',
  reset: 'third passphrase after a reset',
  staff: 'the staff owner passphrase here',
  wrong: 'a wrong passphrase to be refused',
};

/** One response as the client received it. */
interface Exchange {
  app: 'shop' | 'admin';
  method: string;
  path: string;
  status: number;
  contentType: string;
  /** Header values, with Set-Cookie split into one entry per cookie. */
  headers: { name: string; value: string }[];
  body: string;
}

/** Place where a secret could show up: a response part or a log line. */
interface Site {
  where: string;
  text: string;
  exchange?: Exchange;
  /** Cookie name and value, for a Set-Cookie entry. */
  cookie?: { name: string; value: string };
  part: 'body' | 'header' | 'log';
}

/** A secret value and where, if anywhere, it may legitimately be shown. */
interface Secret {
  kind: string;
  value: string;
  allowedAt?: (site: Site) => boolean;
}

const exchanges: Exchange[] = [];
const shopLogs = captureLogs();
const adminLogs = captureLogs();
const flowSecrets: Secret[] = [];
let store: StoreTest;
let admin: AdminApp;
let adminLog: TestLog | undefined;

function record(
  app: Exchange['app'],
  method: string,
  path: string,
  response: LightMyRequestResponse,
) {
  const headers: Exchange['headers'] = [];
  for (const [name, value] of Object.entries(response.headers)) {
    const values = Array.isArray(value) ? value : [String(value)];
    for (const item of values) headers.push({ name: name.toLowerCase(), value: item });
  }
  exchanges.push({
    app,
    method,
    path: path.split('?')[0] ?? path,
    status: response.statusCode,
    contentType: String(response.headers['content-type'] ?? ''),
    headers,
    body: response.body,
  });
}

/** A Store API client that records every response it gets. */
class RecordingBrowser extends Browser {
  override async request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const response = await super.request(method, url, body, headers);
    record('shop', method, url, response);
    return response;
  }

  /** Sends a request and fails the run unless the status is `expected`. */
  async expect(
    expected: number,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse> {
    const response = await this.request(method, url, body);
    assert.equal(response.statusCode, expected, `${method} ${url}: ${response.body}`);
    return response;
  }
}

function totpCode(secret: string, stepOffset = 0): string {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  });
  return totp.generate({ timestamp: Date.now() + stepOffset * 30_000 });
}

const isOptionsResponse = (site: Site) =>
  site.part === 'body' && /\/options$/.test(site.exchange?.path ?? '');

async function runCustomerLife(): Promise<void> {
  const { app, db, catalog, shop } = store;
  const browser = new RecordingBrowser(app);
  const origin = shop.deps.config.publicUrl;

  // A guest purchase with the address the account will confirm, so confirmation attaches it.
  const cart = await browser.expect(201, 'POST', '/api/store/carts');
  const cartId = cart.json<{ id: string }>().id;
  await browser.expect(200, 'POST', `/api/store/carts/${cartId}/lines`, {
    variantId: catalog.hat,
    quantity: 1,
  });
  await browser.expect(201, 'POST', `/api/store/carts/${cartId}/checkout`, {
    ...validCheckout,
    email,
  });

  await browser.expect(202, 'POST', '/api/store/auth/register', {
    email,
    password: passwords.first,
    name: 'Lee Leaky',
  });
  await browser.expect(202, 'POST', '/api/store/auth/register', {
    email,
    password: passwords.wrong,
    name: 'Someone Else',
  });
  const confirmToken = tokenIn(await latestMail(db, email, 'confirm_email'));
  await browser.expect(200, 'POST', '/api/store/auth/confirm-email', { token: confirmToken });
  await browser.expect(401, 'POST', '/api/store/auth/login', { email, password: passwords.wrong });
  await browser.expect(401, 'POST', '/api/store/auth/login', {
    email: 'nobody@example.com',
    password: passwords.wrong,
  });
  await browser.expect(200, 'POST', '/api/store/auth/login', { email, password: passwords.first });

  // Authenticator app: the secret and the URI are shown once, at the start.
  const started = await browser.expect(200, 'POST', '/api/store/auth/mfa/totp/start', {});
  const { secret } = started.json<{ secret: string }>();
  flowSecrets.push({
    kind: 'TOTP secret (shown at enrolment)',
    value: secret,
    allowedAt: (site) =>
      site.part === 'body' && site.exchange?.path === '/api/store/auth/mfa/totp/start',
  });
  const confirmed = await browser.expect(200, 'POST', '/api/store/auth/mfa/totp/confirm', {
    code: totpCode(secret),
  });
  const firstCodes = confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes;
  const regenerated = await browser.expect(200, 'POST', '/api/store/auth/mfa/recovery-codes', {});
  const recoveryCodes = regenerated.json<{ recoveryCodes: string[] }>().recoveryCodes;
  for (const code of [...firstCodes, ...recoveryCodes]) {
    flowSecrets.push({
      kind: 'recovery code',
      value: code,
      allowedAt: (site) =>
        site.part === 'body' &&
        ['/api/store/auth/mfa/totp/confirm', '/api/store/auth/mfa/recovery-codes'].includes(
          site.exchange?.path ?? '',
        ),
    });
  }
  await browser.expect(200, 'POST', '/api/store/auth/logout', {});

  // Second factor by code, then by recovery code, with a wrong code in between.
  await browser.expect(200, 'POST', '/api/store/auth/login', { email, password: passwords.first });
  await browser.expect(401, 'POST', '/api/store/auth/mfa/verify', { recoveryCode: 'abcdefghjk' });
  await browser.expect(200, 'POST', '/api/store/auth/mfa/verify', { code: totpCode(secret, 1) });
  await browser.expect(200, 'POST', '/api/store/auth/logout', {});
  await browser.expect(200, 'POST', '/api/store/auth/login', { email, password: passwords.first });
  await browser.expect(200, 'POST', '/api/store/auth/mfa/verify', {
    recoveryCode: recoveryCodes[0],
  });

  // Password change (with a wrong current password first), then the account pages.
  await browser.expect(401, 'POST', '/api/store/account/password', {
    currentPassword: passwords.wrong,
    newPassword: passwords.changed,
  });
  await browser.expect(204, 'POST', '/api/store/account/password', {
    currentPassword: passwords.first,
    newPassword: passwords.changed,
  });
  await browser.expect(200, 'POST', '/api/store/auth/reauthenticate', {
    password: passwords.changed,
  });
  await browser.expect(200, 'GET', '/api/store/account');
  await browser.expect(200, 'GET', '/api/store/account/sessions');
  await browser.expect(200, 'GET', '/api/store/account/orders');
  await browser.expect(200, 'GET', '/api/store/auth/mfa');

  // Passkey: add one, log out, log in with it alone.
  const authenticator = new SoftwareAuthenticator(origin.origin, origin.hostname);
  const registerOptions = await browser.expect(
    200,
    'POST',
    '/api/store/auth/mfa/passkeys/register/options',
    {},
  );
  await browser.expect(200, 'POST', '/api/store/auth/mfa/passkeys/register/verify', {
    response: authenticator.register(registerOptions.json()),
    name: 'Test key',
  });
  await browser.expect(200, 'POST', '/api/store/auth/logout', {});
  const loginOptions = await browser.expect(
    200,
    'POST',
    '/api/store/auth/mfa/passkeys/login/options',
    {},
  );
  await browser.expect(200, 'POST', '/api/store/auth/mfa/passkeys/login/verify', {
    response: authenticator.login(loginOptions.json()),
  });
  for (const options of [registerOptions, loginOptions]) {
    flowSecrets.push({
      kind: 'WebAuthn challenge',
      value: options.json<{ challenge: string }>().challenge,
      allowedAt: isOptionsResponse,
    });
  }
  await browser.expect(200, 'GET', '/api/store/account/sessions');

  // Email change, confirmed through the link mailed to the new address.
  await browser.expect(202, 'POST', '/api/store/account/email', {
    password: passwords.changed,
    newEmail,
  });
  const changeToken = tokenIn(await latestMail(db, newEmail, 'change_email'));
  await browser.expect(200, 'POST', '/api/store/auth/confirm-email', { token: changeToken });

  // Password reset from a fresh browser, then a login with the new password and a recovery code.
  const stranger = new RecordingBrowser(app);
  await stranger.expect(202, 'POST', '/api/store/auth/password-reset', { email: newEmail });
  await stranger.expect(202, 'POST', '/api/store/auth/password-reset', {
    email: 'nobody@example.com',
  });
  const resetToken = tokenIn(await latestMail(db, newEmail, 'reset_password'));
  await stranger.expect(200, 'POST', '/api/store/auth/password-reset/confirm', {
    token: resetToken,
    password: passwords.reset,
  });
  await stranger.expect(400, 'POST', '/api/store/auth/password-reset/confirm', {
    token: resetToken,
    password: passwords.reset,
  });
  await stranger.expect(200, 'POST', '/api/store/auth/login', {
    email: newEmail,
    password: passwords.reset,
  });
  await stranger.expect(200, 'POST', '/api/store/auth/mfa/verify', {
    recoveryCode: recoveryCodes[1],
  });
  await stranger.expect(200, 'POST', '/api/store/auth/logout-everywhere', {});

  // The development mail transport logs each queued message; its lines are checked too.
  const log = store.app.log;
  await sendPendingMail({ db, config: shop.deps.config, log }, createLogTransport(log));
}

async function runStaffLife(): Promise<void> {
  const { config, db, secrets } = store.shop.deps;
  const hasher = createPasswordHasher(config.passwordHashing, 1);
  const customer = await db.kysely
    .selectFrom('customers')
    .select('id')
    .where('email', '=', newEmail)
    .executeTakeFirstOrThrow();
  await db.kysely
    .insertInto('staff')
    .values({
      id: randomId(),
      email: staffEmail,
      name: 'Olive Owner',
      password_hash: await hasher.hash(passwords.staff),
      role: 'owner',
      created_at: nowIso(),
      updated_at: nowIso(),
      disabled_at: null,
    })
    .execute();

  let session = '';
  let pre = '';
  const send = async (
    expected: number,
    method: 'GET' | 'POST',
    url: string,
    form?: Record<string, string>,
  ) => {
    const cookies: Record<string, string> = {};
    if (session) cookies[staffSessionCookie] = session;
    if (pre) cookies[preLoginCookie] = pre;
    const headers: Record<string, string> = { host: config.adminUrl.host };
    const inject: InjectOptions = { method, url, headers, cookies };
    if (method === 'POST') {
      headers.origin = config.adminUrl.origin;
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const binding = session ? hashToken(session) : hashToken(pre);
      inject.payload = new URLSearchParams({
        ...form,
        _csrf: csrfToken(adminCsrfKey(secrets), binding),
      }).toString();
    }
    const response = await admin.inject(inject);
    record('admin', method, url, response);
    assert.equal(response.statusCode, expected, `admin ${method} ${url}: ${response.body}`);

    for (const cookie of response.cookies) {
      if (cookie.name === staffSessionCookie) session = cookie.value;
      if (cookie.name === preLoginCookie) pre = cookie.value;
    }
    return response;
  };

  await send(200, 'GET', '/login');
  await send(401, 'POST', '/login', { email: staffEmail, password: passwords.wrong });
  await send(303, 'POST', '/login', { email: staffEmail, password: passwords.staff });
  const enrol = await send(200, 'GET', '/mfa/enrol');
  const secret = /Secret: <code>([A-Z2-7]+)<\/code>/.exec(enrol.body)?.[1] ?? '';
  assert.ok(secret, 'the enrolment page shows the secret');
  flowSecrets.push({
    kind: 'staff TOTP secret (shown at enrolment)',
    value: secret,
    allowedAt: (site) => site.part === 'body' && site.exchange?.path === '/mfa/enrol',
  });
  await send(401, 'POST', '/mfa/enrol/totp', {
    code: totpCode(secret) === '000000' ? '111111' : '000000',
  });
  const enrolled = await send(200, 'POST', '/mfa/enrol/totp', { code: totpCode(secret) });
  for (const match of enrolled.body.matchAll(/<li><code>([^<]+)<\/code>/g)) {
    flowSecrets.push({
      kind: 'staff recovery code',
      value: match[1] ?? '',
      allowedAt: (site) => site.part === 'body' && site.exchange?.path === '/mfa/enrol/totp',
    });
  }
  await send(303, 'POST', '/logout', {});
  session = '';

  await send(200, 'GET', '/login');
  await send(303, 'POST', '/login', { email: staffEmail, password: passwords.staff });
  await send(303, 'POST', '/mfa/totp', { code: totpCode(secret, 1) });
  await send(200, 'GET', '/');
  await send(200, 'GET', '/outbox');
  await send(200, 'GET', '/customers');
  await send(200, 'GET', `/customers/${customer.id}`);
  await send(200, 'GET', `/customers/${customer.id}/export`);
  await send(200, 'POST', `/customers/${customer.id}/export`, {});
  await send(200, 'GET', '/api-keys/new');
  const created = await send(200, 'POST', '/api-keys/new', { name: 'leak test' });
  const apiKey = /sfk_[A-Za-z0-9_-]{43}/.exec(created.body)?.[0] ?? '';
  assert.ok(apiKey, 'the creation page shows the new key');
  flowSecrets.push({
    kind: 'API key',
    value: apiKey,
    allowedAt: (site) =>
      site.part === 'body' &&
      site.exchange?.method === 'POST' &&
      site.exchange.path === '/api-keys/new',
  });
  await send(200, 'GET', '/api-keys');
  await send(200, 'GET', '/audit-log');
  await send(200, 'GET', '/security-events');
  await send(303, 'POST', '/logout', {});
}

before(async () => {
  store = await startStoreTest(
    { LOG_LEVEL: 'trace', SECRET_KEY: secretKey, SANDBOX_GATEWAY_SECRET: gatewaySecret },
    { logStream: shopLogs.stream },
  );
  const { config, db, secrets, payments, assets } = store.shop.deps;
  adminLog = openTestLog('admin', adminLogs.stream);
  admin = await buildAdminApp({
    config,
    db,
    secrets,
    payments,
    assets,
    logStream: adminLog.stream,
  });
  await admin.ready();

  await runCustomerLife();
  await runStaffLife();
});

after(async () => {
  await admin?.close();
  adminLog?.close();
  await store?.close();
});

/** Returns every response part and log line of the run as places a secret could show up. */
function sitesOfRun(): Site[] {
  const sites: Site[] = [];
  for (const exchange of exchanges) {
    const label = `${exchange.app} ${exchange.method} ${exchange.path} (${exchange.status})`;
    sites.push({ where: `${label} body`, text: exchange.body, exchange, part: 'body' });
    for (const header of exchange.headers) {
      const site: Site = {
        where: `${label} header ${header.name}`,
        text: header.value,
        exchange,
        part: 'header',
      };
      if (header.name === 'set-cookie') {
        const [pair = ''] = header.value.split(';');
        const separator = pair.indexOf('=');
        site.cookie = { name: pair.slice(0, separator), value: pair.slice(separator + 1) };
      }
      sites.push(site);
    }
  }
  const logs = [
    ['shop', shopLogs.entries()],
    ['admin', adminLogs.entries()],
  ] as const;
  for (const [app, entries] of logs) {
    entries.forEach((entry, index) => {
      sites.push({
        where: `${app} log line ${index + 1}`,
        text: JSON.stringify(entry),
        part: 'log',
      });
    });
  }
  return sites;
}

/** Returns the forms a secret might take on the way out: as is, URL-encoded or JSON-escaped. */
function encodingsOf(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])];
}

/** Returns the session, ceremony and visitor cookie values issued in the run, and their hashes. */
function issuedCookies(): Secret[] {
  const found = new Map<string, string>();
  for (const exchange of exchanges) {
    for (const header of exchange.headers) {
      if (header.name !== 'set-cookie') continue;
      const [pair = ''] = header.value.split(';');
      const separator = pair.indexOf('=');
      const value = pair.slice(separator + 1);
      if (value.length >= 16) found.set(value, pair.slice(0, separator));
    }
  }
  return [...found].flatMap(([value, name]) => [
    {
      kind: `${name} cookie value`,
      value,
      allowedAt: (site: Site) => site.cookie?.name === name && site.cookie.value === value,
    },
    { kind: `hash of the ${name} cookie value`, value: hashToken(value) },
  ]);
}

/** Returns every secret the database contains after the run, and derived forms worth searching. */
async function storedSecrets(): Promise<Secret[]> {
  const { db, secrets } = store.shop.deps;
  const kysely = db.kysely;
  const found: Secret[] = [];
  const add = (kind: string, values: (string | null)[], allowedAt?: Secret['allowedAt']) => {
    for (const value of values) if (value) found.push({ kind, value, allowedAt });
  };

  const customers = await kysely.selectFrom('customers').select('password_hash').execute();
  const staff = await kysely.selectFrom('staff').select('password_hash').execute();
  add(
    'password hash',
    [...customers, ...staff].map((row) => row.password_hash),
  );
  add('plaintext password', Object.values(passwords));

  const sessions = await kysely.selectFrom('sessions').select('token_hash').execute();
  add(
    'session token hash',
    sessions.map((row) => row.token_hash),
  );

  const mails = await kysely.selectFrom('outbox').select('body_text').execute();
  const linkTokens = mails.flatMap((mail) =>
    [...(mail.body_text ?? '').matchAll(/[?&]token=([A-Za-z0-9_-]{43})/g)].map((m) => m[1] ?? ''),
  );
  assert.ok(linkTokens.length >= 3, `only ${linkTokens.length} link tokens in the outbox`);
  // Without SMTP the admin's outbox page shows mail bodies, links included, by design, because
  // that is how a development shop delivers its mail.
  add(
    'email link token',
    linkTokens,
    (site) => site.part === 'body' && site.exchange?.path === '/outbox',
  );
  add('email link token hash', linkTokens.map(hashToken));
  const links = await kysely.selectFrom('auth_links').select('token_hash').execute();
  add(
    'email link token hash',
    links.map((row) => row.token_hash),
  );

  const sealKey = deriveKey(secrets, 'totp-seal');
  const totp = await kysely.selectFrom('mfa_totp').selectAll().execute();
  assert.equal(totp.length, 2, 'one customer and one staff TOTP enrolment');
  for (const row of totp) {
    add('sealed TOTP secret', [row.secret_sealed, row.secret_sealed.split('.')[2] ?? null]);
    const plain = openSealedSecret(
      sealKey,
      row.secret_sealed,
      `totp:${row.realm}:${row.account_id}`,
    );
    const enrolmentPath =
      row.realm === 'customer' ? '/api/store/auth/mfa/totp/start' : '/mfa/enrol';
    add(
      'TOTP secret (unsealed from the database)',
      [plain],
      (site) => site.part === 'body' && site.exchange?.path === enrolmentPath,
    );
  }

  const codes = await kysely.selectFrom('mfa_recovery_codes').select('code_hash').execute();
  add(
    'recovery code hash',
    codes.map((row) => row.code_hash),
  );
  const passkeys = await kysely.selectFrom('webauthn_credentials').select('public_key').execute();
  assert.equal(passkeys.length, 1, 'the passkey was stored');
  add(
    'WebAuthn public key',
    passkeys.map((row) => row.public_key),
  );
  const challenges = await kysely
    .selectFrom('auth_challenges')
    .select(['challenge', 'key_hash'])
    .execute();
  add(
    'WebAuthn challenge',
    challenges.map((row) => row.challenge),
    isOptionsResponse,
  );
  add(
    'WebAuthn challenge key hash',
    challenges.map((row) => row.key_hash),
  );
  const apiKeys = await kysely.selectFrom('api_keys').select('key_hash').execute();
  add(
    'API key hash',
    apiKeys.map((row) => row.key_hash),
  );

  add('SECRET_KEY', [secretKey, secrets.signingKey.toString('base64url')]);
  add('SANDBOX_GATEWAY_SECRET', [gatewaySecret]);
  for (const purpose of ['csrf', 'csrf-admin', 'totp-seal', 'audit-log'] as const) {
    const key = deriveKey(secrets, purpose);
    add(`derived ${purpose} key`, [
      key.toString('hex'),
      key.toString('base64url'),
      key.toString('base64'),
    ]);
  }
  return found;
}

/** Lists, by kind and place but never by value, each secret found where it is not allowed. */
function findLeaks(secrets: Secret[], sites: Site[]): string[] {
  const leaks = new Set<string>();
  for (const secret of secrets) {
    for (const form of encodingsOf(secret.value)) {
      for (const site of sites) {
        if (!site.text.includes(form) || secret.allowedAt?.(site)) continue;
        leaks.add(`${secret.kind} appeared in ${site.where}`);
      }
    }
  }
  return [...leaks];
}

/** Returns the CSRF tokens of the admin's forms, which belong in HTML pages and nowhere else. */
function csrfTokens(): Secret[] {
  const tokens = new Set<string>();
  for (const exchange of exchanges) {
    for (const match of exchange.body.matchAll(/name="_csrf" value="([^"]+)"/g)) {
      tokens.add(match[1] ?? '');
    }
  }
  return [...tokens].map((value) => ({
    kind: 'CSRF token',
    value,
    allowedAt: (site: Site) =>
      site.part === 'body' && (site.exchange?.contentType.startsWith('text/html') ?? false),
  }));
}

describe('secrets across a whole account life', () => {
  it('ran the flows and captured their logs', () => {
    assert.ok(exchanges.length > 60, `only ${exchanges.length} responses recorded`);
    // One line per request and more for account events: at least one per recorded response.
    assert.ok(shopLogs.entries().length > 60, `only ${shopLogs.entries().length} shop log lines`);
    assert.ok(
      adminLogs.entries().length > 10,
      `only ${adminLogs.entries().length} admin log lines`,
    );
    // Nothing in these flows logs below info yet, but trace level makes sure any line that does
    // is checked.
    assert.ok(
      shopLogs.entries().some((entry) => entry.msg === 'request completed'),
      'the shop logged no request lines',
    );
    assert.ok(
      shopLogs.entries().some((entry) => String(entry.msg).includes('mail not sent')),
      'the mail transport logged nothing',
    );
  });

  it('keeps every secret out of responses and logs', async () => {
    const secrets = [
      ...flowSecrets,
      ...issuedCookies(),
      ...(await storedSecrets()),
      ...csrfTokens(),
    ];
    assert.ok(secrets.length > 80, `only ${secrets.length} secrets collected`);
    for (const secret of secrets) {
      assert.ok(secret.value.length >= 10, `${secret.kind} is too short to search for`);
    }

    assert.deepEqual(findLeaks(secrets, sitesOfRun()), []);
  });

  it('finds a planted leak and names its kind', async () => {
    const secrets = await storedSecrets();
    const hash = secrets.find((secret) => secret.kind === 'password hash')?.value ?? '';
    const sites = sitesOfRun();
    sites.push({ where: 'planted log line', text: JSON.stringify({ hash }), part: 'log' });

    const leaks = findLeaks(secrets, sites);

    assert.deepEqual(leaks, ['password hash appeared in planted log line']);
    assert.ok(!leaks[0]?.includes(hash), 'the message must not repeat the secret');
  });

  it('shows no argon2 hash anywhere', () => {
    const hits = sitesOfRun()
      .filter((site) => site.text.includes('$argon2'))
      .map((site) => site.where);

    assert.deepEqual(hits, []);
  });

  it('shows each one-time secret where it is documented', () => {
    const bodyOf = (app: string, method: string, path: string) =>
      exchanges.find((e) => e.app === app && e.method === method && e.path === path)?.body ?? '';
    const secretOf = (kind: string) => flowSecrets.find((s) => s.kind === kind)?.value ?? 'none';

    assert.ok(
      bodyOf('shop', 'POST', '/api/store/auth/mfa/totp/start').includes(
        secretOf('TOTP secret (shown at enrolment)'),
      ),
    );
    assert.match(bodyOf('shop', 'POST', '/api/store/auth/mfa/totp/start'), /otpauth:\/\/totp\//);
    assert.ok(bodyOf('admin', 'POST', '/api-keys/new').includes(secretOf('API key')));
    assert.ok(
      bodyOf('shop', 'POST', '/api/store/auth/mfa/recovery-codes').includes(
        secretOf('recovery code'),
      ) ||
        bodyOf('shop', 'POST', '/api/store/auth/mfa/totp/confirm').includes(
          secretOf('recovery code'),
        ),
    );
  });
});
