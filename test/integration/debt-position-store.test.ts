/**
 * The DynamoDB store against DynamoDB Local (real transactions, conditions and indexes).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../../shared/adapters/dynamo/debt-position-store';
import { DynamoOrganizationStore } from '../../shared/adapters/dynamo/organization-store';
import { makeNoticeNumber } from '../../shared/domain/notice-number';
import type { DomainEvent } from '../../events/domain-events';
import type { AuditEntry } from '../../shared/use-cases/ports';
import { parseOrganizationInput } from '../../shared/http/organization-schemas';
import { provisionOrganization } from '../../shared/use-cases/organizations/provision';
import { option, position } from '../fixtures/positions';

let cloud: LocalCloud;
let client: DynamoDBClient;
let store: DynamoDebtPositionStore;
let organizations: DynamoOrganizationStore;
let table: string;
const actor = { organizationFiscalCode: '80001234568', keyId: 'k1', requestId: 'r1' };
let sequence = 0;
const auditAt = (version: number, action: AuditEntry['action'] = 'update'): AuditEntry => ({
  at: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, sequence++)).toISOString(),
  action,
  actor,
  version,
});
const eventFor = (iupd: string, version: number): DomainEvent => ({
  eventId: crypto.randomUUID(),
  eventType: 'debt-position.updated',
  occurredAt: '2026-11-27T10:00:00.000Z',
  organizationFiscalCode: '80001234568',
  iupd,
  version,
  status: 'DRAFT',
  payable: false,
  noticeNumbers: [],
});

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  client = new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: cloud.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  table = cloud.env['TABLE_NAME_MAIN']!;
  store = new DynamoDebtPositionStore(createDocumentClient(client), table);
  organizations = new DynamoOrganizationStore(createDocumentClient(client), table);
});
afterAll(async () => {
  client?.destroy();
  await cloud?.stop();
});

describe('DynamoDebtPositionStore on DynamoDB Local', () => {
  it('never hands out the same IUV base twice, even to 100 concurrent callers', async () => {
    const batches = await Promise.all(Array.from({ length: 100 }, (_, i) => store.allocateIuvBases('80001234568', (i % 3) + 1)));
    const all = batches.flat().map(String);
    expect(all).toHaveLength(batches.reduce((n, b) => n + b.length, 0));
    expect(new Set(all).size).toBe(all.length);
    // another tenant has its own counter
    expect(await store.allocateIuvBases('80007654322', 1)).toEqual([1n]);
  });

  it('keeps a notice number unique across positions, and kept after its position is deleted', async () => {
    const nav = makeNoticeNumber('12', 900n);
    const first = position({ iupd: 'UNIQ-1', paymentOptions: [option({ ...nav })] });
    expect(await store.create(first, auditAt(1, 'create'), [eventFor('UNIQ-1', 1)])).toBeUndefined();
    const second = position({ iupd: 'UNIQ-2', paymentOptions: [option({ ...nav })] });
    expect(await store.create(second, auditAt(1, 'create'), [eventFor('UNIQ-2', 1)])).toEqual({ conflict: 'iuv', iuv: nav.iuv });
    expect(await store.get('80001234568', 'UNIQ-2')).toBeUndefined();
    expect((await store.findByNoticeNumber('80001234568', nav.nav))?.iupd).toBe('UNIQ-1');
    expect(await store.remove({ ...first }, auditAt(2, 'delete'), [eventFor('UNIQ-1', 2)])).toBeUndefined();
    expect(await store.findByNoticeNumber('80001234568', nav.nav)).toBeUndefined();
    const third = position({ iupd: 'UNIQ-3', paymentOptions: [option({ ...nav })] });
    expect(await store.create(third, auditAt(1, 'create'), [eventFor('UNIQ-3', 1)])).toEqual({ conflict: 'iuv', iuv: nav.iuv });
  });

  it('lets exactly one of ten concurrent writers of the same version win', async () => {
    const p = position({ iupd: 'RACE-1', paymentOptions: [option({}, 901n)] });
    await store.create(p, auditAt(1, 'create'), [eventFor('RACE-1', 1)]);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.replace({ ...p, version: 2, debtor: { ...p.debtor, fullName: `Writer ${i}` } }, 1, auditAt(2), [eventFor('RACE-1', 2)], []),
      ),
    );
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
    expect(results.filter((r) => r?.conflict === 'version')).toHaveLength(9);
    const stored = await store.get('80001234568', 'RACE-1');
    expect(stored?.version).toBe(2);
    const trail = await store.auditTrail('80001234568', 'RACE-1');
    expect(trail.map((a) => [a.action, a.version])).toEqual([
      ['create', 1],
      ['update', 2],
    ]);
  });

  it('writes the outbox event with the change, and nothing of a refused change', async () => {
    const scan = async () =>
      (await createDocumentClient(client).send(new ScanCommand({ TableName: table, FilterExpression: '#t = :e', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':e': 'event' } }))).Items ?? [];
    const before = (await scan()).length;
    const p = position({ iupd: 'OUTBOX-1', paymentOptions: [option({}, 902n)] });
    const e = eventFor('OUTBOX-1', 1);
    await store.create(p, auditAt(1, 'create'), [e]);
    await store.create(p, auditAt(1, 'create'), [eventFor('OUTBOX-1', 1)]); // refused: exists
    const events = await scan();
    expect(events.length).toBe(before + 1);
    expect(events.some((i) => i['event']?.eventId === e.eventId && typeof i['expiresAt'] === 'number')).toBe(true);
  });

  it('stores API keys only as hashes', async () => {
    const key = 'integration-test-key-0123456789';
    const tenant = parseOrganizationInput(
      {
        fiscalCode: '80001234568',
        name: 'Comune di Esempio',
        segregationCode: '12',
        brokerId: '80001234568',
        stationId: '80001234568_01',
        iban: 'IT78L0306909606100000117002',
        apiKeys: [key],
      },
      'tenant',
    );
    await provisionOrganization(organizations, tenant, new Date());
    const items = (await createDocumentClient(client).send(new ScanCommand({ TableName: table }))).Items ?? [];
    expect(JSON.stringify(items)).not.toContain(key);
    expect(items.filter((i) => i['type'] === 'api-key').length).toBeGreaterThan(0);
  });
});
