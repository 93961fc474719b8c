/**
 * Bulk upload vs the REST loop, on the local stack, in the same run with the same positions:
 *
 *   npm run bench:upload [-- --positions 10000 --rest 10000 --publish --installments 3]
 *
 * 1. N positions in one GPD file (a ZIP of one JSON), POSTed to …/debtpositions/file, timed from
 *    the POST to the report (status polled every 250 ms, then GET …/report);
 * 2. the same N positions (other iupds) created one by one with POST …/debtpositions by 8
 *    concurrent clients.
 * Each position has one option and one transfer, or `--installments n` options of one transfer
 * each (a plan in n installments: isPartialPayment, due dates a month apart).
 * Positions are created DRAFT (?toPublish=false on both) unless --publish: a published position
 * also renders its notice and sends its App IO message, work that is the same on both paths and
 * would only slow the machine down for both (the upload publishes by default, as GPD's does).
 *
 * DynamoDB write requests (PutItem, UpdateItem, DeleteItem, TransactWriteItems, BatchWriteItem)
 * are attributed to each path with AsyncLocalStorage around the stores' methods (the upload
 * store, and the positions store's create + IUV allocation), so the event dispatcher and the
 * other consumers running at the same time are not counted. Memory: the peak RSS and heap of this
 * one process (the whole local cloud: an upper bound of a worker's).
 * pagoPA's published figure, as a baseline: "Mediamente il caricamento massivo di 10K posizioni
 * debitorie dura circa 2 minuti" (DevTalk pagoPA GPD massive, developer.pagopa.it/webinars).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parseArgs } from 'node:util';
import { strToU8, zipSync } from 'fflate';
import { DynamoDebtPositionStore } from '../shared/adapters/dynamo/debt-position-store';
import { DynamoUploadStore } from '../shared/adapters/dynamo/upload-store';
import { platform } from '../shared/composition/platform';
import { positionRequest } from '../test/fixtures/positions';
import { ESEMPIO_FC, ESEMPIO_KEY, startLocalStack } from '../test/support/local-stack';

const { values } = parseArgs({ options: { positions: { type: 'string', default: '10000' }, rest: { type: 'string' }, publish: { type: 'boolean', default: false }, installments: { type: 'string', default: '1' } } });
const installments = Number(values.installments);
const n = Number(values.positions);
const restN = Number(values.rest ?? values.positions);
const publish = values.publish ?? false;
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);

const label = new AsyncLocalStorage<string>();
const writes = new Map<string, number>();
const requests = new Map<string, number>();
function attribute(proto: object, methods: readonly string[], name: string): void {
  for (const method of methods) {
    const original = (proto as Record<string, (...args: unknown[]) => unknown>)[method]!;
    (proto as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
      return label.getStore() ? original.apply(this, args) : label.run(name, () => original.apply(this, args));
    };
  }
}
attribute(DynamoUploadStore.prototype, ['create', 'get', 'startSplit', 'endSplit', 'refuse', 'recordChunk', 'chunkRecorded', 'complete', 'cancel', 'chunkIuvBases', 'existing', 'createMany'], 'upload');
attribute(DynamoDebtPositionStore.prototype, ['create', 'allocateIuvBases'], 'rest');

const stack = await startLocalStack();
platform().db.middlewareStack.add(
  (next, context) => async (args) => {
    const who = label.getStore();
    if (who) {
      const command = String(context.commandName);
      requests.set(who, (requests.get(who) ?? 0) + 1);
      if (WRITES.has(command)) writes.set(who, (writes.get(who) ?? 0) + 1);
    }
    return next(args);
  },
  { step: 'initialize', name: 'benchUploadAttribution' },
);

let peak = { rss: 0, heap: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heapUsed) };
}, 100);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

try {
  const run = Date.now().toString(36).toUpperCase();
  const plan = (body: Record<string, any>) => {
    if (installments <= 1) return body;
    const [option] = body['paymentOption'];
    const amount = 12000;
    body['paymentOption'] = Array.from({ length: installments }, (_, k) => ({
      ...option,
      amount: amount / installments,
      description: `TARI 2026 - rata ${k + 1} di ${installments}`,
      isPartialPayment: true,
      dueDate: `2099-${String(3 + k).padStart(2, '0')}-31`.replace('-04-31', '-04-30').replace('-06-31', '-06-30'),
      transfer: [{ ...option.transfer[0], amount: amount / installments }],
    }));
    return body;
  };
  const bodies = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => plan(positionRequest({ iupd: `${prefix}-${run}-${String(i).padStart(6, '0')}`, fullName: `Cittadino ${i}` })));
  const files = `/brokers/${ESEMPIO_FC}/organizations/${ESEMPIO_FC}/debtpositions`;

  // ---- 1. the upload ----
  const json = `{"paymentPositions":[\n${bodies('UPL', n).map((p) => JSON.stringify(p)).join(',\n')}\n]}`;
  const zip = zipSync({ 'positions.json': strToU8(json) }, { level: 6 });
  const before = process.memoryUsage();
  peak = { rss: before.rss, heap: before.heapUsed };
  const t0 = Date.now();
  const form = new FormData();
  form.append('file', new Blob([zip]), 'positions.zip');
  const posted = await fetch(`${stack.url}${files}/file?toPublish=${publish}`, { method: 'POST', headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO_KEY }, body: form });
  if (posted.status !== 202) throw new Error(`upload: ${posted.status} ${await posted.text()}`);
  const accepted = Date.now() - t0;
  const fileId = /file\/([^/]+)\/status/.exec(posted.headers.get('location') ?? '')![1]!;
  let status: any;
  for (;;) {
    status = (await stack.api('GET', `${files}/file/${fileId}/status`)).json;
    if (status.operationStatus !== 'IN_PROGRESS') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const report = await stack.api('GET', `${files}/file/${fileId}/report`);
  const uploadSeconds = (Date.now() - t0) / 1000;
  const uploadPeak = peak;
  if (report.status !== 200 || status.acceptedItem !== n) throw new Error(`upload ended ${status.operationStatus}: ${JSON.stringify(status)}`);
  const uploadWrites = writes.get('upload') ?? 0;
  const uploadRequests = requests.get('upload') ?? 0;
  await stack.cloud.drain({ timeoutMs: 900_000 });

  // ---- 2. the REST loop, 8 clients ----
  const restBodies = bodies('REST', restN);
  const r0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < restBodies.length; i = next++) {
        const r = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=${publish}`, { body: restBodies[i] });
        if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
      }
    }),
  );
  const restSeconds = (Date.now() - r0) / 1000;
  const restWrites = writes.get('rest') ?? 0;
  const restRequests = requests.get('rest') ?? 0;

  const uploadRate = n / uploadSeconds;
  const restRate = restN / restSeconds;
  const lines = [
    `bench:upload ${new Date().toISOString()} (Node ${process.version}, local stack in one process; positions ${publish ? 'published' : 'DRAFT'}, ${installments === 1 ? 'one option' : `${installments} installments`} of one transfer)`,
    `file: ${n} positions, ${(json.length / 1024 / 1024).toFixed(1)} MB of JSON, ${(zip.length / 1024).toFixed(0)} KB zipped; 202 in ${accepted} ms`,
    `upload → report   ${uploadSeconds.toFixed(1)} s   ${uploadRate.toFixed(0)} positions/s   DynamoDB ${(uploadWrites / n).toFixed(3)} write requests/position (${uploadWrites} writes, ${uploadRequests} requests in all)`,
    `                  peak memory of the process: RSS ${mb(uploadPeak.rss)} (+${mb(uploadPeak.rss - before.rss)}), heap ${mb(uploadPeak.heap)} (+${mb(uploadPeak.heap - before.heapUsed)})`,
    `REST, 8 clients   ${restSeconds.toFixed(1)} s for ${restN}   ${restRate.toFixed(0)} positions/s   DynamoDB ${(restWrites / restN).toFixed(3)} write requests/position (${restWrites} writes, ${restRequests} requests in all)`,
    `upload / REST     ${(uploadRate / restRate).toFixed(1)}× the positions/s`,
    `pagoPA (published figure): ~10,000 positions in ~2 minutes ≈ 83 positions/s`,
    `targets: 10,000 in ≤ 60 s (${n === 10_000 ? (uploadSeconds <= 60 ? 'met' : 'NOT met') : 'n/a'}), ≥ 3× REST (${uploadRate / restRate >= 3 ? 'met' : 'NOT met'}), ≤ 1.5 writes/position (${uploadWrites / n <= 1.5 ? 'met' : 'NOT met'})`,
  ];
  console.log(lines.join('\n'));
} finally {
  clearInterval(sampler);
  await stack.stop();
}
