import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import type { ShopDeps } from '../server/app.js';
import { contextOf } from '../server/context.js';
import { notFound } from '../server/errors.js';
import { problemResponses } from '../server/problem.schema.js';
import {
  defaultPageSize,
  noQuery,
  productDetail,
  productListQuery,
  productPage,
  productParams,
} from './catalog.schema.js';
import { type CollectionFilter, getProductByHandle, listProducts } from './catalog.service.js';

const tags = ['catalog'];

/** Registers the catalog's Store API: product listing and search, and single products. */
export function registerCatalogRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/store/products',
    {
      schema: {
        summary: 'List or search the products for sale, a page at a time',
        tags,
        querystring: productListQuery,
        response: { 200: productPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { query, collection, limit, cursor } = request.query;
      return listProducts(contextOf(request, deps, null), {
        query,
        collection: collection === undefined ? undefined : toFilter(collection),
        limit: limit ?? defaultPageSize,
        cursor,
      });
    },
  );

  api.get(
    '/api/store/products/:handle',
    {
      schema: {
        summary: 'Show one product with its variants, options and images',
        tags,
        params: productParams,
        querystring: noQuery,
        response: { 200: productDetail, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const product = await getProductByHandle(
        contextOf(request, deps, null),
        request.params.handle,
      );
      if (!product) throw notFound('The product');
      return product;
    },
  );
}

/** "type:hair-accessories" → { kind: 'type', slug: 'hair-accessories' }; the schema checked the form. */
function toFilter(collection: string): CollectionFilter {
  const [kind, slug = ''] = collection.split(':', 2);
  return { kind: kind === 'tag' ? 'tag' : 'type', slug: slug.toLowerCase() };
}
