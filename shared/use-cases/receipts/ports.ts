/**
 * What the receipt use cases need from the outside world: where receipts are kept (DynamoDB,
 * shared/adapters/dynamo/receipt-store.ts) and how the station looks a creditor up. The ports
 * several features share (positions, organizations, the queue publisher, the audit entry) are
 * in ../ports.ts.
 */
import type { PaymentReceivedEvent } from '../../../events/domain-events';
import type { DebtPosition } from '../../domain/debt-position';
import type { Organization } from '../../domain/organization';
import type { AnomalyKind, Receipt } from '../../domain/receipt';
import type { Actor, AuditEntry } from '../ports';

/** A receipt as the layer keeps it: the normalised receipt and what became of it. */
export interface StoredReceipt {
  readonly organizationFiscalCode: string;
  readonly iuv: string;
  readonly nav: string;
  readonly receiptId: string;
  /** APPLIED: it paid its option; KO: an outcome-KO receipt, nothing paid (anomalies are kept apart) */
  readonly state: 'APPLIED' | 'KO';
  readonly iupd?: string;
  /** when the layer recorded it (ISO UTC) */
  readonly recordedAt: string;
  readonly receipt: Receipt;
}

/**
 * A receipt that moved money but could not be applied, kept for a human to reconcile. One per
 * receipt (its receiptId), except UNPROCESSABLE: one per queue message (its SQS message id), since
 * what could not be read may have no usable receiptId, and the same receipt redriven and applied
 * later must still be able to become any other anomaly.
 */
export interface ReceiptAnomaly {
  readonly organizationFiscalCode: string;
  /** the receipt's creditorReferenceId ('-' when an UNPROCESSABLE message has none usable) */
  readonly iuv: string;
  readonly nav: string;
  /** '' when an UNPROCESSABLE message has none usable */
  readonly receiptId: string;
  readonly kind: AnomalyKind;
  readonly detail: string;
  readonly iupd?: string;
  readonly recordedAt: string;
  /** the receipt, when it could be read (always, except for an UNPROCESSABLE one that breaks the contract) */
  readonly receipt?: Receipt;
  /** UNPROCESSABLE: the SQS message id, and the message body exactly as it was queued */
  readonly messageId?: string;
  readonly received?: string;
  /** what the municipality's staff wrote about it, oldest first; the last one says whether it is handled */
  readonly notes?: readonly AnomalyNote[];
}

/** One note on an anomaly, by an operator (console) or a back office (API key): the anomaly's own audit trail. */
export interface AnomalyNote {
  /** ISO UTC */
  readonly at: string;
  readonly by: Actor;
  readonly text: string;
  /** true: this note closes it (handled); false: it stays, or is again, open */
  readonly handled: boolean;
}

/** Where one anomaly is kept: its notice (IUV) and its key there (anomalyKeyOf). */
export interface AnomalyRef {
  readonly iuv: string;
  readonly key: string;
}

/**
 * What keys an anomaly: its receipt id, or for an UNPROCESSABLE one its queue message
 * (`UNPROCESSABLE#<messageId>`), whose receipt id may be missing or too long to be a key.
 */
export function anomalyKeyOf(anomaly: Pick<ReceiptAnomaly, 'kind' | 'receiptId' | 'messageId'>): string {
  return anomaly.kind === 'UNPROCESSABLE' ? `UNPROCESSABLE#${anomaly.messageId ?? anomaly.receiptId}` : anomaly.receiptId;
}

/** Which anomalies a list shows besides its time window. */
export interface AnomalyFilter {
  readonly kind?: AnomalyKind;
  /** open: no note closed it (or the last one reopened it) */
  readonly state?: 'open' | 'handled';
}

export type ApplyConflict =
  /** this receipt is stored already (a re-delivery) */
  | { readonly conflict: 'duplicate' }
  /** another receipt paid the option first */
  | { readonly conflict: 'paid' }
  /** the position changed since it was read: read again and retry */
  | { readonly conflict: 'version' };

export interface ReceiptPage<T> {
  readonly items: T[];
  /** opaque; absent on the last page */
  readonly cursor?: string;
}

/** A time window of one tenant's receipts (or anomalies), by when the layer recorded them. */
export interface ReceiptWindow {
  /** inclusive ISO UTC bounds */
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  /** the `cursor` of the previous page, as handed out */
  readonly cursor?: string;
}

export interface ReceiptStore {
  /**
   * One transaction: the receipt (new), the option's paid guard (new), the position (still at
   * `expectedVersion`), its audit entry and the outbox event.
   */
  applyPayment(input: {
    readonly stored: StoredReceipt;
    readonly position: DebtPosition;
    readonly expectedVersion: number;
    readonly audit: AuditEntry;
    readonly event: PaymentReceivedEvent;
  }): Promise<ApplyConflict | undefined>;
  /** false when that receipt was stored already */
  recordReceipt(stored: StoredReceipt): Promise<boolean>;
  /** false when that anomaly was stored already */
  recordAnomaly(anomaly: ReceiptAnomaly): Promise<boolean>;
  /** receipts of one notice (IUV), oldest first */
  receiptsOf(organizationFiscalCode: string, iuv: string): Promise<StoredReceipt[]>;
  /** undefined when `window.cursor` is not a cursor this list of this tenant handed out */
  list(organizationFiscalCode: string, window: ReceiptWindow): Promise<ReceiptPage<StoredReceipt> | undefined>;
  /** undefined when `window.cursor` is not a cursor this list of this tenant handed out */
  listAnomalies(organizationFiscalCode: string, window: ReceiptWindow, filter?: AnomalyFilter): Promise<ReceiptPage<ReceiptAnomaly> | undefined>;
  /** one anomaly of this tenant, undefined when there is none there */
  getAnomaly(organizationFiscalCode: string, ref: AnomalyRef): Promise<ReceiptAnomaly | undefined>;
  /** the anomalies no note has closed */
  countOpenAnomalies(organizationFiscalCode: string): Promise<number>;
  /** appends `note` to the anomaly; undefined when there is no such anomaly of this tenant */
  addAnomalyNote(organizationFiscalCode: string, ref: AnomalyRef, note: AnomalyNote): Promise<ReceiptAnomaly | undefined>;
}

/** The creditors the station serves, by fiscal code (a short cache in front of the store is fine). */
export interface CreditorDirectory {
  get(fiscalCode: string): Promise<Organization | undefined>;
}
