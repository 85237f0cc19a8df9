import type { ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';

/**
 * Returns the signed-in customer of the context. Account services call it first, so a caller
 * that forgot the route guard still gets AUTHENTICATION_REQUIRED instead of a query for null.
 */
export function requireCustomerId(ctx: ServiceContext): string {
  if (ctx.customerId === null) {
    throw new AppError('AUTHENTICATION_REQUIRED', 'Log in to your account first.');
  }
  return ctx.customerId;
}
