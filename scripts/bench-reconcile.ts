/**
 * Reconciling one reporting flow of N lines (default 10,000) on the local stack: N paid positions
 * and their receipts are written straight into the table (setup, not measured), the FdR simulator
 * publishes one flow with a line per receipt transfer, and the layer's acquisition (FdR over HTTP:
 * list, header, payments pages of 1000; then matching and reporting every position) runs once.
 * Side by side, in the same run, a naive baseline over the same lines: one Query (the receipt
 * partition) and one write (the line) per line. Reports lines/s and DynamoDB requests per line
 * (counted by a middleware on the DynamoDB client of each run).
 *
 *   npm run bench:reconcile -- [--lines 10000] [--concurrency 16]
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalLayer, temporaryOutbox } from '../infra/local/layer';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { positionItem } from '../shared/adapters/dynamo/debt-position-store';
import { receiptPk } from '../shared/adapters/dynamo/keys';
import { DynamoReceiptStore } from '../shared/adapters/dynamo/receipt-store';
import { DynamoReportingFlowStore } from '../shared/adapters/dynamo/reporting-flow-store';
import { DynamoTreasuryStore } from '../shared/adapters/dynamo/treasury-store';
import { FdrHttpClient } from '../shared/adapters/fdr-client';
import type { DebtPosition } from '../shared/domain/debt-position';
import type { Receipt } from '../shared/domain/receipt';
import { acquireFlows } from '../shared/use-cases/reconciliation/acquire';
import { paidPosition } from '../test/fixtures/paid';

const ORG = '80001234568';
const FDR_KEY = 'demo-esempio-fdr-key-0123456789abcdef';
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

function counted(endpoint: string, region: string): { db: DynamoDBDocumentClient; counts: Map<string, number>; client: DynamoDBClient } {
  const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 8 });
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? '?');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCount' },
  );
  return { db: createDocumentClient(client), counts, client };
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
const describe = (counts: Map<string, number>) => [...counts.entries()].map(([k, v]) => `${k.replace(/Command$/, '')} ${v}`).join(', ');

/** The store with the span of each of its methods: from the first call's start to the last call's end (calls overlap). */
function timed<T extends object>(store: T): { store: T; phases: Map<string, { calls: number; from: number; to: number }> } {
  const phases = new Map<string, { calls: number; from: number; to: number }>();
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          const phase = phases.get(name) ?? { calls: 0, from: started, to: started };
          phases.set(name, { calls: phase.calls + 1, from: Math.min(phase.from, started), to: Math.max(phase.to, performance.now()) });
        }
      };
    },
  });
  return { store: proxy, phases };
}

async function pool<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

async function main(): Promise<void> {
  const lines = arg('lines', 10_000);
  const concurrency = arg('concurrency', 16);
  const layer = await startLocalLayer({ port: 0, log: () => {}, outboxDir: temporaryOutbox() });
  const { cloud } = layer;
  try {
    await cloud.stopWorkers();
    const table = cloud.env['TABLE_NAME_MAIN']!;
    const setup = counted(cloud.endpoints.dynamodb, cloud.region);
    const now = new Date();
    const iso = now.toISOString();
    const day = iso.slice(0, 10);
    console.log(`setup: ${lines} paid positions and receipts…`);
    const positions: DebtPosition[] = [];
    const receipts: Receipt[] = [];
    for (let i = 0; i < lines; i++) {
      const iuv = `12${String(9_000_000_000_000 + i).padStart(15, '0')}`;
      const { position, receipt } = paidPosition({ iupd: `BENCH-${i}`, iuv, receiptId: `bench${String(i).padStart(10, '0')}`, amount: 1000 + (i % 500), at: iso });
      positions.push(position);
      receipts.push(receipt);
    }
    const chunks: DebtPosition[][] = [];
    for (let i = 0; i < positions.length; i += 25) chunks.push(positions.slice(i, i + 25));
    await pool(chunks, 8, async (chunk) => {
      let pending: unknown[] = chunk.map((p) => ({ PutRequest: { Item: positionItem(p, { listed: true }) } }));
      while (pending.length > 0) {
        const r = await setup.db.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
        pending = (r.UnprocessedItems?.[table] ?? []) as unknown[];
      }
    });
    const receiptStore = new DynamoReceiptStore(setup.db, table);
    await pool([...receipts.keys()], 16, async (i) => {
      const r = receipts[i]!;
      await receiptStore.recordReceipt({ organizationFiscalCode: ORG, iuv: r.creditorReferenceId, nav: r.noticeNumber, receiptId: r.receiptId, state: 'APPLIED', iupd: positions[i]!.iupd, recordedAt: iso, receipt: r });
    });
    layer.fdr.sim.addReceipts(receipts.map((r) => ({ organizationFiscalCode: ORG, iuv: r.creditorReferenceId, receiptId: r.receiptId, pspId: r.idPSP, paymentDateTime: iso, transfers: [{ idTransfer: 1, amount: r.paymentAmount, fiscalCodePA: ORG }] })));
    const [flow] = await layer.fdr.sim.close(day);
    console.log(`flow ${flow!.fdr}: ${flow!.payments.length} lines, ${(flow!.sumPayments / 100).toFixed(2)} EUR`);

    // ---- the layer: acquisition + matching + reporting ----
    const run = counted(cloud.endpoints.dynamodb, cloud.region);
    const flowStore = timed(new DynamoReportingFlowStore(run.db, table));
    const fdrApi = timed(new FdrHttpClient(layer.fdr.apiUrl(cloud.url), { timeoutMs: 60_000 }));
    const started = performance.now();
    const result = await acquireFlows(
      {
        store: flowStore.store,
        treasury: new DynamoTreasuryStore(run.db, table),
        clock: () => new Date(),
        fdr: fdrApi.store,
        keyOf: async () => FDR_KEY,
        concurrency,
      },
      ORG,
    );
    const seconds = (performance.now() - started) / 1000;
    if (result.lines !== lines) throw new Error(`acquired ${result.lines} lines, expected ${lines}`);
    const flowKey = { organizationFiscalCode: ORG, flowId: flow!.fdr, pspId: flow!.pspId, revision: 1 };
    const stored = await new DynamoReportingFlowStore(setup.db, table).getFlow(flowKey);
    if (stored?.counts.MATCHED !== lines) throw new Error(`matched ${stored?.counts.MATCHED} of ${lines} lines`);

    // ---- naive baseline: one query + one write per line ----
    const naive = counted(cloud.endpoints.dynamodb, cloud.region);
    const naiveStarted = performance.now();
    await pool(flow!.payments, concurrency, async (line) => {
      const found = await naive.db.send(
        new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': receiptPk(ORG, line.iuv), ':p': `RECEIPT#${line.iur}` } }),
      );
      const matched = (found.Items ?? []).length > 0;
      await naive.db.send(new PutCommand({ TableName: table, Item: { pk: `NAIVE#${flow!.fdr}`, sk: `L#${line.index}`, line, state: matched ? 'MATCHED' : 'NO_RECEIPT' } }));
    });
    const naiveSeconds = (performance.now() - naiveStarted) / 1000;

    const rows = [
      { name: 'layer (acquire + match + report; FdR over HTTP)', seconds, counts: run.counts },
      { name: 'naive baseline (1 query + 1 write per line; match only, nothing reported)', seconds: naiveSeconds, counts: naive.counts },
    ];
    console.log(`\nReconciling one flow of ${lines} lines on the local stack (DynamoDB Local), concurrency ${concurrency}, ${new Date().toISOString()}`);
    console.log('| run | lines | seconds | lines/s | DynamoDB requests per line | commands |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const r of rows) console.log(`| ${r.name} | ${lines} | ${r.seconds.toFixed(1)} | ${(lines / r.seconds).toFixed(0)} | ${(total(r.counts) / lines).toFixed(3)} | ${describe(r.counts)} |`);
    console.log(`\nwhere the layer's time went (each store method from its first call to its last return; FdR's API over HTTP, then the store; the rest is matching in memory): ${[...fdrApi.phases.entries(), ...flowStore.phases.entries()].filter(([, p]) => p.to - p.from >= 50).map(([name, p]) => `${name} ${((p.to - p.from) / 1000).toFixed(1)} s${p.calls > 1 ? ` (${p.calls} calls)` : ''}`).join(', ')}`);
    console.log(`\ntarget: ≥ 500 lines/s, ≤ 1.2 requests/line → layer ${lines / seconds >= 500 ? 'meets' : 'MISSES'} the rate, ${total(run.counts) / lines <= 1.2 ? 'meets' : 'MISSES'} the request budget`);
    setup.client.destroy();
    run.client.destroy();
    naive.client.destroy();
  } finally {
    await layer.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
