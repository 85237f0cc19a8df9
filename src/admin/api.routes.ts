import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { defaultPageSize, productListQuery, productPage } from '../catalog/catalog.schema.js';
import { type CollectionFilter, listProducts } from '../catalog/catalog.service.js';
import { AppError } from '../server/errors.js';
import { problemResponses } from '../server/problem.schema.js';
import type { ApiKeyScope } from './admin-forms.schema.js';
import type { AdminServices } from './admin-services.js';
import {
  apiCustomerDetail,
  apiListQuery,
  apiOrderDetail,
  apiOrderPage,
  customerIdParams,
  defaultApiPageSize,
  noQuery,
  orderIdParams,
} from './api.schema.js';
import {
  type ApiContext,
  findCustomerDetail,
  findOrderDetail,
  listOrdersPage,
} from './api.service.js';
import type { AdminDeps } from './app.js';

const tags = ['admin'];

/** Route options of an API route: key authentication only, and the scope it needs. */
function apiRoute(apiScope: ApiKeyScope) {
  return { permission: 'api_key', apiScope } as const;
}

function apiContextOf(request: FastifyRequest, deps: AdminDeps): ApiContext {
  // The API key hook sets this before any handler runs; the check keeps a wiring mistake closed.
  if (!request.apiKey) throw new AppError('AUTHENTICATION_REQUIRED', 'Send an admin API key.');
  return {
    db: deps.db.kysely,
    config: deps.config,
    secrets: deps.secrets,
    log: request.log,
    requestId: request.id,
    ip: request.ip,
    visitorHash: null,
    customerId: null,
    apiKey: request.apiKey,
  };
}

/**
 * Registers the read-only admin API under /api/admin/. Each route names the key scope it needs;
 * see registerApiKeyAuth for authentication, limits and auditing.
 */
export function registerApiRoutes(parent: FastifyInstance, services: AdminServices): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { deps } = services;

  app.get(
    '/api/admin/orders',
    {
      config: apiRoute('orders:read'),
      schema: {
        summary: 'List orders, newest first, a page at a time',
        tags,
        querystring: apiListQuery,
        response: { 200: apiOrderPage, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) =>
      listOrdersPage(apiContextOf(request, deps), {
        limit: request.query.limit ?? defaultApiPageSize,
        cursor: request.query.cursor,
      }),
  );

  app.get(
    '/api/admin/orders/:orderId',
    {
      config: apiRoute('orders:read'),
      schema: {
        summary: 'Show one order with its lines and shipping address',
        tags,
        params: orderIdParams,
        querystring: noQuery,
        response: { 200: apiOrderDetail, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => findOrderDetail(apiContextOf(request, deps), request.params.orderId),
  );

  app.get(
    '/api/admin/customers/:customerId',
    {
      config: apiRoute('customers:read'),
      schema: {
        summary: 'Show one customer with addresses and order ids',
        tags,
        params: customerIdParams,
        querystring: noQuery,
        response: { 200: apiCustomerDetail, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => findCustomerDetail(apiContextOf(request, deps), request.params.customerId),
  );

  app.get(
    '/api/admin/products',
    {
      config: apiRoute('catalog:read'),
      schema: {
        summary: 'List the products for sale, as the Store API does',
        tags,
        querystring: productListQuery,
        response: { 200: productPage, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const { query, collection, limit, cursor } = request.query;
      return listProducts(apiContextOf(request, deps), {
        query,
        collection: collection === undefined ? undefined : toFilter(collection),
        limit: limit ?? defaultPageSize,
        cursor,
      });
    },
  );
}

/** `type:<slug>` or `tag:<slug>`, already checked by the query schema's pattern. */
function toFilter(collection: string): CollectionFilter {
  const [kind, slug] = collection.split(':') as ['type' | 'tag', string];
  return { kind, slug };
}
