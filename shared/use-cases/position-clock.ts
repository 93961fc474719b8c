/**
 * The status clock: persists what time does to positions, so that status filters, the node, the
 * notices and the citizen messages see it without waiting for the next write.
 *   PUBLISHED → VALID when the validity date comes: announced as debt-position.published, now
 *     payable (the notice is rendered and the App IO message sent at that moment);
 *   VALID → EXPIRED after the last due date when switchToExpired: debt-position.expired.
 * Each change is one version-guarded transaction with its audit line and event; a position that
 * another request changed meanwhile is left for the next run.
 */
import type { DebtPosition, PositionStatus } from '../domain/debt-position';
import { isPayable, statusAt } from '../domain/debt-position';
import type { DomainEvent, DomainEventType } from '../../events/domain-events';
import type { DebtPositionStore, OrganizationStore } from './ports';

export interface ClockDeps {
  readonly positions: DebtPositionStore;
  readonly organizations: Pick<OrganizationStore, 'list'>;
  readonly clock: () => Date;
  readonly newId: () => string;
}

export interface ClockRun {
  readonly activated: number;
  readonly expired: number;
  readonly skipped: number;
}

const SYSTEM_ACTOR = (organizationFiscalCode: string, requestId: string) => ({
  organizationFiscalCode,
  keyId: 'system:status-clock',
  requestId,
});

export async function advancePositionStatuses(deps: ClockDeps, requestId: string): Promise<ClockRun> {
  const now = deps.clock();
  const iso = now.toISOString();
  let activated = 0;
  let expired = 0;
  let skipped = 0;
  for (const organization of await deps.organizations.list()) {
    const ofc = organization.fiscalCode;
    const due: Array<{ position: DebtPosition; to: PositionStatus; eventType: DomainEventType }> = [];
    for await (const position of deps.positions.inStatus(ofc, 'PUBLISHED')) {
      const to = statusAt(position, now);
      if (to !== 'PUBLISHED') due.push({ position, to, eventType: to === 'EXPIRED' ? 'debt-position.expired' : 'debt-position.published' });
    }
    // only positions whose first due date has passed can have passed their last one
    for await (const position of deps.positions.inStatus(ofc, 'VALID', iso)) {
      if (statusAt(position, now) === 'EXPIRED') due.push({ position, to: 'EXPIRED', eventType: 'debt-position.expired' });
    }
    for (const { position, to, eventType } of due) {
      const next: DebtPosition = { ...position, status: to, version: position.version + 1, lastUpdatedDate: iso };
      const event: DomainEvent = {
        eventId: deps.newId(),
        eventType,
        occurredAt: iso,
        organizationFiscalCode: ofc,
        iupd: position.iupd,
        version: next.version,
        status: to,
        previousStatus: position.status,
        payable: isPayable(to),
        noticeNumbers: position.paymentOptions.map((o) => o.nav),
      };
      const conflict = await deps.positions.replace(
        next,
        position.version,
        {
          at: iso,
          action: to === 'EXPIRED' ? 'expire' : 'activate',
          actor: SYSTEM_ACTOR(ofc, requestId),
          version: next.version,
          fromStatus: position.status,
          toStatus: to,
        },
        [event],
        [],
      );
      if (conflict) skipped++;
      else if (to === 'EXPIRED') expired++;
      else activated++;
    }
  }
  return { activated, expired, skipped };
}
