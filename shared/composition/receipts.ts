/**
 * The composition root of the receipts family: the pagoPA node station, the receipt webhook, the
 * receipt processor and the back-office receipt queries. Built on platform() (telemetry, the one
 * counted DynamoDB client, the common stores, the clock); the family's own settings are read once
 * here, and what each handler needs is composed once per process.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { DynamoReceiptStore } from '../adapters/dynamo/receipt-store';
import { SqsQueuePublisher, sqsVisibilityTimer } from '../adapters/queue-publisher';
import { ConfigError, readConfig } from '../config/env';
import type { Organization } from '../domain/organization';
import type { ReceiptWebhookEdgeDeps } from '../http/receipt-webhook-edge';
import type { TenantAuthenticator } from '../http/tenant-auth';
import type { QueueConsumerDeps } from '../messaging/sqs-consumer';
import type { IntakeDeps } from '../use-cases/receipts/intake';
import type { ProcessDeps } from '../use-cases/receipts/processing';
import type { CreditorDirectory, ReceiptStore } from '../use-cases/receipts/ports';
import type { ReceiptQueryDeps } from '../use-cases/receipts/queries';
import type { StationDeps } from '../use-cases/receipts/station';
import { maxReceiveCountOf, platform, sqsClient, type Platform } from './platform';

/**
 * The family's settings. The receipts queue is granted only to the functions that send to it or
 * consume it (the catalog), so the read-only queries start without it; the others require it.
 */
const receiptsConfigSchema = z.object({
  QUEUE_URL_RECEIPTS: z.string().min(1).optional(),
});

/** How long the node station and the webhook trust a creditor's profile (the node calls several times per payment). */
const CREDITOR_CACHE_MS = 30_000;

interface Family {
  readonly platform: Platform;
  readonly receipts: ReceiptStore;
  /** tenant profiles cached for a short while (positive results only) */
  readonly creditors: CreditorDirectory;
  readonly queueUrl: () => string;
}

let built: { key: string; platform: Platform; family: Family } | undefined;

function family(env: NodeJS.ProcessEnv = process.env): Family {
  const p = platform(env);
  const config = readConfig(receiptsConfigSchema, env);
  const key = JSON.stringify(config);
  if (built?.key === key && built.platform === p) return built.family;
  const value: Family = {
    platform: p,
    receipts: new DynamoReceiptStore(p.db, p.tableName),
    creditors: cachedCreditors((fc) => p.organizations.get(fc), CREDITOR_CACHE_MS, p.clock),
    queueUrl: () => {
      if (config.QUEUE_URL_RECEIPTS === undefined) {
        throw new ConfigError(['QUEUE_URL_RECEIPTS: the receipts queue URL is required (QUEUE_URL_RECEIPTS)']);
      }
      return config.QUEUE_URL_RECEIPTS;
    },
  };
  built = { key, platform: p, family: value };
  return value;
}

/** POST /pagopa/paForNode */
export interface NodeStation extends StationDeps {
  readonly logger: Logger;
}

/** POST /receipts */
export type ReceiptWebhook = ReceiptWebhookEdgeDeps & IntakeDeps;

/** The consumer of the receipts queue. */
export interface ReceiptProcessor extends QueueConsumerDeps, ProcessDeps {
  /** the business metrics of a receipt (an alarm watches ReceiptAnomaly: money moved but was not applied) */
  readonly count: (metric: 'ReceiptApplied' | 'ReceiptAnomaly') => void;
}

/** GET …/receipts, …/receipts/anomalies, …/receipts/{iuv} */
export interface ReceiptQueries extends ReceiptQueryDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

function intake(f: Family): IntakeDeps {
  return {
    positions: f.platform.positions,
    publisher: new SqsQueuePublisher(sqsClient()),
    receiptsQueueUrl: f.queueUrl(),
  };
}

export function nodeStationRoot(env?: NodeJS.ProcessEnv): NodeStation {
  const f = family(env);
  const p = f.platform;
  return {
    ...intake(f),
    logger: p.telemetry.logger,
    organizations: f.creditors,
    clock: p.clock,
    // paDemandPaymentNotice creates positions like the REST API does (PositionCreated counted alike)
    spontaneous: { positions: p.positions, clock: p.clock, newId: p.newId, onCreated: () => p.telemetry.count('PositionCreated') },
  };
}

export function receiptWebhookRoot(env?: NodeJS.ProcessEnv): ReceiptWebhook {
  const f = family(env);
  return {
    ...intake(f),
    logger: f.platform.telemetry.logger,
    webhookSecretsOf: (fiscalCode) => f.platform.organizations.activeWebhookSecrets(fiscalCode),
    organizations: f.creditors,
    clock: f.platform.clock,
  };
}

export function receiptProcessorRoot(env?: NodeJS.ProcessEnv): ReceiptProcessor {
  const f = family(env);
  const p = f.platform;
  return {
    logger: p.telemetry.logger,
    maxReceiveCount: maxReceiveCountOf('receipt-processor'),
    setVisibility: sqsVisibilityTimer(sqsClient(), f.queueUrl()),
    positions: p.positions,
    receipts: f.receipts,
    clock: p.clock,
    newId: p.newId,
    count: (metric) => p.telemetry.count(metric),
  };
}

export function receiptQueriesRoot(env?: NodeJS.ProcessEnv): ReceiptQueries {
  const f = family(env);
  return { logger: f.platform.telemetry.logger, authenticate: f.platform.authenticate, receipts: f.receipts };
}

/** The creditors' profiles, each kept `ttlMs` after it was read (unknown creditors are asked again every time). */
function cachedCreditors(load: (fiscalCode: string) => Promise<Organization | undefined>, ttlMs: number, clock: () => Date): CreditorDirectory {
  const entries = new Map<string, { value: Organization; until: number }>();
  return {
    async get(fiscalCode) {
      const now = clock().getTime();
      const hit = entries.get(fiscalCode);
      if (hit && hit.until > now) return hit.value;
      const value = await load(fiscalCode);
      if (value !== undefined) {
        if (entries.size > 1000) entries.clear();
        entries.set(fiscalCode, { value, until: now + ttlMs });
      }
      return value;
    },
  };
}
