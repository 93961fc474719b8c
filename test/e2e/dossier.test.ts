/**
 * The citizen's dossier end to end on the local stack: a debtor with 120 positions of 3
 * installments each (some published and messaged on App IO, some paid through the node, one with
 * an outcome KO receipt, the rest drafts), paged through over HTTP at several page sizes. Every
 * position appears exactly once, newest first, with the right receipts and messages; and the
 * DynamoDB requests of every page, counted on the process's one DynamoDB client (the handlers
 * run in this process), are 1 Query of the positions + 2 per position on the page, whatever the
 * number of options — where reading the whole dossier at once took 1 + 120 × 3 + 120.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payNotice } from '../../scripts/pay';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { addPositionKeysToReceipts } from '../../shared/adapters/dynamo/position-receipts';
import { dynamoCommandCounts } from '../../shared/composition/platform';
import { DEBTOR_CF, positionRequest } from '../fixtures/positions';
import { ALTROVE_FC, ALTROVE_KEY, ESEMPIO_FC, startLocalStack, type ApiResponse, type LocalStack } from '../support/local-stack';

const quiet = () => {};
const POSITIONS = 120;
const dossierPath = (ofc: string, query = '') => `/organizations/${ofc}/debtors/${DEBTOR_CF}/dossier${query}`;

interface Made {
  iupd: string;
  navs: string[];
  iuvs: string[];
  published: boolean;
  /** option indexes paid (APPLIED receipts) */
  paid: number[];
  /** option indexes with an outcome KO receipt */
  ko: number[];
  receiptIds: Map<number, string>;
}

let stack: LocalStack;
const made: Made[] = [];
let altroveIupd: string;

function threeInstallments(): Record<string, unknown> {
  const installment = (n: number, dueDate: string) => ({
    amount: 4000 + n,
    description: `TARI 2026 - rata ${n}`,
    isPartialPayment: true,
    dueDate,
    transfer: [{ idTransfer: '1', amount: 4000 + n, remittanceInformation: `TARI 2026 rata ${n}`, category: '9/0101108TS/', iban: 'IT78L0306909606100000117002' }],
  });
  return positionRequest({ paymentOption: [installment(1, '2099-03-31'), installment(2, '2099-06-30'), installment(3, '2099-09-30')] });
}

async function pool<T>(items: readonly T[], inFlight: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

const totalCommands = () => [...dynamoCommandCounts.values()].reduce((a, b) => a + b, 0);

/** one GET, with the DynamoDB commands the process sent meanwhile (nothing else runs: workers stopped) */
async function counted(path: string): Promise<{ r: ApiResponse; commands: Record<string, number> }> {
  const before = new Map(dynamoCommandCounts);
  const r = await stack.api('GET', path);
  const commands: Record<string, number> = {};
  for (const [name, n] of dynamoCommandCounts) {
    const d = n - (before.get(name) ?? 0);
    if (d > 0) commands[name] = d;
  }
  return { r, commands };
}

async function pageThrough(limit?: number): Promise<{ pages: ApiResponse[]; commands: Array<Record<string, number>> }> {
  const pages: ApiResponse[] = [];
  const commands: Array<Record<string, number>> = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ ...(limit !== undefined ? { limit: String(limit) } : {}), ...(cursor ? { cursor } : {}) }).toString();
    const { r, commands: c } = await counted(dossierPath(ESEMPIO_FC, query ? `?${query}` : ''));
    expect(r.status, r.text).toBe(200);
    pages.push(r);
    commands.push(c);
    cursor = r.json.cursor;
    expect(r.json.truncated).toBe(cursor !== undefined);
  } while (cursor !== undefined && pages.length <= POSITIONS);
  return { pages, commands };
}

beforeAll(async () => {
  stack = await startLocalStack();
  const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
  // every tenth position is published (3 new-notice messages each), the rest stay drafts
  await pool(Array.from({ length: POSITIONS }, (_, i) => i), 4, async (i) => {
    const published = i % 10 === 0;
    const r = await stack.api('POST', `${positions}${published ? '?toPublish=true' : ''}`, { body: threeInstallments() });
    if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.text.slice(0, 300)}`);
    made[i] = {
      iupd: r.json.iupd,
      navs: r.json.paymentOption.map((o: { nav: string }) => o.nav),
      iuvs: r.json.paymentOption.map((o: { iuv: string }) => o.iuv),
      published,
      paid: [],
      ko: [],
      receiptIds: new Map(),
    };
  });
  await stack.cloud.drain({ timeoutMs: 120_000 });
  // paid through the node: the first installment of six positions, all three of one; a KO receipt on another
  const payments: Array<[number, number, boolean]> = [
    ...[0, 20, 40, 60, 80, 100].map((i): [number, number, boolean] => [i, 0, false]),
    [10, 0, false],
    [10, 1, false],
    [10, 2, false],
    [30, 1, true],
  ];
  for (const [i, option, ko] of payments) {
    const m = made[i]!;
    const result = await payNotice({ noticeNumber: m.navs[option]!, url: stack.url, log: quiet, ko });
    expect(result.exchanges.map((x) => x.outcome)).toEqual(['OK', 'OK', 'OK']);
    (ko ? m.ko : m.paid).push(option);
    m.receiptIds.set(option, result.receipt!.receiptId);
  }
  // the same debtor at another tenant
  const altrove = await stack.api('POST', `/organizations/${ALTROVE_FC}/debtpositions?toPublish=true`, {
    key: ALTROVE_KEY,
    body: positionRequest({
      paymentOption: [{ amount: 5000, description: 'Canone', isPartialPayment: false, dueDate: '2099-06-30', transfer: [{ idTransfer: '1', amount: 5000, remittanceInformation: 'Canone', category: '9/0101108TS/', iban: 'IT47K0503401633000000012345' }] }],
    }),
  });
  expect(altrove.status, altrove.text).toBe(201);
  altroveIupd = altrove.json.iupd;
  await stack.cloud.drain({ timeoutMs: 120_000 });
  // from here on only the requests of the tests touch DynamoDB
  await stack.cloud.stopWorkers();
}, 600_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the citizen's dossier, paged", () => {
  it('every position exactly once, newest first, with its receipts and messages; 1 + 2 × positions DynamoDB queries per page', async () => {
    const { pages, commands } = await pageThrough();
    expect(pages.map((p) => p.json.positions.length)).toEqual([20, 20, 20, 20, 20, 20]);
    const shown = pages.flatMap((p) => p.json.positions);
    expect(shown).toHaveLength(POSITIONS);
    expect(new Set(shown.map((p: { iupd: string }) => p.iupd))).toEqual(new Set(made.map((m) => m.iupd)));
    const order = shown.map((p: { insertedDate: string; iupd: string }) => `${p.insertedDate}#${p.iupd}`);
    expect(order).toEqual([...order].sort().reverse());
    expect(shown.some((p: { iupd: string }) => p.iupd === altroveIupd)).toBe(false);

    const byIupd = new Map(shown.map((p: { iupd: string }) => [p.iupd, p]));
    for (const m of made) {
      const p = byIupd.get(m.iupd) as any;
      expect(p.paymentOptions.map((o: { nav: string }) => o.nav)).toEqual(m.navs);
      const status = !m.published ? 'DRAFT' : m.paid.length === 3 ? 'PAID' : m.paid.length > 0 ? 'PARTIALLY_PAID' : 'VALID';
      expect(p.status, m.iupd).toBe(status);
      expect(p.notice.available).toBe(status === 'VALID' || status === 'PARTIALLY_PAID');
      // receipts: option by option
      const expected = [...m.paid.map((o) => [o, 'APPLIED'] as const), ...m.ko.map((o) => [o, 'KO'] as const)].sort((a, b) => a[0] - b[0]);
      expect(p.receipts.map((r: any) => [r.nav, r.iuv, r.state, r.receiptId, r.amount])).toEqual(
        expected.map(([o, state]) => [m.navs[o], m.iuvs[o], state, m.receiptIds.get(o), 4001 + o]),
      );
      // messages: a new notice per installment of a published position, a receipt message per paid one
      const kinds = p.messages.map((x: any) => `${x.nav}:${x.kind}:${x.state}:${x.channel}`).sort();
      const want = m.published ? [...m.navs.map((n) => `${n}:new-notice:sent:io`), ...m.paid.map((o) => `${m.navs[o]}:payment-received:sent:io`)].sort() : [];
      expect(kinds, m.iupd).toEqual(want);
    }

    // bounded: one Query of the positions and two per position on the page (its receipts, its
    // message records); at most the API key look-ups besides (cached by the authenticator)
    commands.forEach((c, i) => {
      const n = pages[i]!.json.positions.length;
      expect(c['QueryCommand'], `page ${i}`).toBe(1 + 2 * n);
      const others = Object.entries(c).filter(([name]) => name !== 'QueryCommand');
      expect(others.every(([name]) => name === 'GetItemCommand'), JSON.stringify(c)).toBe(true);
      expect(others.reduce((a, [, k]) => a + k, 0)).toBeLessThanOrEqual(2);
    });
  }, 120_000);

  it('at the largest page (50) and a small one (7) the same positions, each once; 50 per page costs 101 queries', async () => {
    for (const limit of [50, 7]) {
      const { pages, commands } = await pageThrough(limit);
      const sizes = pages.map((p) => p.json.positions.length);
      expect(sizes.slice(0, -1).every((s) => s === limit)).toBe(true);
      const iupds = pages.flatMap((p) => p.json.positions.map((x: { iupd: string }) => x.iupd));
      expect(iupds).toHaveLength(POSITIONS);
      expect(new Set(iupds).size).toBe(POSITIONS);
      if (limit === 50) expect(commands.map((c) => c['QueryCommand'])).toEqual([101, 101, 41]);
      expect(Math.max(...commands.map((c) => totalOf(c)))).toBeLessThanOrEqual(1 + 2 * limit + 2);
    }
  }, 120_000);

  it('refuses a forged cursor, a cursor of another list and a limit out of range, naming the field, reading nothing', async () => {
    const before = totalCommands();
    const forged = [
      'not-a-cursor!',
      Buffer.from(JSON.stringify(['RCPT#80001234568#1', 'RECEIPT#1', `ORG#${ESEMPIO_FC}#RECEIPTS`, '2026'])).toString('base64url'),
      Buffer.from(JSON.stringify(['2026-11-01T00:00:00.000Z', `x#ORG#${ALTROVE_FC}`])).toString('base64url'),
    ];
    for (const cursor of forged) {
      const r = await stack.api('GET', dossierPath(ESEMPIO_FC, `?cursor=${encodeURIComponent(cursor)}`));
      expect(r.status).toBe(400);
      expect(r.json.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
    }
    for (const [q, named] of [['limit=51', ['limit']], ['limit=0', ['limit']], ['limit=abc&cursor=x!', ['cursor', 'limit']], ['page=2', ['page']]] as const) {
      const r = await stack.api('GET', dossierPath(ESEMPIO_FC, `?${q}`));
      expect(r.status).toBe(400);
      expect(r.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(named);
    }
    // refused before any read (the API key is cached from the previous tests)
    expect(totalCommands() - before).toBeLessThanOrEqual(2);
  });

  it("a tenant's dossier shows its own only; a cursor of one tenant, at the other, reads nothing of the first", async () => {
    const own = await stack.api('GET', dossierPath(ALTROVE_FC), { key: ALTROVE_KEY });
    expect(own.status).toBe(200);
    expect(own.json.positions.map((p: { iupd: string }) => p.iupd)).toEqual([altroveIupd]);
    // the cursor only says where to go on; the partition is the caller's tenant and debtor
    const first = await stack.api('GET', dossierPath(ESEMPIO_FC, '?limit=5'));
    const theirs = await stack.api('GET', dossierPath(ALTROVE_FC, `?cursor=${first.json.cursor}`), { key: ALTROVE_KEY });
    expect(theirs.status).toBe(200);
    expect(theirs.json.positions).toEqual([]);
    expect(JSON.stringify([own.json, theirs.json])).not.toContain(made[0]!.navs[0]!);
    expect((await stack.api('GET', dossierPath(ALTROVE_FC))).status).toBe(403);
  });

  it('a receipt item stored before the position keys existed shows again once addPositionKeysToReceipts ran', async () => {
    const db = createDocumentClient(
      new DynamoDBClient({ region: stack.cloud.region, endpoint: stack.cloud.endpoints.dynamodb, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    const table = stack.cloud.env['TABLE_NAME_MAIN']!;
    const m = made[20]!;
    // as the receipt store wrote it before: no gsi3 attributes
    await db.send(
      new UpdateCommand({ TableName: table, Key: { pk: `RCPT#${ESEMPIO_FC}#${m.iuvs[0]}`, sk: `RECEIPT#${m.receiptIds.get(0)}` }, UpdateExpression: 'REMOVE gsi3pk, gsi3sk', ConditionExpression: 'attribute_exists(pk)' }),
    );
    const receiptsOf20 = async () => {
      for (let cursor: string | undefined, page = 0; page < 10; page++) {
        const r = await stack.api('GET', dossierPath(ESEMPIO_FC, `?limit=50${cursor ? `&cursor=${cursor}` : ''}`));
        const found = r.json.positions.find((p: { iupd: string }) => p.iupd === m.iupd);
        if (found) return found.receipts.map((x: { receiptId: string }) => x.receiptId);
        cursor = r.json.cursor;
      }
      throw new Error('position not found');
    };
    expect(await receiptsOf20()).toEqual([]);
    expect(await addPositionKeysToReceipts(db, table)).toEqual({ scanned: 1, updated: 1 });
    expect(await receiptsOf20()).toEqual([m.receiptIds.get(0)]);
    expect(await addPositionKeysToReceipts(db, table)).toEqual({ scanned: 0, updated: 0 });
  });
});

function totalOf(c: Record<string, number>): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}
