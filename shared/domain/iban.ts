/**
 * IBAN (ISO 13616) and what a pagoPA transfer to a municipality accepts.
 *
 * validateIban: country code, per-country length (SWIFT IBAN registry: every SEPA country and the
 * other registry members), check digits mod 97 = 1, no spaces, upper case.
 * validateCreditorIban: an Italian IBAN (27 characters) whose national check letter (CIN) is right.
 * pagoPA only credits accounts the creditor registered in its back office ("devono essere censiti
 * sulla piattaforma pagoPA", SANP, GPD operations); that registry is not reachable from here, so
 * this checks everything that can be checked offline.
 */

import { italianControlLetter } from './fiscal-code';

/** IBAN length by country (SWIFT IBAN registry). SEPA members are listed first. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  // SEPA: EU/EEA
  AT: 20, BE: 16, BG: 22, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GR: 27,
  HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MT: 31, NL: 18, NO: 15,
  PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24,
  // SEPA: other members and territories with their own IBAN
  AD: 24, CH: 21, GB: 22, GI: 23, MC: 27, SM: 27, VA: 22, AL: 28, MD: 24, ME: 22, MK: 19, RS: 22,
  // rest of the registry
  AE: 23, AZ: 28, BA: 20, BH: 22, BR: 29, BY: 28, CR: 22, DO: 28, EG: 29, FO: 18, GE: 22, GL: 18,
  GT: 28, IL: 23, IQ: 23, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, MR: 27, MU: 30, PK: 24, PS: 29,
  QA: 29, SA: 24, SC: 31, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VG: 24, XK: 20,
};

/** ABI code of Poste Italiane: an Italian IBAN with it is a postal account (conto corrente postale). */
export const POSTE_ITALIANE_ABI = '07601';

/** ISO 7064 MOD 97-10 over an IBAN (letters → 10..35), computed in chunks to stay in safe integers. */
export function ibanMod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : char;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder;
}

export function validateIban(value: string): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'the IBAN is empty';
  if (/\s/.test(value)) return 'an IBAN must be written without spaces (electronic format, e.g. IT60X0542811101000000123456)';
  if (value !== value.toUpperCase()) return 'an IBAN must be upper case';
  if (!/^[A-Z0-9]+$/.test(value)) return 'an IBAN contains only letters and digits';
  const country = value.slice(0, 2);
  if (!/^[A-Z]{2}$/.test(country)) return 'an IBAN starts with a 2-letter country code';
  const length = IBAN_LENGTHS[country];
  if (length === undefined) return `${country} is not a country that issues IBANs`;
  if (!/^\d{2}$/.test(value.slice(2, 4))) return 'the 3rd and 4th characters of an IBAN are its check digits';
  if (value.length !== length) return `an IBAN from ${country} is ${length} characters, got ${value.length}`;
  if (ibanMod97(value) !== 1) return 'IBAN check digits do not match (mod 97 is not 1)';
  return null;
}

/** IT, 27 characters, ISO 13616 valid. */
export function isItalianIban(value: string): boolean {
  return typeof value === 'string' && value.startsWith('IT') && value.length === 27 && validateIban(value) === null;
}

/** An Italian IBAN of a Poste Italiane account (for the "Bollettino Postale PA" block and postalIban). */
export function isPostalIban(value: string): boolean {
  return isItalianIban(value) && value.slice(5, 10) === POSTE_ITALIANE_ABI;
}

/**
 * The account a pagoPA transfer credits (GPD `iban` / `postalIban`, paGetPayment `IBAN`): the
 * creditor's Italian account. Beyond ISO 13616 the Italian BBAN is CIN(1 letter) + ABI(5 digits) +
 * CAB(5 digits) + account number (12 letters/digits), and the CIN is the control letter of the
 * other 22 characters (same tables as the codice fiscale).
 */
export function validateCreditorIban(value: string): string | null {
  const generic = validateIban(value);
  if (generic) return generic;
  if (!value.startsWith('IT')) return `a pagoPA creditor account must be an Italian IBAN (IT), got ${value.slice(0, 2)}`;
  const bban = value.slice(4);
  if (!/^[A-Z]\d{5}\d{5}[A-Z0-9]{12}$/.test(bban)) {
    return 'an Italian IBAN is IT + 2 check digits + CIN letter + ABI (5 digits) + CAB (5 digits) + 12-character account number';
  }
  const expected = italianControlLetter(bban.slice(1));
  const given = bban.charAt(0);
  if (given !== expected) return `CIN is ${given}, expected ${expected}`;
  return null;
}
