import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { ShopDeps } from '../server/app.js';
import { AppError } from '../server/errors.js';
import { recordSecurityEvent, securityEventStore } from './security-events.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests that a browser marks as coming from another site. Browsers
 * send Sec-Fetch-Site or Origin on every cross-site POST, so a forged form or fetch from another
 * origin fails here. Clients that send neither (scripts, server-to-server calls) are not
 * browsers carrying the shopper's cookies and pass. Routes with `config.crossSite: true`
 * (signed webhooks, CSP reports) opt out.
 */
export function registerCrossSiteCheck(app: FastifyInstance, deps: ShopDeps): void {
  const ownOrigin = deps.config.publicUrl.origin;

  app.addHook('onRequest', async (request) => {
    if (safeMethods.has(request.method)) return;
    if (request.routeOptions.config?.crossSite) return;
    if (isSameOrigin(request, ownOrigin)) return;

    await recordSecurityEvent(securityEventStore(deps), request, 'cross_site_request', {
      method: request.method,
      path: request.url.split('?')[0],
      origin: request.headers.origin ?? null,
      fetchSite: request.headers['sec-fetch-site'] ?? null,
    });
    throw new AppError(
      'CROSS_SITE_REQUEST',
      'This request came from another site and was refused.',
    );
  });
}

function isSameOrigin(request: FastifyRequest, ownOrigin: string): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined) return fetchSite === 'same-origin' || fetchSite === 'none';

  const origin = request.headers.origin;
  if (origin !== undefined) return origin === ownOrigin;

  return true;
}
