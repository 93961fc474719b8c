/**
 * The payloads printed as barcodes on the notice, as pagoPA's notice specification defines them
 * (the "avviso" templates of pagopa/pagopa-template-notice-pdf): the QR code carries
 * PAGOPA|002|<notice number>|<creditor fiscal code>|<amount in cents>; the Poste Data Matrix the
 * bollettino fields.
 */

/** `PAGOPA|002|<nav 18>|<creditor fiscal code 11>|<cents>`, cents with at least 2 digits. */
export function qrPayload(nav: string, creditorFiscalCode: string, amountCents: number): string {
  if (!/^\d{18}$/.test(nav)) throw new RangeError('notice number must be 18 digits');
  if (!/^\d{11}$/.test(creditorFiscalCode)) throw new RangeError('creditor fiscal code must be 11 digits');
  if (!Number.isSafeInteger(amountCents) || amountCents < 1 || amountCents > 9_999_999_999) {
    throw new RangeError('QR amount must be 1..9999999999 cents (at most 10 digits)');
  }
  return `PAGOPA|002|${nav}|${creditorFiscalCode}|${String(amountCents).padStart(2, '0')}`;
}

/** Upper-case printable ASCII, accents stripped, anything else a space. */
export function posteText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^\x20-\x7e]/g, ' ');
}

function fixed(text: string, length: number): string {
  const t = posteText(text);
  return t.length >= length ? t.slice(0, length) : t.padEnd(length, ' ');
}

export interface PosteCodelineInput {
  readonly nav: string;
  readonly postalAccount: string;
  readonly amountCents: number;
  readonly creditorFiscalCode: string;
  readonly debtorFiscalCode: string;
  readonly debtorName: string;
  readonly subject: string;
}

/**
 * The Poste "bollettino PA" Data Matrix codeline:
 * `codfase=NBPA;` 18<nav> 12<account 12> 10<cents 10> 3896 1P1 <creditor CF 11> <debtor CF 16>
 * <debtor name 40> <subject 110> <12 spaces> A
 */
export function posteDataMatrixPayload(i: PosteCodelineInput): string {
  if (!/^\d{18}$/.test(i.nav)) throw new RangeError('notice number must be 18 digits');
  if (!/^\d{1,12}$/.test(i.postalAccount)) throw new RangeError('postal account must be 1..12 digits');
  if (!Number.isSafeInteger(i.amountCents) || i.amountCents < 1 || i.amountCents > 9_999_999_999) {
    throw new RangeError('Poste amount must be 1..9999999999 cents (10 digits)');
  }
  return (
    'codfase=NBPA;' +
    '18' + i.nav +
    '12' + i.postalAccount.padStart(12, '0') +
    '10' + String(i.amountCents).padStart(10, '0') +
    '3896' +
    '1P1' +
    fixed(i.creditorFiscalCode, 11) +
    fixed(i.debtorFiscalCode, 16) +
    fixed(i.debtorName, 40) +
    fixed(i.subject, 110) +
    ' '.repeat(12) +
    'A'
  );
}
