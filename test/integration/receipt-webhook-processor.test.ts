/**
 * The signed JSON receipt webhook and the receipt processor on the local cloud: signature checks
 * (nothing is queued for a refused call), the JSON model in euro, and partial batch failures.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../infra/local/cloud';
import { startLocalLayer, temporaryOutbox } from '../../infra/local/layer';
import { payNotice, toJsonReceipt } from '../../scripts/pay';
import { RECEIPT_SIGNATURE_HEADER, receiptSignature, signReceiptRequest } from '../../shared/http/receipt-signature';
import type { Receipt } from '../../shared/domain/receipt';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { receiptSchema } from '../../events/receipt';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoReceiptStore } from '../../shared/adapters/dynamo/receipt-store';
import { MAX_RECEIPT_ID_BYTES } from '../../shared/domain/receipt';
import { option } from '../fixtures/positions';
import { ESEMPIO_FC, ESEMPIO_SECRET, api, createPosition } from '../fixtures/station';
import { largestReceipt } from '../unit/receipts/largest-receipt';
import { receiptFor } from '../unit/receipts/fakes';

let cloud: LocalCloud;
let base: string;
const quiet = () => {};

beforeAll(async () => {
  // the layer as npm start runs it: simulators mounted, so no consumer waits on the real IO
  cloud = (await startLocalLayer({ port: 0, log: quiet, outboxDir: temporaryOutbox() })).cloud;
  base = cloud.url;
});

afterAll(async () => {
  await cloud?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const positionOf = async (iupd: string) => (await api(base, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`)).json;

/** A receipt for a fresh position, built by the node simulator's verify + get payment (not sent). */
async function freshReceipt(): Promise<{ iupd: string; iuv: string; receipt: Receipt }> {
  const p = await createPosition(base);
  const nav = p.options[0]!.nav;
  // a KO-free dry run: verify and get payment only, by asking payNotice for a receipt then dropping it
  const run = await payNotice({ noticeNumber: nav, url: base, log: quiet, jsonWebhook: true, receiptId: `probe-${randomUUID()}`, ko: true });
  await cloud.drain();
  return { iupd: p.iupd, iuv: p.options[0]!.iuv, receipt: { ...run.receipt!, outcome: 'OK', receiptId: randomUUID().replace(/-/g, '') } };
}

async function post(body: string, signature: string | undefined): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/receipts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature !== undefined ? { [RECEIPT_SIGNATURE_HEADER]: signature } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('POST /receipts (signed JSON webhook)', () => {
  // The 5-minute window to the second (300 s accepted, 301 s refused, both ways) is checked with a
  // fixed clock in test/unit/receipts/receipt-webhook.test.ts: here the clock is the machine's and
  // moves between the requests, so a signature "301 s ahead" taken before them may be 300 s ahead
  // of the clock that checks it. The timestamps below are refused whatever the requests take.
  it('refuses missing, bad, stale and replayed-with-another-body signatures, and queues nothing', async () => {
    const { iupd, iuv, receipt } = await freshReceipt();
    const body = JSON.stringify(toJsonReceipt(receipt));
    const t = now();
    const refused = [
      await post(body, undefined),
      await post(body, 'v1=abc'),
      await post(body, `t=${t},v1=${receiptSignature('not-the-secret', t, body)}`),
      await post(body, signReceiptRequest(ESEMPIO_SECRET, body, now() - 301)),
      await post(body, signReceiptRequest(ESEMPIO_SECRET, body, now() + 3600)),
    ];
    // a captured valid signature replayed on another body (a bigger amount)
    const captured = signReceiptRequest(ESEMPIO_SECRET, body, t);
    const tampered = JSON.stringify({ ...toJsonReceipt(receipt), paymentAmount: 999.99 });
    refused.push(await post(tampered, captured));
    // another tenant's secret cannot sign for this tenant
    refused.push(await post(body, signReceiptRequest('demo-altrove-webhook-secret-0123456789', body, t)));
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect(refused.every((r) => r.json.title === 'Unauthorized')).toBe(true);

    await cloud.drain();
    expect((await positionOf(iupd)).status).toBe('VALID');
    expect((await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/${iuv}`)).json.receipts.filter((r: { state: string }) => r.state === 'APPLIED')).toEqual([]);
  });

  it('a well-signed receipt (euro amounts) is queued (202), applied, re-delivery is 200, another receipt 409', async () => {
    const { iupd, iuv, receipt } = await freshReceipt();
    const body = JSON.stringify(toJsonReceipt(receipt));
    expect(JSON.parse(body).paymentAmount).toBe(120.5);
    const accepted = await post(body, signReceiptRequest(ESEMPIO_SECRET, body, now()));
    expect([accepted.status, accepted.json.outcome]).toEqual([202, 'queued']);
    await cloud.drain();
    const position = await positionOf(iupd);
    expect(position.status).toBe('PAID');
    expect(position.paymentOption[0].idReceipt).toBe(receipt.receiptId);

    const again = await post(body, signReceiptRequest(ESEMPIO_SECRET, body, now()));
    expect([again.status, again.json.outcome]).toEqual([200, 'already-applied']);
    const otherBody = JSON.stringify(toJsonReceipt({ ...receipt, receiptId: 'a-different-receipt' }));
    const other = await post(otherBody, signReceiptRequest(ESEMPIO_SECRET, otherBody, now()));
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ title: 'Conflict', status: 409 });
    // refused to the sender, kept for the refund: once, however often it is re-sent
    expect((await post(otherBody, signReceiptRequest(ESEMPIO_SECRET, otherBody, now()))).status).toBe(409);
    await cloud.drain();
    const anomalies = (await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/anomalies?limit=100`)).json.anomalies as Array<{ receiptId: string; kind: string }>;
    expect(anomalies.filter((a) => a.receiptId === 'a-different-receipt').map((a) => a.kind)).toEqual(['ALREADY_PAID']);
    const applied = (await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/${iuv}`)).json.receipts.filter((r: { state: string }) => r.state === 'APPLIED');
    expect(applied.map((r: { receiptId: string }) => r.receiptId)).toEqual([receipt.receiptId]);
  });

  it('a body that breaks the model is a 400 naming the fields (after the signature checked out)', async () => {
    const { receipt } = await freshReceipt();
    const body = JSON.stringify({ ...toJsonReceipt(receipt), paymentAmount: 12.345, noticeNumber: 'abc' });
    const res = await post(body, signReceiptRequest(ESEMPIO_SECRET, body, now()));
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['paymentAmount']);
  });
});

describe('receipt processor', () => {
  const record = (body: string) => ({
    messageId: randomUUID(),
    receiptHandle: 'h',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-south-1:000000000000:receipts',
    awsRegion: 'eu-south-1',
  });

  it('reports only the poison messages of a batch; the others are applied', async () => {
    const one = await freshReceipt();
    const two = await freshReceipt();
    const records = [
      record(JSON.stringify(one.receipt)),
      record('{not json'),
      record(JSON.stringify({ ...two.receipt, paymentAmount: 'a lot' })),
      record(JSON.stringify(two.receipt)),
      record(JSON.stringify(one.receipt)), // the same receipt twice in one batch
    ];
    const result = (await cloud.invoke('receipt-processor', { Records: records } as SQSEvent)) as SQSBatchResponse;
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([records[1]!.messageId, records[2]!.messageId].sort());
    expect((await positionOf(one.iupd)).status).toBe('PAID');
    expect((await positionOf(two.iupd)).status).toBe('PAID');
    expect((await positionOf(one.iupd)).version).toBe(2);
  });
});

describe('what storage can hold (DynamoDB Local enforces the key limits)', () => {
  const store = () => {
    const client = new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return { client, receipts: new DynamoReceiptStore(createDocumentClient(client), cloud.env['TABLE_NAME_MAIN']!) };
  };
  const stored = (receipt: Receipt) => ({
    organizationFiscalCode: receipt.fiscalCode,
    iuv: receipt.creditorReferenceId,
    nav: receipt.noticeNumber,
    receiptId: receipt.receiptId,
    state: 'KO' as const,
    recordedAt: new Date().toISOString(),
    receipt,
  });

  it('the heaviest receipt the contract takes in is stored, as a receipt and as an anomaly', async () => {
    const { client, receipts } = store();
    try {
      const largest = largestReceipt({ receiptId: `${'r'.repeat(MAX_RECEIPT_ID_BYTES - 8)}${randomUUID().slice(0, 8)}`, outcome: 'KO' });
      expect(receiptSchema.safeParse(largest).success).toBe(true);
      expect(await receipts.recordReceipt(stored(largest))).toBe(true);
      const { state: _state, ...rest } = stored(largest);
      expect(await receipts.recordAnomaly({ ...rest, kind: 'AMOUNT_MISMATCH', detail: 'x' })).toBe(true);
      expect((await receipts.receiptsOf(largest.fiscalCode, largest.creditorReferenceId)).map((r) => r.receiptId)).toContain(largest.receiptId);
    } finally {
      client.destroy();
    }
  });

  it('a receiptId of a thousand bytes cannot be a key (what the intakes now refuse at the edge)', async () => {
    const { client, receipts } = store();
    try {
      const tooLong = receiptFor(option(), { receiptId: 'r'.repeat(1000), outcome: 'KO' });
      expect(receiptSchema.safeParse(tooLong).success).toBe(false);
      await expect(receipts.recordReceipt(stored(tooLong))).rejects.toThrow(/size|length|limit/i);
    } finally {
      client.destroy();
    }
  });

  it('the webhook refuses it with 400 naming receiptId, before anything is queued (never 202 and then lost)', async () => {
    const { iupd, receipt } = await freshReceipt();
    for (const receiptId of ['r'.repeat(1000), '€'.repeat(400)]) {
      const body = JSON.stringify({ ...toJsonReceipt(receipt), receiptId });
      const res = await post(body, signReceiptRequest(ESEMPIO_SECRET, body, now()));
      expect([res.status, res.json.errors.map((e: { field: string }) => e.field)]).toEqual([400, ['receiptId']]);
    }
    await cloud.drain();
    expect((await positionOf(iupd)).status).toBe('VALID');
  });
});
