import { noticeBatchChunkSchema } from '../../events/notice-batch-chunk';
import { noticeBatchWorkerRoot, type NoticeBatchWork } from '../../shared/composition/notices';
import { consumeQueue } from '../../shared/messaging/sqs-consumer';
import { processNoticeChunk } from '../../shared/use-cases/notices/batches';

/**
 * notice-batch queue → one chunk (≤ 50 positions) of a notice batch rendered into the bucket and
 * its results recorded. On the message's last receive before the DLQ the positions still failing
 * are recorded as failed instead, so the batch always reaches a final state.
 */
export const makeHandler = (deps: NoticeBatchWork) =>
  consumeQueue(deps.consumer, {
    what: 'notice-batch message',
    schema: noticeBatchChunkSchema,
    handle: async ({ body: chunk, lastAttempt }) => {
      const outcome = await processNoticeChunk(deps.chunks, chunk, { lastAttempt });
      deps.logger.info('notice batch chunk processed', { batchId: chunk.batchId, chunk: chunk.chunk, outcome });
    },
  });

export const handler = makeHandler(noticeBatchWorkerRoot());
