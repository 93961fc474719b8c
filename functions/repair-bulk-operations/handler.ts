import { positionsRoot, type BulkRepair } from '../../shared/composition/positions';
import { scheduledTask } from '../../shared/messaging/scheduled-task';
import { repairBulkOperations } from '../../shared/use-cases/debt-positions/bulk';

/** Scheduled: finishes the v2 bulk calls a crash interrupted (rolled back before their decision, forward after). */
export const makeHandler = (deps: BulkRepair) =>
  scheduledTask(async () => {
    const run = await repairBulkOperations(deps, (await deps.organizations.list()).map((o) => o.fiscalCode));
    if (run.rolledBack + run.rolledForward > 0) deps.logger.warn('interrupted bulk calls repaired', { ...run });
    return run;
  });

export const handler = makeHandler(positionsRoot());
