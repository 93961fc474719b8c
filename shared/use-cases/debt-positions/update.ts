/**
 * Replace the content of a position. Options keep their notice numbers when the back office
 * sends them back; new options get new ones. As in GPD, the replaced position is a DRAFT again
 * (shared/domain/debt-position.ts, `update`) unless `toPublish` publishes it at once. Its events:
 * debt-position.updated always (a position that was payable and is now a DRAFT carries
 * `payable: false`: its stored notices are removed, the node answers it as unknown, reminders
 * skip it), and debt-position.published when the update makes a position payable that was not.
 */
import type { DebtPosition } from '../../domain/debt-position';
import { isPayable, statusAt, update } from '../../domain/debt-position';
import { checkPositionContent, checkPositionSize } from '../../domain/debt-position-rules';
import type { UpdateDebtPosition } from './commands';
import { assignNoticeNumbers, positionFields } from './content-to-position';
import type { PositionDeps } from './ports';
import { auditLine, conflictError, notFound, orConflict, positionEvent, rejectInvalid } from './position-writes';
import { findPosition } from './queries';

export async function updateDebtPosition(deps: PositionDeps, command: UpdateDebtPosition): Promise<DebtPosition> {
  const { organization, actor, content } = command;
  const now = deps.clock();
  const current = await findPosition(deps.positions, organization.fiscalCode, command.iupd);
  if (!current) throw notFound(command.iupd);
  rejectInvalid([...checkPositionContent(content, { organization, now, requireFutureDueDates: true }), ...checkPositionSize(content)]);

  const identifiers = await assignNoticeNumbers(deps, organization, content.paymentOptions);
  const fields = positionFields(content, organization, identifiers);
  const updated = orConflict(update(current, fields, { toPublish: command.toPublish }, now));
  const next: DebtPosition = { ...updated, version: current.version + 1 };
  const known = new Set(current.paymentOptions.map((o) => o.iuv));
  const newIuvs = next.paymentOptions.map((o) => o.iuv).filter((iuv) => !known.has(iuv));
  const previous = statusAt(current, now);
  const events = [positionEvent(deps.newId(), 'debt-position.updated', next, previous, now)];
  if (isPayable(next.status) && !isPayable(previous)) {
    events.push(positionEvent(deps.newId(), 'debt-position.published', next, previous, now));
  }
  const conflict = await deps.positions.replace(next, current.version, auditLine(now, 'update', actor, next, previous), events, newIuvs);
  if (conflict) throw conflictError(conflict, command.iupd);
  return next;
}
