import { parseDecimalToMinor } from '../money.js';
import { type ColumnKey, columnNames, type CsvRow } from './columns.js';

/** Size limits for imported fields, in characters unless the name says bytes. */
export const fieldLimits = {
  handle: 200,
  text: 255,
  tags: 250,
  alt: 512,
  url: 2048,
  bodyBytes: 512 * 1024,
} as const;

const maxGrams = 1_000_000_000;
const maxQuantity = 1_000_000_000;
const maxImagePosition = 1_000_000;

/**
 * Reads typed values out of one CSV row and collects a message for every value that is
 * invalid, so one pass reports all problems of a row. Invalid values read as a neutral fallback;
 * callers must check `issues` before using what they read.
 */
export class RowFields {
  readonly issues: string[] = [];

  constructor(private readonly row: CsvRow) {}

  /** Returns the raw cell, trimmed. An absent column reads as an empty string. */
  raw(key: ColumnKey): string {
    return (this.row[key] ?? '').trim();
  }

  has(key: ColumnKey): boolean {
    return this.raw(key) !== '';
  }

  /** Reads a single-line text, in which runs of whitespace and control characters become one space. */
  line(key: ColumnKey, limit: number = fieldLimits.text): string {
    const value = this.raw(key)
      .replace(/[\s\p{Cc}]+/gu, ' ')
      .trim();
    if (value.length > limit) {
      this.fail(`${columnNames[key]} is longer than ${limit} characters (${value.length})`);
      return '';
    }
    return value;
  }

  /** Reads a multi-line text limited by its UTF-8 size, such as the HTML body. */
  document(key: ColumnKey, limitBytes: number): string {
    const value = this.raw(key);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > limitBytes) {
      this.fail(`${columnNames[key]} is larger than ${limitBytes / 1024} KiB (${bytes} bytes)`);
      return '';
    }
    return value;
  }

  /** Reads a price in minor units. Returns undefined when the cell is empty. */
  money(key: ColumnKey, exponent: number): number | undefined {
    const value = this.raw(key);
    if (value === '') return undefined;

    const parsed = parseDecimalToMinor(value, exponent);
    if (!parsed.ok) {
      this.fail(`${columnNames[key]} is invalid: ${parsed.reason}`);
      return undefined;
    }
    return parsed.value;
  }

  /** Reads grams given as a decimal ("1189.0", "226.796185"), rounded half up to whole grams. */
  grams(key: ColumnKey): number {
    const value = this.raw(key);
    if (value === '') return 0;

    const grams = roundDecimal(value);
    if (grams === undefined || grams > maxGrams) {
      this.fail(`${columnNames[key]} "${clip(value)}" is not a weight in grams`);
      return 0;
    }
    return grams;
  }

  /** Reads a whole number that may be negative (oversold stock). Returns undefined for an empty cell. */
  integer(key: ColumnKey): number | undefined {
    const value = this.raw(key);
    if (value === '') return undefined;

    if (!/^[+-]?\d{1,10}$/.test(value) || Math.abs(Number(value)) > maxQuantity) {
      this.fail(`${columnNames[key]} "${clip(value)}" is not a whole number`);
      return undefined;
    }
    return Number(value);
  }

  /** Reads a position counted from 1. Returns undefined when the cell is empty. */
  position(key: ColumnKey): number | undefined {
    const value = this.raw(key);
    if (value === '') return undefined;

    if (!/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > maxImagePosition) {
      this.fail(
        `${columnNames[key]} "${clip(value)}" is not a position from 1 to ${maxImagePosition}`,
      );
      return undefined;
    }
    return Number(value);
  }

  /** Reads TRUE or FALSE in any letter case. An empty cell reads as `fallback`. */
  flag(key: ColumnKey, fallback: boolean): boolean {
    const value = this.raw(key).toLowerCase();
    if (value === '') return fallback;
    if (value === 'true') return true;
    if (value === 'false') return false;

    this.fail(`${columnNames[key]} must be true or false, not "${clip(value)}"`);
    return fallback;
  }

  /** Reads one of `allowed` in any letter case. An empty cell reads as `fallback`. */
  choice<T extends string>(key: ColumnKey, allowed: readonly T[], fallback: T): T {
    const value = this.raw(key).toLowerCase();
    if (value === '') return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;

    this.fail(`${columnNames[key]} "${clip(value)}" is unknown; use ${allowed.join(' or ')}`);
    return fallback;
  }

  /** Reads an absolute http or https URL, kept as written. Returns undefined for an empty cell. */
  url(key: ColumnKey): string | undefined {
    const value = this.raw(key);
    if (value === '') return undefined;

    if (value.length > fieldLimits.url || /[\s\p{Cc}]/u.test(value) || !isHttpUrl(value)) {
      this.fail(`${columnNames[key]} "${clip(value)}" is not an http or https URL`);
      return undefined;
    }
    return value;
  }

  fail(message: string): void {
    this.issues.push(message);
  }
}

/**
 * Rounds a non-negative decimal string half up to an integer without going through floating
 * point. Returns undefined for anything but digits with an optional fraction.
 */
export function roundDecimal(text: string): number | undefined {
  const match = /^(\d{1,12})(?:\.(\d{1,20}))?$/.exec(text);
  if (!match) return undefined;

  const whole = Number(match[1]);
  const firstDecimal = match[2]?.charAt(0) ?? '0';
  return firstDecimal >= '5' ? whole + 1 : whole;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Shortens a cell for an error message so a 10,000-character value does not flood the report. */
export function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
