import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/**
 * Paths that may carry personal data or secrets. pino replaces their values before a line is
 * written, so a handler that logs a whole body or header set still leaks nothing.
 */
export const redactedPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.email',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.recoveryCode',
  '*.token',
  '*.address',
  '*.ship_name',
  '*.ship_line1',
  '*.ship_line2',
  '*.ship_postal_code',
  '*.cardNumber',
  '*.secret',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        // Query strings can hold signed order-link tokens, so only the path is logged.
        path: request.url.split('?')[0],
        requestId: request.id,
      }),
    },
  };
}

/**
 * Logs one line per finished request (method, path, status, duration) in place of Fastify's
 * two, which halves what a flood of requests writes. The app that calls this turns Fastify's
 * own request lines off with `logController: new LogController({ disableRequestLogging: true })`.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  });
}
