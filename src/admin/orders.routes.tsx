import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import { sendPage } from '../web/send-page.js';
import { htmlResponse, listQuery, orderParams, refundForm } from './admin-forms.schema.js';
import type { AdminServices } from './admin-services.js';
import { findOrder, listOrders, orderPageSize, refundOrder } from './orders.service.js';
import { OrderPage, OrdersPage, RefundPage } from './pages/order-pages.js';
import { roleAllows } from './permissions.js';
import { staffContextOf } from './staff-context.js';

export function registerOrderRoutes(parent: FastifyInstance, services: AdminServices): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { deps } = services;
  const view = { page: true, personal: true, permission: 'orders:view' } as const;
  const refund = {
    page: true,
    personal: true,
    permission: 'orders:refund',
    sensitive: true,
  } as const;

  app.get(
    '/orders',
    { config: view, schema: { querystring: listQuery, response: htmlResponse } },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      const orders = await listOrders(ctx, {
        before: request.query.before,
        email: request.query.q,
      });
      const last = orders.at(-1);
      return sendPage(
        reply,
        <OrdersPage
          chrome={services.chrome(request, reply)}
          orders={orders}
          nextBefore={orders.length === orderPageSize && last ? last.created_at : null}
        />,
      );
    },
  );

  app.get(
    '/orders/:orderId',
    { config: view, schema: { params: orderParams, response: htmlResponse } },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      const detail = await findOrder(ctx, request.params.orderId);
      return sendPage(
        reply,
        <OrderPage
          chrome={services.chrome(request, reply)}
          detail={detail}
          canRefund={roleAllows(ctx.staff.role, 'orders:refund')}
        />,
      );
    },
  );

  app.get(
    '/orders/:orderId/refund',
    { config: refund, schema: { params: orderParams, response: htmlResponse } },
    async (request, reply) => {
      const detail = await findOrder(staffContextOf(request, deps), request.params.orderId);
      return sendPage(
        reply,
        <RefundPage chrome={services.chrome(request, reply)} detail={detail} />,
      );
    },
  );

  app.post(
    '/orders/:orderId/refund',
    { config: refund, schema: { params: orderParams, body: refundForm, response: htmlResponse } },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      const result = await refundOrder(ctx, request.params.orderId, request.body.amount);
      request.audited = result.ok;

      // A redirect after success, so reloading the page never records the refund twice.
      if (result.ok) return reply.redirect(`/orders/${request.params.orderId}`, 303);

      const detail = await findOrder(ctx, request.params.orderId);
      return sendPage(
        reply,
        <RefundPage
          chrome={services.chrome(request, reply)}
          detail={detail}
          error={result.reason}
        />,
        422,
      );
    },
  );
}
