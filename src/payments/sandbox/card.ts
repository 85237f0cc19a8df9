/** Card fields as typed into the hosted page. They live only for the duration of one request. */
export interface CardInput {
  cardNumber: string;
  expiry: string;
  cvc: string;
  name: string;
}

export type CardField = keyof CardInput;

/** Outcome of charging a test card. */
export type CardOutcome = 'succeed' | 'decline' | 'challenge';

/** The sandbox's test cards, the only numbers it accepts. */
export const testCards: { number: string; outcome: CardOutcome; label: string }[] = [
  { number: '4242424242424242', outcome: 'succeed', label: 'Payment succeeds' },
  { number: '4000000000000002', outcome: 'decline', label: 'Card is declined' },
  {
    number: '4000002760003184',
    outcome: 'challenge',
    label: 'Asks for a one-time code (123456 succeeds)',
  },
];

/** The one-time code that passes the challenge step; any other six digits decline. */
export const challengeCode = '123456';

export type CardCheck =
  { ok: true; outcome: CardOutcome } | { ok: false; errors: Partial<Record<CardField, string>> };

/**
 * Validates the card fields (Luhn checksum, an expiry month that has not ended, a CVC of 3 or 4
 * digits, a cardholder name) and returns what the test card does. A valid number that is not a
 * test card is rejected as a field error, since the sandbox never charges real cards.
 */
export function checkCard(input: CardInput, now = new Date()): CardCheck {
  const errors: Partial<Record<CardField, string>> = {};

  const number = normaliseCardNumber(input.cardNumber);
  const numberError = cardNumberError(number);
  if (numberError) errors.cardNumber = numberError;

  const expiryError = checkExpiry(input.expiry, now);
  if (expiryError) errors.expiry = expiryError;

  if (!/^\d{3,4}$/.test(input.cvc.trim())) {
    errors.cvc = 'Enter the 3 or 4 digit security code from the card.';
  }

  const name = input.name.trim();
  if (name === '') errors.name = 'Enter the name shown on the card.';
  else if (name.length > 100) errors.name = 'The name must be at most 100 characters long.';

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const card = testCards.find((candidate) => candidate.number === number);
  if (!card) {
    return {
      ok: false,
      errors: { cardNumber: 'This sandbox accepts only the test cards listed on this page.' },
    };
  }
  return { ok: true, outcome: card.outcome };
}

/** Removes the spaces and dashes people type between digit groups. */
export function normaliseCardNumber(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

function cardNumberError(number: string): string | undefined {
  if (number === '') return 'Enter the card number.';
  if (!/^\d{12,19}$/.test(number)) return 'A card number has 12 to 19 digits.';
  if (!passesLuhn(number)) return 'This card number is invalid; check it for typing errors.';
  return undefined;
}

/** Checks the Luhn (mod 10) checksum that every payment card number carries. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = Number(digits[index]);
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Accepts MM/YY or MM/YYYY. A card stays valid through the last day of its expiry month. The
 * month is compared in UTC, so near midnight at the month's end the result may differ by a day
 * from the shopper's local calendar.
 */
function checkExpiry(raw: string, now: Date): string | undefined {
  const match = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(raw.trim());
  if (!match) return 'Enter the expiry date as MM/YY.';

  const month = Number(match[1]);
  const yearText = match[2] ?? '';
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  if (month < 1 || month > 12) return 'The expiry month must be between 01 and 12.';

  const currentYear = now.getUTCFullYear();
  const currentMonth = now.getUTCMonth() + 1;
  if (year < currentYear || (year === currentYear && month < currentMonth)) {
    return 'This card has expired.';
  }
  if (year > currentYear + 20) return 'The expiry year is too far in the future.';
  return undefined;
}
