import type { FastifyInstance } from 'fastify';

import type { ShopDeps } from '../server/app.js';

// PLACEHOLDER: the customer-accounts helper replaces this file (see /work/notes/contracts.md).

export function registerCustomerAuthRoutes(_app: FastifyInstance, _deps: ShopDeps): void {}
