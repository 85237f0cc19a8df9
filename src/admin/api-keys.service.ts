import type { ApiKeyRow } from '../db/schema.js';
import { notFound } from '../server/errors.js';
import { hashToken, nowIso, randomId, randomToken } from '../server/ids.js';
import type { ApiKeyScope } from './admin-forms.schema.js';
import { appendAudit } from './audit-log.js';
import type { StaffContext } from './staff-context.js';

/** Marks Storefort keys, so secret scanners and people can recognise a leaked one. */
export const apiKeyPrefix = 'sfk_';

export type ApiKeyView = Omit<ApiKeyRow, 'key_hash'>;

export async function listApiKeys(ctx: StaffContext): Promise<ApiKeyView[]> {
  return ctx.db
    .selectFrom('api_keys')
    .select([
      'id',
      'name',
      'prefix',
      'permissions',
      'created_by',
      'created_at',
      'last_used_at',
      'revoked_at',
    ])
    .orderBy('created_at', 'desc')
    .execute();
}

/**
 * Creates an API key and returns it; this is the only time the key exists outside the caller's
 * hands, because the table keeps its SHA-256. The first 8 characters are kept to tell keys apart.
 */
export async function createApiKey(
  ctx: StaffContext,
  input: { name: string; scopes: ApiKeyScope[] },
): Promise<{ id: string; key: string }> {
  const id = randomId();
  const key = `${apiKeyPrefix}${randomToken()}`;
  const scopes = [...new Set(input.scopes)].sort();

  await ctx.db
    .insertInto('api_keys')
    .values({
      id,
      name: input.name.trim(),
      key_hash: hashToken(key),
      prefix: key.slice(0, apiKeyPrefix.length + 8),
      permissions: JSON.stringify(scopes),
      created_by: ctx.staff.id,
      created_at: nowIso(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  await appendAudit(ctx.db, ctx.auditKey, {
    actorId: ctx.staff.id,
    actorEmail: ctx.staff.email,
    action: 'api_key.created',
    objectType: 'api_key',
    objectId: id,
    ip: ctx.ip,
    details: { name: input.name.trim(), scopes },
  });
  return { id, key };
}

/** Revokes a key; revoking one that is already revoked changes nothing and is not audited. */
export async function revokeApiKey(ctx: StaffContext, keyId: string): Promise<void> {
  const result = await ctx.db
    .updateTable('api_keys')
    .set({ revoked_at: nowIso() })
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const exists = await ctx.db
      .selectFrom('api_keys')
      .select('id')
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (!exists) throw notFound('The API key');
    return;
  }
  await appendAudit(ctx.db, ctx.auditKey, {
    actorId: ctx.staff.id,
    actorEmail: ctx.staff.email,
    action: 'api_key.revoked',
    objectType: 'api_key',
    objectId: keyId,
    ip: ctx.ip,
  });
}
