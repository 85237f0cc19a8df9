import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';

import {
  deviceCookieMaxAgeSeconds,
  deviceCookieNames,
  deviceSubject,
  issueDeviceCookie,
} from '../../src/auth/device-cookie.js';
import { sharedBucketCapacity, sharedBucketLeakMs } from '../../src/auth/throttle.js';
import { deriveKey } from '../../src/server/secrets.js';
import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { Browser, createAccount, strongPassword } from './auth-support.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

const deviceCookie = deviceCookieNames.customer;

interface Attempt {
  ip?: string;
  device?: string;
}

/** Posts a login from `ip` (default 127.0.0.1), with a device cookie when given. */
function attemptLogin(email: string, password: string, attempt: Attempt = {}) {
  return store.app.inject({
    method: 'POST',
    url: '/api/store/auth/login',
    payload: { email, password },
    ...(attempt.ip ? { remoteAddress: attempt.ip } : {}),
    ...(attempt.device ? { cookies: { [deviceCookie]: attempt.device } } : {}),
  });
}

function postCode(session: string, body: object, attempt: Attempt = {}) {
  return store.app.inject({
    method: 'POST',
    url: '/api/store/auth/mfa/verify',
    payload: body,
    ...(attempt.ip ? { remoteAddress: attempt.ip } : {}),
    cookies: {
      '__Host-session': session,
      ...(attempt.device ? { [deviceCookie]: attempt.device } : {}),
    },
  });
}

function setCookie(response: LightMyRequestResponse, name: string): string | undefined {
  const headers = response.headers['set-cookie'] ?? [];
  const all = Array.isArray(headers) ? headers : [headers];
  return all.find((header) => header.startsWith(`${name}=`));
}

function cookieValue(response: LightMyRequestResponse, name: string): string {
  const value = response.cookies.find((cookie) => cookie.name === name)?.value;
  assert.ok(value, `the response sets ${name}`);
  return value;
}

/** Creates an account and logs it in once, as its owner would; returns the device cookie. */
async function trustedOwner(email: string): Promise<string> {
  const browser = await createAccount(store.app, store.db, email);
  const response = await browser.login(email, strongPassword);
  return cookieValue(response, deviceCookie);
}

async function passwordHashOf(email: string): Promise<string> {
  const row = await store.db
    .selectFrom('customers')
    .select('password_hash')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

/** Fails once from each of `count` addresses (198.18.x.y), as a botnet would. */
async function failFromManyAddresses(email: string, count: number): Promise<number[]> {
  const statuses = [];
  for (let index = 0; index < count; index += 1) {
    const ip = `198.18.${Math.floor(index / 250)}.${(index % 250) + 1}`;
    statuses.push((await attemptLogin(email, 'wrong guess here', { ip })).statusCode);
  }
  return statuses;
}

/** Fails from one address until it is throttled; returns the statuses. */
async function hammerFrom(ip: string, email: string, tries = 8): Promise<number[]> {
  const statuses = [];
  for (let index = 0; index < tries; index += 1) {
    statuses.push((await attemptLogin(email, 'wrong guess here', { ip })).statusCode);
  }
  return statuses;
}

describe('device cookie', () => {
  it('is set after a full login with exact attributes', async () => {
    const browser = await createAccount(store.app, store.db, 'attributes@example.com');

    const response = await browser.login('attributes@example.com', strongPassword);
    const header = setCookie(response, deviceCookie) ?? '';
    const value = cookieValue(response, deviceCookie);
    const attributes = header.split('; ').slice(1).sort();

    assert.match(value, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(attributes, [
      'HttpOnly',
      `Max-Age=${deviceCookieMaxAgeSeconds}`,
      'Path=/',
      'SameSite=Lax',
      'Secure',
    ]);
    assert.equal(deviceCookieMaxAgeSeconds, 180 * 24 * 60 * 60);
    assert.equal(deviceCookie, '__Host-device');
  });

  it('is not set after a failed login or before the second factor', async () => {
    await createAccount(store.app, store.db, 'no-device@example.com');

    const failed = await attemptLogin('no-device@example.com', 'wrong guess here');

    assert.equal(failed.statusCode, 401);
    assert.equal(setCookie(failed, deviceCookie), undefined);
  });

  it('keeps the value the device already has for this account', async () => {
    const device = await trustedOwner('keeps@example.com');

    const again = await attemptLogin('keeps@example.com', strongPassword, { device });

    assert.equal(again.statusCode, 200, again.body);
    assert.equal(cookieValue(again, deviceCookie), device);
  });

  it('is never stored or logged', async () => {
    const device = await trustedOwner('stored@example.com');
    const token = device.split('.')[0] ?? '';
    await attemptLogin('stored@example.com', 'wrong guess here', { device });

    const keys = await store.db.selectFrom('auth_throttle').select('key').execute();

    assert.ok(keys.length > 0);
    assert.ok(keys.every((row) => !row.key.includes(token)));
  });
});

describe('targeted lockout', () => {
  it('lets the owner in from the trusted device while attacked', async () => {
    const email = 'victim-trusted@example.com';
    const device = await trustedOwner(email);

    const attacker = await hammerFrom('203.0.113.7', email);
    const botnet = await failFromManyAddresses(email, sharedBucketCapacity);
    const untrusted = await attemptLogin(email, strongPassword, { ip: '192.0.2.44' });
    const owner = await attemptLogin(email, strongPassword, { ip: '192.0.2.44', device });
    const ownerFromAttackerAddress = await attemptLogin(email, strongPassword, {
      ip: '203.0.113.7',
      device,
    });

    assert.deepEqual(attacker, [401, 401, 401, 401, 401, 429, 429, 429]);
    assert.ok(botnet.every((status) => status === 401 || status === 429));
    assert.equal(untrusted.statusCode, 429, 'untrusted logins are slowed');
    assert.equal(owner.statusCode, 200, owner.body);
    assert.ok(cookieValue(owner, '__Host-session'));
    assert.equal(ownerFromAttackerAddress.statusCode, 200, ownerFromAttackerAddress.body);
  });

  it('keeps throttling the trusted device on its own failures', async () => {
    const email = 'device-own@example.com';
    const device = await trustedOwner(email);

    const statuses = [];
    for (let index = 0; index < 6; index += 1) {
      statuses.push((await attemptLogin(email, 'wrong guess here', { device })).statusCode);
    }
    const right = await attemptLogin(email, strongPassword, { device });
    const otherAddress = await attemptLogin(email, strongPassword, { ip: '192.0.2.80' });

    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    assert.equal(right.statusCode, 429);
    assert.equal(otherAddress.statusCode, 200, 'device failures do not block other devices');
  });

  it("does not block the owner at another address after one address's failures", async () => {
    const email = 'victim-address@example.com';
    await createAccount(store.app, store.db, email);

    const attacker = await hammerFrom('203.0.113.8', email, 12);
    const blockedAttacker = await attemptLogin(email, strongPassword, { ip: '203.0.113.8' });
    const owner = await attemptLogin(email, strongPassword, { ip: '192.0.2.45' });

    assert.deepEqual(attacker.slice(0, 6), [401, 401, 401, 401, 401, 429]);
    assert.equal(blockedAttacker.statusCode, 429);
    assert.equal(owner.statusCode, 200, owner.body);
  });

  it('treats addresses of one IPv6 /64 as one', async () => {
    const email = 'victim-ipv6@example.com';
    await createAccount(store.app, store.db, email);

    for (let index = 1; index <= 5; index += 1) {
      await attemptLogin(email, 'wrong guess here', { ip: `2001:db8:1:2::${index}` });
    }
    const sameNetwork = await attemptLogin(email, strongPassword, { ip: '2001:db8:1:2::99' });
    const otherNetwork = await attemptLogin(email, strongPassword, { ip: '2001:db8:1:3::1' });

    assert.equal(sameNetwork.statusCode, 429);
    assert.equal(otherNetwork.statusCode, 200, otherNetwork.body);
  });

  it('slows untrusted logins when failures come from many addresses', async () => {
    const email = 'distributed@example.com';
    await createAccount(store.app, store.db, email);

    const botnet = await failFromManyAddresses(email, sharedBucketCapacity);
    const fresh = await attemptLogin(email, strongPassword, { ip: '192.0.2.46' });
    const unknown = await failFromManyAddresses('nobody-distributed@example.com', 30);
    const freshUnknown = await attemptLogin('nobody-distributed@example.com', strongPassword, {
      ip: '192.0.2.46',
    });

    assert.deepEqual(botnet, Array(sharedBucketCapacity).fill(401));
    assert.equal(fresh.statusCode, 429);
    assert.equal(fresh.json().code, 'TOO_MANY_ATTEMPTS');
    const wait = Number(fresh.headers['retry-after']);
    assert.ok(wait > 0, `waits ${wait} s`);
    assert.ok(wait <= sharedBucketLeakMs / 1000, `waits ${wait} s`);
    assert.deepEqual(unknown, botnet, 'unknown emails are throttled alike');
    assert.equal(freshUnknown.statusCode, 429);
    // The unknown email's bucket filled a moment later, so its wait may end a second later.
    const unknownWait = Number(freshUnknown.headers['retry-after']);
    assert.ok(Math.abs(unknownWait - wait) <= 2, `waits ${unknownWait} s against ${wait} s`);
  });

  it('ignores a forged, other-account or other-realm device cookie', async () => {
    const email = 'victim-forged@example.com';
    const genuine = await trustedOwner(email);
    const otherAccount = await trustedOwner('someone-else@example.com');
    const key = deriveKey(store.shop.deps.secrets, 'device-cookie');
    const subject = deviceSubject(email, await passwordHashOf(email));
    const [token = ''] = genuine.split('.');
    const cookies = {
      forged: `${token}.${'A'.repeat(43)}`,
      otherKey: issueDeviceCookie(Buffer.alloc(32, 7), 'customer', subject),
      otherAccount,
      otherRealm: issueDeviceCookie(key, 'staff', subject),
      malformed: 'not-a-device-cookie',
    };
    await failFromManyAddresses(email, sharedBucketCapacity);

    for (const [label, device] of Object.entries(cookies)) {
      const response = await attemptLogin(email, strongPassword, { ip: '192.0.2.47', device });
      assert.equal(response.statusCode, 429, `${label} cookie is ignored`);
      assert.equal(setCookie(response, '__Host-session'), undefined);
    }
    const owner = await attemptLogin(email, strongPassword, { ip: '192.0.2.47', device: genuine });
    assert.equal(owner.statusCode, 200, owner.body);
  });

  it('stops trusting devices after a password change', async () => {
    const email = 'changed-password@example.com';
    const browser = await createAccount(store.app, store.db, email);
    const loggedIn = await browser.login(email, strongPassword);
    const device = cookieValue(loggedIn, deviceCookie);
    const newPassword = 'a changed passphrase for sure';

    const changed = await browser.request('POST', '/api/store/account/password', {
      currentPassword: strongPassword,
      newPassword,
    });
    const attacker = await hammerFrom('203.0.113.8', email);
    const oldDevice = await attemptLogin(email, newPassword, { ip: '203.0.113.8', device });

    assert.ok(changed.statusCode < 300, changed.body);
    assert.deepEqual(attacker, [401, 401, 401, 401, 401, 429, 429, 429]);
    assert.equal(oldDevice.statusCode, 429, 'a device cookie from before the change still counts');
  });

  it('never lets a device cookie skip the password', async () => {
    const email = 'no-skip@example.com';
    const device = await trustedOwner(email);

    const wrong = await attemptLogin(email, 'wrong guess here', { device });

    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'INVALID_CREDENTIALS');
    assert.equal(setCookie(wrong, '__Host-session'), undefined);
  });
});

describe('second-factor lockout', () => {
  /** Creates an account with TOTP whose owner has completed a full login; returns its device. */
  async function ownerWithTotp(email: string) {
    const browser = await createAccount(store.app, store.db, email);
    await browser.login(email, strongPassword);
    const started = await browser.request('POST', '/api/store/auth/mfa/totp/start', {});
    const { secret } = started.json<{ secret: string }>();
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    const confirmed = await browser.request('POST', '/api/store/auth/mfa/totp/confirm', { code });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const device = browser.cookies.get(deviceCookie);
    assert.ok(device);
    return { device, recoveryCodes: confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes };
  }

  /** Logs in with the password from `attempt` and returns the pending session. */
  async function pendingSession(email: string, attempt: Attempt = {}): Promise<string> {
    const response = await attemptLogin(email, strongPassword, attempt);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { stage: 'mfa_pending' });
    assert.equal(setCookie(response, deviceCookie), undefined, 'no device cookie before the code');
    return cookieValue(response, '__Host-session');
  }

  it('lets the owner pass the second factor from the trusted device', async () => {
    const email = 'mfa-victim@example.com';
    const { device, recoveryCodes } = await ownerWithTotp(email);

    // The attacker has the password and guesses codes from many addresses.
    const statuses = [];
    for (let index = 0; index < sharedBucketCapacity + 5; index += 1) {
      const ip = `198.19.0.${index + 1}`;
      const session = await pendingSession(email, { ip });
      statuses.push((await postCode(session, { code: '000000' }, { ip })).statusCode);
    }
    const untrusted = await postCode(
      await pendingSession(email, { ip: '192.0.2.48' }),
      { recoveryCode: recoveryCodes[0] },
      { ip: '192.0.2.48' },
    );
    const ownerSession = await pendingSession(email, { ip: '192.0.2.48', device });
    const owner = await postCode(
      ownerSession,
      { recoveryCode: recoveryCodes[1] },
      { ip: '192.0.2.48', device },
    );

    assert.ok(statuses.includes(429), 'distributed code guessing is slowed');
    assert.equal(untrusted.statusCode, 429, 'untrusted devices wait');
    assert.equal(owner.statusCode, 200, owner.body);
    assert.equal(cookieValue(owner, deviceCookie), device);
  });

  it('never lets a device cookie skip the second factor', async () => {
    const email = 'mfa-no-skip@example.com';
    const { device } = await ownerWithTotp(email);

    const session = await pendingSession(email, { device });
    const wrong = await postCode(session, { code: '000000' }, { device });
    const account = await store.app.inject({
      method: 'GET',
      url: '/api/store/account',
      cookies: { '__Host-session': session, [deviceCookie]: device },
    });

    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'INVALID_CODE');
    assert.equal(account.statusCode, 401);
  });

  it('keeps re-authentication apart from second-step failures', async () => {
    const email = 'mfa-reauth@example.com';
    const browser = await createAccount(store.app, store.db, email);
    await browser.login(email, strongPassword);
    for (let index = 0; index < 6; index += 1) {
      await attemptLogin(email, 'wrong guess here');
    }

    const reauth = await browser.request('POST', '/api/store/auth/reauthenticate', {
      password: strongPassword,
    });

    assert.equal(reauth.statusCode, 200, reauth.body);
  });
});

describe('throttle message', () => {
  it('says "1 second" in the singular', async () => {
    const email = 'singular@example.com';
    for (let index = 0; index < 5; index += 1) {
      await new Browser(store.app).request('POST', '/api/store/auth/login', {
        email,
        password: 'wrong guess here',
      });
    }

    const blocked = await attemptLogin(email, 'wrong guess here');

    assert.equal(blocked.statusCode, 429);
    assert.equal(
      blocked.json().detail,
      'Too many failed attempts; wait 1 second before trying again.',
    );
  });
});
