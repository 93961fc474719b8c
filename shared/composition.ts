/**
 * The composition root of the REST functions: configuration, clients and stores are built once
 * per cold start (module scope of each function) and handed to the handlers as plain values.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from './adapters/dynamo/client';
import { DynamoDebtPositionStore } from './adapters/dynamo/debt-position-store';
import { DynamoOrganizationStore } from './adapters/dynamo/organization-store';
import { readConfig, tableConfigSchema } from './config/env';
import { makeTenantAuthenticator, type TenantAuthenticator } from './http/tenant-auth';
import { createLogger } from './observability/logger';
import type { PositionDeps } from './use-cases/debt-positions/ports';
import type { OrganizationStore } from './use-cases/ports';

export interface ApiRuntime extends PositionDeps {
  readonly logger: Logger;
  readonly organizations: OrganizationStore;
  readonly authenticate: TenantAuthenticator;
}

/** `dynamo`: the low-level client to use (e.g. one that counts commands for the benchmarks). */
export function createApiRuntime(env: NodeJS.ProcessEnv = process.env, dynamo?: DynamoDBClient): ApiRuntime {
  const config = readConfig(tableConfigSchema, env);
  const db = createDocumentClient(dynamo);
  const organizations = new DynamoOrganizationStore(db, config.TABLE_NAME_MAIN);
  const clock = (): Date => new Date();
  return {
    logger: createLogger(),
    positions: new DynamoDebtPositionStore(db, config.TABLE_NAME_MAIN),
    organizations,
    clock,
    newId: randomUUID,
    authenticate: makeTenantAuthenticator({ organizations, cacheSeconds: config.API_KEY_CACHE_SECONDS, clock }),
  };
}
