/**
 * Matching the lines of a reporting flow to the receipt transfers they report, and reporting
 * those transfers on their positions (GPD's T_REPORTED / PO_REPORTED / REPORTED rules,
 * shared/domain/reporting-flow.ts). Idempotent: a transfer reported already is left as it is,
 * a line written again is the same line. Order-independent: a line whose receipt is not there
 * yet leaves a claim, and `matchReceipt` (run when the receipt is applied) finishes it.
 */
import type { PaymentReportedEvent } from '../../../events/reporting-flow';
import type { DebtPosition, TransferReporting } from '../../domain/debt-position';
import { matchLine, reportTransfers, type LineState, type ReportingFlowLine } from '../../domain/reporting-flow';
import type { AuditEntry } from '../ports';
import { reportRequestId, type FlowKey, type LineReport, type PositionReport, type ReconciliationAnomaly, type ReportingFlowStore, type StoredLine } from './ports';

export interface MatchDeps {
  readonly store: ReportingFlowStore;
  readonly clock: () => Date;
  /** anomalies stored now for the first time (log, metric, alarm) */
  readonly anomaliesKept?: (anomalies: readonly ReconciliationAnomaly[]) => void;
  /** positions reported side by side (default 16) */
  readonly concurrency?: number;
  /** event ids; without it no domain events are written (benchmarks, tests of the rules) */
  readonly newId?: () => string;
}

const sideKey = (l: Pick<ReportingFlowLine, 'iuv' | 'iur'>) => `${l.iuv}#${l.iur}`;
const transferKey = (l: Pick<ReportingFlowLine, 'iuv' | 'iur' | 'idTransfer'>) => `${l.iuv}#${l.iur}#${l.idTransfer}`;

/** Matches `lines` of the flow `key` and stores every line with its state; returns them. */
export async function matchLines(deps: MatchDeps, key: FlowKey, lines: readonly ReportingFlowLine[], fromClaims = false): Promise<StoredLine[]> {
  const ofc = key.organizationFiscalCode;
  const sides = await deps.store.receiptSides(ofc, lines);
  const seen = new Set<string>();
  const stored: StoredLine[] = lines.map((line) => {
    const k = transferKey(line);
    if (seen.has(k)) return { ...line, state: 'DUPLICATE_LINE' as const, detail: `IUV ${line.iuv}, IUR ${line.iur}, transfer ${line.idTransfer} is reported twice in the flow` };
    seen.add(k);
    return { ...line, ...matchLine(line, sides.get(sideKey(line)) ?? { iuvKnown: false }) };
  });
  const matched = stored.filter((l) => l.state === 'MATCHED');
  await reportMatched(deps, key, matched, (l) => sides.get(sideKey(l))?.receipt?.recordedAt ?? '');
  await deps.store.putLines(key, stored.filter((l) => l.state !== 'MATCHED'), fromClaims);
  return stored;
}

/** Positions reported in one store call (one transaction when they fit in one). */
const POSITIONS_PER_REPORT = 96;

/**
 * Reports the MATCHED lines on their positions, POSITIONS_PER_REPORT positions a store call; a
 * position whose version moved meanwhile is read again and its report recomputed.
 */
async function reportMatched(
  deps: MatchDeps,
  key: FlowKey,
  matched: readonly StoredLine[],
  recordedAtOf: (line: StoredLine) => string,
): Promise<void> {
  if (matched.length === 0) return;
  const ofc = key.organizationFiscalCode;
  const byPosition = new Map<string, StoredLine[]>();
  for (const l of matched) {
    const list = byPosition.get(l.iupd!) ?? [];
    list.push(l);
    byPosition.set(l.iupd!, list);
  }
  const positions = await deps.store.positions(ofc, [...byPosition.keys()]);
  const reportingDate = deps.clock().toISOString();
  const reporting: TransferReporting = { idFlowReporting: key.flowId, pspId: key.pspId, revision: key.revision, reportingDate };
  const groups = [...byPosition.entries()];
  const batches: Array<Array<[string, StoredLine[]]>> = [];
  for (let i = 0; i < groups.length; i += POSITIONS_PER_REPORT) batches.push(groups.slice(i, i + POSITIONS_PER_REPORT));
  const reports: LineReport[] = [];
  const reportedBefore: string[] = []; // by this very flow, in a run that may have stopped before its audit lines
  const reported = (lines: readonly StoredLine[]) => {
    for (const line of lines) reports.push({ line, iuv: line.iuv, receiptId: line.iur, idTransfer: line.idTransfer, amount: line.amount, receiptRecordedAt: recordedAtOf(line) });
  };
  let next = 0;
  const runners = Array.from({ length: Math.min(deps.concurrency ?? 16, batches.length) }, async () => {
    while (next < batches.length) {
      let pending = batches[next++]!;
      for (let attempt = 1; pending.length > 0; attempt++) {
        const writes: PositionReport[] = [];
        const linesOf = new Map<string, StoredLine[]>();
        for (const [iupd, lines] of pending) {
          const write = reportOf(deps, key, reporting, positions.get(iupd), lines);
          if (write) {
            writes.push(write);
            linesOf.set(iupd, lines);
          } else {
            reported(lines); // nothing to change (reported already, or no position)
            const position = positions.get(iupd);
            if (position && reportedByFlow(position, lines, key)) reportedBefore.push(iupd);
          }
        }
        const notWritten = writes.length > 0 ? await deps.store.report(key, writes) : new Map<string, 'conflict' | 'retry'>();
        for (const [iupd, lines] of linesOf) if (!notWritten.has(iupd)) reported(lines);
        if (notWritten.size === 0) break;
        if (attempt >= 8) throw new Error(`positions ${[...notWritten.keys()].slice(0, 3).join(', ')} kept changing while flow ${key.flowId} was reported`);
        for (const [iupd, why] of notWritten) {
          if (why === 'conflict') {
            const fresh = await deps.store.position(ofc, iupd);
            if (fresh) positions.set(iupd, fresh);
            else positions.delete(iupd);
          }
        }
        pending = pending.filter(([iupd]) => notWritten.has(iupd));
      }
    }
  });
  await Promise.all(runners);
  if (reportedBefore.length > 0) await deps.store.restoreReportAudits(key, reportedBefore);
  // the lines and the reported markers, after their positions: batched
  await deps.store.reportLines(key, reports);
}

/** Whether one of the transfers of `lines` on `position` is reported by the flow `key` itself (this revision). */
function reportedByFlow(position: DebtPosition, lines: readonly StoredLine[], key: FlowKey): boolean {
  return lines.some((l) =>
    position.paymentOptions
      .find((o) => o.nav === l.nav)
      ?.transfers.some((t) => Number(t.idTransfer) === l.idTransfer && t.reporting?.idFlowReporting === key.flowId && t.reporting.pspId === key.pspId && t.reporting.revision === key.revision),
  );
}

/** The write that reports `lines` on `position`: one version more, however many options it reports; undefined when nothing changes. */
function reportOf(deps: MatchDeps, key: FlowKey, reporting: TransferReporting, position: DebtPosition | undefined, lines: readonly StoredLine[]): PositionReport | undefined {
  if (!position) return undefined;
  let updated: DebtPosition | undefined = position;
  const navs = new Map<string, number[]>();
  for (const l of lines) navs.set(l.nav!, [...(navs.get(l.nav!) ?? []), l.idTransfer]);
  for (const [nav, ids] of navs) updated = (updated && reportTransfers(updated, nav, ids, reporting)) ?? updated;
  if (!updated || updated === position) return undefined;
  updated = { ...updated, version: position.version + 1 };
  const ofc = key.organizationFiscalCode;
  const event: PaymentReportedEvent | undefined = deps.newId
    ? {
        eventId: deps.newId(),
        eventType: 'payment.reported',
        occurredAt: reporting.reportingDate,
        organizationFiscalCode: ofc,
        iupd: position.iupd,
        navs: [...new Set(lines.map((l) => l.nav!))],
        flowId: key.flowId,
        pspId: key.pspId,
        revision: key.revision,
        status: updated.status,
        version: updated.version,
      }
    : undefined;
  // audited like every change of a position, with it (in its transaction's audit batch)
  const audit: AuditEntry = {
    at: reporting.reportingDate,
    action: 'report',
    actor: { organizationFiscalCode: ofc, keyId: 'system:reconciliation', requestId: reportRequestId(key) },
    version: updated.version,
    fromStatus: position.status,
    toStatus: updated.status,
  };
  return { position: updated, expectedVersion: position.version, audit, ...(event ? { event } : {}) };
}

/** The anomalies a line in `state` stands for (none for MATCHED, REVOKED, DUPLICATE_LINE). */
export function lineAnomaly(key: FlowKey, line: StoredLine, at: string): ReconciliationAnomaly | undefined {
  const kind = (
    {
      NO_RECEIPT: 'LINE_WITHOUT_RECEIPT',
      AMOUNT_MISMATCH: 'AMOUNT_MISMATCH',
      OTHER_INTERMEDIARY: 'OTHER_INTERMEDIARY',
    } as Partial<Record<LineState, ReconciliationAnomaly['kind']>>
  )[line.state];
  if (!kind) return undefined;
  return {
    organizationFiscalCode: key.organizationFiscalCode,
    kind,
    ref: lineRef(key, line.index),
    detail: line.detail ?? line.state,
    recordedAt: at,
    flowId: key.flowId,
    iuv: line.iuv,
    iur: line.iur,
    amount: line.amount,
  };
}

export const flowRef = (key: FlowKey): string => `${key.flowId}/${key.pspId}/${key.revision}`;
export const lineRef = (key: FlowKey, index: number): string => `${flowRef(key)}/${index}`;

/**
 * A receipt was applied (payment.received): the flow lines that were waiting for it are matched
 * now. Returns how many lines changed.
 */
export async function matchReceipt(deps: MatchDeps, receipt: { organizationFiscalCode: string; iuv: string; receiptId: string }): Promise<number> {
  const { store } = deps;
  const claims = await store.claimsOf(receipt.organizationFiscalCode, receipt.iuv, receipt.receiptId);
  let changed = 0;
  const now = deps.clock().toISOString();
  for (const claim of claims) {
    const flow = await store.getFlow(claim.key);
    const before = await store.line(claim.key, claim.index);
    if (!flow || !before || before.state !== 'NO_RECEIPT') continue;
    const line: ReportingFlowLine = { index: before.index, iuv: before.iuv, iur: before.iur, idTransfer: before.idTransfer, amount: before.amount, payStatus: before.payStatus, payDate: before.payDate };
    // a superseded revision's claim is left: the latest revision has its own
    if (!flow.latest) continue;
    const [after] = await matchLines(deps, claim.key, [line], true);
    if (!after || after.state === 'NO_RECEIPT') continue;
    // the claim is taken once: a second matcher of the same line (the acquirer looking again) moves nothing
    if (!(await store.moveLine(claim.key, after, after.state))) continue;
    changed++;
    await store.resolveAnomaly(claim.key.organizationFiscalCode, 'LINE_WITHOUT_RECEIPT', lineRef(claim.key, line.index), now);
    const anomaly = lineAnomaly(claim.key, after, now);
    if (anomaly) {
      const fresh = await store.recordAnomalies([anomaly]);
      if (fresh.length > 0) deps.anomaliesKept?.(fresh);
    }
  }
  return changed;
}
