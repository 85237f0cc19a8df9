import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import { treatMissingBodyAsEmpty } from '../cart/cart.routes.js';
import { emptyBody } from '../cart/cart.schema.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf } from '../server/context.js';
import { problemResponses } from '../server/problem.schema.js';
import { accountContextOf, accountTags, noContent } from './account-route-kit.js';
import {
  idParams,
  myReviewList,
  myReviewView,
  pageQuery,
  productHandleParams,
  publicReviewList,
  reviewBody,
  reviewPatchBody,
} from './account.schema.js';
import {
  createReview,
  deleteReview,
  listMyReviews,
  listProductReviews,
  updateReview,
} from './reviews.service.js';

/**
 * Registers the signed-in customer's reviews under /api/store/account/reviews and the public
 * list of a product's reviews. Review text is returned as written, as JSON text, so a page that
 * shows it must escape it.
 */
export function registerReviewRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/store/products/:handle/reviews',
    {
      schema: {
        summary: 'List the reviews of a product, newest first',
        description: 'Reviewers are shown by first name only. Needs no session.',
        tags: ['catalog'],
        params: productHandleParams,
        querystring: pageQuery,
        response: { 200: publicReviewList, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { limit = 20, cursor } = request.query;
      const ctx = contextOf(request, deps, null);
      return listProductReviews(ctx, request.params.handle, { limit, cursor });
    },
  );

  api.get(
    '/api/store/account/reviews',
    {
      schema: {
        summary: "List the signed-in customer's reviews, newest first",
        tags: accountTags,
        querystring: pageQuery,
        response: { 200: myReviewList, ...problemResponses(400, 401) },
      },
      config: { personal: true },
    },
    async (request) => {
      const { limit = 20, cursor } = request.query;
      return listMyReviews(accountContextOf(request, deps), { limit, cursor });
    },
  );

  api.post(
    '/api/store/account/reviews',
    {
      schema: {
        summary: 'Review a product; one review per product and customer',
        description:
          'A second review of the same product answers 409 ALREADY_EXISTS with its reviewId.',
        tags: accountTags,
        body: reviewBody,
        response: { 201: myReviewView, ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: { personal: true },
    },
    async (request, reply) => {
      const review = await createReview(accountContextOf(request, deps), request.body);
      return reply.code(201).send(review);
    },
  );

  api.patch(
    '/api/store/account/reviews/:id',
    {
      schema: {
        summary: 'Change the rating or text of a review',
        tags: accountTags,
        params: idParams,
        body: reviewPatchBody,
        response: { 200: myReviewView, ...problemResponses(400, 401, 403, 404) },
      },
      config: { personal: true },
    },
    async (request) =>
      updateReview(accountContextOf(request, deps), request.params.id, request.body),
  );

  api.delete(
    '/api/store/account/reviews/:id',
    {
      schema: {
        summary: 'Delete a review',
        tags: accountTags,
        params: idParams,
        body: emptyBody,
        response: { 204: noContent, ...problemResponses(400, 401, 403, 404) },
      },
      config: { personal: true },
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      await deleteReview(accountContextOf(request, deps), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
