/**
 * What every write of a position carries in its transaction, and how its outcome reads to the
 * caller: the audit line, the domain event that announces the change, and the errors a refused
 * rule or a lost race become.
 */
import type { DebtPosition, Outcome, PositionStatus } from '../../domain/debt-position';
import { isPayable } from '../../domain/debt-position';
import type { FieldError } from '../../domain/debt-position-rules';
import type { DomainEvent, DomainEventType } from '../../../events/domain-events';
import { UseCaseError } from '../errors';
import type { Actor, AuditEntry, WriteConflict } from '../ports';

export function auditLine(
  now: Date,
  action: AuditEntry['action'],
  actor: Actor,
  position: DebtPosition,
  fromStatus?: PositionStatus,
): AuditEntry {
  return { at: now.toISOString(), action, actor, version: position.version, fromStatus, toStatus: position.status };
}

/** The event announcing `position` as it is after the change. */
export function positionEvent(
  eventId: string,
  eventType: DomainEventType,
  position: DebtPosition,
  previousStatus: PositionStatus | undefined,
  now: Date,
): DomainEvent {
  return {
    eventId,
    eventType,
    occurredAt: now.toISOString(),
    organizationFiscalCode: position.organizationFiscalCode,
    iupd: position.iupd,
    version: position.version,
    status: position.status,
    previousStatus,
    payable: isPayable(position.status),
    noticeNumbers: position.paymentOptions.map((o) => o.nav),
  };
}

export function rejectInvalid(errors: readonly FieldError[]): void {
  if (errors.length > 0) {
    throw new UseCaseError('invalid', `Invalid ${errors.map((e) => e.field).join(', ')}`, errors);
  }
}

export function orConflict<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new UseCaseError(outcome.error.kind === 'conflict' ? 'conflict' : 'invalid', outcome.error.message);
}

export function notFound(iupd: string): UseCaseError {
  return new UseCaseError('not-found', `no debt position with iupd ${iupd}`);
}

export function conflictError(conflict: WriteConflict, iupd: string): UseCaseError {
  switch (conflict.conflict) {
    case 'iupd':
      return new UseCaseError('conflict', `a debt position with iupd ${iupd} exists already`);
    case 'iuv':
      return new UseCaseError('conflict', `the IUV ${conflict.iuv} is already used by another payment option`);
    case 'version':
      return new UseCaseError('conflict', `the debt position ${iupd} was changed by another request; read it again and retry`);
  }
}
