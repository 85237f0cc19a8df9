import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import type { LimitWindow } from '../src/defense/client-limits.js';
import type { Measurement } from './measure.js';
import { repoRoot } from './settings.js';

/** The login limit per address of the `shop-open-logins` target, high enough never to apply. */
export const openLoginLimit: LimitWindow = { limit: 1_000_000, windowMs: 60_000 };

/**
 * Connections of the login flood, each with one login in flight. The customer hasher runs
 * HASH_CONCURRENCY checks (default 2) and queues at most 100 more, so with the login limit
 * raised 200 connections keep the queue full and the surplus gets 503.
 */
export const floodConnections = 200;

/** Statuses a login with a wrong password may get; any other fails the run. */
export const acceptedFloodStatuses = [401, 429, 503] as const;

/** What the worker process needs to send the flood. */
export interface FloodPlan {
  /** Origin of the shop, e.g. http://127.0.0.1:40123. */
  origin: string;
  connections: number;
  durationSeconds: number;
  /** Emails of seeded accounts; every tenth login tries one of them. */
  accountEmails: string[];
}

export interface FloodResult {
  connections: number;
  /** Seconds the flood lasted, which covers the measurement it runs beside. */
  durationSeconds: number;
  /** Mean of autocannon's per-second response counts. */
  responsesPerSecond: number;
  /** Responses per HTTP status; only the statuses in acceptedFloodStatuses are allowed. */
  statusCounts: Record<string, number>;
  /** Logins that got no response within `timeoutSeconds`; they count as no status. */
  timeouts: number;
  timeoutSeconds: number;
  /** Latencies in milliseconds over every response, whatever its status. */
  p50Ms: number;
  p99Ms: number;
}

/** The listing page measured alone and beside a login flood, on one shop process. */
export interface LoginFloodPair {
  /** The shop's login limit per address during both measurements. */
  loginLimit: LimitWindow;
  /** Whether the limit was raised above the default so that the flood reaches the hasher. */
  raised: boolean;
  alone: Measurement;
  underFlood: Measurement;
  flood: FloodResult;
}

/** Messages from the worker: `started` once autocannon sends, then `finished` or `failed`. */
export type FloodMessage =
  | { type: 'started' }
  | { type: 'finished'; result: FloodResult }
  | { type: 'failed'; message: string };

/** A flood sending logins from its own process. */
export interface RunningFlood {
  /** Resolves with the flood's results once it ends, or rejects when it failed. */
  finished: Promise<FloodResult>;
}

/** How long the worker may take to load and start sending before the run fails. */
const startTimeoutMs = 30_000;

/**
 * Starts a login flood in a child process running through tsx, and resolves once it is sending.
 * The flood has its own process so that its 200 connections do not share an event loop with
 * the autocannon instance measuring the page beside it.
 */
export async function startLoginFlood(plan: FloodPlan): Promise<RunningFlood> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'bench', 'login-flood-worker.ts'), JSON.stringify(plan)],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );

  const started = nextMessage(child, 'started', startTimeoutMs);
  const finished = nextMessage(child, 'finished', (plan.durationSeconds + 60) * 1000);
  // Both promises are awaited, this one below and `finished` by the caller. These handlers keep
  // an early rejection of one from counting as unhandled while the other is awaited.
  started.catch(() => {});
  finished.catch(() => {});

  try {
    await started;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { finished: finished.then((message) => message.result) };
}

/**
 * Resolves with the worker's next message of `type`, and rejects on `failed`, exit or timeout.
 * It listens for `close` rather than `exit`, because `exit` may arrive before the last message.
 */
function nextMessage<T extends FloodMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<FloodMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the login flood sent no "${type}" within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('close', onClose);
    };

    const onMessage = (message: FloodMessage) => {
      if (message.type === 'failed') {
        done();
        reject(new Error(`login flood: ${message.message}`));
      } else if (message.type === type) {
        done();
        resolve(message as Extract<FloodMessage, { type: T }>);
      }
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      done();
      reject(new Error(`the login flood exited before "${type}" (${signal ?? code})`));
    };
    child.on('message', onMessage);
    child.on('close', onClose);
  });
}
