import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { LightMyRequestResponse } from 'fastify';

import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { Browser, createAccount, strongPassword } from '../api/auth-support.js';

// An attacker who can tell whether an address has an account learns who shops here and whom
// to phish. Each flow that takes an address must respond alike for known and unknown ones, with
// the same status, the same body (apart from the request id) and the same time.
//
// Timing statistic: for each flow, PAIRS requests for a known and PAIRS for an unknown address
// are sent alternately (the order within each pair alternates too), so drift in machine load
// hits both groups alike. The test fails when the difference of the two medians exceeds
//   bound = max(floorMs, 4 * sqrt(se_known^2 + se_unknown^2)),
// where se = 1.253 * 1.4826 * MAD / sqrt(n) estimates the standard error of a median from the
// median absolute deviation (robust against the outliers a busy 2-core machine produces). The
// floor of 5 ms sits far below the cost of one password hash at the configured argon2 cost
// (tens of ms), which is the leak these flows are prone to, and far above scheduler jitter of
// the sub-millisecond database writes that legitimately differ between the two paths. A
// calibration test checks that the same statistic flags a hash-sized difference.

const pairs = 60;
const warmUpPairs = 5;
const floorMs = 5;

let store: StoreTest;
let unknownCounter = 0;

before(async () => {
  store = await startStoreTest();
  await createAccount(store.app, store.db, 'known@example.com');
});

after(() => store.close());

function unknownEmail(): string {
  unknownCounter += 1;
  return `unknown-${unknownCounter}@example.com`;
}

/** Clears the login throttle, so repeated failures measure the password check, not a 429. */
async function forgetFailures(): Promise<void> {
  await store.db.deleteFrom('auth_throttle').execute();
}

type Probe = () => Promise<LightMyRequestResponse>;

interface Samples {
  known: number[];
  unknown: number[];
  knownResponse: LightMyRequestResponse;
  unknownResponse: LightMyRequestResponse;
}

async function timed(probe: Probe): Promise<[number, LightMyRequestResponse]> {
  await forgetFailures();
  const start = process.hrtime.bigint();
  const response = await probe();
  return [Number(process.hrtime.bigint() - start) / 1e6, response];
}

async function measure(known: Probe, unknown: Probe): Promise<Samples> {
  const samples: Samples = {
    known: [],
    unknown: [],
    knownResponse: undefined as unknown as LightMyRequestResponse,
    unknownResponse: undefined as unknown as LightMyRequestResponse,
  };
  for (let index = 0; index < warmUpPairs + pairs; index += 1) {
    const knownFirst = index % 2 === 0;
    const order = knownFirst ? ([known, unknown] as const) : ([unknown, known] as const);
    const first = await timed(order[0]);
    const second = await timed(order[1]);
    const [knownResult, unknownResult] = knownFirst ? [first, second] : [second, first];
    samples.knownResponse = knownResult[1];
    samples.unknownResponse = unknownResult[1];
    if (index < warmUpPairs) continue;
    samples.known.push(knownResult[0]);
    samples.unknown.push(unknownResult[0]);
  }
  return samples;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function standardErrorOfMedian(values: number[]): number {
  const center = median(values);
  const mad = median(values.map((value) => Math.abs(value - center)));
  return (1.253 * 1.4826 * mad) / Math.sqrt(values.length);
}

/** Returns the difference of medians, the noise bound, and whether they are distinguishable. */
function compareTimes(a: number[], b: number[]) {
  const difference = Math.abs(median(a) - median(b));
  const noise = 4 * Math.hypot(standardErrorOfMedian(a), standardErrorOfMedian(b));
  const bound = Math.max(floorMs, noise);
  return {
    difference,
    bound,
    medians: [median(a), median(b)],
    distinguishable: difference > bound,
  };
}

function withoutRequestId(response: LightMyRequestResponse) {
  const body = response.json<Record<string, unknown>>();
  delete body.requestId;
  return { status: response.statusCode, body, cookies: response.cookies.map((c) => c.name) };
}

function assertIndistinguishable(samples: Samples): void {
  assert.deepEqual(
    withoutRequestId(samples.knownResponse),
    withoutRequestId(samples.unknownResponse),
  );
  const timing = compareTimes(samples.known, samples.unknown);
  assert.ok(
    !timing.distinguishable,
    `median times differ by ${timing.difference.toFixed(2)} ms (known ` +
      `${timing.medians[0]?.toFixed(2)} ms, unknown ${timing.medians[1]?.toFixed(2)} ms), ` +
      `more than the noise bound of ${timing.bound.toFixed(2)} ms`,
  );
}

function post(url: string, body: unknown, browser = new Browser(store.app)) {
  return () => browser.request('POST', url, body);
}

describe('account enumeration', () => {
  it('login responds alike for both', async () => {
    const samples = await measure(
      post('/api/store/auth/login', { email: 'known@example.com', password: 'wrong password 1' }),
      () =>
        post('/api/store/auth/login', { email: unknownEmail(), password: 'wrong password 1' })(),
    );

    assert.equal(samples.knownResponse.statusCode, 401);
    assertIndistinguishable(samples);
  });

  it('registration responds alike for both', async () => {
    const samples = await measure(
      post('/api/store/auth/register', {
        email: 'known@example.com',
        password: 'another fine passphrase',
        name: 'Someone',
      }),
      () =>
        post('/api/store/auth/register', {
          email: unknownEmail(),
          password: 'another fine passphrase',
          name: 'Someone',
        })(),
    );

    assert.equal(samples.knownResponse.statusCode, 202);
    assertIndistinguishable(samples);
  });

  it('password reset responds alike for both', async () => {
    const samples = await measure(
      post('/api/store/auth/password-reset', { email: 'known@example.com' }),
      () => post('/api/store/auth/password-reset', { email: unknownEmail() })(),
    );

    assert.equal(samples.knownResponse.statusCode, 202);
    assertIndistinguishable(samples);
  });

  it('email change responds alike for both', async () => {
    const browser = await createAccount(store.app, store.db, 'mover@example.com');
    await browser.login('mover@example.com', strongPassword);

    const samples = await measure(
      post(
        '/api/store/account/email',
        { password: strongPassword, newEmail: 'known@example.com' },
        browser,
      ),
      () =>
        post(
          '/api/store/account/email',
          { password: strongPassword, newEmail: unknownEmail() },
          browser,
        )(),
    );

    assert.equal(samples.knownResponse.statusCode, 202, samples.knownResponse.body);
    assertIndistinguishable(samples);
  });

  it('statistic flags a hash-sized difference', async () => {
    // Calibration: the statistic must distinguish a login (one password hash) from a reset
    // request (no hash). Otherwise the bound would be too loose to catch a missing dummy hash.
    const samples = await measure(
      () =>
        post('/api/store/auth/login', { email: unknownEmail(), password: 'wrong password 2' })(),
      () => post('/api/store/auth/password-reset', { email: unknownEmail() })(),
    );

    const timing = compareTimes(samples.known, samples.unknown);
    assert.ok(
      timing.distinguishable,
      `a hash (${timing.medians[0]?.toFixed(2)} ms) and no hash ` +
        `(${timing.medians[1]?.toFixed(2)} ms) were not told apart (bound ${timing.bound} ms)`,
    );
  });
});
