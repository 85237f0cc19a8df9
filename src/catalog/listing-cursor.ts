import { AppError } from '../server/errors.js';

/**
 * Position of the last product on the previous page of a listing. Listings are ordered by
 * title (case insensitive) and search results by relevance score, each with the product id as
 * tie-breaker.
 */
export type ListingCursor =
  { order: 'title'; title: string; id: string } | { order: 'score'; score: number; id: string };

/** Encodes a cursor as opaque URL-safe text. It is not signed: it only selects a position. */
export function encodeCursor(cursor: ListingCursor): string {
  const position = cursor.order === 'title' ? cursor.title : cursor.score;
  return Buffer.from(JSON.stringify([cursor.order, position, cursor.id])).toString('base64url');
}

/**
 * Decodes a cursor made by encodeCursor for a listing in the given order. Throws AppError
 * VALIDATION_FAILED for anything else, including a search cursor used for a plain listing.
 */
export function decodeCursor(text: string, order: ListingCursor['order']): ListingCursor {
  const value = parseJson(Buffer.from(text, 'base64url').toString('utf8'));
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== order) throw invalidCursor();

  const [, position, id] = value as unknown[];
  if (typeof id !== 'string' || id.length > 64) throw invalidCursor();
  if (order === 'title' && typeof position === 'string' && position.length <= 1000) {
    return { order, title: position, id };
  }
  if (order === 'score' && typeof position === 'number' && Number.isFinite(position)) {
    return { order, score: position, id };
  }
  throw invalidCursor();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidCursor();
  }
}

function invalidCursor(): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    'The cursor is invalid; use the nextCursor value of the previous page unchanged.',
  );
}
