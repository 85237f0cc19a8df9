import { Writable } from 'node:stream';

/** One pino log line, parsed. */
export type LogEntry = Record<string, unknown> & { msg?: string; level?: number };

/** Creates a stream for startTestShop's `logStream` that keeps every line the shop logs. */
export function captureLogs(): { stream: Writable; entries(): LogEntry[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, entries: () => lines.map((line) => JSON.parse(line) as LogEntry) };
}
