import { deviceCookieAfterLogin, deviceSubject, trustedDeviceOf } from '../auth/device-cookie.js';
import type { ServiceContext } from '../server/context.js';
import { deriveKey } from '../server/secrets.js';

/**
 * Returns the device id of a `__Host-device` cookie valid for `email` and its current password
 * hash (undefined for an unknown email), else null.
 */
export function customerDeviceOf(
  ctx: ServiceContext,
  email: string,
  passwordHash: string | undefined,
  cookie: string | undefined,
): string | null {
  return trustedDeviceOf(deviceKeyOf(ctx), 'customer', deviceSubject(email, passwordHash), cookie);
}

/** Returns the `__Host-device` value to set after a full login of the customer. */
export function deviceCookieForLogin(
  ctx: ServiceContext,
  customer: { email: string; password_hash: string },
  cookie: string | undefined,
): string {
  const subject = deviceSubject(customer.email, customer.password_hash);
  return deviceCookieAfterLogin(deviceKeyOf(ctx), 'customer', subject, cookie);
}

function deviceKeyOf(ctx: ServiceContext): Buffer {
  return deriveKey(ctx.secrets, 'device-cookie');
}
