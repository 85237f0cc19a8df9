import { randomUUID } from 'node:crypto';

import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { pino } from 'pino';

import { registerCsrfCheck } from '../auth/csrf.js';
import { registerCrossSiteCheck } from '../defense/origin.js';
import { securityEventStore } from '../defense/security-events.js';
import { registerAssetRoutes } from '../integrity/assets.js';
import { registerCspReportRoute } from '../integrity/csp-report.routes.js';
import { type HeaderOptions, registerSecurityHeaders } from '../integrity/headers.js';
import { bodyLimitBytes, type ShopDeps } from '../server/app.js';
import { earlyErrorOptions } from '../server/early-errors.js';
import { registerErrorHandling } from '../server/error-handler.js';
import { AppError } from '../server/errors.js';
import { loggerOptions, registerRequestLog } from '../server/logger.js';
import { validatorCompiler } from '../server/validation.js';
import {
  type AdminRoute,
  collectAdminRoutes,
  registerAccessControl,
  registerStaffSessions,
} from './access.js';
import { adminCsrfBinding, adminCsrfKey } from './admin-csrf.js';
import {
  type AdminLimitSettings,
  createAdminLimits,
  registerSignInAttemptLimit,
} from './admin-limits.js';
import { createAdminServices } from './admin-services.js';
import { registerApiKeyAuth } from './api-auth.js';
import { registerApiRoutes } from './api.routes.js';
import { registerStaffAuthRoutes } from './auth.routes.js';
import { registerCustomerRoutes } from './customers.routes.js';
import { registerLogRoutes } from './logs.routes.js';
import { registerOrderRoutes } from './orders.routes.js';
import { adminErrorPageRenderer } from './pages/layout.js';
import { registerStaffRoutes } from './staff.routes.js';
import { auditRequest } from './staff-context.js';

/**
 * The admin's dependencies: the shop's, without the shop's per-client rate limits, plus optional
 * values for the admin's own limits (tests set tiny ones).
 */
export type AdminDeps = Omit<ShopDeps, 'limits'> & { adminLimits?: Partial<AdminLimitSettings> };

export type AdminApp = FastifyInstance & {
  /** Every route the admin registered, with its permission, for the permission matrix test. */
  adminRoutes: AdminRoute[];
};

/**
 * Builds the back office as its own Fastify instance, served on ADMIN_HOST:ADMIN_PORT (127.0.0.1
 * by default) and never on the shop's listener. It reuses the shop's security headers, SRI
 * assets and problem+json errors, and adds:
 * - a Host check against ADMIN_URL, so a DNS-rebound name cannot reach it from a web page;
 * - a strict same-origin check (Origin must equal ADMIN_URL's origin on every POST);
 * - staff sessions in `__Host-staff` with the staff idle and absolute timeouts;
 * - CSRF tokens keyed by 'csrf-admin', bound to the session or a pre-login cookie;
 * - one hook that enforces each route's `config.permission` and re-authentication;
 * - a per-address limit on sign-in attempts;
 * - a read-only JSON API under /api/admin/, opened only by API keys (see api-auth.ts);
 * - an audit row for every POST (handlers write a specific one, a hook covers the rest).
 */
export async function buildAdminApp(deps: AdminDeps): Promise<AdminApp> {
  const { config } = deps;
  const headerOptions: HeaderOptions = {
    // The admin posts forms only to itself, so form-action names its own origin.
    gatewayOrigin: config.adminUrl.origin,
    imageHosts: [],
    https: config.adminUrl.protocol === 'https:',
  };
  const errorPage = adminErrorPageRenderer(deps.assets);

  const app = Fastify({
    ...earlyErrorOptions(headerOptions, errorPage),
    loggerInstance: pino(loggerOptions(config.logLevel), deps.logStream ?? process.stdout).child({
      app: 'admin',
    }) as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    // registerRequestLog writes one line per request in place of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    bodyLimit: bodyLimitBytes,
    trustProxy: config.adminTrustProxy,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // The shop's asset and CSP report routes are shared code and open to everyone.
  const adminRoutes = collectAdminRoutes(app, ['/assets/', '/csp-report']);

  app.setValidatorCompiler(validatorCompiler);
  registerRequestLog(app);
  registerErrorHandling(app, deps, { errorPage });
  registerSecurityHeaders(app, headerOptions);
  registerHostCheck(app, config.adminUrl);
  registerCrossSiteCheck(app, deps, { origin: config.adminUrl.origin, strict: true });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: bodyLimitBytes });
  const limits = createAdminLimits(deps.adminLimits);
  registerSignInAttemptLimit(app, limits);
  registerStaffSessions(app, deps);
  // Before the access hook, which only lets an `api_key` route through once a key is set.
  registerApiKeyAuth(app, deps, limits);
  registerAccessControl(app, deps);
  registerCsrfCheck(app, {
    key: adminCsrfKey(deps.secrets),
    bindingOf: adminCsrfBinding,
    events: securityEventStore(deps),
  });
  registerPostAudit(app, deps);

  const services = createAdminServices(deps);
  await registerAssetRoutes(app, deps.assets);
  registerCspReportRoute(app, deps);
  registerStaffAuthRoutes(app, services);
  registerLogRoutes(app, services);
  registerOrderRoutes(app, services);
  registerCustomerRoutes(app, services);
  registerStaffRoutes(app, services);
  registerApiRoutes(app, services);

  app.get('/healthz', { config: { permission: 'public' }, schema: { hide: true } }, async () => ({
    status: 'ok',
  }));

  return Object.assign(app, { adminRoutes }) as unknown as AdminApp;
}

/**
 * Answers only requests addressed to ADMIN_URL's host. A page on another site can point its own
 * name at 127.0.0.1 (DNS rebinding) and then read responses as same-origin; such requests carry
 * that foreign Host header and get 404 here.
 */
function registerHostCheck(app: FastifyInstance, adminUrl: URL): void {
  const detail = `The admin answers only at ${adminUrl.origin} (ADMIN_URL); open that address.`;
  app.addHook('onRequest', async (request) => {
    if (request.host === adminUrl.host) return;
    throw new AppError('NOT_FOUND', detail);
  });
}

/**
 * Writes an audit row for every POST whose handler wrote none, including rejected ones (CSRF,
 * validation, permission), so each staff action leaves a trace. POSTs without a staff session
 * are left out, except logins, which their handler audits.
 */
function registerPostAudit(app: FastifyInstance, deps: AdminDeps): void {
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'POST' || request.audited || !request.staff) return;
    try {
      await auditRequest(request, deps, {
        action: 'request.post',
        objectType: 'route',
        objectId: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
        details: { status: reply.statusCode, params: request.params ?? {} },
      });
    } catch (error) {
      request.log.error({ err: error }, 'audit row could not be written');
    }
  });
}
