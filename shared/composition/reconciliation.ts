/**
 * The composition root of the reconciliation family: the FdR poller (schedule → one message per
 * tenant on the reporting-flows queue), the acquirer consuming that queue (flows fetched, stored,
 * matched; payment.received events match the lines waiting for their receipt), the operator's
 * sync, the treasury statement import and the back-office reads. Built on platform(); the
 * family's settings are read once here.
 *
 * The tenant's FdR subscription key (subscription-keys.ts): on AWS the Secrets Manager secret
 * `<FDR_SECRET_PREFIX><organization fiscal code>` (a plain string or {"apiKey"}); locally (no
 * prefix) the key the seed wrote into the table.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import type { ReportingFlowSync } from '../../events/reporting-flow';
import { DynamoReportingFlowStore } from '../adapters/dynamo/reporting-flow-store';
import { DynamoTreasuryStore } from '../adapters/dynamo/treasury-store';
import { FdrHttpClient } from '../adapters/fdr-client';
import { SqsQueuePublisher, sqsVisibilityTimer } from '../adapters/queue-publisher';
import { ConfigError, readConfig } from '../config/env';
import type { TenantAuthenticator } from '../http/tenant-auth';
import type { QueueConsumerDeps } from '../messaging/sqs-consumer';
import type { AcquireDeps } from '../use-cases/reconciliation/acquire';
import type { MatchDeps } from '../use-cases/reconciliation/matching';
import type { FdrKeySource, ReconciliationAnomaly, ReportingFlowStore, TreasuryStore } from '../use-cases/reconciliation/ports';
import type { QueryDeps } from '../use-cases/reconciliation/queries';
import type { TreasuryDeps } from '../use-cases/reconciliation/treasury';
import { maxReceiveCountOf, platform, sqsClient, type Platform } from './platform';
import { subscriptionKeySource } from './subscription-keys';

const reconciliationConfigSchema = z.object({
  /** pagoPA's FdR API for organizations (locally: the simulator) */
  FDR_API_URL: z.url().default('https://api.platform.pagopa.it/fdr-org/service/v1'),
  /** AWS: where the tenants' FdR keys are (secret:fdr grant); absent locally */
  FDR_SECRET_PREFIX: z.string().min(1).optional(),
  FDR_SECRET_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  QUEUE_URL_REPORTING_FLOWS: z.string().min(1).optional(),
  /** working days after which a paid transfer no flow reported is an anomaly (a PSP reports on D+2) */
  RECONCILIATION_NOT_REPORTED_WORKING_DAYS: z.coerce.number().int().min(0).max(20).default(3),
  /** positions reported side by side while a flow is matched */
  RECONCILIATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
});

interface Family {
  readonly platform: Platform;
  readonly store: ReportingFlowStore;
  readonly treasury: TreasuryStore;
  readonly config: z.infer<typeof reconciliationConfigSchema>;
  readonly queueUrl: () => string;
  readonly anomaliesKept: (anomalies: readonly ReconciliationAnomaly[]) => void;
}

let built: { key: string; platform: Platform; family: Family } | undefined;

function family(env: NodeJS.ProcessEnv = process.env): Family {
  const p = platform(env);
  const config = readConfig(reconciliationConfigSchema, env);
  const key = JSON.stringify(config);
  if (built?.key === key && built.platform === p) return built.family;
  const value: Family = {
    platform: p,
    // new anomalies announced (reconciliation.anomaly through the outbox)
    store: new DynamoReportingFlowStore(p.db, p.tableName, p.newId),
    treasury: new DynamoTreasuryStore(p.db, p.tableName),
    config,
    queueUrl: () => {
      if (config.QUEUE_URL_REPORTING_FLOWS === undefined) {
        throw new ConfigError(['QUEUE_URL_REPORTING_FLOWS: the reporting-flows queue URL is required (QUEUE_URL_REPORTING_FLOWS)']);
      }
      return config.QUEUE_URL_REPORTING_FLOWS;
    },
    anomaliesKept: (anomalies) => {
      p.telemetry.count('ReconciliationAnomaly', anomalies.length);
      for (const a of anomalies) p.telemetry.logger.warn('reconciliation anomaly', { kind: a.kind, ref: a.ref, detail: a.detail });
    },
  };
  built = { key, platform: p, family: value };
  return value;
}

/** Puts one acquisition request per tenant (or one tenant) on the reporting-flows queue. */
export type EnqueueSync = (organizationFiscalCodes: readonly string[], requestedBy: string) => Promise<void>;

function enqueuer(f: Family): EnqueueSync {
  const publisher = new SqsQueuePublisher(sqsClient());
  return async (codes, requestedBy) => {
    const requestedAt = f.platform.clock().toISOString();
    const messages = codes.map((organizationFiscalCode, i) => {
      const body: ReportingFlowSync = { kind: 'fdr-sync', organizationFiscalCode, requestedAt, requestedBy };
      return { id: String(i), body: JSON.stringify(body) };
    });
    const failed = await publisher.send(f.queueUrl(), messages);
    if (failed.length > 0) throw new Error(`${failed.length} reporting-flow sync request(s) not accepted by the queue`);
  };
}

/** Scheduled: every tenant's acquisition requested; receipts not reported in time flagged. */
export interface ReportingFlowScheduler extends MatchDeps {
  readonly logger: Logger;
  readonly tenants: () => Promise<string[]>;
  readonly enqueue: EnqueueSync;
  readonly notReportedAfterWorkingDays: number;
}

export function reportingFlowSchedulerRoot(env?: NodeJS.ProcessEnv): ReportingFlowScheduler {
  const f = family(env);
  return {
    logger: f.platform.telemetry.logger,
    tenants: async () => (await f.platform.organizations.list()).filter((o) => o.status === 'ACTIVE').map((o) => o.fiscalCode),
    enqueue: enqueuer(f),
    store: f.store,
    clock: f.platform.clock,
    anomaliesKept: f.anomaliesKept,
    notReportedAfterWorkingDays: f.config.RECONCILIATION_NOT_REPORTED_WORKING_DAYS,
  };
}

/** The consumer of the reporting-flows queue. */
export interface ReportingFlowAcquirer extends QueueConsumerDeps, AcquireDeps {
  readonly count: (metric: 'ReportingFlowAcquired', n: number) => void;
}

export function reportingFlowAcquirerRoot(env?: NodeJS.ProcessEnv): ReportingFlowAcquirer {
  const f = family(env);
  const p = f.platform;
  return {
    logger: p.telemetry.logger,
    maxReceiveCount: maxReceiveCountOf('reporting-flow-acquirer'),
    setVisibility: sqsVisibilityTimer(sqsClient(), f.queueUrl()),
    store: f.store,
    treasury: f.treasury,
    clock: p.clock,
    fdr: new FdrHttpClient(f.config.FDR_API_URL),
    keyOf: fdrKeys(f),
    concurrency: f.config.RECONCILIATION_CONCURRENCY,
    anomaliesKept: f.anomaliesKept,
    newId: p.newId,
    count: (metric, n) => p.telemetry.count(metric, n),
  };
}

function fdrKeys(f: Family): FdrKeySource {
  return subscriptionKeySource('fdr', f.platform, { secretPrefix: f.config.FDR_SECRET_PREFIX, cacheSeconds: f.config.FDR_SECRET_CACHE_SECONDS });
}

/** POST …/reportingflows/sync */
export interface ReportingFlowSyncRoute {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
  readonly enqueue: EnqueueSync;
}

export function reportingFlowSyncRoot(env?: NodeJS.ProcessEnv): ReportingFlowSyncRoute {
  const f = family(env);
  return { logger: f.platform.telemetry.logger, authenticate: f.platform.authenticate, enqueue: enqueuer(f) };
}

/** GET …/reportingflows, …/reportingflows/{flowId}, …/reconciliation, …/reconciliation/anomalies, …/treasury/movements */
export interface ReconciliationQueries extends QueryDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

export function reconciliationQueriesRoot(env?: NodeJS.ProcessEnv): ReconciliationQueries {
  const f = family(env);
  return { logger: f.platform.telemetry.logger, authenticate: f.platform.authenticate, store: f.store, treasury: f.treasury };
}

/** POST …/treasury/statements */
export interface TreasuryImport extends TreasuryDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

export function treasuryImportRoot(env?: NodeJS.ProcessEnv): TreasuryImport {
  const f = family(env);
  return {
    logger: f.platform.telemetry.logger,
    authenticate: f.platform.authenticate,
    store: f.store,
    treasury: f.treasury,
    clock: f.platform.clock,
    anomaliesKept: f.anomaliesKept,
    newId: f.platform.newId,
  };
}
