/**
 * The back-office use cases on debt positions. Each takes its dependencies as plain arguments
 * and a validated request; each state change is written with its audit line and its domain
 * event in one transaction.
 */
import type { DebtPosition } from '../domain/debt-position';
import * as positions from '../domain/debt-position';
import { checkPositionContent } from '../domain/debt-position-rules';
import { makeNoticeNumber } from '../domain/notice-number';
import type { Organization } from '../domain/organization';
import type { DomainEvent, DomainEventType } from '../../events/domain-events';
import { iupd as iupdSchema, type PaymentPositionInput } from '../http/debt-position-schemas';
import { toPositionContent, toPositionFields } from '../http/debt-position-mapping';
import { UseCaseError } from './errors';
import type { Actor, AuditEntry, DebtPositionStore, ListQuery, WriteConflict } from './ports';

export interface PositionDeps {
  readonly positions: DebtPositionStore;
  readonly clock: () => Date;
  readonly newId: () => string;
}

export async function createDebtPosition(
  deps: PositionDeps,
  request: { organization: Organization; actor: Actor; body: PaymentPositionInput; toPublish: boolean },
): Promise<DebtPosition> {
  const { organization, actor, body } = request;
  const now = deps.clock();
  rejectInvalid(checkPositionContent(toPositionContent(body), { organization, now, requireFutureDueDates: true }));

  const identifiers = await assignNoticeNumbers(deps, organization, body);
  const iso = now.toISOString();
  const draft: DebtPosition = {
    organizationFiscalCode: organization.fiscalCode,
    iupd: body.iupd,
    ...toPositionFields(body, organization, identifiers),
    status: 'DRAFT',
    insertedDate: iso,
    lastUpdatedDate: iso,
    version: 1,
  };
  const position = request.toPublish ? orConflict(positions.publish(draft, now)) : draft;
  const events = [event(deps, 'debt-position.created', position, undefined, now)];
  if (request.toPublish) events.push(event(deps, 'debt-position.published', position, 'DRAFT', now));
  const conflict = await deps.positions.create(position, audit(now, 'create', actor, position), events);
  if (conflict) throw conflictError(conflict, body.iupd);
  return position;
}

/**
 * The stored position with that iupd. An iupd the API could never have stored (wrong characters,
 * longer than 70) is not found without a read: a hostile path must not reach the table, whose
 * keys are limited to 2 KB (a longer one is a DynamoDB ValidationException, i.e. a 500).
 */
export async function findPosition(
  store: Pick<DebtPositionStore, 'get'>,
  organizationFiscalCode: string,
  iupd: string,
): Promise<DebtPosition | undefined> {
  return iupdSchema.safeParse(iupd).success ? store.get(organizationFiscalCode, iupd) : undefined;
}

export async function getDebtPosition(deps: PositionDeps, organizationFiscalCode: string, iupd: string): Promise<DebtPosition> {
  const position = await findPosition(deps.positions, organizationFiscalCode, iupd);
  if (!position) throw new UseCaseError('not-found', `no debt position with iupd ${iupd}`);
  return positions.withCurrentStatus(position, deps.clock());
}

export async function getByNoticeNumber(
  deps: PositionDeps,
  organizationFiscalCode: string,
  nav: string,
): Promise<{ position: DebtPosition; option: positions.PaymentOption }> {
  const found = /^\d{18}$/.test(nav) ? await deps.positions.findByNoticeNumber(organizationFiscalCode, nav) : undefined;
  const option = found?.paymentOptions.find((o) => o.nav === nav);
  if (!found || !option) throw new UseCaseError('not-found', `no payment option with notice number ${nav}`);
  return { position: positions.withCurrentStatus(found, deps.clock()), option };
}

export async function listDebtPositions(
  deps: PositionDeps,
  organizationFiscalCode: string,
  query: ListQuery,
): Promise<{ items: DebtPosition[]; total: number }> {
  const result = await deps.positions.list(organizationFiscalCode, query);
  const now = deps.clock();
  return { items: result.items.map((p) => positions.withCurrentStatus(p, now)), total: result.total };
}

export async function updateDebtPosition(
  deps: PositionDeps,
  request: { organization: Organization; actor: Actor; iupd: string; body: PaymentPositionInput; toPublish: boolean },
): Promise<DebtPosition> {
  const { organization, actor, body } = request;
  if (body.iupd !== request.iupd) {
    throw new UseCaseError('invalid', 'the iupd in the body differs from the one in the path', [
      { field: 'iupd', message: `must be ${request.iupd}, as in the path` },
    ]);
  }
  const now = deps.clock();
  const current = await findPosition(deps.positions, organization.fiscalCode, request.iupd);
  if (!current) throw new UseCaseError('not-found', `no debt position with iupd ${request.iupd}`);
  rejectInvalid(checkPositionContent(toPositionContent(body), { organization, now, requireFutureDueDates: true }));

  // Options keep their notice numbers when the back office sends them back; new options get new ones.
  const identifiers = await assignNoticeNumbers(deps, organization, body);
  const fields = toPositionFields(body, organization, identifiers);
  const updated = orConflict(positions.update(current, fields, { toPublish: request.toPublish }, now));
  const next: DebtPosition = { ...updated, version: current.version + 1 };
  const known = new Set(current.paymentOptions.map((o) => o.iuv));
  const newIuvs = next.paymentOptions.map((o) => o.iuv).filter((iuv) => !known.has(iuv));
  const previous = positions.statusAt(current, now);
  const events = [event(deps, 'debt-position.updated', next, previous, now)];
  if (positions.isPayable(next.status) && !positions.isPayable(previous)) {
    events.push(event(deps, 'debt-position.published', next, previous, now));
  }
  const conflict = await deps.positions.replace(next, current.version, audit(now, 'update', actor, next, previous), events, newIuvs);
  if (conflict) throw conflictError(conflict, request.iupd);
  return next;
}

export async function publishDebtPosition(
  deps: PositionDeps,
  request: { organizationFiscalCode: string; actor: Actor; iupd: string },
): Promise<DebtPosition> {
  return transition(deps, request, 'publish', 'debt-position.published', positions.publish);
}

export async function invalidateDebtPosition(
  deps: PositionDeps,
  request: { organizationFiscalCode: string; actor: Actor; iupd: string },
): Promise<DebtPosition> {
  return transition(deps, request, 'invalidate', 'debt-position.invalidated', positions.invalidate);
}

export async function deleteDebtPosition(
  deps: PositionDeps,
  request: { organizationFiscalCode: string; actor: Actor; iupd: string },
): Promise<void> {
  const now = deps.clock();
  const current = await findPosition(deps.positions, request.organizationFiscalCode, request.iupd);
  if (!current) throw new UseCaseError('not-found', `no debt position with iupd ${request.iupd}`);
  orConflict(positions.checkDeletable(current, now));
  const previous = positions.statusAt(current, now);
  const gone: DebtPosition = { ...current, version: current.version + 1 };
  const conflict = await deps.positions.remove(
    current,
    audit(now, 'delete', request.actor, gone, previous),
    [event(deps, 'debt-position.deleted', gone, previous, now)],
  );
  if (conflict) throw conflictError(conflict, request.iupd);
}

async function transition(
  deps: PositionDeps,
  request: { organizationFiscalCode: string; actor: Actor; iupd: string },
  action: AuditEntry['action'],
  eventType: DomainEventType,
  rule: (p: DebtPosition, now: Date) => positions.Outcome<DebtPosition>,
): Promise<DebtPosition> {
  const now = deps.clock();
  const current = await findPosition(deps.positions, request.organizationFiscalCode, request.iupd);
  if (!current) throw new UseCaseError('not-found', `no debt position with iupd ${request.iupd}`);
  const previous = positions.statusAt(current, now);
  const next: DebtPosition = { ...orConflict(rule(current, now)), version: current.version + 1 };
  const conflict = await deps.positions.replace(
    next,
    current.version,
    audit(now, action, request.actor, next, previous),
    [event(deps, eventType, next, previous, now)],
    [],
  );
  if (conflict) throw conflictError(conflict, request.iupd);
  return next;
}

/** The IUV/NAV of each option: checked ones the back office sent, fresh ones for the rest. */
async function assignNoticeNumbers(
  deps: PositionDeps,
  organization: Organization,
  body: PaymentPositionInput,
): Promise<Array<{ iuv: string; nav: string }>> {
  const missing = body.paymentOption.filter((o) => o.iuv === undefined && o.nav === undefined).length;
  const bases = await deps.positions.allocateIuvBases(organization.fiscalCode, missing);
  let next = 0;
  return body.paymentOption.map((o) => {
    if (o.nav !== undefined) return { iuv: o.nav.slice(1), nav: o.nav };
    if (o.iuv !== undefined) return { iuv: o.iuv, nav: `3${o.iuv}` };
    const base = bases[next++];
    if (base === undefined) throw new Error('IUV allocation returned too few bases');
    return makeNoticeNumber(organization.segregationCode, base);
  });
}

function audit(
  now: Date,
  action: AuditEntry['action'],
  actor: Actor,
  position: DebtPosition,
  fromStatus?: positions.PositionStatus,
): AuditEntry {
  return { at: now.toISOString(), action, actor, version: position.version, fromStatus, toStatus: position.status };
}

function event(
  deps: PositionDeps,
  eventType: DomainEventType,
  position: DebtPosition,
  previousStatus: positions.PositionStatus | undefined,
  now: Date,
): DomainEvent {
  return {
    eventId: deps.newId(),
    eventType,
    occurredAt: now.toISOString(),
    organizationFiscalCode: position.organizationFiscalCode,
    iupd: position.iupd,
    version: position.version,
    status: position.status,
    previousStatus,
    payable: positions.isPayable(position.status),
    noticeNumbers: position.paymentOptions.map((o) => o.nav),
  };
}

function rejectInvalid(errors: ReadonlyArray<{ field: string; message: string }>): void {
  if (errors.length > 0) {
    throw new UseCaseError('invalid', `Invalid ${errors.map((e) => e.field).join(', ')}`, errors);
  }
}

function orConflict<T>(outcome: positions.Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new UseCaseError(outcome.error.kind === 'conflict' ? 'conflict' : 'invalid', outcome.error.message);
}

function conflictError(conflict: WriteConflict, iupd: string): UseCaseError {
  switch (conflict.conflict) {
    case 'iupd':
      return new UseCaseError('conflict', `a debt position with iupd ${iupd} exists already`);
    case 'iuv':
      return new UseCaseError('conflict', `the IUV ${conflict.iuv} is already used by another payment option`);
    case 'version':
      return new UseCaseError('conflict', `the debt position ${iupd} was changed by another request; read it again and retry`);
  }
}
