import { AppError } from '../server/errors.js';

/**
 * Position of the last item on the previous page of a newest-first listing (orders, reviews):
 * its creation time and, as tie-breaker, its id.
 */
export interface TimeCursor {
  createdAt: string;
  id: string;
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** Encodes a cursor as opaque URL-safe text. It is not signed: it only selects a position. */
export function encodeTimeCursor(cursor: TimeCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** Decodes a cursor made by encodeTimeCursor. Throws AppError VALIDATION_FAILED otherwise. */
export function decodeTimeCursor(text: string): TimeCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalidCursor();

  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== 'string' || !isoInstant.test(createdAt)) throw invalidCursor();
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalidCursor();
  return { createdAt, id };
}

function invalidCursor(): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    'The cursor is invalid; use the nextCursor value of the previous page unchanged.',
  );
}
