import { Type } from 'typebox';

import { emailPattern, maxEmailLength, maxNameLength } from './customer-records.js';

/**
 * Request and response schemas of the customer auth API. Requests reject unknown fields.
 * Passwords have a generous schema cap, so an overlong password gets the password policy's
 * WEAK_PASSWORD with the limit in its detail rather than a schema error.
 */

const strict = { additionalProperties: false } as const;

const email = Type.String({ minLength: 3, maxLength: maxEmailLength, pattern: emailPattern });
const password = Type.String({ minLength: 1, maxLength: 1024 });
const linkToken = Type.String({ minLength: 1, maxLength: 128 });
const totpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'Six digits from the app' });
const recoveryCode = Type.String({ minLength: 1, maxLength: 64 });

export const registerBody = Type.Object(
  { email, password, name: Type.String({ minLength: 1, maxLength: maxNameLength }) },
  strict,
);
export const loginBody = Type.Object({ email, password }, strict);
export const emailBody = Type.Object({ email }, strict);
export const tokenBody = Type.Object({ token: linkToken }, strict);
export const resetBody = Type.Object({ token: linkToken, password }, strict);
export const emptyBody = Type.Object({}, strict);

export const mfaVerifyBody = Type.Union([
  Type.Object({ code: totpCode }, strict),
  Type.Object({ recoveryCode }, strict),
]);
export const totpConfirmBody = Type.Object({ code: totpCode }, strict);
export const reauthenticateBody = Type.Union([
  Type.Object({ password }, strict),
  Type.Object({ code: totpCode }, strict),
]);

/** The browser's WebAuthn response, checked by @simplewebauthn/server rather than here. */
const webauthnResponse = Type.Object({}, { additionalProperties: true });
export const passkeyRegisterBody = Type.Object(
  { response: webauthnResponse, name: Type.Optional(Type.String({ maxLength: 100 })) },
  strict,
);
export const passkeyLoginBody = Type.Object({ response: webauthnResponse }, strict);
export const passkeyParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$' }) },
  strict,
);

export const checkEmailView = Type.Object({
  status: Type.Literal('check_email', {
    description: 'Sent whether or not the address has an account',
  }),
});
export const statusView = Type.Object({ status: Type.String() });
export const stageView = Type.Object({
  stage: Type.Union([Type.Literal('active'), Type.Literal('mfa_pending')]),
});
export const redirectView = Type.Object({
  stage: Type.Literal('active'),
  redirect: Type.String({ description: 'Page to show next' }),
});
export const confirmedView = Type.Object({
  status: Type.Literal('confirmed'),
  kind: Type.Union([Type.Literal('signup'), Type.Literal('email_change')]),
});
export const totpStartView = Type.Object({
  secret: Type.String({ description: 'Base32 secret, shown this once' }),
  uri: Type.String({ description: 'otpauth:// URI for authenticator apps' }),
  qrSvg: Type.String({ description: 'The URI as an SVG QR code' }),
});
export const recoveryCodesView = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Shown this once' }),
});
export const mfaStatusView = Type.Object({
  totp: Type.Boolean(),
  passkeys: Type.Integer({ minimum: 0 }),
  recoveryCodesLeft: Type.Integer({ minimum: 0 }),
});
/** WebAuthn options for the browser's navigator.credentials call. */
export const webauthnOptionsView = Type.Object({}, { additionalProperties: true });
