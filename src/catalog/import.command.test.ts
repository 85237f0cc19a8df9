import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';

import { openDatabase } from '../db/database.js';
import { type Config, loadConfig } from '../server/config.js';
import { productRow, toCsv } from './csv-import/csv-fixture.js';
import { runImportCommand } from './import.command.js';
import { sharedCatalogsDir } from './test-context.js';

describe('runImportCommand', () => {
  let dir: string;
  let config: Config;
  let output: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'storefort-import-'));
    config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'shop.db')}` });
    output = [];
    const capture = (...args: unknown[]) => void output.push(args.join(' '));
    mock.method(console, 'log', capture);
    mock.method(console, 'error', capture);
  });
  afterEach(() => {
    mock.restoreAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function storedProducts(): Promise<number> {
    const db = openDatabase(config.databaseUrl);
    try {
      const rows = await db.kysely.selectFrom('products').select('id').execute();
      return rows.length;
    } finally {
      await db.close();
    }
  }

  it('imports a shared export and prints the counts', async () => {
    const code = await runImportCommand([join(sharedCatalogsDir, 'jewelery.csv')], config);

    assert.equal(code, 0);
    const text = output.join('\n');
    assert.match(text, /products: +20 \(20 new, 0 updated\)/);
    assert.match(text, /variants: +23/);
    assert.match(text, /images: +41/);
    assert.match(text, /skipped rows: 0 of 41/);
    assert.equal(await storedProducts(), 20);
  });

  it('exits 1 and lists each rejected row with its line', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, toCsv([productRow('good'), productRow('bad', { 'Variant Price': 'abc' })]));

    const code = await runImportCommand([file], config);

    assert.equal(code, 1);
    assert.match(output.join('\n'), /line 3 \(bad\): Variant Price is invalid/);
    assert.equal(await storedProducts(), 1);
  });

  it('replaces control characters from the file in its output', async () => {
    const file = join(dir, 'escape.csv');
    writeFileSync(file, toCsv([productRow('evil\u001b]0;owned\u0007', {})]));

    const code = await runImportCommand([file], config);

    assert.equal(code, 1);
    assert.doesNotMatch(output.join('\n'), /[\u001b\u0007]/);
  });

  it('exits 1 for a file that cannot be read', async () => {
    const code = await runImportCommand([join(dir, 'missing.csv')], config);

    assert.equal(code, 1);
    assert.match(output.join('\n'), /cannot read/);
  });

  it('exits 1 for a directory given as the file', async () => {
    const code = await runImportCommand([dir], config);

    assert.equal(code, 1);
  });

  it('exits 64 without exactly one file', async () => {
    assert.equal(await runImportCommand([], config), 64);
    assert.equal(await runImportCommand(['a.csv', 'b.csv'], config), 64);
    assert.equal(await runImportCommand(['--force', 'a.csv'], config), 64);
  });
});
