/**
 * The pure rules of reconciliation: euros ↔ cents, flow names, the flow id in a remittance text
 * (tolerant of what banks do to it), matching a line, GPD's reporting transitions, and the
 * treasury statement formats (CSV layout, camt.053).
 */
import { describe, expect, it } from 'vitest';
import type { DebtPosition, PaymentOption } from '../../../shared/domain/debt-position';
import {
  centsToEuros,
  eurosToCents,
  flowIdFromRemittance,
  flowStateOf,
  headerProblems,
  isFlowName,
  matchLine,
  optionReporting,
  reportTransfers,
  type ReportingFlowLine,
} from '../../../shared/domain/reporting-flow';
import { parseCamt053, parseCsvStatement } from '../../../shared/http/treasury-statement';
import { windowStart } from '../../../shared/use-cases/reconciliation/acquire';

const FLOW = '2026-12-01BCITITMM-0001';

describe('amounts', () => {
  it('euros to cents without floating point drift, and back', () => {
    expect(eurosToCents(0.1 + 0.2)).toBe(30);
    expect(eurosToCents(123.45)).toBe(12345);
    expect(eurosToCents('1234.5')).toBe(123450);
    expect(eurosToCents(1.005)).toBeUndefined();
    expect(eurosToCents('1.234')).toBeUndefined();
    expect(eurosToCents(-1)).toBeUndefined();
    expect(centsToEuros(12345)).toBe('123.45');
    expect(centsToEuros(5)).toBe('0.05');
  });
});

describe('flow names and the flow id in remittance texts', () => {
  it('validates flow names as pagoPA does (date, then <pspId>-)', () => {
    expect(isFlowName(FLOW, 'BCITITMM')).toBe(true);
    expect(isFlowName(FLOW, 'OTHER')).toBe(false);
    expect(isFlowName('2026-13-01BCITITMM-1')).toBe(false);
    expect(isFlowName('x'.repeat(36))).toBe(false);
  });

  it.each([
    ['/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001', FLOW],
    ['/PUR/LGPE-RIVERSAMENTO/TXT/2/URI/2026-12-01BCITITMM-0001', FLOW],
    ['ACCREDITI VARI LGPE-RIVERSAMENTO/URI/2026-12-01 BCITITMM-0001', FLOW],
    ['/PUR/LGPE - RIVERSAMENTO /URI/ 2026-12- 01BCITITMM-0001 /ZZ4/Comune', FLOW],
    ['000000,00000101,01EUR/ZZ2SATISPAY EUROPE SA/ZZ3Comune/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001/ZZ4/xx', FLOW],
    ['/pur/lgpe-riversamento/uri/2026-12-01BCITITMM-0001', FLOW],
    ['L GPE-RIVERSAMENTO URI 2026-12-01BCITITMM-0001', FLOW],
    ['/RFB/123456789012345/12.34/TXT/Multa', undefined],
    ['BONIFICO', undefined],
    ['/PUR/LGPE-RIVERSAMENTO/URI/not-a-flow', undefined],
  ])('%s → %s', (text, expected) => {
    expect(flowIdFromRemittance(text)).toBe(expected);
  });
});

const line = (over: Partial<ReportingFlowLine> = {}): ReportingFlowLine => ({
  index: 1, iuv: '12000000000000001', iur: 'R1', idTransfer: 1, amount: 1000, payStatus: 'EXECUTED', payDate: '2026-12-01T10:00:00.000Z', ...over,
});
const receipt = { iupd: 'P1', nav: '312000000000000001', recordedAt: '2026-12-01T10:00:01.000Z', transfers: [{ idTransfer: 1, amount: 1000 }, { idTransfer: 2, amount: 500 }] };

describe('matching a line', () => {
  it('every state of the table', () => {
    expect(matchLine(line(), { iuvKnown: true, receipt }).state).toBe('MATCHED');
    expect(matchLine(line({ amount: 1001 }), { iuvKnown: true, receipt })).toMatchObject({ state: 'AMOUNT_MISMATCH', detail: 'reported 10.01 EUR, the transfer is 10.00 EUR' });
    expect(matchLine(line({ idTransfer: 3 }), { iuvKnown: true, receipt }).state).toBe('NO_RECEIPT');
    expect(matchLine(line({ payStatus: 'REVOKED' }), { iuvKnown: true, receipt }).state).toBe('REVOKED');
    expect(matchLine(line({ payStatus: 'STAND_IN' }), { iuvKnown: true, receipt }).state).toBe('MATCHED');
    expect(matchLine(line(), { iuvKnown: true }).state).toBe('NO_RECEIPT');
    expect(matchLine(line({ payStatus: 'NO_RPT' }), { iuvKnown: true }).detail).toMatch(/without a receipt/);
    expect(matchLine(line(), { iuvKnown: false }).state).toBe('OTHER_INTERMEDIARY');
  });

  it('header totals, flow state', () => {
    expect(headerProblems({ totPayments: 1, sumPayments: 1000 }, [line()])).toEqual([]);
    expect(headerProblems({ totPayments: 2, sumPayments: 1001 }, [line()])).toHaveLength(2);
    expect(flowStateOf({ MATCHED: 3, REVOKED: 1 }, 0)).toBe('MATCHED');
    expect(flowStateOf({ MATCHED: 3, NO_RECEIPT: 1 }, 0)).toBe('ANOMALOUS');
    expect(flowStateOf({ MATCHED: 3 }, 1)).toBe('ANOMALOUS');
  });
});

describe("GPD's reporting transitions", () => {
  const option = (nav: string, status: PaymentOption['status'], transfers = 2): PaymentOption => ({
    iuv: nav.slice(1), nav, amount: 1500, description: '', isPartialPayment: true, dueDate: '2099-01-01T00:00:00.000Z', fee: 0, status, metadata: [],
    transfers: Array.from({ length: transfers }, (_, i) => ({ idTransfer: String(i + 1) as '1', amount: 750, organizationFiscalCode: '80001234568', remittanceInformation: 'x', category: '9/0101108TS/', metadata: [] })),
  });
  const position = (options: PaymentOption[], status: DebtPosition['status'] = 'PARTIALLY_PAID'): DebtPosition => ({
    organizationFiscalCode: '80001234568', iupd: 'P1', debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'M R' }, companyName: 'C', switchToExpired: false,
    status, insertedDate: '2026-01-01T00:00:00.000Z', lastUpdatedDate: '2026-01-01T00:00:00.000Z', version: 3, paymentOptions: options,
  });
  const reporting = { idFlowReporting: FLOW, pspId: 'BCITITMM', revision: 1, reportingDate: '2026-12-02T08:00:00.000Z' };

  it('transfer by transfer: PO_PARTIALLY_REPORTED, then PO_REPORTED and the position REPORTED', () => {
    const p = position([option('301', 'PO_PAID'), option('302', 'PO_UNPAID')]);
    const half = reportTransfers(p, '301', [1], reporting)!;
    expect(half.paymentOptions[0]!.status).toBe('PO_PARTIALLY_REPORTED');
    expect(half.status).toBe('PARTIALLY_PAID');
    expect(half.version).toBe(4);
    const full = reportTransfers(half, '301', [2], reporting)!;
    expect(full.paymentOptions[0]!.status).toBe('PO_REPORTED');
    expect(full.status).toBe('REPORTED');
    expect(optionReporting(full.paymentOptions[0]!)).toEqual(reporting);
    // idempotent: nothing changes the second time
    expect(reportTransfers(full, '301', [1, 2], reporting)).toBeUndefined();
  });

  it('refuses what GPD refuses: an unpaid option, a position not accountable', () => {
    expect(reportTransfers(position([option('301', 'PO_UNPAID')]), '301', [1], reporting)).toBeUndefined();
    expect(reportTransfers(position([option('301', 'PO_PAID')], 'VALID'), '301', [1], reporting)).toBeUndefined();
  });
});

describe('the FdR window', () => {
  it('publishedGt never older than one month (plus an hour of margin)', () => {
    expect(windowStart(new Date('2026-03-31T10:00:00Z')).toISOString()).toBe('2026-03-03T11:00:00.000Z');
    expect(windowStart(new Date('2026-12-02T10:00:00Z')).toISOString()).toBe('2026-11-02T11:00:00.000Z');
  });
});

describe('treasury statements', () => {
  it('CSV: either separator, quoted fields, Italian amounts and dates, debits dropped', () => {
    const csv = [
      '"bookingDate","amount","remittanceInformation","bankReference","creditDebit"',
      '"2026-12-02","1,234.56","/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001","R1","CRDT"',
      '"2026-12-02","-5.00","fees","R2",""',
    ].join('\r\n');
    expect(parseCsvStatement(csv)).toEqual([
      { movementId: 'R1', bookingDate: '2026-12-02', valueDate: '2026-12-02', amount: 123456, remittanceInformation: '/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001' },
    ]);
    const it = 'bookingDate;amount;remittanceInformation\n02/12/2026;1.234,56;x';
    expect(parseCsvStatement(it)[0]).toMatchObject({ bookingDate: '2026-12-02', amount: 123456 });
    expect(parseCsvStatement(it)[0]!.movementId).toMatch(/^H[0-9a-f]{32}$/);
    expect(() => parseCsvStatement('amount\n1')).toThrow(/required columns/);
  });

  it('camt.053: credits with their reference, end-to-end id and remittance; debits and foreign documents refused', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt><Id>S1</Id>
<Ntry><Amt Ccy="EUR">10.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><DtTm>2026-12-02T09:00:00</DtTm></BookgDt><ValDt><Dt>2026-12-03</Dt></ValDt><AcctSvcrRef>A1</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E1</EndToEndId></Refs><RmtInf><Ustrd>/PUR/LGPE-RIVERSAMENTO</Ustrd><Ustrd>/URI/2026-12-01BCITITMM-0001</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-12-02</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>`;
    const [entry, ...rest] = parseCamt053(xml);
    expect(rest).toEqual([]);
    expect(entry).toEqual({ movementId: 'A1', bookingDate: '2026-12-02', valueDate: '2026-12-03', amount: 1050, remittanceInformation: '/PUR/LGPE-RIVERSAMENTO /URI/2026-12-01BCITITMM-0001', endToEndId: 'E2E1' });
    expect(flowIdFromRemittance(entry!.remittanceInformation)).toBe(FLOW);
    expect(() => parseCamt053('<Document xmlns="urn:other"/>')).toThrow(/camt.053/);
    expect(() => parseCamt053('<!DOCTYPE x><Document/>')).toThrow(/cannot be read/);
  });
});
