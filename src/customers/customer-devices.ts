import { deviceCookieAfterLogin, trustedDeviceOf } from '../auth/device-cookie.js';
import type { ServiceContext } from '../server/context.js';
import { deriveKey } from '../server/secrets.js';

/** Returns the device id of a `__Host-device` cookie valid for `email`, else null. */
export function customerDeviceOf(
  ctx: ServiceContext,
  email: string,
  cookie: string | undefined,
): string | null {
  return trustedDeviceOf(deviceKeyOf(ctx), 'customer', email, cookie);
}

/** Returns the `__Host-device` value to set after a full login of `email`. */
export function deviceCookieForLogin(
  ctx: ServiceContext,
  email: string,
  cookie: string | undefined,
): string {
  return deviceCookieAfterLogin(deviceKeyOf(ctx), 'customer', email, cookie);
}

function deviceKeyOf(ctx: ServiceContext): Buffer {
  return deriveKey(ctx.secrets, 'device-cookie');
}
