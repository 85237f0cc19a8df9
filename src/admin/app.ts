import Fastify, { type FastifyInstance } from 'fastify';

import type { ShopDeps } from '../server/app.js';

// PLACEHOLDER: the admin helper replaces this file (see /work/notes/contracts.md).

export type AdminDeps = Omit<ShopDeps, 'limits'>;

export async function buildAdminApp(_deps: AdminDeps): Promise<FastifyInstance> {
  return Fastify();
}
