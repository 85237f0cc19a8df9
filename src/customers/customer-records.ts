import type { Kysely } from 'kysely';

import type { CustomerRow, Database } from '../db/schema.js';
import { AppError } from '../server/errors.js';

/** Longest email address SMTP allows (RFC 5321 path limit minus the angle brackets). */
export const maxEmailLength = 254;
export const maxNameLength = 100;

// A practical address check, not RFC 5322: a local part without spaces, quotes or brackets, and
// a domain of letter-digit-hyphen labels with at least one dot. Checkout accepts the same form.
export const emailPattern =
  '^[^\\s@"(),:;<>[\\\\\\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$';
const emailRegExp = new RegExp(emailPattern);

// Control characters and bidirectional overrides, which could disguise a name in mails and lists.
const forbiddenCharacters = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** Trims and lowercases an email address; throws VALIDATION_FAILED when it is not one. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > maxEmailLength || !emailRegExp.test(normalized)) {
    throw new AppError('VALIDATION_FAILED', 'The email address is invalid.', {
      fields: ['email'],
    });
  }
  return normalized;
}

/** Trims a display name; throws VALIDATION_FAILED when empty, too long or holding controls. */
export function normalizeName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > maxNameLength || forbiddenCharacters.test(trimmed)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The name must have 1 to ${maxNameLength} characters and no control characters.`,
      { fields: ['name'] },
    );
  }
  return trimmed;
}

export async function findCustomerByEmail(
  db: Kysely<Database>,
  email: string,
): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findCustomerById(
  db: Kysely<Database>,
  id: string,
): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Loads the account of a live session; a session whose customer is gone counts as logged out. */
export async function requireCustomerRow(db: Kysely<Database>, id: string): Promise<CustomerRow> {
  const customer = await findCustomerById(db, id);
  if (!customer) throw new AppError('AUTHENTICATION_REQUIRED', 'Log in to your account first.');
  return customer;
}

export function invalidLink(): AppError {
  return new AppError(
    'INVALID_LINK',
    'The link is invalid, was already used or has expired; ask for a new one.',
  );
}
