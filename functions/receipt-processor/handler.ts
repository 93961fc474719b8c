import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { receiptSchema } from '../../events/receipt';
import { createAnomalyMetrics, createReceiptRuntime } from '../../shared/receipts-composition';
import { processReceipt, type ProcessDeps } from '../../shared/use-cases/receipts';
import { parseMessage } from '../../events/parse-message';

export interface ProcessorDeps extends Omit<ProcessDeps, 'onAnomaly'> {
  readonly logger: Logger;
  readonly metrics: { count(anomaly: Parameters<ProcessDeps['onAnomaly']>[0]): void; flush(): void };
}

/**
 * Queue `receipts` → each receipt applied exactly once (shared/use-cases/receipts.ts). The
 * receipts of a batch run side by side (installments of one position retry their version
 * conflicts inside processReceipt); a message that cannot be parsed or applied is reported
 * alone (ReportBatchItemFailures) and reaches the DLQ after maxReceiveCount attempts.
 */
export function makeHandler(deps: ProcessorDeps) {
  const processDeps: ProcessDeps = {
    ...deps,
    onAnomaly: (anomaly) => {
      deps.logger.warn('receipt anomaly', { kind: anomaly.kind, detail: anomaly.detail, iuv: anomaly.iuv, receiptId: anomaly.receiptId });
      deps.metrics.count(anomaly);
    },
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: Array<{ itemIdentifier: string }> = [];
    await Promise.all(
      event.Records.map(async (record) => {
        try {
          const parsed = parseMessage(receiptSchema, record.body);
          if (!parsed.success) {
            deps.logger.error('malformed receipt message', { messageId: record.messageId, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
            failures.push({ itemIdentifier: record.messageId });
            return;
          }
          const result = await processReceipt(processDeps, parsed.data);
          deps.logger.info('receipt processed', { outcome: result.outcome, receiptId: parsed.data.receiptId, nav: parsed.data.noticeNumber });
        } catch (error) {
          deps.logger.error('receipt not processed', { messageId: record.messageId, error: error as Error });
          failures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    deps.metrics.flush();
    return { batchItemFailures: failures };
  };
}

const runtime = createReceiptRuntime();
export const handler = makeHandler({ ...runtime, metrics: createAnomalyMetrics() });
