import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import type { Config } from '../server/config.js';
import { nowIso } from '../server/ids.js';
import { createLogTransport, createSmtpTransport, type MailTransport } from './transport.js';

/** Number of failed sends after which a message is given up. The row keeps its last error. */
export const maxSendAttempts = 8;

/** Maximum rows sent per pass, so one pass stays short and stop() does not wait long for it. */
const batchSize = 20;

/** Interval in milliseconds between polls of the outbox when no kick arrives. */
const pollMs = 1000;

export interface MailWorkerDeps {
  db: Kysely<Database>;
  config: Config;
  log: FastifyBaseLogger;
}

export interface MailWorker {
  /** Runs a pass soon instead of at the next poll, unless a pass is already running. */
  kick(): void;
  stop(): Promise<void>;
}

// Running workers of this process, kicked whenever a message is queued.
const workers = new Set<MailWorker>();

/** Kicks every running worker of this process. Called after a message is queued. */
export function kickMailWorkers(): void {
  for (const worker of workers) worker.kick();
}

/**
 * Starts the loop that sends queued mail, through SMTP at config.smtpUrl when set and otherwise
 * through the log transport. It polls every second, and a failed send is retried with growing
 * delays.
 */
export function startMailWorker(deps: MailWorkerDeps): MailWorker {
  const transport = deps.config.smtpUrl
    ? createSmtpTransport(deps.config.smtpUrl)
    : createLogTransport(deps.log);
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  let running = false;
  let stopped = false;

  const runPass = () => {
    if (running || stopped) return;
    running = true;
    pass = sendPendingMail(deps, transport)
      .then(() => undefined)
      .catch((error: unknown) => deps.log.error({ err: error }, 'mail worker pass failed'))
      .finally(() => {
        running = false;
      });
  };
  timer = setInterval(runPass, pollMs);
  timer.unref();

  const worker: MailWorker = {
    kick: () => setImmediate(runPass),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      workers.delete(worker);
      await pass;
      transport.close();
    },
  };
  workers.add(worker);
  deps.log.info({ transport: deps.config.smtpUrl ? 'smtp' : 'log' }, 'mail worker started');
  return worker;
}

/**
 * Sends every due, unsent message (up to a batch) through `transport` and returns how many
 * were sent. A failure stores a short error description (never the message or the address)
 * and schedules a retry after 30 s, 1 min, 2 min, ... up to maxSendAttempts.
 */
export async function sendPendingMail(
  deps: MailWorkerDeps,
  transport: MailTransport,
  now: Date = new Date(),
): Promise<number> {
  const due = await deps.db
    .selectFrom('outbox')
    .selectAll()
    .where('sent_at', 'is', null)
    .where('next_attempt_at', '<=', now.toISOString())
    .where('attempts', '<', maxSendAttempts)
    .where('body_text', 'is not', null)
    .orderBy('id')
    .limit(batchSize)
    .execute();

  let sent = 0;
  for (const row of due) {
    const mailId = Number(row.id);
    try {
      await transport.send({
        mailId,
        kind: row.kind,
        from: deps.config.mailFrom,
        to: row.to_address,
        subject: row.subject,
        text: row.body_text ?? '',
      });
      await deps.db
        .updateTable('outbox')
        .set({
          sent_at: nowIso(),
          attempts: row.attempts + 1,
          last_error: null,
          ...(transport.erasesBody ? { body_text: null } : {}),
        })
        .where('id', '=', row.id)
        .execute();
      sent += 1;
    } catch (error) {
      await recordFailure(deps, row.id, row.attempts + 1, error, now);
    }
  }
  return sent;
}

async function recordFailure(
  deps: MailWorkerDeps,
  id: number,
  attempts: number,
  error: unknown,
  now: Date,
): Promise<void> {
  const delayMs = 30_000 * 2 ** (attempts - 1);
  const description = describeSendError(error);
  await deps.db
    .updateTable('outbox')
    .set({
      attempts,
      last_error: description,
      next_attempt_at: new Date(now.getTime() + delayMs).toISOString(),
    })
    .where('id', '=', id)
    .execute();

  const givenUp = attempts >= maxSendAttempts;
  deps.log.warn({ mailId: id, attempts, error: description, givenUp }, 'mail send failed');
}

/**
 * Describes a send error by its code and SMTP status only. The server's response text can
 * quote the recipient address, so it is not kept.
 */
export function describeSendError(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const parts = [typeof code === 'string' ? code : 'ESEND'];
  if (typeof responseCode === 'number') parts.push(`SMTP ${responseCode}`);
  return parts.join(' ');
}
