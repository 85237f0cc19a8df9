import type { CsvRecord } from './csv-records.js';
import type { RowIssue, SourceRow } from './product-mapper.js';

/** The consecutive rows of one handle, and what stops the product from being imported. */
export interface ProductGroup {
  handle: string;
  rows: SourceRow[];
  /** Problems outside the product's own rows that reject it as a whole. */
  blockers: RowIssue[];
}

export type GroupEvent =
  | { kind: 'product'; group: ProductGroup }
  | { kind: 'rejected-row'; line: number; handle: string | null; message: string };

type ReadRecord = Extract<CsvRecord, { kind: 'row' | 'unreadable' }>;

/**
 * Collects consecutive rows with the same handle into products. A record the parser could not
 * read may belong to the product before it or to the one after it. It rejects the product
 * before when its handle matches or cannot be determined, and the product after likewise, so
 * that no product is imported with a row missing.
 */
export class ProductGrouper {
  private current: ProductGroup | undefined;
  private readonly firstLineByHandle = new Map<string, number>();
  private unreadableBefore: { line: number; handle: string | undefined } | undefined;

  push(record: ReadRecord): GroupEvent[] {
    return record.kind === 'row' ? this.pushRow(record) : this.pushUnreadable(record);
  }

  /** Ends the file; `error` rejects the last product when the file ended abnormally. */
  finish(error?: RowIssue): GroupEvent[] {
    if (this.current && error) this.current.blockers.push(error);
    return this.flush();
  }

  private pushRow(record: Extract<CsvRecord, { kind: 'row' }>): GroupEvent[] {
    const handle = (record.row.handle ?? '').trim();
    const row = { line: record.line, row: record.row };
    if (handle === '') {
      return [
        { kind: 'rejected-row', line: record.line, handle: null, message: 'Handle is missing' },
      ];
    }
    if (this.current?.handle === handle) {
      this.current.rows.push(row);
      return [];
    }

    const events = this.flush();
    this.current = { handle, rows: [row], blockers: this.blockersForNewGroup(handle, record.line) };
    return events;
  }

  private pushUnreadable(record: Extract<CsvRecord, { kind: 'unreadable' }>): GroupEvent[] {
    const { line, handle } = record;
    const blocker = {
      line,
      message: `not imported because the record on line ${line} could not be read`,
    };

    if (this.current && (handle === undefined || handle === this.current.handle)) {
      this.current.blockers.push(blocker);
    }
    if (handle === undefined || handle !== this.current?.handle) {
      this.unreadableBefore = { line, handle };
    }
    return [{ kind: 'rejected-row', line, handle: handle ?? null, message: record.reason }];
  }

  private blockersForNewGroup(handle: string, line: number): RowIssue[] {
    const blockers: RowIssue[] = [];

    const firstLine = this.firstLineByHandle.get(handle);
    if (firstLine === undefined) {
      this.firstLineByHandle.set(handle, line);
    } else {
      blockers.push({
        line,
        message: `the rows of a product must be consecutive; this handle already appeared on line ${firstLine}`,
      });
    }

    const unreadable = this.unreadableBefore;
    this.unreadableBefore = undefined;
    if (unreadable && (unreadable.handle === undefined || unreadable.handle === handle)) {
      blockers.push({
        line: unreadable.line,
        message: `not imported because the record on line ${unreadable.line} could not be read`,
      });
    }
    return blockers;
  }

  private flush(): GroupEvent[] {
    const group = this.current;
    this.current = undefined;
    return group ? [{ kind: 'product', group }] : [];
  }
}
