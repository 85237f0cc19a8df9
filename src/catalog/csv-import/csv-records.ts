import { Readable } from 'node:stream';

import { type CsvError, type Options, type Parser, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

import { type ColumnIndex, type CsvRow, type HeaderResult, readHeader, toRow } from './columns.js';
import { LineIndex } from './line-index.js';

/** Input of the importer: a whole file in memory or a stream of its bytes. */
export type ImportSource = Buffer | string | Readable;

/**
 * One record of the file, in file order. `unreadable` is a record the CSV parser skipped
 * (broken quoting, wrong number of fields, over the size limit); `fatal` ends the file.
 */
export type CsvRecord =
  | { kind: 'row'; line: number; row: CsvRow; bytesRead: number }
  | { kind: 'unreadable'; line: number; reason: string; handle: string | undefined }
  | { kind: 'fatal'; line: number; reason: string };

/**
 * The largest record the parser buffers, in bytes. It bounds memory when a quote is never
 * closed, and leaves room for a body at its 512 KiB limit plus the other fields.
 */
export const maxRecordBytes = 2 * 1024 * 1024;

interface ParsedRecord {
  fields: string[];
  line: number;
  bytesRead: number;
}

/**
 * Reads a Shopify product CSV record by record. Handles a UTF-8 byte order mark, CRLF or LF
 * line endings and quoted fields containing line breaks. Every record carries the physical line
 * it starts on (the header is line 1). A parser error skips one record, and parsing goes on
 * where csv-parse can resynchronise. An unclosed quote makes the rest of the file one
 * unreadable record.
 */
export async function* readCsvRecords(source: ImportSource): AsyncGenerator<CsvRecord> {
  const state: ParseState = { lines: new LineIndex(), skipped: [], handleColumn: 0 };
  const parser = createParser(state);
  const input = toStream(source);

  // A failing source ends the parser instead of destroying it, so the rows read before the
  // failure still reach the importer. The failure is yielded after them.
  input.once('error', (error) => {
    state.sourceError = error;
    state.lines.end();
  });
  input.pipe(state.lines).pipe(parser);

  try {
    yield* readRecords(parser, state);
  } catch (error) {
    yield* drainSkipped(state.skipped, Infinity);
    yield unreadableFile(state, parser, error as Error);
  } finally {
    parser.destroy();
    input.destroy();
  }
}

function unreadableFile(state: ParseState, parser: Parser, error: Error): CsvRecord {
  return {
    kind: 'fatal',
    line: state.lines.lineAt(parser.info.bytes),
    reason: `the file could not be read: ${error.message}`,
  };
}

/** State shared by the parser callbacks and the reading loop. */
interface ParseState {
  lines: LineIndex;
  /** Records the parser skipped and the loop has not yielded yet, in file order. */
  skipped: CsvRecord[];
  handleColumn: number;
  /** Set when the source stream failed; the parser then ends at the bytes it received. */
  sourceError?: Error;
}

function createParser(state: ParseState): Parser {
  const options: Options<ParsedRecord, { record: string[] }> = {
    bom: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    max_record_size: maxRecordBytes,
    // `raw` hands on_skip the text of a rejected record, from which its handle is guessed.
    raw: true,
    on_record: ({ record: fields }, context) => {
      const line = startLine(state.lines, fields, context.bytes);
      state.lines.forgetBefore(context.bytes);
      return { fields, line, bytesRead: context.bytes };
    },
    on_skip: (error, raw) => {
      const skip = describeSkip(state.lines, error, raw, state.handleColumn);
      // One broken record can raise several errors on the same line; report it once.
      if (state.skipped.at(-1)?.line !== skip.line) state.skipped.push(skip);
      return undefined;
    },
  };
  // csv-parse types on_record as returning the record type unchanged when `columns` is off.
  return parse(options as unknown as Options);
}

/**
 * Yields rows after the header. Parser callbacks run ahead of this loop, so a skipped record
 * is yielded just before the first row that follows it in the file.
 */
async function* readRecords(parser: Parser, state: ParseState): AsyncGenerator<CsvRecord> {
  let header: ColumnIndex | undefined;
  for await (const record of parser as AsyncIterable<ParsedRecord>) {
    if (header === undefined) {
      const result = readHeaderRecord(record);
      if (!result.ok) {
        yield { kind: 'fatal', line: 1, reason: result.reason };
        return;
      }
      header = result.index;
      state.handleColumn = header.get('handle') ?? 0;
      continue;
    }

    yield* drainSkipped(state.skipped, record.line);
    const row = toRow(record.fields, header);
    yield { kind: 'row', line: record.line, row, bytesRead: record.bytesRead };
  }

  if (state.sourceError) {
    yield* drainSkipped(state.skipped, Infinity);
    yield unreadableFile(state, parser, state.sourceError);
    return;
  }
  if (header === undefined) {
    const reason =
      state.skipped.length > 0
        ? 'the header row on line 1 could not be read'
        : 'the file is empty; a header row is required';
    yield { kind: 'fatal', line: 1, reason };
    return;
  }
  yield* drainSkipped(state.skipped, Infinity);
}

function readHeaderRecord(record: ParsedRecord): HeaderResult {
  if (record.line !== 1) return { ok: false, reason: 'the header row on line 1 could not be read' };
  return readHeader(record.fields);
}

function* drainSkipped(skipped: CsvRecord[], beforeLine: number): Generator<CsvRecord> {
  while (skipped.length > 0 && (skipped[0] as CsvRecord).line < beforeLine) {
    yield skipped.shift() as CsvRecord;
  }
}

function startLine(lines: LineIndex, fields: string[], endOffset: number): number {
  const lastLine = lines.lineAt(Math.max(endOffset - 1, 0));
  return lastLine - countNewlines(fields);
}

function describeSkip(
  lines: LineIndex,
  error: CsvError | undefined,
  raw: string | undefined,
  handleColumn: number,
): CsvRecord {
  const offset = typeof error?.bytes === 'number' ? error.bytes : 0;
  const fields = Array.isArray(error?.record) ? (error.record as string[]) : [];
  return {
    kind: 'unreadable',
    line: lines.lineAt(Math.max(offset - 1, 0)) - countNewlines(fields),
    reason: describeParserError(error),
    handle: fields[handleColumn]?.trim() || guessHandle(raw, handleColumn),
  };
}

function describeParserError(error: CsvError | undefined): string {
  switch (error?.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed, so the rest of the file could not be read';
    case 'CSV_MAX_RECORD_SIZE':
      return `the record is larger than ${maxRecordBytes / 1024 / 1024} MiB (is a quote left open?)`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'the record does not have as many fields as the header';
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote character sits inside a field; quote the field and double the quote';
    default:
      return `the record could not be parsed (${error?.code ?? 'unknown error'})`;
  }
}

/** Reads the handle of a record the parser rejected, leniently. Returns undefined when unclear. */
function guessHandle(raw: string | undefined, handleColumn: number): string | undefined {
  if (raw === undefined) return undefined;

  // Quoting before the handle could shift the fields, so a plain split is trusted only without it.
  const leading =
    raw
      .split('\n', 1)[0]
      ?.split(',')
      .slice(0, handleColumn + 1) ?? [];
  if (leading.length === handleColumn + 1 && !leading.some((field) => field.includes('"'))) {
    return leading[handleColumn]?.trim() || undefined;
  }

  try {
    const [fields] = parseSync(raw, {
      relax_quotes: true,
      relax_column_count: true,
      to: 1,
    }) as string[][];
    return fields?.[handleColumn]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

function countNewlines(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) count += 1;
  }
  return count;
}

function toStream(source: ImportSource): Readable {
  if (typeof source === 'string' || Buffer.isBuffer(source)) {
    return Readable.from([Buffer.from(source)]);
  }
  return source;
}
