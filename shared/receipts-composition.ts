/**
 * The composition root of the receipt functions (node station, receipt webhook, receipt
 * processor, receipt queries): clients and stores built once per cold start. Every DynamoDB
 * command goes through a counting middleware so the benchmark can tell the requests per receipt.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import type { Receipt } from '../events/receipt';
import { createDocumentClient } from './adapters/dynamo/client';
import { DynamoReceiptStore } from './adapters/dynamo/receipt-store';
import { SqsQueuePublisher } from './adapters/queue-publisher';
import { createApiRuntime } from './composition';
import { readConfig, tableConfigSchema } from './config/env';
import type { TenantAuthenticator } from './http/tenant-auth';
import type { Organization } from './domain/organization';
import type { DebtPositionStore, OrganizationStore, ReceiptAnomaly, ReceiptStore } from './use-cases/ports';

/** DynamoDB commands sent by this process, by command name (read by scripts/bench-receipts.ts). */
export const dynamoCommandCounts = new Map<string, number>();

export function countDynamoCommands(client: DynamoDBClient): DynamoDBClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown');
      dynamoCommandCounts.set(name, (dynamoCommandCounts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countDynamoCommands' },
  );
  return client;
}

export interface ReceiptRuntime {
  readonly logger: Logger;
  readonly positions: DebtPositionStore;
  readonly organizations: OrganizationStore;
  readonly receipts: ReceiptStore;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly authenticate: TenantAuthenticator;
}

export function createReceiptRuntime(env: NodeJS.ProcessEnv = process.env): ReceiptRuntime {
  // one client, counted (benchmarks report DynamoDB requests per receipt), for every store
  const dynamo = countDynamoCommands(new DynamoDBClient({}));
  const { TABLE_NAME_MAIN } = readConfig(tableConfigSchema, env);
  return { ...createApiRuntime(env, dynamo), receipts: new DynamoReceiptStore(createDocumentClient(dynamo), TABLE_NAME_MAIN) };
}

const intakeConfigSchema = z.object({ QUEUE_URL_RECEIPTS: z.string().min(1, 'the receipts queue URL is required (QUEUE_URL_RECEIPTS)') });

export interface IntakeRuntime extends ReceiptRuntime {
  /** puts a receipt on the receipts queue (message body = the receipt JSON, events/receipt.ts) */
  readonly enqueue: (receipt: Receipt) => Promise<void>;
  /** tenant profiles cached for a short while (the node calls several times per payment) */
  readonly cachedOrganizations: { get(fiscalCode: string): Promise<Organization | undefined> };
}

export function createIntakeRuntime(env: NodeJS.ProcessEnv = process.env): IntakeRuntime {
  const base = createReceiptRuntime(env);
  const { QUEUE_URL_RECEIPTS: queueUrl } = readConfig(intakeConfigSchema, env);
  const publisher = new SqsQueuePublisher(new SQSClient({}));
  return {
    ...base,
    enqueue: async (receipt) => {
      const failed = await publisher.send(queueUrl, [{ id: receipt.receiptId, body: JSON.stringify(receipt) }]);
      if (failed.length > 0) throw new Error('the receipts queue did not accept the receipt');
    },
    cachedOrganizations: cached((fc) => base.organizations.get(fc), 30_000, base.clock),
  };
}

/** A positive-result cache (unknown tenants are asked again every time). */
export function cached<T>(
  load: (key: string) => Promise<T | undefined>,
  ttlMs: number,
  clock: () => Date,
): { get(key: string): Promise<T | undefined> } {
  const entries = new Map<string, { value: T; until: number }>();
  return {
    async get(key) {
      const now = clock().getTime();
      const hit = entries.get(key);
      if (hit && hit.until > now) return hit.value;
      const value = await load(key);
      if (value !== undefined) {
        if (entries.size > 1000) entries.clear();
        entries.set(key, { value, until: now + ttlMs });
      }
      return value;
    },
  };
}

/** The ReceiptAnomaly metric (CloudWatch EMF through Powertools): an alarm watches it. */
export function createAnomalyMetrics(): { count(anomaly: ReceiptAnomaly): void; flush(): void } {
  const metrics = new Metrics({ namespace: 'PagopaLayer', serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'pagopa-layer' });
  let pending = 0;
  return {
    count() {
      metrics.addMetric('ReceiptAnomaly', MetricUnit.Count, 1);
      pending++;
    },
    flush() {
      if (pending === 0) return;
      pending = 0;
      metrics.publishStoredMetrics();
    },
  };
}
