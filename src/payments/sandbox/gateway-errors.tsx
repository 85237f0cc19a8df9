import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { Message, renderDocument } from './pages.js';

/**
 * Sends the gateway's error responses: JSON for the /v1 API, an HTML page for everything else.
 * Clients see a fixed sentence per status, never an internal message or stack.
 */
export function registerGatewayErrors(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = statusOf(error);
    if (status >= 500) request.log.error({ err: error }, 'gateway request failed');
    else request.log.info({ status, code: error.code }, 'gateway request rejected');

    const message = error.validation
      ? describeValidation(error)
      : (publicMessages[status] ?? publicMessages[500]);
    return sendError(request, reply, status, message ?? '');
  });

  app.setNotFoundHandler(async (request, reply) => {
    return sendError(request, reply, 404, 'Nothing lives at this address.');
  });
}

const publicMessages: Record<number, string> = {
  400: 'The request is invalid.',
  413: 'The request body is too large.',
  415: 'Send JSON to the API and form data to the payment page.',
  500: 'The sandbox gateway failed; see its log for details.',
};

function statusOf(error: FastifyError): number {
  if (error.validation) return 400;
  const status = error.statusCode ?? 500;
  return status >= 400 && status < 600 ? status : 500;
}

function describeValidation(error: FastifyError): string {
  const issue = error.validation?.[0];
  const field = issue?.instancePath.slice(1).replaceAll('/', '.') || error.validationContext;
  if (issue?.keyword === 'additionalProperties') {
    const extra = (issue.params as { additionalProperty?: unknown }).additionalProperty;
    return `The field "${String(extra)}" is not accepted.`;
  }
  return `${field ?? 'request'} ${issue?.message ?? 'is invalid'}.`;
}

function apiErrorName(status: number): string {
  if (status === 404) return 'not_found';
  return status >= 500 ? 'internal' : 'invalid_request';
}

function sendError(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  reply.code(status);
  if (request.url.startsWith('/v1/')) {
    return reply.send({ error: apiErrorName(status), message });
  }
  const title = status === 404 ? 'Page not found' : 'Request failed';
  const page = <Message title={title}>{message}</Message>;
  return reply.type('text/html; charset=utf-8').send(renderDocument(page));
}
