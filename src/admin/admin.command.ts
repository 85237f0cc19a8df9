import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';

import { createPasswordHasher } from '../auth/passwords.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Config } from '../server/config.js';
import { AppError } from '../server/errors.js';
import { loadSecrets } from '../server/secrets.js';
import { appendAudit, verifyAuditLog } from './audit-log.js';
import { insertStaff, normalizeEmail } from './staff.service.js';
import { auditKeyOf } from './staff-context.js';

/** Where `admin create` reads the password from when it is not asked for on a terminal. */
export const adminPasswordVariable = 'STOREFORT_ADMIN_PASSWORD';

export interface CommandIo {
  env: Record<string, string | undefined>;
  /** Asks for a password without echoing it; undefined when there is no terminal to ask on. */
  promptPassword?: ((question: string) => Promise<string>) | undefined;
  out(line: string): void;
  err(line: string): void;
}

/** The process's terminal, environment and console. */
export function processIo(): CommandIo {
  return {
    env: process.env,
    promptPassword: process.stdin.isTTY ? promptHidden : undefined,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  };
}

/**
 * `storefort admin create --email E --name N`: creates an owner. The password comes from
 * STOREFORT_ADMIN_PASSWORD, or is asked twice on a terminal; it is never an argument, where
 * it would land in the shell history and the process list. Exits 1 when the password fails
 * the policy or the email is taken, 2 on wrong usage.
 */
export async function runAdminCommand(
  args: string[],
  config: Config,
  io = processIo(),
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    io.err('usage: storefort admin create --email EMAIL --name NAME');
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  });
  if (!values.email || !values.name) {
    io.err('usage: storefort admin create --email EMAIL --name NAME');
    return 2;
  }

  const password = await readPassword(io);
  if (password === undefined) {
    io.err(`set ${adminPasswordVariable} or run the command on a terminal to type the password`);
    return 2;
  }

  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const hasher = createPasswordHasher(config.passwordHashing, config.hashConcurrency);
    const id = await insertStaff(db.kysely, hasher, {
      email: values.email,
      name: values.name,
      password,
      role: 'owner',
    });
    await appendAudit(db.kysely, auditKeyOf(loadSecrets(config, io.env)), {
      actorId: '',
      actorEmail: 'command line',
      action: 'staff.created',
      objectType: 'staff',
      objectId: id,
      ip: 'local',
      details: {
        email: normalizeEmail(values.email),
        role: 'owner',
        via: 'storefort admin create',
      },
    });
    io.out(
      `created owner ${normalizeEmail(values.email)}; they set up a second factor at first login`,
    );
    return 0;
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.code === 'WEAK_PASSWORD' || error.code === 'ALREADY_EXISTS')
    ) {
      io.err(`storefort: ${error.detail}`);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

async function readPassword(io: CommandIo): Promise<string | undefined> {
  const fromEnv = io.env[adminPasswordVariable];
  if (fromEnv) return fromEnv;
  if (!io.promptPassword) return undefined;

  const first = await io.promptPassword('Password: ');
  const second = await io.promptPassword('Repeat the password: ');
  if (first !== second) {
    io.err('the passwords differ');
    return undefined;
  }
  return first;
}

/**
 * `storefort audit-log verify`: recomputes the audit log's hash chain with the key derived from
 * SECRET_KEY. Exits 0 when intact, 1 naming the first broken seq.
 */
export async function runAuditLogCommand(
  args: string[],
  config: Config,
  io = processIo(),
): Promise<number> {
  if (args[0] !== 'verify' || args.length !== 1) {
    io.err('usage: storefort audit-log verify');
    return 2;
  }

  const db = openDatabase(config.databaseUrl);
  try {
    const result = await verifyAuditLog(db.kysely, auditKeyOf(loadSecrets(config, io.env)));
    if (result.ok) {
      io.out(`audit log intact: ${result.rows} rows`);
      return 0;
    }
    const why = {
      missing: 'is missing (deleted)',
      altered: 'does not match its hash (edited)',
      chain: 'does not follow the row before it',
    }[result.reason];
    io.err(`audit log broken at seq ${result.seq}: the row ${why}`);
    return 1;
  } finally {
    await db.close();
  }
}

/** Reads one line from the terminal without echoing what is typed. */
function promptHidden(question: string): Promise<string> {
  process.stdout.write(question);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    reader.question('', (answer) => {
      reader.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}
