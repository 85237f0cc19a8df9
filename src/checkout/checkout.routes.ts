import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import { cartParams } from '../cart/cart.schema.js';
import { readVisitorHash } from '../cart/visitor.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf } from '../server/context.js';
import { problemResponses } from '../server/problem.schema.js';
import { checkoutBody, checkoutResponse } from './checkout.schema.js';
import { checkoutForVisitor } from './checkout-visitor.js';

/** Registers POST /api/store/carts/:id/checkout, which places an order and starts payment. */
export function registerCheckoutRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/store/carts/:id/checkout',
    {
      schema: {
        summary: 'Place an order for the cart and open a payment session for it',
        description:
          'Prices, stock and totals come from the catalog at this moment, never from the ' +
          'request. Answers 409 when the cart is empty, already checked out or short of stock. ' +
          'On success the visitor cookie is replaced by a new one, which alone can read the order.',
        tags: ['checkout'],
        params: cartParams,
        body: checkoutBody,
        response: { 201: checkoutResponse, ...problemResponses(400, 403, 404, 409, 429, 502) },
      },
      config: { personal: true },
    },
    async (request, reply) => {
      const ctx = contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
      const { shippingAddress, ...rest } = request.body;
      const result = await checkoutForVisitor(ctx, request, reply, deps, request.params.id, {
        ...rest,
        shippingAddress: {
          ...shippingAddress,
          line2: shippingAddress.line2 ?? '',
          region: shippingAddress.region ?? '',
        },
      });
      return reply.code(201).send({ orderId: result.orderId, paymentUrl: result.paymentUrl });
    },
  );
}
