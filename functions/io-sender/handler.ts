import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { ioQueueMessageSchema } from '../../events/io-message-request';
import { createAppIoClient } from '../../shared/adapters/app-io-client';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../../shared/adapters/dynamo/debt-position-store';
import { DynamoMessageRecordStore, DynamoRateLimiter, DynamoTemplateStore } from '../../shared/adapters/dynamo/message-store';
import { DynamoOrganizationStore } from '../../shared/adapters/dynamo/organization-store';
import { FileEmailSender, SesEmailSender, emailTransportFromEnv } from '../../shared/adapters/email';
import { parseMessage } from '../../events/parse-message';
import { S3ObjectStore, createS3Client, type ObjectStore } from '../../shared/adapters/object-store';
import { SecretsManagerSource, ioApiKeySecretName } from '../../shared/adapters/secrets';
import { readConfig } from '../../shared/config/env';
import { retryDelaySeconds } from '../../shared/domain/io-dispatch';
import { createLogger } from '../../shared/observability/logger';
import { handleIoRequest, type CitizenMessageDeps, type NoticePdfSource } from '../../shared/use-cases/citizen-messages';

/** Sets when a message left on the queue is seen again (SQS ChangeMessageVisibility). */
export type VisibilityTimer = (receiptHandle: string, seconds: number) => Promise<void>;

export interface IoSenderDeps {
  readonly messages: CitizenMessageDeps;
  readonly setVisibility: VisibilityTimer;
  readonly backoff: { readonly baseSeconds: number; readonly maxSeconds: number };
  readonly random: () => number;
  readonly log: ReturnType<typeof createLogger>;
}

/**
 * Queue `io-messages` (domain events + reminder requests) → App IO, each message at most once
 * (shared/use-cases/citizen-messages.ts). The records of a batch run side by side; one that must
 * be retried (429, 5xx, timeout, rate budget spent) is reported alone (ReportBatchItemFailures)
 * and made visible again after its own backoff (full jitter, at least IO's Retry-After), so it
 * never holds back the others. A message that cannot be parsed is a bug: it fails at once on
 * every receive and SQS parks it in `io-messages-dlq`.
 */
export function makeHandler(deps: IoSenderDeps) {
  const { log } = deps;
  async function one(record: SQSRecord): Promise<boolean> {
    const attempt = Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1);
    const parsed = parseMessage(ioQueueMessageSchema, record.body);
    if (!parsed.success) {
      log.error('invalid io-messages queue message', { messageId: record.messageId, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return false;
    }
    const request = parsed.data;
    let delaySeconds: number;
    try {
      const result = await handleIoRequest(deps.messages, request);
      if (!result.retry) {
        log.info('io request handled', {
          eventType: request.eventType,
          eventId: request.eventId,
          results: result.messages.map((m) => `${m.key.kind}:${m.result}`),
        });
        return true;
      }
      delaySeconds = retryDelaySeconds(attempt, deps.backoff, deps.random, result.retryAfterMs);
      log.warn('io request will be retried', {
        eventType: request.eventType,
        eventId: request.eventId,
        attempt,
        delaySeconds,
        results: result.messages.map((m) => `${m.key.kind}:${m.result}${'detail' in m && m.detail ? ` (${m.detail})` : ''}`),
      });
    } catch (error) {
      delaySeconds = retryDelaySeconds(attempt, deps.backoff, deps.random);
      log.error('io request failed unexpectedly; left for redelivery', { eventId: request.eventId, attempt, error: error as Error });
    }
    try {
      await deps.setVisibility(record.receiptHandle, delaySeconds);
    } catch (error) {
      log.warn('could not set the retry delay; the queue visibility timeout applies', { messageId: record.messageId, error: error as Error });
    }
    return false;
  }

  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const results = await Promise.all(event.Records.map(async (r) => ({ id: r.messageId, ok: await one(r).catch(() => false) })));
    return { batchItemFailures: results.filter((r) => !r.ok).map((r) => ({ itemIdentifier: r.id })) };
  };
}

export const ioSenderConfigSchema = z.object({
  TABLE_NAME_MAIN: z.string().min(3),
  QUEUE_URL_IO_MESSAGES: z.string().min(1),
  /** the App IO services API; locally the simulator mounted at /_sim/io */
  IO_API_URL: z.string().url().default('https://api.io.pagopa.it/api/v1'),
  IO_TIMEOUT_MS: z.coerce.number().int().min(100).max(29_000).default(10_000),
  /** how long a claim is held: more than the function's timeout (60 s) */
  IO_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(90),
  IO_BACKOFF_BASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  IO_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).max(43_200).default(900),
  /** how long a call may wait for the service's rate budget before the message is given back */
  IO_RATE_MAX_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(5_000),
  IO_SECRET_PREFIX: z.string().min(1).default('pagopa-layer/io'),
  IO_SECRET_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  EMAIL_FROM: z.string().min(3).default('avvisi@pagopa-layer.invalid'),
  SES_CONFIGURATION_SET: z.string().optional(),
  /** locally: where e-mails are written as .eml files */
  EMAIL_OUTBOX_DIR: z.string().optional(),
  BUCKET_NAME_NOTICES: z.string().optional(),
  LOCAL_CLOUD: z.string().optional(),
});

/** A store that holds nothing: the notice is rendered on the spot and not kept. */
const noStore: ObjectStore = {
  get: async () => undefined,
  exists: async () => false,
  putIfAbsent: async () => 'stored',
  deleteMany: async () => undefined,
};

function compose(): IoSenderDeps {
  const config = readConfig(ioSenderConfigSchema, process.env);
  const log = createLogger();
  const db = createDocumentClient();
  const positions = new DynamoDebtPositionStore(db, config.TABLE_NAME_MAIN);
  const organizations = new DynamoOrganizationStore(db, config.TABLE_NAME_MAIN);
  const secrets = new SecretsManagerSource(new SecretsManagerClient({}), { ttlMs: config.IO_SECRET_CACHE_SECONDS * 1000 });
  // 'file' locally; 'ses' where the stage has an SES identity; 'none' where it has not: the
  // fallback is then recorded as skipped instead of retried into access-denied errors
  const transport = emailTransportFromEnv(process.env);
  const email =
    transport === 'file'
      ? new FileEmailSender(resolve(config.EMAIL_OUTBOX_DIR ?? '.local-data/outbox'), config.EMAIL_FROM)
      : transport === 'ses'
        ? new SesEmailSender(new SESv2Client({}), config.EMAIL_FROM, config.SES_CONFIGURATION_SET)
        : undefined;
  const objects = config.BUCKET_NAME_NOTICES ? new S3ObjectStore(createS3Client(), config.BUCKET_NAME_NOTICES) : noStore;
  const noticeLog = { info: (m: string, a?: Record<string, unknown>) => log.info(m, { ...a }), warn: (m: string, a?: Record<string, unknown>) => log.warn(m, { ...a }) };
  // the notices work renders the PDF; when it cannot be loaded the e-mail goes without it
  const noticePdf: NoticePdfSource = async (position, organization) => {
    const [{ getNoticePdf }, { renderNotice }] = await Promise.all([import('../../shared/use-cases/notices'), import('../../shared/notice')]);
    const pdf = await getNoticePdf({ positions, organizations, objects, render: (d) => renderNotice(d), clock: () => new Date(), log: noticeLog }, organization, position.iupd);
    return { bytes: pdf.bytes, fileName: pdf.fileName };
  };
  const sqs = new SQSClient({});
  return {
    messages: {
      positions,
      organizations,
      records: new DynamoMessageRecordStore(db, config.TABLE_NAME_MAIN),
      templates: new DynamoTemplateStore(db, config.TABLE_NAME_MAIN),
      // read at the first message, so a local stack may set IO_API_URL after it started
      io: createAppIoClient({ baseUrl: process.env['IO_API_URL'] ?? config.IO_API_URL, timeoutMs: config.IO_TIMEOUT_MS }),
      apiKeyOf: async (organization, service) =>
        service.apiKey ?? secrets.get(service.apiKeySecretName ?? ioApiKeySecretName(config.IO_SECRET_PREFIX, organization.fiscalCode, service.serviceId)),
      rateLimiter: new DynamoRateLimiter(db, config.TABLE_NAME_MAIN, { maxWaitMs: config.IO_RATE_MAX_WAIT_MS }),
      email,
      noticePdf,
      clock: () => new Date(),
      newId: randomUUID,
      leaseMs: config.IO_LEASE_SECONDS * 1000,
      log: {
        info: (m, a) => log.info(m, { ...a }),
        warn: (m, a) => log.warn(m, { ...a }),
        error: (m, a) => log.error(m, { ...a }),
      },
    },
    setVisibility: async (receiptHandle, seconds) => {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: config.QUEUE_URL_IO_MESSAGES, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    },
    backoff: { baseSeconds: config.IO_BACKOFF_BASE_SECONDS, maxSeconds: config.IO_BACKOFF_MAX_SECONDS },
    random: Math.random,
    log,
  };
}

export const handler = makeHandler(compose());
