import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import cliProgress from 'cli-progress';

import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Config } from '../server/config.js';
import { type ImportProgress, type ImportReport, importProductCsv } from './csv-import/importer.js';

const usage = 'Usage: storefort import FILE.csv';

/** Without a terminal, a progress line is printed after this many products. */
const plainProgressEvery = 100;

/**
 * Runs `storefort import FILE.csv`: migrates the database named by DATABASE_URL, imports the
 * Shopify product export and prints a summary with every rejected row. Returns 0 when every
 * row was imported, 1 when any row was rejected or the file could not be read, 64 for usage
 * errors.
 */
export async function runImportCommand(args: string[], config: Config): Promise<number> {
  const file = readFileArgument(args);
  if (file === undefined) {
    console.error(usage);
    return 64;
  }

  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    console.error(`storefort import: cannot read ${file}: ${(error as Error).message}`);
    return 1;
  }

  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const progress = startProgress(size);
    const report = await importProductCsv(db.kysely, createReadStream(file), {
      currency: config.currency,
      onProgress: progress.update,
    });
    progress.stop();

    console.log(formatImportSummary(file, report).join('\n'));
    return report.issueCount > 0 || report.fatal ? 1 : 0;
  } finally {
    await db.close();
  }
}

function readFileArgument(args: string[]): string | undefined {
  try {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
    return positionals.length === 1 ? positionals[0] : undefined;
  } catch {
    return undefined;
  }
}

interface Progress {
  update(progress: ImportProgress): void;
  stop(): void;
}

/** Starts a progress bar on a terminal, or prints a plain line every 100 products otherwise. */
function startProgress(totalBytes: number): Progress {
  if (!process.stderr.isTTY) {
    return {
      update: ({ bytesRead, products }) => {
        if (products % plainProgressEvery !== 0) return;
        console.error(
          `imported ${products} products (${percent(bytesRead, totalBytes)}% of the file)`,
        );
      },
      stop: () => {},
    };
  }

  const bar = new cliProgress.SingleBar(
    { format: 'importing [{bar}] {percentage}% | {products} products', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(totalBytes, 1), 0, { products: 0 });
  return {
    update: ({ bytesRead, products }) => bar.update(bytesRead, { products }),
    stop: () => {
      bar.update(Math.max(totalBytes, 1));
      bar.stop();
    },
  };
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.min(100, Math.round((part / whole) * 100));
}

/** Formats the lines printed after an import: counts, then each problem with its line number. */
export function formatImportSummary(file: string, report: ImportReport): string[] {
  const lines = [
    `Imported ${file}`,
    `  products:     ${report.products} (${report.created} new, ${report.updated} updated)`,
    `  variants:     ${report.variants}`,
    `  images:       ${report.images}`,
    `  skipped rows: ${report.skippedRows} of ${report.rowsRead}`,
  ];
  if (report.fatal) {
    lines.push(
      `The file could not be read to its end (line ${report.fatal.line}): ${report.fatal.message}`,
    );
  }
  if (report.issues.length > 0) lines.push('Rejected:');

  for (const issue of report.issues) {
    const product = issue.handle === null ? '' : ` (${issue.handle})`;
    lines.push(`  line ${issue.line}${product}: ${issue.message}`);
  }
  const unlisted = report.issueCount - report.issues.length;
  if (unlisted > 0) lines.push(`  … and ${unlisted} more problems`);
  return lines.map(toPrintable);
}

/**
 * Replaces control characters and bidirectional overrides with U+FFFD. Handles and cell values
 * in messages come from the file, and a hostile file must not send escape sequences to the
 * terminal or reorder what it shows.
 */
function toPrintable(line: string): string {
  return line.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, '\uFFFD');
}
