import { describe, it, expect } from 'vitest';
import {
  IBAN_LENGTHS,
  ibanMod97,
  isItalianIban,
  isPostalIban,
  validateCreditorIban,
  validateIban,
} from '../../shared/domain/iban';

// Registry / bank examples, mod 97 verified independently (Python, big integers).
const VALID_IBANS: Readonly<Record<string, string>> = {
  IT: 'IT60X0542811101000000123456',
  SM: 'SM86U0322509800000000270100',
  VA: 'VA59001123000012345678',
  DE: 'DE89370400440532013000',
  GB: 'GB29NWBK60161331926819',
  FR: 'FR1420041010050500013M02606',
  ES: 'ES9121000418450200051332',
  NL: 'NL91ABNA0417164300',
  BE: 'BE68539007547034',
  CH: 'CH9300762011623852957',
  NO: 'NO9386011117947',
  MT: 'MT84MALT011000012345MTLCAST001S',
  AT: 'AT611904300234573201',
  PL: 'PL61109010140000071219812874',
  PT: 'PT50000201231234567890154',
  IE: 'IE29AIBK93115212345678',
  LU: 'LU280019400644750000',
  SE: 'SE4550000000058398257466',
  FI: 'FI2112345600000785',
  DK: 'DK5000400440116243',
  GR: 'GR1601101250000000012300695',
  HR: 'HR1210010051863000160',
  SI: 'SI56263300012039086',
  SK: 'SK3112000000198742637541',
  CZ: 'CZ6508000000192000145399',
  HU: 'HU42117730161111101800000000',
  RO: 'RO49AAAA1B31007593840000',
  BG: 'BG80BNBG96611020345678',
  EE: 'EE382200221020145685',
  LV: 'LV80BANK0000435195001',
  LT: 'LT121000011101001000',
  CY: 'CY17002001280000001200527600',
  MC: 'MC5811222000010123456789030',
  AD: 'AD1200012030200359100100',
  LI: 'LI21088100002324013AA',
  IS: 'IS140159260076545510730339',
  GI: 'GI75NWBK000000007099453',
};

/** EU 27 + EEA + the other SEPA members: every one must have its length registered. */
const SEPA_COUNTRIES = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT',
  'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'IS', 'LI', 'NO', 'CH', 'GB',
  'MC', 'SM', 'AD', 'VA', 'GI',
];

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALPHANUMERIC = DIGITS + LETTERS;

describe('validateIban', () => {
  it.each(Object.entries(VALID_IBANS))('accepts the %s example', (_country, iban) => {
    expect(validateIban(iban)).toBeNull();
  });

  it('knows the length of every SEPA country, and the examples agree with it', () => {
    for (const country of SEPA_COUNTRIES) expect(IBAN_LENGTHS[country], country).toBeGreaterThanOrEqual(15);
    for (const [country, iban] of Object.entries(VALID_IBANS)) expect(iban.length, country).toBe(IBAN_LENGTHS[country]);
    expect(IBAN_LENGTHS.IT).toBe(27);
    expect(IBAN_LENGTHS.NO).toBe(15);
    expect(IBAN_LENGTHS.MT).toBe(31);
  });

  it('computes mod 97 = 1 only for correct check digits', () => {
    expect(ibanMod97('IT60X0542811101000000123456')).toBe(1);
    expect(ibanMod97('IT61X0542811101000000123456')).not.toBe(1);
  });

  it('says that spaces are not allowed, even in the printed grouping', () => {
    expect(validateIban('IT60 X054 2811 1010 0000 0123 456')).toMatch(/without spaces/);
    expect(validateIban(' IT60X0542811101000000123456')).toMatch(/without spaces/);
    expect(validateIban('IT60X0542811101000000123456\n')).toMatch(/without spaces/);
  });

  it.each([
    ['', /empty/],
    ['it60x0542811101000000123456', /upper case/],
    ['IT60-X054281110100000012345', /only letters and digits/],
    ['1T60X0542811101000000123456', /2-letter country code/],
    ['XX60X0542811101000000123456', /XX is not a country/],
    ['US64SVBKUS6S3300958879', /US is not a country/],
    ['ITX0X0542811101000000123456', /check digits/],
    ['IT60X054281110100000012345', /from IT is 27 characters, got 26/],
    ['IT60X05428111010000001234567', /from IT is 27 characters, got 28/],
    ['DE8937040044053201300', /from DE is 22 characters, got 21/],
    ['IT61X0542811101000000123456', /mod 97/],
  ])('rejects %j with a reason', (iban, reason) => {
    expect(validateIban(iban)).toMatch(reason);
  });

  // MOD 97-10 provably catches a substitution or an adjacent swap within the same class (digit for
  // digit, letter for letter); a letter for a digit changes the length of the numeric string, so
  // ISO 13616 alone does not promise to catch it (e.g. IT60X054Z811101000000123456 passes mod 97).
  it('rejects every same-class single-character change of valid IBANs (property)', () => {
    let tried = 0;
    for (const iban of Object.values(VALID_IBANS)) {
      for (let position = 0; position < iban.length; position++) {
        const original = iban.charAt(position);
        const sameClass = /\d/.test(original) ? DIGITS : LETTERS;
        for (const char of sameClass) {
          if (char === original) continue;
          const changed = iban.slice(0, position) + char + iban.slice(position + 1);
          expect(validateIban(changed), changed).not.toBeNull();
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(9_000);
  });

  it('rejects every swap of two adjacent different digits or letters (property)', () => {
    let tried = 0;
    for (const iban of Object.values(VALID_IBANS)) {
      for (let i = 0; i < iban.length - 1; i++) {
        const a = iban.charAt(i);
        const b = iban.charAt(i + 1);
        if (a === b || /\d/.test(a) !== /\d/.test(b)) continue;
        const swapped = iban.slice(0, i) + b + a + iban.slice(i + 2);
        expect(validateIban(swapped), swapped).not.toBeNull();
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(300);
  });

  it('lets through a letter-for-digit change that mod 97 cannot see (documents the limit)', () => {
    expect(validateIban('IT60X054Z811101000000123456')).toBeNull();
    expect(validateCreditorIban('IT60X054Z811101000000123456')).not.toBeNull();
  });
});

describe('isItalianIban / isPostalIban', () => {
  it('is true only for a valid 27-character IT IBAN', () => {
    expect(isItalianIban(VALID_IBANS.IT as string)).toBe(true);
    expect(isItalianIban(VALID_IBANS.SM as string)).toBe(false); // same layout, San Marino
    expect(isItalianIban(VALID_IBANS.DE as string)).toBe(false);
    expect(isItalianIban('IT61X0542811101000000123456')).toBe(false);
    expect(isItalianIban('IT60 X054 2811 1010 0000 0123 456')).toBe(false);
  });

  it('recognises a Poste Italiane account by ABI 07601', () => {
    const postal = withCheckDigits('IT', 'X0760101600000000123456');
    expect(validateIban(postal)).toBeNull();
    expect(isPostalIban(postal)).toBe(true);
    expect(isPostalIban(VALID_IBANS.IT as string)).toBe(false);
  });
});

describe('validateCreditorIban', () => {
  it('accepts a valid Italian IBAN with the right CIN', () => {
    expect(validateCreditorIban('IT60X0542811101000000123456')).toBeNull();
  });

  it('rejects a foreign IBAN, valid as it is', () => {
    expect(validateCreditorIban(VALID_IBANS.DE as string)).toBe('a pagoPA creditor account must be an Italian IBAN (IT), got DE');
    expect(validateCreditorIban(VALID_IBANS.SM as string)).toMatch(/Italian IBAN \(IT\), got SM/);
  });

  it('passes on the ISO 13616 reason first', () => {
    expect(validateCreditorIban('IT60 X054 2811 1010 0000 0123 456')).toMatch(/without spaces/);
    expect(validateCreditorIban('IT61X0542811101000000123456')).toMatch(/mod 97/);
  });

  it('catches a wrong CIN even when the IBAN check digits were recomputed around it', () => {
    // IT40S0542811101000000123456 circulates as an example: mod 97 is fine, the CIN is not
    expect(validateIban('IT40S0542811101000000123456')).toBeNull();
    expect(validateCreditorIban('IT40S0542811101000000123456')).toBe('CIN is S, expected X');
  });

  it('rejects an Italian BBAN out of layout (letters in ABI/CAB)', () => {
    const iban = withCheckDigits('IT', 'X05428A1101000000123456');
    expect(validateIban(iban)).toBeNull();
    expect(validateCreditorIban(iban)).toMatch(/CIN letter \+ ABI \(5 digits\)/);
  });

  it('rejects every single-character change of an Italian creditor IBAN, letters for digits included', () => {
    const iban = VALID_IBANS.IT as string;
    let tried = 0;
    for (let position = 0; position < iban.length; position++) {
      for (const char of ALPHANUMERIC) {
        if (char === iban.charAt(position)) continue;
        const changed = iban.slice(0, position) + char + iban.slice(position + 1);
        expect(validateCreditorIban(changed), changed).not.toBeNull();
        tried++;
      }
    }
    expect(tried).toBe(27 * 35);
  });

  it('verifies the CIN over every account number change (property: a wrong CIN is always named)', () => {
    for (let digit = 0; digit <= 9; digit++) {
      const bban = `X054281110100000012345${digit}`;
      const iban = withCheckDigits('IT', bban);
      const result = validateCreditorIban(iban);
      if (digit === 6) expect(result).toBeNull();
      else expect(result).toMatch(/^CIN is X, expected [A-Z]$/);
    }
  });
});

/** Builds an IBAN with correct ISO check digits around a BBAN (test helper, independent of validateIban). */
function withCheckDigits(country: string, bban: string): string {
  const numeric = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  const check = 98n - (BigInt(numeric) % 97n);
  return `${country}${check.toString().padStart(2, '0')}${bban}`;
}
