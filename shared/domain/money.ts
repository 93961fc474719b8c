/**
 * Money inside the layer is always an integer number of euro cents.
 * Decimal strings exist only at the edges: the SOAP boundary ("1020.99") and print ("1.020,99").
 */

/** The largest amount pagoPA accepts on a notice: 999.999.999,99 € (paForNode stAmount). */
export const MAX_AMOUNT_CENTS = 99_999_999_999;

/**
 * The largest amount a debt position's option may have here: 99.999.999,99 €. The printed notice
 * carries the amount in cents in at most 10 digits (the QR code and the Poste Data Matrix, see
 * shared/notice/barcodes.ts and MAX_PRINTABLE_AMOUNT_CENTS in shared/domain/notice/document.ts), and
 * every published position gets a printed notice: a larger amount could be paid at the node but
 * its notice could never be rendered.
 */
export const MAX_NOTICE_AMOUNT_CENTS = 9_999_999_999;

export function isValidAmountCents(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_AMOUNT_CENTS;
}

/** 102099 → "1020.99" (pagoPA SOAP `stAmount`, `\d+\.\d{2}`). */
export function centsToDecimalString(cents: number): string {
  assertCents(cents);
  const whole = Math.floor(cents / 100);
  const fraction = cents % 100;
  return `${whole}.${fraction.toString().padStart(2, '0')}`;
}

/**
 * "1020.99" | "1020.9" | "1020" → 102099 | 102090 | 102000. Rejects more than two decimals,
 * signs, exponents and anything that is not plain digits: amounts never go through floats.
 */
export function decimalStringToCents(text: string): number | null {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  const cents = whole * 100 + fraction;
  return Number.isSafeInteger(cents) ? cents : null;
}

/**
 * A JSON number in euro (e.g. 123.45, as in pagoPA's JSON receipt model) → cents, or null when it
 * is not a whole number of cents. Uses the shortest decimal representation, not float arithmetic.
 */
export function euroNumberToCents(value: number): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const text = value.toString();
  if (/e/i.test(text)) return null;
  return decimalStringToCents(text);
}

/** 102099 → "1.020,99" (Italian print format, as on the avviso). */
export function formatEuroItalian(cents: number): string {
  assertCents(cents);
  const whole = Math.floor(cents / 100);
  const fraction = (cents % 100).toString().padStart(2, '0');
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${grouped},${fraction}`;
}

function assertCents(cents: number): void {
  if (!Number.isSafeInteger(cents) || cents < 0) {
    throw new RangeError(`amount must be a non-negative integer number of cents, got ${String(cents)}`);
  }
}
