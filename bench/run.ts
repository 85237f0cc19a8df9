// Entry point of `npm run bench`: measures a bare Fastify route and three shop routes with
// autocannon, then the listing page beside a login flood, prints the results and rewrites
// docs/performance.md. See that page for the method.
import { rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { format, resolveConfig } from 'prettier';

import { defaultRateLimits } from '../src/defense/client-limits.js';
import { loadConfig } from '../src/server/config.js';
import { addToCartRequests, countItemsInPool, createCartPool, linesPerCart } from './cart-pool.js';
import {
  floodConnections,
  type LoginFloodPair,
  openLoginLimit,
  startLoginFlood,
} from './login-flood.js';
import { checkResponds, type LoadSettings, type Measurement, measure } from './measure.js';
import {
  type BenchRun,
  loginFloodTables,
  renderPerformancePage,
  resultsTable,
  sharedCoresNote,
} from './report.js';
import {
  createRunDirectory,
  type SeededShop,
  seedAccounts,
  seedShop,
  type ShopEnv,
  shopEnvironment,
} from './seed.js';
import { describeMachine, readSettings, repoRoot } from './settings.js';
import type { TargetKind } from './target-server.js';
import { startTarget, type Target } from './targets.js';

const pagePath = join(repoRoot, 'docs', 'performance.md');

/** Seeded accounts among the emails the login flood tries. */
const floodAccounts = 5;
/**
 * Seconds the login flood runs before the page is measured beside it, so the measurement covers
 * the flood in its steady state rather than the burst of its first connections.
 */
const floodRampSeconds = 3;

async function main(): Promise<void> {
  const settings = readSettings();
  const machine = describeMachine();
  const load: LoadSettings = settings;
  console.log(
    `storefort bench: ${settings.durationSeconds} s per scenario, ${settings.connections} ` +
      `connections, Node ${machine.nodeVersion}, nproc ${machine.nproc}, ${machine.cpuModel}`,
  );
  console.log(sharedCoresNote(machine));

  const dir = await createRunDirectory();
  try {
    const env = shopEnvironment(dir);
    const shopConfig = loadConfig(env);
    console.log(`importing ${settings.catalogPath} into ${dir}`);
    const seeded = await seedShop(env, settings.catalogPath);
    const accountEmails = await seedAccounts(env, floodAccounts);

    const baseline = await withTarget('baseline', {}, (target) =>
      run({ name: 'Baseline: bare Fastify', request: 'GET /', origin: target.origin }, load),
    );
    const shop = await withTarget('shop', env, (target) => measureShop(target, env, seeded, load));
    const loginFloods: LoginFloodPair[] = [];
    for (const kind of ['shop', 'shop-open-logins'] as const) {
      const pair = await withTarget(kind, env, (target) =>
        measureBesideLoginFlood(target, seeded, accountEmails, load),
      );
      loginFloods.push(pair);
    }

    const record: BenchRun = {
      finishedAt: new Date(),
      settings,
      machine,
      catalogName: basename(settings.catalogPath),
      seeded,
      baseline,
      scenarios: shop.scenarios,
      cartPool: shop.cartPool,
      loginFloods,
      floodAccounts,
      floodRampSeconds,
      hashing: {
        memoryKiB: shopConfig.passwordHashing.memoryKiB,
        iterations: shopConfig.passwordHashing.iterations,
        concurrency: shopConfig.hashConcurrency,
      },
    };
    const tables = ['', ...resultsTable(record), '', ...loginFloodTables(record), ''];
    console.log([...tables, sharedCoresNote(machine)].join('\n'));
    await writePage(renderPerformancePage(record));
    console.log(`wrote ${pagePath}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureShop(target: Target, env: ShopEnv, seeded: SeededShop, load: LoadSettings) {
  const listingPath = seeded.listing.path;
  await checkResponds(target.origin + listingPath, 'text/html');
  const listing = await run(
    {
      name: 'Listing page (HTML)',
      request: `GET ${listingPath}`,
      origin: target.origin,
      path: listingPath,
    },
    load,
  );

  const productPath = `/api/store/products/${encodeURIComponent(seeded.productHandle)}`;
  await checkResponds(target.origin + productPath, 'application/json');
  const product = await run(
    {
      name: 'Product API (JSON)',
      request: `GET ${productPath}`,
      origin: target.origin,
      path: productPath,
    },
    load,
  );

  const pool = await createCartPool(target.origin, seeded.cartVariantIds, {
    ...load,
    maxQuantity: loadConfig(env).maxQuantity,
  });
  const addToCart = await run(
    {
      name: 'Add to cart (JSON)',
      request: 'POST /api/store/carts/:id/lines',
      origin: target.origin,
      requests: addToCartRequests(pool),
      maxRequests: pool.capacity,
    },
    load,
  );

  const itemsStored = await countItemsInPool(target.origin, pool);
  if (itemsStored < addToCart.responses || itemsStored > addToCart.sent) {
    throw new Error(
      `the carts hold ${itemsStored} items after ${addToCart.responses} successful adds of ` +
        `${addToCart.sent} sent; adds were lost or counted twice`,
    );
  }

  return {
    scenarios: [listing, product, addToCart],
    cartPool: { carts: pool.carts.length, linesPerCart, itemsStored },
  };
}

/**
 * Measures the listing page alone, then again while a login flood from the same address runs in
 * another process. Throws when the flood got a status other than 401, 429 or 503, or when the
 * page got anything but 2xx. It also throws when the flood missed the defence it is meant to
 * reach: the per-address limit (429) on `shop`, or the full hasher queue (503) on
 * `shop-open-logins`.
 */
async function measureBesideLoginFlood(
  target: Target,
  seeded: SeededShop,
  accountEmails: string[],
  load: LoadSettings,
): Promise<LoginFloodPair> {
  const raised = target.kind === 'shop-open-logins';
  const loginLimit = raised ? openLoginLimit : defaultRateLimits.authAttempts;
  const label = raised ? 'login limit raised' : 'default login limit';
  const listingPath = seeded.listing.path;
  const listing = { request: `GET ${listingPath}`, origin: target.origin, path: listingPath };
  await checkResponds(target.origin + listingPath, 'text/html');

  const alone = await run({ ...listing, name: `Listing page alone, ${label}` }, load);

  console.log(`starting a login flood of ${floodConnections} connections, ${label}`);
  const flood = await startLoginFlood({
    origin: target.origin,
    connections: floodConnections,
    durationSeconds: floodRampSeconds + load.durationSeconds + 1,
    accountEmails,
  });
  await sleep(floodRampSeconds * 1000);
  const underFlood = await run({ ...listing, name: `Listing page beside flood, ${label}` }, load);
  const floodResult = await flood.finished;
  console.log(
    `  flood: ${Math.round(floodResult.responsesPerSecond)} responses/s, statuses ` +
      JSON.stringify(floodResult.statusCounts),
  );

  const expected = raised ? '503' : '429';
  if (!floodResult.statusCounts[expected]) {
    throw new Error(
      `the login flood (${label}) got no ${expected}, so it never reached the defence this ` +
        `scenario is meant to load; statuses ${JSON.stringify(floodResult.statusCounts)}`,
    );
  }
  return { loginLimit, raised, alone, underFlood, flood: floodResult };
}

async function run(scenario: Parameters<typeof measure>[0], load: LoadSettings) {
  console.log(`measuring ${scenario.name} (${scenario.request}) for ${load.durationSeconds} s`);
  const result: Measurement = await measure(scenario, load);
  console.log(
    `  ${Math.round(result.requestsPerSecond)} requests/s, p99 ${result.p99Ms.toFixed(2)} ms, ` +
      `${result.responses} 2xx responses`,
  );
  return result;
}

/** Writes the page formatted with the repository's Prettier settings, as `npm run format` would. */
async function writePage(markdown: string): Promise<void> {
  const options = await resolveConfig(pagePath);
  await writeFile(pagePath, await format(markdown, { ...options, filepath: pagePath }));
}

/** Starts a target, runs `work` against it and stops the target, also when `work` throws. */
async function withTarget<T>(
  kind: TargetKind,
  env: Record<string, string>,
  work: (target: Target) => Promise<T>,
): Promise<T> {
  const target = await startTarget(kind, env);
  try {
    return await work(target);
  } finally {
    await target.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`storefort bench failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
