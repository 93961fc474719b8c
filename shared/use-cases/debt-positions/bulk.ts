/**
 * GPD v2's bulk operations (createMultiplePositions, updateMultiplePositions,
 * deleteMultipleDebtPositions: GPD saves each list in one database transaction), all or nothing:
 *
 *   1. everything is checked before anything is written: every position's rules (400 naming
 *      paymentPositions[i].field), duplicates inside the list, iupds and IUVs already taken
 *      (409 naming them), unknown iupds (404 naming them), statuses (409 naming them);
 *   2. a bulk record is written, then every position is reserved (create: stored but invisible)
 *      or locked (update, delete: held at its version, the new content staged beside it). A
 *      conflict here (a concurrent request took an iupd or IUV, or changed a position) releases
 *      what was reserved and answers 409 naming it: nothing was visible, nothing was announced;
 *   3. the record is marked `committing` (the decision), then each position is committed with
 *      its listing, audit line and events, and the record is deleted.
 * A crash in 2 leaves reserved/locked positions and a `preparing` record: the repair
 * (`repairBulkOperations`, scheduled) releases them. A crash in 3 leaves a `committing` record:
 * the repair commits the positions still held. Until then the reserved positions read as absent
 * and the locked ones as they were before the call.
 *
 * The one race that can split a call: a payment applied (by the receipt processor, which does
 * not know about locks) to a locked position between its lock and its commit. Money wins: that
 * position keeps the payment and is not updated or deleted, every other one is, and the answer
 * is 409 naming it.
 */
import type { DomainEvent } from '../../../events/domain-events';
import type { DebtPosition, PositionContent } from '../../domain/debt-position';
import { checkDeletable, isPayable, publish, statusAt, update } from '../../domain/debt-position';
import { checkPositionContent, checkPositionSize, type FieldError } from '../../domain/debt-position-rules';
import { makeNoticeNumber } from '../../domain/notice-number';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import type { Actor, WriteConflict } from '../ports';
import { positionFields } from './content-to-position';
import type { BulkKind, BulkPositionStore, BulkRecord } from './gpd/ports';
import type { PositionDeps } from './ports';
import { auditLine, orConflict, positionEvent, rejectInvalid } from './position-writes';

/** Positions written at once by one call (each its own transactions). */
const PARALLEL = 8;
/** A bulk record older than this is a crashed call (a call lives at most its function's 29 s). */
export const BULK_STALE_AFTER_MS = 2 * 60_000;

export interface BulkDeps extends PositionDeps {
  readonly bulk: BulkPositionStore;
  /** told of every position created (the PositionCreated metric) */
  readonly onCreated?: (position: DebtPosition) => void;
}

export interface BulkPosition {
  readonly iupd: string;
  readonly content: PositionContent;
}

export interface ManyPositionsCommand {
  readonly organization: Organization;
  readonly actor: Actor;
  readonly positions: readonly BulkPosition[];
  readonly toPublish: boolean;
}

export interface ManyIupdsCommand {
  readonly organization: Organization;
  readonly actor: Actor;
  readonly iupds: readonly string[];
}

// ---- create ----

export async function createManyDebtPositions(deps: BulkDeps, command: ManyPositionsCommand): Promise<DebtPosition[]> {
  const { organization } = command;
  const ofc = organization.fiscalCode;
  const now = deps.clock();
  checkEvery(command.positions, organization, now);
  refuseDuplicates(command.positions);
  const explicit = command.positions.flatMap((p) => p.content.paymentOptions.flatMap((o) => (o.nav ?? o.iuv) !== undefined ? [o.nav?.slice(1) ?? (o.iuv as string)] : []));
  const [existing, taken] = await Promise.all([
    deps.bulk.existingIupds(ofc, command.positions.map((p) => p.iupd)),
    deps.bulk.takenIuvs(ofc, explicit),
  ]);
  if (existing.length > 0 || taken.length > 0) {
    throw new UseCaseError('conflict', conflictText(existing, taken), [
      ...existing.map((iupd) => ({ field: fieldOf(command.positions, iupd), message: `a debt position with iupd ${iupd} exists already` })),
      ...taken.map((iuv) => ({ field: 'paymentPositions', message: `the IUV ${iuv} is already used by another payment option` })),
    ]);
  }
  const numbers = await noticeNumbers(deps, organization, command.positions);
  const iso = now.toISOString();
  const positions = command.positions.map((p, i): DebtPosition => {
    const draft: DebtPosition = {
      organizationFiscalCode: ofc,
      iupd: p.iupd,
      ...positionFields(p.content, organization, numbers[i] ?? []),
      status: 'DRAFT',
      insertedDate: iso,
      lastUpdatedDate: iso,
      version: 1,
    };
    return command.toPublish ? orConflict(publish(draft, now)) : draft;
  });
  const record = newRecord(deps, ofc, 'create', command.actor, positions.map((p) => p.iupd), command.toPublish, now);
  await prepare(deps, record, positions, (p) => deps.bulk.reserve(record.batchId, p));
  await deps.bulk.markCommitting(record);
  await eachInParallel(positions, (p) => commitCreate(deps, record, p, now));
  await deps.bulk.end(record);
  return positions;
}

async function commitCreate(deps: BulkDeps, record: BulkRecord, position: DebtPosition, now: Date): Promise<void> {
  const events = [positionEvent(deps.newId(), 'debt-position.created', position, undefined, now)];
  if (position.status !== 'DRAFT') {
    events.push(positionEvent(deps.newId(), 'debt-position.published', position, 'DRAFT', now));
  }
  if (await deps.bulk.commitCreate(record.batchId, position, auditLine(now, 'create', record.actor, position), events)) deps.onCreated?.(position);
}

// ---- update ----

export async function updateManyDebtPositions(deps: BulkDeps, command: ManyPositionsCommand): Promise<DebtPosition[]> {
  const { organization } = command;
  const ofc = organization.fiscalCode;
  const now = deps.clock();
  checkEvery(command.positions, organization, now);
  refuseDuplicates(command.positions);
  const current = await currentPositions(deps.bulk, ofc, command.positions.map((p) => p.iupd), command.positions);
  const numbers = await noticeNumbers(deps, organization, command.positions);
  const refused: FieldError[] = [];
  const nexts = command.positions.map((p, i) => {
    const was = current.get(p.iupd) as DebtPosition;
    const outcome = update(was, positionFields(p.content, organization, numbers[i] ?? []), { toPublish: command.toPublish }, now);
    if (!outcome.ok) {
      refused.push({ field: `paymentPositions[${i}]`, message: `${p.iupd}: ${outcome.error.message}` });
      return was;
    }
    return { ...outcome.value, version: was.version + 1 };
  });
  if (refused.length > 0) throw new UseCaseError('conflict', `these positions cannot be updated: ${refused.map((r) => r.message).join('; ')}`, refused);
  const newIuvs = nexts.map((next) => {
    const known = new Set((current.get(next.iupd) as DebtPosition).paymentOptions.map((o) => o.iuv));
    return next.paymentOptions.map((o) => o.iuv).filter((iuv) => !known.has(iuv));
  });
  const fresh = newIuvs.flat();
  const twice = fresh.filter((iuv, i) => fresh.indexOf(iuv) !== i);
  const taken = [...new Set([...twice, ...(await deps.bulk.takenIuvs(ofc, fresh))])];
  if (taken.length > 0) {
    throw new UseCaseError('conflict', conflictText([], taken), taken.map((iuv) => ({ field: 'paymentPositions', message: `the IUV ${iuv} is already used by another payment option` })));
  }
  const record = newRecord(deps, ofc, 'update', command.actor, nexts.map((p) => p.iupd), command.toPublish, now);
  await prepare(deps, record, nexts, (next, i) => deps.bulk.lock(record.batchId, current.get(next.iupd) as DebtPosition, next, newIuvs[i] ?? []));
  await deps.bulk.markCommitting(record);
  const skipped: string[] = [];
  await eachInParallel(nexts, async (next) => {
    if (!(await commitUpdate(deps, record, current.get(next.iupd) as DebtPosition, next, now))) skipped.push(next.iupd);
  });
  await deps.bulk.end(record);
  if (skipped.length > 0) throw splitByPayment(skipped, 'updated');
  return nexts;
}

async function commitUpdate(deps: BulkDeps, record: BulkRecord, was: DebtPosition, next: DebtPosition, now: Date): Promise<boolean> {
  const previous = statusAt(was, now);
  const events: DomainEvent[] = [positionEvent(deps.newId(), 'debt-position.updated', next, previous, now)];
  if (isPayable(next.status) && !isPayable(previous)) events.push(positionEvent(deps.newId(), 'debt-position.published', next, previous, now));
  return deps.bulk.commitUpdate(record.batchId, was, next, auditLine(now, 'update', record.actor, next, previous), events);
}

// ---- delete ----

export async function deleteManyDebtPositions(deps: BulkDeps, command: ManyIupdsCommand): Promise<void> {
  const ofc = command.organization.fiscalCode;
  const now = deps.clock();
  const twice = command.iupds.filter((iupd, i) => command.iupds.indexOf(iupd) !== i);
  if (twice.length > 0) {
    throw new UseCaseError('invalid', `iupds listed twice: ${[...new Set(twice)].join(', ')}`, [...new Set(twice)].map((iupd) => ({ field: 'paymentPositionIUPDs', message: `${iupd} is listed twice` })));
  }
  const current = await currentPositions(deps.bulk, ofc, command.iupds);
  const refused = command.iupds.flatMap((iupd, i) => {
    const outcome = checkDeletable(current.get(iupd) as DebtPosition, now);
    return outcome.ok ? [] : [{ field: `paymentPositionIUPDs[${i}]`, message: `${iupd}: ${outcome.error.message}` }];
  });
  if (refused.length > 0) throw new UseCaseError('conflict', `these positions cannot be deleted: ${refused.map((r) => r.message).join('; ')}`, refused);
  const positions = command.iupds.map((iupd) => current.get(iupd) as DebtPosition);
  const record = newRecord(deps, ofc, 'delete', command.actor, [...command.iupds], false, now);
  await prepare(deps, record, positions, (p) => deps.bulk.lock(record.batchId, p, undefined, []));
  await deps.bulk.markCommitting(record);
  const skipped: string[] = [];
  await eachInParallel(positions, async (p) => {
    if (!(await commitDelete(deps, record, p, now))) skipped.push(p.iupd);
  });
  await deps.bulk.end(record);
  if (skipped.length > 0) throw splitByPayment(skipped, 'deleted');
}

async function commitDelete(deps: BulkDeps, record: BulkRecord, position: DebtPosition, now: Date): Promise<boolean> {
  const previous = statusAt(position, now);
  const gone: DebtPosition = { ...position, version: position.version + 1 };
  return deps.bulk.commitDelete(record.batchId, position, auditLine(now, 'delete', record.actor, gone, previous), [
    positionEvent(deps.newId(), 'debt-position.deleted', gone, previous, now),
  ]);
}

// ---- repair ----

export interface RepairRun {
  readonly rolledBack: number;
  readonly rolledForward: number;
}

/**
 * Finishes the bulk calls that did not (a crash, a timeout): a `preparing` call is rolled back
 * (every reservation and lock released), a `committing` one rolled forward (every position
 * still held by it committed). Only records older than BULK_STALE_AFTER_MS: younger ones may
 * belong to a call still running.
 */
export async function repairBulkOperations(deps: BulkDeps, organizationFiscalCodes: readonly string[]): Promise<RepairRun> {
  const now = deps.clock();
  let rolledBack = 0;
  let rolledForward = 0;
  for (const ofc of organizationFiscalCodes) {
    for (const record of await deps.bulk.open(ofc)) {
      if (now.getTime() - Date.parse(record.startedAt) < BULK_STALE_AFTER_MS) continue;
      if (record.state === 'preparing') {
        await eachInParallel(record.iupds, (iupd) => deps.bulk.release(record.batchId, ofc, iupd, record.kind));
        rolledBack++;
      } else {
        const held = await deps.bulk.held(ofc, record.iupds);
        await eachInParallel(held, async (h) => {
          if (record.kind === 'create' && h.pending === record.batchId) await commitCreate(deps, record, h.position, now);
          if (h.lockedBy !== record.batchId) return;
          if (record.kind === 'delete') await commitDelete(deps, record, h.position, now);
          if (record.kind === 'update') {
            const next = await deps.bulk.staged(record.batchId, ofc, h.position.iupd);
            if (next) await commitUpdate(deps, record, h.position, next, now);
          }
        });
        rolledForward++;
      }
      await deps.bulk.end(record);
    }
  }
  return { rolledBack, rolledForward };
}

// ---- shared steps ----

function newRecord(deps: BulkDeps, ofc: string, kind: BulkKind, actor: Actor, iupds: readonly string[], toPublish: boolean, now: Date): BulkRecord {
  return { organizationFiscalCode: ofc, batchId: deps.newId(), kind, state: 'preparing', iupds, startedAt: now.toISOString(), actor, toPublish };
}

/** Every position's rules at once, each error named paymentPositions[i].field. */
function checkEvery(positions: readonly BulkPosition[], organization: Organization, now: Date): void {
  rejectInvalid(
    positions.flatMap((p, i) =>
      [...checkPositionContent(p.content, { organization, now, requireFutureDueDates: true }), ...checkPositionSize(p.content)].map((e) => ({
        field: `paymentPositions[${i}].${e.field}`,
        message: e.message,
      })),
    ),
  );
}

/** GPD answers a list with an iupd or IUV twice with 409 (a unique violation of its transaction). */
function refuseDuplicates(positions: readonly BulkPosition[]): void {
  const iupds = positions.map((p) => p.iupd);
  const twiceIupd = [...new Set(iupds.filter((iupd, i) => iupds.indexOf(iupd) !== i))];
  const iuvs = positions.flatMap((p) => p.content.paymentOptions.flatMap((o) => (o.nav ?? o.iuv) !== undefined ? [o.nav?.slice(1) ?? (o.iuv as string)] : []));
  const twiceIuv = [...new Set(iuvs.filter((iuv, i) => iuvs.indexOf(iuv) !== i))];
  if (twiceIupd.length === 0 && twiceIuv.length === 0) return;
  throw new UseCaseError(
    'conflict',
    [twiceIupd.length > 0 ? `iupd listed twice: ${twiceIupd.join(', ')}` : '', twiceIuv.length > 0 ? `IUV used twice: ${twiceIuv.join(', ')}` : '']
      .filter(Boolean)
      .join('; '),
    [
      ...twiceIupd.map((iupd) => ({ field: fieldOf(positions, iupd, true), message: `the iupd ${iupd} is listed twice` })),
      ...twiceIuv.map((iuv) => ({ field: 'paymentPositions', message: `the IUV ${iuv} is used by two payment options of the list` })),
    ],
  );
}

function fieldOf(positions: readonly BulkPosition[], iupd: string, last = false): string {
  const i = last ? positions.map((p) => p.iupd).lastIndexOf(iupd) : positions.findIndex((p) => p.iupd === iupd);
  return `paymentPositions[${i}].iupd`;
}

function conflictText(iupds: readonly string[], iuvs: readonly string[]): string {
  return [
    iupds.length > 0 ? `debt positions exist already: ${iupds.join(', ')}` : '',
    iuvs.length > 0 ? `IUVs already used: ${iuvs.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ')
    .concat('; nothing was written');
}

/** The visible positions of `iupds`; 404 naming every unknown one, 409 naming those another bulk call holds. */
async function currentPositions(store: BulkPositionStore, ofc: string, iupds: readonly string[], positions?: readonly BulkPosition[]): Promise<Map<string, DebtPosition>> {
  const held = await store.held(ofc, iupds);
  const found = new Map(held.filter((h) => h.pending === undefined).map((h) => [h.position.iupd, h]));
  const unknown = iupds.filter((iupd) => !found.has(iupd));
  if (unknown.length > 0) {
    throw new UseCaseError('not-found', `no debt position with iupd ${unknown.join(', ')}; nothing was written`, unknown.map((iupd) => ({
      field: positions ? fieldOf(positions, iupd) : 'paymentPositionIUPDs',
      message: `no debt position with iupd ${iupd}`,
    })));
  }
  const busy = [...found.values()].filter((h) => h.lockedBy !== undefined).map((h) => h.position.iupd);
  if (busy.length > 0) throw new UseCaseError('conflict', `another bulk call is changing ${busy.join(', ')}; retry`);
  return new Map([...found].map(([iupd, h]) => [iupd, h.position]));
}

/** Notice numbers for every option of every position, the missing ones from ONE counter allocation. */
async function noticeNumbers(deps: BulkDeps, organization: Organization, positions: readonly BulkPosition[]): Promise<Array<Array<{ iuv: string; nav: string }>>> {
  const missing = positions.reduce((n, p) => n + p.content.paymentOptions.filter((o) => o.iuv === undefined && o.nav === undefined).length, 0);
  const bases = await deps.positions.allocateIuvBases(organization.fiscalCode, missing);
  let next = 0;
  return positions.map((p) =>
    p.content.paymentOptions.map((o) => {
      if (o.nav !== undefined) return { iuv: o.nav.slice(1), nav: o.nav };
      if (o.iuv !== undefined) return { iuv: o.iuv, nav: `3${o.iuv}` };
      const base = bases[next++];
      if (base === undefined) throw new Error('IUV allocation returned too few bases');
      return makeNoticeNumber(organization.segregationCode, base);
    }),
  );
}

/**
 * Reserves or locks every position; on the first conflict (or failure) releases what was held,
 * ends the record and answers 409 naming the position. Nothing was visible before the decision.
 */
async function prepare(
  deps: BulkDeps,
  record: BulkRecord,
  positions: readonly DebtPosition[],
  hold: (p: DebtPosition, i: number) => Promise<WriteConflict | undefined>,
): Promise<void> {
  await deps.bulk.begin(record);
  const held: string[] = [];
  let refused: { iupd: string; message: string } | undefined;
  let failure: unknown;
  await eachInParallel(positions, async (p, i) => {
    if (refused !== undefined || failure !== undefined) return;
    try {
      const conflict = await hold(p, i);
      if (conflict === undefined) held.push(p.iupd);
      else {
        refused ??= {
          iupd: p.iupd,
          message:
            conflict.conflict === 'iuv'
              ? `the IUV ${conflict.iuv} of ${p.iupd} was taken meanwhile`
              : conflict.conflict === 'iupd'
                ? `a debt position with iupd ${p.iupd} exists already`
                : `the debt position ${p.iupd} was changed by another request; read it again and retry`,
        };
      }
    } catch (error) {
      failure ??= error;
    }
  });
  if (refused === undefined && failure === undefined) return;
  // roll back: best effort here; what is left is released by the repair
  await eachInParallel(held, (iupd) => deps.bulk.release(record.batchId, record.organizationFiscalCode, iupd, record.kind));
  await deps.bulk.end(record);
  if (failure !== undefined) throw failure;
  const r = refused as { iupd: string; message: string };
  throw new UseCaseError('conflict', `${r.message}; nothing was written`, [{ field: 'paymentPositions', message: r.message }]);
}

function splitByPayment(iupds: readonly string[], what: string): UseCaseError {
  return new UseCaseError(
    'conflict',
    `a payment reached ${iupds.join(', ')} while the call ran: ${iupds.length === 1 ? 'it keeps' : 'they keep'} the payment and ${iupds.length === 1 ? 'was' : 'were'} not ${what}; every other position was`,
    iupds.map((iupd) => ({ field: 'paymentPositions', message: `${iupd} was paid meanwhile` })),
  );
}

async function eachInParallel<T>(items: readonly T[], run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(PARALLEL, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) await run(items[i] as T, i);
  });
  await Promise.all(workers);
}
