/**
 * When the notice prints the Poste bollettino (shared/domain/notice/from-position.ts): whenever
 * every printed option can be paid by bollettino, i.e. the node can hand Poste a postal account
 * for every transfer (paGetPayment transferType POSTAL, paVerifyPaymentNotice allCCP).
 */
import { describe, expect, it } from 'vitest';
import type { Organization } from '../../../shared/domain/organization';
import type { PaymentOption, Transfer } from '../../../shared/domain/debt-position';
import { payableByBollettino, toNoticeDocument } from '../../../shared/domain/notice/from-position';
import { parseNoticeDocument } from '../../../shared/domain/notice/document';
import { ESEMPIO, option, position } from '../../fixtures/positions';

const POSTAL_IBAN = 'IT22L0760101600000012345678';
const OTHER_POSTAL = 'IT09E0760101600000087654321';
const org: Organization = { ...ESEMPIO, postalAccount: { number: '000012345678', holder: 'Comune di Esempio' } };
const withTransfers = (transfers: Array<Partial<Transfer>>): PaymentOption => {
  const base = option();
  return { ...base, transfers: transfers.map((t, i) => ({ ...base.transfers[0]!, idTransfer: String(i + 1) as Transfer['idTransfer'], amount: 1, ...t })) };
};

describe('the Poste block', () => {
  it('prints for a transfer carrying the bank IBAN and the postal IBAN (GPD allows both)', () => {
    const o = withTransfers([{ postalIban: POSTAL_IBAN }]);
    expect(payableByBollettino(o, org)).toBe(true);
    const doc = parseNoticeDocument(toNoticeDocument(position({ status: 'VALID', paymentOptions: [o] }), org));
    expect(doc.creditor.postalAccount?.number).toBe('000012345678');
  });

  it('prints when a co-beneficiary also has a postal account (the node gives Poste every transfer\u2019s)', () => {
    const o = withTransfers([{ postalIban: POSTAL_IBAN }, { organizationFiscalCode: '01020304059', iban: undefined, postalIban: OTHER_POSTAL }]);
    expect(payableByBollettino(o, org)).toBe(true);
  });

  it('does not print when a transfer has only a bank IBAN, is a stamp, or the creditor\u2019s postal IBAN is another account', () => {
    expect(payableByBollettino(withTransfers([{ postalIban: POSTAL_IBAN }, { organizationFiscalCode: '01020304059' }]), org)).toBe(false);
    expect(payableByBollettino(withTransfers([{ postalIban: POSTAL_IBAN }, { iban: undefined, stamp: { hashDocument: 'h', stampType: '01', provincialResidence: 'RM' } }]), org)).toBe(false);
    expect(payableByBollettino(withTransfers([{ postalIban: OTHER_POSTAL }]), org)).toBe(false);
    const { postalAccount: _none, ...noAccount } = org;
    expect(payableByBollettino(withTransfers([{ postalIban: POSTAL_IBAN }]), noAccount)).toBe(false);
  });
});
