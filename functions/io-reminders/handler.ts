import { ioRemindersRoot, type IoReminders } from '../../shared/composition/app-io';
import { scheduledTask } from '../../shared/messaging/scheduled-task';
import { enqueueDueReminders } from '../../shared/use-cases/app-io/reminders';

/**
 * Daily schedule (locally every few seconds) → `io.reminder` requests on the io-messages queue
 * for the unpaid options whose due date is within a tenant's reminder days.
 */
export const makeHandler = (deps: IoReminders) =>
  scheduledTask(async () => {
    const summary = await enqueueDueReminders(deps);
    deps.logger.info('reminders planned', { ...summary });
    if (summary.notAccepted > 0) throw new Error(`${summary.notAccepted} reminder request(s) not accepted by the queue; the next run asks again`);
    return summary;
  });

export const handler = makeHandler(ioRemindersRoot());
