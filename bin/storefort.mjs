#!/usr/bin/env node
// Entry point of the `storefort` command. Builds first when the bundle is missing, so that
// `npx storefort import` works on a fresh clone before `npm start` has run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const bundle = join(root, 'dist', 'server', 'cli.js');

if (!existsSync(bundle)) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
