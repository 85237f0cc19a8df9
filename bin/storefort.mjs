#!/usr/bin/env node
// Entry point of the `storefort` command. Builds first when the bundle is missing or older than
// a source file, so `npx storefort import` works on a fresh clone and after an update.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const bundle = join(root, 'dist', 'server', 'cli.js');

function newestChange(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

const sources = join(root, 'src');
const stale =
  !existsSync(bundle) ||
  (existsSync(sources) && newestChange(sources) > statSync(bundle).mtimeMs);
if (stale) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
