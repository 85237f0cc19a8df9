/**
 * The catalogue of violations the shop reports to clients. Each code has a fixed HTTP status
 * and title; the detail sentence is written per case and must never carry internals (SQL, paths,
 * stack frames). Expected business outcomes use typed results instead of these errors.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: 'The request is invalid' },
  UNKNOWN_FIELD: {
    status: 400,
    title: 'The request carries a field this endpoint does not accept',
  },
  QUANTITY_OUT_OF_RANGE: { status: 400, title: 'The quantity is out of range' },
  BAD_WEBHOOK: { status: 400, title: 'The webhook could not be verified' },
  INVALID_LINK: { status: 400, title: 'The link is invalid, used or expired' },
  AUTHENTICATION_REQUIRED: { status: 401, title: 'Log in first' },
  INVALID_CREDENTIALS: { status: 401, title: 'The email or password is wrong' },
  MFA_REQUIRED: { status: 401, title: 'A second factor is required' },
  INVALID_CODE: { status: 401, title: 'The code is wrong or was already used' },
  PASSKEY_REJECTED: { status: 401, title: 'The passkey was not accepted' },
  CROSS_SITE_REQUEST: { status: 403, title: 'Cross-site requests are not allowed' },
  CSRF_TOKEN_INVALID: {
    status: 403,
    title: 'The form has expired or did not come from this shop',
  },
  EMAIL_NOT_CONFIRMED: { status: 403, title: 'The email address is not confirmed yet' },
  REAUTHENTICATION_REQUIRED: {
    status: 403,
    title: 'Confirm your password or second factor first',
  },
  FORBIDDEN: { status: 403, title: 'Your role does not allow this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  OUT_OF_STOCK: { status: 409, title: 'Not enough stock' },
  CART_EMPTY: { status: 409, title: 'The cart is empty' },
  CART_CLOSED: { status: 409, title: 'The cart has already been checked out' },
  CART_FULL: { status: 409, title: 'The cart has reached its maximum number of lines' },
  ORDER_PAID: { status: 409, title: 'The order has already been paid' },
  PAYMENT_IN_PROGRESS: { status: 409, title: 'The payment for this order is being completed' },
  ALREADY_EXISTS: { status: 409, title: 'It already exists' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  URI_TOO_LONG: { status: 414, title: 'The address is too long' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  WEAK_PASSWORD: { status: 422, title: 'The password is not accepted' },
  AMOUNT_OUT_OF_RANGE: { status: 422, title: 'The amount exceeds what the shop can charge' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  TOO_MANY_ATTEMPTS: { status: 429, title: 'Too many failed attempts; wait before trying again' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  PAYMENT_PROVIDER_FAILED: { status: 502, title: 'The payment provider did not respond' },
  INTERNAL: { status: 500, title: 'Internal error' },
  SERVER_BUSY: { status: 503, title: 'The shop is busy; try again shortly' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.status = errorCatalogue[code].status;
  }
}

export function notFound(what = 'The resource'): AppError {
  return new AppError('NOT_FOUND', `${what} does not exist.`);
}

/** An RFC 9457 problem details object as sent with `application/problem+json`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  [extension: string]: unknown;
}

export function problemFor(error: AppError, requestId: string): Problem {
  return {
    type: `urn:storefort:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: errorCatalogue[error.code].title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    requestId,
    ...error.extensions,
  };
}
