import { uploadWorkerRoot, type UploadWorker } from '../../shared/composition/bulk-upload';
import { consumeQueue } from '../../shared/messaging/sqs-consumer';
import { uploadChunkMessageSchema } from '../../shared/use-cases/bulk-upload/messages';
import { processChunk } from '../../shared/use-cases/bulk-upload/processing';

/** upload-chunks queue → one chunk applied once: one notice-number allocation, batched transactions, outcomes recorded */
export const makeHandler = (deps: UploadWorker) =>
  consumeQueue(deps.consumer, {
    what: 'upload-chunks message',
    schema: uploadChunkMessageSchema,
    handle: async ({ body }) => processChunk(deps, body),
  });

export const handler = makeHandler(uploadWorkerRoot('upload-chunk-worker'));
