/**
 * Hostile values: injection strings (SQL, NoSQL, DynamoDB key syntax, script, template), path
 * traversal, control and odd Unicode characters, huge values, wrong-check-digit identifiers.
 */
import { makeNoticeNumber } from '../../../shared/domain/notice-number';

export const SQL_INJECTION = [
  "' OR '1'='1",
  "1; DROP TABLE positions;--",
  '" OR ""="',
  "admin'--",
  "1 UNION SELECT pk, sk FROM main--",
  "'; WAITFOR DELAY '0:0:5'--",
  "1' AND SLEEP(5)#",
] as const;

export const NOSQL_INJECTION = [
  '{"$ne":null}',
  '{"$gt":""}',
  "';return true;var a='",
  'ORG#80007654322',
  'POS#80007654322#TARI-1',
  '80007654322#POSITION',
  '#',
  '*',
  'attribute_exists(pk) OR pk = :x',
] as const;

export const SCRIPT_INJECTION = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  '${7*7}',
  '<!--#exec cmd="ls"-->',
  '%s%s%s%n',
  ']]><x>',
] as const;

export const PATH_TRAVERSAL = [
  '../80007654322',
  '../../80007654322/debtpositions',
  '..%2F..%2Fetc%2Fpasswd',
  '....//....//etc/passwd',
  '/etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f',
  'file:///etc/passwd',
] as const;

export const ODD_CHARACTERS = [
  'a\u0000b',
  'x\r\nX-Injected: 1',
  '\u202etxt.exe',
  '\u200b',
  'ｔａｒｉ',
  '８０００１２３４５６８',
  '\ud800',
  '😀😀😀',
  ' ',
  '',
] as const;

export const HUGE = {
  /** larger than DynamoDB's 2048-byte partition key */
  key: 'A'.repeat(3000),
  medium: 'B'.repeat(8000),
} as const;

export const ALL_INJECTIONS: readonly string[] = [
  ...SQL_INJECTION,
  ...NOSQL_INJECTION,
  ...SCRIPT_INJECTION,
  ...PATH_TRAVERSAL,
  ...ODD_CHARACTERS,
];

/** A path parameter: injections, traversal, odd characters and a huge one. */
export const PATH_VALUES: readonly string[] = [...ALL_INJECTIONS.filter((v) => v !== ''), HUGE.key];

/** Identifiers whose shape is right but whose check digits/characters are wrong. */
export const BAD_CHECK = {
  /** RCCMNL83S18D969H with the wrong check letter */
  codiceFiscale: 'RCCMNL83S18D969A',
  codiceFiscaleLower: 'rccmnl83s18d969h',
  codiceFiscaleBadDay: 'RCCMNL83S98D969H',
  /** 80001234568 with the wrong check digit */
  partitaIva: '80001234560',
  partitaIvaZeros: '00000000000',
  /** IT78L0306909606100000117002 with wrong check digits */
  iban: 'IT79L0306909606100000117002',
  ibanShort: 'IT78L03069096061',
  ibanLetters: 'IT78L0306909606100000117OO2',
  /** a valid German IBAN: not a creditor account on pagoPA */
  ibanForeign: 'DE89370400440532013000',
  /** a notice number of segregation code 12 with its two check digits wrong */
  noticeNumber: (() => {
    const { nav } = makeNoticeNumber('12', 424242n);
    const check = (Number(nav.slice(16)) + 1) % 100;
    return `${nav.slice(0, 16)}${String(check).padStart(2, '0')}`;
  })(),
  /** right check digits, but the other tenant's segregation code (34) */
  noticeNumberOtherTenant: makeNoticeNumber('34', 424242n).nav,
  /** aux digit 0 (old notices) */
  noticeNumberAux0: `0${makeNoticeNumber('12', 424242n).nav.slice(1)}`,
} as const;

export const BAD_AMOUNTS: readonly unknown[] = [-1, 0, -100000, 1.5, 0.001, 1e20, 100_000_000_000, Number.MAX_SAFE_INTEGER, '100', null, true, [], {}];
