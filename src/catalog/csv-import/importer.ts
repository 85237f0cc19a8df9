import type { Kysely } from 'kysely';

import type { Database } from '../../db/schema.js';
import { currencyExponent } from '../money.js';
import { type ImportSource, readCsvRecords } from './csv-records.js';
import { type GroupEvent, type ProductGroup, ProductGrouper } from './product-groups.js';
import { mapProduct } from './product-mapper.js';
import { writeProduct } from './product-writer.js';

export type { ImportSource } from './csv-records.js';

export interface ImportOptions {
  /** ISO 4217 code of the shop's currency; prices are read with its number of decimals. */
  currency: string;
  /** Called after each product with the bytes of the file read so far. */
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  bytesRead: number;
  products: number;
}

export interface ImportIssue {
  /** Physical line in the file (the header is line 1). */
  line: number;
  handle: string | null;
  message: string;
}

export interface ImportReport {
  /** Products written, and how many of them were new. */
  products: number;
  created: number;
  updated: number;
  variants: number;
  images: number;
  /** Data records read, including those the parser could not read. */
  rowsRead: number;
  /** Records that were not imported: their own fault, or part of a rejected product. */
  skippedRows: number;
  /** The first `maxReportedIssues` rejected rows, in file order; `issueCount` counts them all. */
  issues: ImportIssue[];
  issueCount: number;
  /** Set when the file could not be read to its end; products before it are kept. */
  fatal: ImportIssue | null;
}

/** Problems beyond this many are counted but not listed, so a garbage file cannot exhaust memory. */
export const maxReportedIssues = 1000;

/**
 * Imports a Shopify product CSV export. Each product is written in its own transaction, keyed
 * by handle, so re-importing a file updates products in place and a product with any bad row
 * is skipped whole while the others import. Rejected rows are reported with their line number
 * and the reason. Bad input is reported, not thrown; database failures and an unknown currency
 * throw.
 */
export async function importProductCsv(
  db: Kysely<Database>,
  source: ImportSource,
  options: ImportOptions,
): Promise<ImportReport> {
  const exponent = currencyExponent(options.currency);
  if (exponent === undefined) throw new Error(`unknown currency "${options.currency}"`);

  const run = new ImportRun(db, exponent, options);
  const grouper = new ProductGrouper();
  for await (const record of readCsvRecords(source)) {
    if (record.kind === 'fatal') {
      run.fail({ line: record.line, handle: null, message: record.reason });
      break;
    }
    run.countRecord(record.kind === 'row' ? record.bytesRead : undefined);
    await run.handle(grouper.push(record));
  }

  // After a read failure the last product may be missing rows, so it is rejected.
  const fatal = run.report.fatal;
  const cutOff = fatal
    ? { line: fatal.line, message: 'the file ended before this product was complete' }
    : undefined;
  await run.handle(grouper.finish(cutOff));
  run.report.issues.sort((a, b) => a.line - b.line);
  return run.report;
}

/** The state of one import: counters, issues and the bytes read so far. */
class ImportRun {
  readonly report: ImportReport = {
    products: 0,
    created: 0,
    updated: 0,
    variants: 0,
    images: 0,
    rowsRead: 0,
    skippedRows: 0,
    issues: [],
    issueCount: 0,
    fatal: null,
  };
  private bytesRead = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly exponent: number,
    private readonly options: ImportOptions,
  ) {}

  countRecord(bytesRead: number | undefined): void {
    this.report.rowsRead += 1;
    if (bytesRead !== undefined) this.bytesRead = bytesRead;
  }

  fail(issue: ImportIssue): void {
    this.report.fatal = issue;
  }

  async handle(events: GroupEvent[]): Promise<void> {
    for (const event of events) {
      if (event.kind === 'product') {
        await this.importGroup(event.group);
        continue;
      }
      this.report.skippedRows += 1;
      this.addIssue({ line: event.line, handle: event.handle, message: event.message });
    }
  }

  private async importGroup(group: ProductGroup): Promise<void> {
    const mapped =
      group.blockers.length > 0 ? undefined : mapProduct(group.handle, group.rows, this.exponent);
    if (!mapped?.ok) {
      const issues = mapped ? mapped.issues : group.blockers;
      for (const issue of issues) this.addIssue({ ...issue, handle: group.handle });
      this.report.skippedRows += group.rows.length;
      return;
    }

    const outcome = await writeProduct(this.db, mapped.draft);
    this.report.products += 1;
    this.report[outcome] += 1;
    this.report.variants += mapped.draft.variants.length;
    this.report.images += mapped.draft.images.length;
    this.options.onProgress?.({ bytesRead: this.bytesRead, products: this.report.products });
  }

  private addIssue(issue: ImportIssue): void {
    this.report.issueCount += 1;
    if (this.report.issues.length < maxReportedIssues) this.report.issues.push(issue);
  }
}
