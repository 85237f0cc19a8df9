import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';

import { type HeaderOptions, securityHeaders, securityHeaderWriter } from '../integrity/headers.js';
import { type ErrorPageRenderer, fastifyError, renderProblem } from './error-handler.js';
import { AppError, problemFor } from './errors.js';

type EarlyErrorOptions = Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'>;

/**
 * Builds the Fastify options for errors raised before any hook runs: a URL that is not valid
 * percent-encoding or whose parameter exceeds maxParamLength (`frameworkErrors`), and malformed
 * HTTP (`clientErrorHandler`). Fastify's defaults send their own JSON without the security
 * headers. These send problem+json with the headers every other response carries. `errorPage`
 * replaces the storefront's HTML error page, as in registerErrorHandling.
 */
export function earlyErrorOptions(
  headerOptions: HeaderOptions,
  errorPage?: ErrorPageRenderer,
): EarlyErrorOptions {
  const writeHeaders = securityHeaderWriter(headerOptions);
  const frameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = fastifyError(error) ?? new AppError('INTERNAL', 'The request failed.');
    if (appError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: error.code }, 'request rejected');
    }

    const rendered = renderProblem(request, appError, errorPage);
    reply.code(appError.status).type(rendered.contentType).header('x-request-id', request.id);
    writeHeaders(request, reply);
    reply.send(rendered.body);
  };

  return {
    frameworkErrors: frameworkErrors as EarlyErrorOptions['frameworkErrors'],
    clientErrorHandler: clientErrorResponder(headerOptions),
  };
}

/**
 * Responds to a connection whose bytes are not a valid HTTP request, then closes it. A reset
 * connection gets no response. Logged at debug, because scanners send such bytes all day.
 */
function clientErrorResponder(headerOptions: HeaderOptions) {
  const plainHeaders = securityHeaders(headerOptions);
  const tlsHeaders = securityHeaders({ ...headerOptions, https: true });

  return function respond(
    this: FastifyInstance,
    error: Error & { code?: string },
    socket: Socket,
  ): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    this.log.debug({ code: error.code }, 'malformed request rejected');

    if (socket.writable) {
      const encrypted = 'encrypted' in socket && socket.encrypted === true;
      socket.write(rawProblemResponse(clientError(error), encrypted ? tlsHeaders : plainHeaders));
    }
    socket.destroy(error);
  };
}

function clientError(error: { code?: string }): AppError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError('REQUEST_TIMEOUT', 'The request was not received in time.');
    case 'HPE_HEADER_OVERFLOW':
      return new AppError('HEADERS_TOO_LARGE', 'The request headers exceed the size limit.');
    default:
      return new AppError('VALIDATION_FAILED', 'The request is not valid HTTP.');
  }
}

function rawProblemResponse(error: AppError, headers: Record<string, string>): string {
  const requestId = randomUUID();
  const body = JSON.stringify(problemFor(error, requestId));
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'content-type: application/problem+json',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    `x-request-id: ${requestId}`,
    'connection: close',
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
