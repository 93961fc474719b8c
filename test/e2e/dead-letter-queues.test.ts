/**
 * A receipt that cannot be applied, on the local stack, from the node's OK to the money applied:
 * its processing fails on every receive (the position's data is broken), so on the last receive it
 * is kept as an UNPROCESSABLE anomaly (listed by GET …/receipts/anomalies) and SQS parks it in
 * receipts-dlq; the operator lists and shows it with the admin CLI (`npm run admin -- dlq …`, a
 * child process, as it is run), repairs the data, redrives the DLQ, and the receipt is applied.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetQueueAttributesCommand, SQSClient, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { catalog } from '../../infra/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../infra/local/cloud';
import { startLocalLayer, temporaryOutbox } from '../../infra/local/layer';
import { receiptFor } from '../../scripts/pay';
import { ESEMPIO_FC, ESEMPIO_IDS, api, createPosition, soapCall } from '../fixtures/station';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** each admin command is a fresh `npx tsx` process: seconds apiece on a busy machine */
const SLOW = 240_000;

let cloud: LocalCloud;
let dir: string;
let env: Record<string, string>;
let sqs: SQSClient;
let db: DynamoDBDocumentClient;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function admin(args: readonly string[]): Promise<Run> {
  return new Promise((done) => {
    execFile('npx', ['tsx', 'scripts/admin.ts', ...args], { cwd: REPO, env: { ...process.env, ...env }, timeout: 90_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  cloud = (await startLocalLayer({ port: 0, log: () => {}, outboxDir: temporaryOutbox() })).cloud;
  dir = mkdtempSync(join(tmpdir(), 'dlq-'));
  // what `npm start` records for the admin CLI, with the stack's SQS endpoint
  const state = join(dir, 'local-cloud.json');
  writeFileSync(state, JSON.stringify({ url: cloud.url, dynamodb: cloud.endpoints.dynamodb, sqs: cloud.endpoints.sqs, table: cloud.env['TABLE_NAME_MAIN'], region: cloud.region }));
  env = { LOCAL_STATE_FILE: state };
  const local = { region: cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  sqs = new SQSClient({ ...local, endpoint: cloud.endpoints.sqs });
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: cloud.endpoints.dynamodb }));
});

afterAll(async () => {
  sqs?.destroy();
  db?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await cloud?.stop();
});

async function dlqDepth(): Promise<number> {
  const a = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: cloud.env['QUEUE_URL_RECEIPTS_DLQ'], AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(a.Attributes?.['ApproximateNumberOfMessages'] ?? 0) + Number(a.Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('dead-letter queues: a receipt parked, visible, redriven and applied', () => {
  it('admin dlq rejects what it cannot do, in one line (exit 2)', async () => {
    const [unknown, noQueue] = await Promise.all([admin(['dlq', 'list', 'nope']), admin(['dlq', 'redrive'])]);
    expect([unknown.code, unknown.stderr]).toEqual([2, `admin: unknown queue nope (${catalog.queues.map((q) => q.id).join(', ')}) (npm run admin -- --help)\n`]);
    expect(noQueue.code).toBe(2);
    expect(noQueue.stderr).toContain('dlq redrive needs a queue');
  }, SLOW);

  it('kept as UNPROCESSABLE on its last receive, listed, shown, redriven after the fix, applied', async () => {
    const { iupd, options } = await createPosition(cloud.url);
    const nav = options[0]!.nav;
    const qrCode = { fiscalCode: ESEMPIO_FC, noticeNumber: nav };
    const got = await soapCall(cloud.url, 'paGetPaymentV2', { ...ESEMPIO_IDS, qrCode });
    if (got.response.operation !== 'paGetPaymentV2' || !got.response.data) throw new Error('no payment data');
    const receipt = receiptFor({ fiscalCode: ESEMPIO_FC, name: 'Comune di Esempio' }, { noticeNumber: nav, receiptId: 'dlq-e2e-receipt-0001' }, got.response.data);
    await cloud.drain();

    // the node is answered OK while the workers are down; then the position's data breaks
    await cloud.stopWorkers();
    const sent = await soapCall(cloud.url, 'paSendRTV2', { ...ESEMPIO_IDS, receipt });
    expect(sent.response.outcome).toBe('OK');
    const key = { pk: `POS#${ESEMPIO_FC}#${iupd}`, sk: 'POSITION' };
    const table = cloud.env['TABLE_NAME_MAIN']!;
    const original = (await db.send(new GetCommand({ TableName: table, Key: key }))).Item!;
    await db.send(new UpdateCommand({ TableName: table, Key: key, UpdateExpression: 'SET #p.paymentOptions = :broken', ExpressionAttributeNames: { '#p': 'position' }, ExpressionAttributeValues: { ':broken': 'broken' } }));
    // five receives one second apart instead of 5 × 180 s
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: cloud.env['QUEUE_URL_RECEIPTS'], Attributes: { VisibilityTimeout: '1' } }));
    cloud.startWorkers();
    await waitFor('the receipt in receipts-dlq', async () => (await dlqDepth()) === 1);

    // visible through the API before anyone looks at the DLQ
    const anomalies = (await api(cloud.url, 'GET', `/organizations/${ESEMPIO_FC}/receipts/anomalies`)).json.anomalies as Array<Record<string, any>>;
    const kept = anomalies.filter((a) => a['receiptId'] === receipt.receiptId);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ kind: 'UNPROCESSABLE', nav, iuv: receipt.creditorReferenceId, receipt: { receiptId: receipt.receiptId, paymentAmount: receipt.paymentAmount } });
    expect(kept[0]!['detail']).toMatch(/^processing failed on every receive: /);

    const listed = await admin(['dlq', 'list', 'receipts', '--json']);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    const summary = JSON.parse(listed.stdout) as { depth: number; messages: Array<{ messageId: string; body: string; receiveCount: number }> };
    expect(summary.depth).toBe(1);
    expect(summary.messages).toHaveLength(1);
    const parked = summary.messages[0]!;
    expect(parked.messageId).toBe(kept[0]!['messageId']);
    expect(JSON.parse(parked.body)).toEqual(receipt);
    const all = await admin(['dlq', 'list']);
    expect(all.stdout).toMatch(/receipts-dlq\s+1 message\n/);

    const shown = await admin(['dlq', 'show', 'receipts-dlq', '--message-id', parked.messageId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Message ${parked.messageId} in receipts-dlq`);
    expect(shown.stdout).toContain('"receiptId": "dlq-e2e-receipt-0001"');
    // list and show took nothing
    expect(await dlqDepth()).toBe(1);

    // the fix: the position's data repaired; then the redrive, and the receipt is applied
    await db.send(new PutCommand({ TableName: table, Item: original }));
    const redriven = await admin(['dlq', 'redrive', 'receipts', '--json']);
    expect([redriven.code, JSON.parse(redriven.stdout)]).toEqual([0, { queue: 'receipts', deadLetterQueue: 'receipts-dlq', kind: 'moved', moved: 1 }]);
    await cloud.drain();
    await waitFor('the payment', async () => (await api(cloud.url, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`)).json.status === 'PAID');
    const receipts = (await api(cloud.url, 'GET', `/organizations/${ESEMPIO_FC}/receipts/${receipt.creditorReferenceId}`)).json;
    expect(receipts).toMatchObject({ paidBy: receipt.receiptId, receipts: [{ receiptId: receipt.receiptId, state: 'APPLIED' }] });
    expect(await dlqDepth()).toBe(0);
    const empty = JSON.parse((await admin(['dlq', 'list', 'receipts', '--json'])).stdout) as { depth: number };
    expect(empty.depth).toBe(0);
  }, SLOW);
});
