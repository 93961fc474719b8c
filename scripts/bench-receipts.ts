/**
 * Receipts through the local stack: paSendRTV2 intake → SQS → receipt processor → DynamoDB.
 * Measures the intake rate (workers stopped, so only the SOAP function runs), the processing
 * rate (the receipts queue drained by the processor alone, polled as its catalog trigger says),
 * and the DynamoDB commands each phase sends per receipt (counted by the middleware platform()
 * puts on the one DynamoDB client of the process, which every function of the local cloud shares:
 * so nothing else runs while a phase is measured; the payment events are handled afterwards).
 *
 *   npm run bench:receipts -- [--n 200] [--concurrency 16]
 */
import { pathToFileURL } from 'node:url';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { functionById } from '../infra/catalog';
import { startLocalLayer, temporaryOutbox } from '../infra/local/layer';
import { QueueWorker } from '../infra/local/queue-worker';
import { buildNodeRequest, parseStationResponse, soapActionFor, type PaymentData, type Receipt } from '../shared/http/pagopa-soap';
import { dynamoCommandCounts } from '../shared/composition/platform';
import { receiptFor } from './pay';

const ORG = { fiscalCode: '80001234568', name: 'Comune di Esempio', brokerId: '80001234568', stationId: '80001234568_01' };
const KEY = 'demo-esempio-key-0123456789abcdef';

export interface BenchRow {
  readonly phase: string;
  readonly receipts: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly dynamoPerReceipt: number;
  readonly commands: string;
}

export function formatReceiptsTable(rows: readonly BenchRow[]): string {
  return [
    'Receipts through the local stack (paSendRTV2 → SQS → processor → table)',
    '| phase | receipts | seconds | receipts/s | DynamoDB requests per receipt | commands |',
    '|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.phase} | ${r.receipts} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(1)} | ${r.dynamoPerReceipt.toFixed(2)} | ${r.commands} |`),
  ].join('\n');
}

async function pool<T>(items: readonly T[], concurrency: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await run(items[i]!, i);
      }
    }),
  );
}

function snapshot(): Map<string, number> {
  return new Map(dynamoCommandCounts);
}

function delta(before: Map<string, number>): { total: number; byCommand: string } {
  const parts: string[] = [];
  let total = 0;
  for (const [name, count] of dynamoCommandCounts) {
    const d = count - (before.get(name) ?? 0);
    if (d > 0) {
      total += d;
      parts.push(`${name.replace(/Command$/, '')} ${d}`);
    }
  }
  return { total, byCommand: parts.join(', ') };
}

export async function benchReceipts(opts: { n?: number; concurrency?: number; log?: (line: string) => void } = {}): Promise<BenchRow[]> {
  const n = opts.n ?? 200;
  const concurrency = opts.concurrency ?? 16;
  const log = opts.log ?? ((line: string) => console.log(line));
  // the handlers' per-request logs would drown the table (and cost time): warnings and errors only
  process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
  // the whole layer, simulators included: the payment events also reach App IO and notices
  const { cloud } = await startLocalLayer({ port: 0, log: () => {}, outboxDir: temporaryOutbox() });
  try {
    const base = cloud.url;
    const soap = async (operation: 'paGetPaymentV2' | 'paSendRTV2', body: string) => {
      const res = await fetch(`${base}/pagopa/paForNode`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapActionFor(operation) },
        body,
      });
      const parsed = parseStationResponse(await res.text(), { expected: operation });
      if (parsed.kind !== 'response' || parsed.outcome !== 'OK') throw new Error(`${operation} failed: ${JSON.stringify(parsed)}`);
      return parsed;
    };
    const ids = { idPA: ORG.fiscalCode, idBrokerPA: ORG.brokerId, idStation: ORG.stationId };

    // setup (not measured): n published positions and, for each, the payment data the node gets
    log(`setting up ${n} positions…`);
    const receipts: Receipt[] = new Array(n);
    await pool(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
      const res = await fetch(`${base}/organizations/${ORG.fiscalCode}/debtpositions?toPublish=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Ocp-Apim-Subscription-Key': KEY },
        body: JSON.stringify({
          iupd: `BENCH-${Date.now()}-${i}`,
          type: 'F',
          fiscalCode: 'RCCMNL83S18D969H',
          fullName: 'Mario Rossi',
          companyName: ORG.name,
          paymentOption: [
            {
              amount: 12050,
              description: 'TARI 2026',
              isPartialPayment: false,
              dueDate: '2099-03-31',
              transfer: [{ idTransfer: '1', amount: 12050, remittanceInformation: 'TARI 2026', category: '9/0101108TS/', iban: 'IT78L0306909606100000117002' }],
            },
          ],
        }),
      });
      if (res.status !== 201) throw new Error(`create position: ${res.status} ${await res.text()}`);
      const nav = ((await res.json()) as { paymentOption: Array<{ nav: string }> }).paymentOption[0]!.nav;
      const got = await soap('paGetPaymentV2', buildNodeRequest('paGetPaymentV2', { ...ids, qrCode: { fiscalCode: ORG.fiscalCode, noticeNumber: nav } }));
      receipts[i] = receiptFor(ORG, { noticeNumber: nav }, (got as { data: PaymentData }).data);
    });
    await cloud.drain();

    const rows: BenchRow[] = [];
    // 1. intake alone: the SOAP function validates, reads the option, sends to SQS
    await cloud.stopWorkers();
    let before = snapshot();
    let started = performance.now();
    await pool(receipts, concurrency, async (receipt) => {
      await soap('paSendRTV2', buildNodeRequest('paSendRTV2', { ...ids, receipt }));
    });
    let seconds = (performance.now() - started) / 1000;
    let d = delta(before);
    rows.push({ phase: 'intake (paSendRTV2 → SQS)', receipts: n, seconds, perSecond: n / seconds, dynamoPerReceipt: d.total / n, commands: d.byCommand });

    // 2. processing alone: the processor drains the receipts queue (batches and pollers as its
    // catalog trigger says); the other consumers wait, so only its DynamoDB commands are counted
    before = snapshot();
    started = performance.now();
    await drainReceiptsQueue(cloud);
    seconds = (performance.now() - started) / 1000;
    d = delta(before);
    rows.push({ phase: 'processor (SQS → DynamoDB)', receipts: n, seconds, perSecond: n / seconds, dynamoPerReceipt: d.total / n, commands: d.byCommand });
    // then everything the payments caused (events, App IO, notices), not measured
    cloud.startWorkers();
    await cloud.drain({ timeoutMs: 300_000 });

    // check: every position is PAID (a benchmark of lost receipts would be worthless)
    // the list brings the payments into its counts first (503 + Retry-After while more remain)
    let paid = await fetch(`${base}/organizations/${ORG.fiscalCode}/debtpositions?page=0&status=PAID&limit=1`, { headers: { 'Ocp-Apim-Subscription-Key': KEY } });
    for (let tries = 0; paid.status === 503 && tries < 20; tries++) {
      await new Promise((r) => setTimeout(r, 1000 * Number(paid.headers.get('retry-after') ?? 1)));
      paid = await fetch(`${base}/organizations/${ORG.fiscalCode}/debtpositions?page=0&status=PAID&limit=1`, { headers: { 'Ocp-Apim-Subscription-Key': KEY } });
    }
    const pages = ((await paid.json()) as { page_info: { total_pages: number } }).page_info.total_pages;
    if (pages !== n) throw new Error(`expected ${n} PAID positions, found ${pages}`);

    const total = rows.reduce((s, r) => s + r.seconds, 0);
    rows.push({
      phase: 'end to end (sum of both)',
      receipts: n,
      seconds: total,
      perSecond: n / total,
      dynamoPerReceipt: rows.reduce((s, r) => s + r.dynamoPerReceipt, 0),
      commands: '',
    });
    printTable(rows, log);
    return rows;
  } finally {
    await cloud.stop();
  }
}

/** Runs the receipt processor's own poller until the receipts queue is empty. */
async function drainReceiptsQueue(cloud: Awaited<ReturnType<typeof startLocalLayer>>['cloud']): Promise<void> {
  const queueUrl = cloud.env['QUEUE_URL_RECEIPTS'];
  if (queueUrl === undefined) throw new Error('the local cloud has no receipts queue');
  const sqs = new SQSClient({ region: cloud.region, endpoint: cloud.endpoints.sqs });
  try {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const trigger = functionById('receipt-processor').triggers.find((t) => t.kind === 'queue');
    if (trigger?.kind !== 'queue') throw new Error('receipt-processor has no queue trigger');
    const worker = new QueueWorker({
      functionId: 'receipt-processor',
      queueUrl,
      queueArn: Attributes?.QueueArn ?? '',
      region: cloud.region,
      batchSize: trigger.batchSize,
      maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
      maxConcurrency: trigger.maxConcurrency ?? 2,
      sqs,
      invoke: cloud.invoke,
      log: () => {},
    });
    worker.start();
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { Attributes: a = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      if (Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) === 0) break;
      if (Date.now() > deadline) throw new Error('the receipts queue was not drained in 5 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    await worker.stop();
  } finally {
    sqs.destroy();
  }
}

function printTable(rows: readonly BenchRow[], log: (line: string) => void): void {
  const header = ['phase', 'receipts', 'seconds', 'receipts/s', 'DynamoDB req/receipt', 'commands'];
  const body = rows.map((r) => [r.phase, String(r.receipts), r.seconds.toFixed(2), r.perSecond.toFixed(1), r.dynamoPerReceipt.toFixed(2), r.commands]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  log(line(header));
  log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const b of body) log(line(b));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  await benchReceipts({ n: arg('n') ?? 200, concurrency: arg('concurrency') ?? 16 });
  process.exit(0);
}
