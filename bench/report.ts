import { acceptedFloodStatuses, type LoginFloodPair } from './login-flood.js';
import type { Measurement } from './measure.js';
import type { SeededShop } from './seed.js';
import { type BenchSettings, defaultCatalog, type Machine } from './settings.js';

export interface BenchRun {
  finishedAt: Date;
  settings: BenchSettings;
  machine: Machine;
  /** File name of the imported catalog, without its directory. */
  catalogName: string;
  seeded: SeededShop;
  baseline: Measurement;
  scenarios: Measurement[];
  cartPool: { carts: number; linesPerCart: number; itemsStored: number };
  /** The listing page alone and beside a login flood: first at the default login limit, then raised. */
  loginFloods: LoginFloodPair[];
  /** Seeded accounts among the emails the flood tries. */
  floodAccounts: number;
  /** Seconds the flood ran before the page was measured beside it. */
  floodRampSeconds: number;
  /** The shop's argon2id cost and HASH_CONCURRENCY, as its configuration read them. */
  hashing: { memoryKiB: number; iterations: number; concurrency: number };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const milliseconds = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** Formats a ratio to the baseline with three significant digits, e.g. "0.0123×" or "45.6×". */
function ratio(value: number, baseline: number): string {
  if (!(baseline > 0)) return 'n/a';

  const quotient = value / baseline;
  return `${quotient >= 1000 ? integer.format(quotient) : quotient.toPrecision(3)}×`;
}

/** Builds the Markdown results table: absolute numbers, each beside its ratio to the baseline. */
export function resultsTable(run: BenchRun): string[] {
  const rows = [run.baseline, ...run.scenarios].map((result) =>
    [
      result.name,
      `\`${result.request}\``,
      integer.format(result.requestsPerSecond),
      ratio(result.requestsPerSecond, run.baseline.requestsPerSecond),
      milliseconds.format(result.p99Ms),
      ratio(result.p99Ms, run.baseline.p99Ms),
      milliseconds.format(result.p50Ms),
      integer.format(result.responses),
    ].join(' | '),
  );

  return [
    '| Scenario | Request | Requests/s | rps vs baseline | p99 (ms) | p99 vs baseline | p50 (ms) | 2xx responses |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ];
}

function loginLimitLabel(pair: LoginFloodPair): string {
  const { limit, windowMs } = pair.loginLimit;
  const per = windowMs === 60_000 ? 'a minute' : `per ${windowMs / 1000} s`;
  return `${integer.format(limit)} ${per} (${pair.raised ? 'raised' : 'default'})`;
}

/**
 * Builds the Markdown tables of the login flood: the listing page beside the flood as ratios to
 * the page alone, then the flood's own responses by status.
 */
export function loginFloodTables(run: BenchRun): string[] {
  const pageRows = run.loginFloods.map((pair) =>
    [
      loginLimitLabel(pair),
      integer.format(pair.alone.requestsPerSecond),
      integer.format(pair.underFlood.requestsPerSecond),
      ratio(pair.underFlood.requestsPerSecond, pair.alone.requestsPerSecond),
      milliseconds.format(pair.alone.p99Ms),
      milliseconds.format(pair.underFlood.p99Ms),
      ratio(pair.underFlood.p99Ms, pair.alone.p99Ms),
    ].join(' | '),
  );
  const statuses = ['200', ...acceptedFloodStatuses.map(String)];
  const floodRows = run.loginFloods.map((pair) =>
    [
      loginLimitLabel(pair),
      integer.format(pair.flood.connections),
      integer.format(pair.flood.responsesPerSecond),
      ...statuses.map((status) => integer.format(pair.flood.statusCounts[status] ?? 0)),
      integer.format(pair.flood.timeouts),
      milliseconds.format(pair.flood.p50Ms),
      milliseconds.format(pair.flood.p99Ms),
    ].join(' | '),
  );

  return [
    '| Login limit per address | Listing alone (req/s) | Beside flood (req/s) | rps ratio | p99 alone (ms) | p99 beside flood (ms) | p99 ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...pageRows.map((row) => `| ${row} |`),
    '',
    `| Login limit per address | Connections | Responses/s | ${statuses.join(' | ')} | Timed out | p50 (ms) | p99 (ms) |`,
    `| --- | ---: | ---: | ${statuses.map(() => '---:').join(' | ')} | ---: | ---: | ---: |`,
    ...floodRows.map((row) => `| ${row} |`),
  ];
}

/**
 * Returns the note every output carries: the load generator competes with the server for the
 * CPU, and so does any other work that was running when the benchmark started.
 */
export function sharedCoresNote(machine: Machine): string {
  const note =
    `autocannon and the server under test run on the same machine and share its ` +
    `${machine.nproc} cores, so every number includes the load generator's own CPU use.`;
  const load = machine.loadAverage.toFixed(2);
  if (machine.loadAverage < machine.nproc / 2) {
    return `${note} The one-minute load average was ${load} when the run started.`;
  }
  return (
    `${note} Other processes were busy too: the one-minute load average was ${load} on ` +
    `${machine.nproc} cores when the run started, so these numbers are lower and noisier ` +
    'than on an idle machine.'
  );
}

/** Renders docs/performance.md from one run, with prose wrapped at 100 columns. */
export function renderPerformancePage(run: BenchRun): string {
  return [
    ...introduction(run),
    ...loginFloodSection(run),
    ...whatWasMeasured(run),
    ...method(run),
    ...rerunInstructions(),
  ].join('\n');
}

function introduction(run: BenchRun): string[] {
  const { settings, machine } = run;
  const when = `${run.finishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

  return [
    '# Performance',
    '',
    ...paragraph(
      'How fast the shop serves a product listing page, the product API and add-to-cart, ' +
        'measured against a bare Fastify route on the same machine in the same run, and how ' +
        'much of its speed the listing page keeps while a flood of logins runs. Ratios to ' +
        'the baseline factor out part of the machine’s speed, so they are the numbers to ' +
        'compare between machines. An rps ratio of 0.250× is a quarter of the bare route’s ' +
        'throughput, and a p99 ratio of 4.00× is a 99th-percentile latency four times as long.',
    ),
    '',
    'This page is written by `npm run bench`. Rerun it rather than editing the numbers.',
    '',
    '## Results',
    '',
    ...paragraph(
      `Measured ${when}: ${settings.durationSeconds} s per scenario, ${settings.connections} ` +
        `connections, on ${machine.nproc} × ${machine.cpuModel}.`,
    ),
    '',
    ...resultsTable(run),
    '',
    ...paragraph(`**Note:** ${sharedCoresNote(machine)}`),
    '',
  ];
}

function loginFloodSection(run: BenchRun): string[] {
  const { hashing } = run;
  const first = run.loginFloods[0];
  const defaultLimit = first ? integer.format(first.loginLimit.limit) : 'n/a';
  const raised = run.loginFloods.find((pair) => pair.raised);
  const raisedLimit = raised ? integer.format(raised.loginLimit.limit) : 'n/a';
  const connections = first ? integer.format(first.flood.connections) : 'n/a';
  const floodSeconds = first ? integer.format(first.flood.durationSeconds) : 'n/a';
  const timeoutSeconds = first ? integer.format(first.flood.timeoutSeconds) : 'n/a';

  return [
    '## Beside a login flood',
    '',
    ...paragraph(
      'Whether a flood of logins can starve the shop. Each row is one new shop process: the ' +
        'listing page is measured alone, then again while a second autocannon process posts ' +
        'logins with wrong passwords from the same address. The first table gives the page ' +
        'beside the flood as a ratio to the page alone on the same process, so an rps ratio ' +
        'of 1.00× means no loss. The second counts the flood’s own responses: 401 for a wrong ' +
        'password the hasher checked, 429 from the per-address login limit or the per-account ' +
        'throttle, and 503 when the hasher’s queue was full. Its latencies cover every ' +
        'response, whatever the status.',
    ),
    '',
    ...loginFloodTables(run),
    '',
    ...bullet(
      `**Flood**: \`POST /api/store/auth/login\` with a JSON body from ${connections} ` +
        'connections, each with one login in flight, in a Node process of its own. Nine in ten ' +
        'logins use a new email that has no account, and one in ten uses one of ' +
        `${run.floodAccounts} seeded, confirmed accounts. Every password is wrong. The flood ` +
        `starts ${run.floodRampSeconds} s before the page is measured, so the page sees the ` +
        'flood’s steady state and not the burst of its first connections, and stops about 1 s ' +
        `after. Its counts cover all of its ${floodSeconds} s. A login without a response ` +
        `after ${timeoutSeconds} s counts as timed out, and its connection is reopened.`,
    ),
    ...bullet(
      `**Default login limit**: ${defaultLimit} logins a minute per address, so the first ` +
        `${defaultLimit} reach the password hasher and the rest get 429 before any database ` +
        'query or hash.',
    ),
    ...bullet(
      `**Login limit raised** to ${raisedLimit} a minute, the way add-to-cart raises the cart ` +
        'limit, so every login with an unknown email reaches the hasher. The hasher runs ' +
        `${hashing.concurrency} argon2id ${hashing.concurrency === 1 ? 'check' : 'checks'} at once (HASH_CONCURRENCY, ` +
        `${integer.format(hashing.memoryKiB)} KiB, ${hashing.iterations} passes) and queues at ` +
        'most 100 more, so the surplus gets 503. The per-account throttle of a seeded account ' +
        'counts only the logins the hasher checked, and answers 429 from the fifth failure on.',
    ),
    '',
    ...paragraph(
      `The argon2 threads, the shop’s event loop and both autocannon processes share the ` +
        `machine’s ${run.machine.nproc} cores, so the ratios include the CPU the flood’s own ` +
        'load generator uses, not only what the shop spends on the flood.',
    ),
    '',
  ];
}

function whatWasMeasured(run: BenchRun): string[] {
  const { listing } = run.seeded;
  const pool = run.cartPool;

  return [
    '## What was measured',
    '',
    ...bullet(
      '**Baseline**: a Fastify app with one route returning `{"hello":"world"}`, logging off, ' +
        'in its own process. It shows what the machine, Node and the load generator allow.',
    ),
    ...bullet(
      '**Listing page**: the first page of the server-rendered HTML listing of the collection ' +
        `(product type or tag) with the most products, "${listing.name}". The page shows ` +
        `${listing.productsShown} of its ${listing.productCount} products, with the collection ` +
        'links and cart count of the page chrome.',
    ),
    ...bullet(
      '**Product API**: the JSON of the first product on that listing page, with its variants ' +
        'and images.',
    ),
    ...bullet(
      `**Add to cart**: adds of quantity 1 spread over ${pool.carts} carts, each created with ` +
        `its own visitor cookie and given ${pool.linesPerCart} variants that track no stock, so ` +
        'no add meets the per-line quantity limit or a stock limit. Consecutive requests go to ' +
        `different carts. Afterwards the carts contained ${integer.format(pool.itemsStored)} ` +
        'items, read back through the Store API. That is at least the 2xx count, because ' +
        'requests still in flight when the run stopped may also be stored.',
    ),
    '',
    ...paragraph(
      'Every scenario fails the run on any non-2xx response, connection error or timeout, or ' +
        'when no response arrived at all, and ' +
        'each GET scenario is checked once for a 200 with the expected media type before it runs. ' +
        'The login flood fails the run on any status but 401, 429 and 503, because a 200 would ' +
        'mean a wrong password was accepted. It also fails on connection errors, and when it ' +
        'got no 429 at the default login limit or no 503 with the limit raised. Its timeouts ' +
        'are counted, not failed.',
    ),
    '',
  ];
}

function method(run: BenchRun): string[] {
  const { settings, machine } = run;
  const { catalog } = run.seeded;

  return [
    '## How',
    '',
    ...bullet(
      `**Tool**: autocannon ${machine.packages.autocannon}, through its Node API, with one ` +
        `request in flight per connection, ${settings.connections} connections and ` +
        `${settings.durationSeconds} s per scenario. There is no warm-up run, so the first ` +
        'requests of each scenario include JIT compilation. Requests/s is the mean of ' +
        'autocannon’s one-second samples. Latencies are autocannon’s per-response timings, from ' +
        'sending the request to the end of the response, and p50 and p99 are nearest-rank ' +
        'percentiles over every 2xx response. autocannon’s own histogram rounds to whole ' +
        'milliseconds, which would read the baseline’s p99 as 0.',
    ),
    ...bullet(
      '**Processes**: each target server runs in its own Node process, listening on 127.0.0.1 ' +
        'at a port the system picks, and autocannon runs in the parent process. The login ' +
        'flood’s autocannon runs in a third process. The scenarios run one after another, and ' +
        'every process is stopped at the end.',
    ),
    ...bullet(
      '**Shop**: started as `storefort start` starts it, with NODE_ENV=production, ' +
        'LOG_LEVEL=silent and a SQLite database file (WAL mode) in a new temporary directory. ' +
        'Payments are configured for Stripe with placeholder keys, because production rejects ' +
        'the sandbox provider. No measured route calls the payment provider.',
    ),
    ...bullet(
      `**Catalog**: \`${run.catalogName}\`, a real Shopify product export, imported through ` +
        `the shop’s CSV importer before the shop starts: ${integer.format(catalog.products)} ` +
        `products, ${integer.format(catalog.variants)} variants and ` +
        `${integer.format(catalog.images)} images in ${catalog.importSeconds.toFixed(1)} s.`,
    ),
    ...bullet(
      `**Machine**: nproc ${machine.nproc}, ${machine.cpuModel}, ${machine.os}, Node ` +
        `${machine.nodeVersion}, Fastify ${machine.packages.fastify}, better-sqlite3 ` +
        `${machine.packages['better-sqlite3']}, one-minute load average ` +
        `${machine.loadAverage.toFixed(2)} at the start.`,
    ),
    '',
    ...paragraph(
      'Numbers change from run to run, more so on a shared machine. Compare ratios from the ' +
        'same run, and rerun before drawing conclusions from small differences.',
    ),
    '',
  ];
}

function rerunInstructions(): string[] {
  return [
    '## Rerun',
    '',
    '```sh',
    'npm run bench',
    'BENCH_DURATION=30 BENCH_CONNECTIONS=50 npm run bench',
    '```',
    '',
    '- `BENCH_DURATION`: seconds per scenario, 1 to 600 (default 5).',
    '- `BENCH_CONNECTIONS`: concurrent connections, 1 to 1000 (default 10).',
    ...bullet(
      '`BENCH_CATALOG`: the Shopify product CSV to import, relative to the repository root ' +
        `(default \`${defaultCatalog}\`, read in place).`,
    ),
    '',
    ...paragraph(
      'The benchmark builds the assets, prints the table, and rewrites this page only when ' +
        'every scenario succeeded. It is not part of `npm test`.',
    ),
    '',
  ];
}

const pageWidth = 100;

function paragraph(text: string): string[] {
  return wrapWords(text, '', '');
}

function bullet(text: string): string[] {
  return wrapWords(text, '- ', '  ');
}

/** Wraps text at spaces to `pageWidth` columns. A word longer than a line gets a line of its own. */
function wrapWords(text: string, firstIndent: string, indent: string): string[] {
  const lines: string[] = [];
  let line = firstIndent;

  for (const word of text.split(' ')) {
    const atLineStart = line === firstIndent || line === indent;
    if (!atLineStart && line.length + 1 + word.length > pageWidth) {
      lines.push(line);
      line = indent + word;
      continue;
    }
    line = atLineStart ? line + word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}
