/**
 * The composition root of the NOTICES family: serving a notice (get-debt-position-notice),
 * rendering on events (notice-renderer), notice batches (create-notice-batch, get-notice-batch,
 * notice-batch-worker), and the notice PDF other families attach (the App IO e-mail fallback).
 * Built on platform(); the family's settings are one zod schema, read once.
 *
 * Each function gets its part from one of the functions below, so a bundle holds only what its
 * function uses (the batch API bundles neither the S3 client nor the renderer's code).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { DynamoNoticeBatchStore } from '../adapters/dynamo/notice-batch-store';
import { S3ObjectStore, createS3Client } from '../adapters/object-store';
import { zipArchive } from '../adapters/zip-archive';
import { SqsQueuePublisher, sqsVisibilityTimer } from '../adapters/queue-publisher';
import { ConfigError, readConfig } from '../config/env';
import type { TenantAuthenticator } from '../http/tenant-auth';
import type { QueueConsumerDeps } from '../messaging/sqs-consumer';
import { renderNotice } from '../notice';
import type { NoticePdfSource } from '../use-cases/app-io/ports';
import type { ArchiveDeps } from '../use-cases/notices/archives';
import type { BatchDeps } from '../use-cases/notices/batches';
import type { NoticeBatchStore, ObjectStore } from '../use-cases/notices/ports';
import type { NoticeDeps } from '../use-cases/notices/stored-notices';
import { maxReceiveCountOf, platform, sqsClient, type Platform } from './platform';

/**
 * The family's settings. Each is granted only to the functions that use it (the catalog), so
 * they are optional here and required by the part that needs them, at cold start.
 */
export const noticesConfigSchema = z.object({
  BUCKET_NAME_NOTICES: z.string().min(3, 'the notices bucket name is required (BUCKET_NAME_NOTICES)').optional(),
  QUEUE_URL_NOTICE_RENDER: z.string().min(1).optional(),
  QUEUE_URL_NOTICE_BATCH: z.string().url('the notice-batch queue URL is required (QUEUE_URL_NOTICE_BATCH)').optional(),
  /** path-style S3 addressing: the local emulator has no virtual-host buckets */
  S3_FORCE_PATH_STYLE: z
    .string()
    .optional()
    .transform((v) => v === 'true'),
});
export type NoticesSettings = z.infer<typeof noticesConfigSchema>;

/** The settings as the family reads them (exported for tests of the environment mapping). */
export function noticesSettings(env: NodeJS.ProcessEnv = process.env): NoticesSettings {
  return readConfig(noticesConfigSchema, env);
}

interface Family {
  readonly platform: Platform;
  readonly settings: NoticesSettings;
  /** parts built on first use, once */
  readonly parts: Map<string, unknown>;
}

let built: { key: string; family: Family } | undefined;

function family(env: NodeJS.ProcessEnv = process.env): Family {
  const p = platform(env);
  const settings = noticesSettings(env);
  const key = JSON.stringify(settings);
  if (built?.key === key && built.family.platform === p) return built.family;
  built = { key, family: { platform: p, settings, parts: new Map() } };
  return built.family;
}

function part<T>(f: Family, name: string, build: () => T): T {
  if (!f.parts.has(name)) f.parts.set(name, build());
  return f.parts.get(name) as T;
}

function required(value: string | undefined, name: string, what: string): string {
  if (value === undefined) throw new ConfigError([`${name}: ${what} is required (${name})`]);
  return value;
}

function objectStore(f: Family, bucket: string): S3ObjectStore {
  return part(f, `objects:${bucket}`, () => new S3ObjectStore(createS3Client({ forcePathStyle: f.settings.S3_FORCE_PATH_STYLE }), bucket));
}

function noticeDeps(f: Family): NoticeDeps {
  return part(f, 'notices', () => {
    const p = f.platform;
    const logger = p.telemetry.logger;
    return {
      positions: p.positions,
      organizations: p.organizations,
      objects: objectStore(f, required(f.settings.BUCKET_NAME_NOTICES, 'BUCKET_NAME_NOTICES', 'the notices bucket name')),
      render: (document) => renderNotice(document),
      clock: p.clock,
      log: {
        warn: (message, attributes) => logger.warn(message, { ...attributes }),
        info: (message, attributes) => logger.info(message, { ...attributes }),
      },
      onRendered: () => p.telemetry.count('NoticeRendered'),
    };
  });
}

function batchStore(f: Family): DynamoNoticeBatchStore {
  return part(f, 'batches', () => new DynamoNoticeBatchStore(f.platform.db, f.platform.tableName));
}

function consumer(f: Family, functionId: string, queueUrl: string): QueueConsumerDeps {
  return {
    logger: f.platform.telemetry.logger,
    maxReceiveCount: maxReceiveCountOf(functionId),
    setVisibility: sqsVisibilityTimer(sqsClient(), queueUrl),
  };
}

/** What every REST function of the family gets. */
export interface NoticesApi {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

function api(f: Family): NoticesApi {
  return { logger: f.platform.telemetry.logger, authenticate: f.platform.authenticate };
}

export interface NoticeServing extends NoticesApi {
  readonly notices: NoticeDeps;
}

/** The consumers of the notice queues. */
export interface NoticeRendering {
  readonly consumer: QueueConsumerDeps;
  readonly logger: Logger;
  readonly notices: NoticeDeps;
}

export interface NoticeBatchWork {
  readonly consumer: QueueConsumerDeps;
  readonly logger: Logger;
  readonly chunks: NoticeDeps & { readonly batches: NoticeBatchStore };
}

export interface NoticeBatchApi extends NoticesApi {
  readonly batches: BatchDeps;
}

export interface NoticeBatchReport extends NoticesApi {
  readonly batches: Pick<NoticeBatchStore, 'get'>;
  readonly archives: ArchiveDeps;
}

/** GET …/debtpositions/{iupd}/notice */
export function noticeServingRoot(env?: NodeJS.ProcessEnv): NoticeServing {
  const f = family(env);
  return { ...api(f), notices: noticeDeps(f) };
}

/** The consumer of the notice-render queue. */
export function noticeRendererRoot(env?: NodeJS.ProcessEnv): NoticeRendering {
  const f = family(env);
  const queueUrl = required(f.settings.QUEUE_URL_NOTICE_RENDER, 'QUEUE_URL_NOTICE_RENDER', 'the notice-render queue URL');
  return { consumer: consumer(f, 'notice-renderer', queueUrl), logger: f.platform.telemetry.logger, notices: noticeDeps(f) };
}

/** POST …/notices/batches: selects positions, records the batch, queues its chunks; never touches the bucket. */
export function noticeBatchApiRoot(env?: NodeJS.ProcessEnv): NoticeBatchApi {
  const f = family(env);
  const p = f.platform;
  const store = batchStore(f);
  return {
    ...api(f),
    batches: {
      batches: store,
      selector: store,
      publisher: new SqsQueuePublisher(sqsClient()),
      batchQueueUrl: required(f.settings.QUEUE_URL_NOTICE_BATCH, 'QUEUE_URL_NOTICE_BATCH', 'the notice-batch queue URL'),
      clock: p.clock,
      newId: p.newId,
    },
  };
}

/** GET …/notices/batches/{batchId} (the table) and …/{batchId}/archive (the table, the notices bucket). */
export function noticeBatchReportRoot(env?: NodeJS.ProcessEnv): NoticeBatchReport {
  const f = family(env);
  return { ...api(f), batches: batchStore(f), archives: noticeArchiveDeps(env) };
}

/** The ZIP archives of a batch's notices (the batch's results, the notices bucket, fflate); shared by the console API. */
export function noticeArchiveDeps(env?: NodeJS.ProcessEnv): ArchiveDeps {
  const f = family(env);
  return part(f, 'archives', () => {
    const logger = f.platform.telemetry.logger;
    return {
      batches: batchStore(f),
      objects: objectStore(f, required(f.settings.BUCKET_NAME_NOTICES, 'BUCKET_NAME_NOTICES', 'the notices bucket name')),
      zip: zipArchive,
      log: { info: (message, attributes) => logger.info(message, { ...attributes }) },
    };
  });
}

/** The consumer of the notice-batch queue. */
export function noticeBatchWorkerRoot(env?: NodeJS.ProcessEnv): NoticeBatchWork {
  const f = family(env);
  const queueUrl = required(f.settings.QUEUE_URL_NOTICE_BATCH, 'QUEUE_URL_NOTICE_BATCH', 'the notice-batch queue URL');
  return {
    consumer: consumer(f, 'notice-batch-worker', queueUrl),
    logger: f.platform.telemetry.logger,
    chunks: { ...noticeDeps(f), batches: batchStore(f) },
  };
}

/** A store that holds nothing: the notice is rendered on the spot and not kept. */
const noStore: ObjectStore = {
  get: async () => undefined,
  exists: async () => false,
  putIfAbsent: async () => 'stored',
  deleteMany: async () => undefined,
};

/**
 * The notice PDF of a position for another family (the e-mail fallback of App IO): served or
 * rendered like GET …/notice, kept in the bucket when the function has one. The renderer and the
 * serving use case are loaded at the first PDF, not at cold start.
 */
export function noticePdfSource(env?: NodeJS.ProcessEnv): NoticePdfSource {
  const f = family(env);
  const p = f.platform;
  const logger = p.telemetry.logger;
  const objects = f.settings.BUCKET_NAME_NOTICES ? objectStore(f, f.settings.BUCKET_NAME_NOTICES) : noStore;
  return async (position, organization) => {
    const [{ getNoticePdf }, { renderNotice: render }] = await Promise.all([import('../use-cases/notices/serve-notice'), import('../notice')]);
    const pdf = await getNoticePdf(
      {
        positions: p.positions,
        organizations: p.organizations,
        objects,
        render: (document) => render(document),
        clock: p.clock,
        log: { info: (m, a) => logger.info(m, { ...a }), warn: (m, a) => logger.warn(m, { ...a }) },
        onRendered: () => p.telemetry.count('NoticeRendered'),
      },
      organization,
      position.iupd,
    );
    return { bytes: pdf.bytes, fileName: pdf.fileName };
  };
}
