/**
 * Reminders (pure): which unpaid options of a position are due a reminder at `now` (the tenant's
 * thresholds, default 7 and 1 days before the due date), and the window of first due dates the
 * daily run reads. The io-reminders run turns each due reminder into an `io.reminder` request
 * with a deterministic id per (position, notice number, threshold), so a repeated run asks for
 * the same reminder, which the sender's message record then sends only once.
 */
import { isPayable, statusAt, type DebtPosition } from '../debt-position';
import { DEFAULT_REMINDER_DAYS } from '../organization';
import { messageableOptions } from './messages';

export const DAY_MS = 86_400_000;

/** Whole days from `now` to the due date, rounded up (due in 30 hours → 2). */
export function daysUntil(dueDate: string, now: Date): number {
  return Math.ceil((Date.parse(dueDate) - now.getTime()) / DAY_MS);
}

export function normalizeReminderDays(days: readonly number[] | undefined): number[] {
  const list = days ?? DEFAULT_REMINDER_DAYS;
  return [...new Set(list.filter((d) => Number.isInteger(d) && d >= 1 && d <= 365))].sort((a, b) => a - b);
}

export interface DueReminder {
  readonly nav: string;
  readonly days: number;
  readonly daysLeft: number;
}

/**
 * The reminders due at `now` for a position: for each option to pay, the SMALLEST configured
 * threshold that its days-left falls within (a scheduler that missed days sends the nearer
 * reminder only, never two at once). A threshold is skipped when the position was published
 * inside it: the "new notice" message already told the citizen within that window.
 */
export function dueReminders(position: DebtPosition, reminderDays: readonly number[] | undefined, now: Date): DueReminder[] {
  const status = statusAt(position, now);
  if (!isPayable(status)) return [];
  const thresholds = normalizeReminderDays(reminderDays);
  const out: DueReminder[] = [];
  for (const option of messageableOptions({ ...position, status })) {
    const daysLeft = daysUntil(option.dueDate, now);
    if (daysLeft < 1) continue;
    const days = thresholds.find((d) => daysLeft <= d);
    if (days === undefined) continue;
    if (position.publishDate !== undefined && Date.parse(option.dueDate) - Date.parse(position.publishDate) <= days * DAY_MS) continue;
    out.push({ nav: option.nav, days, daysLeft });
  }
  return out;
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
