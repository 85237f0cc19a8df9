import { AppError } from '../server/errors.js';

// Control characters and bidirectional overrides, as at checkout: they could hide or reorder
// text where it is displayed. Multi-line fields allow line feeds (a CR LF pair becomes LF).
const controlCharacters = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const controlCharactersButNewline =
  /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Returns `value` trimmed and NFC-normalised, or raises VALIDATION_FAILED naming `field` when it
 * is not text, is shorter than `min` or longer than `max` UTF-16 code units, or contains control
 * characters. Services call it because the HTML forms reach them without the route schemas.
 */
export function requireText(
  value: unknown,
  field: string,
  limits: { min: number; max: number; multiline?: boolean },
): string {
  if (typeof value !== 'string') invalid(field, 'must be text');

  let text = value.normalize('NFC').trim();
  if (limits.multiline) text = text.replaceAll('\r\n', '\n');
  if (text.length < limits.min) invalid(field, 'is required');
  if (text.length > limits.max) invalid(field, `may be at most ${limits.max} characters long`);

  const forbidden = limits.multiline ? controlCharactersButNewline : controlCharacters;
  if (forbidden.test(text)) invalid(field, 'contains a control character');
  return text;
}

/** Raises VALIDATION_FAILED for one field, in the shape checkout uses. */
export function invalid(field: string, problem: string): never {
  throw new AppError('VALIDATION_FAILED', `${field} ${problem}.`, {
    errors: [{ field, message: problem }],
  });
}
