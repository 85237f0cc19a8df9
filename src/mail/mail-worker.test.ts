import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Writable } from 'node:stream';

import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';

import { openAuthTestDb } from '../auth/test-db.js';
import type { Database } from '../db/schema.js';
import { type Config, loadConfig } from '../server/config.js';
import { maxSendAttempts, sendPendingMail } from './mail-worker.js';
import { enqueueMail, listOutbox } from './outbox.js';
import { createLogTransport, createSmtpTransport } from './transport.js';

interface Received {
  from: string;
  to: string[];
  data: string;
}

let db: Kysely<Database>;
let closeDb: () => Promise<void>;
let server: SMTPServer;
let port: number;
const received: Received[] = [];
let rejectRecipients = false;

const silent = pino({ level: 'silent' }) as FastifyBaseLogger;

before(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!rejectRecipients) return callback();
      const error = Object.assign(new Error(`mailbox ${address.address} unavailable`), {
        responseCode: 550,
      });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  if (closeDb) await closeDb();
  ({ db, close: closeDb } = await openAuthTestDb());
  received.length = 0;
  rejectRecipients = false;
});

after(() => closeDb());

function configWith(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', MAIL_FROM: 'Shop <shop@example.com>', ...env });
}

const message = {
  to: 'buyer@example.com',
  subject: 'Reset your password',
  text: 'Open http://localhost:3000/account/reset?token=secret-link-token\n',
  kind: 'reset_password',
};

describe('mail worker over SMTP', () => {
  it('delivers a queued message and erases its body', async () => {
    const config = configWith({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);
    const id = await enqueueMail(db, message);

    const sent = await sendPendingMail({ db, config, log: silent }, transport);
    transport.close();

    assert.equal(sent, 1);
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]?.to, ['buyer@example.com']);
    assert.equal(received[0]?.from, 'shop@example.com');
    assert.match(received[0]?.data ?? '', /Subject: Reset your password/);
    assert.match(received[0]?.data ?? '', /secret-link-token/);
    const [row] = await listOutbox(db, { limit: 10 });
    assert.equal(row?.id, id);
    assert.equal(row?.bodyText, null);
    assert.ok(row?.sentAt);
    assert.equal(row?.attempts, 1);
  });

  it('sends a message once', async () => {
    const config = configWith();
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);
    await enqueueMail(db, message);

    await sendPendingMail({ db, config, log: silent }, transport);
    const again = await sendPendingMail({ db, config, log: silent }, transport);
    transport.close();

    assert.equal(again, 0);
    assert.equal(received.length, 1);
  });

  it('records a refused send without the address and retries later', async () => {
    rejectRecipients = true;
    const config = configWith();
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);
    const now = new Date();
    await enqueueMail(db, message);

    const sent = await sendPendingMail({ db, config, log: silent }, transport, now);
    const soon = await sendPendingMail({ db, config, log: silent }, transport, now);
    rejectRecipients = false;
    const later = await sendPendingMail(
      { db, config, log: silent },
      transport,
      new Date(now.getTime() + 31_000),
    );
    transport.close();

    assert.equal(sent, 0);
    assert.equal(soon, 0, 'a failed message waits for its retry time');
    assert.equal(later, 1);
    const [row] = await listOutbox(db, { limit: 1 });
    assert.equal(row?.attempts, 2);
    assert.equal(row?.lastError, null);
  });

  it('stores a failure description that leaks neither address nor body', async () => {
    rejectRecipients = true;
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);
    await enqueueMail(db, message);

    await sendPendingMail({ db, config: configWith(), log: silent }, transport);
    transport.close();

    const row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    assert.match(row.last_error ?? '', /SMTP 550/);
    assert.ok(!row.last_error?.includes('buyer@example.com'));
    assert.ok(!row.last_error?.includes('secret-link-token'));
    assert.ok(Date.parse(row.next_attempt_at) > Date.now() + 25_000);
  });

  it('gives up after the maximum number of attempts', async () => {
    rejectRecipients = true;
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);
    await enqueueMail(db, message);
    const deps = { db, config: configWith(), log: silent };

    // Each pass runs a day later, past any retry delay the previous failure set.
    for (let attempt = 0; attempt < maxSendAttempts + 2; attempt += 1) {
      await sendPendingMail(deps, transport, new Date(Date.now() + (attempt + 1) * 86_400_000));
    }
    transport.close();

    const row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.attempts, maxSendAttempts);
    assert.equal(row.sent_at, null);
  });
});

describe('mail worker without SMTP', () => {
  it('logs only id, kind and subject and keeps the body', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const log = pino({ level: 'info' }, stream) as FastifyBaseLogger;
    const id = await enqueueMail(db, message);

    const sent = await sendPendingMail({ db, config: configWith(), log }, createLogTransport(log));

    assert.equal(sent, 1);
    const logged = lines.join('');
    assert.match(logged, new RegExp(`"mailId":${id}`));
    assert.match(logged, /"kind":"reset_password"/);
    assert.ok(!logged.includes('buyer@example.com'), 'the address must not be logged');
    assert.ok(!logged.includes('secret-link-token'), 'the body must not be logged');
    const [row] = await listOutbox(db, { limit: 1 });
    assert.equal(row?.bodyText, message.text);
    assert.ok(row?.sentAt);
  });

  it('lists the outbox newest first in pages', async () => {
    const ids = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push(await enqueueMail(db, { ...message, subject: `Message ${index}` }));
    }

    const first = await listOutbox(db, { limit: 2 });
    const second = await listOutbox(db, { limit: 2, before: first.at(-1)?.id });

    assert.deepEqual(
      first.map((entry) => entry.id),
      [ids[2], ids[1]],
    );
    assert.deepEqual(
      second.map((entry) => entry.id),
      [ids[0]],
    );
  });
});
