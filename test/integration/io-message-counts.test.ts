/**
 * The console's figures of a day (DynamoMessageRecordStore.countSince against DynamoDB Local): the
 * tenant's message records by when they were first tried, counted by outcome; another tenant's are
 * not counted.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { DynamoMessageRecordStore } from '../../shared/adapters/dynamo/app-io-message-store';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';

let cloud: LocalCloud;
let client: DynamoDBClient;
let store: DynamoMessageRecordStore;
const OFC = '01234567890';
const key = (iupd: string, ofc = OFC) => ({ organizationFiscalCode: ofc, iupd, nav: '302000000000000184', kind: 'new-notice' as const });
const at = (iso: string) => Date.parse(iso);

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  client = new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: cloud.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  store = new DynamoMessageRecordStore(createDocumentClient(client), cloud.env['TABLE_NAME_MAIN']!);
}, 120_000);
afterAll(async () => {
  client?.destroy();
  await cloud?.stop();
});

describe('message records by day', () => {
  it('counts the day’s messages by outcome', async () => {
    const finish = async (iupd: string, when: string, outcome: Parameters<DynamoMessageRecordStore['finish']>[2], ofc = OFC) => {
      await store.claim(key(iupd, ofc), `c-${iupd}`, at(when), 60_000);
      await store.finish(key(iupd, ofc), `c-${iupd}`, outcome, at(when) + 1000);
    };
    await finish('yesterday', '2026-12-02T10:00:00.000Z', { state: 'sent', channel: 'io' });
    await finish('io-1', '2026-12-03T08:00:00.000Z', { state: 'sent', channel: 'io' });
    await finish('io-2', '2026-12-03T09:00:00.000Z', { state: 'sent', channel: 'io' });
    await finish('mail', '2026-12-03T09:30:00.000Z', { state: 'sent', channel: 'email' });
    await finish('none', '2026-12-03T09:40:00.000Z', { state: 'skipped', detail: 'the citizen is not on App IO; no e-mail address' });
    await finish('other', '2026-12-03T09:00:00.000Z', { state: 'sent', channel: 'io' }, '09876543210');
    await store.claim(key('trying'), 'c-trying', at('2026-12-03T09:50:00.000Z'), 60_000);
    expect(await store.countSince(OFC, '2026-12-02T23:00:00.000Z')).toEqual({ io: 2, email: 1, skipped: 1, failed: 0, pending: 1 });
    expect(await store.countSince('09876543210', '2026-12-02T23:00:00.000Z')).toEqual({ io: 1, email: 0, skipped: 0, failed: 0, pending: 0 });
  });
});
