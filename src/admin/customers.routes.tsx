import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import { sendPage } from '../web/send-page.js';
import { customerParams, emptyForm, htmlResponse, listQuery } from './admin-forms.schema.js';
import type { AdminServices } from './admin-services.js';
import {
  customerPageSize,
  exportCustomer,
  findCustomer,
  listCustomers,
} from './customers.service.js';
import { CustomerPage, CustomersPage, ExportPage } from './pages/customer-pages.js';
import { roleAllows } from './permissions.js';
import { staffContextOf } from './staff-context.js';

export function registerCustomerRoutes(parent: FastifyInstance, services: AdminServices): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { deps } = services;
  const view = { page: true, personal: true, permission: 'customers:view' } as const;
  const exportAccess = {
    page: true,
    personal: true,
    permission: 'customers:export',
    sensitive: true,
  } as const;

  app.get(
    '/customers',
    { config: view, schema: { querystring: listQuery, response: htmlResponse } },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      const customers = await listCustomers(ctx, {
        before: request.query.before,
        email: request.query.q,
      });
      const last = customers.at(-1);
      return sendPage(
        reply,
        <CustomersPage
          chrome={services.chrome(request, reply)}
          customers={customers}
          nextBefore={customers.length === customerPageSize && last ? last.created_at : null}
        />,
      );
    },
  );

  app.get(
    '/customers/:customerId',
    { config: view, schema: { params: customerParams, response: htmlResponse } },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      const detail = await findCustomer(ctx, request.params.customerId);
      return sendPage(
        reply,
        <CustomerPage
          chrome={services.chrome(request, reply)}
          detail={detail}
          canExport={roleAllows(ctx.staff.role, 'customers:export')}
        />,
      );
    },
  );

  app.get(
    '/customers/:customerId/export',
    { config: exportAccess, schema: { params: customerParams, response: htmlResponse } },
    async (request, reply) => {
      const detail = await findCustomer(staffContextOf(request, deps), request.params.customerId);
      return sendPage(
        reply,
        <ExportPage chrome={services.chrome(request, reply)} detail={detail} />,
      );
    },
  );

  app.post(
    '/customers/:customerId/export',
    {
      config: { ...exportAccess, page: false },
      schema: {
        params: customerParams,
        body: emptyForm,
        response: {
          200: Type.Object({}, { additionalProperties: true, description: 'Customer data' }),
        },
      },
    },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      const data = await exportCustomer(ctx, request.params.customerId);
      request.audited = true;
      return reply
        .header(
          'content-disposition',
          `attachment; filename="customer-${request.params.customerId}.json"`,
        )
        .send(data);
    },
  );
}
