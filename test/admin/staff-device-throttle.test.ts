import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';

import { preLoginCookie } from '../../src/admin/admin-csrf.js';
import {
  deviceCookieMaxAgeSeconds,
  deviceCookieNames,
  issueDeviceCookie,
} from '../../src/auth/device-cookie.js';
import { staffSessionCookie } from '../../src/auth/sessions.js';
import { sharedBucketCapacity } from '../../src/auth/throttle.js';
import { deriveKey } from '../../src/server/secrets.js';
import {
  cookieFrom,
  csrfOf,
  staffPassword,
  startTestAdmin,
  type TestAdmin,
  totpCode,
} from './admin-support.js';

const deviceCookie = deviceCookieNames.staff;

describe('staff device cookie and throttling', () => {
  let admin: TestAdmin;
  const email = 'device-owner@example.test';
  let device = '';
  let enrolled: LightMyRequestResponse;
  let recoveryCodes: string[] = [];

  /** Loads the login form from `ip` and posts it, as a browser at that address does. */
  async function login(password: string, ip = '127.0.0.1', cookie?: string) {
    const page = await admin.request({ url: '/login', remoteAddress: ip });
    const pre = cookieFrom(page, preLoginCookie);
    assert.ok(pre);
    return admin.request({
      method: 'POST',
      url: '/login',
      remoteAddress: ip,
      cookies: { [preLoginCookie]: pre, ...(cookie ? { [deviceCookie]: cookie } : {}) },
      form: { email, password },
      csrf: csrfOf(page.body),
    });
  }

  async function failFromManyAddresses(prefix: string, count: number): Promise<number[]> {
    const statuses = [];
    for (let index = 1; index <= count; index += 1) {
      statuses.push((await login('wrong password here', `${prefix}.${index}`)).statusCode);
    }
    return statuses;
  }

  before(async () => {
    admin = await startTestAdmin();
    await admin.addStaff('owner', email);

    const response = await login(staffPassword);
    const session = cookieFrom(response, staffSessionCookie);
    assert.ok(session);
    const page = await admin.request({ url: '/mfa/enrol', session });
    const secret = /Secret: <code>([A-Z2-7]+)<\/code>/.exec(page.body)?.[1] ?? '';
    enrolled = await admin.request({
      method: 'POST',
      url: '/mfa/enrol/totp',
      session,
      form: { code: totpCode(secret) },
    });
    assert.equal(enrolled.statusCode, 200, enrolled.body);
    recoveryCodes = [...enrolled.body.matchAll(/<li><code>([^<]+)<\/code>/g)].map(
      (match) => match[1] ?? '',
    );
    device = cookieFrom(enrolled, deviceCookie) ?? '';
  });
  after(() => admin.close());

  it('sets the device cookie once the login is complete', () => {
    const headers = enrolled.headers['set-cookie'];
    const all = Array.isArray(headers) ? headers : [headers ?? ''];
    const header = all.find((value) => value.startsWith(`${deviceCookie}=`)) ?? '';

    assert.equal(deviceCookie, '__Host-staff-device');
    assert.match(device, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(header.split('; ').slice(1).sort(), [
      'HttpOnly',
      `Max-Age=${deviceCookieMaxAgeSeconds}`,
      'Path=/',
      'SameSite=Lax',
      'Secure',
    ]);
  });

  it('sets no device cookie after the password alone', async () => {
    const response = await login(staffPassword, '192.0.2.10');

    assert.equal(response.headers.location, '/mfa');
    assert.equal(cookieFrom(response, deviceCookie), undefined);
  });

  it('mails the staff member when a second factor is added', async () => {
    const mail = await admin.db.kysely
      .selectFrom('outbox')
      .selectAll()
      .where('to_address', '=', email)
      .where('kind', '=', 'second_factor_changed')
      .executeTakeFirst();

    assert.ok(mail);
    assert.match(mail.body_text ?? '', /An authenticator app was added/);
    assert.match(mail.body_text ?? '', /\/me\/security/);
  });

  it("does not block another address after one address's failures", async () => {
    const attacker = [];
    for (let index = 0; index < 7; index += 1) {
      attacker.push((await login('wrong password here', '203.0.113.20')).statusCode);
    }
    const other = await login(staffPassword, '192.0.2.11');

    assert.deepEqual(attacker, [401, 401, 401, 401, 401, 429, 429]);
    assert.equal(other.statusCode, 303);
    assert.equal(other.headers.location, '/mfa');
  });

  it('lets the trusted device in while distributed guessing slows the rest', async () => {
    await admin.db.kysely.deleteFrom('auth_throttle').execute();
    const botnet = await failFromManyAddresses('198.18.1', sharedBucketCapacity);
    const untrusted = await login(staffPassword, '192.0.2.12');
    const trusted = await login(staffPassword, '203.0.113.20', device);
    const customerCookie = issueDeviceCookie(
      deriveKey(admin.secrets, 'device-cookie'),
      'customer',
      email,
    );
    const otherRealm = await login(staffPassword, '192.0.2.12', customerCookie);

    assert.deepEqual(botnet, Array(sharedBucketCapacity).fill(401));
    assert.equal(untrusted.statusCode, 429);
    assert.match(untrusted.body, /Too many failed attempts/);
    assert.equal(trusted.statusCode, 303, trusted.body);
    assert.equal(trusted.headers.location, '/mfa');
    assert.equal(otherRealm.statusCode, 429, 'a customer device cookie is ignored');
  });

  it('lets the trusted device pass the second factor under attack', async () => {
    // A new attack: the attacker has the password and guesses codes from many addresses.
    await admin.db.kysely.deleteFrom('auth_throttle').execute();
    const statuses = [];
    for (let index = 1; index <= sharedBucketCapacity + 2; index += 1) {
      const ip = `198.19.1.${index}`;
      const pending = cookieFrom(await login(staffPassword, ip), staffSessionCookie);
      const guess = await admin.request({
        method: 'POST',
        url: '/mfa/recovery',
        session: pending ?? '',
        remoteAddress: ip,
        form: { code: 'wrong-code' },
      });
      statuses.push(guess.statusCode);
    }
    const pending = cookieFrom(
      await login(staffPassword, '192.0.2.13', device),
      staffSessionCookie,
    );
    const untrusted = await admin.request({
      method: 'POST',
      url: '/mfa/recovery',
      session: pending ?? '',
      remoteAddress: '192.0.2.13',
      form: { code: recoveryCodes[0] ?? '' },
    });
    const trusted = await admin.request({
      method: 'POST',
      url: '/mfa/recovery',
      session: pending ?? '',
      remoteAddress: '192.0.2.13',
      cookies: { [deviceCookie]: device },
      form: { code: recoveryCodes[0] ?? '' },
    });

    assert.equal(recoveryCodes.length, 10);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(statuses.at(-1), 429, 'distributed code guessing is slowed');
    assert.equal(untrusted.statusCode, 429);
    assert.equal(trusted.statusCode, 303, trusted.body);
    assert.equal(trusted.headers.location, '/');
    assert.equal(cookieFrom(trusted, deviceCookie), device);
  });
});
