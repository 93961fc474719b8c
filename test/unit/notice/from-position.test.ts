/**
 * Position + organization → the printed notice (pure mapping), checked against the renderer's
 * own schema so that what the mapping produces is always printable.
 */
import { describe, expect, it } from 'vitest';
import type { Organization } from '../../../shared/domain/organization';
import type { PaymentOption, Transfer } from '../../../shared/domain/debt-position';
import {
  clip,
  logoTypeOf,
  noticeAvailability,
  noticeFileName,
  printableOptions,
  toNoticeDocument,
} from '../../../shared/domain/notice/from-position';
import { POSITION_STATUSES } from '../../../shared/domain/debt-position';
import { parseNoticeDocument } from '../../../shared/domain/notice/document';
import { ESEMPIO, option, position } from '../../fixtures/positions';

/** Poste Italiane IBAN of ESEMPIO's postal account 000012345678 (ABI 07601). */
const POSTAL_IBAN = 'IT60X0760103200000012345678';

const org: Organization = {
  ...ESEMPIO,
  sector: 'Servizi Tributari',
  cbill: 'AB12C',
  postalAccount: { number: '000012345678', holder: 'Comune di Esempio - Tesoreria', authorizationCode: 'AUT. 1/2026' },
  contact: { website: 'https://www.comune.esempio.it', email: 'tributi@comune.esempio.it' },
};

const toPostal = (o: PaymentOption): PaymentOption => ({
  ...o,
  transfers: o.transfers.map((t): Transfer => ({ ...t, iban: undefined, postalIban: POSTAL_IBAN })),
});

const installment = (base: bigint, dueDate: string, overrides: Partial<PaymentOption> = {}): PaymentOption =>
  option({ isPartialPayment: true, amount: 5000, dueDate, description: `rata ${base}`, ...overrides }, base);

describe('toNoticeDocument', () => {
  it('maps a single payment: subject from the option, creditor, debtor with address, Rome calendar due date', () => {
    const p = position({
      status: 'VALID',
      debtor: { type: 'F', fiscalCode: 'rccmnl83s18d969h', fullName: 'Mario Rossi', streetName: 'Via Roma', civicNumber: '1', postalCode: '00100', city: 'Roma', province: 'RM' },
      paymentOptions: [option({ amount: 12050, description: 'TARI 2026 - rata unica', dueDate: '2027-03-31T21:59:59.999Z' })],
    });
    const doc = parseNoticeDocument(toNoticeDocument(p, org));
    expect(doc.subject).toBe('TARI 2026 - rata unica');
    expect(doc.creditor).toMatchObject({ fiscalCode: ESEMPIO.fiscalCode, name: 'Comune di Esempio', sector: 'Servizi Tributari', cbill: 'AB12C' });
    expect(doc.creditor.info).toBe('https://www.comune.esempio.it - tributi@comune.esempio.it');
    expect(doc.debtor).toEqual({
      type: 'F',
      fiscalCode: 'RCCMNL83S18D969H',
      fullName: 'Mario Rossi',
      address: { streetName: 'Via Roma', civicNumber: '1', postalCode: '00100', city: 'Roma', province: 'RM' },
    });
    // 21:59:59.999Z on 31 March is the last instant of 31 March in Rome (CEST)
    expect(doc.singlePayment).toEqual({ nav: p.paymentOptions[0]!.nav, amountCents: 12050, dueDate: '2027-03-31' });
    expect(doc.installments).toEqual([]);
  });

  it('falls back to the company name when the option has no description, and prefers the office name as sector', () => {
    const p = position({ status: 'VALID', officeName: 'Ufficio TARI', paymentOptions: [option({ description: '  ' })] });
    const doc = toNoticeDocument(p, org);
    expect(doc.subject).toBe(p.companyName);
    expect(doc.creditor.sector).toBe('Ufficio TARI');
  });

  it('prints the single payment first and the installments by due date', () => {
    const p = position({
      status: 'VALID',
      paymentOptions: [
        installment(3n, '2027-09-30T21:59:59.999Z'),
        option({ amount: 15000, description: 'IMU 2027' }, 1n),
        installment(2n, '2027-06-30T21:59:59.999Z'),
        installment(4n, '2027-12-31T22:59:59.999Z'),
      ],
    });
    const doc = parseNoticeDocument(toNoticeDocument(p, org));
    expect(doc.subject).toBe('IMU 2027');
    expect(doc.singlePayment?.amountCents).toBe(15000);
    expect(doc.installments.map((i) => i.dueDate)).toEqual(['2027-06-30', '2027-09-30', '2027-12-31']);
    expect(doc.installments.map((i) => i.nav)).toEqual([p.paymentOptions[2]!.nav, p.paymentOptions[0]!.nav, p.paymentOptions[3]!.nav]);
  });

  it('PARTIALLY_PAID: drops the single payment and the paid installments', () => {
    const p = position({
      status: 'PARTIALLY_PAID',
      paymentOptions: [
        option({}, 1n),
        installment(2n, '2027-06-30T21:59:59.999Z', { status: 'PO_PAID' }),
        installment(3n, '2027-09-30T21:59:59.999Z'),
        installment(4n, '2027-12-31T22:59:59.999Z'),
      ],
    });
    const doc = parseNoticeDocument(toNoticeDocument(p, org));
    expect(doc.singlePayment).toBeUndefined();
    expect(doc.installments.map((i) => i.nav)).toEqual([p.paymentOptions[2]!.nav, p.paymentOptions[3]!.nav]);
  });

  it('a lone remaining installment is printed as the single payment (the renderer refuses one installment)', () => {
    const p = position({
      status: 'PARTIALLY_PAID',
      paymentOptions: [installment(2n, '2027-06-30T21:59:59.999Z', { status: 'PO_PAID' }), installment(3n, '2027-09-30T21:59:59.999Z')],
    });
    const doc = parseNoticeDocument(toNoticeDocument(p, org));
    expect(doc.singlePayment).toEqual({ nav: p.paymentOptions[1]!.nav, amountCents: 5000, dueDate: '2027-09-30' });
    expect(doc.installments).toEqual([]);
    expect(printableOptions(p).single?.nav).toBe(p.paymentOptions[1]!.nav);
  });

  it('prints the Poste block only when every transfer goes to the creditor postal account', () => {
    const bank = position({ status: 'VALID', paymentOptions: [option()] });
    expect(toNoticeDocument(bank, org).creditor.postalAccount).toBeUndefined();

    const postal = position({ status: 'VALID', paymentOptions: [toPostal(option())] });
    expect(parseNoticeDocument(toNoticeDocument(postal, org)).creditor.postalAccount).toEqual({
      number: '000012345678',
      holder: 'Comune di Esempio - Tesoreria',
      authorizationCode: 'AUT. 1/2026',
    });

    // one installment paid to a bank account: no bollettino for the whole notice
    const mixed = position({
      status: 'VALID',
      paymentOptions: [toPostal(option({}, 1n)), toPostal(installment(2n, '2027-06-30T21:59:59.999Z')), installment(3n, '2027-09-30T21:59:59.999Z')],
    });
    expect(toNoticeDocument(mixed, org).creditor.postalAccount).toBeUndefined();

    // a postal transfer to another creditor's account does not make ours usable
    const otherCreditor = position({
      status: 'VALID',
      paymentOptions: [
        toPostal(option({ transfers: [{ ...option().transfers[0]!, organizationFiscalCode: '00743110157' }] })),
      ],
    });
    expect(toNoticeDocument(otherCreditor, org).creditor.postalAccount).toBeUndefined();

    // no postal account registered: never a Poste block, and the holder defaults to the creditor name
    const { postalAccount: _omit, ...noPostal } = org;
    expect(toNoticeDocument(postal, noPostal).creditor.postalAccount).toBeUndefined();
    const noHolder = { ...org, postalAccount: { number: '000012345678' } };
    expect(toNoticeDocument(postal, noHolder).creditor.postalAccount?.holder).toBe('Comune di Esempio');
  });

  it('clips texts to the print limits so a long description or name never makes a position unprintable', () => {
    const p = position({
      status: 'VALID',
      debtor: {
        type: 'G',
        fiscalCode: '00743110157',
        fullName: 'Cooperativa '.repeat(10),
        streetName: 'Via '.padEnd(70, 'x'),
        civicNumber: '1234567890123456',
        postalCode: '63811',
        city: 'C'.repeat(70),
        province: 'FM',
      },
      paymentOptions: [option({ description: 'Canone '.repeat(20) })],
    });
    const doc = parseNoticeDocument(toNoticeDocument(p, org));
    expect(doc.subject.length).toBe(90);
    expect(doc.subject.endsWith('\u2026')).toBe(true);
    expect(doc.debtor.fullName.length).toBeLessThanOrEqual(70);
    expect(doc.debtor.address?.city).toBe('C'.repeat(70));
    expect(doc.debtor.address?.streetName?.endsWith('\u2026')).toBe(true);
  });

  it('leaves the address out when the debtor has none, and carries the logo when given', () => {
    const logo = { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), type: 'png' as const };
    const doc = toNoticeDocument(position({ status: 'VALID' }), org, logo);
    expect(doc.debtor.address).toBeUndefined();
    expect(doc.creditor.logo).toEqual(logo);
    expect(toNoticeDocument(position({ status: 'VALID' }), org).creditor.logo).toBeUndefined();
  });

  it('omits a CBILL code the notice cannot print', () => {
    expect(toNoticeDocument(position({ status: 'VALID' }), { ...org, cbill: 'ab-12' }).creditor.cbill).toBeUndefined();
  });
});

describe('noticeAvailability', () => {
  it('only VALID and PARTIALLY_PAID positions have a notice; every other status says why not', () => {
    const available = POSITION_STATUSES.filter((s) => noticeAvailability(s).available);
    expect(available).toEqual(['VALID', 'PARTIALLY_PAID']);
    for (const s of POSITION_STATUSES) {
      const a = noticeAvailability(s);
      if (!a.available) expect(a.reason.length, s).toBeGreaterThan(10);
    }
    const draft = noticeAvailability('DRAFT');
    expect(!draft.available && draft.reason).toMatch(/DRAFT/);
  });
});

describe('helpers', () => {
  it('detects PNG and JPEG logos by their magic bytes and nothing else', () => {
    expect(logoTypeOf(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(logoTypeOf(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(logoTypeOf(new TextEncoder().encode('<svg></svg>'))).toBeUndefined();
    expect(logoTypeOf(new Uint8Array([]))).toBeUndefined();
  });

  it('names the download after the iupd, and clips with an ellipsis', () => {
    expect(noticeFileName('TARI-2026.0001_a')).toBe('avviso-TARI-2026.0001_a.pdf');
    expect(noticeFileName('a"b/c')).toBe('avviso-a_b_c.pdf');
    expect(clip('  a   b  ', 10)).toBe('a b');
    expect(clip('abcdefghij', 5)).toBe('abcd\u2026');
  });
});
