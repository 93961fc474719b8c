/**
 * Delete a position (GPD: allowed until money has moved on it). Its notice-number locks stay:
 * a deleted position's notice numbers are never handed out again.
 */
import type { DebtPosition } from '../../domain/debt-position';
import { checkDeletable, statusAt } from '../../domain/debt-position';
import type { PositionCommand } from './commands';
import type { PositionDeps } from './ports';
import { auditLine, conflictError, notFound, orConflict, positionEvent } from './position-writes';
import { findPosition } from './queries';

export async function deleteDebtPosition(deps: PositionDeps, command: PositionCommand): Promise<void> {
  const now = deps.clock();
  const current = await findPosition(deps.positions, command.organizationFiscalCode, command.iupd);
  if (!current) throw notFound(command.iupd);
  orConflict(checkDeletable(current, now));
  const previous = statusAt(current, now);
  const gone: DebtPosition = { ...current, version: current.version + 1 };
  const conflict = await deps.positions.remove(
    current,
    auditLine(now, 'delete', command.actor, gone, previous),
    [positionEvent(deps.newId(), 'debt-position.deleted', gone, previous, now)],
  );
  if (conflict) throw conflictError(conflict, command.iupd);
}
