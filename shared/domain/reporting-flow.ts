/**
 * Reporting flows (flussi di rendicontazione, FdR) and what they do to debt positions. Pure.
 *
 * A PSP publishes, per creditor and per settlement, one flow: a header (the flow name, its
 * settlement, totals) and one line per paid transfer, keyed by IUV + IUR (the receipt's
 * receiptId) + idTransfer (pagoPA FdR organization API, pagopa/pagopa-api openapi/fdr_organization.json;
 * SANP "rendicontazione e accredito": the IUR is the receipt's request id, the index its idTransfer).
 * A correction is a new revision of the same flow name; only the latest counts.
 *
 * Matching a line to the receipt transfer it reports:
 *   no receipt with that IUV + IUR for this creditor      NO_RECEIPT (waits: a receipt applied later matches)
 *   IUV not a notice of this creditor at all              OTHER_INTERMEDIARY (paid through another intermediary)
 *   receipt known, no transfer with that idTransfer       NO_RECEIPT
 *   amount ≠ the transfer's, to the cent                  AMOUNT_MISMATCH
 *   payStatus NO_RPT / STAND_IN_NO_RPT                    NO_RECEIPT unless a receipt exists (money without a receipt)
 *   payStatus REVOKED                                     REVOKED (a refund reported; the transfer is not reported)
 *   otherwise (EXECUTED, STAND_IN)                        MATCHED: the transfer T_REPORTED
 *
 * GPD's rules for the position (pagopa/pagopa-debt-position PaymentsService.updateTransferStatus,
 * recomputePaymentPositionStatus): the option must be PO_PAID or PO_PARTIALLY_REPORTED; it becomes
 * PO_PARTIALLY_REPORTED until every transfer is reported, then PO_REPORTED; the position becomes
 * REPORTED when at least one option is fully reported. Reporting the same transfer twice is a no-op.
 */
import type { DebtPosition, PaymentOption, TransferReporting } from './debt-position';

/** FdR payStatus (fdr_organization.json `Payment.payStatus`; XML codiceEsitoSingoloPagamento 0/3/4/8/9). */
export const PAY_STATUSES = ['EXECUTED', 'REVOKED', 'STAND_IN', 'STAND_IN_NO_RPT', 'NO_RPT'] as const;
export type PayStatus = (typeof PAY_STATUSES)[number];

export const LINE_STATES = ['MATCHED', 'NO_RECEIPT', 'AMOUNT_MISMATCH', 'OTHER_INTERMEDIARY', 'REVOKED', 'DUPLICATE_LINE'] as const;
export type LineState = (typeof LINE_STATES)[number];

/** The header of one revision of a flow, amounts in cents. */
export interface ReportingFlowHeader {
  readonly organizationFiscalCode: string;
  /** the flow name (identificativoFlusso): `<yyyy-MM-dd><pspId>-<n>` */
  readonly flowId: string;
  readonly pspId: string;
  readonly revision: number;
  readonly published: string;
  readonly flowDate: string;
  /** identificativoUnivocoRegolamento: the SCT's TRN (or EndToEndId) */
  readonly regulation: string;
  /** yyyy-MM-dd */
  readonly regulationDate: string;
  readonly bicCodePouringBank?: string;
  readonly pspName?: string;
  /** the header's own totals (numeroTotalePagamenti, importoTotalePagamenti) */
  readonly totPayments: number;
  readonly sumPayments: number;
}

export interface ReportingFlowLine {
  readonly index: number;
  readonly iuv: string;
  readonly iur: string;
  readonly idTransfer: number;
  /** cents */
  readonly amount: number;
  readonly payStatus: PayStatus;
  readonly payDate: string;
}

/** A line and what matching made of it. */
export interface LineMatch {
  readonly state: LineState;
  readonly iupd?: string;
  readonly nav?: string;
  readonly detail?: string;
}

/**
 * Euros as FdR writes them (a JSON number or string with at most 2 decimals) → integer cents,
 * without binary floating point: 123.45 → 12345. undefined for anything else.
 */
export function eurosToCents(value: number | string): number | undefined {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const m = /^(\d{1,13})(?:[.,](\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const decimals = (m[2] ?? '').padEnd(2, '0');
  if (typeof value === 'number' && Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) return undefined;
  return Number(m[1]) * 100 + Number(decimals);
}

/** Cents → the decimal euro string FdR and bank statements use ("123.45"). */
export function centsToEuros(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Whether `flowId` has the form pagoPA validates (pagopa/pagopa-fdr FlowNameFormatValidator):
 * at most 35 of [A-Za-z0-9-_], starting with an ISO date, then `<pspId>-`.
 */
export function isFlowName(flowId: string, pspId?: string): boolean {
  if (!/^[A-Za-z0-9_-]{1,35}$/.test(flowId)) return false;
  const date = flowId.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return false;
  return pspId === undefined || flowId.slice(10).startsWith(`${pspId}-`);
}

/** A receipt transfer as matching sees it. */
export interface PaidTransfer {
  readonly idTransfer: number;
  /** cents */
  readonly amount: number;
}

/** What the receipt side of a line looks like, as the store found it. */
export interface ReceiptSide {
  /** whether the creditor has any notice with this IUV (IUV lock) */
  readonly iuvKnown: boolean;
  /** the receipt with that IUV and IUR (receiptId), when applied */
  readonly receipt?: { readonly iupd: string; readonly nav: string; readonly recordedAt: string; readonly transfers: readonly PaidTransfer[] };
}

/** The state of one line (see the table at the top). */
export function matchLine(line: ReportingFlowLine, side: ReceiptSide): LineMatch {
  const receipt = side.receipt;
  if (!receipt) {
    if (!side.iuvKnown) return { state: 'OTHER_INTERMEDIARY', detail: `IUV ${line.iuv} is not a notice of this creditor` };
    const why = line.payStatus === 'NO_RPT' || line.payStatus === 'STAND_IN_NO_RPT' ? ' (reported as paid without a receipt)' : '';
    return { state: 'NO_RECEIPT', detail: `no receipt ${line.iur} for IUV ${line.iuv}${why}` };
  }
  const at = { iupd: receipt.iupd, nav: receipt.nav };
  const transfer = receipt.transfers.find((t) => t.idTransfer === line.idTransfer);
  if (!transfer) return { state: 'NO_RECEIPT', ...at, detail: `receipt ${line.iur} has no transfer ${line.idTransfer}` };
  if (transfer.amount !== line.amount) {
    return { state: 'AMOUNT_MISMATCH', ...at, detail: `reported ${centsToEuros(line.amount)} EUR, the transfer is ${centsToEuros(transfer.amount)} EUR` };
  }
  if (line.payStatus === 'REVOKED') return { state: 'REVOKED', ...at, detail: 'the payment was revoked (refunded)' };
  return { state: 'MATCHED', ...at };
}

/**
 * The position after the transfers `idTransfers` of option `nav` are reported by a flow; undefined
 * when nothing changes (already reported, or GPD would refuse: the option not paid).
 */
export function reportTransfers(
  position: DebtPosition,
  nav: string,
  idTransfers: readonly number[],
  reporting: TransferReporting,
): DebtPosition | undefined {
  const option = position.paymentOptions.find((o) => o.nav === nav);
  if (!option) return undefined;
  if (option.status !== 'PO_PAID' && option.status !== 'PO_PARTIALLY_REPORTED') return undefined;
  if (position.status !== 'PAID' && position.status !== 'PARTIALLY_PAID' && position.status !== 'REPORTED') return undefined;
  let changed = false;
  const transfers = option.transfers.map((t) => {
    if (t.reporting !== undefined || !idTransfers.includes(Number(t.idTransfer))) return t;
    changed = true;
    return { ...t, reporting };
  });
  if (!changed) return undefined;
  const reported: PaymentOption = {
    ...option,
    transfers,
    status: transfers.every((t) => t.reporting !== undefined) ? 'PO_REPORTED' : 'PO_PARTIALLY_REPORTED',
  };
  const options = position.paymentOptions.map((o) => (o.nav === nav ? reported : o));
  return {
    ...position,
    paymentOptions: options,
    status: options.some((o) => o.status === 'PO_REPORTED') ? 'REPORTED' : position.status,
    lastUpdatedDate: reporting.reportingDate,
    version: position.version + 1,
  };
}

/** The reporting of an option as GPD shows it: the latest of its transfers' (idFlowReporting, reportingDate). */
export function optionReporting(option: PaymentOption): TransferReporting | undefined {
  return option.transfers
    .map((t) => t.reporting)
    .filter((r): r is TransferReporting => r !== undefined)
    .sort((a, b) => b.reportingDate.localeCompare(a.reportingDate))[0];
}

/** Header checks: the lines must add up to the header's totals (GovPay anomalies 007106 / 007107). */
export function headerProblems(header: Pick<ReportingFlowHeader, 'totPayments' | 'sumPayments'>, lines: readonly ReportingFlowLine[]): string[] {
  const problems: string[] = [];
  const sum = lines.reduce((s, l) => s + l.amount, 0);
  if (lines.length !== header.totPayments) problems.push(`the flow has ${lines.length} lines, its header says ${header.totPayments}`);
  if (sum !== header.sumPayments) problems.push(`the lines add up to ${centsToEuros(sum)} EUR, the header says ${centsToEuros(header.sumPayments)} EUR`);
  return problems;
}

// ---- treasury (tesoreria): the flow id in the remittance text of the SCT -------------------

/**
 * The flow id (IUF) of a cumulative credit transfer from its remittance text (AT-05), tolerant
 * of what banks do to `/PUR/LGPE-RIVERSAMENTO/URI/<flow id>` (SACI, Allegato A, §6): spaces
 * around and inside the tags, an inserted `/TXT/n/`, a prefix before it, spaces breaking the
 * date of the flow id. The same tolerances pagoPA's own treasury ingestion applies
 * (pagopa/p4pa-payhub-activities TreasuryUtils; link-it/govpay IncassoUtils). undefined when
 * the text names no flow.
 */
export function flowIdFromRemittance(text: string): string | undefined {
  const upper = text.replace(/\s+/g, ' ');
  const m = /L\s?G\s?P\s?E\s?-\s?R\s?I\s?V\s?E\s?R\s?S\s?A\s?M\s?E\s?N\s?T\s?O\s*(?:[/ ]\s*TXT\s*[/ ]\s*\d\s*)?[/ ]\s*URI\s*[/ ]\s*(.+)$/i.exec(upper);
  if (!m) return undefined;
  // the flow id: a date the bank may have broken with spaces, then [A-Za-z0-9_-] up to a space or '/'
  const d = /^(\d{4})\s*-\s*(\d{2})\s*-\s*(\d{2})\s*([A-Za-z0-9_-]+)/.exec(m[1]!.trim());
  const id = d ? `${d[1]}-${d[2]}-${d[3]}${d[4]}` : undefined;
  return id !== undefined && isFlowName(id) ? id : undefined;
}

/** A flow is MATCHED when its header adds up and every line found its receipt transfer (revoked lines included). */
export function flowStateOf(counts: Readonly<Partial<Record<LineState, number>>>, headerProblemCount: number): 'MATCHED' | 'ANOMALOUS' {
  if (headerProblemCount > 0) return 'ANOMALOUS';
  return LINE_STATES.every((s) => s === 'MATCHED' || s === 'REVOKED' || (counts[s] ?? 0) === 0) ? 'MATCHED' : 'ANOMALOUS';
}

// ---- working days (giorni lavorativi) -----------------------------------------------------------

/** Easter Sunday of `year` (Gregorian, anonymous algorithm), as yyyy-MM-dd. */
function easter(year: number): string {
  const a = year % 19, b = Math.floor(year / 100), c = year % 100, d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Italian national holidays (L. 260/1949 and later) and Easter Monday, on which banks do not settle. */
export function isItalianHoliday(day: string): boolean {
  const md = day.slice(5);
  if (['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '11-01', '12-08', '12-25', '12-26'].includes(md)) return true;
  const easterMonday = new Date(Date.parse(`${easter(Number(day.slice(0, 4)))}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return day === easterMonday;
}

/** The instant `n` working days (Monday to Friday, not a holiday) before `now`, same time of day (UTC). */
export function workingDaysBefore(now: Date, n: number): Date {
  let t = now.getTime();
  let left = n;
  while (left > 0) {
    t -= 86_400_000;
    const d = new Date(t);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6 && !isItalianHoliday(d.toISOString().slice(0, 10))) left--;
  }
  return new Date(t);
}
