import { randomUUID } from 'node:crypto';

import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import { type DestinationStream, pino } from 'pino';

import { registerCartRoutes } from '../cart/cart.routes.js';
import { registerCatalogRoutes } from '../catalog/catalog.routes.js';
import { registerCsrfCheck } from '../auth/csrf.js';
import { readVisitorHash } from '../cart/visitor.js';
import { registerCheckoutRoutes } from '../checkout/checkout.routes.js';
import { registerAccountRoutes } from '../customers/account.routes.js';
import { registerCustomerAuthRoutes } from '../customers/auth.routes.js';
import { registerCustomerSessions } from '../customers/session-hook.js';
import type { Db } from '../db/database.js';
import { type ClientLimits, createClientLimits } from '../defense/client-limits.js';
import { registerCrossSiteCheck } from '../defense/origin.js';
import { securityEventStore } from '../defense/security-events.js';
import { type AssetManifest, registerAssetRoutes } from '../integrity/assets.js';
import { registerCspReportRoute } from '../integrity/csp-report.routes.js';
import { type HeaderOptions, registerSecurityHeaders } from '../integrity/headers.js';
import { registerOrderRoutes } from '../orders/order.routes.js';
import type { PaymentGateway } from '../payments/gateway.js';
import { registerPaymentRoutes } from '../payments/payments.routes.js';
import { registerAccountPages } from '../web/account-pages.routes.js';
import { registerStorefrontRoutes } from '../web/storefront.routes.js';
import type { Config } from './config.js';
import { earlyErrorOptions } from './early-errors.js';
import { registerErrorHandling } from './error-handler.js';
import { AppError } from './errors.js';
import { loggerOptions, registerRequestLog } from './logger.js';
import { deriveKey, type Secrets } from './secrets.js';
import './route-config.js';
import { validatorCompiler } from './validation.js';

/** Everything the shop's routes need, built once at start and passed down explicitly. */
export interface ShopDeps {
  config: Config;
  db: Db;
  secrets: Secrets;
  payments: PaymentGateway;
  assets: AssetManifest;
  /** Per-client rate limits; buildShopApp creates them with the defaults when absent. */
  limits?: ClientLimits;
  /** Destination of log lines, standard output when absent. Tests pass a stream to read them. */
  logStream?: DestinationStream;
}

export type ShopApp = FastifyInstance & { withTypeProvider: () => unknown };

/**
 * Rejects Store API bodies that are not JSON. The form parser is registered for the storefront
 * pages, and without this check the API would accept form bodies its description never names.
 */
async function requireJsonForStoreApi(request: FastifyRequest): Promise<void> {
  if (!request.url.startsWith('/api/store/')) return;

  const contentType = request.headers['content-type'];
  if (contentType === undefined) return;
  if (/^application\/json\s*(;|$)/i.test(contentType)) return;
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the Store API a JSON body.');
}

/** Request bodies larger than this are refused with 413 before any handler runs. */
export const bodyLimitBytes = 64 * 1024;

/**
 * Builds the public shop: storefront pages, Store API, payment webhooks and CSP reports. The
 * admin never registers here; it has its own listener.
 */
export async function buildShopApp(
  deps: ShopDeps,
  https?: { cert: Buffer; key: Buffer; minVersion: 'TLSv1.3' },
): Promise<FastifyInstance> {
  // Every route and hook below receives this copy, so they all count against one set of limits.
  deps = { ...deps, limits: deps.limits ?? createClientLimits() };
  const { config } = deps;
  const headerOptions: HeaderOptions = {
    gatewayOrigin: deps.payments.origin,
    imageHosts: config.imageHosts,
    https: config.publicUrl.protocol === 'https:',
  };
  const app = Fastify({
    ...(https ? { https } : {}),
    ...earlyErrorOptions(headerOptions),
    loggerInstance: pino(
      loggerOptions(config.logLevel),
      deps.logStream ?? process.stdout,
    ) as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    // registerRequestLog writes one line per request in place of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    bodyLimit: bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  registerRequestLog(app);
  registerErrorHandling(app, deps);
  registerSecurityHeaders(app, headerOptions);
  registerCrossSiteCheck(app, deps);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onRequest', requireJsonForStoreApi);

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: bodyLimitBytes });
  // Resolves the __Host-session cookie into request.account before any handler runs.
  registerCustomerSessions(app, deps);
  // Forms carry a token bound to the session, or to the visitor cookie before login.
  registerCsrfCheck(app, {
    key: deriveKey(deps.secrets, 'csrf'),
    bindingOf: (request) =>
      request.account?.sessionHash ?? readVisitorHash(request, deps.secrets.signingKey),
    events: securityEventStore(deps),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Storefort Store API',
        version: '1',
        description:
          'Catalog, carts, checkout, orders and customer accounts for headless storefronts and ' +
          'scripts. A guest cart or order belongs to the visitor whose __Host-cart cookie ' +
          'created it; once attached to an account it belongs to that signed-in customer ' +
          '(__Host-session cookie, set by /api/store/auth/login). Anything else, without a ' +
          'signed order link token, returns 404. Errors are RFC 9457 problem+json. Unknown ' +
          'fields and query parameters are rejected with 400.',
      },
      servers: [{ url: config.publicUrl.origin }],
      components: {
        securitySchemes: {
          visitorCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: '__Host-cart',
            description: 'Set by the shop on the first cart; HttpOnly, Secure, SameSite=Lax',
          },
          customerSession: {
            type: 'apiKey',
            in: 'cookie',
            name: '__Host-session',
            description:
              'Set at login; HttpOnly, Secure, SameSite=Lax, ends with the browser, 30 idle ' +
              'minutes or 12 hours by default',
          },
        },
      },
    },
  });
  await registerAssetRoutes(app, deps.assets);

  // Every account route needs the session cookie; say so once for the OpenAPI description.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/store/account') || !route.schema) return;
    route.schema.security ??= [{ customerSession: [] }];
  });

  // Domain routes. Each domain registers its own pages and API endpoints.
  registerCspReportRoute(app, deps);
  registerCatalogRoutes(app, deps);
  registerCartRoutes(app, deps);
  registerCheckoutRoutes(app, deps);
  registerOrderRoutes(app, deps);
  registerPaymentRoutes(app, deps);
  registerCustomerAuthRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerAccountPages(app, deps);
  registerStorefrontRoutes(app, deps);

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
