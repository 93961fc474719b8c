/**
 * Treasury statements (estratti conto / giornale di cassa): each credit on the treasury account is
 * matched to the reporting flow its remittance text names (`/PUR/LGPE-RIVERSAMENTO/URI/<flow id>`,
 * SACI Allegato A §6), and its amount compared with the flow's total to the cent (SACI §8: the
 * flow's importoTotalePagamenti must equal the credit's amount, AT-04). A credit that names no flow,
 * or a flow the layer does not know yet, is kept OPEN; a flow acquired later settles it.
 *
 * A statement is taken whole or not at all: every entry is checked before the first is written
 * (bad input changes nothing). A movement imported before (same movementId) is a duplicate.
 */
import { centsToEuros, flowIdFromRemittance } from '../../domain/reporting-flow';
import { UseCaseError } from '../errors';
import type { MatchDeps } from './matching';
import type { ReconciliationAnomaly, StoredFlow, TreasuryMovement, TreasuryStore } from './ports';

export interface TreasuryDeps extends MatchDeps {
  readonly treasury: TreasuryStore;
}

/** A credit as a statement gives it (before the layer decides its state). */
export interface StatementEntry {
  readonly movementId: string;
  readonly bookingDate: string;
  readonly valueDate: string;
  /** cents, > 0 (credits only) */
  readonly amount: number;
  readonly remittanceInformation: string;
  readonly endToEndId?: string;
  /**
   * The treasurer took this movement back (OPI tipo_operazione STORNATO, the same bolletta as the
   * credit): the movement becomes REVERSED and credits no flow any more.
   */
  readonly reversal?: true;
}

export interface ImportResult {
  readonly imported: number;
  /** reversals applied now (a reversal imported before is a duplicate) */
  readonly reversed: number;
  readonly duplicates: number;
  readonly movements: TreasuryMovement[];
}

export async function importStatement(
  deps: TreasuryDeps,
  organizationFiscalCode: string,
  source: TreasuryMovement['source'],
  entries: readonly StatementEntry[],
): Promise<ImportResult> {
  if (entries.length === 0) throw new UseCaseError('invalid', 'the statement has no credit entries', [{ field: 'content', message: 'no credit movement to import' }]);
  const problems = entryProblems(entries);
  if (problems.length > 0) throw new UseCaseError('invalid', 'the statement has invalid entries', problems);
  const at = deps.clock().toISOString();
  let imported = 0;
  let reversed = 0;
  let duplicates = 0;
  const movements: TreasuryMovement[] = [];
  for (const entry of entries) {
    if (entry.reversal) {
      const after = await reverseMovement(deps, organizationFiscalCode, source, entry, at);
      if (after) {
        reversed++;
        movements.push(after);
      } else duplicates++;
      continue;
    }
    const flowId = flowIdFromRemittance(entry.remittanceInformation);
    const movement: TreasuryMovement = {
      organizationFiscalCode,
      ...entry,
      ...(flowId ? { flowId } : {}),
      state: 'OPEN',
      importedAt: at,
      source,
    };
    if (!(await deps.treasury.putMovement(movement))) {
      duplicates++;
      continue;
    }
    imported++;
    movements.push(await settleMovement(deps, movement));
  }
  return { imported, reversed, duplicates, movements };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What no statement may hold, whatever its format (the parsers name the lines; this guards the use case's own rules). */
function entryProblems(entries: readonly StatementEntry[]): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    if (!Number.isSafeInteger(e.amount) || e.amount <= 0) problems.push({ field: `entries.${i}.amount`, message: 'must be a positive amount in cents' });
    if (!DAY.test(e.bookingDate)) problems.push({ field: `entries.${i}.bookingDate`, message: 'must be a date yyyy-MM-dd' });
    if (!DAY.test(e.valueDate)) problems.push({ field: `entries.${i}.valueDate`, message: 'must be a date yyyy-MM-dd' });
    // a movement once as a credit, and at most once more as its reversal
    const id = `${e.reversal ? 'reversal of ' : ''}${e.movementId}`;
    const first = seen.get(id);
    if (first !== undefined) problems.push({ field: `entries.${i}.movementId`, message: `repeats entry ${first}'s ${id}` });
    else seen.set(id, i);
  });
  return problems;
}

/** Decides a movement's state against the flow it names (when known) and records what it means. */
export async function settleMovement(deps: TreasuryDeps, movement: TreasuryMovement): Promise<TreasuryMovement> {
  const at = deps.clock().toISOString();
  const ofc = movement.organizationFiscalCode;
  let flow: StoredFlow | undefined;
  if (movement.flowId !== undefined) {
    const revisions = await deps.store.revisionsOf(ofc, movement.flowId);
    flow = revisions.filter((f) => f.latest).sort((a, b) => b.revision - a.revision)[0];
  }
  let next: TreasuryMovement;
  const anomalies: ReconciliationAnomaly[] = [];
  if (!flow) {
    const detail = movement.flowId ? `the credit names flow ${movement.flowId}, not acquired (yet)` : 'the remittance text names no reporting flow';
    next = { ...movement, state: 'OPEN', detail };
    anomalies.push({ organizationFiscalCode: ofc, kind: 'TREASURY_UNKNOWN_FLOW', ref: movement.movementId, detail, recordedAt: at, movementId: movement.movementId, amount: movement.amount, ...(movement.flowId ? { flowId: movement.flowId } : {}) });
  } else if (flow.sumPayments === movement.amount) {
    next = { ...movement, state: 'CREDITED', detail: `flow ${flow.flowId} revision ${flow.revision}` };
    await deps.store.resolveAnomaly(ofc, 'TREASURY_UNKNOWN_FLOW', movement.movementId, at);
  } else {
    const detail = `credited ${centsToEuros(movement.amount)} EUR, flow ${flow.flowId} totals ${centsToEuros(flow.sumPayments)} EUR`;
    next = { ...movement, state: 'AMOUNT_DIFFERS', detail };
    await deps.store.resolveAnomaly(ofc, 'TREASURY_UNKNOWN_FLOW', movement.movementId, at);
    anomalies.push({ organizationFiscalCode: ofc, kind: 'TREASURY_AMOUNT_MISMATCH', ref: movement.movementId, detail, recordedAt: at, movementId: movement.movementId, amount: movement.amount, flowId: flow.flowId });
  }
  if (flow && next.state !== 'OPEN') {
    await deps.treasury.creditFlow(
      { organizationFiscalCode: ofc, flowId: flow.flowId, pspId: flow.pspId, revision: flow.revision },
      { movementId: movement.movementId, amount: movement.amount, state: next.state === 'CREDITED' ? 'CREDITED' : 'AMOUNT_DIFFERS', at },
    );
  }
  await deps.treasury.updateMovement(next);
  const fresh = await deps.store.recordAnomalies(anomalies);
  if (fresh.length > 0) deps.anomaliesKept?.(fresh);
  return next;
}

/**
 * A credit taken back: the movement becomes REVERSED (recorded as such even when its credit was
 * never imported, so a late import of that credit is a duplicate, not money), the flow it credited
 * is credited no more, and the anomalies it raised are settled (the money is not there to match).
 * Undefined when the reversal was imported before.
 */
async function reverseMovement(deps: TreasuryDeps, ofc: string, source: TreasuryMovement['source'], entry: StatementEntry, at: string): Promise<TreasuryMovement | undefined> {
  const { reversal: _reversal, ...fields } = entry;
  let before = await deps.treasury.movement(ofc, entry.movementId);
  if (!before) {
    const flowId = flowIdFromRemittance(entry.remittanceInformation);
    const unseen: TreasuryMovement = { organizationFiscalCode: ofc, ...fields, ...(flowId ? { flowId } : {}), state: 'REVERSED', importedAt: at, source };
    if (await deps.treasury.putMovement(unseen)) before = unseen;
    else before = await deps.treasury.movement(ofc, entry.movementId);
    if (!before) return undefined;
  } else if (before.state === 'REVERSED') return undefined;
  const after: TreasuryMovement = { ...before, state: 'REVERSED', reversedAt: at, detail: `reversed by the treasurer on ${entry.bookingDate}${before.state === 'REVERSED' ? '' : ` (was ${before.state})`}` };
  if (before.flowId !== undefined) {
    for (const flow of await deps.store.revisionsOf(ofc, before.flowId)) {
      if (flow.treasury?.movementId === before.movementId) await deps.treasury.uncreditFlow({ organizationFiscalCode: ofc, flowId: flow.flowId, pspId: flow.pspId, revision: flow.revision }, before.movementId);
    }
  }
  await deps.treasury.updateMovement(after);
  await deps.store.resolveAnomaly(ofc, 'TREASURY_UNKNOWN_FLOW', before.movementId, at);
  await deps.store.resolveAnomaly(ofc, 'TREASURY_AMOUNT_MISMATCH', before.movementId, at);
  return after;
}
