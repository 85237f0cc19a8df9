import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface HeaderOptions {
  /** Origin of the hosted payment page; forms may post or redirect there. */
  gatewayOrigin: string;
  /** Hosts allowed in img-src, from IMAGE_HOSTS. */
  imageHosts: string[];
  /** Whether the shop is reached over HTTPS (directly or through a TLS-terminating proxy). */
  https: boolean;
}

export const cspReportPath = '/csp-report';

/** Builds the Content-Security-Policy. No 'unsafe-inline' or 'unsafe-eval' appears anywhere. */
export function contentSecurityPolicy(options: HeaderOptions): string {
  const imageSources = ["'self'", ...options.imageHosts.map((host) => `https://${host}`)];
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${imageSources.join(' ')}`,
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    `form-action 'self' ${options.gatewayOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    `report-uri ${cspReportPath}`,
  ];
  // Chromium ignores report-uri once report-to is present, and delivers Reporting API reports
  // only over https, so over plain http report-to would silence every report.
  if (options.https) directives.push('report-to csp', 'upgrade-insecure-requests');
  return directives.join('; ');
}

/** Headers every response carries, whatever its route or status. */
export function securityHeaders(options: HeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(options),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': 'payment=(), camera=(), microphone=(), geolocation=(), usb=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'origin-agent-cluster': '?1',
  };
  if (options.https) {
    headers['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
    headers['reporting-endpoints'] = `csp="${cspReportPath}"`;
  }
  return headers;
}

/** Sets the security headers and the cache policy on one reply, before it is sent. */
export type SecurityHeaderWriter = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Builds the writer used by the onSend hook, and directly by the handlers of errors that Fastify
 * raises before any hook runs (malformed URLs). HSTS and upgrade-insecure-requests are sent when
 * PUBLIC_URL is https or when the request itself arrived over TLS.
 *
 * Error responses and routes with `config.personal: true` always get `Cache-Control: no-store`.
 * Other responses get it unless the route set its own cache policy, as hashed assets do.
 */
export function securityHeaderWriter(options: HeaderOptions): SecurityHeaderWriter {
  const plainHeaders = securityHeaders(options);
  const tlsHeaders = securityHeaders({ ...options, https: true });

  return (request, reply) => {
    reply.headers(request.protocol === 'https' ? tlsHeaders : plainHeaders);
    reply.removeHeader('x-powered-by');

    const personal = request.routeOptions.config?.personal === true;
    if (personal || reply.statusCode >= 400 || !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
  };
}

/** Adds the security headers to every reply the shop sends, including errors and 404s. */
export function registerSecurityHeaders(app: FastifyInstance, options: HeaderOptions): void {
  const writeHeaders = securityHeaderWriter(options);

  app.addHook('onSend', async (request, reply, payload) => {
    writeHeaders(request, reply);
    return payload;
  });
}
