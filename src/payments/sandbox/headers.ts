import type { FastifyInstance } from 'fastify';

/**
 * Builds the hosted page's Content-Security-Policy: only its own stylesheet loads, no script
 * runs at all, and no other site may frame it. form-action also lists the shop's origin because
 * browsers apply form-action to the redirect that follows a form submission, and a successful
 * payment ends with a 303 redirect to the shop's success URL.
 */
export function gatewayContentSecurityPolicy(shopOrigin: string): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self' ${shopOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Adds the gateway's security headers to every reply, including errors and 404s. */
export function registerGatewayHeaders(app: FastifyInstance, shopOrigin: string): void {
  const headers: Record<string, string> = {
    'content-security-policy': gatewayContentSecurityPolicy(shopOrigin),
    'x-content-type-options': 'nosniff',
    // The page URL contains the session id, so it is never sent to another origin.
    'referrer-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), payment=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'DENY',
  };

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(headers);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
