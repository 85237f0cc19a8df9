import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { sql } from 'kysely';

import { createPasswordHasher } from '../auth/passwords.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { type Config, loadConfig } from '../server/config.js';
import { type CommandIo, runAdminCommand, runAuditLogCommand } from './admin.command.js';

describe('admin commands', () => {
  let dir: string;
  let config: Config;
  let out: string[];
  let err: string[];
  // A fixed SECRET_KEY, so the audit key is the same for create and verify.
  const baseEnv = { NODE_ENV: 'test', SECRET_KEY: 'k'.repeat(40) };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'storefort-admin-'));
    config = loadConfig({ ...baseEnv, DATABASE_URL: `sqlite:${join(dir, 'shop.db')}` });
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function io(env: Record<string, string> = {}, prompt?: CommandIo['promptPassword']): CommandIo {
    return {
      env: { ...baseEnv, ...env },
      promptPassword: prompt,
      out: (line) => void out.push(line),
      err: (line) => void err.push(line),
    };
  }

  async function staffRows() {
    const db = openDatabase(config.databaseUrl);
    try {
      // A command that stopped at its arguments never created the tables.
      await migrateToLatest(db);
      return await db.kysely.selectFrom('staff').selectAll().execute();
    } finally {
      await db.close();
    }
  }

  const create = ['create', '--email', 'Owner@Example.test', '--name', 'Olive Owner'];

  it('creates an owner with the password from the environment', async () => {
    const password = 'a long and unusual passphrase';

    const code = await runAdminCommand(create, config, io({ STOREFORT_ADMIN_PASSWORD: password }));

    assert.equal(code, 0);
    const rows = await staffRows();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.email, 'owner@example.test');
    assert.equal(rows[0]?.role, 'owner');
    assert.ok(!out.join('\n').includes(password));
    const hasher = createPasswordHasher(config.passwordHashing, 1);
    assert.equal((await hasher.verify(rows[0]!.password_hash, password)).ok, true);
  });

  it('reads the password twice from a terminal prompt', async () => {
    const questions: string[] = [];
    const prompt = async (question: string) => {
      questions.push(question);
      return 'typed at the terminal please';
    };

    const code = await runAdminCommand(create, config, io({}, prompt));

    assert.equal(code, 0);
    assert.equal(questions.length, 2);
    assert.equal((await staffRows()).length, 1);
  });

  const weakPasswords: Array<[string, string]> = [
    ['short', 'short1'],
    ['breached', 'password1'],
    ['equal to the email', 'owner@example.test'],
  ];
  for (const [label, password] of weakPasswords) {
    it(`refuses a ${label} password`, async () => {
      const code = await runAdminCommand(
        create,
        config,
        io({ STOREFORT_ADMIN_PASSWORD: password }),
      );

      assert.equal(code, 1);
      assert.match(err.join('\n'), /password/i);
      assert.equal((await staffRows()).length, 0);
    });
  }

  it('says where the owner was created and where to log in', async () => {
    const env = { STOREFORT_ADMIN_PASSWORD: 'a long and unusual passphrase' };

    const code = await runAdminCommand(create, config, io(env));

    assert.equal(code, 0);
    assert.equal(out[0], `created owner owner@example.test in ${config.databaseUrl}`);
    assert.match(out[1] ?? '', /^log in at http:\/\/localhost:3002\/login /);
  });

  const wrongUsages: Array<[string, string[], RegExp]> = [
    ['an unknown option', [...create, '--role', 'manager'], /Unknown option '--role'/],
    ['a missing name', ['create', '--email', 'a@example.test'], /--email and --name are required/],
    ['a value that is no email', ['create', '--email', 'Olive', '--name', 'O'], /not an email/],
    ['an unknown subcommand', ['add'], /unknown admin command "add"/],
  ];
  for (const [label, args, message] of wrongUsages) {
    it(`exits 2 with usage for ${label}`, async () => {
      const env = { STOREFORT_ADMIN_PASSWORD: 'a long and unusual passphrase' };

      const code = await runAdminCommand(args, config, io(env));

      assert.equal(code, 2);
      assert.match(err.join('\n'), message);
      assert.match(err.join('\n'), /Usage: storefort admin create/);
      assert.equal((await staffRows()).length, 0);
    });
  }

  it('prints the usage for --help and exits 0', async () => {
    const code = await runAdminCommand(['create', '--help'], config, io());

    assert.equal(code, 0);
    assert.match(out.join('\n'), /STOREFORT_ADMIN_PASSWORD/);
    assert.deepEqual(err, []);
  });

  it('creates nothing when the typed passwords differ', async () => {
    let asked = 0;
    const prompt = async () => (asked++ === 0 ? 'first typed passphrase' : 'second one differs');

    const code = await runAdminCommand(create, config, io({}, prompt));

    assert.equal(code, 2);
    assert.deepEqual(err, ['storefort: the two passwords differ; nothing was created']);
    assert.equal((await staffRows()).length, 0);
  });

  it('exits 2 without a password source', async () => {
    const code = await runAdminCommand(create, config, io());

    assert.equal(code, 2);
    assert.match(err.join('\n'), /STOREFORT_ADMIN_PASSWORD/);
  });

  it('verifies the audit log and names the first broken row', async () => {
    const env = { STOREFORT_ADMIN_PASSWORD: 'a long and unusual passphrase' };
    await runAdminCommand(create, config, io(env));
    await runAdminCommand(
      ['create', '--email', 'second@example.test', '--name', 'Sam'],
      config,
      io(env),
    );

    assert.equal(await runAuditLogCommand(['verify'], config, io()), 0);
    assert.match(out.join('\n'), /intact: 2 rows/);

    const db = openDatabase(config.databaseUrl);
    try {
      await sql`DROP TRIGGER audit_log_no_delete`.execute(db.kysely);
      await db.kysely.deleteFrom('audit_log').where('seq', '=', 1).execute();
    } finally {
      await db.close();
    }

    assert.equal(await runAuditLogCommand(['verify'], config, io()), 1);
    assert.match(err.join('\n'), /broken at seq 1/);
  });
  it('verifies only with the shop key and never makes one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'storefort-nokey-'));
    try {
      await assert.rejects(
        runAuditLogCommand(
          ['verify'],
          { databaseUrl: config.databaseUrl, dataDir: empty },
          { ...io(), env: { NODE_ENV: 'test' } },
        ),
        /SECRET_KEY is not set/,
      );
      assert.equal(existsSync(join(empty, 'secret.key')), false, 'a key file was generated');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
