import { receiptCreditorSchema } from '../../events/receipt';
import { receiptProcessorRoot, type ReceiptProcessor } from '../../shared/composition/receipts';
import { RetryLater, consumeQueue } from '../../shared/messaging/sqs-consumer';
import { UnreadableReceipt, processReceiptMessage } from '../../shared/use-cases/receipts/processing';

/**
 * Queue `receipts` → each receipt applied exactly once (shared/use-cases/receipts/processing.ts).
 * The receipts of a batch run side by side (installments of one position retry their version
 * conflicts inside processReceipt); a message that cannot be parsed or applied is reported alone
 * and reaches the DLQ after maxReceiveCount attempts, on the last of which it is kept as an
 * UNPROCESSABLE anomaly (listed, counted in ReceiptAnomaly, alarmed). A message that does not
 * even name its creditor is logged at ERROR with its message id (the consumer's "malformed receipt").
 */
export const makeHandler = (deps: ReceiptProcessor) => {
  const anomalyKept: Parameters<typeof processReceiptMessage>[0]['anomalyKept'] = ({ kind, detail, iuv, receiptId, messageId }) => {
    deps.logger.warn('receipt anomaly', { kind, detail, iuv, receiptId, ...(messageId !== undefined ? { messageId } : {}) });
    deps.count('ReceiptAnomaly');
  };
  return consumeQueue(deps, {
    what: 'receipt',
    schema: receiptCreditorSchema,
    inParallel: true,
    handle: async (message) => {
      const result = await processReceiptMessage({ ...deps, anomalyKept }, message).catch((error: unknown) => {
        if (!(error instanceof UnreadableReceipt)) throw error;
        deps.logger.error('receipt breaks the queue contract', { messageId: message.messageId, attempt: message.attempt, issues: error.issues });
        // shown again at once: it reaches the DLQ after its maxReceiveCount quick receives
        throw new RetryLater(0, error.message);
      });
      if (result.outcome === 'applied') deps.count('ReceiptApplied');
      if (result.outcome === 'anomaly' && result.isNew) anomalyKept(result.anomaly);
      // the body passed the contract: these are the receipt's own
      deps.logger.info('receipt processed', { outcome: result.outcome, receiptId: message.body['receiptId'], nav: message.body['noticeNumber'] });
    },
  });
};

export const handler = makeHandler(receiptProcessorRoot());
