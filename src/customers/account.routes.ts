import type { FastifyInstance } from 'fastify';

import type { ShopDeps } from '../server/app.js';

// PLACEHOLDER: the account-API helper replaces this file (see /work/notes/contracts.md).

export function registerAccountRoutes(_app: FastifyInstance, _deps: ShopDeps): void {}
