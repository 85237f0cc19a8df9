import type { CustomerAddressRow, CustomerRow } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { notFound } from '../server/errors.js';
import { appendAudit } from './audit-log.js';
import type { StaffContext } from './staff-context.js';

// NOTE: the admin reads the customer tables directly; the customer services act for one
// signed-in customer, while staff look across all of them.

export const customerPageSize = 50;

/** A customer as staff see them: never the password hash. */
export type CustomerView = Omit<CustomerRow, 'password_hash'>;

const customerColumns = [
  'id',
  'email',
  'email_confirmed_at',
  'name',
  'created_at',
  'updated_at',
] as const;

export async function listCustomers(
  ctx: StaffContext,
  options: { before?: string | undefined; email?: string | undefined },
): Promise<CustomerView[]> {
  let query = ctx.db
    .selectFrom('customers')
    .select([...customerColumns])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(customerPageSize);
  if (options.before) query = query.where('created_at', '<', options.before);
  if (options.email) query = query.where('email', '=', options.email.trim().toLowerCase());
  return query.execute();
}

export interface CustomerDetail {
  customer: CustomerView;
  addresses: CustomerAddressRow[];
  orders: Array<{
    id: string;
    status: string;
    total_minor: number;
    currency: string;
    created_at: string;
  }>;
}

/**
 * Returns a customer with their addresses and orders, newest order first, for staff pages and the
 * admin API alike. Throws NOT_FOUND for no such customer.
 */
export async function findCustomer(
  ctx: ServiceContext,
  customerId: string,
): Promise<CustomerDetail> {
  const customer = await ctx.db
    .selectFrom('customers')
    .select([...customerColumns])
    .where('id', '=', customerId)
    .executeTakeFirst();
  if (!customer) throw notFound('The customer');

  const [addresses, orders] = await Promise.all([
    ctx.db
      .selectFrom('customer_addresses')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('created_at')
      .execute(),
    ctx.db
      .selectFrom('orders')
      .select(['id', 'status', 'total_minor', 'currency', 'created_at'])
      .where('customer_id', '=', customerId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
  ]);
  return { customer, addresses, orders };
}

/**
 * Collects everything the shop stores about a customer, for a data access request (GDPR
 * article 15): profile, addresses, orders with their lines, reviews, and the number of open
 * sessions. Secrets (password hash, session and link hashes, MFA secrets) are left out. The
 * export is audited.
 */
export async function exportCustomer(
  ctx: StaffContext,
  customerId: string,
): Promise<Record<string, unknown>> {
  const detail = await findCustomer(ctx, customerId);
  const orderIds = detail.orders.map((order) => order.id);

  const [orders, lines, reviews, sessions] = await Promise.all([
    orderIds.length === 0
      ? []
      : ctx.db.selectFrom('orders').selectAll().where('id', 'in', orderIds).execute(),
    orderIds.length === 0
      ? []
      : ctx.db.selectFrom('order_lines').selectAll().where('order_id', 'in', orderIds).execute(),
    ctx.db.selectFrom('reviews').selectAll().where('customer_id', '=', customerId).execute(),
    ctx.db
      .selectFrom('sessions')
      .select(['created_at', 'last_seen_at', 'user_agent', 'ip'])
      .where('realm', '=', 'customer')
      .where('account_id', '=', customerId)
      .execute(),
  ]);

  await appendAudit(ctx.db, ctx.auditKey, {
    actorId: ctx.staff.id,
    actorEmail: ctx.staff.email,
    action: 'customer.exported',
    objectType: 'customer',
    objectId: customerId,
    ip: ctx.ip,
  });

  return {
    exportedAt: new Date().toISOString(),
    customer: detail.customer,
    addresses: detail.addresses,
    orders: orders.map(({ visitor_hash: _visitorHash, ...order }) => ({
      ...order,
      lines: lines.filter((line) => line.order_id === order.id),
    })),
    reviews,
    sessions,
  };
}
