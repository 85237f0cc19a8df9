// Scans the log files a test run wrote (see STOREFORT_TEST_LOG_DIR in test/support/log-files.ts)
// for secrets and credentials that must never reach a log line. Prints the file and line number
// of each hit and exits 1 when there is one. Usage: `node scripts/scan-test-logs.mjs DIR`.
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

// A JSON value that carries nothing: the logger's redaction censor, an empty string, or null.
const noValue = String.raw`(?:"\[redacted\]"|""|null\b)`;

/** Patterns of secrets that must not appear in a log line; one line may match several. */
export const leakRules = [
  { name: 'argon2 password hash', pattern: /\$argon2/ },
  {
    name: 'password with a value',
    pattern: new RegExp(String.raw`"(?:[A-Za-z_]*password)"\s*:\s*(?!${noValue})`, 'i'),
  },
  { name: 'otpauth URI', pattern: /otpauth:\/\//i },
  { name: 'secret= parameter', pattern: /(?:^|[^A-Za-z0-9])secret=[^&\s"]/i },
  {
    name: 'cookie header value',
    pattern: new RegExp(
      String.raw`"(?:set-)?cookie"\s*:\s*(?!${noValue})|\b(?:set-)?cookie:\s*[^\s=]+=|__Host-[A-Za-z-]+=[^;\s"]`,
      'i',
    ),
  },
  {
    name: 'authorization header value',
    pattern: new RegExp(
      String.raw`"authorization"\s*:\s*(?!${noValue})|\bauthorization:\s*\S|\bBearer\s+[A-Za-z0-9._~+/-]{16,}`,
      'i',
    ),
  },
  { name: 'token= query parameter', pattern: /[?&]token=[^&\s"]/ },
];

/** Returns the names of the rules `line` breaks; an empty list means the line is clean. */
export function findLeaks(line) {
  return leakRules.filter((rule) => rule.pattern.test(line)).map((rule) => rule.name);
}

/**
 * Reads every `*.log` file in `dir` line by line and returns the lines checked and the hits,
 * each with its file, line number and rule names (never the line itself, which contains the
 * secret).
 */
export async function scanLogDir(dir) {
  const hits = [];
  let lines = 0;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort();

  for (const name of files) {
    const reader = createInterface({
      input: createReadStream(join(dir, name)),
      crlfDelay: Infinity,
    });
    let number = 0;
    for await (const line of reader) {
      number += 1;
      lines += 1;
      const rules = findLeaks(line);
      if (rules.length > 0) hits.push({ file: name, line: number, rules });
    }
  }
  return { files: files.length, lines, hits };
}

/**
 * Prints the scan of `dir` and returns the process exit code: 0 when clean, 1 otherwise. With
 * `requireLines` (default false) a directory without log lines also fails, since a full test
 * run that logged nothing means the log files were never written.
 */
export async function reportLogScan(dir, { requireLines = false } = {}) {
  const { files, lines, hits } = await scanLogDir(dir);
  for (const hit of hits) {
    console.error(`${join(dir, hit.file)}:${hit.line}: ${hit.rules.join(', ')}`);
  }
  const summary = `log scan: ${lines} lines in ${files} files checked, ${hits.length} with secrets`;
  if (hits.length > 0) {
    console.error(`${summary}; the lines above must not be logged`);
    return 1;
  }
  if (lines === 0 && requireLines) {
    console.error(`${summary}; no test wrote a log line, so the scan proves nothing`);
    return 1;
  }
  console.log(summary);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/scan-test-logs.mjs LOG_DIR');
    process.exit(2);
  }
  process.exit(await reportLogScan(dir, { requireLines: true }));
}
