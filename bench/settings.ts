import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, release, type } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** The repository root: bench/ sits directly under it. */
export const repoRoot = join(import.meta.dirname, '..');

/** The Shopify export imported into the shop, read in place next to the repository. */
export const defaultCatalog = '../shared/catalogs/real-trendnow-ptbr-html.csv';

export interface BenchSettings {
  /** Seconds each scenario runs, without a warm-up run. */
  durationSeconds: number;
  /** Connections autocannon keeps open, each with one request in flight. */
  connections: number;
  /** Absolute path of the product CSV to import. */
  catalogPath: string;
}

type Env = Record<string, string | undefined>;

/**
 * Reads BENCH_DURATION (seconds, default 5), BENCH_CONNECTIONS (default 10) and BENCH_CATALOG
 * (a Shopify product CSV, relative to the repository root). Throws naming the bad variable.
 */
export function readSettings(env: Env = process.env): BenchSettings {
  const catalog = env.BENCH_CATALOG || defaultCatalog;
  return {
    durationSeconds: readWholeNumber(env, 'BENCH_DURATION', 5, 1, 600),
    connections: readWholeNumber(env, 'BENCH_CONNECTIONS', 10, 1, 1000),
    catalogPath: isAbsolute(catalog) ? catalog : resolve(repoRoot, catalog),
  };
}

function readWholeNumber(env: Env, name: string, fallback: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;

  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

export interface Machine {
  /** Processors this process may run on, as `nproc` counts them. */
  nproc: number;
  cpuModel: string;
  /** Kernel name and release, e.g. "Linux 6.1.0". */
  os: string;
  nodeVersion: string;
  /** One-minute load average when the run started, a sign of other work competing for the CPU. */
  loadAverage: number;
  /** Versions of the packages whose speed the numbers depend on. */
  packages: Record<'autocannon' | 'fastify' | 'better-sqlite3', string>;
}

export function describeMachine(): Machine {
  return {
    nproc: availableParallelism(),
    cpuModel: readCpuModel(),
    os: `${type()} ${release()}`,
    nodeVersion: process.version,
    loadAverage: loadavg()[0] ?? 0,
    packages: {
      autocannon: packageVersion('autocannon'),
      fastify: packageVersion('fastify'),
      'better-sqlite3': packageVersion('better-sqlite3'),
    },
  };
}

/** Reads the first `model name` of /proc/cpuinfo, or returns "unknown" (on systems without it). */
function readCpuModel(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const requireFromRoot = createRequire(join(repoRoot, 'package.json'));

function packageVersion(name: string): string {
  const manifest = requireFromRoot(`${name}/package.json`) as { version: string };
  return manifest.version;
}
