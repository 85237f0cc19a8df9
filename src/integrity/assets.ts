import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

/** One built file: the URL it is served at and its Subresource Integrity value (sha384). */
export interface Asset {
  url: string;
  integrity: string;
  contentType: string;
}

/** Logical name (`app.css`, `product.js`) to the built, content-hashed file. */
export type AssetManifest = Record<string, Asset>;

export const assetsDir = join(import.meta.dirname, '..', '..', 'dist', 'public');

/**
 * Reads the manifest written by `npm run build`. Throws with the fix when it is missing, since
 * pages cannot carry SRI for files that were never built.
 */
export async function loadAssetManifest(dir = assetsDir): Promise<AssetManifest> {
  try {
    return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as AssetManifest;
  } catch (error) {
    throw new Error(`asset manifest missing in ${dir}; run "npm run build" first`, {
      cause: error,
    });
  }
}

export function sriHash(content: Buffer | string): string {
  return `sha384-${createHash('sha384').update(content).digest('base64')}`;
}

/**
 * Serves the built files listed in the manifest and nothing else, so no request path can
 * reach another file on disk. Each file is read once and checked against its SRI value.
 */
export async function registerAssetRoutes(
  app: FastifyInstance,
  manifest: AssetManifest,
  dir = assetsDir,
): Promise<void> {
  const files = new Map<string, { body: Buffer; contentType: string }>();
  for (const asset of Object.values(manifest)) {
    const name = asset.url.slice('/assets/'.length);
    const body = await readFile(join(dir, name));
    if (sriHash(body) !== asset.integrity) {
      throw new Error(`asset ${name} does not match its manifest hash; rebuild with npm run build`);
    }
    files.set(name, { body, contentType: asset.contentType });
  }

  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { schema: { hide: true }, config: { personal: false } },
    async (request, reply) => {
      const file = files.get(request.params.file);
      if (!file) return reply.callNotFound();

      return reply
        .header('content-type', file.contentType)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(file.body);
    },
  );
}
