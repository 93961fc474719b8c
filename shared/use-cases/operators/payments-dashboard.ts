/**
 * The console dashboard's money figures: the payments received today and this month (Rome's
 * calendar, by when the layer recorded the receipt) with their amounts, and the anomalies no one
 * has handled yet. Read from the receipts' time index, a page at a time; a month larger than
 * MAX_MONTH_RECEIPTS is reported as incomplete rather than read without end.
 */
import { romeCalendarDay, romeDayStart } from '../../domain/dates';
import type { ReceiptStore } from '../receipts/ports';

export interface PaymentFigures {
  readonly count: number;
  /** euro cents */
  readonly amount: number;
}

export interface PaymentsDashboard {
  readonly today: PaymentFigures;
  readonly month: PaymentFigures;
  readonly openAnomalies: number;
  /** false when the month held more receipts than were read */
  readonly complete: boolean;
}

export interface PaymentsDashboardDeps {
  readonly receipts: Pick<ReceiptStore, 'list' | 'countOpenAnomalies'>;
  readonly clock: () => Date;
}

export const MAX_MONTH_RECEIPTS = 50_000;

export async function paymentsDashboard(deps: PaymentsDashboardDeps, organizationFiscalCode: string): Promise<PaymentsDashboard> {
  const now = deps.clock().toISOString();
  const day = romeCalendarDay(now);
  const todayFrom = romeDayStart(day);
  const monthFrom = romeDayStart(`${day.slice(0, 8)}01`);
  const today = { count: 0, amount: 0 };
  const month = { count: 0, amount: 0 };
  let read = 0;
  let cursor: string | undefined;
  const openAnomalies = deps.receipts.countOpenAnomalies(organizationFiscalCode);
  do {
    const page = await deps.receipts.list(organizationFiscalCode, { from: monthFrom, to: now, limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
    if (page === undefined) break;
    for (const r of page.items) {
      if (r.state !== 'APPLIED') continue;
      month.count += 1;
      month.amount += r.receipt.paymentAmount;
      if (r.recordedAt >= todayFrom) {
        today.count += 1;
        today.amount += r.receipt.paymentAmount;
      }
    }
    read += page.items.length;
    cursor = page.cursor;
  } while (cursor !== undefined && read < MAX_MONTH_RECEIPTS);
  return { today, month, openAnomalies: await openAnomalies, complete: cursor === undefined };
}
