import { describe, it, expect } from 'vitest';
import {
  MAX_AMOUNT_CENTS,
  centsToDecimalString,
  decimalStringToCents,
  euroNumberToCents,
  formatEuroItalian,
  isValidAmountCents,
} from '../../shared/domain/money';

describe('isValidAmountCents', () => {
  it('accepts whole cents from 1 to 999.999.999,99 €', () => {
    expect(MAX_AMOUNT_CENTS).toBe(99_999_999_999);
    expect(isValidAmountCents(1)).toBe(true);
    expect(isValidAmountCents(102099)).toBe(true);
    expect(isValidAmountCents(MAX_AMOUNT_CENTS)).toBe(true);
  });

  it.each([0, -1, MAX_AMOUNT_CENTS + 1, 1.5, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    'rejects %s',
    (value) => {
      expect(isValidAmountCents(value)).toBe(false);
    },
  );

  it('rejects what is not a number', () => {
    expect(isValidAmountCents('100')).toBe(false);
    expect(isValidAmountCents(100n)).toBe(false);
    expect(isValidAmountCents(null)).toBe(false);
  });
});

describe('centsToDecimalString (SOAP stAmount)', () => {
  it.each([
    [102099, '1020.99'],
    [102090, '1020.90'],
    [102000, '1020.00'],
    [1, '0.01'],
    [5, '0.05'],
    [10, '0.10'],
    [100, '1.00'],
    [0, '0.00'],
    [MAX_AMOUNT_CENTS, '999999999.99'],
  ])('%i → %s', (cents, text) => {
    expect(centsToDecimalString(cents)).toBe(text);
    expect(centsToDecimalString(cents)).toMatch(/^\d+\.\d{2}$/);
  });

  it.each([-1, 1.5, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses %s', (cents) => {
    expect(() => centsToDecimalString(cents)).toThrow(RangeError);
  });
});

describe('decimalStringToCents', () => {
  it.each([
    ['1020.99', 102099],
    ['1020.9', 102090],
    ['1020', 102000],
    ['0.01', 1],
    ['0.1', 10],
    ['19.99', 1999], // 19.99 * 100 in floats is 1998.9999999999998
    ['0.29', 29], // 0.29 * 100 in floats is 28.999999999999996
    ['999999999.99', MAX_AMOUNT_CENTS],
    [' 12.30 ', 1230],
    ['007.50', 750],
  ])('%j → %i', (text, cents) => {
    expect(decimalStringToCents(text)).toBe(cents);
  });

  it.each([
    '1020.999', // three decimals
    '0.001',
    '1,50', // Italian decimal comma is print only
    '1.020,99',
    '-1.00',
    '+1.00',
    '1e3',
    '1E-2',
    '',
    ' ',
    '.50',
    '1.',
    'abc',
    '0x10',
    '1 000.00',
    'Infinity',
    'NaN',
    '١٢.٣٤', // non-ASCII digits
    '1234567890123.00', // more than 12 integer digits
  ])('refuses %j', (text) => {
    expect(decimalStringToCents(text)).toBeNull();
  });

  it('round-trips with centsToDecimalString (property)', () => {
    const samples: number[] = [];
    for (let cents = 0; cents <= 2_000; cents++) samples.push(cents);
    for (let cents = 1; cents <= MAX_AMOUNT_CENTS; cents = cents * 7 + 3) samples.push(cents);
    samples.push(MAX_AMOUNT_CENTS - 1, MAX_AMOUNT_CENTS);
    for (const cents of samples) expect(decimalStringToCents(centsToDecimalString(cents)), String(cents)).toBe(cents);
  });
});

describe('euroNumberToCents (JSON receipts)', () => {
  it.each([
    [123.45, 12345],
    [19.99, 1999],
    [0.07, 7],
    [0.3, 30],
    [100, 10000],
    [0, 0],
    [999999999.99, MAX_AMOUNT_CENTS],
  ])('%s € → %i cents', (euro, cents) => {
    expect(euroNumberToCents(euro)).toBe(cents);
  });

  it('refuses the float sum 0.1 + 0.2 (0.30000000000000004), not a whole number of cents', () => {
    expect(euroNumberToCents(0.1 + 0.2)).toBeNull();
  });

  it.each([1.005, 0.001, 12.345, -1, -0.01, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 1e-7, 5e-324])(
    'refuses %s',
    (euro) => {
      expect(euroNumberToCents(euro)).toBeNull();
    },
  );
});

describe('formatEuroItalian (print)', () => {
  it.each([
    [102099, '1.020,99'],
    [0, '0,00'],
    [5, '0,05'],
    [99, '0,99'],
    [100, '1,00'],
    [99999, '999,99'],
    [100000, '1.000,00'],
    [123456789, '1.234.567,89'],
    [100000000, '1.000.000,00'],
    [MAX_AMOUNT_CENTS, '999.999.999,99'],
  ])('%i → %s', (cents, text) => {
    expect(formatEuroItalian(cents)).toBe(text);
  });

  it('groups thousands with dots and uses a decimal comma (property against a digit-by-digit reference)', () => {
    for (let cents = 0; cents <= MAX_AMOUNT_CENTS; cents = cents * 3 + 1) {
      const text = formatEuroItalian(cents);
      expect(text, String(cents)).toMatch(/^\d{1,3}(?:\.\d{3})*,\d{2}$/);
      expect(Number(text.replace(/\./g, '').replace(',', '')), text).toBe(cents);
    }
  });

  it.each([-1, 1.5, 0.1 + 0.2, Number.NaN])('refuses %s', (cents) => {
    expect(() => formatEuroItalian(cents)).toThrow(RangeError);
  });
});
