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
    'report-to csp',
  ];
  if (options.https) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}

/** Headers every response carries, whatever its route or status. */
export function securityHeaders(options: HeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(options),
    'reporting-endpoints': `csp="${cspReportPath}"`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy':
      'payment=(), camera=(), microphone=(), geolocation=(), usb=(), interest-cohort=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'origin-agent-cluster': '?1',
  };
  if (options.https) {
    headers['strict-transport-security'] = 'max-age=63072000; includeSubDomains';
  }
  return headers;
}

/**
 * Adds the security headers to every reply, including errors and 404s, and marks responses of
 * routes with `config.personal: true` as `Cache-Control: no-store`.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: HeaderOptions): void {
  const headers = securityHeaders(options);

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    reply.headers(headers);
    reply.removeHeader('x-powered-by');

    const personal = request.routeOptions.config?.personal;
    if (personal || !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
