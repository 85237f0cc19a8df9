import type { Kysely } from 'kysely';

import type { Database, OutboxRow } from '../db/schema.js';
import { nowIso } from '../server/ids.js';
import { kickMailWorkers } from './mail-worker.js';

/** What a message is about; kept with the row so the log and the admin can tell mails apart. */
export type MailKind =
  | 'confirm_email'
  | 'register_existing'
  | 'reset_password'
  | 'password_changed'
  | 'change_email'
  | 'email_change_notice'
  | 'email_changed'
  | 'email_taken_notice'
  | 'second_factor_changed'
  | (string & {});

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  kind: MailKind;
}

/**
 * Queues a message in the outbox. Nothing is sent on the request path: the mail worker sends
 * it within a second or so, which keeps requests for known and unknown addresses equally fast.
 * Runs in the caller's transaction when `db` is one.
 */
export async function enqueueMail(db: Kysely<Database>, mail: OutgoingMail): Promise<number> {
  const now = nowIso();
  const row = await db
    .insertInto('outbox')
    .values({
      to_address: mail.to,
      subject: mail.subject,
      body_text: mail.text,
      kind: mail.kind,
      created_at: now,
      next_attempt_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  // A message queued inside a transaction is not visible yet; the next poll then sends it.
  kickMailWorkers();
  return Number(row.id);
}

/** Outbox rows as the admin's outbox page lists them, newest first. */
export interface OutboxEntry {
  id: number;
  to: string;
  subject: string;
  kind: string;
  /** Null once an SMTP server accepted the message. */
  bodyText: string | null;
  createdAt: string;
  sentAt: string | null;
  attempts: number;
  lastError: string | null;
}

/**
 * Lists outbox rows newest first, `limit` at a time (capped at 100). Pass the smallest id of
 * the previous page as `before` for the next one.
 */
export async function listOutbox(
  db: Kysely<Database>,
  options: { limit: number; before?: number | undefined },
): Promise<OutboxEntry[]> {
  let query = db
    .selectFrom('outbox')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(Math.max(1, Math.min(options.limit, 100)));
  if (options.before !== undefined) query = query.where('id', '<', options.before);

  const rows = await query.execute();
  return rows.map(toEntry);
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: Number(row.id),
    to: row.to_address,
    subject: row.subject,
    kind: row.kind,
    bodyText: row.body_text,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}
