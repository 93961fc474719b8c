/**
 * The composition root of the notice functions (serving, renderer, batches): the REST runtime of
 * shared/composition plus the notices bucket, the renderer and, for the batch API, the batch
 * queue. Built once per cold start.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { createDocumentClient } from './adapters/dynamo/client';
import { DynamoNoticeBatchStore } from './adapters/dynamo/notice-batch-store';
import { S3ObjectStore, createS3Client } from './adapters/object-store';
import { SqsQueuePublisher } from './adapters/queue-publisher';
import { createApiRuntime, type ApiRuntime } from './composition';
import { readConfig } from './config/env';
import { renderNotice } from './notice';
import type { BatchDeps, NoticeDeps } from './use-cases/notices';

const noticeConfigSchema = z.object({
  TABLE_NAME_MAIN: z.string().min(3, 'the main table name is required (TABLE_NAME_MAIN)'),
  BUCKET_NAME_NOTICES: z.string().min(3, 'the notices bucket name is required (BUCKET_NAME_NOTICES)'),
});

export type NoticeRuntime = ApiRuntime & NoticeDeps & { readonly batches: DynamoNoticeBatchStore };

export function createNoticeRuntime(env: NodeJS.ProcessEnv = process.env): NoticeRuntime {
  const api = createApiRuntime(env);
  const config = readConfig(noticeConfigSchema, env);
  return {
    ...api,
    objects: new S3ObjectStore(createS3Client(env), config.BUCKET_NAME_NOTICES),
    render: (doc) => renderNotice(doc),
    log: {
      warn: (message, attributes) => api.logger.warn(message, { ...attributes }),
      info: (message, attributes) => api.logger.info(message, { ...attributes }),
    },
    batches: new DynamoNoticeBatchStore(createDocumentClient(), config.TABLE_NAME_MAIN),
  };
}

const batchQueueConfigSchema = z.object({
  QUEUE_URL_NOTICE_BATCH: z.string().url('the notice-batch queue URL is required (QUEUE_URL_NOTICE_BATCH)'),
});

export interface NoticeBatchReportRuntime extends ApiRuntime {
  readonly batches: DynamoNoticeBatchStore;
}

/** GET of a batch: reads the table only. */
export function createNoticeBatchReportRuntime(env: NodeJS.ProcessEnv = process.env): NoticeBatchReportRuntime {
  const api = createApiRuntime(env);
  const table = readConfig(noticeConfigSchema.pick({ TABLE_NAME_MAIN: true }), env).TABLE_NAME_MAIN;
  return { ...api, batches: new DynamoNoticeBatchStore(createDocumentClient(), table) };
}

export type NoticeBatchApiRuntime = NoticeBatchReportRuntime & BatchDeps;

/** POST of a batch: selects positions, records the batch, queues its chunks; never touches the bucket. */
export function createNoticeBatchApiRuntime(env: NodeJS.ProcessEnv = process.env): NoticeBatchApiRuntime {
  const report = createNoticeBatchReportRuntime(env);
  return {
    ...report,
    selector: report.batches,
    publisher: new SqsQueuePublisher(new SQSClient({})),
    batchQueueUrl: readConfig(batchQueueConfigSchema, env).QUEUE_URL_NOTICE_BATCH,
  };
}
