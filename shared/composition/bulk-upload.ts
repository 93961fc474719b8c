/**
 * The composition root of the BULK UPLOAD family: the GPD massive-upload routes (upload a file,
 * its status, report and list, cancel), the splitter and the chunk worker. Built on platform();
 * its settings are one zod schema, read once; each function is granted only what it uses (the
 * catalog), so the settings are optional here and required by the part that needs them.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { DynamoNoticeBatchStore } from '../adapters/dynamo/notice-batch-store';
import { DynamoUploadStore } from '../adapters/dynamo/upload-store';
import { createS3Client } from '../adapters/object-store';
import { SqsQueuePublisher, sqsVisibilityTimer } from '../adapters/queue-publisher';
import { S3UploadFileReader, S3UploadObjects, uploadFileInspector } from '../adapters/upload-files';
import { SqsUploadQueue } from '../adapters/upload-queue';
import { ConfigError, readConfig } from '../config/env';
import { checkGovpayHeader, uploadRowDecoder } from '../http/gpd-upload-rows';
import type { TenantAuthenticator } from '../http/tenant-auth';
import type { QueueConsumerDeps } from '../messaging/sqs-consumer';
import type { FollowUpDeps } from '../use-cases/bulk-upload/follow-up';
import type { ProcessingDeps } from '../use-cases/bulk-upload/processing';
import type { Upload, UploadFileReader, UploadObjects, UploadQueue } from '../use-cases/bulk-upload/ports';
import { MAX_INLINE_RESULT_BYTES, type UploadDeps } from '../use-cases/bulk-upload/uploads';
import { maxReceiveCountOf, platform, sqsClient } from './platform';

export const bulkUploadConfigSchema = z.object({
  BUCKET_NAME_UPLOADS: z.string().min(3).optional(),
  QUEUE_URL_UPLOAD_SPLIT: z.string().url().optional(),
  QUEUE_URL_UPLOAD_CHUNKS: z.string().url().optional(),
  /** the notice batch of a completed upload (the splitter and the chunk worker, which may complete it) */
  QUEUE_URL_NOTICE_BATCH: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: z
    .string()
    .optional()
    .transform((v) => v === 'true'),
  /** the follow-up: where it queues the paced IO requests of an upload's positions */
  QUEUE_URL_IO_MESSAGES: z.string().url().optional(),
  /** the share of a tenant's App IO calls per second an upload's release may take (the rest is the interactive messages') */
  UPLOAD_IO_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  /** how far ahead each follow-up run fills a tenant's release timeline (≤ 900 s, SQS's largest delay; ≥ the schedule's period) */
  UPLOAD_IO_HORIZON_SECONDS: z.coerce.number().int().min(1).max(900).default(120),
  /** at most this many IO requests queued per upload and run */
  UPLOAD_IO_MAX_PER_RUN: z.coerce.number().int().min(1).max(10_000).default(2_000),
  /**
   * The report route: the largest GovPay result CSV answered inline (bytes); above, a 303 to a
   * presigned GET of the stored file. At most MAX_INLINE_RESULT_BYTES (what fits a Lambda
   * response, base64-encoded); only the tests lower it, to reach the stored path with a small upload.
   */
  UPLOAD_RESULT_INLINE_MAX_BYTES: z.coerce.number().int().min(0).max(MAX_INLINE_RESULT_BYTES).default(MAX_INLINE_RESULT_BYTES),
});
type Settings = z.infer<typeof bulkUploadConfigSchema>;

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new ConfigError([`${name}: is required (${name})`]);
  return value;
}

/** The chunk worker's file reader: it applies queued rows and never reads a stored file. */
const NO_STORED_FILES: UploadFileReader = {
  rows: () => {
    throw new Error('the chunk worker reads no stored upload file (no grant on the uploads bucket)');
  },
  head: () => Promise.reject(new Error('the chunk worker reads no stored upload file (no grant on the uploads bucket)')),
};

/** The routes granted no uploads bucket (status, list, cancel): any use of it is a configuration error. */
const noBucket = () => Promise.reject(new ConfigError(['BUCKET_NAME_UPLOADS: is required']));
const NO_UPLOADS_BUCKET: UploadObjects = { put: noBucket, presignPut: noBucket, exists: noBucket, presignGet: noBucket };

export interface UploadApi extends UploadDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

export interface UploadWorker extends ProcessingDeps {
  readonly logger: Logger;
  readonly consumer: QueueConsumerDeps;
}

export interface UploadFollowUp extends FollowUpDeps {
  readonly logger: Logger;
}

let built: { key: string; api?: UploadApi; workers: Map<string, UploadWorker>; followUp?: UploadFollowUp } | undefined;

function family(env: NodeJS.ProcessEnv) {
  const p = platform(env);
  const settings: Settings = readConfig(bulkUploadConfigSchema, env);
  const key = JSON.stringify(settings) + p.tableName;
  if (built?.key !== key) built = { key, workers: new Map() };
  return { p, settings, state: built };
}

/** The queue of an upload: split and chunks (each URL needed only by who sends there). */
function uploadQueue(settings: Settings): UploadQueue {
  const publisher = new SqsQueuePublisher(sqsClient());
  return new SqsUploadQueue(publisher, settings.QUEUE_URL_UPLOAD_SPLIT ?? '', settings.QUEUE_URL_UPLOAD_CHUNKS ?? '');
}

/** The upload, status, report, list and cancel routes. */
export function uploadApiRoot(env: NodeJS.ProcessEnv = process.env): UploadApi {
  const { p, settings, state } = family(env);
  if (state.api) return state.api;
  // checksums only where S3 requires one: by default the SDK (3.729+) signs the CRC32 of the empty
  // body into a presigned PUT's URL (x-amz-checksum-crc32=AAAAAA==), which the file then never matches
  const s3 = createS3Client({ forcePathStyle: settings.S3_FORCE_PATH_STYLE }, { requestChecksumCalculation: 'WHEN_REQUIRED' });
  const api: UploadApi = {
    logger: p.telemetry.logger,
    authenticate: p.authenticate,
    uploads: new DynamoUploadStore(p.db, p.tableName),
    // only the upload route (its files) and the report route (the large result files, under results/)
    // are granted the bucket, only the upload route the split queue; the others never use them
    objects: settings.BUCKET_NAME_UPLOADS ? new S3UploadObjects(s3, settings.BUCKET_NAME_UPLOADS) : NO_UPLOADS_BUCKET,
    maxInlineResultBytes: settings.UPLOAD_RESULT_INLINE_MAX_BYTES,
    queue: uploadQueue(settings),
    inspector: uploadFileInspector,
    csvHeader: checkGovpayHeader,
    clock: p.clock,
    newId: p.newId,
  };
  state.api = api;
  return api;
}

/** The splitter and the chunk worker (`functionId` names whose queue the consumer reads). */
export function uploadWorkerRoot(functionId: 'upload-splitter' | 'upload-chunk-worker', env: NodeJS.ProcessEnv = process.env): UploadWorker {
  const { p, settings, state } = family(env);
  const cached = state.workers.get(functionId);
  if (cached) return cached;
  const queueUrl = required(functionId === 'upload-splitter' ? settings.QUEUE_URL_UPLOAD_SPLIT : settings.QUEUE_URL_UPLOAD_CHUNKS, functionId === 'upload-splitter' ? 'QUEUE_URL_UPLOAD_SPLIT' : 'QUEUE_URL_UPLOAD_CHUNKS');
  const s3 = createS3Client({ forcePathStyle: settings.S3_FORCE_PATH_STYLE });
  const logger = p.telemetry.logger;
  const worker: UploadWorker = {
    logger,
    consumer: { logger, maxReceiveCount: maxReceiveCountOf(functionId), setVisibility: sqsVisibilityTimer(sqsClient(), queueUrl) },
    uploads: new DynamoUploadStore(p.db, p.tableName),
    // only the splitter reads stored files (and only it is granted the bucket)
    files: functionId === 'upload-splitter' ? new S3UploadFileReader(s3, required(settings.BUCKET_NAME_UPLOADS, 'BUCKET_NAME_UPLOADS')) : NO_STORED_FILES,
    decoder: uploadRowDecoder,
    queue: uploadQueue(settings),
    positions: p.positions,
    organizations: p.organizations,
    clock: p.clock,
    newId: p.newId,
    onCreated: (n) => p.telemetry.count('PositionCreated', n),
    inspector: uploadFileInspector,
    csvHeader: checkGovpayHeader,
    onIgnored: (objectKey, why) => logger.warn('stored object ignored', { objectKey, why }),
    ...(settings.QUEUE_URL_NOTICE_BATCH
      ? (() => {
          const store = new DynamoNoticeBatchStore(p.db, p.tableName);
          const noticeBatches = { batches: store, selector: store, publisher: new SqsQueuePublisher(sqsClient()), batchQueueUrl: settings.QUEUE_URL_NOTICE_BATCH, clock: p.clock, newId: p.newId };
          return { noticeBatches };
        })()
      : {}),
    onFinished: finishedLog(logger),
  };
  state.workers.set(functionId, worker);
  return worker;
}

/** The scheduled follow-up: presigned uploads whose file never came, and the paced IO release of created positions. */
export function uploadFollowUpRoot(env: NodeJS.ProcessEnv = process.env): UploadFollowUp {
  const { p, settings, state } = family(env);
  if (state.followUp) return state.followUp;
  const followUp: UploadFollowUp = {
    logger: p.telemetry.logger,
    uploads: new DynamoUploadStore(p.db, p.tableName),
    organizations: p.organizations,
    publisher: new SqsQueuePublisher(sqsClient()),
    ioMessagesQueueUrl: required(settings.QUEUE_URL_IO_MESSAGES, 'QUEUE_URL_IO_MESSAGES'),
    clock: p.clock,
    newId: p.newId,
    settings: { ioShare: settings.UPLOAD_IO_SHARE, horizonSeconds: settings.UPLOAD_IO_HORIZON_SECONDS, maxPerRun: settings.UPLOAD_IO_MAX_PER_RUN, maxUploads: 200 },
    onFinished: finishedLog(p.telemetry.logger),
  };
  state.followUp = followUp;
  return followUp;
}

/** The one log line of an upload that ended. */
function finishedLog(logger: Logger) {
  return (upload: Upload) =>
    logger.info('upload finished', {
      fileId: upload.fileId,
      organization: upload.organizationFiscalCode,
      operation: upload.operation,
      format: upload.format,
      state: upload.state,
      submittedItem: upload.submittedItem,
      processedItem: upload.processedItem,
      acceptedItem: upload.acceptedItem,
      refusedItem: upload.processedItem - upload.acceptedItem,
      ...(upload.endTime ? { seconds: (Date.parse(upload.endTime) - Date.parse(upload.startTime)) / 1000 } : {}),
      ...(upload.refusal ? { refusal: upload.refusal.reason } : {}),
    });
}
