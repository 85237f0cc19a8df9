import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import { treatMissingBodyAsEmpty } from '../cart/cart.routes.js';
import { cartView, emptyBody } from '../cart/cart.schema.js';
import { ensureVisitor, readVisitorHash } from '../cart/visitor.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf } from '../server/context.js';
import { problemResponses } from '../server/problem.schema.js';
import { orderParams, orderQuery, orderView } from './order.schema.js';
import { getOrder } from './order.service.js';
import { returnOrderToCart } from './return-to-cart.js';

/**
 * Registers GET /api/store/orders/:id and POST /api/store/orders/:id/return-to-cart, both for
 * the visitor who placed the order or the holder of its signed link.
 */
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
        response: { 200: orderView, ...problemResponses(400, 404) },
      },
      config: { personal: true },
    },
    async (request) => {
      const ctx = contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
      return getOrder(ctx, request.params.id, request.query.token);
    },
  );

  api.post(
    '/api/store/orders/:id/return-to-cart',
    {
      schema: {
        summary: 'Put the items of an unpaid order into a new cart, cancelling it if pending',
        description:
          'Prices and stock come from the catalog at this moment; items no longer sold are ' +
          'left out. A pending order has its payment session cancelled at the provider first. ' +
          'Sets the visitor cookie if absent. Answers 409 ORDER_PAID for a paid order and ' +
          '409 PAYMENT_IN_PROGRESS while the provider completes a payment for it.',
        tags: ['orders'],
        params: orderParams,
        querystring: orderQuery,
        body: emptyBody,
        response: { 201: cartView, ...problemResponses(400, 403, 404, 409, 429) },
      },
      config: { personal: true },
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      const visitorHash = ensureVisitor(request, reply, deps.secrets.signingKey);
      const ctx = contextOf(request, deps, visitorHash);
      const { id } = request.params;
      const { cart } = await returnOrderToCart(ctx, deps.payments, id, request.query.token);
      return reply.code(201).send(cart);
    },
  );
}
