import type { ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';
import { nowIso } from '../server/ids.js';
import { maxNameLength } from './account.schema.js';
import { requireCustomerId } from './customer-context.js';
import { requireText } from './text-input.js';

export interface ProfileView {
  email: string;
  emailConfirmed: boolean;
  name: string;
  createdAt: string;
}

/** Returns the signed-in customer's profile. The password hash never leaves the table. */
export async function getProfile(ctx: ServiceContext): Promise<ProfileView> {
  const customerId = requireCustomerId(ctx);
  const customer = await ctx.db
    .selectFrom('customers')
    .select(['email', 'email_confirmed_at', 'name', 'created_at'])
    .where('id', '=', customerId)
    .executeTakeFirst();
  // A session can outlive its account for the few moments an account deletion takes.
  if (!customer) throw new AppError('AUTHENTICATION_REQUIRED', 'Log in to your account first.');

  return {
    email: customer.email,
    emailConfirmed: customer.email_confirmed_at !== null,
    name: customer.name,
    createdAt: customer.created_at,
  };
}

/** Sets the signed-in customer's name (trimmed, 1 to 100 characters) and returns the profile. */
export async function updateProfile(
  ctx: ServiceContext,
  input: { name: string },
): Promise<ProfileView> {
  const customerId = requireCustomerId(ctx);
  const name = requireText(input.name, 'name', { min: 1, max: maxNameLength });

  await ctx.db
    .updateTable('customers')
    .set({ name, updated_at: nowIso() })
    .where('id', '=', customerId)
    .execute();
  ctx.log.info({ customerId }, 'customer name changed');
  return getProfile(ctx);
}
