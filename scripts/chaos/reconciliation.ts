/**
 * The reconciliation phase of the chaos run (after the payments, the drain and the payment
 * invariants): the FdR simulator publishes the day's reporting flows of both tenants, one flow per
 * group of receipts, with faults chosen by the seeded PRNG (clean flows, a payment left out, an
 * extra payment of another intermediary, an amount off by a cent, a revoked line, a header that
 * does not add up); new revisions of flows (one the layer never sees the first revision of, one
 * superseding a synced revision, one jumping from revision 1 to 3, one fixing a header); a late
 * flow published BEFORE its receipts were even delivered (then delivered while the workers are
 * dead, on the queue); flows closed and a sync requested while the workers are dead; a treasury
 * credit imported before its flow was acquired; syncs through POST …/reportingflows/sync (one
 * tenant's twice at once); the workers killed twice; the overdue scan (reporting-flow-scheduler,
 * RECONCILIATION_NOT_REPORTED_WORKING_DAYS=0); then one treasury statement per tenant (CSV or
 * camt.053) crediting every flow, one credit off by a cent and one naming an unknown flow.
 *
 * The expectations are derived from what the simulator published (its flows, as returned) and what
 * the layer was asked to acquire when (the latest revision of every flow at each sync), never from
 * what the layer answers; then every invariant is checked against the table and the API.
 */
import { readFileSync } from 'node:fs';
import { GetQueueAttributesCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalLayer } from '../../infra/local/layer';
import type { CloseFaults, SimFlow, SimReceipt } from '../../infra/local/simulators/fdr/simulator';
import { buildNodeRequest, parseStationResponse, soapActionFor, type PaymentData, type Receipt } from '../../shared/http/pagopa-soap';
import { payNotice, receiptFor } from '../pay';
import type { Prng } from './prng';
import type { CreatedPosition } from './run';
import { Invariant, scanItems, type InvariantResult } from './verify';
import type { Tenant } from './workload';

export const FAULT_KINDS = ['omitPayments', 'extraPayment', 'amountOffCents', 'revokeFirst', 'headerMismatch'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ReconciliationInput {
  readonly layer: LocalLayer;
  readonly sqs: SQSClient;
  readonly tenants: readonly Tenant[];
  readonly created: readonly CreatedPosition[];
  readonly prng: Prng;
  /** stops the workers, runs `whileDead`, restarts them after the run's pause, records the kill */
  readonly killWorkers: (phase: string, whileDead: () => Promise<void>) => Promise<void>;
  readonly drainTimeoutMs: number;
  readonly log: (line: string) => void;
}

export interface ReconciliationOutcome {
  readonly invariants: InvariantResult[];
  readonly counts: Record<string, number>;
  readonly seconds: Record<string, number>;
}

/** A receipt transfer the run paid (one transfer per option in the chaos positions). */
interface Paid {
  readonly tenant: Tenant;
  readonly iupd: string;
  readonly nav: string;
  readonly iuv: string;
  readonly receiptId: string;
  readonly idTransfer: number;
  readonly amount: number;
  /** paid during this phase, its flow published before its receipt was delivered */
  readonly late: boolean;
}

interface FlowPlan {
  readonly tenant: Tenant;
  readonly receipts: Paid[];
  readonly faults: CloseFaults;
  readonly kinds: FaultKind[];
  stage: 'first' | 'tail' | 'late';
  /** revisions: 'before-sync' (the layer sees revision 2 only), 'after-sync' (2 supersedes 1), 'jump' (2 and 3 published together), 'fix-header' */
  revise?: 'before-sync' | 'after-sync' | 'jump' | 'fix-header';
  earlyCredit?: boolean;
  /** revisions as published, oldest first */
  published: SimFlow[];
  /** the revisions the layer was asked to acquire (the latest at each sync) */
  acquired: Set<number>;
}

type LineExpect = 'MATCHED' | 'AMOUNT_MISMATCH' | 'REVOKED' | 'OTHER_INTERMEDIARY';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const receiptKey = (iuv: string, receiptId: string) => `${iuv}#${receiptId}`;

export async function runReconciliation(input: ReconciliationInput): Promise<ReconciliationOutcome> {
  const { layer, prng, tenants } = input;
  // the tenants with an FdR subscription key: the others' flows cannot be acquired (their receipts stay open)
  const org = seedOrgs(layer.seedFile);
  const fdrTenants = tenants.filter((t) => org.get(t.fiscalCode)?.fdr?.apiKey);
  const { cloud } = layer;
  const sim = layer.fdr.sim;
  const seconds: Record<string, number> = {};
  const t0 = performance.now();
  const today = new Date().toISOString().slice(0, 10);
  const problems: string[] = [];
  const drain = () => cloud.drain({ timeoutMs: input.drainTimeoutMs });

  const api = async (tenant: Tenant, method: string, path: string, body?: unknown) => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${cloud.url}${path}`, {
        method,
        headers: { 'Ocp-Apim-Subscription-Key': tenant.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      // the sync and the statement import are throttled (1 a second, burst 2): wait and retry
      if ((response.status === 429 || response.status === 503) && attempt < 20) {
        await sleep(600);
        continue;
      }
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json, text };
    }
  };
  const requestSync = async (tenant: Tenant) => {
    const r = await api(tenant, 'POST', `/organizations/${tenant.fiscalCode}/reportingflows/sync`);
    if (r.status !== 202) problems.push(`sync ${tenant.fiscalCode}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  };

  // ---- what the run paid ----
  const paid: Paid[] = [];
  for (const c of input.created) {
    c.plan.options.forEach((o, k) => {
      if (o.pay) paid.push({ tenant: c.plan.tenant, iupd: c.plan.iupd, nav: c.navs[k]!, iuv: c.iuvs[k]!, receiptId: o.receiptId, idTransfer: 1, amount: o.amount, late: false });
    });
  }
  // late payments: single-option positions the run left unpaid (no KO either), paid in this phase
  const lateCandidates = input.created.filter((c) => c.plan.options.length === 1 && !c.plan.options[0]!.pay && !c.plan.options[0]!.ko);

  // ---- the plan of the flows, per tenant ----
  const flows: FlowPlan[] = [];
  for (const tenant of fdrTenants) {
    const mine = prng.shuffle(paid.filter((p) => p.tenant.fiscalCode === tenant.fiscalCode));
    if (mine.length === 0) continue;
    const count = Math.max(1, Math.min(Math.floor(mine.length / 2), Math.max(8, Math.min(16, Math.floor(mine.length / 6)))));
    // every fault kind once per tenant (when there are flows enough), the rest clean
    const kindsOf: FaultKind[][] = prng.shuffle(Array.from({ length: count }, (_, i) => (i < FAULT_KINDS.length && count >= FAULT_KINDS.length + 2 ? [FAULT_KINDS[i]!] : [])));
    const sizes = Array.from({ length: count }, () => 1);
    for (let left = mine.length - count; left > 0; left--) sizes[prng.int(0, count - 1)]!++;
    let at = 0;
    const tenantFlows: FlowPlan[] = [];
    kindsOf.forEach((kinds, i) => {
      const receipts = mine.slice(at, at + sizes[i]!);
      at += sizes[i]!;
      let k = [...kinds];
      // a second fault now and then (never two on the first line)
      if (k.length === 1 && prng.chance(0.3)) {
        const second: FaultKind = prng.pick(['extraPayment', 'headerMismatch'] as const);
        if (!k.includes(second)) k.push(second);
      }
      if (k.includes('omitPayments') && receipts.length < 2) k = k.filter((x) => x !== 'omitPayments');
      const faults: CloseFaults = {
        ...(k.includes('omitPayments') ? { omitPayments: receipts.length >= 4 && prng.chance(0.5) ? 2 : 1 } : {}),
        ...(k.includes('extraPayment') ? { extraPayment: true } : {}),
        ...(k.includes('amountOffCents') ? { amountOffCents: prng.pick([1, -1]) } : {}),
        ...(k.includes('revokeFirst') ? { revokeFirst: true } : {}),
        ...(k.includes('headerMismatch') ? { headerMismatch: true } : {}),
      };
      tenantFlows.push({ tenant, receipts, faults, kinds: k, stage: 'first', published: [], acquired: new Set() });
    });
    // two flows closed late (while the workers are dead); the first of them credited before it is acquired
    const tails = tenantFlows.filter((f) => f.kinds.length === 0).slice(0, 2);
    tails.forEach((f, i) => {
      f.stage = 'tail';
      if (i === 0 && tenant === fdrTenants[0]) f.earlyCredit = true;
    });
    // revisions of clean flows closed first, and the header fixed in a revision
    const cleanFirst = prng.shuffle(tenantFlows.filter((f) => f.stage === 'first' && f.kinds.length === 0));
    const plans: Array<NonNullable<FlowPlan['revise']>> = ['before-sync', 'after-sync', 'jump'];
    cleanFirst.slice(0, plans.length).forEach((f, i) => (f.revise = plans[i]));
    const header = tenantFlows.find((f) => f.kinds.length === 1 && f.kinds[0] === 'headerMismatch');
    if (header) header.revise = 'fix-header';
    flows.push(...tenantFlows);
  }
  // the late flow of each tenant: positions paid now, their receipts delivered after the flow is synced
  const lateCount = Math.min(lateCandidates.length, 3);
  const latePositions: CreatedPosition[] = [];
  for (const tenant of fdrTenants) latePositions.push(...prng.shuffle(lateCandidates.filter((c) => c.plan.tenant === tenant)).slice(0, lateCount));

  const closeFlow = async (f: FlowPlan) => {
    const out = await sim.close(today, { organizationId: f.tenant.fiscalCode, faults: f.faults, receiptIds: f.receipts.map((r) => r.receiptId) });
    if (out.length !== 1) problems.push(`close of ${f.receipts.length} receipts of ${f.tenant.fiscalCode} published ${out.length} flows`);
    if (out[0]) f.published.push(out[0]);
  };
  const revise = (f: FlowPlan) => {
    const last = f.published.at(-1);
    if (last) f.published.push(sim.revise(last.organizationId, last.fdr, last.pspId));
  };
  /** after a sync drained: the layer was asked for the latest revision of every flow published so far */
  const snapshot = () => {
    for (const f of flows) {
      const last = f.published.at(-1);
      if (last) f.acquired.add(last.revision);
    }
  };
  const syncAll = async (twiceFor?: Tenant) => {
    await Promise.all([...tenants.map((t) => requestSync(t)), ...(twiceFor ? [requestSync(twiceFor)] : [])]);
  };

  // 1. the first flows, closed in a shuffled order; one revised before any sync
  for (const f of prng.shuffle(flows.filter((x) => x.stage === 'first'))) await closeFlow(f);
  for (const f of flows.filter((x) => x.revise === 'before-sync')) revise(f);
  await syncAll(fdrTenants[0]);
  await drain();
  snapshot();
  seconds['firstSync'] = (performance.now() - t0) / 1000;

  // 2. revisions of synced flows; the late flows published before their receipts are delivered
  for (const f of flows) {
    if (f.revise === 'after-sync' || f.revise === 'fix-header') revise(f);
    if (f.revise === 'jump') {
      revise(f);
      revise(f);
    }
  }
  const lateReceipts: Array<{ position: CreatedPosition; receipt: Receipt }> = [];
  for (const position of latePositions) {
    const o = org.get(position.plan.tenant.fiscalCode);
    if (!o) continue;
    const payment = await getPayment(cloud.url, o, position.navs[0]!);
    if (!payment) {
      problems.push(`late payment of ${position.plan.iupd}: the station did not give the payment`);
      continue;
    }
    const receipt = receiptFor(o, { noticeNumber: position.navs[0]! }, payment);
    lateReceipts.push({ position, receipt });
    paid.push({
      tenant: position.plan.tenant,
      iupd: position.plan.iupd,
      nav: position.navs[0]!,
      iuv: receipt.creditorReferenceId,
      receiptId: receipt.receiptId,
      idTransfer: receipt.transferList[0]!.idTransfer,
      amount: receipt.transferList[0]!.transferAmount,
      late: true,
    });
  }
  const simReceipts: SimReceipt[] = lateReceipts.map(({ receipt }) => ({
    organizationFiscalCode: receipt.fiscalCode,
    iuv: receipt.creditorReferenceId,
    receiptId: receipt.receiptId,
    pspId: receipt.idPSP,
    pspName: receipt.PSPCompanyName,
    paymentDateTime: new Date().toISOString(),
    transfers: receipt.transferList.map((t) => ({ idTransfer: t.idTransfer, amount: t.transferAmount, fiscalCodePA: t.fiscalCodePA })),
  }));
  sim.addReceipts(simReceipts);
  for (const tenant of fdrTenants) {
    const receipts = paid.filter((p) => p.late && p.tenant === tenant);
    if (receipts.length === 0) continue;
    const f: FlowPlan = { tenant, receipts, faults: {}, kinds: [], stage: 'late', published: [], acquired: new Set() };
    flows.push(f);
    await closeFlow(f);
  }
  await syncAll();
  await drain();
  snapshot();
  seconds['secondSync'] = (performance.now() - t0) / 1000;

  // 3. the workers killed: the late receipts wait on the queue, the last flows are closed, a credit
  //    names a flow not acquired yet, a sync is requested
  const earlyMovements: Array<{ tenant: Tenant; movementId: string; flowId: string; state: string }> = [];
  await input.killWorkers('reconciliation', async () => {
    await Promise.all(
      lateReceipts.map(async ({ position, receipt }) => {
        const r = await payNotice({ noticeNumber: receipt.noticeNumber, org: position.plan.tenant.fiscalCode, url: cloud.url, seedFile: layer.seedFile, receipt, log: () => {} });
        if (r.outcome !== 'OK') problems.push(`late receipt ${receipt.receiptId}: ${r.outcome} ${r.faultCode ?? ''}`);
      }),
    );
    for (const f of prng.shuffle(flows.filter((x) => x.stage === 'tail'))) await closeFlow(f);
    for (const f of flows.filter((x) => x.earlyCredit)) {
      const flow = f.published.at(-1);
      if (!flow) continue;
      const csv = sim.statement(f.tenant.fiscalCode, 'csv', { flows: [flow.fdr] });
      const r = await api(f.tenant, 'POST', `/organizations/${f.tenant.fiscalCode}/treasury/statements`, { format: 'CSV', content: csv });
      if (r.status !== 201) problems.push(`early statement: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      for (const m of r.json?.movements ?? []) earlyMovements.push({ tenant: f.tenant, movementId: m.movementId, flowId: flow.fdr, state: m.state });
    }
    await syncAll(fdrTenants.at(-1));
  });
  await drain();
  snapshot();

  // 4. a sync and the workers killed while it runs; then the overdue scan
  await syncAll();
  await input.killWorkers('reconciliation', async () => {});
  await drain();
  snapshot();
  await cloud.invoke('reporting-flow-scheduler', {});
  await drain();
  snapshot();
  seconds['flows'] = (performance.now() - t0) / 1000;

  // 5. the treasury statements: every latest flow credited, the first one off by a cent; a credit naming an unknown flow
  interface ExpectedMovement {
    tenant: Tenant;
    movementId: string;
    flowId?: string;
    expected: 'CREDITED' | 'AMOUNT_DIFFERS' | 'OPEN';
    answered: string;
    why: string;
  }
  const movements: ExpectedMovement[] = [];
  for (const m of earlyMovements) movements.push({ tenant: m.tenant, movementId: m.movementId, flowId: m.flowId, expected: 'CREDITED', answered: m.state, why: 'credited before its flow was acquired' });
  let statementsCsv = 0;
  let statementsCamt = 0;
  let statementDuplicates = 0;
  for (const tenant of fdrTenants) {
    const mine = sim.flows(tenant.fiscalCode).filter((f) => flows.some((p) => p.published.at(-1) === f));
    if (mine.length === 0) continue;
    const format = prng.chance(0.5) ? 'csv' : 'camt053';
    const off = prng.pick([1, -1]);
    let content = sim.statement(tenant.fiscalCode, format, { flows: mine.map((f) => f.fdr), amountOffCents: off });
    const unknownFlow = `${today}CHAOSPSP-9999`;
    const unknownRef = `CHAOS-UNKNOWN-${tenant.fiscalCode}`;
    const unknownAmount = 4242;
    if (format === 'csv') {
      content += `${[today, today, (unknownAmount / 100).toFixed(2), 'EUR', 'CRDT', `/PUR/LGPE-RIVERSAMENTO/URI/${unknownFlow}`, unknownRef, unknownRef, 'CHAOS BANK'].join(';')}\n`;
      statementsCsv++;
    } else {
      content = content.replace(
        '    </Stmt>',
        `      <Ntry>
        <Amt Ccy="EUR">${(unknownAmount / 100).toFixed(2)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>${today}</Dt></BookgDt>
        <ValDt><Dt>${today}</Dt></ValDt>
        <AcctSvcrRef>${unknownRef}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>${unknownRef}</EndToEndId></Refs>
          <RmtInf><Ustrd>/PUR/LGPE-RIVERSAMENTO/URI/${unknownFlow}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>`,
      );
      statementsCamt++;
    }
    const r = await api(tenant, 'POST', `/organizations/${tenant.fiscalCode}/treasury/statements`, { format: format === 'csv' ? 'CSV' : 'CAMT053', content });
    if (r.status !== 201) {
      problems.push(`statement of ${tenant.fiscalCode} (${format}): HTTP ${r.status} ${r.text.slice(0, 300)}`);
      continue;
    }
    statementDuplicates += Number(r.json.duplicates ?? 0);
    const answered = (r.json.movements ?? []) as Array<{ movementId: string; state: string; flowId?: string; amount: number }>;
    const early = earlyMovements.filter((m) => m.tenant === tenant).length;
    if (r.json.duplicates !== early) problems.push(`statement of ${tenant.fiscalCode}: ${r.json.duplicates} duplicates, expected ${early} (the credit imported early)`);
    for (const m of answered) {
      const isOff = m.flowId === mine[0]!.fdr;
      const known = mine.find((f) => f.fdr === m.flowId);
      const expected = m.flowId === unknownFlow || !known ? 'OPEN' : isOff ? 'AMOUNT_DIFFERS' : 'CREDITED';
      movements.push({ tenant, movementId: m.movementId, ...(m.flowId ? { flowId: m.flowId } : {}), expected, answered: m.state, why: m.flowId === unknownFlow ? 'names an unknown flow' : isOff ? `off by ${off} cent` : 'the flow total' });
    }
    if (!answered.some((m) => m.flowId === unknownFlow)) problems.push(`statement of ${tenant.fiscalCode}: the unknown-flow credit was not imported`);
  }
  await drain();
  seconds['treasury'] = (performance.now() - t0) / 1000;

  // ---- the expectations ----
  const paidByKey = new Map(paid.map((p) => [receiptKey(p.iuv, p.receiptId), p]));
  const lineExpect = (p: SimFlow['payments'][number]): LineExpect => {
    const r = paidByKey.get(receiptKey(p.iuv, p.iur));
    if (!r) return 'OTHER_INTERMEDIARY';
    if (r.amount !== p.amount) return 'AMOUNT_MISMATCH';
    if (p.payStatus === 'REVOKED') return 'REVOKED';
    return 'MATCHED';
  };
  /** expected anomalies: `${ofc}|${kind}|${ref}` → open? */
  const expectedAnomalies = new Map<string, { open: boolean; why: string }>();
  const expectAnomaly = (ofc: string, kind: string, ref: string, open: boolean, why: string) => {
    const k = `${ofc}|${kind}|${ref}`;
    if (expectedAnomalies.has(k)) problems.push(`the run expects anomaly ${k} twice (${why})`);
    expectedAnomalies.set(k, { open, why });
  };
  /** transfers: receipt key → the flow (and revision) expected to report it */
  const reportedBy = new Map<string, { flowId: string; pspId: string; revision: number }>();
  const injected: Record<string, number> = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));
  for (const f of flows) {
    for (const k of f.kinds) injected[k]!++;
    const latest = Math.max(0, ...f.acquired);
    for (const rev of f.published) {
      if (!f.acquired.has(rev.revision)) continue;
      const ofc = rev.organizationId;
      const ref = `${rev.fdr}/${rev.pspId}/${rev.revision}`;
      for (const p of rev.payments) {
        const state = lineExpect(p);
        if (state === 'OTHER_INTERMEDIARY' || state === 'AMOUNT_MISMATCH') expectAnomaly(ofc, state, `${ref}/${p.index}`, true, `${state} line of ${rev.fdr} rev ${rev.revision}`);
        if (f.stage === 'late' && state === 'MATCHED') expectAnomaly(ofc, 'LINE_WITHOUT_RECEIPT', `${ref}/${p.index}`, false, `line of ${rev.fdr} acquired before its receipt`);
        if (state === 'MATCHED' && rev.revision === latest) reportedBy.set(receiptKey(p.iuv, p.iur), { flowId: rev.fdr, pspId: rev.pspId, revision: rev.revision });
      }
      const lineSum = rev.payments.reduce((s, p) => s + p.amount, 0);
      if (lineSum !== rev.sumPayments || rev.payments.length !== rev.totPayments) expectAnomaly(ofc, 'HEADER_MISMATCH', ref, true, `header of ${rev.fdr} rev ${rev.revision}`);
    }
  }
  for (const p of paid) {
    if (!reportedBy.has(receiptKey(p.iuv, p.receiptId))) expectAnomaly(p.tenant.fiscalCode, 'RECEIPT_NOT_REPORTED', `${p.iuv}/${p.receiptId}/${p.idTransfer}`, true, `transfer no flow reported`);
  }
  for (const m of movements) {
    if (m.expected === 'AMOUNT_DIFFERS') expectAnomaly(m.tenant.fiscalCode, 'TREASURY_AMOUNT_MISMATCH', m.movementId, true, m.why);
    if (m.expected === 'OPEN') expectAnomaly(m.tenant.fiscalCode, 'TREASURY_UNKNOWN_FLOW', m.movementId, true, m.why);
    if (m.why === 'credited before its flow was acquired') expectAnomaly(m.tenant.fiscalCode, 'TREASURY_UNKNOWN_FLOW', m.movementId, false, m.why);
  }

  // ---- the invariants ----
  const tVerify = performance.now();
  const table = await scanReconciliation(layer);
  const invariants: Invariant[] = [];
  const inv = (name: string) => {
    const i = new Invariant(name);
    invariants.push(i);
    return i;
  };
  const ran = inv('reconciliation: every step answered as expected (closes, syncs 202, late payments, statements 201)');
  ran.check(problems.length === 0, () => problems.slice(0, 5).join(' | '));
  for (const f of flows) ran.check(f.published.length > 0, () => `a planned flow of ${f.tenant.fiscalCode} (${f.receipts.length} receipts, ${f.kinds.join('+') || 'clean'}) was not published`);

  // every OK receipt's transfer reported exactly once, by the latest revision of the flow listing it
  const reportedOnce = inv('reconciliation: every OK receipt transfer is T_REPORTED by the latest acquired revision of the flow that lists it (idFlowReporting on GET …/debtpositions), its marker on that revision; the others not reported');
  const notTwice = inv('reconciliation: no transfer reported twice (one MATCHED line among the latest revisions, one marker, one audited report write per position and flow) nor by a superseded revision (stored revisions as acquired, only the newest latest)');
  const positionsReported = inv('reconciliation: positions with an option fully reported are REPORTED (option PO_REPORTED), the others keep their payment status');
  const gpd = new Map<string, any>();
  const iupds = [...new Set(paid.map((p) => `${p.tenant.fiscalCode}|${p.iupd}`))];
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < iupds.length; i += 8) {
        const [ofc, iupd] = iupds[i]!.split('|') as [string, string];
        const tenant = tenants.find((t) => t.fiscalCode === ofc)!;
        const r = await api(tenant, 'GET', `/organizations/${ofc}/debtpositions/${iupd}`);
        reportedOnce.check(r.status === 200, () => `GET ${iupd}: HTTP ${r.status}`);
        if (r.status === 200) gpd.set(iupds[i]!, r.json);
      }
    }),
  );
  const matchedLatest = new Map<string, string[]>();
  for (const line of table.lines) {
    const flow = table.flows.get(line.flowKey);
    if (!flow?.latest || line.line.state !== 'MATCHED') continue;
    const k = `${flow.organizationFiscalCode}|${line.line.iuv}#${line.line.iur}#${line.line.idTransfer}`;
    matchedLatest.set(k, [...(matchedLatest.get(k) ?? []), line.flowKey]);
  }
  for (const p of paid) {
    const want = reportedBy.get(receiptKey(p.iuv, p.receiptId));
    const position = gpd.get(`${p.tenant.fiscalCode}|${p.iupd}`);
    const option = position?.paymentOption?.find((o: any) => o.nav === p.nav);
    const transfer = option?.transfer?.find((t: any) => Number(t.idTransfer) === p.idTransfer);
    const marker = table.markers.get(`${p.tenant.fiscalCode}|${p.iuv}|${p.receiptId}|${p.idTransfer}`);
    if (want) {
      reportedOnce.check(
        transfer?.status === 'T_REPORTED' && option?.idFlowReporting === want.flowId && marker?.flowId === want.flowId && marker.revision === want.revision && marker.pspId === want.pspId,
        () => `${p.iupd} ${p.nav}: transfer ${transfer?.status}, idFlowReporting ${option?.idFlowReporting}, marker ${marker?.flowId}/${marker?.revision}; expected ${want.flowId}/${want.revision}`,
      );
    } else {
      reportedOnce.check(transfer?.status === 'T_UNREPORTED' && option?.idFlowReporting == null && marker === undefined, () => `${p.iupd} ${p.nav}: reported (${transfer?.status}, ${option?.idFlowReporting}, marker ${marker?.flowId}) though no flow should report it`);
    }
    const lines = matchedLatest.get(`${p.tenant.fiscalCode}|${p.iuv}#${p.receiptId}#${p.idTransfer}`) ?? [];
    notTwice.check(lines.length === (want ? 1 : 0), () => `${p.iupd} ${p.nav}: ${lines.length} MATCHED lines among the latest revisions (${lines.join(', ')})`);
  }
  for (const [k, m] of table.markers) {
    const flow = table.flows.get(`${k.split('|')[0]}|${m.flowId}|${m.pspId}|${m.revision}`);
    notTwice.check(flow?.latest === true, () => `marker ${k} names ${m.flowId} rev ${m.revision}, ${flow ? 'superseded' : 'not stored'}`);
  }
  // revisions: the layer stored exactly the revisions it was asked for, only the newest latest
  for (const f of flows) {
    const first = f.published[0];
    if (!first) continue;
    const stored = [...table.flows].filter(([k]) => k.startsWith(`${first.organizationId}|${first.fdr}|${first.pspId}|`)).map(([, v]) => v);
    const latest = Math.max(0, ...f.acquired);
    const revs = stored.map((x) => x.revision).sort((a, b) => a - b);
    notTwice.check(
      JSON.stringify(revs) === JSON.stringify([...f.acquired].sort((a, b) => a - b)) && stored.every((x) => x.latest === (x.revision === latest)),
      () => `${first.fdr}: stored revisions [${stored.map((x) => `${x.revision}${x.latest ? '*' : ''}`).join(',')}], expected [${[...f.acquired].join(',')}] with ${latest} latest`,
    );
  }
  // positions: REPORTED iff an option is PO_REPORTED (one transfer per option here: iff its transfer is reported)
  for (const key of iupds) {
    const position = gpd.get(key);
    const [ofc, iupd] = key.split('|') as [string, string];
    const c = input.created.find((x) => x.plan.iupd === iupd && x.plan.tenant.fiscalCode === ofc);
    if (!position || !c) continue;
    const options = paid.filter((p) => p.tenant.fiscalCode === ofc && p.iupd === iupd);
    const fullyReported = options.filter((p) => reportedBy.has(receiptKey(p.iuv, p.receiptId)));
    for (const p of options) {
      const o = position.paymentOption?.find((x: any) => x.nav === p.nav);
      const want = reportedBy.has(receiptKey(p.iuv, p.receiptId)) ? 'PO_REPORTED' : 'PO_PAID';
      positionsReported.check(o?.status === want, () => `${iupd} ${p.nav}: option ${o?.status}, expected ${want}`);
    }
    // one report write (audited) per flow that reported options of the position, none for a revision or a second acquisition
    const flowsOf = [...new Set(fullyReported.map((p) => reportedBy.get(receiptKey(p.iuv, p.receiptId))!.flowId))].sort();
    const audits = table.reportAudits.get(`POS#${ofc}#${iupd}`) ?? [];
    const auditFlows = audits.map((r) => r.split(':')[1] ?? '').sort();
    notTwice.check(JSON.stringify(auditFlows) === JSON.stringify(flowsOf), () => `${iupd}: report audit lines [${audits.join(', ')}], expected one per flow [${flowsOf.join(', ')}]`);
    const paidStatus = c.plan.options.some((o) => o.pay && !o.isPartialPayment) || options.some((p) => p.late) ? 'PAID' : c.plan.options.filter((o) => o.isPartialPayment).every((o) => o.pay) ? 'PAID' : 'PARTIALLY_PAID';
    const want = fullyReported.length > 0 ? 'REPORTED' : paidStatus;
    positionsReported.check(position.status === want, () => `${iupd}: ${position.status}, expected ${want}`);
  }

  // anomalies: each injected discrepancy exactly once, of the right kind and state; nothing else
  const anomalyInv = inv('reconciliation: every injected discrepancy is exactly one anomaly of its kind (open, or settled when the late receipt / flow came), nothing else (GET …/reconciliation/anomalies)');
  const listed = new Map<string, { open: boolean; count: number; kind: string }>();
  for (const tenant of tenants) {
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
      const r = await api(tenant, 'GET', `/organizations/${tenant.fiscalCode}/reconciliation/anomalies?${q}`);
      anomalyInv.check(r.status === 200, () => `${tenant.fiscalCode} anomalies: HTTP ${r.status}`);
      if (r.status !== 200) break;
      for (const a of r.json.anomalies as Array<{ kind: string; ref: string; resolvedAt?: string }>) {
        const k = `${tenant.fiscalCode}|${a.kind}|${a.ref}`;
        const e = listed.get(k);
        listed.set(k, { open: a.resolvedAt === undefined, count: (e?.count ?? 0) + 1, kind: a.kind });
      }
      cursor = r.json.cursor;
    } while (cursor);
  }
  for (const [k, want] of expectedAnomalies) {
    const got = listed.get(k);
    anomalyInv.check(got?.count === 1 && got.open === want.open, () => `${k} (${want.why}): ${got ? `${got.count}× ${got.open ? 'open' : 'settled'}` : 'missing'}, expected once ${want.open ? 'open' : 'settled'}`);
  }
  for (const [k, got] of listed) {
    if (expectedAnomalies.has(k)) continue;
    // the scheduler's own 10-minute timer may have flagged a receipt before its flow came: settled since
    const settledOverdue = got.kind === 'RECEIPT_NOT_REPORTED' && !got.open;
    anomalyInv.check(settledOverdue, () => `unexpected anomaly ${k} (${got.open ? 'open' : 'settled'})`);
  }
  anomalyInv.check(table.anomalies === listed.size, () => `${table.anomalies} reconciliation anomalies in the table, ${listed.size} listed`);

  // per flow: the matched sums equal the flow total to the cent, except where a fault was injected
  const sums = inv('reconciliation: per flow (latest revision, GET …/reportingflows), lines and matched sums as published; matched sum = total to the cent iff no fault');
  const listedFlows = new Map<string, any>();
  for (const tenant of tenants) {
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ from: today, to: today, limit: '100', ...(cursor ? { cursor } : {}) });
      const r = await api(tenant, 'GET', `/organizations/${tenant.fiscalCode}/reportingflows?${q}`);
      sums.check(r.status === 200, () => `${tenant.fiscalCode} reportingflows: HTTP ${r.status}`);
      if (r.status !== 200) break;
      for (const f of r.json.reportingFlows as any[]) listedFlows.set(`${tenant.fiscalCode}|${f.flowId}`, f);
      cursor = r.json.cursor;
    } while (cursor);
  }
  let flowsChecked = 0;
  for (const f of flows) {
    const latestRev = Math.max(0, ...f.acquired);
    const rev = f.published.find((r) => r.revision === latestRev);
    if (!rev) continue;
    flowsChecked++;
    const got = listedFlows.get(`${rev.organizationId}|${rev.fdr}`);
    const states = rev.payments.map(lineExpect);
    const matched = rev.payments.filter((_, i) => states[i] === 'MATCHED').reduce((s, p) => s + p.amount, 0);
    const lineFault = states.some((s) => s !== 'MATCHED');
    const headerFault = rev.payments.reduce((s, p) => s + p.amount, 0) !== rev.sumPayments;
    const gotMatched = got?.lines?.MATCHED?.amount ?? 0;
    sums.check(
      got?.revision === latestRev && got.totPayments === rev.totPayments && got.sumPayments === rev.sumPayments && gotMatched === matched && got.status === (states.some((s) => s === 'AMOUNT_MISMATCH' || s === 'OTHER_INTERMEDIARY') || headerFault ? 'ANOMALOUS' : 'MATCHED'),
      () => `${rev.fdr}: listed rev ${got?.revision} ${got?.status} ${got?.totPayments}/${got?.sumPayments} matched ${gotMatched}; expected rev ${latestRev} ${rev.totPayments}/${rev.sumPayments} matched ${matched}`,
    );
    sums.check((gotMatched === rev.sumPayments) === !(lineFault || headerFault), () => `${rev.fdr} (${f.kinds.join('+') || 'clean'}): matched ${gotMatched} of ${rev.sumPayments}`);
  }
  sums.check(listedFlows.size === flowsChecked, () => `${listedFlows.size} flows listed, ${flowsChecked} published and synced`);

  // treasury credits
  const treasury = inv('reconciliation: every treasury credit is CREDITED, AMOUNT_DIFFERS or OPEN exactly as injected (import answer, GET …/treasury/movements, the flow’s treasury)');
  const storedMovements = new Map<string, string>();
  for (const tenant of tenants) {
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
      const r = await api(tenant, 'GET', `/organizations/${tenant.fiscalCode}/treasury/movements?${q}`);
      treasury.check(r.status === 200, () => `${tenant.fiscalCode} movements: HTTP ${r.status}`);
      if (r.status !== 200) break;
      for (const m of r.json.movements as Array<{ movementId: string; state: string }>) storedMovements.set(`${tenant.fiscalCode}|${m.movementId}`, m.state);
      cursor = r.json.cursor;
    } while (cursor);
  }
  for (const m of movements) {
    const stored = storedMovements.get(`${m.tenant.fiscalCode}|${m.movementId}`);
    const answerOk = m.why === 'credited before its flow was acquired' ? m.answered === 'OPEN' : m.answered === m.expected;
    treasury.check(answerOk && stored === m.expected, () => `${m.movementId} (${m.why}): answered ${m.answered}, stored ${stored}, expected ${m.expected}`);
    if (m.flowId && m.expected !== 'OPEN') {
      const flow = listedFlows.get(`${m.tenant.fiscalCode}|${m.flowId}`);
      treasury.check(flow?.treasury?.status === m.expected && flow.treasury.movementId === m.movementId, () => `flow ${m.flowId}: treasury ${flow?.treasury?.status} by ${flow?.treasury?.movementId}, expected ${m.expected} by ${m.movementId}`);
    }
  }
  treasury.check(storedMovements.size === movements.length, () => `${storedMovements.size} movements stored, ${movements.length} imported`);

  // the reconciliation summary
  const summary = inv('reconciliation: GET …/reconciliation (today) counts and sums paid, reported, credited, open as the run paid and reported, to the cent');
  const creditedFlows = new Set(movements.filter((m) => m.expected === 'CREDITED' && m.flowId).map((m) => `${m.tenant.fiscalCode}|${m.flowId}`));
  let summaryPaid = 0;
  let summaryReported = 0;
  for (const tenant of tenants) {
    const mine = paid.filter((p) => p.tenant === tenant);
    const rep = mine.filter((p) => reportedBy.has(receiptKey(p.iuv, p.receiptId)));
    const cred = rep.filter((p) => creditedFlows.has(`${tenant.fiscalCode}|${reportedBy.get(receiptKey(p.iuv, p.receiptId))!.flowId}`));
    const tally = (list: Paid[]) => ({ count: list.length, amount: list.reduce((s, p) => s + p.amount, 0) });
    const want = { paid: tally(mine), reported: tally(rep), credited: tally(cred), open: tally(mine.filter((p) => !rep.includes(p))), notCredited: tally(rep.filter((p) => !cred.includes(p))) };
    summaryPaid += want.paid.count;
    summaryReported += want.reported.count;
    const r = await api(tenant, 'GET', `/organizations/${tenant.fiscalCode}/reconciliation?from=${today}&to=${today}`);
    summary.check(r.status === 200, () => `${tenant.fiscalCode} summary: HTTP ${r.status}`);
    for (const k of ['paid', 'reported', 'credited', 'open', 'notCredited'] as const) {
      summary.check(r.json?.[k]?.count === want[k].count && r.json?.[k]?.amount === want[k].amount, () => `${tenant.fiscalCode} ${k}: ${JSON.stringify(r.json?.[k])}, expected ${JSON.stringify(want[k])}`);
    }
  }

  // no message left behind in a dead-letter queue (receipts-dlq: the payment invariants read it already)
  const dlq = inv('reconciliation: no message in any DLQ but receipts-dlq after the phase (reporting-flows-dlq empty)');
  const { QueueUrls = [] } = await input.sqs.send(new ListQueuesCommand({}));
  for (const url of QueueUrls.filter((u) => u.endsWith('-dlq') && !u.endsWith('-receipts-dlq'))) {
    const a = await input.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    const n = Number(a.Attributes?.['ApproximateNumberOfMessages'] ?? 0) + Number(a.Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0);
    dlq.check(n === 0, () => `${url.split('/').pop()}: ${n} messages`);
  }
  seconds['reconciliationVerify'] = (performance.now() - tVerify) / 1000;

  const anomalyKinds = (kind: string, open?: boolean) => [...expectedAnomalies].filter(([k, v]) => k.split('|')[1] === kind && (open === undefined || v.open === open)).length;
  const revisions = flows.reduce((s, f) => s + f.published.length - 1, 0);
  return {
    invariants: invariants.map((i) => i.result()),
    seconds,
    counts: {
      reconFdrTenants: fdrTenants.length,
      reconFlows: flows.filter((f) => f.published.length > 0).length,
      reconCleanFlows: flows.filter((f) => f.kinds.length === 0 && f.stage !== 'late').length,
      reconLateFlows: flows.filter((f) => f.stage === 'late').length,
      reconLateReceipts: lateReceipts.length,
      reconTailFlows: flows.filter((f) => f.stage === 'tail').length,
      reconRevisions: revisions,
      reconRevisionsNeverSeen: flows.reduce((s, f) => s + f.published.filter((r) => !f.acquired.has(r.revision)).length, 0),
      ...Object.fromEntries(FAULT_KINDS.map((k) => [`reconFault_${k}`, injected[k]!])),
      reconOmittedPayments: flows.reduce((s, f) => s + (f.faults.omitPayments ?? 0), 0),
      reconLines: flows.reduce((s, f) => s + (f.published.at(-1)?.payments.length ?? 0), 0),
      reconTransfersPaid: summaryPaid,
      reconTransfersReported: summaryReported,
      reconAnomaliesExpected: expectedAnomalies.size,
      reconAnomaliesListed: [...listed.values()].reduce((s, a) => s + a.count, 0),
      reconAnomaliesOpen: [...listed.values()].filter((a) => a.open).length,
      reconAmountMismatch: anomalyKinds('AMOUNT_MISMATCH'),
      reconOtherIntermediary: anomalyKinds('OTHER_INTERMEDIARY'),
      reconHeaderMismatch: anomalyKinds('HEADER_MISMATCH'),
      reconLineWithoutReceiptSettled: anomalyKinds('LINE_WITHOUT_RECEIPT', false),
      reconReceiptNotReported: anomalyKinds('RECEIPT_NOT_REPORTED'),
      reconTreasuryAmountMismatch: anomalyKinds('TREASURY_AMOUNT_MISMATCH'),
      reconTreasuryUnknownFlow: anomalyKinds('TREASURY_UNKNOWN_FLOW', true),
      reconTreasuryUnknownFlowSettled: anomalyKinds('TREASURY_UNKNOWN_FLOW', false),
      reconStatementsCsv: statementsCsv,
      reconStatementsCamt053: statementsCamt,
      reconStatementDuplicates: statementDuplicates,
      reconMovements: movements.length,
      reconCredited: movements.filter((m) => m.expected === 'CREDITED').length,
      reconAmountDiffers: movements.filter((m) => m.expected === 'AMOUNT_DIFFERS').length,
      reconOpen: movements.filter((m) => m.expected === 'OPEN').length,
    },
  };
}

interface SeedOrg {
  fiscalCode: string;
  name: string;
  brokerId: string;
  stationId: string;
  fdr?: { apiKey?: string };
}

function seedOrgs(seedFile: string): Map<string, SeedOrg> {
  const raw = JSON.parse(readFileSync(seedFile, 'utf8')) as { organizations: SeedOrg[] };
  return new Map(raw.organizations.map((o) => [o.fiscalCode, o]));
}

/** paVerifyPaymentNotice + paGetPaymentV2 as the node does, without sending the receipt. */
async function getPayment(url: string, org: SeedOrg, noticeNumber: string): Promise<PaymentData | undefined> {
  const ids = { idPA: org.fiscalCode, idBrokerPA: org.brokerId, idStation: org.stationId };
  const qrCode = { fiscalCode: org.fiscalCode, noticeNumber };
  const soap = async (operation: 'paVerifyPaymentNotice' | 'paGetPaymentV2', body: string) => {
    const response = await fetch(`${url}/pagopa/paForNode`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapActionFor(operation) }, body });
    return parseStationResponse(await response.text(), { expected: operation });
  };
  const verified = await soap('paVerifyPaymentNotice', buildNodeRequest('paVerifyPaymentNotice', { ...ids, qrCode }));
  if (verified.kind !== 'response' || verified.outcome !== 'OK' || verified.operation !== 'paVerifyPaymentNotice') return undefined;
  const amount = verified.data?.amount;
  const got = await soap('paGetPaymentV2', buildNodeRequest('paGetPaymentV2', { ...ids, qrCode, ...(amount !== undefined ? { amount } : {}), transferType: 'PAGOPA' }));
  if (got.kind !== 'response' || got.outcome !== 'OK' || got.operation !== 'paGetPaymentV2' || !got.data) return undefined;
  return got.data;
}

interface ReconTable {
  /** `${ofc}|${flowId}|${pspId}|${revision}` → the stored flow */
  flows: Map<string, { organizationFiscalCode: string; revision: number; latest: boolean }>;
  lines: Array<{ flowKey: string; line: { iuv: string; iur: string; idTransfer: number; state: string } }>;
  /** `${ofc}|${iuv}|${receiptId}|${idTransfer}` → the flow key of the reported marker */
  markers: Map<string, { flowId: string; pspId: string; revision: number }>;
  anomalies: number;
  /** position pk → the requestIds (`fdr:<flow>:<psp>:<revision>`) of its `report` audit lines */
  reportAudits: Map<string, string[]>;
}

/** The reconciliation items of the table: flows (every revision), lines, reported markers. */
async function scanReconciliation(layer: LocalLayer): Promise<ReconTable> {
  const out: ReconTable = { flows: new Map(), lines: [], markers: new Map(), anomalies: 0, reportAudits: new Map() };
  const filter = {
    expression: '#t IN (:f, :l, :m, :a, :audit)',
    names: { '#t': 'type' },
    values: { ':f': 'reporting-flow', ':l': 'reporting-flow-line', ':m': 'fdr-reported', ':a': 'reconciliation-anomaly', ':audit': 'audit' },
  };
  await scanItems(layer, filter, (item) => {
    const type = item['type'];
    if (type === 'reporting-flow') {
      const f = item['flow'] as { organizationFiscalCode: string; flowId: string; pspId: string; revision: number; latest: boolean };
      out.flows.set(`${f.organizationFiscalCode}|${f.flowId}|${f.pspId}|${f.revision}`, f);
    } else if (type === 'reporting-flow-line') {
      out.lines.push({ flowKey: flowKeyOfLinePk(String(item['pk'])), line: item['line'] as ReconTable['lines'][number]['line'] });
    } else if (type === 'fdr-reported') {
      const key = item['key'] as { organizationFiscalCode: string; flowId: string; pspId: string; revision: number };
      const [, iuv, receiptId, idTransfer] = String(item['gsi1sk']).split('#');
      out.markers.set(`${key.organizationFiscalCode}|${iuv}|${receiptId}|${idTransfer}`, { flowId: key.flowId, pspId: key.pspId, revision: key.revision });
    } else if (type === 'reconciliation-anomaly') out.anomalies++;
    else if (type === 'audit') {
      const audit = item['audit'] as { action: string; actor: { requestId?: string } };
      if (audit.action !== 'report') return;
      const pk = String(item['pk']);
      out.reportAudits.set(pk, [...(out.reportAudits.get(pk) ?? []), String(audit.actor.requestId)]);
    }
  });
  return out;
}

/** `${ofc}|${flowId}|${pspId}|${revision}` from a line's partition key (shared/adapters/dynamo/reporting-flow-keys.ts). */
function flowKeyOfLinePk(pk: string): string {
  const [, ofc, flowId, pspId, revision] = pk.split('#');
  return `${ofc}|${flowId}|${pspId}|${Number(revision)}`;
}
