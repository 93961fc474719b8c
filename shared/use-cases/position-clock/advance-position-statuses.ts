/**
 * The status clock: persists what time does to positions, so that status filters, the node, the
 * notices and the citizen messages see it without waiting for the next write.
 *   PUBLISHED → VALID when the validity date comes: announced as debt-position.published, now
 *     payable (the notice is rendered and the App IO message sent at that moment);
 *   VALID → EXPIRED after the last due date when switchToExpired: debt-position.expired.
 * Each change is one version-guarded transaction with its audit line and event; a position that
 * another request changed meanwhile is left for the next run.
 */
import type { DebtPosition, PositionStatus } from '../../domain/debt-position';
import { statusAt } from '../../domain/debt-position';
import type { DomainEventType } from '../../../events/domain-events';
import { auditLine, positionEvent } from '../debt-positions/position-writes';
import type { Actor, DebtPositionStore, OrganizationStore } from '../ports';

export interface ClockDeps {
  readonly positions: DebtPositionStore;
  readonly organizations: Pick<OrganizationStore, 'list'>;
  readonly clock: () => Date;
  readonly newId: () => string;
}

/** What one run did: positions made payable, expired, and left for the next run (changed meanwhile). */
export interface ClockRun {
  readonly activated: number;
  readonly expired: number;
  readonly skipped: number;
}

/** The actor of the clock's audit lines: no API key, the invocation's request id. */
const systemActor = (organizationFiscalCode: string, requestId: string): Actor => ({
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
      const conflict = await deps.positions.replace(
        next,
        position.version,
        auditLine(now, to === 'EXPIRED' ? 'expire' : 'activate', systemActor(ofc, requestId), next, position.status),
        [positionEvent(deps.newId(), eventType, next, position.status, now)],
        [],
      );
      if (conflict) skipped++;
      else if (to === 'EXPIRED') expired++;
      else activated++;
    }
  }
  return { activated, expired, skipped };
}
