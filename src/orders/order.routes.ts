import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import { readVisitorHash } from '../cart/visitor.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf } from '../server/context.js';
import { orderParams, orderQuery, orderView } from './order.schema.js';
import { getOrder } from './order.service.js';

/** Registers GET /api/store/orders/:id for the visitor who placed the order or a signed link. */
export function registerOrderRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/store/orders/:id',
    {
      schema: {
        summary: 'Show an order to the visitor who placed it or to the holder of its signed link',
        tags: ['orders'],
        params: orderParams,
        querystring: orderQuery,
        response: { 200: orderView },
      },
      config: { personal: true },
    },
    async (request) => {
      const ctx = contextOf(request, deps, readVisitorHash(request));
      return getOrder(ctx, request.params.id, request.query.token);
    },
  );
}
