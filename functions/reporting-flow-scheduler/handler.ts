import { reportingFlowSchedulerRoot, type ReportingFlowScheduler } from '../../shared/composition/reconciliation';
import { scheduledTask } from '../../shared/messaging/scheduled-task';
import { flagUnreported } from '../../shared/use-cases/reconciliation/overdue';

/**
 * Scheduled (every 2 hours): one acquisition request per active tenant on the reporting-flows
 * queue, and the tenant's receipts not reported after N working days kept as anomalies.
 */
export const makeHandler = (deps: ReportingFlowScheduler) =>
  scheduledTask(async () => {
    const tenants = await deps.tenants();
    if (tenants.length > 0) await deps.enqueue(tenants, 'schedule');
    let flagged = 0;
    for (const ofc of tenants) flagged += (await flagUnreported(deps, ofc, deps.notReportedAfterWorkingDays)).flagged;
    return { requested: tenants.length, flagged };
  });

export const handler = makeHandler(reportingFlowSchedulerRoot());
