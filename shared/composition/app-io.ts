/**
 * The composition root of the APP IO family: the sender of citizen messages (io-sender, with its
 * e-mail fallback), the daily reminders (io-reminders), the tenants' message templates
 * (put-io-template) and the citizen's dossier (get-debtor-dossier), which shows the messages
 * sent. Built on platform(); the family's settings are one zod schema, read once.
 *
 * Each function gets its part from one of the functions below, so a bundle holds only what its
 * function uses (the REST functions and the reminders bundle neither the IO client nor the SES,
 * Secrets Manager and S3 clients).
 */
import { resolve } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import * as z from 'zod';
import { createAppIoClient } from '../adapters/app-io-client';
import { DynamoMessageRecordStore } from '../adapters/dynamo/app-io-message-store';
import { DynamoRateLimiter } from '../adapters/dynamo/app-io-rate-limiter';
import { DynamoTemplateStore } from '../adapters/dynamo/app-io-template-store';
import { DynamoPositionIndexes } from '../adapters/dynamo/position-index-queries';
import { DynamoPositionReceipts } from '../adapters/dynamo/position-receipts';
import { FileEmailSender, SesEmailSender, emailTransportFromEnv } from '../adapters/email';
import { SqsQueuePublisher, sqsVisibilityTimer } from '../adapters/queue-publisher';
import { SecretsManagerSource, ioApiKeySecretName } from '../adapters/secrets';
import { ConfigError, readConfig } from '../config/env';
import type { BackoffPolicy } from '../domain/backoff';
import type { TenantAuthenticator } from '../http/tenant-auth';
import type { QueueConsumerDeps } from '../messaging/sqs-consumer';
import type { BusinessMetric } from '../observability/lambda';
import type { EmailSender } from '../use-cases/app-io/ports';
import type { ReminderDeps } from '../use-cases/app-io/reminders';
import type { SendMessageDeps } from '../use-cases/app-io/send-message';
import type { TemplateDeps } from '../use-cases/app-io/templates';
import type { DossierDeps } from '../use-cases/dossier/debtor-dossier';
import { noticePdfSource } from './notices';
import { maxReceiveCountOf, platform, sqsClient, type Platform } from './platform';

/**
 * The family's settings. The io-messages queue is granted only to the sender and the reminders
 * (the catalog), so it is optional here and required by those two, at cold start.
 */
export const appIoConfigSchema = z.object({
  QUEUE_URL_IO_MESSAGES: z.string().min(1).optional(),
  /** the App IO services API; locally the simulator mounted at /_sim/io */
  IO_API_URL: z.string().url().default('https://api.io.pagopa.it/api/v1'),
  IO_TIMEOUT_MS: z.coerce.number().int().min(100).max(29_000).default(10_000),
  /** how long a claim is held: more than the sender's timeout (60 s) */
  IO_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(90),
  IO_BACKOFF_BASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  IO_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).max(43_200).default(900),
  /** how long a call may wait for the service's rate budget before the message is given back */
  IO_RATE_MAX_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(5_000),
  IO_SECRET_PREFIX: z.string().min(1).default('pagopa-layer/io'),
  IO_SECRET_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  EMAIL_FROM: z.string().min(3).default('avvisi@pagopa-layer.invalid'),
  SES_CONFIGURATION_SET: z.string().optional(),
  /** 'ses' | 'file' | 'none', set by the stack from the catalog's email grant (see emailTransportFromEnv) */
  EMAIL_TRANSPORT: z.string().optional(),
  /** locally: where e-mails are written as .eml files */
  EMAIL_OUTBOX_DIR: z.string().optional(),
  LOCAL_CLOUD: z.string().optional(),
  /** the citizen's counter (the citizen family's setting too): IO messages link to the position's page there */
  CITIZEN_COUNTER_URL: z.url().optional(),
});
export type AppIoSettings = z.infer<typeof appIoConfigSchema>;

interface Family {
  readonly platform: Platform;
  readonly settings: AppIoSettings;
  readonly records: DynamoMessageRecordStore;
  readonly queueUrl: () => string;
}

let built: { key: string; family: Family } | undefined;

function family(env: NodeJS.ProcessEnv = process.env): Family {
  const p = platform(env);
  const settings = readConfig(appIoConfigSchema, env);
  const key = JSON.stringify(settings);
  if (built?.key === key && built.family.platform === p) return built.family;
  const value: Family = {
    platform: p,
    settings,
    records: new DynamoMessageRecordStore(p.db, p.tableName),
    queueUrl: () => {
      if (settings.QUEUE_URL_IO_MESSAGES === undefined) {
        throw new ConfigError(['QUEUE_URL_IO_MESSAGES: the io-messages queue URL is required (QUEUE_URL_IO_MESSAGES)']);
      }
      return settings.QUEUE_URL_IO_MESSAGES;
    },
  };
  built = { key, family: value };
  return value;
}

/** What every REST function of the family gets. */
export interface AppIoApi {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

function api(f: Family): AppIoApi {
  return { logger: f.platform.telemetry.logger, authenticate: f.platform.authenticate };
}

/** The consumer of the io-messages queue. */
export interface IoSender {
  readonly consumer: QueueConsumerDeps;
  readonly logger: Logger;
  readonly messages: SendMessageDeps;
  /** the retry delay of a message IO could not take now: at least 1 s, at least IO's Retry-After */
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  /** IoMessageSent, IoMessageFailed, EmailSent */
  readonly count: (metric: BusinessMetric) => void;
}

export function ioSenderRoot(env?: NodeJS.ProcessEnv): IoSender {
  const f = family(env);
  const p = f.platform;
  const s = f.settings;
  const logger = p.telemetry.logger;
  const secrets = new SecretsManagerSource(new SecretsManagerClient({}), { ttlMs: s.IO_SECRET_CACHE_SECONDS * 1000 });
  return {
    consumer: { logger, maxReceiveCount: maxReceiveCountOf('io-sender'), setVisibility: sqsVisibilityTimer(sqsClient(), f.queueUrl()) },
    logger,
    messages: {
      positions: p.positions,
      organizations: p.organizations,
      records: f.records,
      templates: new DynamoTemplateStore(p.db, p.tableName),
      io: createAppIoClient({ baseUrl: s.IO_API_URL, timeoutMs: s.IO_TIMEOUT_MS }),
      apiKeyOf: async (organization, service) =>
        service.apiKey ?? secrets.get(service.apiKeySecretName ?? ioApiKeySecretName(s.IO_SECRET_PREFIX, organization.fiscalCode, service.serviceId)),
      rateLimiter: new DynamoRateLimiter(p.db, p.tableName, { maxWaitMs: s.IO_RATE_MAX_WAIT_MS }),
      email: emailSender(s),
      // the notices family renders the PDF; when it cannot be had the e-mail goes without it
      noticePdf: noticePdfSource(env),
      clock: p.clock,
      newId: p.newId,
      leaseMs: s.IO_LEASE_SECONDS * 1000,
      ...(s.CITIZEN_COUNTER_URL ? { counterUrl: s.CITIZEN_COUNTER_URL } : {}),
      log: {
        info: (m, a) => logger.info(m, { ...a }),
        warn: (m, a) => logger.warn(m, { ...a }),
        error: (m, a) => logger.error(m, { ...a }),
      },
    },
    backoff: { baseSeconds: s.IO_BACKOFF_BASE_SECONDS, maxSeconds: s.IO_BACKOFF_MAX_SECONDS, minSeconds: 1 },
    random: Math.random,
    count: (metric) => p.telemetry.count(metric),
  };
}

/**
 * 'file' locally; 'ses' where the stage has an SES identity; 'none' where it has not: the
 * fallback is then recorded as skipped instead of retried into access-denied errors.
 */
function emailSender(s: AppIoSettings): EmailSender | undefined {
  const transport = emailTransportFromEnv({ EMAIL_TRANSPORT: s.EMAIL_TRANSPORT, LOCAL_CLOUD: s.LOCAL_CLOUD });
  if (transport === 'file') return new FileEmailSender(resolve(s.EMAIL_OUTBOX_DIR ?? '.local-data/outbox'), s.EMAIL_FROM);
  if (transport === 'ses') return new SesEmailSender(new SESv2Client({}), s.EMAIL_FROM, s.SES_CONFIGURATION_SET);
  return undefined;
}

export interface IoReminders extends ReminderDeps {
  readonly logger: Logger;
}

export type IoTemplates = AppIoApi & TemplateDeps;
export type DebtorDossier = AppIoApi & DossierDeps;

/** The daily reminder run. */
export function ioRemindersRoot(env?: NodeJS.ProcessEnv): IoReminders {
  const f = family(env);
  const p = f.platform;
  const indexes = new DynamoPositionIndexes(p.db, p.tableName);
  return {
    organizations: p.organizations,
    positionsDue: (ofc, status, from, to) => indexes.dueBetween(ofc, status, from, to),
    records: f.records,
    publisher: new SqsQueuePublisher(sqsClient()),
    ioMessagesQueueUrl: f.queueUrl(),
    clock: p.clock,
    logger: p.telemetry.logger,
  };
}

/** PUT …/io/templates/{kind} */
export function ioTemplatesRoot(env?: NodeJS.ProcessEnv): IoTemplates {
  const f = family(env);
  return { ...api(f), templates: new DynamoTemplateStore(f.platform.db, f.platform.tableName), clock: f.platform.clock };
}

/** GET …/debtors/{fiscalCode}/dossier */
export function dossierRoot(env?: NodeJS.ProcessEnv): DebtorDossier {
  const f = family(env);
  const p = f.platform;
  return {
    ...api(f),
    debtorPositions: new DynamoPositionIndexes(p.db, p.tableName),
    positionReceipts: new DynamoPositionReceipts(p.db, p.tableName),
    messages: f.records,
    clock: p.clock,
  };
}
