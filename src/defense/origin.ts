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
 *
 * `options.origin` replaces PUBLIC_URL's origin, and `options.strict` also refuses requests
 * that carry neither header. The admin uses both: it has no clients other than browsers, and
 * browsers send Origin on every POST.
 */
export function registerCrossSiteCheck(
  app: FastifyInstance,
  deps: ShopDeps,
  options: { origin?: string; strict?: boolean } = {},
): void {
  const ownOrigin = options.origin ?? deps.config.publicUrl.origin;
  const strict = options.strict ?? false;

  app.addHook('onRequest', async (request) => {
    if (safeMethods.has(request.method)) return;
    if (request.routeOptions.config?.crossSite) return;
    if (isSameOrigin(request, ownOrigin, strict)) return;

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

function isSameOrigin(request: FastifyRequest, ownOrigin: string, strict: boolean): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  if (strict) {
    // Sec-Fetch-Site "none" (typed into the address bar) never comes with a form post.
    return origin === ownOrigin && (fetchSite === undefined || fetchSite === 'same-origin');
  }
  if (fetchSite !== undefined) return fetchSite === 'same-origin' || fetchSite === 'none';

  if (origin !== undefined) return origin === ownOrigin;

  return true;
}
