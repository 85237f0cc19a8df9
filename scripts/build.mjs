// Builds the client assets (content-hashed, with a sha384 SRI manifest) and the server bundle.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const publicDir = join(root, 'dist', 'public');
const clientDir = join(root, 'src', 'web', 'client');
const stylesDir = join(root, 'src', 'web', 'styles');

const contentTypes = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

function entries(dir, extension) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => extname(name) === extension && !name.endsWith('.test.ts'))
    .map((name) => join(dir, name));
}

async function buildAssets() {
  rmSync(publicDir, { recursive: true, force: true });
  mkdirSync(publicDir, { recursive: true });

  // Every file in src/web/client is its own bundle: storefront.js for the shop's pages and
  // passkeys.js, which the shop's account pages and the admin both load.
  const result = await build({
    entryPoints: [...entries(clientDir, '.ts'), ...entries(stylesDir, '.css')],
    outdir: publicDir,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    write: false,
    logLevel: 'warning',
  });

  const manifest = {};
  for (const file of result.outputFiles) {
    const extension = extname(file.path);
    const name = basename(file.path);
    const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
    const hashed = `${basename(name, extension)}.${hash}${extension}`;
    writeFileSync(join(publicDir, hashed), file.contents);
    manifest[name] = {
      url: `/assets/${hashed}`,
      integrity: `sha384-${createHash('sha384').update(file.contents).digest('base64')}`,
      contentType: contentTypes[extension],
    };
  }

  for (const name of entries(join(root, 'src', 'web', 'static'), '.svg')) {
    const contents = readFileSync(name);
    const hash = createHash('sha256').update(contents).digest('hex').slice(0, 12);
    const hashed = `${basename(name, '.svg')}.${hash}.svg`;
    writeFileSync(join(publicDir, hashed), contents);
    manifest[basename(name)] = {
      url: `/assets/${hashed}`,
      integrity: `sha384-${createHash('sha384').update(contents).digest('base64')}`,
      contentType: contentTypes['.svg'],
    };
  }

  writeFileSync(join(publicDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

async function buildServer() {
  await build({
    entryPoints: [join(root, 'src', 'cli.ts')],
    outfile: join(root, 'dist', 'server', 'cli.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: true,
    logLevel: 'warning',
  });
}

await buildAssets();
await buildServer();
