import type { FastifyInstance } from 'fastify';

import type { ShopDeps } from '../server/app.js';

// PLACEHOLDER: the account-pages helper replaces this file (see /work/notes/contracts.md).

export function registerAccountPages(_app: FastifyInstance, _deps: ShopDeps): void {}
