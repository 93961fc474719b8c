import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { catalog, functionById } from '../../infra/catalog';
import { createNoticeRuntime, type NoticeRuntime } from '../../shared/notices-composition';
import { noticeBatchChunkSchema, processNoticeChunk } from '../../shared/use-cases/notices';
import { parseMessage } from '../../events/parse-message';

/**
 * notice-batch queue → one chunk (≤ 50 positions) of a notice batch rendered into the bucket and
 * its results recorded. On the message's last receive before the DLQ the positions still failing
 * are recorded as failed instead, so the batch always reaches a final state.
 */
export function makeHandler(
  rt: Pick<NoticeRuntime, 'positions' | 'organizations' | 'objects' | 'render' | 'clock' | 'log' | 'logger' | 'batches'>,
  maxReceiveCount: number,
) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: Array<{ itemIdentifier: string }> = [];
    for (const record of event.Records) {
      const chunk = parseMessage(noticeBatchChunkSchema, record.body);
      if (!chunk.success) {
        rt.logger.error('malformed notice-batch message', { messageId: record.messageId, issues: chunk.error.issues.map((i) => i.message) });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const receives = Number(record.attributes.ApproximateReceiveCount ?? '1');
      try {
        const outcome = await processNoticeChunk(rt, chunk.data, { lastAttempt: receives >= maxReceiveCount });
        rt.logger.info('notice batch chunk processed', { batchId: chunk.data.batchId, chunk: chunk.data.chunk, outcome });
      } catch (error) {
        rt.logger.error('notice batch chunk failed', { batchId: chunk.data.batchId, chunk: chunk.data.chunk, receives, error: error as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

/** the queue's maxReceiveCount from the catalog: the same number its redrive policy uses */
function maxReceiveCountOf(functionId: string): number {
  const trigger = functionById(functionId).triggers.find((t) => t.kind === 'queue');
  const queue = trigger?.kind === 'queue' ? catalog.queues.find((q) => q.id === trigger.queue) : undefined;
  if (!queue) throw new Error(`${functionId} has no queue trigger in the catalog`);
  return queue.maxReceiveCount;
}

export const handler = makeHandler(createNoticeRuntime(), maxReceiveCountOf('notice-batch-worker'));
