import { positionsRoot, type StatusClock } from '../../shared/composition/positions';
import { scheduledTask } from '../../shared/messaging/scheduled-task';
import { advancePositionStatuses } from '../../shared/use-cases/position-clock/advance-position-statuses';

/** Scheduled: persists PUBLISHED → VALID and VALID → EXPIRED as time makes them. */
export const makeHandler = (deps: StatusClock) =>
  scheduledTask(async (requestId) => {
    const run = await advancePositionStatuses(deps, requestId);
    if (run.activated + run.expired + run.skipped > 0) deps.logger.info('position statuses advanced', { ...run });
    return run;
  });

export const handler = makeHandler(positionsRoot());
