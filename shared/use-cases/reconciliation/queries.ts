/**
 * What the back office (and the ragioneria) reads: the reporting flows, one flow with its lines
 * and their match state, the treasury movements, the anomalies, and the reconciliation summary —
 * every paid transfer of a window, whether a flow reported it, whether the treasury credited
 * that flow: counts and sums (cents) per state.
 */
import { UseCaseError } from '../errors';
import type { FlowKey, FlowState, MovementState, Page, ReconciliationAnomaly, ReconciliationAnomalyKind, ReportingFlowStore, StoredFlow, StoredLine, TreasuryMovement, TreasuryStore } from './ports';

export interface QueryDeps {
  readonly store: ReportingFlowStore;
  readonly treasury: TreasuryStore;
}

const badCursor = (): never => {
  throw new UseCaseError('invalid', 'the cursor is not one this list handed out', [{ field: 'cursor', message: 'must be the cursor of the previous page' }]);
};

export async function listFlows(deps: QueryDeps, ofc: string, query: { from?: string; to?: string; state?: FlowState; limit: number; cursor?: string }): Promise<Page<StoredFlow>> {
  return (await deps.store.listFlows(ofc, query)) ?? badCursor();
}

export async function flowDetail(deps: QueryDeps, ofc: string, flowId: string, pspId?: string): Promise<{ flow: StoredFlow; revisions: number[]; lines: StoredLine[] }> {
  const revisions = (await deps.store.revisionsOf(ofc, flowId)).filter((f) => pspId === undefined || f.pspId === pspId);
  const flow = revisions.filter((f) => f.latest).sort((a, b) => b.revision - a.revision)[0];
  if (!flow) throw new UseCaseError('not-found', `no reporting flow ${flowId}`);
  const key: FlowKey = { organizationFiscalCode: ofc, flowId, pspId: flow.pspId, revision: flow.revision };
  const lines = (await deps.store.linesOf(key)).sort((a, b) => a.index - b.index);
  return { flow, revisions: revisions.filter((f) => f.pspId === flow.pspId).map((f) => f.revision).sort((a, b) => a - b), lines };
}

export async function listMovements(deps: QueryDeps, ofc: string, query: { from?: string; to?: string; state?: MovementState; limit: number; cursor?: string }): Promise<Page<TreasuryMovement>> {
  return (await deps.treasury.listMovements(ofc, query)) ?? badCursor();
}

export async function listAnomalies(deps: QueryDeps, ofc: string, query: { kind?: ReconciliationAnomalyKind; open?: boolean; limit: number; cursor?: string }): Promise<Page<ReconciliationAnomaly>> {
  return (await deps.store.listAnomalies(ofc, query)) ?? badCursor();
}

export interface Tally {
  count: number;
  amount: number;
}

export interface ReconciliationSummary {
  readonly from?: string;
  readonly to?: string;
  /** receipt transfers applied in the window */
  readonly paid: Tally;
  /** … of which a reporting flow reported */
  readonly reported: Tally;
  /** … of which the flow was credited on the treasury account, to the cent */
  readonly credited: Tally;
  /** paid, not reported yet */
  readonly open: Tally;
  /** reported, the flow not credited (yet, or with a different amount) */
  readonly notCredited: Tally;
}

export async function reconciliationSummary(deps: QueryDeps, ofc: string, window: { from?: string; to?: string }): Promise<ReconciliationSummary> {
  const paid: Tally = { count: 0, amount: 0 };
  const reported: Tally = { count: 0, amount: 0 };
  const credited: Tally = { count: 0, amount: 0 };
  const reportedBy = new Map<string, { key: FlowKey; tally: Tally }>();
  for await (const t of deps.store.paidTransfers(ofc, window)) {
    paid.count++;
    paid.amount += t.amount;
    if (!t.reportedBy) continue;
    reported.count++;
    reported.amount += t.amount;
    const k = `${t.reportedBy.flowId}#${t.reportedBy.pspId}#${t.reportedBy.revision}`;
    const entry = reportedBy.get(k) ?? { key: t.reportedBy, tally: { count: 0, amount: 0 } };
    entry.tally.count++;
    entry.tally.amount += t.amount;
    reportedBy.set(k, entry);
  }
  for (const { key, tally } of reportedBy.values()) {
    const flow = await deps.store.getFlow(key);
    if (flow?.treasury?.state === 'CREDITED') {
      credited.count += tally.count;
      credited.amount += tally.amount;
    }
  }
  return {
    ...window,
    paid,
    reported,
    credited,
    open: { count: paid.count - reported.count, amount: paid.amount - reported.amount },
    notCredited: { count: reported.count - credited.count, amount: reported.amount - credited.amount },
  };
}

export type TransferState = 'CREDITED' | 'REPORTED' | 'OPEN';

/** One line of the ragioneria's export: the transfers of one accounting key in one state. */
export interface AccountingRow {
  /** the taxonomy code (dati specifici di riscossione) of the transfers */
  readonly category: string;
  /** their metadata (`key=value|…`), the creditor's own accounting keys (capitolo, accertamento…) */
  readonly metadata: string;
  readonly state: TransferState;
  readonly count: number;
  /** cents */
  readonly amount: number;
}

/** The receipt transfers of a window grouped by accounting key (taxonomy + metadata) and state. */
export async function accountingRows(deps: QueryDeps, ofc: string, window: { from?: string; to?: string }): Promise<AccountingRow[]> {
  const credited = new Map<string, boolean>();
  const groups = new Map<string, { category: string; metadata: string; state: TransferState; count: number; amount: number }>();
  for await (const t of deps.store.paidTransfers(ofc, window)) {
    let state: TransferState = 'OPEN';
    if (t.reportedBy) {
      const k = `${t.reportedBy.flowId}#${t.reportedBy.pspId}#${t.reportedBy.revision}`;
      if (!credited.has(k)) credited.set(k, (await deps.store.getFlow(t.reportedBy))?.treasury?.state === 'CREDITED');
      state = credited.get(k) ? 'CREDITED' : 'REPORTED';
    }
    const key = `${t.category}\u0000${t.metadata}\u0000${state}`;
    const g = groups.get(key) ?? { category: t.category, metadata: t.metadata, state, count: 0, amount: 0 };
    g.count++;
    g.amount += t.amount;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.category.localeCompare(b.category) || a.metadata.localeCompare(b.metadata) || a.state.localeCompare(b.state));
}
