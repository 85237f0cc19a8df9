// Child process that serves one benchmark target, so autocannon in the parent process never
// shares an event loop with the server it measures.
// Usage: target-server.ts baseline|shop|shop-open-logins.
// It sends `{ port }` over the IPC channel once listening. It closes on SIGTERM, and when the
// parent exits without sending one, so no server outlives the run.
import type { AddressInfo } from 'node:net';

import Fastify from 'fastify';

import { loadConfig } from '../src/server/config.js';
import { startShop } from '../src/server/start.js';
import { openLoginLimit } from './login-flood.js';

/**
 * `shop-open-logins` is the shop with the per-address login limit raised as well, so a login
 * flood from the benchmark's one address reaches the password hasher.
 */
export type TargetKind = 'baseline' | 'shop' | 'shop-open-logins';
const targetKinds: readonly string[] = ['baseline', 'shop', 'shop-open-logins'];

export interface ReadyMessage {
  port: number;
}

interface RunningTarget {
  port: number;
  close(): Promise<void>;
}

/** Starts a bare Fastify app with one route that returns a small JSON object, logging off. */
async function startBaseline(): Promise<RunningTarget> {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });

  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
}

/**
 * Starts the shop as `storefort start` does, configured by the environment the parent passes.
 * The cart pool creates hundreds of carts from one address, so the cart limit is lifted.
 * With `openLogins` the login limit per address is lifted too.
 */
async function startShopTarget(openLogins: boolean): Promise<RunningTarget> {
  const running = await startShop(loadConfig(), undefined, {
    rateLimits: {
      cartCreation: { limit: 1_000_000, windowMs: 60_000 },
      ...(openLogins ? { authAttempts: openLoginLimit } : {}),
    },
  });
  return { port: (running.shop.server.address() as AddressInfo).port, close: running.close };
}

async function main(kind: string | undefined): Promise<void> {
  if (!process.send) throw new Error('target-server.ts must be started with an IPC channel');
  if (kind === undefined || !targetKinds.includes(kind)) {
    throw new Error(`unknown target "${kind}"; expected one of ${targetKinds.join(', ')}`);
  }

  const target =
    kind === 'baseline'
      ? await startBaseline()
      : await startShopTarget(kind === 'shop-open-logins');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    target.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('target-server: closing failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);

  const ready: ReadyMessage = { port: target.port };
  process.send(ready);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error('target-server: start failed', error);
  process.exit(1);
});
