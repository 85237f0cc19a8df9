import { createHmac, timingSafeEqual } from 'node:crypto';

import type { FastifyInstance, FastifyRequest } from 'fastify';

import { recordSecurityEvent, type SecurityEventStore } from '../defense/security-events.js';
import { AppError } from '../server/errors.js';
import '../server/route-config.js';

export interface CsrfOptions {
  /** Key from deriveKey(secrets, 'csrf') for the shop, or from 'csrf-admin' for the admin. */
  key: Buffer;
  /**
   * Returns the value a token is bound to: the session hash, else a pre-login cookie's hash.
   * Null means the browser has neither, and then no token can be valid.
   */
  bindingOf(request: FastifyRequest): string | null;
  /** Store that records rejected forms as `csrf_token_invalid`. Without it they are only logged. */
  events?: SecurityEventStore;
}

/** Name of the form field that carries the token. */
export const csrfFieldName = '_csrf';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Returns the CSRF token for a binding: HMAC-SHA256 over a versioned label and the binding, in
 * base64url (43 characters). It is stateless, so a token stays valid as long as its session or
 * pre-login cookie does, and changes when the session is rotated at login.
 */
export function csrfToken(key: Buffer, binding: string): string {
  return createHmac('sha256', key).update(`storefort:csrf:v1\n${binding}`).digest('base64url');
}

/**
 * Requires a valid `_csrf` field in every state-changing request whose body is not JSON: form
 * posts, and any other type a cross-site page could send without a CORS preflight. On success
 * the field is removed before schema validation, so form schemas do not list it. Requests with a
 * JSON body or with no body at all rely on the same-origin check instead, because a cross-site
 * page cannot send JSON without a preflight and a bodyless request carries no form fields.
 * Routes with `config.crossSite: true` (signed webhooks, CSP reports) opt out.
 */
export function registerCsrfCheck(app: FastifyInstance, options: CsrfOptions): void {
  app.addHook('preValidation', async (request) => {
    if (safeMethods.has(request.method)) return;
    if (request.routeOptions.config?.crossSite) return;
    if (isJson(request) || hasNoBody(request)) return;

    const problem = tokenProblem(request, options);
    if (problem === null) {
      delete (request.body as Record<string, unknown>)[csrfFieldName];
      return;
    }

    const details = { method: request.method, path: request.url.split('?')[0], problem };
    if (options.events) {
      await recordSecurityEvent(options.events, request, 'csrf_token_invalid', details);
    } else {
      request.log.warn({ securityEvent: 'csrf_token_invalid', problem }, 'csrf token rejected');
    }
    throw new AppError(
      'CSRF_TOKEN_INVALID',
      'The form has expired; reload the page and submit it again.',
    );
  });
}

/** Returns why the request's token is not accepted, or null when it is. */
function tokenProblem(
  request: FastifyRequest,
  options: CsrfOptions,
): 'missing_token' | 'no_binding' | 'wrong_token' | null {
  const body = request.body;
  const submitted =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)[csrfFieldName]
      : undefined;
  if (typeof submitted !== 'string' || submitted === '') return 'missing_token';

  const binding = options.bindingOf(request);
  if (binding === null) return 'no_binding';

  const expected = Buffer.from(csrfToken(options.key, binding));
  const actual = Buffer.from(submitted);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return 'wrong_token';
  }
  return null;
}

function isJson(request: FastifyRequest): boolean {
  const contentType = request.headers['content-type'];
  if (contentType === undefined) return false;
  return /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType);
}

function hasNoBody(request: FastifyRequest): boolean {
  return request.headers['content-type'] === undefined && request.body === undefined;
}
