import { Transform, type TransformCallback } from 'node:stream';

const newline = 0x0a;

/**
 * Counts line breaks in the bytes that flow through it, so records can be reported with the
 * physical line they start on. csv-parse's own line counter is off for CRLF files whose
 * quoted fields hold line breaks, so the importer counts bytes itself.
 */
export class LineIndex extends Transform {
  /** Byte offsets of the "\n" characters not yet forgotten, ascending. */
  private offsets: number[] = [];
  private forgottenLines = 0;
  private bytesSeen = 0;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let at = bytes.indexOf(newline); at !== -1; at = bytes.indexOf(newline, at + 1)) {
      this.offsets.push(this.bytesSeen + at);
    }
    this.bytesSeen += bytes.length;
    done(null, bytes);
  }

  /** Returns the 1-based line that contains the byte at `offset`. */
  lineAt(offset: number): number {
    return this.forgottenLines + countBelow(this.offsets, offset) + 1;
  }

  /** Drops the offsets before `offset`; later calls must not ask about those bytes again. */
  forgetBefore(offset: number): void {
    const count = countBelow(this.offsets, offset);
    if (count < 4096) return;
    this.offsets = this.offsets.slice(count);
    this.forgottenLines += count;
  }
}

/** Number of entries in an ascending array that are below `value` (binary search). */
function countBelow(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
