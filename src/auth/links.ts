import type { Kysely } from 'kysely';

import type { AuthLinkPurpose, AuthLinkRow, Database, Realm } from '../db/schema.js';
import { hashToken, randomToken } from '../server/ids.js';

/** Lifetimes of emailed links: a reset link is short-lived because it signs the holder in. */
export const linkTtlMinutes: Record<AuthLinkPurpose, number> = {
  reset_password: 30,
  confirm_email: 24 * 60,
  change_email: 24 * 60,
};

export interface NewLink {
  purpose: AuthLinkPurpose;
  realm: Realm;
  accountId: string;
  /** The address a change_email link confirms. */
  newEmail?: string;
  ttlMinutes: number;
  /** The clock; tests pass a fixed instant. */
  now?: Date;
}

// randomToken(): 32 bytes in base64url. Anything else cannot be a link and skips the query.
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

/**
 * Creates a single-use link token for an email and returns it; the table stores only its
 * SHA-256. Earlier unused links of the same purpose and account are deleted first, so only the
 * newest mail works and an older one found in a mailbox later is worthless.
 */
export async function issueLink(db: Kysely<Database>, link: NewLink): Promise<string> {
  const now = link.now ?? new Date();
  const token = randomToken();

  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('auth_links')
      .where('realm', '=', link.realm)
      .where('account_id', '=', link.accountId)
      .where('purpose', '=', link.purpose)
      .where('used_at', 'is', null)
      .execute();

    await trx
      .insertInto('auth_links')
      .values({
        token_hash: hashToken(token),
        purpose: link.purpose,
        realm: link.realm,
        account_id: link.accountId,
        new_email: link.newEmail ?? null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + link.ttlMinutes * 60_000).toISOString(),
        used_at: null,
      })
      .execute();
  });

  return token;
}

/**
 * Marks a link used and returns its row, or returns null when the token is unknown, already
 * used, expired or issued for another purpose. The check and the mark are one UPDATE, so two
 * requests racing with the same token cannot both succeed.
 */
export async function consumeLink(
  db: Kysely<Database>,
  purpose: AuthLinkPurpose,
  token: string,
  now: Date = new Date(),
): Promise<AuthLinkRow | null> {
  if (!tokenPattern.test(token)) return null;

  const row = await db
    .updateTable('auth_links')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Deletes the account's unused links of the given purposes; a successful login voids pending
 * reset links, for example, since the holder evidently knows the password.
 */
export async function voidLinks(
  db: Kysely<Database>,
  realm: Realm,
  accountId: string,
  purposes: AuthLinkPurpose[],
): Promise<void> {
  if (purposes.length === 0) return;

  await db
    .deleteFrom('auth_links')
    .where('realm', '=', realm)
    .where('account_id', '=', accountId)
    .where('purpose', 'in', purposes)
    .where('used_at', 'is', null)
    .execute();
}
