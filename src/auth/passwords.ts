import { randomBytes } from 'node:crypto';

import * as argon2 from 'argon2';

import type { Config } from '../server/config.js';
import { AppError } from '../server/errors.js';
import { isBreachedPassword } from './password-list.js';

export type PasswordCost = Config['passwordHashing'];

export interface PasswordHasher {
  /** Hashes the NFC form of a password with argon2id at the configured cost (PHC string). */
  hash(password: string): Promise<string>;
  /** Verifies a password. `needsRehash` is true when it matches a hash that isBelowCost. */
  verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Runs one verify against a dummy hash, so that a login for an unknown account takes as long. */
  verifyDummy(password: string): Promise<void>;
}

export const minPasswordLength = 8;
export const maxPasswordLength = 128;

/**
 * Creates the password hasher of one process. argon2 computes on libuv's thread pool, so hashing
 * does not block the event loop, but each hash uses `cost.memoryKiB` of memory. At most
 * `concurrency` hashes run at once and at most `maxQueue` (default 100) wait in FIFO order. A
 * further request throws SERVER_BUSY (503), so memory and latency do not grow without bound.
 *
 * NOTE: libuv's pool has 4 threads unless UV_THREADPOOL_SIZE says otherwise, and file system
 * calls share it, so `concurrency` should stay below that number.
 */
export function createPasswordHasher(
  cost: PasswordCost,
  concurrency: number,
  maxQueue = 100,
): PasswordHasher {
  const slots = createSlots(concurrency, maxQueue);
  const options: argon2.HashOptions = {
    type: argon2.argon2id,
    memoryCost: cost.memoryKiB,
    timeCost: cost.iterations,
    parallelism: cost.parallelism,
  };

  const hash = (password: string) =>
    slots.run(() => argon2.hash(password.normalize('NFC'), options));

  // Made once per hasher at the same cost, so a dummy verify costs about what a real one does.
  const dummyHash = argon2.hash(randomBytes(32).toString('base64url'), options);
  dummyHash.catch(() => {});

  return {
    hash,

    async verify(stored, password) {
      const ok = await slots.run(() => argon2.verify(stored, password.normalize('NFC')));
      return { ok, needsRehash: ok && isBelowCost(stored, cost) };
    },

    async verifyDummy(password) {
      await slots.run(async () => argon2.verify(await dummyHash, password.normalize('NFC')));
    },
  };
}

/**
 * Returns whether a PHC string (`$argon2id$v=19$m=…,p=…,t=…$salt$hash`) was made with another
 * algorithm or version, or with less memory, fewer passes or fewer lanes than `cost`. A hash made
 * with a higher cost than configured is kept, so lowering the setting never weakens stored hashes.
 */
export function isBelowCost(phc: string, cost: PasswordCost): boolean {
  const parsed = readArgon2Cost(phc);
  if (!parsed || parsed.type !== 'argon2id' || parsed.version !== 19) return true;

  return (
    parsed.memoryKiB < cost.memoryKiB ||
    parsed.iterations < cost.iterations ||
    parsed.parallelism < cost.parallelism
  );
}

/**
 * Reads the algorithm, version and cost from an argon2 PHC string, or returns null when it is
 * not one. The parameters are read by name because encoders differ in their order (node-argon2
 * 0.45 writes `m=…,p=…,t=…`).
 */
export function readArgon2Cost(
  phc: string,
): (PasswordCost & { type: string; version: number }) | null {
  const match = /^\$(argon2(?:id|i|d))\$v=(\d+)\$([a-z]=\d+(?:,[a-z]=\d+)*)\$/.exec(phc);
  if (!match) return null;

  const parameters = new Map(
    match[3]!.split(',').map((pair) => [pair[0]!, Number(pair.slice(2))] as const),
  );
  const memoryKiB = parameters.get('m');
  const iterations = parameters.get('t');
  const parallelism = parameters.get('p');
  if (memoryKiB === undefined || iterations === undefined || parallelism === undefined) {
    return null;
  }

  return { type: match[1]!, version: Number(match[2]), memoryKiB, iterations, parallelism };
}

interface Slots {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** Creates a counting semaphore with a bounded FIFO queue. */
function createSlots(concurrency: number, maxQueue: number): Slots {
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };

  return {
    async run(task) {
      if (running >= concurrency) {
        if (waiting.length >= maxQueue) {
          throw new AppError(
            'SERVER_BUSY',
            'Too many password checks are in progress; try again shortly.',
          );
        }
        // The finishing task hands its slot over directly, so `running` stays unchanged.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }

      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

/**
 * Throws WEAK_PASSWORD (422) unless the password has 8 to 128 characters (Unicode code points
 * after NFC) and is not on the breached-password list. It must also differ, case-insensitively,
 * from each `context` value (the account's email and name) and from an email's local part. Any
 * characters are allowed and there are no composition rules, following NIST SP 800-63B section
 * 5.1.1.2.
 */
export function checkPasswordPolicy(password: string, context: string[] = []): void {
  const normalized = password.normalize('NFC');
  const length = [...normalized].length;

  if (length < minPasswordLength) {
    throw new AppError(
      'WEAK_PASSWORD',
      `The password must have at least ${minPasswordLength} characters.`,
    );
  }
  if (length > maxPasswordLength) {
    throw new AppError(
      'WEAK_PASSWORD',
      `The password must have at most ${maxPasswordLength} characters.`,
    );
  }
  if (isBreachedPassword(normalized)) {
    throw new AppError(
      'WEAK_PASSWORD',
      'This password appears in lists of breached passwords; choose another one.',
    );
  }
  if (contextWords(context).has(normalized.toLowerCase())) {
    throw new AppError(
      'WEAK_PASSWORD',
      'The password must not be your email address or name; choose another one.',
    );
  }
}

function contextWords(context: string[]): Set<string> {
  const words = new Set<string>();
  for (const value of context) {
    const word = value.normalize('NFC').trim().toLowerCase();
    if (word === '') continue;
    words.add(word);

    const at = word.lastIndexOf('@');
    if (at > 0) words.add(word.slice(0, at));
  }
  return words;
}
