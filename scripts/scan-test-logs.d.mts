// Types of scan-test-logs.mjs, for the tests that import it.
export interface LeakRule {
  name: string;
  pattern: RegExp;
}

export interface LogScanHit {
  file: string;
  line: number;
  rules: string[];
}

export const leakRules: LeakRule[];
export function findLeaks(line: string): string[];
export function scanLogDir(
  dir: string,
): Promise<{ files: number; lines: number; hits: LogScanHit[] }>;
export function reportLogScan(dir: string, options?: { requireLines?: boolean }): Promise<number>;
