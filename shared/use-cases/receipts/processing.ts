/**
 * Applying a receipt from the receipts queue, exactly once: the option paid, the position PAID or
 * PARTIALLY_PAID, its audit line and the payment.received event in one transaction; an outcome-KO
 * receipt recorded; one that cannot be applied kept as an anomaly (the money has moved). The rules
 * are the domain's (shared/domain/receipt.ts).
 */
import type { PaymentReceivedEvent } from '../../../events/domain-events';
import { parseApiDateTime } from '../../domain/dates';
import { decideReceipt, type Receipt } from '../../domain/receipt';
import type { DebtPositionStore } from '../ports';
import type { ReceiptAnomaly, ReceiptStore } from './ports';

export interface ProcessDeps {
  readonly positions: Pick<DebtPositionStore, 'findByNoticeNumber'>;
  readonly receipts: ReceiptStore;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** re-reads after a version conflict before the message is left to SQS (default 8) */
  readonly maxAttempts?: number;
}

export type ProcessOutcome =
  | { readonly outcome: 'applied'; readonly event: PaymentReceivedEvent }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'recorded-ko' }
  /** `isNew`: stored now, not by an earlier delivery (the alarm counts each anomaly once) */
  | { readonly outcome: 'anomaly'; readonly anomaly: ReceiptAnomaly; readonly isNew: boolean };

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
        return { outcome: 'anomaly', anomaly, isNew };
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
