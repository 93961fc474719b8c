import { describe, it, expect } from 'vitest';
import {
  ANONYMOUS_DEBTOR_CODE,
  CODICE_FISCALE_DIGIT_POSITIONS,
  OMOCODIA_LETTERS,
  codiceFiscaleCheckCharacter,
  decodeOmocodia,
  isAnonymousDebtor,
  italianControlLetter,
  partitaIvaCheckDigit,
  validateCodiceFiscale,
  validateDebtorFiscalCode,
  validatePartitaIva,
} from '../../shared/domain/fiscal-code';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

// Check letters verified independently (a separate Python implementation of the DM 12/03/1974 tables).
const VALID_CODICI_FISCALI = [
  'RCCMNL83S18D969H', // the worked example below
  'BDAGPP36H07C351L',
  'MRTMTT25D09F205Z',
  'PLLMRA80A41H501E', // woman: day 01 + 40
  'RCCMNL83S18D96VW', // omocodia: last digit 9 → V
  'RCCMNL83S18D9STM', // omocodia: 69 → ST
  'RCCMNLUPSMUDVSVO', // omocodia in all seven digit positions (RCCMNL83S18D969)
  'RCCMNLPTSMNDVSVJ', // fully omocoded code of another birth date (RCCMNL37S12D969)
];

// 07431101570: a check digit of 0, where the sum is already a multiple of 10
const VALID_NUMERIC_CODES = ['00743110157', '01199250158', '80111810588', '02438750586', '80016350821', '07431101570'];

/** The code with the digits at the chosen positions replaced by their omocodia letters, check recomputed. */
function omocode(code: string, positions: readonly number[]): string {
  const chars = code.slice(0, 15).split('');
  for (const p of positions) chars[p] = OMOCODIA_LETTERS.charAt(Number(chars[p]));
  const first15 = chars.join('');
  return first15 + codiceFiscaleCheckCharacter(first15);
}

describe('codice fiscale check character', () => {
  it('computes a worked example: RCCMNL83S18D969 → H', () => {
    expect(codiceFiscaleCheckCharacter('RCCMNL83S18D969')).toBe('H');
  });

  it.each(VALID_CODICI_FISCALI)('gives the last character of %s', (code) => {
    expect(codiceFiscaleCheckCharacter(code.slice(0, 15))).toBe(code.charAt(15));
  });

  it('refuses an input that is not 15 upper-case alphanumerics', () => {
    expect(() => codiceFiscaleCheckCharacter('RCCMNL83S18D96')).toThrow(RangeError);
    expect(() => codiceFiscaleCheckCharacter('rccmnl83s18d969')).toThrow(RangeError);
  });

  it('weighs a digit at an even position like the letter of the same index (0 ~ A)', () => {
    expect(italianControlLetter('0')).toBe(italianControlLetter('A'));
    expect(italianControlLetter('X0')).toBe(italianControlLetter('XA'));
    expect(italianControlLetter('Z')).toBe('X'); // odd table: Z → 23
  });
});

describe('validateCodiceFiscale', () => {
  it.each(VALID_CODICI_FISCALI)('accepts %s', (code) => {
    expect(validateCodiceFiscale(code)).toBeNull();
  });

  it('names the wrong and the expected check character', () => {
    expect(validateCodiceFiscale('RCCMNL83S18D969A')).toBe('check character is A, expected H');
  });

  it.each([
    ['', /empty/],
    ['RCCMNL83S18D969', /16 characters, got 15/],
    ['RCCMNL83S18D969HH', /16 characters, got 17/],
    ['RCCMNL83S18D969 ', /spaces/],
    ['RCCMNL 83S18D969', /spaces/],
    ['rccmnl83s18d969h', /upper case/],
    ['RCCMNL83F18D969H', /month letter/], // F is not a month letter
    ['RCCMN183S18D969H', /must match/], // digit in a surname position
    ['RCCMNL8AS18D969H', /must match/], // A is not an omocodia letter
    ['RCCMNL83S18D969-', /must match/],
  ])('rejects %j with a reason', (code, reason) => {
    const result = validateCodiceFiscale(code);
    expect(result).not.toBeNull();
    expect(result).toMatch(reason);
  });

  it.each(['00', '32', '40', '72', '99'])('rejects day of birth %s', (day) => {
    const first15 = `RCCMNL83S${day}D969`;
    const code = first15 + codiceFiscaleCheckCharacter(first15);
    expect(validateCodiceFiscale(code)).toBe(`day of birth ${day} is not 01-31 (men) or 41-71 (women)`);
  });

  it('checks the day after undoing omocodia (day 18 written as MU)', () => {
    const first15 = 'RCCMNL83SMUD969';
    expect(validateCodiceFiscale(first15 + codiceFiscaleCheckCharacter(first15))).toBeNull();
  });

  it('rejects every single-character change of a valid code (property over 16 positions × 36 characters)', () => {
    let tried = 0;
    for (const valid of VALID_CODICI_FISCALI) {
      for (let position = 0; position < 16; position++) {
        for (const char of ALPHANUMERIC) {
          if (char === valid.charAt(position)) continue;
          const changed = valid.slice(0, position) + char + valid.slice(position + 1);
          expect(validateCodiceFiscale(changed), changed).not.toBeNull();
          tried++;
        }
      }
    }
    expect(tried).toBe(VALID_CODICI_FISCALI.length * 16 * 35);
  });

  it('accepts all 127 omocodia variants of a code, and they decode back to it', () => {
    const base = 'RCCMNL83S18D969H';
    const positions = CODICE_FISCALE_DIGIT_POSITIONS;
    const seen = new Set<string>();
    for (let mask = 1; mask < 1 << positions.length; mask++) {
      const chosen = positions.filter((_, i) => (mask >> i) & 1);
      const variant = omocode(base, chosen);
      seen.add(variant);
      expect(validateCodiceFiscale(variant), variant).toBeNull();
      expect(decodeOmocodia(variant).slice(0, 15)).toBe(base.slice(0, 15));
    }
    expect(seen.size).toBe(127);
    expect(seen.has('RCCMNLUPSMUDVSVO')).toBe(true);
    expect(seen.has('RCCMNLPTSMNDVSVJ')).toBe(false);
  });

  it('rejects an omocodia variant that kept the old check character', () => {
    // 9 → V in the last digit position changes the check letter from H to W
    expect(validateCodiceFiscale('RCCMNL83S18D96VH')).toBe('check character is H, expected W');
  });
});

describe('validatePartitaIva', () => {
  it.each(VALID_NUMERIC_CODES)('accepts %s', (code) => {
    expect(validatePartitaIva(code)).toBeNull();
  });

  it('computes the Luhn-style check digit', () => {
    expect(partitaIvaCheckDigit('0074311015')).toBe('7');
    expect(partitaIvaCheckDigit('8011181058')).toBe('8');
    expect(partitaIvaCheckDigit('0743110157')).toBe('0');
    expect(() => partitaIvaCheckDigit('007431101')).toThrow(RangeError);
  });

  it('names the wrong and the expected check digit', () => {
    expect(validatePartitaIva('00743110158')).toBe('check digit is 8, expected 7');
  });

  it.each([
    ['', /empty/],
    ['0074311015', /11 characters, got 10/],
    ['007431101577', /11 characters, got 12/],
    ['0074311015A', /11 digits/],
    ['IT007431101', /11 digits/],
    ['00743 10157', /spaces/],
    ['00000000000', /all zeros/],
  ])('rejects %j with a reason', (code, reason) => {
    expect(validatePartitaIva(code)).toMatch(reason);
  });

  it('rejects every single-digit change of a valid code', () => {
    let tried = 0;
    for (const valid of VALID_NUMERIC_CODES) {
      for (let position = 0; position < 11; position++) {
        for (let digit = 0; digit <= 9; digit++) {
          if (String(digit) === valid.charAt(position)) continue;
          const changed = valid.slice(0, position) + String(digit) + valid.slice(position + 1);
          expect(validatePartitaIva(changed), changed).not.toBeNull();
          tried++;
        }
      }
    }
    expect(tried).toBe(VALID_NUMERIC_CODES.length * 11 * 9);
  });
});

describe('validateDebtorFiscalCode', () => {
  it('accepts a person (F) by codice fiscale, by 11-digit temporary code, or as ANONIMO', () => {
    expect(validateDebtorFiscalCode('F', 'RCCMNL83S18D969H')).toBeNull();
    expect(validateDebtorFiscalCode('F', '80111810588')).toBeNull();
    expect(validateDebtorFiscalCode('F', 'ANONIMO')).toBeNull();
    expect(ANONYMOUS_DEBTOR_CODE).toBe('ANONIMO');
    expect(isAnonymousDebtor('ANONIMO')).toBe(true);
    expect(isAnonymousDebtor('RCCMNL83S18D969H')).toBe(false);
  });

  it('accepts a legal entity (G) by 11-digit code or by a sole trader codice fiscale', () => {
    expect(validateDebtorFiscalCode('G', '00743110157')).toBeNull();
    expect(validateDebtorFiscalCode('G', 'RCCMNL83S18D969H')).toBeNull();
  });

  it('does not accept ANONIMO for a legal entity, nor in lower case', () => {
    expect(validateDebtorFiscalCode('G', 'ANONIMO')).toMatch(/legal entity \(G\).*got 7 characters/);
    expect(validateDebtorFiscalCode('F', 'anonimo')).toMatch(/natural person \(F\).*got 7 characters/);
  });

  it('passes on the reason of the underlying check', () => {
    expect(validateDebtorFiscalCode('F', 'RCCMNL83S18D969A')).toBe('check character is A, expected H');
    expect(validateDebtorFiscalCode('G', '00743110158')).toBe('check digit is 8, expected 7');
    expect(validateDebtorFiscalCode('G', '0074311015X')).toBe('a partita IVA must be 11 digits');
  });

  it.each([
    ['F', '', /empty/],
    ['F', 'RCCMNL83S18D9', /natural person \(F\).*got 13 characters/],
    ['G', '007431101', /legal entity \(G\).*got 9 characters/],
    ['G', 'IT00743110157', /legal entity \(G\).*got 13 characters/],
    ['F', 'RCCMNL 83S18D96', /spaces/],
  ] as const)('rejects %s %j', (type, value, reason) => {
    expect(validateDebtorFiscalCode(type, value)).toMatch(reason);
  });

  it('rejects an unknown debtor type coming from untyped input', () => {
    expect(validateDebtorFiscalCode('X' as 'F', 'RCCMNL83S18D969H')).toMatch(/debtor type must be F .* or G/);
  });
});
