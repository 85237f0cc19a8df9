import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';

import { shippingMethods } from '../checkout/shipping.js';
import {
  createAddress,
  deleteAddress,
  getAddress,
  listAddresses,
  updateAddress,
} from '../customers/addresses.service.js';
import { getProfile, updateProfile } from '../customers/profile.service.js';
import { requireCustomer } from '../customers/session-hook.js';
import { getCustomerOrder, listCustomerOrders } from '../orders/customer-orders.js';
import type { ShopDeps } from '../server/app.js';
import type { ServiceContext } from '../server/context.js';
import {
  accountPage,
  accountPageBase,
  customerOrRedirect,
  formErrorOf,
  noticeText,
} from './account-page-kit.js';
import {
  type AddressForm,
  addressForm,
  emptyForm,
  idParams,
  noticeQuery,
  profileForm,
} from './account-forms.schema.js';
import { pageContext } from './chrome.js';
import { countries } from './checkout-pages.routes.js';
import { formTokenFor } from './csrf-field.js';
import { htmlResponse } from './forms.schema.js';
import {
  AddressEditPage,
  type AddressEditPageProps,
  AddressesPage,
  type AddressesPageProps,
  OrdersPage,
  ProfilePage,
  type ProfilePageProps,
} from './pages/account/profile-pages.js';
import { OrderPage } from './pages/order.js';
import { sendPage } from './send-page.js';

const ordersPerPage = 20;

const ordersQuery = Type.Object(
  {
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * The signed-in customer's profile, saved addresses and order history. GET pages send a browser
 * without a session to the login page; form posts without one get AUTHENTICATION_REQUIRED.
 * Another customer's address or order gets 404 like a missing one, because the services check
 * ownership.
 */
export function registerAccountProfilePages(parent: FastifyInstance, deps: ShopDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const base = (request: FastifyRequest, reply: FastifyReply, ctx: ServiceContext) =>
    accountPageBase(request, reply, deps, ctx);

  app.get(
    '/account',
    {
      config: accountPage,
      schema: { hide: true, querystring: noticeQuery, response: htmlResponse },
    },
    async (request, reply) => {
      const signedIn = customerOrRedirect(request);
      if ('redirect' in signedIn) return reply.redirect(signedIn.redirect, 303);

      const ctx = pageContext(request, deps);
      const page = await profilePage(request, reply, deps, ctx, {
        notice: noticeText(request.query.notice),
      });
      return sendPage(reply, page);
    },
  );

  app.post(
    '/account/profile',
    { config: accountPage, schema: { hide: true, body: profileForm, response: htmlResponse } },
    async (request, reply) => {
      requireCustomer(request);
      const ctx = pageContext(request, deps);
      try {
        await updateProfile(ctx, { name: request.body.name });
        return reply.redirect('/account?notice=saved', 303);
      } catch (error) {
        const rejected = formErrorOf(request, error, ['VALIDATION_FAILED']);
        if (!rejected) throw error;
        const page = await profilePage(request, reply, deps, ctx, {
          notice: null,
          name: request.body.name,
          error: { ...rejected.error, field: 'name' },
        });
        return sendPage(reply, page, rejected.status);
      }
    },
  );

  app.get(
    '/account/addresses',
    {
      config: accountPage,
      schema: { hide: true, querystring: noticeQuery, response: htmlResponse },
    },
    async (request, reply) => {
      const signedIn = customerOrRedirect(request);
      if ('redirect' in signedIn) return reply.redirect(signedIn.redirect, 303);

      const ctx = pageContext(request, deps);
      const page = await addressesPage(request, reply, deps, ctx, {
        notice: noticeText(request.query.notice),
      });
      return sendPage(reply, page);
    },
  );

  app.post(
    '/account/addresses',
    { config: accountPage, schema: { hide: true, body: addressForm, response: htmlResponse } },
    async (request, reply) => {
      requireCustomer(request);
      const ctx = pageContext(request, deps);
      try {
        await createAddress(ctx, request.body);
        return reply.redirect('/account/addresses?notice=address-added', 303);
      } catch (error) {
        const rejected = formErrorOf(request, error, ['VALIDATION_FAILED']);
        if (!rejected) throw error;
        const page = await addressesPage(request, reply, deps, ctx, {
          notice: null,
          values: request.body,
          error: rejected.error,
        });
        return sendPage(reply, page, rejected.status);
      }
    },
  );

  app.get(
    '/account/addresses/:id',
    { config: accountPage, schema: { hide: true, params: idParams, response: htmlResponse } },
    async (request, reply) => {
      const signedIn = customerOrRedirect(request);
      if ('redirect' in signedIn) return reply.redirect(signedIn.redirect, 303);

      const ctx = pageContext(request, deps);
      const page = await addressEditPage(request, reply, deps, ctx, request.params.id, {});
      return sendPage(reply, page);
    },
  );

  app.post(
    '/account/addresses/:id',
    {
      config: accountPage,
      schema: { hide: true, params: idParams, body: addressForm, response: htmlResponse },
    },
    async (request, reply) => {
      requireCustomer(request);
      const ctx = pageContext(request, deps);
      const form: AddressForm = request.body;
      try {
        await updateAddress(ctx, request.params.id, form);
        return reply.redirect('/account/addresses?notice=saved', 303);
      } catch (error) {
        const rejected = formErrorOf(request, error, ['VALIDATION_FAILED']);
        if (!rejected) throw error;
        const page = await addressEditPage(request, reply, deps, ctx, request.params.id, {
          values: form,
          error: rejected.error,
        });
        return sendPage(reply, page, rejected.status);
      }
    },
  );

  app.post(
    '/account/addresses/:id/delete',
    {
      config: accountPage,
      schema: { hide: true, params: idParams, body: emptyForm, response: htmlResponse },
    },
    async (request, reply) => {
      requireCustomer(request);
      await deleteAddress(pageContext(request, deps), request.params.id);
      return reply.redirect('/account/addresses?notice=address-removed', 303);
    },
  );

  app.get(
    '/account/orders',
    {
      config: accountPage,
      schema: { hide: true, querystring: ordersQuery, response: htmlResponse },
    },
    async (request, reply) => {
      const signedIn = customerOrRedirect(request);
      if ('redirect' in signedIn) return reply.redirect(signedIn.redirect, 303);

      const ctx = pageContext(request, deps);
      const found = await listCustomerOrders(ctx, {
        limit: ordersPerPage,
        cursor: request.query.cursor,
      });
      const nextPageHref = found.nextCursor
        ? `/account/orders?${new URLSearchParams({ cursor: found.nextCursor })}`
        : null;
      const page = (
        <OrdersPage
          {...await base(request, reply, ctx)}
          orders={found.items}
          nextPageHref={nextPageHref}
        />
      );
      return sendPage(reply, page);
    },
  );

  app.get(
    '/account/orders/:id',
    { config: accountPage, schema: { hide: true, params: idParams, response: htmlResponse } },
    async (request, reply) => {
      const signedIn = customerOrRedirect(request);
      if ('redirect' in signedIn) return reply.redirect(signedIn.redirect, 303);

      const ctx = pageContext(request, deps);
      const order = await getCustomerOrder(ctx, request.params.id);
      const { chrome } = await base(request, reply, ctx);
      const method = shippingMethods(order.currency).find((m) => m.id === order.shippingMethod);
      const path = `/account/orders/${encodeURIComponent(order.id)}`;
      const page = (
        <OrderPage
          chrome={chrome}
          order={order}
          shippingLabel={method?.label ?? order.shippingMethod}
          refreshHref={path}
          returnToCart={{
            action: `/orders/${encodeURIComponent(order.id)}/return-to-cart`,
            token: undefined,
            csrfToken: formTokenFor(request, reply, deps),
          }}
          paymentTimeoutMinutes={deps.config.paymentTimeoutMinutes}
        />
      );
      return sendPage(reply, page);
    },
  );
}

// Each page is built by one function, so the GET route and a rejected form post that shows the
// page again with its error load the same data.

async function profilePage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ShopDeps,
  ctx: ServiceContext,
  form: Pick<ProfilePageProps, 'notice' | 'name' | 'error'>,
) {
  const profile = await getProfile(ctx);
  const base = await accountPageBase(request, reply, deps, ctx);
  return <ProfilePage {...base} profile={profile} {...form} />;
}

async function addressesPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ShopDeps,
  ctx: ServiceContext,
  form: Pick<AddressesPageProps, 'notice' | 'values' | 'error'>,
) {
  const addresses = await listAddresses(ctx);
  const base = await accountPageBase(request, reply, deps, ctx);
  return <AddressesPage {...base} addresses={addresses} countries={countries} {...form} />;
}

async function addressEditPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ShopDeps,
  ctx: ServiceContext,
  addressId: string,
  form: Pick<AddressEditPageProps, 'values' | 'error'>,
) {
  const address = await getAddress(ctx, addressId);
  const base = await accountPageBase(request, reply, deps, ctx);
  return <AddressEditPage {...base} address={address} countries={countries} {...form} />;
}
