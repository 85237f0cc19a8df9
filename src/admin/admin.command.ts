import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';

import { createPasswordHasher } from '../auth/passwords.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Config } from '../server/config.js';
import { AppError } from '../server/errors.js';
import { loadSecrets, readExistingSigningKey } from '../server/secrets.js';
import { appendAudit, verifyAuditLog } from './audit-log.js';
import { insertStaff, normalizeEmail } from './staff.service.js';
import { auditKeyOf } from './staff-context.js';

/** Environment variable `admin create` reads the password from, before prompting on a terminal. */
export const adminPasswordVariable = 'STOREFORT_ADMIN_PASSWORD';

export const adminUsage = `Usage: storefort admin create --email EMAIL --name NAME

Creates an owner account for the admin. Run it with the same environment (DATABASE_URL,
DATA_DIR, SECRET_KEY) and from the same directory as \`storefort start\`, so both use one
database and one audit-log key. It can run while the shop is running.

The password is read from ${adminPasswordVariable}, or asked twice when the command runs on a
terminal. It is never an argument. It needs 8 to 128 characters, must not match the email or
name, and must not appear in lists of breached passwords. At the first login the admin asks for
an authenticator app or a passkey.`;

export interface CommandIo {
  env: Record<string, string | undefined>;
  /** Password prompt that does not echo input, or undefined when there is no terminal. */
  promptPassword?: ((question: string) => Promise<string>) | undefined;
  out(line: string): void;
  err(line: string): void;
}

/** Returns the CommandIo of this process: its terminal, environment and console. */
export function processIo(): CommandIo {
  return {
    env: process.env,
    promptPassword: process.stdin.isTTY ? promptHidden : undefined,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  };
}

/**
 * Runs `storefort admin create --email E --name N`, which creates an owner. The password comes
 * from STOREFORT_ADMIN_PASSWORD or is asked twice on a terminal. It is never an argument, because
 * arguments land in the shell history and the process list. Exits 0 on success and for `--help`,
 * 1 when the password fails the policy or the email is taken, and 2 on wrong usage or when no
 * password could be read. Other errors are thrown.
 */
export async function runAdminCommand(
  args: string[],
  config: Config,
  io = processIo(),
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.out(adminUsage);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'create') {
    return usageError(io, `unknown admin command "${sub}"; the only one is "create"`);
  }

  const parsed = parseCreateOptions(rest);
  if ('help' in parsed) {
    io.out(adminUsage);
    return 0;
  }
  if ('error' in parsed) return usageError(io, parsed.error);
  const { email, name } = parsed;

  const password = await readPassword(io);
  if ('error' in password) {
    io.err(`storefort: ${password.error}`);
    return 2;
  }

  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const hasher = createPasswordHasher(config.passwordHashing, config.hashConcurrency);
    const id = await insertStaff(db.kysely, hasher, {
      email,
      name,
      password: password.value,
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
        email: normalizeEmail(email),
        role: 'owner',
        via: 'storefort admin create',
      },
    });
    io.out(`created owner ${normalizeEmail(email)} in ${config.databaseUrl}`);
    io.out(
      `log in at ${new URL('/login', config.adminUrl).href} (on this machine); ` +
        'the first login sets up a second factor',
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

type CreateOptions = { email: string; name: string } | { help: true } | { error: string };

/** Parses the options of `admin create` and returns wrong usage as a message, not a throw. */
function parseCreateOptions(args: string[]): CreateOptions {
  let values: { email?: string | undefined; name?: string | undefined; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { help: true };

  const email = values.email?.trim() ?? '';
  const name = values.name?.trim() ?? '';
  if (!email || !name) return { error: 'both --email and --name are required' };
  // Only the SMTP server checks an address fully, when mail is sent. This check catches a
  // swapped or missing value.
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
    return { error: `--email "${email}" is not an email address` };
  }
  if (name.length > 100) return { error: '--name is longer than 100 characters' };
  return { email, name };
}

function usageError(io: CommandIo, message: string): number {
  io.err(`storefort: ${message}\n\n${adminUsage}`);
  return 2;
}

async function readPassword(io: CommandIo): Promise<{ value: string } | { error: string }> {
  const fromEnv = io.env[adminPasswordVariable];
  if (fromEnv) return { value: fromEnv };
  if (!io.promptPassword) {
    return {
      error: `no password given; set ${adminPasswordVariable} or run the command on a terminal to type it`,
    };
  }

  const first = await io.promptPassword('Password: ');
  const second = await io.promptPassword('Repeat the password: ');
  if (first !== second) return { error: 'the two passwords differ; nothing was created' };
  return { value: first };
}

/**
 * Runs `storefort audit-log verify`, which recomputes the audit log's hash chain with the key
 * derived from SECRET_KEY. Exits 0 when intact, 1 naming the first broken seq, 2 on wrong usage.
 */
export async function runAuditLogCommand(
  args: string[],
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  io = processIo(),
): Promise<number> {
  if (args[0] !== 'verify' || args.length !== 1) {
    io.err(
      'Usage: storefort audit-log verify\n\n' +
        "Recomputes the admin audit log's hash chain with the key derived from SECRET_KEY " +
        '(or DATA_DIR/secret.key when SECRET_KEY is unset), reading the log from DATABASE_URL.\n' +
        'Exits 0 when intact, 1 naming the first edited, inserted or deleted row.',
    );
    return 2;
  }

  const db = openDatabase(config.databaseUrl);
  try {
    const signingKey = readExistingSigningKey(config.dataDir, io.env);
    const secrets = { signingKey, sandboxGatewaySecret: '' };
    const result = await verifyAuditLog(db.kysely, auditKeyOf(secrets));
    if (result.ok) {
      // Recording the head elsewhere lets a later run notice rows deleted from the end.
      io.out(`audit log intact: ${result.rows} rows, last hash ${result.head}`);
      return 0;
    }
    const why = {
      missing: 'is missing (deleted)',
      altered: 'does not match its hash (edited)',
      chain: 'does not follow the row before it',
      inserted: 'is outside the chain (inserted)',
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
