/**
 * Receipts (ricevute): taken in from the node (paSendRT/V2) or the JSON webhook and queued;
 * applied by the receipt processor exactly once; read back by the back office.
 */
import type { Receipt } from '../../events/receipt';
import type { PaymentReceivedEvent } from '../../events/domain-events';
import { parseApiDateTime } from '../domain/dates';
import { decideReceipt, type AnomalyKind } from '../domain/receipt';
import { UseCaseError } from './errors';
import type { DebtPositionStore, ReceiptAnomaly, ReceiptPage, ReceiptStore, StoredReceipt } from './ports';

// ---- intake ---------------------------------------------------------------------------------

export interface IntakeDeps {
  readonly positions: Pick<DebtPositionStore, 'findByNoticeNumber'>;
  /** puts the receipt durably on the receipts queue; throws when it could not */
  readonly enqueue: (receipt: Receipt) => Promise<void>;
}

export type IntakeOutcome =
  /** on the queue: the processor applies it (or keeps it as an anomaly) */
  | 'queued'
  /** this very receipt has been applied already: nothing queued, answer OK */
  | 'already-applied'
  /** a different receipt for an option already paid: PAA_RECEIPT_DUPLICATA / 409 */
  | 'duplicate-receipt';

/**
 * Takes a receipt in. Fast: one look-up of the option (to answer re-deliveries and duplicates as
 * pagoPA expects) and one send. The processor, not this read, guarantees exactly-once.
 */
export async function intakeReceipt(deps: IntakeDeps, receipt: Receipt): Promise<IntakeOutcome> {
  if (receipt.outcome === 'OK') {
    const position = await deps.positions.findByNoticeNumber(receipt.fiscalCode, receipt.noticeNumber);
    const option = position?.paymentOptions.find((o) => o.nav === receipt.noticeNumber);
    if (option?.payment?.receiptId === receipt.receiptId) return 'already-applied';
    if (option !== undefined && option.status !== 'PO_UNPAID') return 'duplicate-receipt';
  }
  await deps.enqueue(receipt);
  return 'queued';
}

// ---- processing -----------------------------------------------------------------------------

export interface ProcessDeps {
  readonly positions: Pick<DebtPositionStore, 'findByNoticeNumber'>;
  readonly receipts: ReceiptStore;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** called once per anomaly newly stored (a metric and an alarm: money moved but was not applied) */
  readonly onAnomaly: (anomaly: ReceiptAnomaly) => void;
  /** re-reads after a version conflict before the message is left to SQS (default 8) */
  readonly maxAttempts?: number;
}

export type ProcessOutcome =
  | { readonly outcome: 'applied'; readonly event: PaymentReceivedEvent }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'recorded-ko' }
  | { readonly outcome: 'anomaly'; readonly kind: AnomalyKind; readonly isNew: boolean };

/** Who writes the audit line of a payment: the node, through the receipt processor. */
const NODE_ACTOR_KEY = 'pagopa-node';

/**
 * Applies one receipt. Idempotent: the same receipt again changes nothing and is no error.
 * A version conflict (another receipt for another installment of the same position, at the same
 * time) re-reads and re-decides; only after `maxAttempts` does it throw (SQS redelivers).
 */
export async function processReceipt(deps: ProcessDeps, receipt: Receipt): Promise<ProcessOutcome> {
  const maxAttempts = deps.maxAttempts ?? 8;
  const paidAtIso = receipt.paymentDateTime !== undefined ? parseApiDateTime(receipt.paymentDateTime) : null;
  const paidAt = paidAtIso !== null ? new Date(paidAtIso) : undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const now = deps.clock();
    const recordedAt = now.toISOString();
    const position = /^\d{18}$/.test(receipt.noticeNumber)
      ? await deps.positions.findByNoticeNumber(receipt.fiscalCode, receipt.noticeNumber)
      : undefined;
    const decision = decideReceipt(position, receipt, now, paidAt);
    const base = {
      organizationFiscalCode: receipt.fiscalCode,
      iuv: receipt.creditorReferenceId,
      nav: receipt.noticeNumber,
      receiptId: receipt.receiptId,
      recordedAt,
      receipt,
    };
    switch (decision.kind) {
      case 'duplicate':
        return { outcome: 'duplicate' };
      case 'record-ko': {
        const isNew = await deps.receipts.recordReceipt({ ...base, state: 'KO', ...(position ? { iupd: position.iupd } : {}) });
        return isNew ? { outcome: 'recorded-ko' } : { outcome: 'duplicate' };
      }
      case 'anomaly': {
        const anomaly: ReceiptAnomaly = {
          ...base,
          kind: decision.anomaly,
          detail: decision.detail,
          ...(decision.iupd !== undefined ? { iupd: decision.iupd } : {}),
        };
        const isNew = await deps.receipts.recordAnomaly(anomaly);
        if (isNew) deps.onAnomaly(anomaly);
        return { outcome: 'anomaly', kind: decision.anomaly, isNew };
      }
      case 'apply': {
        const next = decision.position;
        const option = decision.option;
        const event: PaymentReceivedEvent = {
          eventId: deps.newId(),
          eventType: 'payment.received',
          occurredAt: recordedAt,
          organizationFiscalCode: next.organizationFiscalCode,
          iupd: next.iupd,
          nav: option.nav,
          iuv: option.iuv,
          receiptId: receipt.receiptId,
          amount: receipt.paymentAmount,
          status: next.status,
          previousStatus: decision.previousStatus,
          version: next.version,
          ...(receipt.paymentDateTime !== undefined ? { paymentDateTime: receipt.paymentDateTime } : {}),
        };
        const conflict = await deps.receipts.applyPayment({
          stored: { ...base, iuv: option.iuv, state: 'APPLIED', iupd: next.iupd },
          position: next,
          expectedVersion: next.version - 1,
          audit: {
            at: recordedAt,
            action: 'payment',
            actor: { organizationFiscalCode: next.organizationFiscalCode, keyId: NODE_ACTOR_KEY, requestId: receipt.receiptId },
            version: next.version,
            fromStatus: decision.previousStatus,
            toStatus: next.status,
            changedFields: [`paymentOption[${option.nav}].status`],
          },
          event,
        });
        if (conflict === undefined) return { outcome: 'applied', event };
        if (conflict.conflict === 'duplicate') return { outcome: 'duplicate' };
        // 'version' or 'paid': the position changed under us; the next read tells what it means
        continue;
      }
    }
  }
  throw new Error(`receipt ${receipt.receiptId}: the position kept changing during ${maxAttempts} attempts`);
}

// ---- back-office reads ----------------------------------------------------------------------

export interface ReceiptQueryDeps {
  readonly receipts: Pick<ReceiptStore, 'list' | 'listAnomalies' | 'receiptsOf'>;
}

export interface WindowQuery {
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export async function listReceipts(deps: ReceiptQueryDeps, organizationFiscalCode: string, query: WindowQuery): Promise<ReceiptPage<StoredReceipt>> {
  return deps.receipts.list(organizationFiscalCode, query);
}

export async function listReceiptAnomalies(
  deps: ReceiptQueryDeps,
  organizationFiscalCode: string,
  query: WindowQuery,
): Promise<ReceiptPage<ReceiptAnomaly>> {
  return deps.receipts.listAnomalies(organizationFiscalCode, query);
}

export async function getReceiptsOfNotice(deps: ReceiptQueryDeps, organizationFiscalCode: string, iuv: string): Promise<StoredReceipt[]> {
  const found = await deps.receipts.receiptsOf(organizationFiscalCode, iuv);
  if (found.length === 0) throw new UseCaseError('not-found', `no receipt for IUV ${iuv}`);
  return found;
}
