import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';

import { AppError } from '../server/errors.js';
import { sendPage } from '../web/send-page.js';
import {
  emptyForm,
  htmlResponse,
  keyParams,
  newApiKeyForm,
  newStaffForm,
  roleForm,
  staffParams,
} from './admin-forms.schema.js';
import type { AdminServices } from './admin-services.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';
import {
  ApiKeysPage,
  DisableStaffPage,
  NewApiKeyPage,
  NewStaffPage,
  RolePage,
  StaffListPage,
} from './pages/staff-pages.js';
import type { AdminChrome } from './pages/layout.js';
import { roleAllows } from './permissions.js';
import {
  changeRole,
  createStaff,
  disableStaff,
  findStaff,
  listStaff,
  type StaffSummary,
} from './staff.service.js';
import { type StaffContext, staffContextOf } from './staff-context.js';

const pageOf = (permission: 'staff:view' | 'staff:manage' | 'api_keys:manage', sensitive = false) =>
  ({ page: true, personal: true, permission, sensitive }) as const;

/**
 * Registers staff management (list, add, change role, disable) and API keys (list, create,
 * revoke).
 */
export function registerStaffRoutes(parent: FastifyInstance, services: AdminServices): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { deps } = services;

  app.get(
    '/staff',
    { config: pageOf('staff:view'), schema: { response: htmlResponse } },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      return sendPage(
        reply,
        <StaffListPage
          chrome={services.chrome(request, reply)}
          staff={await listStaff(ctx)}
          canManage={roleAllows(ctx.staff.role, 'staff:manage')}
        />,
      );
    },
  );

  app.get(
    '/staff/new',
    { config: pageOf('staff:manage', true), schema: { response: htmlResponse } },
    async (request, reply) =>
      sendPage(reply, <NewStaffPage chrome={services.chrome(request, reply)} />),
  );

  app.post(
    '/staff/new',
    {
      config: pageOf('staff:manage', true),
      schema: { body: newStaffForm, response: htmlResponse },
    },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      try {
        await createStaff(ctx, services.hasher, request.body);
      } catch (error) {
        if (
          !(error instanceof AppError) ||
          !['WEAK_PASSWORD', 'ALREADY_EXISTS'].includes(error.code)
        ) {
          throw error;
        }
        const { email, name, role } = request.body;
        return sendPage(
          reply,
          <NewStaffPage
            chrome={services.chrome(request, reply)}
            error={error.detail}
            values={{ email, name, role }}
          />,
          error.status,
        );
      }
      request.audited = true;
      return reply.redirect('/staff', 303);
    },
  );

  app.get(
    '/staff/:staffId/role',
    {
      config: pageOf('staff:manage', true),
      schema: { params: staffParams, response: htmlResponse },
    },
    async (request, reply) => {
      const member = await findStaff(staffContextOf(request, deps), request.params.staffId);
      return sendPage(reply, <RolePage chrome={services.chrome(request, reply)} member={member} />);
    },
  );

  app.post(
    '/staff/:staffId/role',
    {
      config: pageOf('staff:manage', true),
      schema: { params: staffParams, body: roleForm, response: htmlResponse },
    },
    async (request, reply) =>
      changeStaffMember(
        request,
        reply,
        services,
        request.params.staffId,
        (ctx) => changeRole(ctx, request.params.staffId, request.body.role),
        (chrome, member, error) => <RolePage chrome={chrome} member={member} error={error} />,
      ),
  );

  app.get(
    '/staff/:staffId/disable',
    {
      config: pageOf('staff:manage', true),
      schema: { params: staffParams, response: htmlResponse },
    },
    async (request, reply) => {
      const member = await findStaff(staffContextOf(request, deps), request.params.staffId);
      return sendPage(
        reply,
        <DisableStaffPage chrome={services.chrome(request, reply)} member={member} />,
      );
    },
  );

  app.post(
    '/staff/:staffId/disable',
    {
      config: pageOf('staff:manage', true),
      schema: { params: staffParams, body: emptyForm, response: htmlResponse },
    },
    async (request, reply) =>
      changeStaffMember(
        request,
        reply,
        services,
        request.params.staffId,
        (ctx) => disableStaff(ctx, request.params.staffId),
        (chrome, member, error) => (
          <DisableStaffPage chrome={chrome} member={member} error={error} />
        ),
      ),
  );

  app.get(
    '/api-keys',
    { config: pageOf('api_keys:manage'), schema: { response: htmlResponse } },
    async (request, reply) => {
      const keys = await listApiKeys(staffContextOf(request, deps));
      return sendPage(reply, <ApiKeysPage chrome={services.chrome(request, reply)} keys={keys} />);
    },
  );

  app.get(
    '/api-keys/new',
    { config: pageOf('api_keys:manage', true), schema: { response: htmlResponse } },
    async (request, reply) =>
      sendPage(reply, <NewApiKeyPage chrome={services.chrome(request, reply)} />),
  );

  app.post(
    '/api-keys/new',
    {
      config: pageOf('api_keys:manage', true),
      schema: { body: newApiKeyForm, response: htmlResponse },
    },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      const { name, scopes } = request.body;
      const scopeList = scopes === undefined ? [] : Array.isArray(scopes) ? scopes : [scopes];
      const created = await createApiKey(ctx, { name, scopes: scopeList });
      request.audited = true;
      // Shown on this response only; it is not a redirect, so the key never lands in a URL.
      return sendPage(
        reply,
        <ApiKeysPage
          chrome={services.chrome(request, reply)}
          keys={await listApiKeys(ctx)}
          created={{ name, key: created.key }}
        />,
      );
    },
  );

  app.post(
    '/api-keys/:keyId/revoke',
    {
      config: pageOf('api_keys:manage'),
      schema: { params: keyParams, body: emptyForm, response: htmlResponse },
    },
    async (request, reply) => {
      await revokeApiKey(staffContextOf(request, deps), request.params.keyId);
      request.audited = true;
      return reply.redirect('/api-keys', 303);
    },
  );
}

/**
 * Applies a change to the staff member `staffId`, then returns to the staff list. The
 * service raises FORBIDDEN for a change its rules reject (disabling yourself, leaving the shop
 * without an owner), and the form's page is then shown again with that reason, status 409.
 */
async function changeStaffMember(
  request: FastifyRequest,
  reply: FastifyReply,
  services: AdminServices,
  staffId: string,
  change: (ctx: StaffContext) => Promise<unknown>,
  formPage: (chrome: AdminChrome, member: StaffSummary, error: string) => VNode,
) {
  const ctx = staffContextOf(request, services.deps);
  try {
    await change(ctx);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'FORBIDDEN') throw error;
    const member = await findStaff(ctx, staffId);
    return sendPage(reply, formPage(services.chrome(request, reply), member, error.detail), 409);
  }
  request.audited = true;
  return reply.redirect('/staff', 303);
}
