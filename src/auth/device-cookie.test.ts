import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { hashToken } from '../server/ids.js';
import { deviceCookieAfterLogin, issueDeviceCookie, trustedDeviceOf } from './device-cookie.js';

const key = Buffer.alloc(32, 1);
const otherKey = Buffer.alloc(32, 2);

describe('device cookie', () => {
  it('is trusted for its realm and email only', () => {
    const value = issueDeviceCookie(key, 'customer', 'ada@example.com');
    const [token = ''] = value.split('.');

    assert.equal(trustedDeviceOf(key, 'customer', 'ada@example.com', value), hashToken(token));
    assert.equal(trustedDeviceOf(key, 'customer', 'grace@example.com', value), null);
    assert.equal(trustedDeviceOf(key, 'staff', 'ada@example.com', value), null);
    assert.equal(trustedDeviceOf(otherKey, 'customer', 'ada@example.com', value), null);
  });

  it('rejects forged and malformed values', () => {
    const value = issueDeviceCookie(key, 'customer', 'ada@example.com');
    const [token = '', mac = ''] = value.split('.');
    const flipped = `${token}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const otherToken = `${'x'.repeat(43)}.${mac}`;

    for (const forged of [flipped, otherToken, token, `${value}.`, '', undefined]) {
      assert.equal(trustedDeviceOf(key, 'customer', 'ada@example.com', forged), null, forged);
    }
  });

  it('is random per issue and never exposes the token as the device id', () => {
    const first = issueDeviceCookie(key, 'customer', 'ada@example.com');
    const second = issueDeviceCookie(key, 'customer', 'ada@example.com');
    const id = trustedDeviceOf(key, 'customer', 'ada@example.com', first) ?? '';

    assert.notEqual(first, second);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.ok(!first.includes(id));
  });

  it('keeps a valid value at login and replaces any other', () => {
    const mine = issueDeviceCookie(key, 'staff', 'ada@example.com');
    const others = issueDeviceCookie(key, 'staff', 'grace@example.com');

    assert.equal(deviceCookieAfterLogin(key, 'staff', 'ada@example.com', mine), mine);
    const replaced = deviceCookieAfterLogin(key, 'staff', 'ada@example.com', others);
    assert.notEqual(replaced, others);
    assert.ok(trustedDeviceOf(key, 'staff', 'ada@example.com', replaced));
  });
});
