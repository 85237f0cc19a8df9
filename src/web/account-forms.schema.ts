import { type Static, Type } from 'typebox';

import { resourceId } from '../cart/cart.schema.js';
import { checkoutLimits } from '../checkout/checkout-input.js';
import { maxReviewLength } from '../customers/account.schema.js';

/**
 * Schemas of the account pages' HTML forms and URLs. As with the storefront forms, every field is
 * a string, unknown fields are rejected and only lengths are capped here. The services check the
 * content (email syntax, password policy, codes), so their errors bring the form back with the
 * values typed, where a schema error would show the generic error page.
 */

/** Passwords are capped well above the policy's 128 characters, which the service enforces. */
const password = Type.String({ maxLength: 1024 });
const email = Type.String({ maxLength: checkoutLimits.email });
const name = Type.String({ maxLength: checkoutLimits.name });
/** Emailed link tokens (randomToken(): 43 base64url characters), with room to spare. */
const linkToken = Type.String({ minLength: 1, maxLength: 256 });
/** A TOTP code or a recovery code as typed, with spaces or dashes. */
const code = Type.String({ maxLength: 64 });

const form = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const registerForm = form({ name, email, password });
export const loginForm = form({ email, password });
export const mfaForm = form({ code: Type.Optional(code), recoveryCode: Type.Optional(code) });
export const forgotForm = form({ email });
export const resetForm = form({ token: linkToken, password });
export const confirmForm = form({ token: linkToken });
export const emptyForm = form({});

export const linkQuery = Type.Object(
  { token: Type.Optional(linkToken) },
  { additionalProperties: false },
);

/** Short codes of the confirmations a page shows after a redirect (`?notice=`). */
export const noticeQuery = Type.Object(
  { notice: Type.Optional(Type.String({ pattern: '^[a-z-]{1,32}$' })) },
  { additionalProperties: false },
);

export const profileForm = form({ name });

export const addressForm = form({
  name,
  line1: Type.String({ maxLength: checkoutLimits.line1 }),
  line2: Type.String({ maxLength: checkoutLimits.line2 }),
  city: Type.String({ maxLength: checkoutLimits.city }),
  region: Type.String({ maxLength: checkoutLimits.region }),
  postalCode: Type.String({ maxLength: checkoutLimits.postalCode }),
  country: Type.String({ maxLength: 2 }),
});

export const idParams = Type.Object({ id: resourceId }, { additionalProperties: false });

export const passwordForm = form({ currentPassword: password, newPassword: password });
export const emailForm = form({ password, newEmail: email });
export const reauthForm = form({ password: Type.Optional(password), code: Type.Optional(code) });
export const totpConfirmForm = form({ code });
/** Public session ids (64 base64url characters) and passkey credential ids (base64url). */
export const sessionEndForm = form({ id: Type.String({ minLength: 1, maxLength: 128 }) });
export const passkeyRemoveForm = form({ id: Type.String({ minLength: 1, maxLength: 1024 }) });

/**
 * A review as the product page's form posts it. The rating is the chosen option's text ("1" to
 * "5"), which the route converts and the service checks. The text cap leaves room for the CR LF
 * line breaks that browsers send, which the service turns into LF before it counts.
 */
export const reviewForm = form({
  rating: Type.String({ maxLength: 2 }),
  body: Type.String({ maxLength: 2 * maxReviewLength }),
});

export type RegisterForm = Static<typeof registerForm>;
export type AddressForm = Static<typeof addressForm>;
export type ReviewForm = Static<typeof reviewForm>;
