/**
 * The daily reminder run: for each tenant with IO settings, the unpaid options whose days-left
 * falls in one of its reminder thresholds (default [7, 1]) get an `io.reminder` request on the
 * io-messages queue, unless the record of that reminder is final already. Payability and the
 * option's status are checked again by the sender right before sending.
 */
import type { ReminderRequest } from '../../../events/io-message-request';
import type { DebtPosition } from '../../domain/debt-position';
import { reminderKind } from '../../domain/app-io/messages';
import { dueReminders, firstDueWindow } from '../../domain/app-io/reminders';
import type { OrganizationStore, QueuePublisher } from '../ports';
import type { MessageRecordStore, PositionsDue } from './ports';

export interface ReminderDeps {
  readonly organizations: Pick<OrganizationStore, 'list'>;
  readonly positionsDue: PositionsDue;
  readonly records: Pick<MessageRecordStore, 'get'>;
  readonly publisher: QueuePublisher;
  readonly ioMessagesQueueUrl: string;
  readonly clock: () => Date;
}

export interface ReminderRunSummary {
  readonly organizations: number;
  readonly positionsRead: number;
  readonly enqueued: number;
  readonly alreadyDone: number;
  readonly notAccepted: number;
}

/**
 * The `io.reminder` requests due for a position at `now`, with a deterministic id per (position,
 * notice number, threshold): a repeated run asks for the same reminder, which the sender's
 * message record then sends only once.
 */
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

export async function enqueueDueReminders(deps: ReminderDeps): Promise<ReminderRunSummary> {
  const now = deps.clock();
  let organizations = 0;
  let positionsRead = 0;
  let enqueued = 0;
  let alreadyDone = 0;
  let notAccepted = 0;
  for (const organization of await deps.organizations.list()) {
    if (!organization.io || organization.status !== 'ACTIVE') continue;
    organizations++;
    const days = organization.io.reminderDays;
    const window = firstDueWindow(days, now);
    for (const status of ['VALID', 'PARTIALLY_PAID'] as const) {
      for await (const page of deps.positionsDue(organization.fiscalCode, status, window.from, window.to)) {
        positionsRead += page.length;
        const wanted: ReminderRequest[] = [];
        for (const position of page) {
          for (const request of reminderRequests(position, days, now)) {
            const record = await deps.records.get({ organizationFiscalCode: request.organizationFiscalCode, iupd: request.iupd, nav: request.nav, kind: reminderKind(request.days) });
            if (record && record.state !== 'retry' && record.state !== 'claimed') alreadyDone++;
            else wanted.push(request);
          }
        }
        if (wanted.length === 0) continue;
        const failed = await deps.publisher.send(
          deps.ioMessagesQueueUrl,
          wanted.map((r) => ({ id: r.eventId, body: JSON.stringify(r), attributes: { eventType: r.eventType } })),
        );
        enqueued += wanted.length - failed.length;
        notAccepted += failed.length;
      }
    }
  }
  return { organizations, positionsRead, enqueued, alreadyDone, notAccepted };
}
