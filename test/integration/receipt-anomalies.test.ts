/**
 * Anomalies and their notes against DynamoDB Local (shared/adapters/dynamo/receipt-store.ts): the
 * filters by kind and state hold across pages (DynamoDB filters after its Limit, so a page may
 * need several reads), the open count follows the last note, and a note reaches only an anomaly
 * of its own tenant.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoReceiptStore } from '../../shared/adapters/dynamo/receipt-store';
import { ANOMALY_KINDS } from '../../shared/domain/receipt';
import type { AnomalyFilter, ReceiptAnomaly } from '../../shared/use-cases/receipts/ports';

let cloud: LocalCloud;
let client: DynamoDBClient;
let store: DynamoReceiptStore;
const OFC = '01234567890';
const OTHER = '09876543210';
const actor = { organizationFiscalCode: OFC, keyId: 'console', requestId: 'r1', operator: { subject: 's1', username: 'olga', name: 'Olga', role: 'operator' as const } };

const anomaly = (i: number, ofc = OFC): ReceiptAnomaly => ({
  organizationFiscalCode: ofc,
  iuv: `120000000000${String(i).padStart(5, '0')}`,
  nav: `3120000000000${String(i).padStart(5, '0')}`,
  receiptId: `rcpt-${ofc}-${i}`,
  kind: ANOMALY_KINDS[i % 3]!,
  detail: `case ${i}`,
  recordedAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
});

const all = Array.from({ length: 30 }, (_, i) => anomaly(i));
const handledIds = new Set(all.filter((_, i) => i % 4 === 0).map((a) => a.receiptId));

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  client = new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: cloud.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  store = new DynamoReceiptStore(createDocumentClient(client), cloud.env['TABLE_NAME_MAIN']!);
  for (const a of [...all, anomaly(3, OTHER)]) await store.recordAnomaly(a);
  for (const a of all.filter((x) => handledIds.has(x.receiptId))) {
    expect(await store.addAnomalyNote(OFC, { iuv: a.iuv, key: a.receiptId }, { at: '2026-11-20T10:00:00.000Z', by: actor, text: 'checked', handled: true })).toMatchObject({ receiptId: a.receiptId, notes: [{ text: 'checked', handled: true }] });
  }
}, 120_000);
afterAll(async () => {
  client?.destroy();
  await cloud?.stop();
});

async function every(filter: AnomalyFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listAnomalies(OFC, { limit, ...(cursor ? { cursor } : {}) }, filter);
    expect(page).toBeDefined();
    expect(page!.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page!.items.map((a) => a.receiptId));
    cursor = page!.cursor;
  } while (cursor);
  return ids;
}

describe('receipt anomalies in DynamoDB', () => {
  it('filters by kind and by state hold across pages of 4, oldest first', async () => {
    const expected = (keep: (a: ReceiptAnomaly) => boolean) => all.filter(keep).map((a) => a.receiptId);
    expect(await every({}, 4)).toEqual(expected(() => true));
    expect(await every({ state: 'open' }, 4)).toEqual(expected((a) => !handledIds.has(a.receiptId)));
    expect(await every({ state: 'handled' }, 4)).toEqual(expected((a) => handledIds.has(a.receiptId)));
    expect(await every({ kind: 'AMOUNT_MISMATCH', state: 'open' }, 4)).toEqual(expected((a) => a.kind === 'AMOUNT_MISMATCH' && !handledIds.has(a.receiptId)));
  });

  it('the open count follows the last note: a reopening note counts it again', async () => {
    expect(await store.countOpenAnomalies(OFC)).toBe(30 - handledIds.size);
    expect(await store.countOpenAnomalies(OTHER)).toBe(1);
    const a = all[0]!;
    const reopened = await store.addAnomalyNote(OFC, { iuv: a.iuv, key: a.receiptId }, { at: '2026-11-21T10:00:00.000Z', by: actor, text: 'the refund bounced', handled: false });
    expect(reopened?.notes?.map((n) => n.handled)).toEqual([true, false]);
    expect(await store.countOpenAnomalies(OFC)).toBe(30 - handledIds.size + 1);
    expect((await store.getAnomaly(OFC, { iuv: a.iuv, key: a.receiptId }))?.notes).toHaveLength(2);
  });

  it("a note for an anomaly that is not there, or is another tenant's, changes nothing", async () => {
    const theirs = anomaly(3, OTHER);
    expect(await store.addAnomalyNote(OFC, { iuv: theirs.iuv, key: theirs.receiptId }, { at: '2026-11-21T10:00:00.000Z', by: actor, text: 'x', handled: true })).toBeUndefined();
    expect(await store.addAnomalyNote(OFC, { iuv: '12999999999999999', key: 'nope' }, { at: '2026-11-21T10:00:00.000Z', by: actor, text: 'x', handled: true })).toBeUndefined();
    expect(await store.getAnomaly(OFC, { iuv: theirs.iuv, key: theirs.receiptId })).toBeUndefined();
    expect((await store.getAnomaly(OTHER, { iuv: theirs.iuv, key: theirs.receiptId }))?.notes).toBeUndefined();
    expect(await store.countOpenAnomalies(OTHER)).toBe(1);
  });
});
