import { basename, join } from 'node:path';

import pino, { type DestinationStream } from 'pino';

/**
 * When this variable names a directory, every test shop also writes its log lines (level info)
 * to a file there. scripts/test.mjs sets it for a full run and then scans the files for
 * secrets with scripts/scan-test-logs.mjs.
 */
export const testLogDirVariable = 'STOREFORT_TEST_LOG_DIR';

let opened = 0;

/** Returns true when this test run keeps log files. */
export function keepsTestLogs(): boolean {
  return Boolean(process.env[testLogDirVariable]);
}

/**
 * Returns `env` with LOG_LEVEL info when the run keeps log files and the test chose no level
 * (test shops are otherwise silent). A test's own level is left alone.
 */
export function withTestLogLevel(env: Record<string, string>): Record<string, string> {
  if (!keepsTestLogs() || env.LOG_LEVEL !== undefined) return env;
  return { ...env, LOG_LEVEL: 'info' };
}

/** The stream a test app logs to, and a function that closes its log file after the app. */
export interface TestLog {
  stream: DestinationStream | undefined;
  close(): void;
}

/**
 * Opens the log of one app of this test process: a new file in the log directory, combined
 * with the test's own stream when it has one. Without a log directory the stream is `own`
 * unchanged. Writes are synchronous, so a crash loses no line.
 */
export function openTestLog(app: string, own?: DestinationStream): TestLog {
  const dir = process.env[testLogDirVariable];
  if (!dir) return { stream: own, close: () => {} };

  opened += 1;
  const testFile = basename(process.argv[1] ?? 'unknown').replace(/[^A-Za-z0-9.-]/g, '_');
  const file = pino.destination({
    dest: join(dir, `${testFile}.${process.pid}.${opened}.${app}.log`),
    sync: true,
    mkdir: true,
  });
  const stream = own
    ? pino.multistream([
        { level: 'trace', stream: own },
        { level: 'info', stream: file },
      ])
    : file;
  return { stream, close: () => file.end() };
}
