/**
 * Receipts not reported in time: a paid transfer that no reporting flow reported within
 * `workingDays` working days of its receipt (a PSP reports on D+2 the payments of day D, SANP
 * "rendicontazione e cashflow") is kept as a RECEIPT_NOT_REPORTED anomaly, once; one that a flow
 * reported since is settled. Looks back over the FdR window (one month): older flows cannot be
 * acquired any more anyway.
 */
import { workingDaysBefore } from '../../domain/reporting-flow';
import type { MatchDeps } from './matching';
import type { ReconciliationAnomaly } from './ports';

export async function flagUnreported(deps: MatchDeps, organizationFiscalCode: string, workingDays: number): Promise<{ flagged: number; settled: number }> {
  const now = deps.clock();
  const at = now.toISOString();
  const from = new Date(now.getTime() - 31 * 86_400_000).toISOString();
  const to = workingDaysBefore(now, workingDays).toISOString();
  const overdue: ReconciliationAnomaly[] = [];
  const reported = new Set<string>();
  for await (const t of deps.store.paidTransfers(organizationFiscalCode, { from, to: now.toISOString() })) {
    const ref = `${t.iuv}/${t.receiptId}/${t.idTransfer}`;
    if (t.reportedBy) {
      reported.add(ref);
      continue;
    }
    if (t.recordedAt > to) continue;
    overdue.push({
      organizationFiscalCode,
      kind: 'RECEIPT_NOT_REPORTED',
      ref,
      detail: `paid ${t.recordedAt}, not in any reporting flow after ${workingDays} working day(s)`,
      recordedAt: at,
      iuv: t.iuv,
      iur: t.receiptId,
      amount: t.amount,
    });
  }
  const fresh = await deps.store.recordAnomalies(overdue);
  if (fresh.length > 0) deps.anomaliesKept?.(fresh);
  let settled = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.listAnomalies(organizationFiscalCode, { kind: 'RECEIPT_NOT_REPORTED', open: true, limit: 100, ...(cursor ? { cursor } : {}) });
    for (const a of page?.items ?? []) {
      if (!reported.has(a.ref)) continue;
      await deps.store.resolveAnomaly(organizationFiscalCode, a.kind, a.ref, at);
      settled++;
    }
    cursor = page?.cursor;
  } while (cursor);
  return { flagged: fresh.length, settled };
}
