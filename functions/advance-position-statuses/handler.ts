import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../../shared/adapters/dynamo/debt-position-store';
import { DynamoOrganizationStore } from '../../shared/adapters/dynamo/organization-store';
import { readConfig, tableConfigSchema } from '../../shared/config/env';
import { createLogger } from '../../shared/observability/logger';
import { advancePositionStatuses, type ClockDeps } from '../../shared/use-cases/position-clock';

/** Scheduled: persists PUBLISHED → VALID and VALID → EXPIRED as time makes them. */
export function makeHandler(deps: ClockDeps, logger = createLogger()) {
  return async (_event: ScheduledEvent, context: Context) => {
    const run = await advancePositionStatuses(deps, context.awsRequestId);
    if (run.activated + run.expired + run.skipped > 0) logger.info('position statuses advanced', { ...run });
    return run;
  };
}

const config = readConfig(tableConfigSchema);
const db = createDocumentClient();
export const handler = makeHandler({
  positions: new DynamoDebtPositionStore(db, config.TABLE_NAME_MAIN),
  organizations: new DynamoOrganizationStore(db, config.TABLE_NAME_MAIN),
  clock: () => new Date(),
  newId: randomUUID,
});
