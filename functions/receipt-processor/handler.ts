import { receiptSchema } from '../../events/receipt';
import { receiptProcessorRoot, type ReceiptProcessor } from '../../shared/composition/receipts';
import { consumeQueue } from '../../shared/messaging/sqs-consumer';
import { processReceipt } from '../../shared/use-cases/receipts/processing';

/**
 * Queue `receipts` → each receipt applied exactly once (shared/use-cases/receipts/processing.ts).
 * The receipts of a batch run side by side (installments of one position retry their version
 * conflicts inside processReceipt); a message that cannot be parsed or applied is reported
 * alone and reaches the DLQ after maxReceiveCount attempts.
 */
export const makeHandler = (deps: ReceiptProcessor) =>
  consumeQueue(deps, {
    what: 'receipt',
    schema: receiptSchema,
    inParallel: true,
    handle: async ({ body: receipt }) => {
      const result = await processReceipt(deps, receipt);
      if (result.outcome === 'applied') deps.count('ReceiptApplied');
      if (result.outcome === 'anomaly' && result.isNew) {
        const { kind, detail, iuv, receiptId } = result.anomaly;
        deps.logger.warn('receipt anomaly', { kind, detail, iuv, receiptId });
        deps.count('ReceiptAnomaly');
      }
      deps.logger.info('receipt processed', { outcome: result.outcome, receiptId: receipt.receiptId, nav: receipt.noticeNumber });
    },
  });

export const handler = makeHandler(receiptProcessorRoot());
