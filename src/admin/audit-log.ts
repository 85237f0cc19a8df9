import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { AuditLogRow, Database } from '../db/schema.js';

/** One staff action as the caller describes it. appendAudit adds the seq, time and hashes. */
export interface AuditEntry {
  /**
   * Staff id, or `api_key:<key id>` for a call of the admin API (see apiKeyActorId). Empty when
   * no actor is identified, as for a failed login for an unknown address or an unknown API key.
   */
  actorId: string;
  /** Staff member's email, or '' for API keys, whose name and prefix go into `details`. */
  actorEmail: string;
  /** Dotted verb such as `login.failed`, `order.refund` or `staff.role_changed`. */
  action: string;
  objectType: string;
  objectId: string;
  ip: string;
  /** Parameters of the action. Callers must not put secrets, tokens or passwords here. */
  details?: Record<string, unknown>;
}

/**
 * Returns the actor id of calls made with an API key. Staff ids come from randomId (base64url)
 * and contain no ':', so the prefix cannot collide with a staff member.
 */
export function apiKeyActorId(keyId: string): string {
  return `api_key:${keyId}`;
}

/** prev_hash of the first row, which has no earlier row whose hash it could repeat. */
export const genesisHash = '0'.repeat(64);

/** Text of a row that its hash covers: every column except the hash itself, in fixed order. */
function canonicalRow(row: Omit<AuditLogRow, 'hash'>): string {
  return JSON.stringify([
    row.seq,
    row.created_at,
    row.actor_id,
    row.actor_email,
    row.action,
    row.object_type,
    row.object_id,
    row.ip,
    row.details,
    row.prev_hash,
  ]);
}

/**
 * HMAC-SHA256 over the row, which includes the previous row's hash. Without the key (derived
 * from SECRET_KEY for 'audit-log') someone who edits the database cannot recompute the chain.
 */
export function auditHash(key: Buffer, row: Omit<AuditLogRow, 'hash'>): string {
  return createHmac('sha256', key).update(canonicalRow(row)).digest('hex');
}

/**
 * Appends one entry to the hash-chained audit log and returns its seq. Reading the last row and
 * inserting the next run in one transaction, and SQLite serialises transactions, so two appends
 * never chain onto the same row.
 *
 * NOTE: on a database with concurrent writers (PostgreSQL) a second append could read the same
 * last row. The seq primary key then rejects it, so the chain does not fork.
 */
export async function appendAudit(
  db: Kysely<Database>,
  key: Buffer,
  entry: AuditEntry,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const last = await trx
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();

    const row = {
      seq: (last?.seq ?? 0) + 1,
      created_at: new Date().toISOString(),
      actor_id: entry.actorId,
      actor_email: entry.actorEmail,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId,
      ip: entry.ip,
      details: JSON.stringify(entry.details ?? {}),
      prev_hash: last?.hash ?? genesisHash,
    };
    await trx
      .insertInto('audit_log')
      .values({ ...row, hash: auditHash(key, row) })
      .execute();
    return row.seq;
  });
}

export type AuditVerification =
  | { ok: true; rows: number; head: string }
  | { ok: false; seq: number; reason: 'missing' | 'altered' | 'chain' | 'inserted' };

/** Rows read per query while verifying, so a long log is never loaded at once. */
const verifyPageSize = 1000;

/**
 * Recomputes the chain from the first row and returns the first seq that breaks it, with a reason.
 * `missing` means seq numbers skip (a deleted row), and `altered` that a row's hash does not match
 * its content. `chain` means a row's prev_hash is not the hash of the row before it, and
 * `inserted` marks a row with a seq below 1, which appendAudit never writes.
 *
 * NOTE: deleting the newest rows leaves a shorter chain that is still intact. Comparing the row
 * count with an external copy (a log shipped elsewhere) is the only way to notice that.
 */
export async function verifyAuditLog(
  db: Kysely<Database>,
  key: Buffer,
): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prevHash = genesisHash;

  const stray = await db
    .selectFrom('audit_log')
    .select('seq')
    .where('seq', '<', 1)
    .orderBy('seq')
    .executeTakeFirst();
  if (stray) return { ok: false, seq: stray.seq, reason: 'inserted' };

  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(verifyPageSize)
      .execute();
    if (rows.length === 0) return { ok: true, rows: expectedSeq - 1, head: prevHash };

    for (const row of rows) {
      if (row.seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: 'missing' };
      if (!hashesEqual(auditHash(key, row), row.hash)) {
        return { ok: false, seq: row.seq, reason: 'altered' };
      }
      if (!hashesEqual(row.prev_hash, prevHash)) {
        return { ok: false, seq: row.seq, reason: 'chain' };
      }
      prevHash = row.hash;
      expectedSeq += 1;
    }
  }
}

function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
