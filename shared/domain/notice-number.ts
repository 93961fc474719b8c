/**
 * pagoPA notice numbers (codice avviso, NAV) and IUVs (identificativo univoco di versamento).
 * Source: pagoPA's SACI 3.x (Specifiche Attuative dei Codici Identificativi di versamento,
 * riversamento e rendicontazione), which defines the notice number (codice avviso) and the IUV.
 *
 *   aux 3: 3 + segregation code(2) + base(13) + check(2)      IUV = last 17 digits
 *   aux 0: 0 + application code(2) + base(13) + check(2)      IUV = base + check (15)
 *   aux 1: 1 + 17 digits, no check digits                     IUV = the 17 digits
 *   aux 2: 2 + base(15) + check(2)                            IUV = base + check (17)
 *
 * Check digits = (aux ‖ code ‖ base) mod 93, two digits. The creditor fiscal code is not an input.
 */

/** Segregation codes reserved to national services: never assign one to a municipality. */
export const RESERVED_SEGREGATION_CODES: readonly string[] = ['99', '98', '97', '96', '85', '81', '47'];

/** The largest 13-digit base, i.e. the most notices one segregation code can ever number. */
export const MAX_IUV_BASE = 9_999_999_999_999n;

export type AuxDigit = 0 | 1 | 2 | 3;

export interface ParsedNoticeNumber {
  readonly noticeNumber: string;
  readonly auxDigit: AuxDigit;
  readonly iuv: string;
  /** aux 3 only */
  readonly segregationCode?: string;
  /** aux 0 only */
  readonly applicationCode?: string;
  /** the two check digits, absent for aux 1 */
  readonly checkDigits?: string;
}

export type NoticeNumberError =
  | { readonly code: 'FORMAT'; readonly message: string }
  | { readonly code: 'AUX_DIGIT'; readonly message: string }
  | { readonly code: 'CHECK_DIGITS'; readonly message: string; readonly expected: string };

export type ParseResult =
  | { readonly ok: true; readonly value: ParsedNoticeNumber }
  | { readonly ok: false; readonly error: NoticeNumberError };

/** Two-digit mod-93 check over a string of digits. */
export function checkDigits(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError('check digits are computed over digits only');
  return (BigInt(digits) % 93n).toString().padStart(2, '0');
}

export function isValidSegregationCode(code: string): boolean {
  return /^\d{2}$/.test(code) && !RESERVED_SEGREGATION_CODES.includes(code);
}

/** Builds the aux-3 IUV and notice number for a tenant's segregation code and a 13-digit base. */
export function makeNoticeNumber(segregationCode: string, base: bigint): { iuv: string; nav: string } {
  if (!/^\d{2}$/.test(segregationCode)) throw new RangeError('segregation code must be 2 digits');
  if (base < 0n || base > MAX_IUV_BASE) throw new RangeError('IUV base must fit 13 digits');
  const base13 = base.toString().padStart(13, '0');
  const check = checkDigits(`3${segregationCode}${base13}`);
  const iuv = `${segregationCode}${base13}${check}`;
  return { iuv, nav: `3${iuv}` };
}

/** Parses any of the aux 0/1/2/3 forms and verifies the check digits where the form has them. */
export function parseNoticeNumber(input: string): ParseResult {
  if (!/^\d{18}$/.test(input)) {
    return fail({ code: 'FORMAT', message: 'a notice number is exactly 18 digits' });
  }
  const aux = Number(input[0]);
  switch (aux) {
    case 3: {
      const segregationCode = input.slice(1, 3);
      return withCheck(input, 3, input.slice(1), { segregationCode });
    }
    case 0: {
      const applicationCode = input.slice(1, 3);
      return withCheck(input, 0, input.slice(3), { applicationCode });
    }
    case 2:
      return withCheck(input, 2, input.slice(1), {});
    case 1:
      return { ok: true, value: { noticeNumber: input, auxDigit: 1, iuv: input.slice(1) } };
    default:
      return fail({ code: 'AUX_DIGIT', message: `aux digit ${aux} is not a pagoPA form (0, 1, 2 or 3)` });
  }
}

/** The aux-3 notice number of an IUV (17 digits: segregation code + base + check). */
export function navFromIuv(iuv: string): string {
  return `3${iuv}`;
}

/** "302000000000000184" → "3020 0000 0000 0001 84", as printed on the notice. */
export function formatNoticeNumberForPrint(nav: string): string {
  return nav.replace(/(\d{4})(?=\d)/g, '$1 ');
}

function withCheck(
  noticeNumber: string,
  auxDigit: AuxDigit,
  iuv: string,
  extra: { segregationCode?: string; applicationCode?: string },
): ParseResult {
  const body = noticeNumber.slice(0, 16);
  const given = noticeNumber.slice(16);
  const expected = checkDigits(body);
  if (given !== expected) {
    return fail({ code: 'CHECK_DIGITS', message: `check digits are ${given}, expected ${expected}`, expected });
  }
  return { ok: true, value: { noticeNumber, auxDigit, iuv, checkDigits: given, ...extra } };
}

function fail(error: NoticeNumberError): ParseResult {
  return { ok: false, error };
}
