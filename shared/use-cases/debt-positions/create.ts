/**
 * Create a debt position: its content checked against the domain rules, its options numbered,
 * then one transaction with the notice-number locks, the audit line and the events
 * (debt-position.created, and debt-position.published when it is published at once).
 */
import type { DebtPosition } from '../../domain/debt-position';
import { publish } from '../../domain/debt-position';
import { checkPositionContent, checkPositionSize } from '../../domain/debt-position-rules';
import type { CreateDebtPosition } from './commands';
import { assignNoticeNumbers, positionFields } from './content-to-position';
import type { CreatePositionDeps } from './ports';
import { auditLine, conflictError, orConflict, positionEvent, rejectInvalid } from './position-writes';

export async function createDebtPosition(deps: CreatePositionDeps, command: CreateDebtPosition): Promise<DebtPosition> {
  const { organization, actor, content } = command;
  const now = deps.clock();
  rejectInvalid([...checkPositionContent(content, { organization, now, requireFutureDueDates: true }), ...checkPositionSize(content)]);

  const identifiers = await assignNoticeNumbers(deps, organization, content.paymentOptions);
  const iso = now.toISOString();
  const draft: DebtPosition = {
    organizationFiscalCode: organization.fiscalCode,
    iupd: command.iupd,
    ...positionFields(content, organization, identifiers),
    status: 'DRAFT',
    insertedDate: iso,
    lastUpdatedDate: iso,
    version: 1,
  };
  const position = command.toPublish ? orConflict(publish(draft, now)) : draft;
  const events = [positionEvent(deps.newId(), 'debt-position.created', position, undefined, now)];
  if (command.toPublish) events.push(positionEvent(deps.newId(), 'debt-position.published', position, 'DRAFT', now));
  const conflict = await deps.positions.create(position, auditLine(now, 'create', actor, position), events);
  if (conflict) throw conflictError(conflict, command.iupd);
  deps.onCreated(position);
  return position;
}
