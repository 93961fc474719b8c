/**
 * The receipt rules (shared/domain/receipt.ts): what the node may pay and what a receipt does.
 */
import { describe, expect, it } from 'vitest';
import type { DebtPosition, PaymentOption } from '../../../shared/domain/debt-position';
import { allTransfersPostal, decideReceipt, payabilityOf, statusAfterPayment, type Receipt } from '../../../shared/domain/receipt';
import { option, position } from '../../fixtures/positions';

const NOW = new Date('2026-12-01T10:00:00.000Z');

function receiptFor(o: PaymentOption, overrides: Partial<Receipt> = {}): Receipt {
  return {
    receiptId: 'r-1',
    noticeNumber: o.nav,
    fiscalCode: '80001234568',
    outcome: 'OK',
    creditorReferenceId: o.iuv,
    paymentAmount: o.amount,
    description: 'TARI',
    companyName: 'Comune di Esempio',
    debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'Mario Rossi' },
    transferList: o.transfers.map((t) => ({
      idTransfer: Number(t.idTransfer),
      transferAmount: t.amount,
      fiscalCodePA: t.organizationFiscalCode,
      IBAN: t.iban ?? 'IT78L0306909606100000117002',
      remittanceInformation: t.remittanceInformation,
      transferCategory: t.category,
    })),
    idPSP: 'BCITITMM',
    PSPCompanyName: 'Intesa Sanpaolo',
    idChannel: 'ch',
    channelDescription: 'app',
    paymentDateTime: '2026-12-01T11:00:00',
    ...overrides,
  };
}

/** a VALID position with the single option (base 1) and three installments (bases 2..4) */
function withInstallments(): DebtPosition {
  const single = option({ amount: 30000, transfers: [{ ...option().transfers[0]!, amount: 30000 }] }, 1n);
  const rates = [2n, 3n, 4n].map((b) => option({ isPartialPayment: true, amount: 10000 }, b));
  return position({ status: 'VALID', paymentOptions: [single, ...rates] });
}

describe('payability (what the node is told at verify / get payment)', () => {
  it('maps each status to the pagoPA answer', () => {
    const p = position({ status: 'VALID' });
    const o = p.paymentOptions[0]!;
    expect(payabilityOf(p, o, NOW)).toBe('PAYABLE');
    expect(payabilityOf({ ...p, status: 'DRAFT' }, o, NOW)).toBe('UNKNOWN');
    expect(payabilityOf({ ...p, status: 'PUBLISHED', validityDate: '2027-01-01T00:00:00.000Z' }, o, NOW)).toBe('UNKNOWN');
    expect(payabilityOf({ ...p, status: 'PUBLISHED', validityDate: '2026-11-30T00:00:00.000Z' }, o, NOW)).toBe('PAYABLE');
    expect(payabilityOf({ ...p, status: 'INVALID' }, o, NOW)).toBe('INVALID');
    expect(payabilityOf({ ...p, status: 'EXPIRED' }, o, NOW)).toBe('EXPIRED');
    expect(payabilityOf({ ...p, switchToExpired: true }, o, new Date('2027-04-01T00:00:00.000Z'))).toBe('EXPIRED');
    expect(payabilityOf({ ...p, status: 'PAID' }, o, NOW)).toBe('PAID');
    expect(payabilityOf({ ...p, status: 'REPORTED' }, o, NOW)).toBe('PAID');
  });

  it('refuses the other mode once one is paid', () => {
    const p = withInstallments();
    const [single, first, second] = p.paymentOptions as [PaymentOption, PaymentOption, PaymentOption];
    const afterFirst = decideReceipt(p, receiptFor(first), NOW);
    if (afterFirst.kind !== 'apply') throw new Error('expected apply');
    expect(afterFirst.position.status).toBe('PARTIALLY_PAID');
    expect(payabilityOf(afterFirst.position, single, NOW)).toBe('PAID');
    expect(payabilityOf(afterFirst.position, afterFirst.option, NOW)).toBe('PAID');
    expect(payabilityOf(afterFirst.position, second, NOW)).toBe('PAYABLE');

    const afterSingle = decideReceipt(p, receiptFor(single), NOW);
    if (afterSingle.kind !== 'apply') throw new Error('expected apply');
    expect(afterSingle.position.status).toBe('PAID');
    expect(payabilityOf(afterSingle.position, first, NOW)).toBe('PAID');
  });

  it('allCCP only when every transfer has a postal IBAN', () => {
    const base = option();
    const postal = { ...base.transfers[0]!, iban: undefined, postalIban: 'IT60X0760101600000012345678' };
    expect(allTransfersPostal(base)).toBe(false);
    expect(allTransfersPostal({ ...base, transfers: [postal] })).toBe(true);
    expect(allTransfersPostal({ ...base, transfers: [postal, { ...base.transfers[0]!, idTransfer: '2' }] })).toBe(false);
  });
});

describe('applying a receipt', () => {
  it('single option paid → PAID, option PO_PAID with the payment record, version +1', () => {
    const p = position({ status: 'VALID', version: 3 });
    const o = p.paymentOptions[0]!;
    const d = decideReceipt(p, receiptFor(o, { fee: 150, paymentMethod: 'creditCard' }), NOW);
    expect(d.kind).toBe('apply');
    if (d.kind !== 'apply') return;
    expect(d.previousStatus).toBe('VALID');
    expect(d.position.status).toBe('PAID');
    expect(d.position.version).toBe(4);
    expect(d.position.paymentDate).toBe('2026-12-01T11:00:00');
    expect(d.option).toMatchObject({ status: 'PO_PAID', payment: { receiptId: 'r-1', fee: 150, paymentMethod: 'creditCard', pspCompany: 'Intesa Sanpaolo' } });
  });

  it('installments: some → PARTIALLY_PAID, all → PAID', () => {
    let p = withInstallments();
    const rates = p.paymentOptions.filter((o) => o.isPartialPayment);
    const statuses: string[] = [];
    rates.forEach((rate, i) => {
      const d = decideReceipt(p, receiptFor(rate, { receiptId: `r-${i}` }), NOW);
      if (d.kind !== 'apply') throw new Error(`installment ${i}: ${d.kind}`);
      p = d.position;
      statuses.push(p.status);
    });
    expect(statuses).toEqual(['PARTIALLY_PAID', 'PARTIALLY_PAID', 'PAID']);
    expect(statusAfterPayment(p.paymentOptions, p.paymentOptions[3]!)).toBe('PAID');
  });

  it('the same receipt again is a duplicate; another receipt for the paid option is an anomaly', () => {
    const p = position({ status: 'VALID' });
    const o = p.paymentOptions[0]!;
    const d = decideReceipt(p, receiptFor(o), NOW);
    if (d.kind !== 'apply') throw new Error('expected apply');
    expect(decideReceipt(d.position, receiptFor(o), NOW)).toEqual({ kind: 'duplicate' });
    expect(decideReceipt(d.position, receiptFor(o, { receiptId: 'r-2' }), NOW)).toMatchObject({ kind: 'anomaly', anomaly: 'ALREADY_PAID' });
  });

  it('keeps as anomalies: unknown notice, wrong amount, transfers not adding up, not payable, other mode paid', () => {
    const p = position({ status: 'VALID' });
    const o = p.paymentOptions[0]!;
    expect(decideReceipt(undefined, receiptFor(o), NOW)).toMatchObject({ kind: 'anomaly', anomaly: 'UNKNOWN_NOTICE' });
    expect(decideReceipt(p, receiptFor(o, { noticeNumber: '312000000000009999' }), NOW)).toMatchObject({ anomaly: 'UNKNOWN_NOTICE' });
    expect(decideReceipt(p, receiptFor(o, { paymentAmount: o.amount + 1 }), NOW)).toMatchObject({ anomaly: 'AMOUNT_MISMATCH' });
    const short = receiptFor(o);
    expect(decideReceipt(p, { ...short, transferList: [{ ...short.transferList[0]!, transferAmount: o.amount - 1 }] }, NOW)).toMatchObject({
      anomaly: 'AMOUNT_MISMATCH',
    });
    for (const status of ['INVALID', 'EXPIRED', 'DRAFT'] as const) {
      expect(decideReceipt({ ...p, status }, receiptFor(o), NOW)).toMatchObject({ anomaly: 'NOT_PAYABLE', iupd: p.iupd });
    }
    const inst = withInstallments();
    const paidRate = decideReceipt(inst, receiptFor(inst.paymentOptions[1]!), NOW);
    if (paidRate.kind !== 'apply') throw new Error('expected apply');
    expect(decideReceipt(paidRate.position, receiptFor(inst.paymentOptions[0]!, { receiptId: 'r-9' }), NOW)).toMatchObject({
      anomaly: 'OTHER_MODE_PAID',
    });
  });

  it('judges expiry at the payment time: paid before the due date, delivered after it, still applies', () => {
    const p = position({ status: 'VALID', switchToExpired: true });
    const o = p.paymentOptions[0]!; // due 2027-03-31T21:59:59.999Z
    const lateDelivery = new Date('2027-04-01T08:00:00.000Z');
    // 23:30 Rome time (no offset) is 21:30 UTC, before the due date
    expect(decideReceipt(p, receiptFor(o, { paymentDateTime: '2027-03-31T23:30:00' }), lateDelivery)).toMatchObject({ kind: 'apply' });
    // without a payment date the receipt is judged when it arrives
    expect(decideReceipt(p, receiptFor(o, { paymentDateTime: undefined }), lateDelivery)).toMatchObject({ anomaly: 'NOT_PAYABLE' });
  });

  it('an outcome KO receipt pays nothing', () => {
    const p = position({ status: 'VALID' });
    expect(decideReceipt(p, receiptFor(p.paymentOptions[0]!, { outcome: 'KO' }), NOW)).toEqual({ kind: 'record-ko' });
  });
});

describe('a plausible payment date (checkPaymentDate)', () => {
  // the fixture position was created 2026-11-01T00:00:00Z; NOW is 2026-12-01T10:00:00Z
  const p = position({ status: 'VALID' });
  const o = p.paymentOptions[0]!;
  const at = (paymentDateTime: string) => decideReceipt(p, receiptFor(o, { paymentDateTime }), NOW);

  it('keeps a receipt dated long before the position existed (1999) as an anomaly, nothing paid', () => {
    expect(at('1999-06-01T10:00:00')).toEqual({
      kind: 'anomaly',
      anomaly: 'IMPLAUSIBLE_PAYMENT_DATE',
      detail: 'paid at 1999-06-01T08:00:00.000Z, before the position existed (created 2026-11-01T00:00:00.000Z)',
      iupd: p.iupd,
    });
  });

  it('tolerates 10 minutes of clock skew before the creation and after now, not more', () => {
    expect(at('2026-10-31T23:50:00Z')).toMatchObject({ kind: 'apply' });
    expect(at('2026-10-31T23:49:59Z')).toMatchObject({ anomaly: 'IMPLAUSIBLE_PAYMENT_DATE' });
    expect(at('2026-12-01T10:10:00Z')).toMatchObject({ kind: 'apply' });
    expect(at('2026-12-01T10:10:01Z')).toMatchObject({ anomaly: 'IMPLAUSIBLE_PAYMENT_DATE', detail: 'paid at 2026-12-01T10:10:01.000Z, in the future (received 2026-12-01T10:00:00.000Z)' });
    // Rome time sent as UTC is an hour ahead: kept for a human, not trusted
    expect(at('2026-12-01T11:00:00Z')).toMatchObject({ anomaly: 'IMPLAUSIBLE_PAYMENT_DATE' });
  });

  it('a date that is not a real one is implausible; a receipt without a date is judged when it arrives', () => {
    expect(at('2026-02-30T10:00:00')).toMatchObject({ anomaly: 'IMPLAUSIBLE_PAYMENT_DATE', detail: 'paymentDateTime 2026-02-30T10:00:00 is not a real date-time' });
    expect(decideReceipt(p, receiptFor(o, { paymentDateTime: undefined }), NOW)).toMatchObject({ kind: 'apply' });
  });

  it('the date does not hide what matters more: a KO receipt is recorded, a second receipt for a paid option is ALREADY_PAID', () => {
    expect(decideReceipt(p, receiptFor(o, { outcome: 'KO', paymentDateTime: '1999-06-01T10:00:00' }), NOW)).toEqual({ kind: 'record-ko' });
    const paid = decideReceipt(p, receiptFor(o), NOW);
    if (paid.kind !== 'apply') throw new Error('not applied');
    expect(decideReceipt(paid.position, receiptFor(o, { receiptId: 'r-1999', paymentDateTime: '1999-06-01T10:00:00' }), NOW)).toMatchObject({ anomaly: 'ALREADY_PAID' });
  });
});
