/**
 * Italian fiscal identifiers a back office can get wrong, as the Agenzia delle Entrate defines them
 * (the codice fiscale check character of DM 12/03/1974; the partita IVA check digit below).
 *
 * - codice fiscale (natural persons, sole traders): 16 characters, last one a check letter;
 *   "omocodia" codes replace digits 0-9 with L M N P Q R S T U V, right to left.
 * - partita IVA / numeric codice fiscale (companies, public bodies, temporary codes of persons):
 *   11 digits, last one a Luhn-style check digit.
 *
 * Every validator returns null when the value is valid, or a short English reason.
 */

/** A codice fiscale, omocodia letters allowed in the digit positions. */
const CODICE_FISCALE_PATTERN =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/** Omocodia: the letter that stands for each digit 0..9. */
export const OMOCODIA_LETTERS = 'LMNPQRSTUV';

/** 0-based positions of a codice fiscale that hold digits (or their omocodia letters). */
export const CODICE_FISCALE_DIGIT_POSITIONS: readonly number[] = [6, 7, 9, 10, 12, 13, 14];

/**
 * The value, at an even 0-based position, of 0-9 and A-Z (digit d weighs like the d-th letter).
 * Source: Agenzia delle Entrate / DM 12/03/1974.
 */
const ODD_POSITION_VALUES = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
] as const;

/** pagoPA's conventional debtor identifier when a person has no Italian fiscal code. */
export const ANONYMOUS_DEBTOR_CODE = 'ANONIMO';

function alphanumericIndex(char: string): number {
  const code = char.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  throw new RangeError(`'${char}' is not an upper-case letter or a digit`);
}

/**
 * The control letter shared by the codice fiscale and the Italian IBAN's CIN: characters at even
 * 0-based positions weigh per the "odd" table, at odd positions their plain index (0-9, A=0..Z=25);
 * the letter is the sum mod 26.
 */
export function italianControlLetter(text: string): string {
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const index = alphanumericIndex(text.charAt(i));
    sum += i % 2 === 0 ? (ODD_POSITION_VALUES[index] as number) : index;
  }
  return String.fromCharCode(65 + (sum % 26));
}

/** The check character of a codice fiscale from its first 15 characters. */
export function codiceFiscaleCheckCharacter(first15: string): string {
  if (!/^[A-Z0-9]{15}$/.test(first15)) {
    throw new RangeError('the check character is computed over exactly 15 upper-case letters or digits');
  }
  return italianControlLetter(first15);
}

/** Undoes omocodia: the letters in digit positions become digits again. */
export function decodeOmocodia(codiceFiscale: string): string {
  const chars = codiceFiscale.split('');
  for (const position of CODICE_FISCALE_DIGIT_POSITIONS) {
    const char = chars[position];
    if (char === undefined) continue;
    const digit = OMOCODIA_LETTERS.indexOf(char);
    if (digit >= 0) chars[position] = String(digit);
  }
  return chars.join('');
}

export function validateCodiceFiscale(value: string): string | null {
  const shape = describeShape(value, 16, 'a codice fiscale');
  if (shape) return shape;
  if (value !== value.toUpperCase()) return 'a codice fiscale must be upper case';
  if (!CODICE_FISCALE_PATTERN.test(value)) {
    return 'a codice fiscale must match 6 letters, 2 digits, a month letter (ABCDEHLMPRST), 2 digits, a letter, 3 digits and a check letter (digits may be the omocodia letters LMNPQRSTUV)';
  }
  const plain = decodeOmocodia(value);
  const day = Number(plain.slice(9, 11));
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) {
    return `day of birth ${plain.slice(9, 11)} is not 01-31 (men) or 41-71 (women)`;
  }
  const expected = codiceFiscaleCheckCharacter(value.slice(0, 15));
  const given = value.charAt(15);
  if (given !== expected) return `check character is ${given}, expected ${expected}`;
  return null;
}

/** Luhn-style check digit of an 11-digit partita IVA / numeric fiscal code, from its first 10 digits. */
export function partitaIvaCheckDigit(first10: string): string {
  if (!/^\d{10}$/.test(first10)) throw new RangeError('the check digit is computed over exactly 10 digits');
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const digit = Number(first10.charAt(i));
    if (i % 2 === 0) {
      sum += digit; // odd 1-based positions: as is
    } else {
      const doubled = digit * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    }
  }
  return String((10 - (sum % 10)) % 10);
}

export function validatePartitaIva(value: string): string | null {
  const shape = describeShape(value, 11, 'a partita IVA');
  if (shape) return shape;
  if (!/^\d{11}$/.test(value)) return 'a partita IVA must be 11 digits';
  if (/^0{11}$/.test(value)) return 'a partita IVA cannot be all zeros';
  const expected = partitaIvaCheckDigit(value.slice(0, 10));
  const given = value.charAt(10);
  if (given !== expected) return `check digit is ${given}, expected ${expected}`;
  return null;
}

/**
 * Debtor identifier of a debt position (GPD `type` + `fiscalCode`, SANP uniqueIdentifier F|G).
 *
 * F (natural person): a 16-character codice fiscale, an 11-digit temporary codice fiscale
 *   (codice fiscale provvisorio, same check as a partita IVA), or "ANONIMO" — the value pagoPA
 *   has long prescribed when a person cannot be identified by an Italian fiscal code (SACI 2.x
 *   codiceIdentificativoUnivoco; confirmed by pagoPA to GovPay in
 *   https://github.com/link-it/govpay/issues/363, and still the default GovPay sends for debtors
 *   without a fiscal code, https://github.com/link-it/govpay/issues/644).
 * G (legal entity): an 11-digit code with the partita IVA check, or a 16-character codice fiscale
 *   (sole traders are identified by their personal code).
 */
export function validateDebtorFiscalCode(type: 'F' | 'G', value: string): string | null {
  if (type !== 'F' && type !== 'G') return `debtor type must be F (natural person) or G (legal entity), got ${String(type)}`;
  if (typeof value !== 'string' || value.length === 0) return 'the debtor fiscal code is empty';
  if (type === 'F' && value === ANONYMOUS_DEBTOR_CODE) return null;
  if (value.length === 16) return validateCodiceFiscale(value);
  if (value.length === 11) return validatePartitaIva(value);
  if (/\s/.test(value)) return 'a debtor fiscal code must not contain spaces';
  return type === 'F'
    ? `a natural person (F) is identified by a 16-character codice fiscale, an 11-digit temporary code or ${ANONYMOUS_DEBTOR_CODE}; got ${value.length} characters`
    : `a legal entity (G) is identified by an 11-digit fiscal code / partita IVA or a 16-character codice fiscale; got ${value.length} characters`;
}

export function isAnonymousDebtor(value: string): boolean {
  return value === ANONYMOUS_DEBTOR_CODE;
}

function describeShape(value: string, length: number, what: string): string | null {
  if (typeof value !== 'string' || value.length === 0) return `${what} is empty`;
  if (/\s/.test(value)) return `${what} must not contain spaces`;
  if (value.length !== length) return `${what} is ${length} characters, got ${value.length}`;
  return null;
}
