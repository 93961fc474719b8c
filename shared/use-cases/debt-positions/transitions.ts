/**
 * The GPD transitions a back office asks for: publish (DRAFT → PUBLISHED or VALID) and
 * invalidate (PUBLISHED | VALID → INVALID). Each is one version-guarded transaction with its
 * audit line and event.
 */
import type { DebtPosition, Outcome } from '../../domain/debt-position';
import { invalidate, publish, statusAt } from '../../domain/debt-position';
import type { DomainEventType } from '../../../events/domain-events';
import type { AuditEntry } from '../ports';
import type { PositionCommand } from './commands';
import type { PositionDeps } from './ports';
import { auditLine, conflictError, notFound, orConflict, positionEvent } from './position-writes';
import { findPosition } from './queries';

export async function publishDebtPosition(deps: PositionDeps, command: PositionCommand): Promise<DebtPosition> {
  return transition(deps, command, 'publish', 'debt-position.published', publish);
}

export async function invalidateDebtPosition(deps: PositionDeps, command: PositionCommand): Promise<DebtPosition> {
  return transition(deps, command, 'invalidate', 'debt-position.invalidated', invalidate);
}

async function transition(
  deps: PositionDeps,
  command: PositionCommand,
  action: AuditEntry['action'],
  eventType: DomainEventType,
  rule: (p: DebtPosition, now: Date) => Outcome<DebtPosition>,
): Promise<DebtPosition> {
  const now = deps.clock();
  const current = await findPosition(deps.positions, command.organizationFiscalCode, command.iupd);
  if (!current) throw notFound(command.iupd);
  const previous = statusAt(current, now);
  const next: DebtPosition = { ...orConflict(rule(current, now)), version: current.version + 1 };
  const conflict = await deps.positions.replace(
    next,
    current.version,
    auditLine(now, action, command.actor, next, previous),
    [positionEvent(deps.newId(), eventType, next, previous, now)],
    [],
  );
  if (conflict) throw conflictError(conflict, command.iupd);
  return next;
}
