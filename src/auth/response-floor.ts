import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `work` and settles no sooner than `floorMs` after the call, with its result or its
 * error. Code whose duration depends on a secret fact (whether an email has an account) pads
 * both outcomes to the same floor, so the time of the response does not reveal it as long as
 * the work finishes within the floor.
 */
export async function withResponseFloor<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const remaining = floorMs - (performance.now() - started);
    if (remaining > 0) await sleep(remaining);
  }
}
