/**
 * GPD v2's bulk calls against DynamoDB Local: all or nothing over many transactions, including a
 * failure in the middle (a conflict, and a crash that stops the call where it is), and the repair
 * that finishes a crashed call: rolled back before its decision, rolled forward after it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../../shared/adapters/dynamo/debt-position-store';
import { DynamoGpdPositionWrites } from '../../shared/adapters/dynamo/gpd-position-writes';
import { SK, iuvPk, orgPk } from '../../shared/adapters/dynamo/keys';
import { readCounters } from '../../shared/adapters/dynamo/position-listing';
import { makeNoticeNumber } from '../../shared/domain/notice-number';
import type { Organization } from '../../shared/domain/organization';
import type { PositionContent } from '../../shared/domain/debt-position';
import { UseCaseError } from '../../shared/use-cases/errors';
import {
  BULK_STALE_AFTER_MS,
  createManyDebtPositions,
  deleteManyDebtPositions,
  repairBulkOperations,
  updateManyDebtPositions,
  type BulkDeps,
  type BulkPosition,
} from '../../shared/use-cases/debt-positions/bulk';
import type { BulkPositionStore } from '../../shared/use-cases/debt-positions/gpd/ports';
import { DEBTOR_CF, ESEMPIO } from '../fixtures/positions';

let cloud: LocalCloud;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let table: string;
let positions: DynamoDebtPositionStore;
let gpd: DynamoGpdPositionWrites;
let now = new Date('2026-12-01T10:00:00.000Z');
const actor = { organizationFiscalCode: ESEMPIO.fiscalCode, keyId: 'k1', requestId: 'r1' };

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  client = new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: cloud.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  table = cloud.env['TABLE_NAME_MAIN']!;
  db = createDocumentClient(client);
  positions = new DynamoDebtPositionStore(db, table);
  gpd = new DynamoGpdPositionWrites(db, table);
});
afterAll(async () => {
  client?.destroy();
  await cloud?.stop();
});

let tenantSeq = 0;
/** A tenant of its own per test (counters and bulk records are per tenant). */
function tenant(): Organization {
  tenantSeq += 1;
  return { ...ESEMPIO, fiscalCode: `8000000${String(1000 + tenantSeq)}` };
}

let base = 5_000_000n;
function content(org: Organization, description = 'TARI 2027'): PositionContent {
  const { iuv } = makeNoticeNumber(org.segregationCode, base++);
  return {
    debtor: { type: 'F', fiscalCode: DEBTOR_CF, fullName: 'Mario Rossi' },
    switchToExpired: false,
    payStandIn: true,
    paymentOptions: [
      {
        iuv,
        amount: 10000,
        description,
        isPartialPayment: false,
        dueDate: '2027-12-31T22:59:59.999Z',
        fee: 0,
        metadata: [],
        transfers: [
          { idTransfer: '1', amount: 10000, remittanceInformation: 'TARI', category: '9/0101108TS/', iban: ESEMPIO.ibans[0], metadata: [] },
        ],
      },
    ],
  };
}

const many = (org: Organization, n: number, prefix: string): BulkPosition[] =>
  Array.from({ length: n }, (_, i) => ({ iupd: `${prefix}-${tenantSeq}-${i}`, content: content(org) }));

/** The bulk store, failing as told: `fail(name, n)` → the n-th call of `name` throws, and so does everything after it (the process died). */
/** Calls that passed `crashing`'s check before the crash: a real process dies with them in flight, and they land or not on the table's side. */
const inFlight: Array<Promise<unknown>> = [];

/** The store, dead from the `nth` call of `method` on (every call after it fails too). */
function crashing(store: BulkPositionStore, method: keyof BulkPositionStore, nth: number): BulkPositionStore {
  let calls = 0;
  let dead = false;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (prop === method && ++calls === nth) dead = true;
        if (dead) throw new Error(`crash in ${String(prop)}`);
        const call = value.apply(target, args) as Promise<unknown>;
        inFlight.push(call);
        return call;
      };
    },
  });
}

/** The writes that were on their way when the crash came have reached DynamoDB (Local) before the table is inspected. */
async function afterTheCrash(): Promise<void> {
  await Promise.allSettled(inFlight.splice(0));
}

const deps = (bulk: BulkPositionStore = gpd): BulkDeps => ({ positions, bulk, clock: () => now, newId: () => crypto.randomUUID() });

async function visible(org: Organization, iupds: readonly string[]): Promise<number> {
  return (await Promise.all(iupds.map((iupd) => positions.get(org.fiscalCode, iupd)))).filter(Boolean).length;
}

async function stored(org: Organization, prefix: string): Promise<Record<string, unknown>[]> {
  const scan = await db.send(new ScanCommand({ TableName: table, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': `POS#${org.fiscalCode}#${prefix}` } }));
  return scan.Items ?? [];
}

async function openRecords(org: Organization): Promise<number> {
  const q = await db.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ExpressionAttributeValues: { ':pk': orgPk(org.fiscalCode), ':b': SK.bulkPrefix } }),
  );
  return q.Count ?? 0;
}

const iuvLock = async (org: Organization, iuv: string) =>
  (await db.send(new GetCommand({ TableName: table, Key: { pk: iuvPk(org.fiscalCode, iuv), sk: SK.iuv } }))).Item;

describe('v2 bulk calls on DynamoDB Local', () => {
  it('create: a conflict in the middle (an IUV taken meanwhile) releases every reservation: nothing stored, the IUVs free again', async () => {
    const org = tenant();
    const list = many(org, 12, 'C1');
    // another request takes the IUV of the 7th position after the checks, before its reservation
    const taken = list[6]!.content.paymentOptions[0]!.iuv!;
    const racing: BulkPositionStore = new Proxy(gpd, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'reserve') return typeof value === 'function' ? value.bind(target) : value;
        return async (batchId: string, p: Parameters<BulkPositionStore['reserve']>[1]) => {
          if (p.iupd === list[6]!.iupd) await positions.create({ ...p, iupd: 'SOMEONE-ELSE', version: 1 }, { at: now.toISOString(), action: 'create', actor, version: 1 }, []);
          return target.reserve(batchId, p);
        };
      },
    });
    const error = await createManyDebtPositions(deps(racing), { organization: org, actor, positions: list, toPublish: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UseCaseError);
    expect((error as UseCaseError).kind).toBe('conflict');
    expect((error as UseCaseError).message).toContain(taken);
    expect(await visible(org, list.map((p) => p.iupd))).toBe(0);
    expect(await stored(org, 'C1')).toEqual([]);
    expect(await iuvLock(org, list[0]!.content.paymentOptions[0]!.iuv!)).toBeUndefined();
    expect(await openRecords(org)).toBe(0);
  });

  it('create: a crash while reserving leaves invisible reservations; the repair rolls them back', async () => {
    const org = tenant();
    const list = many(org, 10, 'C2');
    await expect(createManyDebtPositions(deps(crashing(gpd, 'reserve', 6)), { organization: org, actor, positions: list, toPublish: false })).rejects.toThrow(/crash/);
    await afterTheCrash();
    expect(await visible(org, list.map((p) => p.iupd))).toBe(0);
    expect((await stored(org, 'C2')).some((i) => i['pending'] !== undefined)).toBe(true);
    expect(await openRecords(org)).toBe(1);
    // too young: a call may still be running
    expect(await repairBulkOperations(deps(), [org.fiscalCode])).toEqual({ rolledBack: 0, rolledForward: 0 });
    now = new Date(now.getTime() + BULK_STALE_AFTER_MS + 1000);
    expect(await repairBulkOperations(deps(), [org.fiscalCode])).toEqual({ rolledBack: 1, rolledForward: 0 });
    expect(await stored(org, 'C2')).toEqual([]);
    expect(await openRecords(org)).toBe(0);
    // the same call again succeeds: the IUVs were released with the reservations
    await createManyDebtPositions(deps(), { organization: org, actor, positions: list, toPublish: false });
    expect(await visible(org, list.map((p) => p.iupd))).toBe(10);
  });

  it('create: a crash after the decision leaves some committed; the repair commits the rest, listed and counted', async () => {
    const org = tenant();
    const list = many(org, 10, 'C3');
    await expect(createManyDebtPositions(deps(crashing(gpd, 'commitCreate', 4)), { organization: org, actor, positions: list, toPublish: true })).rejects.toThrow(/crash/);
    await afterTheCrash();
    const partly = await visible(org, list.map((p) => p.iupd));
    expect(partly).toBeGreaterThan(0);
    expect(partly).toBeLessThan(10);
    now = new Date(now.getTime() + BULK_STALE_AFTER_MS + 1000);
    expect(await repairBulkOperations(deps(), [org.fiscalCode])).toEqual({ rolledBack: 0, rolledForward: 1 });
    expect(await visible(org, list.map((p) => p.iupd))).toBe(10);
    expect((await readCounters(db, table, org.fiscalCode)).get('n_VALID')).toBe(10);
    const page = await positions.list(org.fiscalCode, { page: 0, limit: 50, orderBy: 'IUPD', descending: false });
    expect(page.kind === 'page' && page.total).toBe(10);
    const events = await db.send(new ScanCommand({ TableName: table, FilterExpression: '#t = :e AND #e.#o = :org', ExpressionAttributeNames: { '#t': 'type', '#e': 'event', '#o': 'organizationFiscalCode' }, ExpressionAttributeValues: { ':e': 'event', ':org': org.fiscalCode } }));
    // created + published for each position, exactly once
    expect(events.Items?.length).toBe(20);
  });

  it('update: a crash after the decision; the repair applies the staged content and unlocks; nothing stays staged', async () => {
    const org = tenant();
    const list = many(org, 6, 'U1');
    await createManyDebtPositions(deps(), { organization: org, actor, positions: list, toPublish: false });
    const changed = list.map((p) => ({ iupd: p.iupd, content: { ...p.content, paymentOptions: p.content.paymentOptions.map((o) => ({ ...o, description: 'rettifica' })) } }));
    await expect(updateManyDebtPositions(deps(crashing(gpd, 'commitUpdate', 3)), { organization: org, actor, positions: changed, toPublish: false })).rejects.toThrow(/crash/);
    await afterTheCrash();
    // a locked position refuses the layer's other writes meanwhile
    const locked = (await gpd.held(org.fiscalCode, [list[5]!.iupd]))[0]!;
    if (locked.lockedBy) expect(await positions.replace({ ...locked.position, version: locked.position.version + 1 }, locked.position.version, { at: now.toISOString(), action: 'update', actor, version: 2 }, [], [])).toEqual({ conflict: 'version' });
    now = new Date(now.getTime() + BULK_STALE_AFTER_MS + 1000);
    expect(await repairBulkOperations(deps(), [org.fiscalCode])).toEqual({ rolledBack: 0, rolledForward: 1 });
    for (const p of list) expect((await positions.get(org.fiscalCode, p.iupd))?.paymentOptions[0]?.description).toBe('rettifica');
    const leftovers = (await stored(org, 'U1')).filter((i) => String(i['sk']).startsWith('STAGED#') || i['lockedBy'] !== undefined);
    expect(leftovers).toEqual([]);
  });

  it('delete: a position changed between the read and its lock → 409, nothing deleted, every lock released', async () => {
    const org = tenant();
    const list = many(org, 5, 'D1');
    await createManyDebtPositions(deps(), { organization: org, actor, positions: list, toPublish: false });
    const racing: BulkPositionStore = new Proxy(gpd, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'lock') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<BulkPositionStore['lock']>) => {
          const [, current] = args;
          if (current.iupd === list[3]!.iupd) await positions.replace({ ...current, version: 2, companyName: 'cambiato' }, 1, { at: now.toISOString(), action: 'update', actor, version: 2 }, [], []);
          return target.lock(...args);
        };
      },
    });
    const error = await deleteManyDebtPositions(deps(racing), { organization: org, actor, iupds: list.map((p) => p.iupd) }).catch((e: unknown) => e);
    expect((error as UseCaseError).kind).toBe('conflict');
    expect(await visible(org, list.map((p) => p.iupd))).toBe(5);
    expect((await stored(org, 'D1')).filter((i) => i['lockedBy'] !== undefined)).toEqual([]);
    await deleteManyDebtPositions(deps(), { organization: org, actor, iupds: list.map((p) => p.iupd) });
    expect(await visible(org, list.map((p) => p.iupd))).toBe(0);
    expect((await readCounters(db, table, org.fiscalCode)).get('n_DRAFT')).toBe(0);
  });
});
