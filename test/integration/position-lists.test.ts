/**
 * Lists against DynamoDB Local: counters, listing entries and bookmarks written by the store in
 * its transactions, read back page by page in every ordering and compared with the same list
 * computed in memory. The bounds are made small (a bookmark every 3 entries) so that bookmarks,
 * their invalidation, the walk budget and the reconciliation of positions written by another
 * store are all exercised on a few dozen positions.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore, positionItem } from '../../shared/adapters/dynamo/debt-position-store';
import { LIST_SK, SK, listGsi, orgPk, positionPk } from '../../shared/adapters/dynamo/keys';
import { LIST_LIMITS, PositionLists, readCounters } from '../../shared/adapters/dynamo/position-listing';
import { romeCalendarDay } from '../../shared/domain/dates';
import { firstDueDate, type DebtPosition, type PositionStatus } from '../../shared/domain/debt-position';
import type { AuditEntry, ListOrder, ListPage, ListQuery } from '../../shared/use-cases/ports';
import { option, position } from '../fixtures/positions';
import { backfillPositionListing } from '../../shared/adapters/dynamo/backfills';
import { positionsOfDebtorName } from '../../shared/use-cases/operators/debtor-search';

let cloud: LocalCloud;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let store: DynamoDebtPositionStore;
let table: string;
const actor = { organizationFiscalCode: 'x', keyId: 'k1', requestId: 'r1' };
let tick = 0;
const audit = (version: number): AuditEntry => ({ at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, tick++)).toISOString(), action: 'update', actor, version });

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  client = new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: cloud.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  table = cloud.env['TABLE_NAME_MAIN']!;
  db = createDocumentClient(client);
  store = new DynamoDebtPositionStore(db, table);
});
afterAll(async () => {
  client?.destroy();
  await cloud?.stop();
});

const STATUSES: PositionStatus[] = ['DRAFT', 'VALID', 'PUBLISHED', 'INVALID', 'VALID'];
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();

function positionsOf(ofc: string, n: number): DebtPosition[] {
  return Array.from({ length: n }, (_, i) =>
    position({
      organizationFiscalCode: ofc,
      iupd: `P-${String((i * 7) % n).padStart(3, '0')}-${i}`,
      companyName: `Comune ${'ABCDE'[i % 5]}`,
      status: STATUSES[i % STATUSES.length]!,
      // old enough for ascending bookmarks to be kept
      insertedDate: day(i),
      lastUpdatedDate: day(i),
      paymentOptions: [option({ dueDate: day(400 + ((i * 13) % 37)) }, BigInt(i + 1))],
    }),
  );
}

const sortKeys: Record<ListOrder, (p: DebtPosition) => string> = {
  INSERTED_DATE: (p) => `${p.insertedDate}#${p.iupd}`,
  IUPD: (p) => p.iupd,
  COMPANY_NAME: (p) => `${p.companyName}#${p.iupd}`,
  STATUS: (p) => `${p.status}#${p.insertedDate}#${p.iupd}`,
  DUE_DATE: (p) => `${firstDueDate(p.paymentOptions)}#${p.iupd}`,
};

function expected(all: readonly DebtPosition[], q: ListQuery): { iupds: string[]; total: number } {
  const key = sortKeys[q.orderBy];
  const matching = all
    .filter((p) => q.status === undefined || p.status === q.status)
    .filter((p) => q.dueDays === undefined || p.paymentOptions.some((o) => romeCalendarDay(o.dueDate) >= q.dueDays!.from && romeCalendarDay(o.dueDate) <= q.dueDays!.to))
    .sort((a, b) => (key(a) < key(b) ? -1 : 1) * (q.descending ? -1 : 1));
  return { iupds: matching.slice(q.page * q.limit, (q.page + 1) * q.limit).map((p) => p.iupd), total: matching.length };
}

async function pageOf(lists: PositionLists, ofc: string, q: ListQuery): Promise<{ iupds: string[]; total: number }> {
  // a busy answer is retried, as a client honouring Retry-After would
  for (let attempt = 0; attempt < 20; attempt++) {
    const page: ListPage = await lists.list(ofc, q);
    if (page.kind === 'page') return { iupds: page.items.map((p) => p.iupd), total: page.total };
    if (page.kind === 'too-wide') throw new Error('too wide');
  }
  throw new Error('still busy after 20 tries');
}

async function checkEveryPage(lists: PositionLists, ofc: string, all: readonly DebtPosition[]): Promise<void> {
  for (const orderBy of ['INSERTED_DATE', 'IUPD', 'COMPANY_NAME', 'STATUS', 'DUE_DATE'] as const) {
    for (const descending of [false, true]) {
      for (const status of [undefined, 'VALID'] as const) {
        const want = expected(all, { page: 0, limit: 4, orderBy, descending, ...(status ? { status } : {}) });
        for (let page = 0; page <= Math.ceil(want.total / 4); page++) {
          const q: ListQuery = { page, limit: 4, orderBy, descending, ...(status ? { status } : {}) };
          expect(await pageOf(lists, ofc, q), JSON.stringify(q)).toEqual(expected(all, q));
        }
      }
    }
  }
}

describe('lists on DynamoDB Local', () => {
  it('answers every page of every ordering exactly, with and without a status, as writes move positions', { timeout: 240_000 }, async () => {
    const ofc = '80000000011';
    const lists = new PositionLists(db, table, () => new Date(), { ...LIST_LIMITS, bookmarkEvery: 3, walkBudget: 1000, windowMax: 1000 });
    let all = positionsOf(ofc, 23);
    for (const p of all) expect(await store.create(p, audit(1), [])).toBeUndefined();
    await checkEveryPage(lists, ofc, all);
    // bookmarks were saved on the way: every 3 entries of the inserted-date list, up to the deepest page read (offset 20)
    const saved = await db.send(new GetCommand({ TableName: table, Key: { pk: orgPk(ofc), sk: SK.bookmark('INS#ALL#ASC') } }));
    expect((saved.Item?.['keys'] as unknown[] | undefined)?.length).toBe(6);

    // status changes, a new company name, a new due date, deletions: the counters and entries follow
    const changed = all.map((p, i) =>
      i % 4 === 0 ? { ...p, status: 'PAID' as const, version: 2 } : i % 4 === 1 ? { ...p, companyName: 'Comune Z', version: 2 } : p,
    );
    for (const p of changed) if (p.version === 2) expect(await store.replace(p, 1, audit(2), [], [])).toBeUndefined();
    for (const p of changed.filter((_, i) => i % 5 === 2)) expect(await store.remove(p, audit(3), [])).toBeUndefined();
    all = changed.filter((_, i) => i % 5 !== 2);
    await checkEveryPage(lists, ofc, all);
    const counters = await readCounters(db, table, ofc);
    expect(counters.get('n_PAID')).toBe(all.filter((p) => p.status === 'PAID').length);
  });

  it('walks at most its budget per request: a deep page answers busy, and the retries get there', async () => {
    const ofc = '80000000022';
    const lists = new PositionLists(db, table, () => new Date(), { ...LIST_LIMITS, bookmarkEvery: 2, walkBudget: 4, windowMax: 1000 });
    const all = positionsOf(ofc, 15);
    for (const p of all) await store.create(p, audit(1), []);
    const q: ListQuery = { page: 6, limit: 2, orderBy: 'IUPD', descending: false };
    expect((await lists.list(ofc, q)).kind).toBe('busy');
    expect(await pageOf(lists, ofc, q)).toEqual(expected(all, q));
  });

  it('brings a position written by a store that keeps no listing (the receipt store) up to date before counting', async () => {
    const ofc = '80000000033';
    const lists = new PositionLists(db, table);
    const [a, b] = positionsOf(ofc, 2).map((p) => ({ ...p, status: 'VALID' as const }));
    await store.create(a!, audit(1), []);
    await store.create(b!, audit(1), []);
    // what DynamoReceiptStore.applyPayment writes for a payment: positionItem() without `listed`
    const paid = { ...a!, status: 'PAID' as const, version: 2, paymentDate: '2026-06-01T10:00:00.000Z' };
    await db.send(new PutCommand({ TableName: table, Item: positionItem(paid) }));
    expect(await pageOf(lists, ofc, { page: 0, limit: 10, orderBy: 'IUPD', descending: false, status: 'PAID' })).toEqual({ iupds: [a!.iupd], total: 1 });
    expect(await pageOf(lists, ofc, { page: 0, limit: 10, orderBy: 'IUPD', descending: false, status: 'VALID' })).toEqual({ iupds: [b!.iupd], total: 1 });
    const unlisted = await db.send(
      new QueryCommand({ TableName: table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': listGsi.unlisted(ofc) } }),
    );
    expect(unlisted.Count).toBe(0);
    const window = await lists.list(ofc, { page: 0, limit: 10, orderBy: 'INSERTED_DATE', descending: true, paidBetween: { from: '2026-06-01T00:00:00.000Z', to: '2026-06-02T00:00:00.000Z' } });
    expect(window.kind === 'page' && window.items.map((p) => p.iupd)).toEqual([a!.iupd]);
  });

  it('more payments than one call reconciles: busy (a count is exact or not given), and the retries count them all', async () => {
    const ofc = '80000000066';
    const lists = new PositionLists(db, table, () => new Date(), { ...LIST_LIMITS, reconcileBudget: 4, reconcilePage: 2 });
    const all = positionsOf(ofc, 7).map((p) => ({ ...p, status: 'VALID' as const }));
    for (const p of all) await store.create(p, audit(1), []);
    // seven payments written as the receipt store writes them (no listing kept)
    for (const p of all) await db.send(new PutCommand({ TableName: table, Item: positionItem({ ...p, status: 'PAID', version: 2, paymentDate: '2026-06-01T10:00:00.000Z' }) }));
    const q: ListQuery = { page: 0, limit: 10, orderBy: 'IUPD', descending: false, status: 'PAID' };
    expect(await lists.list(ofc, q)).toEqual({ kind: 'busy', retryAfterSeconds: 1 }); // 4 of 7 reconciled
    const page = await lists.list(ofc, q); // the other 3, then the exact page
    expect(page.kind === 'page' && [page.total, page.items.map((p) => p.iupd)]).toEqual([7, all.map((p) => p.iupd).sort()]);
  });

  it('a due-date interval: positions with an option due in it, sorted as asked; too many → too-wide', async () => {
    const ofc = '80000000044';
    const all = positionsOf(ofc, 12);
    for (const p of all) await store.create(p, audit(1), []);
    const lists = new PositionLists(db, table, () => new Date(), { ...LIST_LIMITS, bookmarkEvery: 1000, walkBudget: 1000, windowMax: 5 });
    const q: ListQuery = { page: 0, limit: 3, orderBy: 'COMPANY_NAME', descending: true, dueDays: { from: romeCalendarDay(day(400)), to: romeCalendarDay(day(410)) } };
    const want = expected(all, q);
    expect(want.total).toBeLessThanOrEqual(5);
    expect(await pageOf(lists, ofc, q)).toEqual(want);
    expect((await lists.list(ofc, { ...q, dueDays: { from: romeCalendarDay(day(300)), to: romeCalendarDay(day(500)) } })).kind).toBe('too-wide');
  });

  it('the backfill lists positions written before the listing entries (once: a second run finds nothing)', async () => {
    const ofc = '80000000055';
    const old = positionsOf(ofc, 3).map((p) => ({ ...p, status: 'VALID' as const }));
    for (const p of old) {
      // as the store wrote it before: gsi1 = all positions by first due date, no listing entries
      const { gsi1pk: _a, gsi1sk: _b, ...item } = positionItem(p, { listed: true });
      await db.send(new PutCommand({ TableName: table, Item: { ...item, gsi1pk: `ORG#${ofc}#POSITIONS`, gsi1sk: `${firstDueDate(p.paymentOptions)}#${p.iupd}` } }));
    }
    expect(await backfillPositionListing(db, table)).toBeGreaterThanOrEqual(3);
    const page = await new PositionLists(db, table).list(ofc, { page: 0, limit: 10, orderBy: 'IUPD', descending: false });
    expect(page).toMatchObject({ kind: 'page', total: 3 });
    expect(await backfillPositionListing(db, table)).toBe(0);
  });

  describe('the debtor-name search', () => {
    const ofc = '80000000077';
    const named = (iupd: string, fullName: string, seed: number, tenant = ofc): DebtPosition =>
      position({ organizationFiscalCode: tenant, iupd, status: 'VALID', debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName }, insertedDate: day(seed), lastUpdatedDate: day(seed), paymentOptions: [option({ dueDate: day(500) }, BigInt(9000 + seed))] });
    const deps = () => ({ debtorNames: new PositionLists(db, table), clock: () => new Date('2026-06-01T00:00:00Z') });
    const search = async (name: string, limit = 20, tenant = ofc): Promise<string[]> => {
      const found: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 50; pages++) {
        const page = await positionsOfDebtorName(deps(), tenant, { name, limit, ...(cursor ? { cursor } : {}) });
        found.push(...page.items.map((p) => p.iupd));
        if (!page.cursor) return found;
        cursor = page.cursor;
      }
      throw new Error('more pages than positions');
    };

    beforeAll(async () => {
      const people: Array<[string, string]> = [
        ['N-ROSSI-MARIO', 'ROSSI MARIO'],
        ['N-MARIO-ROSSI', 'Mario Rossi'],
        ['N-DE-LUCA', 'Maria Grazia De Luca'],
        ['N-DANGELO', "D'Angelo Nicolò"],
        ['N-ROSSINI', 'Rossini Gioacchino'],
        ['N-BIANCHI', 'Bianchi Rossi Anna'],
        ['N-ROSSANA', 'Rossi Rossana'],
        ['N-VERDI', 'Verdi Giuseppe'],
      ];
      let seed = 0;
      for (const [iupd, name] of people) expect(await store.create(named(iupd, name, seed++), audit(1), [])).toBeUndefined();
      expect(await store.create(named('N-OTHER-TENANT', 'Mario Rossi', seed++, '80000000088'), audit(1), [])).toBeUndefined();
    });

    it('finds a name by the start of any of its first four words, ignoring case, accents and punctuation, each position once, in name order', async () => {
      // by the first rotation that matches: ROSSI ANNA BIANCHI < ROSSI MARIO (×2, by iupd) < ROSSI ROSSANA (its ROSSANA ROSSI, which
      // matches too, does not list it again) < ROSSINI GIOACCHINO
      expect(await search('ross')).toEqual(['N-BIANCHI', 'N-MARIO-ROSSI', 'N-ROSSI-MARIO', 'N-ROSSANA', 'N-ROSSINI']);
      expect(await search('rossana')).toEqual(['N-ROSSANA']);
      expect(await search('rossi')).toEqual(['N-BIANCHI', 'N-MARIO-ROSSI', 'N-ROSSI-MARIO', 'N-ROSSANA', 'N-ROSSINI']);
      expect(await search('  Rossi   MARIO ')).toEqual(['N-MARIO-ROSSI', 'N-ROSSI-MARIO']);
      expect(await search('mario r')).toEqual(['N-MARIO-ROSSI', 'N-ROSSI-MARIO']);
      expect(await search('de luca')).toEqual(['N-DE-LUCA']);
      expect(await search('grazia')).toEqual(['N-DE-LUCA']);
      expect(await search('nicolo d')).toEqual(['N-DANGELO']);
      expect(await search("d'angelo")).toEqual(['N-DANGELO']);
      expect(await search('zz')).toEqual([]);
    });

    it('pages by cursor without repeating or skipping a position', async () => {
      const all = await search('ross', 20);
      expect(await search('ross', 1)).toEqual(all);
      expect(await search('ross', 2)).toEqual(all);
      const first = await positionsOfDebtorName(deps(), ofc, { name: 'ross', limit: 2 });
      // a cursor of one search is refused by another (it would start outside its names)
      await expect(positionsOfDebtorName(deps(), ofc, { name: 'verdi', limit: 2, cursor: first.cursor! })).rejects.toThrow('the cursor is not one this search handed out');
    });

    it("stays in the tenant: another municipality's Mario Rossi is not found, and is found in its own", async () => {
      expect(await search('mario rossi')).not.toContain('N-OTHER-TENANT');
      expect(await search('mario rossi', 20, '80000000088')).toEqual(['N-OTHER-TENANT']);
    });

    it('follows the position: a new name replaces the old one, a removed position is not found', async () => {
      const verdi = named('N-VERDI', 'Verdi Giuseppe', 7);
      const renamed = { ...verdi, version: 2, debtor: { ...verdi.debtor, fullName: 'Neri Giuseppina' } };
      expect(await store.replace(renamed, 1, audit(2), [], [])).toBeUndefined();
      expect(await search('verdi')).toEqual([]);
      expect(await search('giuseppina neri')).toEqual(['N-VERDI']);
      expect(await store.remove(renamed, audit(3), [])).toBeUndefined();
      expect(await search('neri')).toEqual([]);
    });

    it('the backfill indexes the names of positions listed before the name search', async () => {
      const old = named('N-OLD', 'Bruno Gialli', 20);
      expect(await store.create(old, audit(1), [])).toBeUndefined();
      // as the listing was written before: no name in LIST#INS's state, no gsi3 on the entries
      const pk = positionPk(ofc, old.iupd);
      const ins = (await db.send(new GetCommand({ TableName: table, Key: { pk, sk: LIST_SK.ordered('INS') } }))).Item!;
      const { debtorName: _name, ...listing } = ins['listing'] as Record<string, unknown>;
      await db.send(new PutCommand({ TableName: table, Item: { ...ins, listing } }));
      for (const ordering of ['INS', 'IUPD', 'COMPANY', 'DUE'] as const) {
        await db.send(new UpdateCommand({ TableName: table, Key: { pk, sk: LIST_SK.ordered(ordering) }, UpdateExpression: 'REMOVE gsi3pk, gsi3sk, nm, nr' }));
      }
      expect(await search('gialli')).toEqual([]);
      expect(await backfillPositionListing(db, table)).toBeGreaterThanOrEqual(1);
      expect(await search('gialli')).toEqual(['N-OLD']);
      expect(await search('bruno')).toEqual(['N-OLD']);
      expect(await backfillPositionListing(db, table)).toBe(0);
    });
  });
});
