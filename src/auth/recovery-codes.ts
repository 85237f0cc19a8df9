import { randomInt } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database, Realm } from '../db/schema.js';
import { hashToken } from '../server/ids.js';

export const recoveryCodeCount = 10;

// Lowercase letters and digits without 0/o, 1/l/i, so a code copied from paper reads back
// unambiguously: 31 symbols, 10 of them per code, about 49.5 bits of entropy.
const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
const symbolsPerCode = 10;

/**
 * Replaces the account's recovery codes with 10 new ones and returns them, to be shown once.
 * Each is stored as its SHA-256. A fast hash suffices because the codes are random with about
 * 49.5 bits of entropy, and the MFA throttle limits online guessing.
 */
export async function regenerateRecoveryCodes(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
  now: Date = new Date(),
): Promise<string[]> {
  const codes = Array.from({ length: recoveryCodeCount }, generateRecoveryCode);

  await db.transaction().execute(async (trx) => {
    await deleteRecoveryCodes(trx, realm, accountId);
    await trx
      .insertInto('mfa_recovery_codes')
      .values(
        codes.map((code) => ({
          realm,
          account_id: accountId,
          code_hash: hashToken(normalizeRecoveryCode(code)),
          used_at: null,
          created_at: now.toISOString(),
        })),
      )
      .execute();
  });

  return codes;
}

/**
 * Marks a recovery code of the account used and returns true, or returns false when the code is
 * unknown, another account's or already used. Case, spaces and hyphens in the input are ignored.
 */
export async function useRecoveryCode(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
  code: string,
  now: Date = new Date(),
): Promise<boolean> {
  const normalized = normalizeRecoveryCode(code);
  if (normalized.length !== symbolsPerCode) return false;

  const result = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: now.toISOString() })
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .where('code_hash', '=', hashToken(normalized))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countRecoveryCodesLeft(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
): Promise<number> {
  const row = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function deleteRecoveryCodes(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
): Promise<void> {
  await db
    .deleteFrom('mfa_recovery_codes')
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .execute();
}

/** Returns a code as shown to the holder: two groups of five, e.g. `k7wq2-mfz9c`. */
function generateRecoveryCode(): string {
  let symbols = '';
  for (let index = 0; index < symbolsPerCode; index += 1) {
    symbols += alphabet[randomInt(alphabet.length)];
  }
  return `${symbols.slice(0, 5)}-${symbols.slice(5)}`;
}

function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}
