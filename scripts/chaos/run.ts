/**
 * The chaos run: the whole local layer in this process, N positions created over REST, notices
 * and IO messages flowing under injected App IO faults, ~70% of the payable options paid through
 * the pagoPA node simulator (SOAP, some through the signed JSON webhook), receipts re-delivered
 * (at once and later, out of order), a few KO receipts, poison messages on the receipts queue,
 * back-office webhook receivers on payment.received, and the queue/stream workers killed and
 * restarted several times. Then drain and check every invariant (verify.ts). Then the
 * reconciliation phase (reconciliation.ts): FdR flows with injected discrepancies, late and
 * out-of-order flows, revisions, a treasury statement, and their invariants.
 */
import { SendMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalLayer, temporaryOutbox, type LocalLayer } from '../../infra/local/layer';
import { startBackOfficeReceiver, type BackOfficeReceiver } from '../../infra/local/simulators/back-office';
import { payNotice, type PayResult } from '../pay';
import type { Receipt } from '../../shared/domain/receipt';
import { createPrng } from './prng';
import { planWorkload, positionBody, tenantsFromSeed, type OptionPlan, type PositionPlan, type Tenant, type Workload } from './workload';
import { verifyRun, type InvariantResult } from './verify';
import { runReconciliation } from './reconciliation';

export interface ChaosOptions {
  readonly positions: number;
  readonly seed: number;
  /** HTTP requests in flight (creation and payments) */
  readonly concurrency: number;
  /** how long the workers stay dead at each kill */
  readonly pauseMs: number;
  /**
   * visibility timeout set on the receipts queue for the run (the catalog's 180 s would keep a
   * poison message 5 × 180 s on the queue before the DLQ; the run compresses that time)
   */
  readonly receiptVisibilitySeconds: number;
  readonly drainTimeoutMs: number;
  readonly log: (line: string) => void;
}

export const DEFAULT_FAULTS = { rate429: 0.1, rate500: 0.05, timeoutRate: 0.02, latencyMs: 0 } as const;

/** Positions created over REST: the plan plus the identifiers the layer assigned. */
export interface CreatedPosition {
  readonly plan: PositionPlan;
  readonly navs: readonly string[];
  readonly iuvs: readonly string[];
}

export interface Delivered {
  readonly key: string;
  readonly receiptId: string;
  readonly kind: 'first' | 'copy' | 'ko';
  readonly delivery: 'soap' | 'json';
  readonly outcome: PayResult['outcome'];
  readonly faultCode?: string;
}

export interface KillRecord {
  readonly phase: string;
  readonly atSeconds: number;
  readonly stopMs: number;
  readonly deadMs: number;
}

export interface ChaosReport {
  readonly startedAt: string;
  readonly options: Omit<ChaosOptions, 'log'>;
  readonly ok: boolean;
  readonly violations: number;
  readonly seconds: Record<string, number>;
  readonly throughput: Record<string, number>;
  readonly counts: Record<string, number>;
  readonly faults: Record<string, unknown>;
  readonly kills: readonly KillRecord[];
  readonly invariants: readonly InvariantResult[];
  readonly layerErrors: { readonly count: number; readonly sample: readonly string[] };
}

/**
 * Poison messages put straight on the receipts queue: three that do not even name their creditor
 * (logged at ERROR, kept by the DLQ alone) and one that names it but breaks the contract (kept as
 * an UNPROCESSABLE anomaly of that creditor on its last receive, and in the DLQ).
 */
export const POISON_BODIES = [
  'this is not JSON <paSendRTV2>',
  JSON.stringify({ receiptId: 'chaos-poison-2', outcome: 'OK' }),
  JSON.stringify([{ noticeNumber: '000000000000000000' }]),
] as const;
export const POISON_WITH_CREDITOR = (fiscalCode: string): string =>
  JSON.stringify({ receiptId: 'chaos-poison-4', fiscalCode, noticeNumber: '000000000000000000', outcome: 'OK', paymentAmount: 'a lot' });

/** A receipt whose identifier no key can hold: refused at both intakes, never queued. */
export const OVER_LONG_RECEIPT_ID = 'chaos-over-long-'.padEnd(1000, 'x');

/** A delivery the intake had to refuse (an over-long receipt), and what it answered. */
export interface RefusedAtIntake {
  readonly delivery: 'soap' | 'json';
  readonly receiptId: string;
  readonly nav: string;
  readonly outcome: PayResult['outcome'];
  readonly faultCode?: string;
}

async function pool<T>(items: readonly T[], concurrency: number, run: (item: T, index: number) => Promise<void>, onDone?: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
      while (next < items.length) {
        const i = next++;
        await run(items[i]!, i);
        onDone?.(++done);
      }
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const startedAt = new Date();
  const t0 = performance.now();
  const mark = () => (performance.now() - t0) / 1000;
  const seconds: Record<string, number> = {};
  const layerErrors: string[] = [];
  let layerErrorCount = 0;

  const layer: LocalLayer = await startLocalLayer({
    port: 0,
    outboxDir: temporaryOutbox(),
    log: (line) => {
      if (/\bERROR\b/.test(line)) {
        layerErrorCount++;
        if (layerErrors.length < 20) layerErrors.push(line.slice(0, 400));
      }
    },
    env: {
      // retries in seconds, not minutes: the run waits for every message to land
      IO_BACKOFF_BASE_SECONDS: '1',
      IO_BACKOFF_MAX_SECONDS: '2',
      IO_TIMEOUT_MS: '2000',
      WEBHOOK_BACKOFF_BASE_SECONDS: '1',
      WEBHOOK_BACKOFF_MAX_SECONDS: '1',
      WEBHOOK_TIMEOUT_MS: '2000',
      // errors only; none at all inside a quiet test run (vitest sets SILENT)
      POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] === 'SILENT' ? 'SILENT' : 'ERROR',
      // the reconciliation phase's overdue scan: every receipt no flow reported is overdue at once
      RECONCILIATION_NOT_REPORTED_WORKING_DAYS: '0',
    },
  });
  const { cloud, io } = layer;
  const receivers = new Map<string, BackOfficeReceiver>();
  const sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    seconds['start'] = mark();
    const prng = createPrng(options.seed);
    const tenants = tenantsFromSeed(layer.seedFile);
    const workload: Workload = planWorkload(options.positions, prng, tenants, startedAt, `${options.seed}`);
    for (const c of workload.citizens) if (c.onIo) io.sim.registerCitizen({ fiscalCode: c.fiscalCode });
    const api = async (tenant: Tenant, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${cloud.url}${path}`, {
        method,
        headers: { 'Ocp-Apim-Subscription-Key': tenant.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json, text };
    };

    // back offices subscribed to payment.received, failing 5% of tries (seeded)
    for (const tenant of tenants) {
      const receiver = await startBackOfficeReceiver({ port: 0, failureRate: 0.05, random: prng.fork() });
      const created = await api(tenant, 'POST', `/organizations/${tenant.fiscalCode}/webhooks`, {
        url: receiver.url,
        eventTypes: ['payment.received'],
        description: 'chaos back office',
      });
      if (created.status !== 201) throw new Error(`webhook subscriber for ${tenant.fiscalCode}: HTTP ${created.status} ${created.text}`);
      receiver.setSecret(created.json.secret);
      receivers.set(tenant.fiscalCode, receiver);
    }
    // time compression for the poison messages (see ChaosOptions)
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: cloud.env['QUEUE_URL_RECEIPTS'], Attributes: { VisibilityTimeout: String(options.receiptVisibilitySeconds) } }),
    );
    io.sim.setFaults(DEFAULT_FAULTS);
    // poison messages first: their maxReceiveCount receives run while the positions are created
    const poisonBodies = [...POISON_BODIES, POISON_WITH_CREDITOR(tenants[0]!.fiscalCode)];
    for (const body of poisonBodies) await sqs.send(new SendMessageCommand({ QueueUrl: cloud.env['QUEUE_URL_RECEIPTS'], MessageBody: body }));

    // the chaos monkey: kills are chained, never overlapping, and never block the load
    const kills: KillRecord[] = [];
    let killChain: Promise<void> = Promise.resolve();
    const kill = (phase: string) => {
      killChain = killChain.then(async () => {
        const at = mark();
        const s = performance.now();
        await cloud.stopWorkers();
        const stopMs = performance.now() - s;
        await sleep(options.pauseMs);
        cloud.startWorkers();
        kills.push({ phase, atSeconds: Math.round(at * 10) / 10, stopMs: Math.round(stopMs), deadMs: Math.round(performance.now() - s) });
        log(`  workers killed during ${phase} at ${at.toFixed(1)} s, back after ${Math.round(performance.now() - s)} ms`);
      });
    };
    const killAt = (phase: string, total: number, fractions: number[]) => {
      const pending = fractions.map((f) => Math.max(1, Math.floor(total * f)));
      return (done: number) => {
        while (pending.length > 0 && done >= pending[0]!) {
          pending.shift();
          kill(phase);
        }
      };
    };

    // 1. positions over REST, both tenants, bounded concurrency
    log(`creating ${workload.positions.length} positions (${workload.citizens.length} citizens) with concurrency ${options.concurrency}`);
    const created: Array<CreatedPosition | undefined> = new Array(workload.positions.length);
    const creationFailures: string[] = [];
    const tCreate = performance.now();
    await pool(
      workload.positions,
      options.concurrency,
      async (plan, i) => {
        const response = await api(plan.tenant, 'POST', `/organizations/${plan.tenant.fiscalCode}/debtpositions?toPublish=true`, positionBody(plan));
        if (response.status !== 201) {
          creationFailures.push(`${plan.iupd}: HTTP ${response.status} ${response.text.slice(0, 200)}`);
          return;
        }
        const opts = response.json.paymentOption as Array<{ nav: string; iuv: string }>;
        created[i] = { plan, navs: opts.map((o) => o.nav), iuvs: opts.map((o) => o.iuv) };
      },
      killAt('creation', workload.positions.length, [0.5]),
    );
    seconds['create'] = (performance.now() - tCreate) / 1000;
    log(`  created in ${seconds['create'].toFixed(1)} s (${creationFailures.length} failed)`);

    // 2. notices and new-notice messages flow before anything is paid
    const tNotices = performance.now();
    await killChain;
    await cloud.drain({ timeoutMs: options.drainTimeoutMs });
    seconds['noticesAndMessages'] = (performance.now() - tNotices) / 1000;
    log(`  notices and new-notice messages drained in ${seconds['noticesAndMessages'].toFixed(1)} s`);

    // 3. payments through the node simulator, in a shuffled order (installments out of order)
    type Task = { position: CreatedPosition; option: OptionPlan; index: number };
    const tasks: Task[] = [];
    for (const position of created) {
      if (!position) continue;
      position.plan.options.forEach((option, index) => {
        if (option.pay || option.ko) tasks.push({ position, option, index });
      });
    }
    const order = prng.shuffle(tasks);
    const delivered: Delivered[] = [];
    const late: Array<{ task: Task; receipt: Receipt }> = [];
    /** a receipt the run sent and the station took (the over-long one below is made from it) */
    let sampled: { task: Task; receipt: Receipt } | undefined;
    const payOne = (task: Task, extra: { receipt?: Receipt; ko?: boolean } = {}) =>
      payNotice({
        noticeNumber: task.position.navs[task.index]!,
        org: task.position.plan.tenant.fiscalCode,
        url: cloud.url,
        seedFile: layer.seedFile,
        jsonWebhook: task.option.delivery === 'json',
        receiptId: task.option.receiptId,
        log: () => {},
        ...extra,
      });
    const record = (task: Task, kind: Delivered['kind'], result: PayResult) =>
      delivered.push({
        key: `${task.position.plan.iupd}/${task.position.navs[task.index]}`,
        receiptId: task.option.receiptId,
        kind,
        delivery: task.option.delivery,
        outcome: result.outcome,
        ...(result.faultCode ? { faultCode: result.faultCode } : {}),
      });
    log(`paying: ${order.filter((t) => t.option.pay).length} OK receipts, ${order.filter((t) => t.option.ko).length} KO receipts, ${poisonBodies.length} poison messages`);
    const tPay = performance.now();
    await pool(
      order,
      options.concurrency,
      async (task) => {
        if (task.option.ko) {
          record(task, 'ko', await payOne(task, { ko: true }));
          return;
        }
        const first = await payOne(task);
        record(task, 'first', first);
        if (!sampled && first.receipt && first.outcome === 'OK') sampled = { task, receipt: first.receipt };
        if (!first.receipt || task.option.deliveries < 2) return;
        const copies = task.option.deliveries - 1;
        if (task.option.copies === 'late') {
          for (let c = 0; c < copies; c++) late.push({ task, receipt: first.receipt });
          return;
        }
        const results = await Promise.all(Array.from({ length: copies }, () => payOne(task, { receipt: first.receipt! })));
        for (const r of results) record(task, 'copy', r);
      },
      killAt('payments', order.length, [0.3, 0.65]),
    );
    seconds['payments'] = (performance.now() - tPay) / 1000;
    log(`  ${order.length} payments in ${seconds['payments'].toFixed(1)} s`);

    // an over-long receipt (a receiptId of 1,000 bytes) at both intakes: refused, never queued
    const refusedAtIntake: RefusedAtIntake[] = [];
    const chosen = sampled as { task: Task; receipt: Receipt } | undefined;
    if (chosen) {
      const receipt: Receipt = { ...chosen.receipt, receiptId: OVER_LONG_RECEIPT_ID };
      for (const delivery of ['soap', 'json'] as const) {
        const result = await payNotice({
          noticeNumber: receipt.noticeNumber,
          org: chosen.task.position.plan.tenant.fiscalCode,
          url: cloud.url,
          seedFile: layer.seedFile,
          jsonWebhook: delivery === 'json',
          receipt,
          log: () => {},
        });
        refusedAtIntake.push({ delivery, receiptId: receipt.receiptId, nav: receipt.noticeNumber, outcome: result.outcome, ...(result.faultCode ? { faultCode: result.faultCode } : {}) });
      }
    }

    // 4. late copies, shuffled (a copy may overtake another receipt of the same position)
    const tLate = performance.now();
    const lateOrder = prng.shuffle(late);
    await pool(
      lateOrder,
      options.concurrency,
      async ({ task, receipt }) => {
        record(task, 'copy', await payOne(task, { receipt }));
      },
      killAt('late copies', lateOrder.length, [0.5]),
    );
    if (lateOrder.length === 0) kill('late copies');
    seconds['lateCopies'] = (performance.now() - tLate) / 1000;

    // 5. drain: every queue empty (the poison messages in the DLQ), the stream caught up
    const tDrain = performance.now();
    await killChain;
    await cloud.drain({ timeoutMs: options.drainTimeoutMs });
    seconds['drain'] = (performance.now() - tDrain) / 1000;
    log(`  drained in ${seconds['drain'].toFixed(1)} s`);
    seconds['workload'] = mark() - (seconds['start'] ?? 0);

    // 6. the invariants
    const tVerify = performance.now();
    const injected = io.sim.state.requests;
    const verification = await verifyRun({
      layer,
      sqs,
      workload,
      created: created.filter((c): c is CreatedPosition => c !== undefined),
      creationFailures,
      delivered,
      refusedAtIntake,
      receivers,
      poisonBodies,
      poisonCreditor: tenants[0]!.fiscalCode,
    });
    seconds['verify'] = (performance.now() - tVerify) / 1000;

    // 7. reconciliation: FdR flows of what was paid, with injected discrepancies, then its invariants
    const tRecon = performance.now();
    await killChain;
    log('reconciliation: flows with injected discrepancies, late flows, revisions, treasury statements');
    const recon = await runReconciliation({
      layer,
      sqs,
      tenants,
      created: created.filter((c): c is CreatedPosition => c !== undefined),
      prng,
      drainTimeoutMs: options.drainTimeoutMs,
      log,
      killWorkers: async (phase, whileDead) => {
        const at = mark();
        const s = performance.now();
        await cloud.stopWorkers();
        const stopMs = performance.now() - s;
        await whileDead();
        const rest = options.pauseMs - (performance.now() - s - stopMs);
        if (rest > 0) await sleep(rest);
        cloud.startWorkers();
        kills.push({ phase, atSeconds: Math.round(at * 10) / 10, stopMs: Math.round(stopMs), deadMs: Math.round(performance.now() - s) });
        log(`  workers killed during ${phase} at ${at.toFixed(1)} s, back after ${Math.round(performance.now() - s)} ms`);
      },
    });
    seconds['reconciliation'] = (performance.now() - tRecon) / 1000;
    seconds['reconciliationVerify'] = recon.seconds['reconciliationVerify'] ?? 0;
    log(`  reconciliation phase in ${seconds['reconciliation'].toFixed(1)} s`);
    seconds['total'] = mark();

    const invariants = [...verification.invariants, ...recon.invariants];
    const violations = invariants.reduce((s, i) => s + i.violations, 0);
    const receiptsSent = delivered.length;
    const report: ChaosReport = {
      startedAt: startedAt.toISOString(),
      options: { positions: options.positions, seed: options.seed, concurrency: options.concurrency, pauseMs: options.pauseMs, receiptVisibilitySeconds: options.receiptVisibilitySeconds, drainTimeoutMs: options.drainTimeoutMs },
      ok: violations === 0 && kills.length >= 3,
      violations: violations + (kills.length >= 3 ? 0 : 1),
      seconds: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, Math.round(v * 10) / 10])),
      throughput: {
        positionsCreatedPerSecond: round(workload.positions.length / (seconds['create'] || 1)),
        paymentsPerSecond: round(order.length / (seconds['payments'] || 1)),
        receiptDeliveriesPerSecond: round(receiptsSent / ((seconds['payments'] ?? 0) + (seconds['lateCopies'] ?? 0) || 1)),
        positionsEndToEndPerSecond: round(workload.positions.length / (seconds['workload'] || 1)),
        ioMessagesPerSecond: round(verification.counts['ioMessages']! / (seconds['workload'] || 1)),
      },
      counts: {
        positions: workload.positions.length,
        citizens: workload.citizens.length,
        citizensOnIo: workload.citizens.filter((c) => c.onIo).length,
        ...countKinds(workload),
        okReceipts: order.filter((t) => t.option.pay).length,
        koReceipts: order.filter((t) => t.option.ko).length,
        receiptDeliveries: receiptsSent,
        deliveredTwice: order.filter((t) => t.option.pay && t.option.deliveries === 2).length,
        deliveredThrice: order.filter((t) => t.option.pay && t.option.deliveries === 3).length,
        jsonWebhookReceipts: order.filter((t) => t.option.delivery === 'json').length,
        poisonMessages: poisonBodies.length,
        refusedAtIntake: refusedAtIntake.length,
        ...verification.counts,
        ...recon.counts,
      },
      faults: {
        configured: DEFAULT_FAULTS,
        ioRequestsSeen: injected.length,
        ioRequestsSeenNote: 'the simulator keeps the latest 10,000 requests',
        io429: injected.filter((r) => r.status === 429 && r.injected).length,
        io500: injected.filter((r) => r.status === 500 && r.injected).length,
        ioNoAnswer: injected.filter((r) => r.status === 'no-answer').length,
        webhookTriesRefusedByReceivers: [...receivers.values()].reduce((s, r) => s + r.requests.filter((q) => q.status >= 300).length, 0),
      },
      kills,
      invariants,
      layerErrors: { count: layerErrorCount, sample: layerErrors },
    };
    return report;
  } finally {
    io.sim.setFaults({ rate429: 0, rate500: 0, timeoutRate: 0, latencyMs: 0 });
    for (const r of receivers.values()) await r.close().catch(() => undefined);
    sqs.destroy();
    await layer.stop();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function countKinds(workload: Workload): Record<string, number> {
  const out: Record<string, number> = { singlePositions: 0, installmentPositions: 0, mixedPositions: 0, options: 0 };
  for (const p of workload.positions) {
    out[p.kind === 'single' ? 'singlePositions' : p.kind === 'installments' ? 'installmentPositions' : 'mixedPositions']! += 1;
    out['options']! += p.options.length;
  }
  return out;
}
