import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { recordSecurityEvent, securityEventStore } from '../defense/security-events.js';
import { collectRoutes } from './allowed-methods.js';
import type { ShopDeps } from './app.js';
import { AppError, type Problem, problemFor } from './errors.js';

/** Renders a problem as an HTML page for routes marked `config.page: true`. */
export type ErrorPageRenderer = (problem: Problem, request: FastifyRequest) => string;

let errorPageRenderer: ErrorPageRenderer | undefined;

/** Lets the storefront show HTML error pages instead of problem+json on its page routes. */
export function setErrorPageRenderer(renderer: ErrorPageRenderer): void {
  errorPageRenderer = renderer;
}

export interface ErrorHandlingOptions {
  /**
   * Renders this app's HTML error pages. Without it the app uses the renderer the storefront
   * set with setErrorPageRenderer; the admin passes its own so it never shows a shop page.
   */
  errorPage?: ErrorPageRenderer;
}

/** Field names longer than this are cut before they are echoed or stored. */
const maxFieldNameLength = 100;

/**
 * Maps every failure to RFC 9457 problem+json (or an HTML page on page routes). Clients see the
 * catalogue title and a detail sentence, never a stack, SQL text or file path; 5xx details stay
 * in the log, found by the request id the response carries. A request for a known path with
 * another method gets 405 and an Allow header. Call this before any route is registered.
 */
export function registerErrorHandling(
  app: FastifyInstance,
  deps: ShopDeps,
  options: ErrorHandlingOptions = {},
): void {
  const routeTable = collectRoutes(app);
  // Read at each error, since the storefront sets its renderer after this call.
  const pageRenderer = () => options.errorPage ?? errorPageRenderer;

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const appError = await toAppError(error, request, deps);
    if (appError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: appError.code, status: appError.status }, 'request rejected');
    }
    return sendProblem(request, reply, appError, pageRenderer());
  });

  app.setNotFoundHandler(async (request, reply) => {
    const allowed = routeTable.allowedMethods(request.url.split('?')[0] ?? '/');
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      const detail = `${request.method} is not supported here; use ${allowed.join(' or ')}.`;
      return sendProblem(
        request,
        reply,
        new AppError('METHOD_NOT_ALLOWED', detail),
        pageRenderer(),
      );
    }

    return sendProblem(
      request,
      reply,
      new AppError('NOT_FOUND', 'No page or resource lives at this address.'),
      pageRenderer(),
    );
  });
}

/**
 * Sends an AppError as problem+json, or as an HTML page on page routes and to browsers. The
 * X-Request-Id header is set here too, because a hook may reject the request before the hook
 * that sets it has run. A RATE_LIMITED or TOO_MANY_ATTEMPTS error with `retryAfterSeconds` also
 * sets Retry-After.
 */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: AppError,
  renderer: ErrorPageRenderer | undefined = errorPageRenderer,
) {
  const rendered = renderProblem(request, error, renderer);
  const { retryAfterSeconds } = error.extensions;
  const isThrottle = error.code === 'RATE_LIMITED' || error.code === 'TOO_MANY_ATTEMPTS';
  if (isThrottle && typeof retryAfterSeconds === 'number') {
    reply.header('retry-after', String(retryAfterSeconds));
  }
  return reply
    .code(error.status)
    .header('x-request-id', request.id)
    .type(rendered.contentType)
    .send(rendered.body);
}

/**
 * Renders the response body for an AppError. Falls back to problem+json when the HTML renderer
 * throws, so a broken error page can never expose the renderer's own error.
 */
export function renderProblem(
  request: FastifyRequest,
  error: AppError,
  renderer: ErrorPageRenderer | undefined = errorPageRenderer,
): { contentType: string; body: string } {
  const problem = problemFor(error, request.id);
  const isPage = request.routeOptions.config?.page;
  const wantsHtml = request.headers.accept?.includes('text/html') ?? false;

  if (renderer && (isPage || (wantsHtml && !request.url.startsWith('/api/')))) {
    try {
      return { contentType: 'text/html; charset=utf-8', body: renderer(problem, request) };
    } catch (renderError) {
      request.log.error({ err: renderError }, 'error page failed to render');
    }
  }
  return { contentType: 'application/problem+json', body: JSON.stringify(problem) };
}

async function toAppError(
  error: FastifyError,
  request: FastifyRequest,
  deps: ShopDeps,
): Promise<AppError> {
  if (error instanceof AppError) return error;
  if (error.validation) return validationError(error, request, deps);

  const known = fastifyError(error);
  if (known) return known;

  if (error.statusCode === 429) {
    return new AppError('RATE_LIMITED', 'Slow down and try again shortly.');
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', 'The request could not be processed.');
  }
  return new AppError(
    'INTERNAL',
    'Something went wrong on our side; quote the request id if it persists.',
  );
}

/**
 * Maps the request errors Fastify raises itself (see FST_ERR_* in fastify/lib/errors.js, 5.x)
 * to catalogue codes. Returns undefined for any other error.
 */
export function fastifyError(error: { code?: string }): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body exceeds the size limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'This endpoint does not accept a body of this Content-Type.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION_FAILED', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('VALIDATION_FAILED', 'The body length does not match Content-Length.');
    case 'FST_ERR_BAD_URL':
      return new AppError('VALIDATION_FAILED', 'The address contains invalid percent-encoding.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('URI_TOO_LONG', 'A part of the address is longer than allowed.');
    default:
      return undefined;
  }
}

/**
 * Turns a schema validation failure into an AppError. Unknown fields are tampering rather than
 * mistakes, since every client builds its requests from the published schema, so they are also
 * stored as a security event.
 */
async function validationError(
  error: FastifyError,
  request: FastifyRequest,
  deps: ShopDeps,
): Promise<AppError> {
  const issues = error.validation ?? [];
  const unknown = issues
    .filter((issue) => issue.keyword === 'additionalProperties')
    .map((issue) => String((issue.params as { additionalProperty?: unknown }).additionalProperty))
    .map((field) => field.slice(0, maxFieldNameLength));

  if (unknown.length > 0) {
    await recordTampering(request, deps, unknown);
    return new AppError('UNKNOWN_FIELD', `The field "${unknown[0]}" is not accepted here.`, {
      fields: unknown,
    });
  }

  const issue = issues[0];
  const where = issue?.instancePath
    ? issue.instancePath.slice(1).replaceAll('/', '.')
    : error.validationContext;
  return new AppError(
    'VALIDATION_FAILED',
    `${where ?? 'request'} ${issue ? issueMessage(issue) : 'is invalid'}.`,
    {
      errors: issues.slice(0, 10).map((entry) => ({
        field: entry.instancePath.slice(1).replaceAll('/', '.') || error.validationContext,
        message: issueMessage(entry),
      })),
    },
  );
}

/** Returns the validator's message, except that a regular expression is not shown to people. */
function issueMessage(issue: { keyword: string; message?: string | undefined }): string {
  if (issue.keyword === 'pattern') return 'has an invalid format';
  return issue.message ?? 'is invalid';
}

/** Stores the tampering event; a storage failure is logged and the request is still rejected. */
async function recordTampering(request: FastifyRequest, deps: ShopDeps, fields: string[]) {
  try {
    await recordSecurityEvent(securityEventStore(deps), request, 'request_tampering', {
      path: request.url.split('?')[0],
      method: request.method,
      fields: fields.slice(0, 20),
    });
  } catch (storeError) {
    request.log.error({ err: storeError }, 'security event could not be stored');
  }
}
