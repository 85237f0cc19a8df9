// Runs every *.test.ts and *.test.tsx file under src/ and test/ with Node's test runner.
// Pass file or folder names to run only those, e.g. `node scripts/test.mjs src/catalog`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

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

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
