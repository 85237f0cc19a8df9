import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import { repoRoot } from './settings.js';
import type { ReadyMessage, TargetKind } from './target-server.js';

/** How long a target may take to start listening before the run fails. */
const startTimeoutMs = 30_000;
/** How long a target may take to close after SIGTERM before it is killed. */
const stopTimeoutMs = 10_000;

export interface Target {
  kind: TargetKind;
  /** Origin autocannon and the setup requests use, e.g. http://127.0.0.1:40123. */
  origin: string;
  stop(): Promise<void>;
}

/**
 * Starts a target server in a child process running through tsx, and resolves once it listens.
 * The child gets `env` plus PATH and HOME only, so shop settings in the caller's environment
 * cannot change what is measured.
 */
export async function startTarget(
  kind: TargetKind,
  env: Record<string, string> = {},
): Promise<Target> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'bench', 'target-server.ts'), kind],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );

  try {
    const { port } = await waitUntilReady(child, kind);
    const target: Target = {
      kind,
      origin: `http://127.0.0.1:${port}`,
      stop: () => stopChild(child),
    };
    return target;
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

function waitUntilReady(child: ChildProcess, kind: TargetKind): Promise<ReadyMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the ${kind} target did not start within ${startTimeoutMs / 1000} s`));
    }, startTimeoutMs);

    child.once('message', (message: ReadyMessage) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} target exited before listening (${signal ?? code})`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Sends SIGTERM and waits for the exit, or sends SIGKILL if the child does not exit in time. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();

  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
