import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';

import { readVisitorHash } from '../cart/visitor.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf, type ServiceContext } from '../server/context.js';
import { requireCustomer } from './session-hook.js';

/** OpenAPI tags of the account routes. */
export const accountTags = ['account'];

/** Response schema of a route that changed or deleted something and returns no body. */
export const noContent = Type.Null({ description: 'Done; no body' });

/**
 * Builds the context of an account request after checking that a customer is fully signed in
 * (AUTHENTICATION_REQUIRED otherwise). The account comes from the session; the visitor cookie
 * only matters to carts.
 */
export function accountContextOf(request: FastifyRequest, deps: ShopDeps): ServiceContext {
  requireCustomer(request);
  return contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
}
