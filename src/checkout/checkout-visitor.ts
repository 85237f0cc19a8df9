import type { FastifyReply, FastifyRequest } from 'fastify';

import { withRotatedVisitor } from '../cart/visitor.js';
import type { ShopDeps } from '../server/app.js';
import type { ServiceContext } from '../server/context.js';
import { type CheckoutInput, type CheckoutResult, checkout } from './checkout.service.js';

/**
 * Checks out a cart of the visitor in `ctx` and, when the order is placed, replaces the visitor
 * cookie with a new token. The new token takes over the order and every other cart and order of
 * the visitor, so the old cookie reads nothing. The Store API and the storefront form both check
 * out through here.
 *
 * Rotating the token stops cookie fixation. Apps on one host name share cookies whatever their
 * port, so an attacker there can plant a validly signed cookie that the shop issued to them and
 * then read the shopper's order with their copy of it. A failed checkout keeps the old cookie and
 * leaves everything filed under it, because its cart stays open for a retry.
 */
export function checkoutForVisitor(
  ctx: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  deps: Pick<ShopDeps, 'payments' | 'secrets'>,
  cartId: string,
  input: CheckoutInput,
): Promise<CheckoutResult> {
  return withRotatedVisitor(request, reply, deps.secrets.signingKey, (orderVisitorHash) =>
    checkout(ctx, deps.payments, cartId, input, orderVisitorHash),
  );
}
