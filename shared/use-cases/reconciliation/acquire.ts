/**
 * Acquiring a tenant's reporting flows from pagoPA's FdR API for organizations, as GovPay's FdR
 * batch does (link-it/govpay-fdr-batch): list the published flows with `publishedGt` = the newest
 * publication already acquired (page after page), read each flow's header and its payments (page
 * after page), store it, match its lines. The list serves only each flow's latest revision; a
 * revision newer than the stored one supersedes it. A flow acquired already is skipped: running
 * twice stores it once. `publishedGt` never leaves the one-month window the API accepts
 * (pagopa/pagopa-fdr: @PastDateLimit(1 month) on publishedGt).
 */
import { centsToEuros, flowStateOf, headerProblems, type LineState, type ReportingFlowLine } from '../../domain/reporting-flow';
import { flowRef, lineAnomaly, matchLines, matchReceipt, type MatchDeps } from './matching';
import type { FdrApi, FdrKeySource, FlowKey, FlowRef, ReconciliationAnomaly, StoredFlow, TreasuryStore } from './ports';
import { settleMovement } from './treasury';

export interface AcquireDeps extends MatchDeps {
  readonly fdr: FdrApi;
  readonly keyOf: FdrKeySource;
  readonly treasury: TreasuryStore;
  /** FdR page size for lists and payments (the API's maximum for lists: 1000) */
  readonly pageSize?: number;
}

export interface AcquireRun {
  readonly organizationFiscalCode: string;
  readonly skipped?: 'no-key';
  readonly listed: number;
  readonly acquired: number;
  readonly superseded: number;
  readonly lines: number;
  readonly publishedGt?: string;
}

/** The earliest publishedGt the API takes at `now`: one calendar month back, plus an hour of margin. */
export function windowStart(now: Date): Date {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - 1);
  return new Date(d.getTime() + 3_600_000);
}

/** Acquires every flow published since the tenant's watermark. Throws FdrUnavailable when the API fails. */
export async function acquireFlows(deps: AcquireDeps, organizationFiscalCode: string): Promise<AcquireRun> {
  const apiKey = await deps.keyOf(organizationFiscalCode);
  if (apiKey === undefined) return { organizationFiscalCode, skipped: 'no-key', listed: 0, acquired: 0, superseded: 0, lines: 0 };
  const now = deps.clock();
  const state = await deps.store.acquisition(organizationFiscalCode);
  const earliest = windowStart(now).toISOString();
  const publishedGt = state?.watermark !== undefined && state.watermark > earliest ? state.watermark : earliest;
  const size = deps.pageSize ?? 1000;
  let run = { organizationFiscalCode, listed: 0, acquired: 0, superseded: 0, lines: 0, publishedGt };
  try {
    const refs: FlowRef[] = [];
    for (let page = 1, totPage = 1; page <= totPage; page++) {
      const result = await deps.fdr.listFlows(apiKey, organizationFiscalCode, { publishedGt, page, size });
      refs.push(...result.flows);
      totPage = result.totPage;
    }
    run.listed = refs.length;
    // oldest publication first, so the watermark only moves over what is stored
    refs.sort((a, b) => a.published.localeCompare(b.published));
    let watermark = state?.watermark;
    for (const ref of refs) {
      const outcome = await acquireFlow(deps, apiKey, organizationFiscalCode, ref, size);
      if (outcome.acquired) run = { ...run, acquired: run.acquired + 1, lines: run.lines + outcome.lines, superseded: run.superseded + outcome.superseded };
      if (watermark === undefined || ref.published > watermark) watermark = ref.published;
      await deps.store.saveAcquisition(organizationFiscalCode, { ...(watermark ? { watermark } : {}), lastRunAt: now.toISOString(), consecutiveFailures: 0 });
    }
    if (refs.length === 0) {
      await deps.store.saveAcquisition(organizationFiscalCode, { ...(watermark ? { watermark } : {}), lastRunAt: now.toISOString(), consecutiveFailures: 0 });
    }
    return run;
  } catch (error) {
    const latest = await deps.store.acquisition(organizationFiscalCode);
    await deps.store.saveAcquisition(organizationFiscalCode, {
      ...(latest?.watermark ? { watermark: latest.watermark } : {}),
      lastRunAt: now.toISOString(),
      lastError: (error as Error).message.slice(0, 500),
      consecutiveFailures: (latest?.consecutiveFailures ?? 0) + 1,
    });
    throw error;
  }
}

async function acquireFlow(
  deps: AcquireDeps,
  apiKey: string,
  ofc: string,
  ref: FlowRef,
  size: number,
): Promise<{ acquired: boolean; lines: number; superseded: number }> {
  const stored = await deps.store.revisionsOf(ofc, ref.flowId);
  const samePsp = stored.filter((f) => f.pspId === ref.pspId);
  if (samePsp.some((f) => f.revision >= ref.revision)) {
    // acquired already; an acquirer that died between its header and its last step (the watermark
    // not moved, so the flow is listed again) left the credits that named it open: settled now
    if (samePsp.some((f) => f.revision === ref.revision && f.latest)) await settleOpenCredits(deps, ofc, ref.flowId);
    return { acquired: false, lines: 0, superseded: 0 };
  }
  const header = await deps.fdr.getFlow(apiKey, ofc, ref);
  const lines: ReportingFlowLine[] = [];
  for (let page = 1, totPage = 1; page <= totPage; page++) {
    const result = await deps.fdr.getPayments(apiKey, ofc, ref, { page, size });
    lines.push(...result.lines);
    totPage = result.totPage;
  }
  const key: FlowKey = { organizationFiscalCode: ofc, flowId: ref.flowId, pspId: ref.pspId, revision: ref.revision };
  const matched = await matchLines(deps, key, lines);
  const counts: Partial<Record<LineState, number>> = {};
  const sums: Partial<Record<LineState, number>> = {};
  for (const l of matched) {
    counts[l.state] = (counts[l.state] ?? 0) + 1;
    sums[l.state] = (sums[l.state] ?? 0) + l.amount;
  }
  const problems = headerProblems(header, lines);
  const at = deps.clock().toISOString();
  // the treasury's credit of an earlier revision stays with the flow: the new revision takes it
  // over, compared with its own total (the money arrived once, for the flow id)
  const earlier = samePsp.find((f) => f.latest && f.treasury)?.treasury;
  const credit = earlier ? { ...earlier, state: earlier.amount === header.sumPayments ? ('CREDITED' as const) : ('AMOUNT_DIFFERS' as const), at } : undefined;
  const flow: StoredFlow = {
    ...(credit ? { treasury: credit } : {}),
    ...header,
    organizationFiscalCode: ofc,
    acquiredAt: at,
    latest: true,
    state: flowStateOf(counts, problems.length),
    counts,
    sums,
    headerProblems: problems,
  };
  const previous = samePsp.filter((f) => f.latest).map((f) => ({ organizationFiscalCode: ofc, flowId: f.flowId, pspId: f.pspId, revision: f.revision }));
  // the header last: a flow whose header is stored is a flow whose lines are all stored
  const event = deps.newId
    ? ({
        eventId: deps.newId(),
        eventType: 'reportingflow.reconciled',
        occurredAt: at,
        organizationFiscalCode: ofc,
        flowId: key.flowId,
        pspId: key.pspId,
        revision: key.revision,
        status: flow.state,
        totPayments: header.totPayments,
        sumPayments: header.sumPayments,
        matchedPayments: counts.MATCHED ?? 0,
        matchedAmount: sums.MATCHED ?? 0,
      } as const)
    : undefined;
  // the anomalies before the header: a late receipt that settles one finds it recorded
  const anomalies: ReconciliationAnomaly[] = matched.flatMap((l) => lineAnomaly(key, l, at) ?? []);
  if (problems.length > 0) {
    anomalies.push({ organizationFiscalCode: ofc, kind: 'HEADER_MISMATCH', ref: flowRef(key), detail: problems.join('; '), recordedAt: at, flowId: key.flowId, amount: header.sumPayments });
  }
  if (credit?.state === 'AMOUNT_DIFFERS') {
    const detail = `credited ${centsToEuros(credit.amount)} EUR, flow ${key.flowId} revision ${key.revision} totals ${centsToEuros(header.sumPayments)} EUR`;
    anomalies.push({ organizationFiscalCode: ofc, kind: 'TREASURY_AMOUNT_MISMATCH', ref: credit.movementId, detail, recordedAt: at, movementId: credit.movementId, amount: credit.amount, flowId: key.flowId });
  }
  const fresh = await deps.store.recordAnomalies(anomalies);
  if (fresh.length > 0) deps.anomaliesKept?.(fresh);
  // another acquirer of this revision (two syncs at once) stored it first, and did what follows
  if (!(await deps.store.putFlow(flow, previous, event))) return { acquired: false, lines: 0, superseded: 0 };
  if (credit?.state === 'CREDITED' && earlier?.state !== 'CREDITED') await deps.store.resolveAnomaly(ofc, 'TREASURY_AMOUNT_MISMATCH', credit.movementId, at);
  // the movement's own record follows: it credits this revision now, as it compares
  if (credit) {
    const movement = await deps.treasury.movement(ofc, credit.movementId);
    if (movement && movement.state !== 'REVERSED') {
      const detail = credit.state === 'CREDITED' ? `flow ${key.flowId} revision ${key.revision}` : `credited ${centsToEuros(credit.amount)} EUR, flow ${key.flowId} revision ${key.revision} totals ${centsToEuros(header.sumPayments)} EUR`;
      await deps.treasury.updateMovement({ ...movement, state: credit.state, detail });
    }
  }
  // a receipt applied while this flow was being matched found neither its line's claim nor the
  // header (matchReceipt skipped it): now that both are stored, the lines still waiting look again
  const waiting = matched.filter((l) => l.state === 'NO_RECEIPT');
  if (waiting.length > 0) {
    const sides = await deps.store.receiptSides(ofc, waiting);
    const arrived = new Set(waiting.filter((l) => sides.get(`${l.iuv}#${l.iur}`)?.receipt).map((l) => `${l.iuv}#${l.iur}`));
    for (const side of arrived) {
      const [iuv, receiptId] = side.split('#') as [string, string];
      await matchReceipt(deps, { organizationFiscalCode: ofc, iuv, receiptId });
    }
  }
  await settleOpenCredits(deps, ofc, ref.flowId);
  return { acquired: true, lines: lines.length, superseded: previous.length };
}

/** The treasury credits that named this flow before it was known (open), compared with it now. */
async function settleOpenCredits(deps: AcquireDeps, ofc: string, flowId: string): Promise<void> {
  for (const movement of await deps.treasury.openMovementsFor(ofc, flowId)) await settleMovement(deps, movement);
}
