import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import { listOutbox } from '../mail/outbox.js';
import { sendPage } from '../web/send-page.js';
import { htmlResponse } from './admin-forms.schema.js';
import type { AdminServices } from './admin-services.js';
import { AuditLogPage, DashboardPage, OutboxPage, SecurityEventsPage } from './pages/log-pages.js';
import { auditRequest, staffContextOf } from './staff-context.js';

/** Rows per page of the outbox, audit log and security event lists. */
const logPageSize = 100;

const beforeQuery = Type.Object(
  { before: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) },
  { additionalProperties: false },
);

function beforeOf(query: { before?: string | undefined }): number | undefined {
  return query.before === undefined ? undefined : Number(query.before);
}

/** The next page's cursor: the smallest id of a full page, or null on the last page. */
function nextCursor(ids: number[]): number | null {
  return ids.length === logPageSize ? Math.min(...ids) : null;
}

/** Registers the dashboard, the outbox, the audit log and the security events pages. */
export function registerLogRoutes(parent: FastifyInstance, services: AdminServices): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { deps } = services;
  const pageOf = (
    permission: 'staff' | 'outbox:view' | 'audit_log:view' | 'security_events:view',
  ) => ({ page: true, personal: true, permission }) as const;

  app.get(
    '/',
    { config: pageOf('staff'), schema: { response: htmlResponse } },
    async (request, reply) => {
      const ctx = staffContextOf(request, deps);
      const [paid, pendingMail, events] = await Promise.all([
        ctx.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('status', '=', 'paid')
          .executeTakeFirstOrThrow(),
        ctx.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('sent_at', 'is', null)
          .executeTakeFirstOrThrow(),
        ctx.db
          .selectFrom('security_events')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('created_at', '>', new Date(Date.now() - 86_400_000).toISOString())
          .executeTakeFirstOrThrow(),
      ]);
      const counts = [
        { label: 'Paid orders', value: Number(paid.count) },
        { label: 'Mail waiting to be sent', value: Number(pendingMail.count) },
        { label: 'Security events in the last 24 hours', value: Number(events.count) },
      ];
      return sendPage(
        reply,
        <DashboardPage chrome={services.chrome(request, reply)} counts={counts} />,
      );
    },
  );

  app.get(
    '/outbox',
    { config: pageOf('outbox:view'), schema: { querystring: beforeQuery, response: htmlResponse } },
    async (request, reply) => {
      const mail = await listOutbox(deps.db.kysely, {
        limit: logPageSize,
        before: beforeOf(request.query),
      });
      const showBodies = !deps.config.smtpUrl && request.account?.role === 'owner';
      // Bodies carry live confirmation and reset links, so each look at them is on record.
      if (showBodies) {
        await auditRequest(request, deps, {
          action: 'outbox.bodies_viewed',
          objectType: 'outbox',
          objectId: String(mail[0]?.id ?? ''),
          details: { rows: mail.length },
        });
      }
      return sendPage(
        reply,
        <OutboxPage
          chrome={services.chrome(request, reply)}
          mail={mail}
          showBodies={showBodies}
          nextBefore={nextCursor(mail.map((entry) => entry.id))}
        />,
      );
    },
  );

  app.get(
    '/audit-log',
    {
      config: pageOf('audit_log:view'),
      schema: { querystring: beforeQuery, response: htmlResponse },
    },
    async (request, reply) => {
      const before = beforeOf(request.query);
      let query = deps.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(logPageSize);
      if (before !== undefined) query = query.where('seq', '<', before);
      const rows = await query.execute();
      return sendPage(
        reply,
        <AuditLogPage
          chrome={services.chrome(request, reply)}
          rows={rows}
          nextBefore={nextCursor(rows.map((row) => row.seq))}
        />,
      );
    },
  );

  app.get(
    '/security-events',
    {
      config: pageOf('security_events:view'),
      schema: { querystring: beforeQuery, response: htmlResponse },
    },
    async (request, reply) => {
      const before = beforeOf(request.query);
      let query = deps.db.kysely
        .selectFrom('security_events')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(logPageSize);
      if (before !== undefined) query = query.where('id', '<', before);
      const events = await query.execute();
      return sendPage(
        reply,
        <SecurityEventsPage
          chrome={services.chrome(request, reply)}
          events={events}
          nextBefore={nextCursor(events.map((event) => Number(event.id)))}
        />,
      );
    },
  );
}
