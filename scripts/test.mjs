// Runs every *.test.ts and *.test.tsx file under src/ and test/ with Node's test runner.
// Pass file or folder names to run only those, e.g. `node scripts/test.mjs src/catalog`.
// Test shops log at info level into files in a fresh temporary directory. After the tests,
// scripts/scan-test-logs.mjs scans those files for secrets, and any hit fails the run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { reportLogScan } from './scan-test-logs.mjs';

const root = join(import.meta.dirname, '..');

function collect(path, found) {
  if (statSync(path).isFile()) {
    if (/\.test\.tsx?$/.test(path)) found.push(relative(root, path));
    return found;
  }
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    collect(join(path, name), found);
  }
  return found;
}

const targets = process.argv.slice(2);
const roots = targets.length > 0 ? targets : ['src', 'test'];
const files = roots.flatMap((target) => collect(join(root, target), [])).sort();

if (files.length === 0) {
  console.error(`no test files found under ${roots.join(', ')}`);
  process.exit(1);
}

const logDir = mkdtempSync(join(tmpdir(), 'storefort-test-logs-'));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', STOREFORT_TEST_LOG_DIR: logDir },
  },
);

// A run limited to some files may start no shop at all, so only a full run needs log lines.
const scanStatus = await reportLogScan(logDir, { requireLines: targets.length === 0 });
if (scanStatus === 0) rmSync(logDir, { recursive: true, force: true });
else console.error(`log files kept in ${logDir}`);
process.exit(result.status === 0 ? scanStatus : (result.status ?? 1));
