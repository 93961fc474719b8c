/**
 * Applying a receipt from the receipts queue, exactly once: the option paid, the position PAID or
 * PARTIALLY_PAID, its audit line and the payment.received event in one transaction; an outcome-KO
 * receipt recorded; one that cannot be applied kept as an anomaly (the money has moved). The rules
 * are the domain's (shared/domain/receipt.ts). A message that cannot be processed at all is kept as
 * an UNPROCESSABLE anomaly on its last receive (recordUnprocessable), before SQS parks it in the DLQ.
 */
import type * as z from 'zod';
import type { PaymentReceivedEvent } from '../../../events/domain-events';
import { receiptIdSchema, receiptSchema, type ReceiptCreditor } from '../../../events/receipt';
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
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const now = deps.clock();
    const recordedAt = now.toISOString();
    const position = /^\d{18}$/.test(receipt.noticeNumber)
      ? await deps.positions.findByNoticeNumber(receipt.fiscalCode, receipt.noticeNumber)
      : undefined;
    const decision = decideReceipt(position, receipt, now);
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

/** A receipts-queue message that could not be processed, as its consumer saw it on its last receive. */
export interface UnprocessableMessage {
  /** the SQS message id (what keys the anomaly: one per message) */
  readonly messageId: string;
  /** the body exactly as queued (kept when it could not be read as a receipt) */
  readonly raw: string;
  /** the body as parsed: at least its creditor (a message without one is only logged: the DLQ alarm covers it) */
  readonly body: ReceiptCreditor;
  /** why: the contract's issues, or the error processing kept meeting */
  readonly reason: string;
  /** the receipt, when the body passed the contract */
  readonly receipt?: Receipt;
}

/**
 * Keeps a message that cannot be processed as an UNPROCESSABLE anomaly (visible through
 * GET …/receipts/anomalies, counted in the ReceiptAnomaly metric), once per message: `isNew` is
 * false when an earlier receive recorded it already. The message itself stays on SQS, bound for
 * the DLQ, from where an operator redrives it once the cause is fixed (`npm run admin -- dlq`).
 */
export async function recordUnprocessable(
  deps: Pick<ProcessDeps, 'receipts' | 'clock'>,
  message: UnprocessableMessage,
): Promise<{ readonly anomaly: ReceiptAnomaly; readonly isNew: boolean }> {
  const { receipt, body } = message;
  // what the body says, when it says it in a form the record can hold (else '-' and '')
  const usable = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  };
  const anomaly: ReceiptAnomaly = {
    organizationFiscalCode: body.fiscalCode,
    iuv: receipt?.creditorReferenceId ?? usable(receiptSchema.shape.creditorReferenceId, body['creditorReferenceId']) ?? '-',
    nav: receipt?.noticeNumber ?? usable(receiptSchema.shape.noticeNumber, body['noticeNumber']) ?? '',
    receiptId: receipt?.receiptId ?? usable(receiptIdSchema, body['receiptId']) ?? '',
    kind: 'UNPROCESSABLE',
    detail: message.reason.length > 2000 ? `${message.reason.slice(0, 1999)}…` : message.reason,
    recordedAt: deps.clock().toISOString(),
    messageId: message.messageId,
    // the receipt as received: parsed when it could be, else the body as queued (at most 256 KiB, an SQS message)
    ...(receipt !== undefined ? { receipt } : { received: message.raw }),
  };
  const isNew = await deps.receipts.recordAnomaly(anomaly);
  return { anomaly, isNew };
}

/** A receipts-queue message as its consumer hands it over. */
export interface ReceiptMessage {
  readonly messageId: string;
  /** the body exactly as queued */
  readonly raw: string;
  /** the body as parsed: at least its creditor (events/receipt.ts receiptCreditorSchema) */
  readonly body: ReceiptCreditor;
  /** this receive is the last before SQS moves the message to the DLQ */
  readonly lastAttempt: boolean;
}

export interface MessageDeps extends ProcessDeps {
  /** an anomaly kept now (not by an earlier delivery): log it, count it (the ReceiptAnomaly alarm) */
  readonly anomalyKept: (anomaly: ReceiptAnomaly) => void;
}

/** The message breaks the receipts queue contract (`issues` name the fields): it can only go to the DLQ. */
export class UnreadableReceipt extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`the message breaks the receipts queue contract: ${issues.join('; ')}`);
    this.name = 'UnreadableReceipt';
  }
}

/**
 * One message of the receipts queue: read against the contract, then applied (processReceipt).
 * On the last receive, a message that breaks the contract or whose processing fails is kept as an
 * UNPROCESSABLE anomaly before the error goes back to the consumer (and the message to the DLQ).
 * Throws UnreadableReceipt for a message that breaks the contract, whatever the receive.
 */
export async function processReceiptMessage(deps: MessageDeps, message: ReceiptMessage): Promise<ProcessOutcome> {
  const keep = async (reason: string, receipt?: Receipt, cause?: Error): Promise<void> => {
    try {
      const { anomaly, isNew } = await recordUnprocessable(deps, { messageId: message.messageId, raw: message.raw, body: message.body, reason, ...(receipt ? { receipt } : {}) });
      if (isNew) deps.anomalyKept(anomaly);
    } catch (error) {
      throw new Error(`${cause?.message ?? reason}; and it could not be kept as an anomaly: ${(error as Error).message}`, { cause: error });
    }
  };
  const parsed = receiptSchema.safeParse(message.body);
  if (!parsed.success) {
    const unreadable = new UnreadableReceipt(parsed.error.issues.map((i) => `${i.path.join('.') || '(receipt)'}: ${i.message}`));
    if (message.lastAttempt) await keep(unreadable.message, undefined, unreadable);
    throw unreadable;
  }
  try {
    return await processReceipt(deps, parsed.data);
  } catch (error) {
    if (message.lastAttempt) await keep(`processing failed on every receive: ${(error as Error).message}`, parsed.data, error as Error);
    throw error;
  }
}
