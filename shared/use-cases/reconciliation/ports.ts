/**
 * What reconciliation needs from the outside world: pagoPA's FdR API for organizations (the
 * reporting flows, shared/adapters/fdr-client.ts), the tenant's FdR subscription key (Secrets
 * Manager on AWS, the seed locally), and where flows, lines, anomalies and treasury movements are
 * kept (DynamoDB, shared/adapters/dynamo/reporting-flow-store.ts, treasury-store.ts).
 */
import type { DebtPosition } from '../../domain/debt-position';
import type { LineMatch, LineState, ReceiptSide, ReportingFlowHeader, ReportingFlowLine } from '../../domain/reporting-flow';
import type { PaymentReportedEvent, ReportingFlowReconciledEvent } from '../../../events/reporting-flow';
import type { AuditEntry } from '../ports';

/** One entry of the FdR list: the latest revision of a published flow. */
export interface FlowRef {
  readonly flowId: string;
  readonly pspId: string;
  readonly revision: number;
  readonly published: string;
  readonly flowDate: string;
}

/** The FdR API failed: `retryable` for 5xx, 429 and network errors; the status when there was one. */
export class FdrUnavailable extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FdrUnavailable';
  }
}

export interface FdrApi {
  /** GET /organizations/{ofc}/fdrs?publishedGt=&page=&size= */
  listFlows(apiKey: string, organizationFiscalCode: string, query: { publishedGt: string; page: number; size: number }): Promise<{ flows: FlowRef[]; totPage: number }>;
  /** GET …/fdrs/{fdr}/revisions/{revision}/psps/{pspId} */
  getFlow(apiKey: string, organizationFiscalCode: string, ref: FlowRef): Promise<ReportingFlowHeader>;
  /** GET …/payments?page=&size= */
  getPayments(apiKey: string, organizationFiscalCode: string, ref: FlowRef, query: { page: number; size: number }): Promise<{ lines: ReportingFlowLine[]; totPage: number }>;
}

/** The tenant's FdR subscription key, or undefined when it has none (then it is not polled). */
export type FdrKeySource = (organizationFiscalCode: string) => Promise<string | undefined>;

/** Where a tenant's acquisition stands. */
export interface AcquisitionState {
  /** the `published` of the newest flow acquired (the next publishedGt) */
  readonly watermark?: string;
  readonly lastRunAt?: string;
  readonly lastError?: string;
  readonly consecutiveFailures: number;
}

export type FlowState = 'MATCHED' | 'ANOMALOUS';
export type TreasuryState = 'CREDITED' | 'AMOUNT_DIFFERS';

/** One revision of a flow as the layer keeps it. */
export interface StoredFlow extends ReportingFlowHeader {
  readonly acquiredAt: string;
  /** false once a newer revision was acquired */
  readonly latest: boolean;
  readonly state: FlowState;
  /** lines per state, and their sums in cents */
  readonly counts: Readonly<Partial<Record<LineState, number>>>;
  readonly sums: Readonly<Partial<Record<LineState, number>>>;
  /** header totals that the lines do not match */
  readonly headerProblems: readonly string[];
  /** set when a treasury movement credited it */
  readonly treasury?: { readonly movementId: string; readonly amount: number; readonly state: TreasuryState; readonly at: string };
}

export interface StoredLine extends ReportingFlowLine, LineMatch {}

export type FlowKey = Pick<ReportingFlowHeader, 'organizationFiscalCode' | 'flowId' | 'pspId' | 'revision'>;

/** Who reported a position, in its audit line: the flow revision (also how a store names that revision's writes). */
export const reportRequestId = (key: FlowKey): string => `fdr:${key.flowId}:${key.pspId}:${key.revision}`;

export const RECONCILIATION_ANOMALY_KINDS = [
  /** a flow line whose IUV is a notice of this creditor, but no receipt was applied for it */
  'LINE_WITHOUT_RECEIPT',
  /** a flow line whose amount is not the receipt transfer's, to the cent */
  'AMOUNT_MISMATCH',
  /** the lines of a flow do not add up to its header (count or sum) */
  'HEADER_MISMATCH',
  /** a line whose IUV is no notice of this creditor: paid through another intermediary */
  'OTHER_INTERMEDIARY',
  /** the treasury credit of a flow differs from the flow's total */
  'TREASURY_AMOUNT_MISMATCH',
  /** a treasury credit naming no flow, or a flow the layer does not know */
  'TREASURY_UNKNOWN_FLOW',
  /** a receipt transfer no reporting flow reported within the configured working days */
  'RECEIPT_NOT_REPORTED',
] as const;
export type ReconciliationAnomalyKind = (typeof RECONCILIATION_ANOMALY_KINDS)[number];

export interface ReconciliationAnomaly {
  readonly organizationFiscalCode: string;
  readonly kind: ReconciliationAnomalyKind;
  /** what it is about, unique per kind: `<flowId>/<pspId>/<revision>[/<line index>]` or the movement id */
  readonly ref: string;
  readonly detail: string;
  readonly recordedAt: string;
  readonly flowId?: string;
  readonly iuv?: string;
  readonly iur?: string;
  readonly amount?: number;
  readonly movementId?: string;
  /** set when a later event settled it (e.g. the receipt arrived and the line matched) */
  readonly resolvedAt?: string;
}

/** A line that matched: the transfer to report inside its position's transaction. */
export interface LineReport {
  readonly line: StoredLine;
  readonly iuv: string;
  readonly receiptId: string;
  readonly idTransfer: number;
  readonly amount: number;
  /** when the layer recorded the receipt (the reported marker is indexed by it) */
  readonly receiptRecordedAt: string;
}

export interface ReportingFlowStore {
  acquisition(organizationFiscalCode: string): Promise<AcquisitionState | undefined>;
  saveAcquisition(organizationFiscalCode: string, state: AcquisitionState): Promise<void>;
  /** every stored revision of a flow name (any PSP) */
  revisionsOf(organizationFiscalCode: string, flowId: string): Promise<StoredFlow[]>;
  getFlow(key: FlowKey): Promise<StoredFlow | undefined>;
  /**
   * Writes the header of a revision once, with its event in the same transaction; `previous`
   * revisions get latest = false. False (nothing written) when the revision's header is stored
   * already: another acquirer of the same flow (two syncs at once) finished first, and what the
   * header gained since (a treasury credit, late matches) is not overwritten.
   */
  putFlow(flow: StoredFlow, previous: readonly FlowKey[], event?: ReportingFlowReconciledEvent): Promise<boolean>;
  linesOf(key: FlowKey): Promise<StoredLine[]>;
  /**
   * A NO_RECEIPT line matched later (its receipt applied after its flow was stored): its claim is
   * taken (deleted, conditionally) and the header's counts and state follow, in one transaction.
   * False when the claim was taken already (another matcher of the same line did it): nothing moved.
   */
  moveLine(key: FlowKey, line: Pick<StoredLine, 'index' | 'iuv' | 'iur' | 'idTransfer' | 'amount'>, to: LineState): Promise<boolean>;
  /**
   * Lines not matched to a receipt: written in batches; NO_RECEIPT ones leave a claim the receipt
   * finds later. `fromClaims` (lines matched late): their claims are left for moveLine to take.
   */
  putLines(key: FlowKey, lines: readonly StoredLine[], fromClaims?: boolean): Promise<void>;
  /** what each line's receipt side looks like (receipt by IUV + IUR, IUV known) — batched */
  receiptSides(organizationFiscalCode: string, lines: readonly ReportingFlowLine[]): Promise<Map<string, ReceiptSide>>;
  /** positions by iupd — batched */
  positions(organizationFiscalCode: string, iupds: readonly string[]): Promise<Map<string, DebtPosition>>;
  position(organizationFiscalCode: string, iupd: string): Promise<DebtPosition | undefined>;
  /**
   * Writes reported positions (each still at its `expectedVersion`), each with its audit line and
   * event, in as few transactions as the store's limits allow (a position is never half-written).
   * Answers the positions NOT written: 'conflict' when the position changed meanwhile (read it
   * again), 'retry' when another position of its transaction did (try it again as it is).
   * A store may write the audit lines under their positions right after the transaction, as long
   * as the transaction keeps them (restoreReportAudits writes them again after a crash between).
   * The lines and markers follow, batched (reportLines): a crash between the two leaves the
   * transfer reported and the line unwritten; the flow's header is written last, so the flow is
   * acquired again, and matching finds the transfer reported and writes the line.
   */
  report(key: FlowKey, reports: readonly PositionReport[]): Promise<Map<string, 'conflict' | 'retry'>>;
  /**
   * The audit lines that `report` wrote for the flow `key` on these positions, written again (the
   * same lines: nothing is duplicated); for positions found reported by this very flow already,
   * where a crash may have come between the transaction and its audit lines. Answers how many.
   */
  restoreReportAudits(key: FlowKey, iupds: readonly string[]): Promise<number>;
  /** writes the matched lines and the receipts' reported markers, batched (a late line's claim is left for moveLine to take) */
  reportLines(key: FlowKey, lines: readonly LineReport[]): Promise<void>;
  /** flow lines waiting for this receipt (the claims NO_RECEIPT lines left) */
  claimsOf(organizationFiscalCode: string, iuv: string, receiptId: string): Promise<Array<{ key: FlowKey; index: number }>>;
  line(key: FlowKey, index: number): Promise<StoredLine | undefined>;
  /** new anomalies only (stored once); returns those that were new */
  recordAnomalies(anomalies: readonly ReconciliationAnomaly[]): Promise<ReconciliationAnomaly[]>;
  resolveAnomaly(organizationFiscalCode: string, kind: ReconciliationAnomalyKind, ref: string, at: string): Promise<void>;
  listAnomalies(organizationFiscalCode: string, query: { kind?: ReconciliationAnomalyKind; open?: boolean; limit: number; cursor?: string }): Promise<Page<ReconciliationAnomaly> | undefined>;
  /** the latest revisions, by flow date in [from, to] */
  listFlows(organizationFiscalCode: string, query: { from?: string; to?: string; state?: FlowState; limit: number; cursor?: string }): Promise<Page<StoredFlow> | undefined>;
  /** receipt transfers recorded in [from, to] with what reported them */
  paidTransfers(organizationFiscalCode: string, window: { from?: string; to?: string }): AsyncIterable<PaidTransferRecord>;
}

export interface PositionReport {
  readonly position: DebtPosition;
  readonly expectedVersion: number;
  readonly audit?: AuditEntry;
  /** written with the position, in the same transaction (the outbox) */
  readonly event?: PaymentReportedEvent;
}

export interface PaidTransferRecord {
  readonly iuv: string;
  readonly receiptId: string;
  readonly idTransfer: number;
  readonly amount: number;
  readonly recordedAt: string;
  readonly category: string;
  /** the transfer's metadata as `key=value` pairs joined by `|` (accounting keys of the ragioneria) */
  readonly metadata: string;
  readonly reportedBy?: FlowKey;
}

export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}

// ---- treasury ---------------------------------------------------------------------------------

/** REVERSED: the treasurer took the credit back (an OPI STORNATO); it credits no flow any more. */
export type MovementState = 'CREDITED' | 'AMOUNT_DIFFERS' | 'OPEN' | 'REVERSED';

/** A credit on the treasury account (a bank statement entry), amounts in cents. */
export interface TreasuryMovement {
  readonly organizationFiscalCode: string;
  /** the bank's reference of the entry (or a digest of it when the statement gives none) */
  readonly movementId: string;
  readonly bookingDate: string;
  readonly valueDate: string;
  readonly amount: number;
  readonly remittanceInformation: string;
  readonly endToEndId?: string;
  /** the flow named in the remittance text */
  readonly flowId?: string;
  readonly state: MovementState;
  readonly detail?: string;
  readonly importedAt: string;
  /** when its reversal was imported (state REVERSED) */
  readonly reversedAt?: string;
  /** the statement's format: the CSV layout, ISO 20022 camt.053, or the SIOPE+ OPI giornale di cassa */
  readonly source: 'CSV' | 'CAMT053' | 'OPI';
}

export interface TreasuryStore {
  /** false when that movement was imported already (whatever its dates: the movement id is the key) */
  putMovement(movement: TreasuryMovement): Promise<boolean>;
  /** the movement with that id, as last recorded */
  movement(organizationFiscalCode: string, movementId: string): Promise<TreasuryMovement | undefined>;
  updateMovement(movement: TreasuryMovement): Promise<void>;
  listMovements(organizationFiscalCode: string, query: { from?: string; to?: string; state?: MovementState; limit: number; cursor?: string }): Promise<Page<TreasuryMovement> | undefined>;
  /** movements naming `flowId` that were kept open (the flow was not known yet) */
  openMovementsFor(organizationFiscalCode: string, flowId: string): Promise<TreasuryMovement[]>;
  /** marks the flow revision credited (or differing) by a movement */
  creditFlow(key: FlowKey, treasury: NonNullable<StoredFlow['treasury']>): Promise<void>;
  /** takes the credit of `movementId` off the flow revision (nothing when another movement's credit is there) */
  uncreditFlow(key: FlowKey, movementId: string): Promise<void>;
}
