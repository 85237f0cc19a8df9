import type { FastifyInstance } from 'fastify';

import '../auth/request-account.js';
import type { ShopDeps } from '../server/app.js';

// PLACEHOLDER: the customer-accounts helper replaces this file (see /work/notes/contracts.md).

export function registerCustomerSessions(app: FastifyInstance, _deps: ShopDeps): void {
  app.decorateRequest('account', null);
}
