/**
 * What the REST edge accepts, every later step takes: the largest position the create body may
 * describe (one single payment and 36 installments, the largest amount, the longest texts, a
 * postal account on every transfer) goes through the same path a created position goes — schema,
 * rules, numbering, publication, the notice mapping — and renders as a PDF, so no accepted
 * position can become a poison message on the notice queue.
 */
import { describe, expect, it } from 'vitest';
import { MAX_NOTICE_AMOUNT_CENTS } from '../../../shared/domain/money';
import { publish, type DebtPosition } from '../../../shared/domain/debt-position';
import { checkPositionContent, checkPositionSize, MAX_INSTALLMENTS, MAX_PAYMENT_OPTIONS } from '../../../shared/domain/debt-position-rules';
import { makeNoticeNumber } from '../../../shared/domain/notice-number';
import { toNoticeDocument } from '../../../shared/domain/notice/from-position';
import { paymentPositionSchema } from '../../../shared/http/debt-position-schemas';
import { toPositionContent } from '../../../shared/http/debt-position-mapping';
import { positionFields } from '../../../shared/use-cases/debt-positions/content-to-position';
import { MAX_PRINTABLE_AMOUNT_CENTS, parseNoticeDocument, renderNotice } from '../../../shared/notice';
import { ESEMPIO } from '../../fixtures/positions';

const NOW = new Date('2026-11-27T10:00:00.000Z');
/** Poste Italiane IBAN of ESEMPIO's postal account 000012345678. */
const POSTAL_IBAN = 'IT22L0760101600000012345678';
const organization = { ...ESEMPIO, postalAccount: { number: '000012345678', holder: 'Comune di Esempio - Tesoreria' } };

/** A created, published position from a request body, as the create use case builds it. */
function published(body: unknown): DebtPosition {
  const content = toPositionContent(paymentPositionSchema.parse(body));
  expect([...checkPositionContent(content, { organization, now: NOW, requireFutureDueDates: true }), ...checkPositionSize(content)]).toEqual([]);
  const identifiers = content.paymentOptions.map((_, i) => makeNoticeNumber(organization.segregationCode, BigInt(1000 + i)));
  const draft: DebtPosition = {
    organizationFiscalCode: organization.fiscalCode,
    iupd: 'LARGEST-1',
    ...positionFields(content, organization, identifiers),
    status: 'DRAFT',
    insertedDate: NOW.toISOString(),
    lastUpdatedDate: NOW.toISOString(),
    version: 1,
  };
  const outcome = publish(draft, NOW);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value;
}

const text = (n: number, c = 'x') => c.repeat(n);
const transfer = (id: string, amount: number) => ({
  idTransfer: id,
  amount,
  remittanceInformation: text(140, 'r'),
  category: '9/0101108TS/',
  iban: ESEMPIO.ibans[0],
  postalIban: POSTAL_IBAN,
  companyName: text(140, 'c'),
});

function largestBody(): Record<string, unknown> {
  const single = {
    amount: MAX_NOTICE_AMOUNT_CENTS,
    description: text(140, 'd'),
    isPartialPayment: false,
    dueDate: '2099-12-31',
    transfer: [transfer('1', MAX_NOTICE_AMOUNT_CENTS - 4), transfer('2', 1), transfer('3', 1), transfer('4', 1), transfer('5', 1)],
  };
  const installment = (k: number) => ({
    amount: MAX_NOTICE_AMOUNT_CENTS,
    description: text(140, 'i'),
    isPartialPayment: true,
    dueDate: `2099-${String(1 + (k % 12)).padStart(2, '0')}-${String(1 + (k % 28)).padStart(2, '0')}`,
    transfer: [transfer('1', MAX_NOTICE_AMOUNT_CENTS)],
  });
  return {
    iupd: 'LARGEST-1',
    type: 'F',
    fiscalCode: 'RCCMNL83S18D969H',
    fullName: text(70, 'M'),
    streetName: text(70, 'S'),
    civicNumber: text(16, '1'),
    postalCode: text(16, '0'),
    city: text(35, 'C'),
    province: text(35, 'P'),
    region: text(255, 'R'),
    country: 'IT',
    email: `${text(64, 'e')}@example.org`,
    phone: text(255, '9'),
    companyName: text(140, 'K'),
    officeName: text(140, 'O'),
    paymentOption: [single, ...Array.from({ length: MAX_INSTALLMENTS }, (_, k) => installment(k))],
  };
}

describe('the largest accepted position is printable', () => {
  it('the option amount limit is the printable one (10 digits of cents)', () => {
    expect(MAX_NOTICE_AMOUNT_CENTS).toBe(MAX_PRINTABLE_AMOUNT_CENTS);
    expect(MAX_PAYMENT_OPTIONS).toBe(MAX_INSTALLMENTS + 1);
  });

  it(`one single payment and ${MAX_INSTALLMENTS} installments of the largest amount, the longest texts, postal accounts: renders`, () => {
    const position = published(largestBody());
    expect(position.paymentOptions).toHaveLength(MAX_PAYMENT_OPTIONS);
    const doc = parseNoticeDocument(toNoticeDocument(position, organization));
    expect(doc.installments).toHaveLength(MAX_INSTALLMENTS);
    expect(doc.creditor.postalAccount?.number).toBe('000012345678');
    const pdf = renderNotice(doc);
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
  });

  it('a lone installment (GPD accepts it) renders as the single payment', () => {
    const body = largestBody();
    body['paymentOption'] = [(body['paymentOption'] as unknown[])[1]];
    const doc = parseNoticeDocument(toNoticeDocument(published(body), organization));
    expect(doc.singlePayment?.amountCents).toBe(MAX_NOTICE_AMOUNT_CENTS);
    expect(doc.installments).toEqual([]);
    renderNotice(doc);
  });

  it('free-text provinces and empty optional texts render', () => {
    const body = { ...largestBody(), province: 'Provincia autonoma di Bolzano', streetName: '', civicNumber: null };
    renderNotice(parseNoticeDocument(toNoticeDocument(published(body), organization)));
  });

  // a published ANONIMO position used to fail its render on every try (a poison message)
  it('an anonymous debtor (fiscalCode ANONIMO, accepted for type F) maps to a notice the renderer takes', () => {
    const body = { ...largestBody(), fiscalCode: 'ANONIMO' };
    renderNotice(parseNoticeDocument(toNoticeDocument(published(body), organization)));
  });
});
