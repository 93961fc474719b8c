/**
 * What every function family is built on, composed once per process (a Lambda container, or the
 * whole local cloud): the settings every function reads, the telemetry (masking logger, metrics),
 * ONE DynamoDB client (counted, so benchmarks can tell the requests per operation), the stores of
 * the two things every family touches (organizations, debt positions), the clock and the id
 * source, and the tenant authenticator of the REST routes.
 *
 * Configuration is read here and in the family roots beside this file, nowhere else: each family
 * declares one zod schema of its settings and reads it once with `readConfig`; adapters and
 * handlers never read the environment.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { catalog, functionById } from '../../infra/catalog';
import { createDocumentClient } from '../adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../adapters/dynamo/debt-position-store';
import { DynamoOrganizationStore } from '../adapters/dynamo/organization-store';
import { readConfig } from '../config/env';
import { makeTenantAuthenticator, type TenantAuthenticator } from '../http/tenant-auth';
import { telemetry, type Telemetry } from '../observability/lambda';
import type { DebtPositionStore, OrganizationStore } from '../use-cases/ports';

/** Settings every function that touches the main table reads. */
export const platformConfigSchema = z.object({
  TABLE_NAME_MAIN: z.string().min(3, 'the main table name is required (TABLE_NAME_MAIN)'),
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
});

export interface Platform {
  readonly telemetry: Telemetry;
  readonly tableName: string;
  /** the document client over the one DynamoDB client */
  readonly db: DynamoDBDocumentClient;
  readonly positions: DebtPositionStore;
  readonly organizations: OrganizationStore;
  readonly authenticate: TenantAuthenticator;
  readonly clock: () => Date;
  readonly newId: () => string;
}

/** DynamoDB commands sent by this process, by command name (read by the benchmarks). */
export const dynamoCommandCounts = new Map<string, number>();

function countDynamoCommands(client: DynamoDBClient): DynamoDBClient {
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

let built: { key: string; platform: Platform } | undefined;

/** The process's platform; built on first call, after the environment is set. */
export function platform(env: NodeJS.ProcessEnv = process.env): Platform {
  const config = readConfig(platformConfigSchema, env);
  const key = JSON.stringify(config);
  if (built?.key === key) return built.platform;
  const db = createDocumentClient(countDynamoCommands(new DynamoDBClient({})));
  const organizations = new DynamoOrganizationStore(db, config.TABLE_NAME_MAIN);
  const clock = (): Date => new Date();
  const value: Platform = {
    telemetry: telemetry(),
    tableName: config.TABLE_NAME_MAIN,
    db,
    positions: new DynamoDebtPositionStore(db, config.TABLE_NAME_MAIN),
    organizations,
    authenticate: makeTenantAuthenticator({ organizations, cacheSeconds: config.API_KEY_CACHE_SECONDS, clock }),
    clock,
    newId: randomUUID,
  };
  built = { key, platform: value };
  return value;
}

let sqs: SQSClient | undefined;

/**
 * The process's SQS client, built on first use. A function apart from platform(): a bundle whose
 * handler never reaches a queue leaves the SQS client out (esbuild drops what is not called).
 */
export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({});
  return sqs;
}

/** The maxReceiveCount of the queue that triggers `functionId` (the same number as its redrive policy). */
export function maxReceiveCountOf(functionId: string): number {
  const trigger = functionById(functionId).triggers.find((t) => t.kind === 'queue');
  const queue = trigger?.kind === 'queue' ? catalog.queues.find((q) => q.id === trigger.queue) : undefined;
  if (!queue) throw new Error(`${functionId} has no queue trigger in the catalog`);
  return queue.maxReceiveCount;
}
