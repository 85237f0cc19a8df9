import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { recordSecurityEvent } from '../defense/security-events.js';
import type { ShopDeps } from './app.js';
import { AppError, type Problem, problemFor } from './errors.js';

/** Renders a problem as an HTML page for routes marked `config.page: true`. */
export type ErrorPageRenderer = (problem: Problem, request: FastifyRequest) => string;

let errorPageRenderer: ErrorPageRenderer | undefined;

/** Lets the storefront show HTML error pages instead of problem+json on its page routes. */
export function setErrorPageRenderer(renderer: ErrorPageRenderer): void {
  errorPageRenderer = renderer;
}

/**
 * Maps every failure to RFC 9457 problem+json (or an HTML page on page routes). Clients see the
 * catalogue title and a detail sentence, never a stack, SQL text or file path; 5xx details stay
 * in the log, found by the request id the response carries.
 */
export function registerErrorHandling(app: FastifyInstance, deps: ShopDeps): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const appError = await toAppError(error, request, deps);
    if (appError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: appError.code, status: appError.status }, 'request refused');
    }
    return sendProblem(request, reply, appError);
  });

  app.setNotFoundHandler(async (request, reply) => {
    return sendProblem(
      request,
      reply,
      new AppError('NOT_FOUND', 'No page or resource lives at this address.'),
    );
  });
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const problem = problemFor(error, request.id);
  const isPage = request.routeOptions.config?.page;
  const wantsHtml = request.headers.accept?.includes('text/html') ?? false;

  reply.code(problem.status);
  if (errorPageRenderer && (isPage || (wantsHtml && !request.url.startsWith('/api/')))) {
    return reply.type('text/html; charset=utf-8').send(errorPageRenderer(problem, request));
  }
  return reply.type('application/problem+json').send(JSON.stringify(problem));
}

async function toAppError(
  error: FastifyError,
  request: FastifyRequest,
  deps: ShopDeps,
): Promise<AppError> {
  if (error instanceof AppError) return error;

  if (error.validation) {
    const unknown = error.validation
      .filter((issue) => issue.keyword === 'additionalProperties')
      .map((issue) =>
        String((issue.params as { additionalProperty?: unknown }).additionalProperty),
      );

    if (unknown.length > 0) {
      await recordSecurityEvent(deps.db.kysely, request, 'request_tampering', {
        path: request.url.split('?')[0],
        method: request.method,
        fields: unknown.slice(0, 20),
      });
      return new AppError('UNKNOWN_FIELD', `The field "${unknown[0]}" is not accepted here.`, {
        fields: unknown,
      });
    }

    const issue = error.validation[0];
    const where = issue?.instancePath
      ? issue.instancePath.slice(1).replaceAll('/', '.')
      : error.validationContext;
    return new AppError(
      'VALIDATION_FAILED',
      `${where ?? 'request'} ${issue?.message ?? 'is invalid'}.`,
      {
        errors: error.validation.slice(0, 10).map((entry) => ({
          field: entry.instancePath.slice(1).replaceAll('/', '.') || error.validationContext,
          message: entry.message,
        })),
      },
    );
  }

  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body exceeds the size limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON or an HTML form body.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION_FAILED', 'The body is not valid JSON.');
  }
  if (error.statusCode === 400 && error instanceof SyntaxError) {
    return new AppError('VALIDATION_FAILED', 'The body is not valid JSON.');
  }
  if (error.statusCode === 429)
    return new AppError('RATE_LIMITED', 'Slow down and try again shortly.');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', 'The request could not be processed.');
  }
  return new AppError(
    'INTERNAL',
    'Something went wrong on our side; quote the request id if it persists.',
  );
}
