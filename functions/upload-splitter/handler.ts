import { uploadWorkerRoot, type UploadWorker } from '../../shared/composition/bulk-upload';
import { consumeQueue } from '../../shared/messaging/sqs-consumer';
import { uploadSplitQueueMessageSchema } from '../../shared/use-cases/bulk-upload/messages';
import { acceptArrivedFile, splitUpload } from '../../shared/use-cases/bulk-upload/processing';

/**
 * upload-split queue → the stored file read twice, streaming: refused whole, or its rows checked and
 * queued in chunks. An S3 Object Created event (a presigned upload's file) is checked first, as an inline upload is.
 */
export const makeHandler = (deps: UploadWorker) =>
  consumeQueue(deps.consumer, {
    what: 'upload-split message',
    schema: uploadSplitQueueMessageSchema,
    handle: async ({ body }) => ('detail' in body ? acceptArrivedFile(deps, { objectKey: body.detail.object.key, size: body.detail.object.size, etag: body.detail.object.etag }) : splitUpload(deps, body)),
  });

export const handler = makeHandler(uploadWorkerRoot('upload-splitter'));
