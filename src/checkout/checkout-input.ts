import { AppError } from '../server/errors.js';
import type { CheckoutInput, ShippingAddress } from './checkout.service.js';
import { isCountryCode } from './countries.js';
import { type ShippingMethodId, shippingMethodIds } from './shipping.js';

/** Length limits of checkout fields, in UTF-16 code units after trimming. */
export const checkoutLimits = {
  email: 254,
  name: 100,
  line1: 200,
  line2: 200,
  city: 100,
  region: 100,
  postalCode: 16,
} as const;

// A practical address check, not RFC 5322: a local part without spaces, quotes or brackets, and
// a domain of letter-digit-hyphen labels with at least one dot.
const emailPattern =
  /^[^\s@"(),:;<>[\\\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

// Control characters (line breaks included) and bidirectional overrides, which could split a
// label on a packing slip or make an address display in a different order than it is stored.
const forbiddenCharacters = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

const postalCodePattern = /^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$/;

/**
 * Checks and normalises what a shopper typed at checkout: trims every field, upper-cases the
 * country and refuses anything malformed with VALIDATION_FAILED naming the field. The route
 * schema checks the same rules for the API; this function also covers the HTML form, which
 * calls the service directly.
 */
export function validateCheckoutInput(input: CheckoutInput): CheckoutInput {
  const email = requireText(input.email, 'email', 1, checkoutLimits.email);
  if (!emailPattern.test(email)) invalid('email', 'is not a valid e-mail address');

  const shippingAddress = validateShippingAddress(input.shippingAddress, 'shippingAddress.');

  if (!isShippingMethodId(input.shippingMethod)) {
    invalid('shippingMethod', `must be one of ${shippingMethodIds.join(', ')}`);
  }
  return { email, shippingAddress, shippingMethod: input.shippingMethod };
}

/**
 * Checks and normalises a postal address by the checkout rules: trims every field, upper-cases
 * the country and raises VALIDATION_FAILED naming the field, prefixed by `fieldPrefix`. Saved
 * addresses of customer accounts follow the same rules, so they can fill in a checkout.
 */
export function validateShippingAddress(
  address: ShippingAddress,
  fieldPrefix = '',
): ShippingAddress {
  const field = (name: string) => `${fieldPrefix}${name}`;
  const shippingAddress: ShippingAddress = {
    name: requireText(address.name, field('name'), 1, checkoutLimits.name),
    line1: requireText(address.line1, field('line1'), 1, checkoutLimits.line1),
    line2: requireText(address.line2 ?? '', field('line2'), 0, checkoutLimits.line2),
    city: requireText(address.city, field('city'), 1, checkoutLimits.city),
    region: requireText(address.region ?? '', field('region'), 0, checkoutLimits.region),
    postalCode: requireText(address.postalCode, field('postalCode'), 1, checkoutLimits.postalCode),
    country: requireText(address.country, field('country'), 2, 2).toUpperCase(),
  };
  if (!postalCodePattern.test(shippingAddress.postalCode)) {
    invalid(field('postalCode'), 'may contain only letters, digits, spaces and hyphens');
  }
  if (!isCountryCode(shippingAddress.country)) {
    invalid(field('country'), 'is not an ISO 3166-1 alpha-2 country code');
  }
  return shippingAddress;
}

function requireText(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string') invalid(field, 'must be text');

  const text = value.trim();
  if (text.length < min) invalid(field, min === 1 ? 'is required' : `needs ${min} characters`);
  if (text.length > max) invalid(field, `may be at most ${max} characters long`);
  if (forbiddenCharacters.test(text)) invalid(field, 'contains a control character');
  return text;
}

function isShippingMethodId(value: unknown): value is ShippingMethodId {
  return shippingMethodIds.includes(value as ShippingMethodId);
}

function invalid(field: string, problem: string): never {
  throw new AppError('VALIDATION_FAILED', `${field} ${problem}.`, {
    errors: [{ field, message: problem }],
  });
}
