import { type Static, Type } from 'typebox';

import { staffRoles } from './permissions.js';

/**
 * Schemas of the admin's forms and URLs. Form bodies arrive as text and are never coerced, and
 * every object rejects unknown fields. The `_csrf` field is removed by the CSRF check before
 * validation, so no form lists it.
 */

export const htmlResponse = {
  200: Type.String({ description: 'HTML document' }),
  303: Type.Null({ description: 'Redirect to the Location header; no body' }),
  '4xx': Type.String({ description: 'HTML page repeating the form with an error' }),
};

const id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const emailField = Type.String({ minLength: 3, maxLength: 254 });
/** Long enough for any passphrase; the policy check rejects beyond 128 characters. */
export const passwordField = Type.String({ minLength: 1, maxLength: 1024 });
const codeField = Type.String({ minLength: 1, maxLength: 64 });

export const loginForm = Type.Object(
  { email: emailField, password: passwordField },
  { additionalProperties: false },
);

export const codeForm = Type.Object({ code: codeField }, { additionalProperties: false });

export const reauthForm = Type.Object(
  {
    next: Type.String({ maxLength: 500 }),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    code: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const nextQuery = Type.Object(
  { next: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const emptyJson = Type.Object({}, { additionalProperties: false });

export const passkeyVerifyJson = Type.Object(
  {
    // The WebAuthn response as @simplewebauthn/browser builds it; the server library checks it.
    response: Type.Object({}, { additionalProperties: true }),
    name: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const jsonObjectResponse = {
  200: Type.Object({}, { additionalProperties: true, description: 'WebAuthn options' }),
};

export const redirectResponse = {
  200: Type.Object({ redirect: Type.String() }, { additionalProperties: false }),
};

export const orderParams = Type.Object({ orderId: id }, { additionalProperties: false });
export const customerParams = Type.Object({ customerId: id }, { additionalProperties: false });
export const staffParams = Type.Object({ staffId: id }, { additionalProperties: false });
export const keyParams = Type.Object({ keyId: id }, { additionalProperties: false });

export const listQuery = Type.Object(
  {
    /** Opaque cursor: the last row's sort key from the previous page. */
    before: Type.Optional(Type.String({ maxLength: 64 })),
    q: Type.Optional(Type.String({ maxLength: 254 })),
  },
  { additionalProperties: false },
);

/** Amount as typed, in major units with up to 3 decimals (the largest ISO 4217 exponent). */
export const refundForm = Type.Object(
  { amount: Type.String({ pattern: '^[0-9]{1,12}(\\.[0-9]{1,3})?$' }) },
  { additionalProperties: false },
);

const roleField = Type.Union(staffRoles.map((role) => Type.Literal(role)));

export const roleForm = Type.Object({ role: roleField }, { additionalProperties: false });

export const newStaffForm = Type.Object(
  {
    email: emailField,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    password: passwordField,
    role: roleField,
  },
  { additionalProperties: false },
);

/** API key scopes a key may be given; checkboxes arrive as one string or an array of them. */
export const apiKeyScopes = ['orders:read', 'customers:read', 'catalog:read'] as const;
const scopeField = Type.Union(apiKeyScopes.map((scope) => Type.Literal(scope)));

export const newApiKeyForm = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Optional(
      Type.Union([scopeField, Type.Array(scopeField, { maxItems: apiKeyScopes.length })]),
    ),
  },
  { additionalProperties: false },
);

export const emptyForm = Type.Object({}, { additionalProperties: false });

/** A WebAuthn credential id, base64url; 1,023 bytes at most (WebAuthn Level 2) give 1,364. */
const passkeyId = Type.String({ minLength: 1, maxLength: 1364, pattern: '^[A-Za-z0-9_-]+$' });

export const passkeyQuery = Type.Object(
  { id: Type.Optional(passkeyId) },
  { additionalProperties: false },
);

export const passkeyForm = Type.Object({ id: passkeyId }, { additionalProperties: false });

export type NewStaffForm = Static<typeof newStaffForm>;
export type NewApiKeyForm = Static<typeof newApiKeyForm>;
export type ApiKeyScope = (typeof apiKeyScopes)[number];
