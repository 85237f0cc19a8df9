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
  CROSS_SITE_REQUEST: { status: 403, title: 'Cross-site requests are not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  OUT_OF_STOCK: { status: 409, title: 'Not enough stock' },
  CART_EMPTY: { status: 409, title: 'The cart is empty' },
  CART_CLOSED: { status: 409, title: 'The cart has already been checked out' },
  CART_FULL: { status: 409, title: 'The cart has reached its maximum number of lines' },
  ORDER_PAID: { status: 409, title: 'The order has already been paid' },
  PAYMENT_IN_PROGRESS: { status: 409, title: 'The payment for this order is being completed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  URI_TOO_LONG: { status: 414, title: 'The address is too long' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  AMOUNT_OUT_OF_RANGE: { status: 422, title: 'The amount exceeds what the shop can charge' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  PAYMENT_PROVIDER_FAILED: { status: 502, title: 'The payment provider did not respond' },
  INTERNAL: { status: 500, title: 'Internal error' },
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
