import autocannon from 'autocannon';

/** One load test: what is requested, and how autocannon should send it. */
export interface Scenario {
  name: string;
  /** Method and path shown in the results, e.g. `GET /api/store/products/blue-mug`. */
  request: string;
  origin: string;
  /** Path of the GET request sent when `requests` is absent. Default `/`. */
  path?: string;
  /** Requests autocannon cycles through, in place of a GET of `path`. */
  requests?: autocannon.Request[];
  /** Stops the run after this many requests, for scenarios whose fixtures run out. */
  maxRequests?: number;
}

export interface Measurement {
  name: string;
  request: string;
  /** Mean of autocannon's per-second request counts. */
  requestsPerSecond: number;
  /** Latencies in milliseconds, from the timings of every 2xx response. */
  p50Ms: number;
  p99Ms: number;
  /** Responses with a 2xx status. The run fails on any other outcome. */
  responses: number;
  /** Requests autocannon sent, including those still in flight when the run stopped. */
  sent: number;
  durationSeconds: number;
}

export interface LoadSettings {
  durationSeconds: number;
  connections: number;
}

/**
 * Runs autocannon against one scenario with one request in flight per connection. Throws when
 * any request failed, timed out or got a non-2xx status, when no request got a response, and
 * when `maxRequests` ended the run early, because such numbers would not describe the route
 * working normally. Requests still in flight when the run ends count in no latency.
 */
export async function measure(scenario: Scenario, load: LoadSettings): Promise<Measurement> {
  const instance = autocannon({
    url: scenario.origin + (scenario.path ?? '/'),
    connections: load.connections,
    duration: load.durationSeconds,
    pipelining: 1,
    ...(scenario.requests ? { requests: scenario.requests } : {}),
    ...(scenario.maxRequests ? { maxOverallRequests: scenario.maxRequests } : {}),
  });

  // autocannon's own histogram stores whole milliseconds, which reads a sub-millisecond p99 as
  // 0. Its response events carry the hrtime measurement, so the percentiles are taken here.
  const latencies: number[] = [];
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await instance;

  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    const statuses = Object.entries(result.statusCodeStats)
      .map(([status, { count }]) => `${status}: ${count}`)
      .join(', ');
    throw new Error(
      `${scenario.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ` +
        `${result.timeouts} timeouts (status counts ${statuses}); a benchmark of failures ` +
        'measures nothing',
    );
  }
  if (result['2xx'] === 0) {
    throw new Error(
      `${scenario.name}: no response arrived within ${load.durationSeconds} s; the route did ` +
        `not answer at all (${result.requests.sent} requests sent)`,
    );
  }
  if (scenario.maxRequests && result['2xx'] >= scenario.maxRequests) {
    throw new Error(
      `${scenario.name}: the fixtures ran out after ${result['2xx']} requests, before ` +
        `${load.durationSeconds} s had passed; the results would cover a shorter run`,
    );
  }

  return {
    name: scenario.name,
    request: scenario.request,
    requestsPerSecond: result.requests.average,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    responses: result['2xx'],
    sent: result.requests.sent,
    durationSeconds: result.duration,
  };
}

/** Returns the nearest-rank percentile: the smallest value with p % of the values at or below it. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;

  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1] as number;
}

/**
 * Sends one request and throws unless it returns 200 with the expected media type, so a
 * scenario never measures an error page or a redirect.
 */
export async function checkResponds(url: string, mediaType: string): Promise<void> {
  const response = await fetch(url, { redirect: 'manual' });
  await response.arrayBuffer();

  const contentType = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || !contentType.startsWith(mediaType)) {
    throw new Error(`GET ${url} returned ${response.status} ${contentType}, not 200 ${mediaType}`);
  }
}
