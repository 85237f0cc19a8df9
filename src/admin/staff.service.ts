import type { Kysely } from 'kysely';

import { checkPasswordPolicy, type PasswordHasher } from '../auth/passwords.js';
import { endOtherSessions } from '../auth/sessions.js';
import type { Database, StaffRole, StaffRow } from '../db/schema.js';
import { AppError, notFound } from '../server/errors.js';
import { nowIso, randomId } from '../server/ids.js';
import { appendAudit } from './audit-log.js';
import type { StaffContext } from './staff-context.js';

/** A staff member as the admin lists them; never the password hash. */
export type StaffSummary = Pick<StaffRow, 'id' | 'email' | 'name' | 'role' | 'created_at'>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface NewStaff {
  email: string;
  name: string;
  password: string;
  role: StaffRole;
}

/**
 * Creates a staff account after checking the password policy (length, breached list, not the
 * email or name). Throws ALREADY_EXISTS for a taken address. Used by the admin and by
 * `storefort admin create`, which has no signed-in actor and audits on its own.
 */
export async function insertStaff(
  db: Kysely<Database>,
  hasher: PasswordHasher,
  input: NewStaff,
): Promise<string> {
  const email = normalizeEmail(input.email);
  checkPasswordPolicy(input.password, [email, input.name]);

  const existing = await db
    .selectFrom('staff')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirst();
  if (existing) throw new AppError('ALREADY_EXISTS', `A staff account for ${email} exists.`);

  const id = randomId();
  const now = nowIso();
  await db
    .insertInto('staff')
    .values({
      id,
      email,
      name: input.name.trim(),
      password_hash: await hasher.hash(input.password),
      role: input.role,
      created_at: now,
      updated_at: now,
      disabled_at: null,
    })
    .execute();
  return id;
}

/** Creates a staff account on behalf of the signed-in staff member and audits it. */
export async function createStaff(
  ctx: StaffContext,
  hasher: PasswordHasher,
  input: NewStaff,
): Promise<string> {
  const id = await insertStaff(ctx.db, hasher, input);
  await appendAudit(ctx.db, ctx.auditKey, {
    actorId: ctx.staff.id,
    actorEmail: ctx.staff.email,
    action: 'staff.created',
    objectType: 'staff',
    objectId: id,
    ip: ctx.ip,
    details: { email: normalizeEmail(input.email), role: input.role },
  });
  return id;
}

export async function listStaff(ctx: StaffContext): Promise<StaffSummary[]> {
  return ctx.db
    .selectFrom('staff')
    .select(['id', 'email', 'name', 'role', 'created_at'])
    .where('disabled_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

export async function findStaff(ctx: StaffContext, id: string): Promise<StaffSummary> {
  const row = await ctx.db
    .selectFrom('staff')
    .select(['id', 'email', 'name', 'role', 'created_at'])
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound('The staff member');
  return row;
}

/**
 * Changes a staff member's role. Refuses to demote the last owner, since nobody could then
 * manage staff or keys. When the target is someone else, all their sessions end, so they log in
 * again and get a new session under the new role. The session hook also reads the role on every
 * request, so even a session that survived would get the new role at its next request.
 */
export async function changeRole(
  ctx: StaffContext,
  staffId: string,
  role: StaffRole,
): Promise<{ from: StaffRole; to: StaffRole }> {
  const result = await ctx.db.transaction().execute(async (trx) => {
    const target = await trx
      .selectFrom('staff')
      .select(['id', 'role'])
      .where('id', '=', staffId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (!target) throw notFound('The staff member');

    if (target.role === 'owner' && role !== 'owner' && (await countOwners(trx)) <= 1) {
      throw new AppError(
        'FORBIDDEN',
        'This is the last owner; make someone else owner before changing this role.',
      );
    }

    await trx
      .updateTable('staff')
      .set({ role, updated_at: nowIso() })
      .where('id', '=', staffId)
      .execute();
    return { from: target.role, to: role };
  });

  if (staffId !== ctx.staff.id) await endOtherSessions(ctx.db, 'staff', staffId, null);
  await appendAudit(ctx.db, ctx.auditKey, {
    actorId: ctx.staff.id,
    actorEmail: ctx.staff.email,
    action: 'staff.role_changed',
    objectType: 'staff',
    objectId: staffId,
    ip: ctx.ip,
    details: result,
  });
  return result;
}

/**
 * Disables another staff member: they can no longer log in, and all their sessions end at once.
 * The row stays, so the audit log keeps naming them. Refuses to disable oneself or the last
 * owner (FORBIDDEN). API keys the member created keep working; revoke them on the API keys page.
 */
export async function disableStaff(ctx: StaffContext, staffId: string): Promise<void> {
  if (staffId === ctx.staff.id) {
    throw new AppError('FORBIDDEN', 'You cannot disable your own account; ask another owner.');
  }

  const target = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('staff')
      .select(['id', 'email', 'role'])
      .where('id', '=', staffId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw notFound('The staff member');
    if (row.role === 'owner' && (await countOwners(trx)) <= 1) {
      throw new AppError('FORBIDDEN', 'This is the last owner and cannot be disabled.');
    }

    const now = nowIso();
    await trx
      .updateTable('staff')
      .set({ disabled_at: now, updated_at: now })
      .where('id', '=', staffId)
      .execute();
    return row;
  });

  const sessionsEnded = await endOtherSessions(ctx.db, 'staff', staffId, null);
  await appendAudit(ctx.db, ctx.auditKey, {
    actorId: ctx.staff.id,
    actorEmail: ctx.staff.email,
    action: 'staff.disabled',
    objectType: 'staff',
    objectId: staffId,
    ip: ctx.ip,
    details: { email: target.email, role: target.role, sessionsEnded },
  });
}

async function countOwners(db: Kysely<Database>): Promise<number> {
  const owners = await db
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('role', '=', 'owner')
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(owners.count);
}
