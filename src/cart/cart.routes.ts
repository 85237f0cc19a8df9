import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { ShopDeps } from '../server/app.js';
import { contextOf } from '../server/context.js';
import { problemResponses } from '../server/problem.schema.js';
import {
  addLineBody,
  cartLineParams,
  cartParams,
  cartView,
  emptyBody,
  updateLineBody,
} from './cart.schema.js';
import { addLine, createCart, getCart, removeLine, updateLine } from './cart.service.js';
import { ensureVisitor, readVisitorHash } from './visitor.js';

const tags = ['cart'];

/**
 * Registers the Store API for carts under /api/store/carts. Every route except creation needs
 * the `__Host-cart` cookie of the visitor who created the cart; without it the cart is not found.
 */
export function registerCartRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const maxQuantity = deps.config.maxQuantity;

  api.post(
    '/api/store/carts',
    {
      schema: {
        summary: 'Create an empty cart for the visitor, setting the visitor cookie if absent',
        tags,
        body: emptyBody,
        response: { 201: cartView, ...problemResponses(400, 403, 429) },
      },
      config: { personal: true },
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      const visitorHash = ensureVisitor(request, reply, deps.secrets.signingKey);
      const cart = await createCart(contextOf(request, deps, visitorHash));
      return reply.code(201).send(cart);
    },
  );

  api.get(
    '/api/store/carts/:id',
    {
      schema: {
        summary: 'Show a cart with current prices and totals',
        tags,
        params: cartParams,
        response: { 200: cartView, ...problemResponses(400, 403, 404, 409) },
      },
      config: { personal: true },
    },
    async (request) => {
      const ctx = contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
      return getCart(ctx, request.params.id);
    },
  );

  api.post(
    '/api/store/carts/:id/lines',
    {
      schema: {
        summary: 'Add a variant to the cart, or add to the quantity of its existing line',
        tags,
        params: cartParams,
        body: addLineBody(maxQuantity),
        response: { 200: cartView, ...problemResponses(400, 403, 404, 409) },
      },
      config: { personal: true },
    },
    async (request) => {
      const ctx = contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
      return addLine(ctx, request.params.id, request.body);
    },
  );

  api.patch(
    '/api/store/carts/:id/lines/:lineId',
    {
      schema: {
        summary: 'Set the quantity of a cart line',
        tags,
        params: cartLineParams,
        body: updateLineBody(maxQuantity),
        response: { 200: cartView, ...problemResponses(400, 403, 404, 409) },
      },
      config: { personal: true },
    },
    async (request) => {
      const ctx = contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
      const { id, lineId } = request.params;
      return updateLine(ctx, id, lineId, request.body.quantity);
    },
  );

  api.delete(
    '/api/store/carts/:id/lines/:lineId',
    {
      schema: {
        summary: 'Remove a line from the cart',
        tags,
        params: cartLineParams,
        body: emptyBody,
        response: { 200: cartView, ...problemResponses(400, 403, 404, 409) },
      },
      config: { personal: true },
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request) => {
      const ctx = contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
      return removeLine(ctx, request.params.id, request.params.lineId);
    },
  );
}

/**
 * Lets a request without a body pass an empty-object schema. Requests that do carry a body are
 * still validated, so `{ "currency": "EUR" }` is rejected as an unknown field.
 */
export async function treatMissingBodyAsEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
