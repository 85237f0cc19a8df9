import type { FastifyInstance } from 'fastify';

import type { ShopDeps } from '../server/app.js';
import { registerAccountAuthPages } from './account-auth-pages.routes.js';
import { registerAccountProfilePages } from './account-profile-pages.routes.js';
import { registerAccountSecurityPages } from './account-security-pages.routes.js';

/**
 * Registers the customer account pages under /account. They call the account services directly,
 * as the Store API routes do, work without JavaScript except for passkeys, and carry a CSRF token
 * in every form.
 */
export function registerAccountPages(app: FastifyInstance, deps: ShopDeps): void {
  registerAccountAuthPages(app, deps);
  registerAccountProfilePages(app, deps);
  registerAccountSecurityPages(app, deps);
}
