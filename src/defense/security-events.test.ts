import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import { pino } from 'pino';

import { createSecurityEventGate } from './security-events.js';

function recordingLog() {
  const entries: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      entries.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'warn' }, stream), entries };
}

function fakeClock() {
  let time = 1_000_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

/** Waits until pino has written to the stream; it writes synchronously but the test checks. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createSecurityEventGate', () => {
  it('admits the limit and drops the rest', () => {
    const { log } = recordingLog();
    const gate = createSecurityEventGate({ limit: 2, windowMs: 60_000 });

    const decisions = [1, 2, 3, 4].map(() => gate.admit('203.0.113.5', log));

    assert.deepEqual(decisions, [true, true, false, false]);
  });

  it('logs dropped events at powers of ten', async () => {
    const { log, entries } = recordingLog();
    const gate = createSecurityEventGate({ limit: 1, windowMs: 60_000 });

    for (let count = 0; count < 1 + 150; count += 1) gate.admit('203.0.113.5', log);
    await flush();

    assert.deepEqual(
      entries.map((entry) => entry.dropped),
      [1, 10, 100],
    );
    assert.equal(JSON.stringify(entries).includes('203.0.113.5'), false);
  });

  it('logs the total when the address is admitted again', async () => {
    const clock = fakeClock();
    const { log, entries } = recordingLog();
    const gate = createSecurityEventGate({ limit: 1, windowMs: 60_000, now: clock.now });
    for (let count = 0; count < 5; count += 1) gate.admit('203.0.113.5', log);

    clock.advance(60_000);
    const admitted = gate.admit('203.0.113.5', log);
    await flush();

    assert.equal(admitted, true);
    const summary = entries.at(-1);
    assert.equal(summary?.msg, 'security events dropped over the rate limit');
    assert.equal(summary?.dropped, 4);
  });

  it('counts an IPv6 /64 as one source', () => {
    const { log } = recordingLog();
    const gate = createSecurityEventGate({ limit: 1, windowMs: 60_000 });

    gate.admit('2001:db8:0:1::1', log);

    assert.equal(gate.admit('2001:db8:0:1::2', log), false);
    assert.equal(gate.admit('2001:db8:0:2::1', log), true);
  });
});
