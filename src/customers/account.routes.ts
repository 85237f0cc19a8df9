import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import { treatMissingBodyAsEmpty } from '../cart/cart.routes.js';
import { emptyBody } from '../cart/cart.schema.js';
import { getCustomerOrder, listCustomerOrders } from '../orders/customer-orders.js';
import { orderView } from '../orders/order.schema.js';
import type { ShopDeps } from '../server/app.js';
import { problemResponses } from '../server/problem.schema.js';
import { accountContextOf, accountTags, noContent } from './account-route-kit.js';
import { endAccountSession, listAccountSessions } from './account-sessions.service.js';
import {
  addressBody,
  addressList,
  addressPatchBody,
  addressView,
  idParams,
  orderList,
  pageQuery,
  profilePatchBody,
  profileView,
  sessionList,
} from './account.schema.js';
import { createAddress, deleteAddress, listAddresses, updateAddress } from './addresses.service.js';
import { registerCredentialRoutes } from './credential.routes.js';
import { getProfile, updateProfile } from './profile.service.js';
import { registerReviewRoutes } from './review.routes.js';
import { clearCustomerCookie, requireCustomer, rotateVisitorAfterLogout } from './session-hook.js';

/**
 * Registers the signed-in customer's Store API under /api/store/account: profile, addresses,
 * orders, sessions, password and email changes, and reviews, plus the public review list of a
 * product. Every account route needs a fully signed-in customer session (401
 * AUTHENTICATION_REQUIRED otherwise) and is sent no-store. Another customer's object gets the same
 * 404 as a missing one, and the attempt is stored as a security event.
 */
export function registerAccountRoutes(app: FastifyInstance, deps: ShopDeps): void {
  registerProfileRoutes(app, deps);
  registerAddressRoutes(app, deps);
  registerOrderRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerCredentialRoutes(app, deps);
  registerReviewRoutes(app, deps);
}

function registerProfileRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/store/account',
    {
      schema: {
        summary: "Show the signed-in customer's profile",
        tags: accountTags,
        response: { 200: profileView, ...problemResponses(401) },
      },
      config: { personal: true },
    },
    async (request) => getProfile(accountContextOf(request, deps)),
  );

  api.patch(
    '/api/store/account',
    {
      schema: {
        summary: "Change the signed-in customer's name",
        tags: accountTags,
        body: profilePatchBody,
        response: { 200: profileView, ...problemResponses(400, 401, 403) },
      },
      config: { personal: true },
    },
    async (request) => updateProfile(accountContextOf(request, deps), request.body),
  );
}

function registerAddressRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/store/account/addresses',
    {
      schema: {
        summary: "List the signed-in customer's saved addresses",
        tags: accountTags,
        response: { 200: addressList, ...problemResponses(401) },
      },
      config: { personal: true },
    },
    async (request) => ({ items: await listAddresses(accountContextOf(request, deps)) }),
  );

  api.post(
    '/api/store/account/addresses',
    {
      schema: {
        summary: 'Save an address, checked by the same rules as a checkout address',
        tags: accountTags,
        body: addressBody,
        response: { 201: addressView, ...problemResponses(400, 401, 403) },
      },
      config: { personal: true },
    },
    async (request, reply) => {
      const { line2 = '', region = '', ...rest } = request.body;
      const address = await createAddress(accountContextOf(request, deps), {
        ...rest,
        line2,
        region,
      });
      return reply.code(201).send(address);
    },
  );

  api.patch(
    '/api/store/account/addresses/:id',
    {
      schema: {
        summary: 'Change fields of a saved address',
        tags: accountTags,
        params: idParams,
        body: addressPatchBody,
        response: { 200: addressView, ...problemResponses(400, 401, 403, 404) },
      },
      config: { personal: true },
    },
    async (request) =>
      updateAddress(accountContextOf(request, deps), request.params.id, request.body),
  );

  api.delete(
    '/api/store/account/addresses/:id',
    {
      schema: {
        summary: 'Delete a saved address',
        tags: accountTags,
        params: idParams,
        body: emptyBody,
        response: { 204: noContent, ...problemResponses(400, 401, 403, 404) },
      },
      config: { personal: true },
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      await deleteAddress(accountContextOf(request, deps), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

function registerOrderRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/store/account/orders',
    {
      schema: {
        summary: "List the signed-in customer's orders, newest first",
        description:
          'Orders placed while signed in, and guest orders attached to the account when their ' +
          'email was confirmed.',
        tags: accountTags,
        querystring: pageQuery,
        response: { 200: orderList, ...problemResponses(400, 401) },
      },
      config: { personal: true },
    },
    async (request) => {
      const { limit = 20, cursor } = request.query;
      return listCustomerOrders(accountContextOf(request, deps), { limit, cursor });
    },
  );

  api.get(
    '/api/store/account/orders/:id',
    {
      schema: {
        summary: "Show one of the signed-in customer's orders",
        tags: accountTags,
        params: idParams,
        response: { 200: orderView, ...problemResponses(400, 401, 404) },
      },
      config: { personal: true },
    },
    async (request) => getCustomerOrder(accountContextOf(request, deps), request.params.id),
  );
}

function registerSessionRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/store/account/sessions',
    {
      schema: {
        summary: "List the signed-in customer's sessions, marking the current one",
        tags: accountTags,
        response: { 200: sessionList, ...problemResponses(401) },
      },
      config: { personal: true },
    },
    async (request) => {
      const account = requireCustomer(request);
      const ctx = accountContextOf(request, deps);
      return { items: await listAccountSessions(ctx, account.sessionHash) };
    },
  );

  api.delete(
    '/api/store/account/sessions/:id',
    {
      schema: {
        summary: "End one of the signed-in customer's sessions",
        description:
          'Ending the current session logs this client out: the session cookie is cleared and ' +
          'the visitor cookie replaced, as on logout.',
        tags: accountTags,
        params: idParams,
        body: emptyBody,
        response: { 204: noContent, ...problemResponses(400, 401, 403, 404) },
      },
      config: { personal: true },
      preValidation: treatMissingBodyAsEmpty,
    },
    async (request, reply) => {
      const account = requireCustomer(request);
      const ctx = accountContextOf(request, deps);
      const { endedCurrent } = await endAccountSession(ctx, request.params.id, account.sessionHash);

      if (endedCurrent) {
        clearCustomerCookie(reply);
        await rotateVisitorAfterLogout(request, reply, deps);
      }
      return reply.code(204).send(null);
    },
  );
}
