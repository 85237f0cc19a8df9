// Child process that floods a shop with failing logins, started by startLoginFlood with a
// FloodPlan as JSON in its only argument. It reports over the IPC channel: `started` once
// autocannon runs, then `finished` with the status counts, or `failed`.
import autocannon from 'autocannon';

import {
  acceptedFloodStatuses,
  type FloodMessage,
  type FloodPlan,
  type FloodResult,
} from './login-flood.js';
import { percentile } from './measure.js';

/** One login in this many tries a seeded account; the rest try addresses that have none. */
const accountEvery = 10;
/**
 * Seconds a login may wait for its response before autocannon gives up and reconnects, counted
 * as a timeout. With the login limit raised, the last logins in a full hasher queue can wait
 * this long.
 */
const timeoutSeconds = 10;

/**
 * Returns the request autocannon cycles through. Each login carries a wrong password. Every
 * email without an account is used once, so its throttle, which blocks from the fifth failure,
 * never applies, and each such login that passes the per-address limit costs one dummy password
 * check. Every tenth login goes to a seeded account, whose throttle does apply.
 */
function loginRequests(accountEmails: string[]): autocannon.Request[] {
  let sent = 0;
  const nextBody = () => {
    sent += 1;
    const account = accountEmails[Math.floor(sent / accountEvery) % accountEmails.length];
    const email =
      sent % accountEvery === 0 && account ? account : `flood-${sent}@bench.example.com`;
    return JSON.stringify({ email, password: `wrong password ${sent}` });
  };

  // autocannon writes Content-Length into the headers object it gets, so each request gets a copy.
  return [
    {
      method: 'POST',
      path: '/api/store/auth/login',
      setupRequest: (request) => ({
        ...request,
        headers: { 'content-type': 'application/json' },
        body: nextBody(),
      }),
    },
  ];
}

async function flood(plan: FloodPlan, send: (message: FloodMessage) => void): Promise<FloodResult> {
  const instance = autocannon({
    url: plan.origin,
    connections: plan.connections,
    duration: plan.durationSeconds,
    pipelining: 1,
    timeout: timeoutSeconds,
    requests: loginRequests(plan.accountEmails),
  });
  const latencies: number[] = [];
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  send({ type: 'started' });
  const result = await instance;

  const statusCounts = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
  );
  const unexpected = Object.keys(statusCounts).filter(
    (status) => !(acceptedFloodStatuses as readonly number[]).includes(Number(status)),
  );
  // autocannon counts a timeout as an error too, so only the difference is a connection failure.
  const connectionErrors = result.errors - result.timeouts;
  if (unexpected.length > 0 || connectionErrors > 0) {
    const counts = Object.entries(statusCounts)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
    throw new Error(
      `logins with wrong passwords got statuses other than ${acceptedFloodStatuses.join('/')} ` +
        `or failed: ${connectionErrors} connection errors, status counts ${counts}`,
    );
  }

  return {
    connections: plan.connections,
    durationSeconds: result.duration,
    responsesPerSecond: result.requests.average,
    statusCounts,
    timeouts: result.timeouts,
    timeoutSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

function main(): void {
  const send = (message: FloodMessage) => {
    if (!process.send) throw new Error('login-flood-worker.ts must be started with an IPC channel');
    process.send(message);
  };
  const plan = JSON.parse(process.argv[2] ?? '') as FloodPlan;

  flood(plan, send).then(
    (result) => {
      send({ type: 'finished', result });
      process.disconnect();
    },
    (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.disconnect();
    },
  );
}

main();
