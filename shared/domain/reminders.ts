/**
 * Reminder requests (pure): for a position at `now`, the `io.reminder` queue messages to send,
 * with a deterministic id per (position, notice number, threshold) so a repeated scheduler run
 * asks for the same reminder, which the sender's message record then sends only once.
 */
import type { ReminderRequest } from '../../events/io-message-request';
import type { DebtPosition } from './debt-position';
import { DAY_MS, dueReminders, normalizeReminderDays } from './io-dispatch';

export function reminderRequests(position: DebtPosition, reminderDays: readonly number[] | undefined, now: Date): ReminderRequest[] {
  return dueReminders(position, reminderDays, now).map((r) => ({
    eventId: `reminder:${position.organizationFiscalCode}:${position.iupd}:${r.nav}:${r.days}`,
    eventType: 'io.reminder',
    occurredAt: now.toISOString(),
    organizationFiscalCode: position.organizationFiscalCode,
    iupd: position.iupd,
    nav: r.nav,
    days: r.days,
    daysLeft: r.daysLeft,
  }));
}

/**
 * The window of FIRST due dates (GSI2 sort key) worth reading: a position whose first due date
 * is after the largest threshold has nothing due; one whose first due date passed may still have
 * later installments, looked back up to `lookBackDays`.
 */
export function firstDueWindow(reminderDays: readonly number[] | undefined, now: Date, lookBackDays = 366): { from: string; to: string } {
  const days = normalizeReminderDays(reminderDays);
  const horizon = days[days.length - 1] ?? 0;
  return {
    from: new Date(now.getTime() - lookBackDays * DAY_MS).toISOString(),
    to: new Date(now.getTime() + horizon * DAY_MS).toISOString(),
  };
}
