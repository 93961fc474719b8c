import { describe, it, expect } from 'vitest';
import {
  MAX_IUV_BASE,
  RESERVED_SEGREGATION_CODES,
  checkDigits,
  formatNoticeNumberForPrint,
  isValidSegregationCode,
  makeNoticeNumber,
  navFromIuv,
  parseNoticeNumber,
} from '../../shared/domain/notice-number';

// Check digits of the fixtures computed independently (Python: int(body) % 93).
const AUX3 = '302000000000000184'; // worked example: segregation 02, base 1 (3020000000000001 mod 93 = 84)
const AUX3_MAX = '301999999999999982'; // segregation 01, largest base
const AUX0 = '012000000000012345'; // application code 12, base 0000000000123, check 45
const AUX2 = '200000000001234571'; // base15 000000000012345, check 71
const AUX1 = '112345678901234567'; // no check digits

describe('checkDigits', () => {
  it('is the remainder mod 93 written with two digits', () => {
    expect(checkDigits('3020000000000001')).toBe('84');
    expect(checkDigits('5')).toBe('05');
    expect(checkDigits('93')).toBe('00');
    expect(checkDigits('92')).toBe('92');
  });

  it('is computed exactly on 16-digit numbers beyond 2^53', () => {
    expect(checkDigits('9999999999999999')).toBe((9999999999999999n % 93n).toString().padStart(2, '0'));
    expect(checkDigits('3479999999999999')).toBe('62');
  });

  it('refuses anything but digits', () => {
    expect(() => checkDigits('')).toThrow(RangeError);
    expect(() => checkDigits('12a')).toThrow(RangeError);
    expect(() => checkDigits('-12')).toThrow(RangeError);
  });
});

describe('makeNoticeNumber (aux 3)', () => {
  it('builds the worked example: segregation 02, base 1', () => {
    expect(makeNoticeNumber('02', 1n)).toEqual({ iuv: '02000000000000184', nav: AUX3 });
  });

  it('builds the largest base of a segregation code', () => {
    expect(MAX_IUV_BASE).toBe(9_999_999_999_999n);
    expect(makeNoticeNumber('01', MAX_IUV_BASE)).toEqual({ iuv: '01999999999999982', nav: AUX3_MAX });
  });

  it('refuses a malformed segregation code or a base out of 13 digits', () => {
    expect(() => makeNoticeNumber('2', 1n)).toThrow(/segregation code must be 2 digits/);
    expect(() => makeNoticeNumber('AB', 1n)).toThrow(/segregation code must be 2 digits/);
    expect(() => makeNoticeNumber('002', 1n)).toThrow(/segregation code must be 2 digits/);
    expect(() => makeNoticeNumber('02', -1n)).toThrow(/13 digits/);
    expect(() => makeNoticeNumber('02', MAX_IUV_BASE + 1n)).toThrow(/13 digits/);
  });

  it('round-trips through parseNoticeNumber for many codes and bases (property)', () => {
    const bases = [0n, 1n, 92n, 93n, 12_345n, 9_999_999n, 1_000_000_000_000n, MAX_IUV_BASE - 1n, MAX_IUV_BASE];
    for (let code = 0; code < 100; code += 7) {
      const segregationCode = code.toString().padStart(2, '0');
      for (const base of bases) {
        const { iuv, nav } = makeNoticeNumber(segregationCode, base);
        expect(nav).toMatch(/^3\d{17}$/);
        expect(iuv).toHaveLength(17);
        expect(nav).toBe(navFromIuv(iuv));
        const parsed = parseNoticeNumber(nav);
        expect(parsed.ok, nav).toBe(true);
        if (!parsed.ok) continue;
        expect(parsed.value.auxDigit).toBe(3);
        expect(parsed.value.segregationCode).toBe(segregationCode);
        expect(parsed.value.iuv).toBe(iuv);
        expect(BigInt(iuv.slice(2, 15))).toBe(base);
        expect(Number(parsed.value.checkDigits)).toBeLessThan(93);
      }
    }
  });
});

describe('parseNoticeNumber', () => {
  it('parses aux 3: segregation code, IUV = last 17 digits, check digits', () => {
    expect(parseNoticeNumber(AUX3)).toEqual({
      ok: true,
      value: { noticeNumber: AUX3, auxDigit: 3, iuv: '02000000000000184', segregationCode: '02', checkDigits: '84' },
    });
  });

  it('parses aux 0: application code, IUV = base13 + check (15 digits)', () => {
    expect(parseNoticeNumber(AUX0)).toEqual({
      ok: true,
      value: { noticeNumber: AUX0, auxDigit: 0, iuv: '000000000012345', applicationCode: '12', checkDigits: '45' },
    });
  });

  it('parses aux 2: IUV = base15 + check (17 digits)', () => {
    expect(parseNoticeNumber(AUX2)).toEqual({
      ok: true,
      value: { noticeNumber: AUX2, auxDigit: 2, iuv: '00000000001234571', checkDigits: '71' },
    });
  });

  it('parses aux 1 without check digits: IUV = the 17 digits', () => {
    expect(parseNoticeNumber(AUX1)).toEqual({
      ok: true,
      value: { noticeNumber: AUX1, auxDigit: 1, iuv: '12345678901234567' },
    });
  });

  it.each([AUX3, AUX0, AUX2])('reports wrong check digits of %s with the expected ones', (nav) => {
    const wrong = nav.slice(0, 16) + (nav.endsWith('00') ? '01' : '00');
    const parsed = parseNoticeNumber(wrong);
    expect(parsed).toEqual({
      ok: false,
      error: { code: 'CHECK_DIGITS', message: `check digits are ${wrong.slice(16)}, expected ${nav.slice(16)}`, expected: nav.slice(16) },
    });
  });

  it('never accepts check digits 93..99 (they cannot be a remainder mod 93)', () => {
    for (const aux of ['3', '0', '2']) {
      for (let check = 93; check <= 99; check++) {
        const nav = `${aux}${'0'.repeat(14)}1${check}`;
        const parsed = parseNoticeNumber(nav);
        expect(parsed.ok, nav).toBe(false);
      }
    }
  });

  it.each([
    ['', 'FORMAT'],
    ['30200000000000018', 'FORMAT'],
    ['3020000000000001840', 'FORMAT'],
    ['3020 0000 0000 0001 84', 'FORMAT'],
    ['30200000000000018A', 'FORMAT'],
    [' 302000000000000184', 'FORMAT'],
  ])('rejects %j as %s', (input, code) => {
    const parsed = parseNoticeNumber(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe(code);
      expect(parsed.error.message).toBe('a notice number is exactly 18 digits');
    }
  });

  it.each(['4', '5', '6', '7', '8', '9'])('rejects aux digit %s', (aux) => {
    const parsed = parseNoticeNumber(`${aux}${AUX3.slice(1)}`);
    expect(parsed).toEqual({
      ok: false,
      error: { code: 'AUX_DIGIT', message: `aux digit ${aux} is not a pagoPA form (0, 1, 2 or 3)` },
    });
  });

  it('rejects every single-digit change after the aux digit of a checked notice number (property)', () => {
    let tried = 0;
    for (const nav of [AUX3, AUX3_MAX, AUX0, AUX2]) {
      for (let position = 1; position < 18; position++) {
        for (let digit = 0; digit <= 9; digit++) {
          if (String(digit) === nav.charAt(position)) continue;
          const changed = nav.slice(0, position) + String(digit) + nav.slice(position + 1);
          expect(parseNoticeNumber(changed).ok, changed).toBe(false);
          tried++;
        }
      }
    }
    expect(tried).toBe(4 * 17 * 9);
  });

  it('accepts a changed aux digit only when it turns the number into the unchecked aux 1 form', () => {
    for (let aux = 0; aux <= 9; aux++) {
      if (aux === 3) continue;
      const parsed = parseNoticeNumber(`${aux}${AUX3.slice(1)}`);
      expect(parsed.ok, String(aux)).toBe(aux === 1);
    }
  });
});

describe('segregation codes', () => {
  it('reserves the segregation codes pagoPA keeps for national services', () => {
    expect([...RESERVED_SEGREGATION_CODES].sort()).toEqual(['47', '81', '85', '96', '97', '98', '99']);
  });

  it.each(RESERVED_SEGREGATION_CODES)('does not let a municipality use %s', (code) => {
    expect(isValidSegregationCode(code)).toBe(false);
  });

  it.each(['00', '01', '02', '48', '49', '50', '95'])('accepts %s', (code) => {
    expect(isValidSegregationCode(code)).toBe(true);
  });

  it.each(['', '1', '001', 'AB', ' 1'])('rejects malformed %j', (code) => {
    expect(isValidSegregationCode(code)).toBe(false);
  });

  it('a reserved segregation code still parses: notices of national services can reach the layer', () => {
    const parsed = parseNoticeNumber(`3470000123456789${checkDigits('3470000123456789')}`);
    expect(parsed.ok && parsed.value.segregationCode).toBe('47');
    expect(checkDigits('3470000123456789')).toBe('56');
  });
});

describe('formatNoticeNumberForPrint', () => {
  it('groups the 18 digits by 4, as printed on the notice', () => {
    expect(formatNoticeNumberForPrint(AUX3)).toBe('3020 0000 0000 0001 84');
    expect(formatNoticeNumberForPrint(AUX3_MAX)).toBe('3019 9999 9999 9999 82');
  });

  it('removes nothing: stripping the spaces gives the notice number back (property)', () => {
    for (const nav of [AUX3, AUX3_MAX, AUX0, AUX2, AUX1]) {
      const printed = formatNoticeNumberForPrint(nav);
      expect(printed.replace(/ /g, '')).toBe(nav);
      expect(printed.split(' ').map((group) => group.length)).toEqual([4, 4, 4, 4, 2]);
    }
  });
});
