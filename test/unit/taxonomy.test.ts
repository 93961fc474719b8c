import { describe, it, expect } from 'vitest';
import { LEGAL_REASONS, parseTaxonomyCode, validateTaxonomyCode } from '../../shared/domain/taxonomy';

describe('validateTaxonomyCode', () => {
  it.each([
    '9/0101002IM/', // SANP example
    '9/0102100SA/', // municipal police fines (pagopa-taxonomy list)
    '9/0101101IM/', // TARI, current year
    '9/0702133TS/',
    '9/0101100IM/',
    '6/0101101IM/', // SEPA Request-to-Pay opt-out prefixes
    '7/0101101IM/',
    '8/0101101IM/',
  ])('accepts %s', (code) => {
    expect(validateTaxonomyCode(code)).toBeNull();
  });

  it.each(LEGAL_REASONS)('accepts legal reason %s', (reason) => {
    expect(validateTaxonomyCode(`9/0101002${reason}/`)).toBeNull();
  });

  it.each([
    ['', 'the taxonomy code is empty'],
    ['9/0101002IM', "a taxonomy code ends with '/', e.g. 9/0101002IM/"],
    ['9/', "a taxonomy code ends with '/', e.g. 9/0101002IM/"],
    ['0101002IM/', "a taxonomy code starts with a 1-digit prefix and '/', e.g. 9/0101002IM/"],
    ['90101002IM/', "a taxonomy code starts with a 1-digit prefix and '/', e.g. 9/0101002IM/"],
    ['9/ 0101002IM/', 'a taxonomy code must not contain spaces'],
    ['9/0101002IM/ ', 'a taxonomy code must not contain spaces'],
    ['5/0101002IM/', 'prefix 5/ is not a taxonomy prefix (9/, 6/, 7/ or 8/)'],
    ['9/010102IM/', 'the taxonomy code between the slashes is 9 characters (e.g. 0101002IM), got 8'],
    ['9/01010020IM/', 'the taxonomy code between the slashes is 9 characters (e.g. 0101002IM), got 10'],
    ['9/A101002IM/', 'creditor type code A1 must be 2 digits'],
    ['9/01X1002IM/', 'macro area X1 must be 2 digits'],
    ['9/01010O2IM/', 'service type 0O2 must be 3 digits'],
    ['9/0101002XX/', 'legal reason XX is not one of IM, TS, SP, SA, AP'],
    ['9/0101002im/', 'legal reason im is not one of IM, TS, SP, SA, AP'],
    ['9/0101002I1/', 'legal reason I1 is not one of IM, TS, SP, SA, AP'],
  ])('rejects %j: %s', (code, reason) => {
    expect(validateTaxonomyCode(code)).toBe(reason);
  });

  it.each([
    ['0', 'capitolo/articolo'],
    ['1', 'SIOPE'],
    ['2', 'other accounting code'],
  ])('explains that the old SACI prefix %s/ (%s) is not a taxonomy code', (prefix, meaning) => {
    expect(validateTaxonomyCode(`${prefix}/0101002IM/`)).toBe(
      `prefix ${prefix}/ (${meaning}) is an old SACI accounting code, not a pagoPA taxonomy code: use 9/ (or 6/, 7/, 8/)`,
    );
  });

  it('rejects any change of a digit into a letter in the numeric part (property)', () => {
    for (let position = 2; position < 9; position++) {
      const code = '9/0101002IM/';
      const changed = code.slice(0, position) + 'A' + code.slice(position + 1);
      expect(validateTaxonomyCode(changed), changed).toMatch(/must be \d digits/);
    }
  });
});

describe('parseTaxonomyCode', () => {
  it('splits a code into its segments', () => {
    expect(parseTaxonomyCode('9/0102100SA/')).toEqual({
      ok: true,
      value: {
        prefix: '9',
        creditorType: '01',
        macroArea: '02',
        serviceType: '100',
        legalReason: 'SA',
        code: '0102100SA',
        requestToPayAllowed: true,
      },
    });
  });

  it('marks the 6/, 7/, 8/ prefixes as kept out of SEPA Request-to-Pay', () => {
    for (const prefix of ['6', '7', '8']) {
      const parsed = parseTaxonomyCode(`${prefix}/0101101IM/`);
      expect(parsed.ok && parsed.value.requestToPayAllowed).toBe(false);
      expect(parsed.ok && parsed.value.prefix).toBe(prefix);
    }
  });

  it('returns the same reason as validateTaxonomyCode', () => {
    expect(parseTaxonomyCode('9/0101002XX/')).toEqual({ ok: false, reason: validateTaxonomyCode('9/0101002XX/') });
  });
});
