/**
 * An amount in integer minor units (cents for USD, öre for SEK, yen for JPY) with its currency.
 * Amounts never pass through floating point: parsing and formatting work on digit strings.
 */
export interface Money {
  amount: number;
  currency: string;
}

/** The largest amount in minor units the shop accepts: 10^13, far inside Number's exact range. */
export const MAX_MINOR_UNITS = 10_000_000_000_000;

// Building an Intl.NumberFormat is slow, and pages format dozens of prices, so each one is kept.
const formats = new Map<string, Intl.NumberFormat | null>();

function currencyFormat(locale: string, currency: string): Intl.NumberFormat | null {
  const key = `${locale} ${currency}`;
  let format = formats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      format = null;
    }
    // Only valid codes are kept, so a flood of made-up codes cannot grow the map.
    if (format) formats.set(key, format);
  }
  return format;
}

/** Returns the number of decimal places of an ISO 4217 currency, or undefined if unknown. */
export function currencyExponent(currency: string): number | undefined {
  return currencyFormat('en', currency)?.resolvedOptions().maximumFractionDigits;
}

export type ParseResult = { ok: true; value: number } | { ok: false; reason: string };

/**
 * Converts a decimal string such as "1099.00", "101.5" or "12" to minor units of a currency
 * with `exponent` decimals. Rejects signs, exponents, thousands separators and more decimals
 * than the currency has, except trailing zeros ("10.500" is 1050 for USD).
 */
export function parseDecimalToMinor(raw: string, exponent: number): ParseResult {
  const text = raw.trim();
  const match = /^(\d{1,15})(?:\.(\d{1,10}))?$/.exec(text);
  if (!match) return { ok: false, reason: `"${truncate(text)}" is not a decimal amount` };

  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    return { ok: false, reason: `"${truncate(text)}" has more than ${exponent} decimal places` };
  }

  const digits = whole + fraction.padEnd(exponent, '0');
  const value = Number(BigInt(digits));
  if (value > MAX_MINOR_UNITS) return { ok: false, reason: `"${truncate(text)}" is too large` };
  return { ok: true, value };
}

/** Formats minor units as a plain decimal string ("1099.00"), without currency symbol. */
export function formatMinorAsDecimal(amount: number, exponent: number): string {
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const text = exponent === 0 ? whole : `${whole}.${fraction}`;
  return negative ? `-${text}` : text;
}

/** Formats money for shoppers in the given locale, e.g. "$10.99" or "1 099,00 kr". */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const exponent = currencyExponent(money.currency) ?? 2;
  const decimal = formatMinorAsDecimal(money.amount, exponent);
  const format =
    currencyFormat(locale, money.currency) ??
    new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
  // Intl accepts decimal strings exactly (ES2023 string-as-decimal), so no float rounding here.
  return format.format(decimal as unknown as number);
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
