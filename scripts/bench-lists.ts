/**
 * GPD list pages on a tenant with 50,000 positions (local stack in a child process, DynamoDB
 * Local): page 0 and page 100 (limit 50, the default ordering INSERTED_DATE DESC), p50 / p99,
 * DynamoDB requests and read units per call, side by side with the same pages on the design
 * before the listing entries: COUNT of the tenant's whole index partition (full position items),
 * then a COUNT walk past the skipped items, then the page (the code of
 * DynamoDebtPositionStore.list as it was, here as `previousDesignPage`).
 *
 * Seeding writes the positions straight to the table with BatchWriteItem (25 items per call):
 * each position item as the positions store writes it (without its debtor index, which no list
 * reads) and the one listing entry the measured list reads (LIST#INS: inserted date, whole
 * tenant and per status), the counters set once. DynamoDB Local takes a few minutes for it. The API's numbers are over HTTP (authentication, the handler, the JSON
 * of 50 positions); read units come from ReturnConsumedCapacity, asked for every command of the
 * in-process reads (the same PositionLists code the API runs).
 *
 *   npx tsx scripts/bench-lists.ts [--positions 50000] [--runs 30]
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { positionItem } from '../shared/adapters/dynamo/debt-position-store';
import { LIST_SK, gsi } from '../shared/adapters/dynamo/keys';
import { PositionLists, countersOf, listingItems, listingStateOf, writeCounters } from '../shared/adapters/dynamo/position-listing';
import type { DebtPosition } from '../shared/domain/debt-position';
import { makeNoticeNumber } from '../shared/domain/notice-number';
import type { ListQuery } from '../shared/use-cases/ports';
import { startStackProcess } from './bench/local-stack-process';

const ORG = '80001234568';
const KEY = 'demo-esempio-key-0123456789abcdef';
const IBAN = 'IT78L0306909606100000117002';

export interface ListRow {
  readonly query: string;
  readonly design: 'listing entries (this design)' | 'count the partition (before)';
  readonly via: 'HTTP API' | 'store';
  readonly runs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestsPerCall: number;
  readonly readUnitsPerCall: number;
}

export interface ListsBench {
  readonly positions: number;
  readonly seedSeconds: number;
  readonly firstDeepPageMs: number;
  readonly rows: ListRow[];
}

/** A realistic position (~1.3 KB stored): debtor with address, one option, one transfer, metadata. */
function benchPosition(i: number, now: number): DebtPosition {
  const { iuv, nav } = makeNoticeNumber('12', BigInt(9_000_000_000 + i));
  const inserted = new Date(now - (50_000 - i) * 60_000).toISOString();
  return {
    organizationFiscalCode: ORG,
    iupd: `TARI-2026-${String(i).padStart(6, '0')}`,
    debtor: {
      type: 'F',
      fiscalCode: 'RCCMNL83S18D969H',
      fullName: `Cittadino Numero ${i}`,
      streetName: 'Via Giuseppe Garibaldi',
      civicNumber: String(1 + (i % 200)),
      postalCode: '00100',
      city: 'Roma',
      province: 'RM',
      country: 'IT',
      email: `cittadino.${i}@example.org`,
    },
    companyName: 'Comune di Esempio',
    officeName: 'Ufficio Tributi',
    switchToExpired: false,
    payStandIn: true,
    status: 'VALID',
    insertedDate: inserted,
    publishDate: inserted,
    lastUpdatedDate: inserted,
    version: 1,
    paymentOptions: [
      {
        iuv,
        nav,
        amount: 12050 + (i % 1000),
        description: 'TARI 2026 - rata unica',
        isPartialPayment: false,
        dueDate: new Date(Date.UTC(2099, 2, 1 + (i % 28), 22, 59, 59, 999)).toISOString(),
        fee: 0,
        status: 'PO_UNPAID',
        metadata: [{ key: 'codiceUtenza', value: `U-${i}` }],
        transfers: [
          {
            idTransfer: '1',
            amount: 12050 + (i % 1000),
            organizationFiscalCode: ORG,
            remittanceInformation: 'TARI 2026 - quota comunale',
            category: '9/0101108TS/',
            iban: IBAN,
            metadata: [{ key: 'capitolo', value: '1010' }],
          },
        ],
      },
    ],
  };
}

async function seed(db: DynamoDBDocumentClient, table: string, n: number): Promise<number> {
  const started = performance.now();
  const now = Date.now();
  const states = [];
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const p = benchPosition(i, now);
    const state = listingStateOf(p);
    states.push(state);
    const { gsi3pk: _debtorPk, gsi3sk: _debtorSk, ...item } = positionItem(p, { listed: true });
    items.push(item, listingItems(ORG, state).get(LIST_SK.ordered('INS')) as Record<string, unknown>);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      for (;;) {
        const at = next;
        next += 25;
        if (at >= items.length) return;
        let batch: Record<string, unknown>[] | undefined = items.slice(at, at + 25).map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; batch && batch.length > 0; attempt++) {
          const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch as never } }));
          batch = result.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
          if (batch && batch.length > 0) await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        }
      }
    }),
  );
  await writeCounters(db, table, ORG, countersOf(states));
  return (performance.now() - started) / 1000;
}

/** Counts requests and read units of every command the client sends (ReturnConsumedCapacity asked on each). */
function metered(client: DynamoDBClient): { totals: { requests: number; units: number }; reset(): void } {
  const totals = { requests: 0, units: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input['ReturnConsumedCapacity'] ??= 'TOTAL';
      totals.requests++;
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }).ConsumedCapacity;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) totals.units += c.CapacityUnits ?? 0;
      return out;
    },
    { step: 'initialize', name: 'benchMeter' },
  );
  return {
    totals,
    reset() {
      totals.requests = 0;
      totals.units = 0;
    },
  };
}

/** The list as the store did it before (COUNT of the partition, a COUNT walk past the skipped items, the page). */
async function previousDesignPage(db: DynamoDBDocumentClient, table: string, page: number, limit: number): Promise<number> {
  const base: QueryCommandInput = {
    TableName: table,
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': gsi.byStatus(ORG, 'VALID') },
    ScanIndexForward: false,
  };
  let total = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const r: QueryCommandOutput = await db.send(new QueryCommand({ ...base, Select: 'COUNT', ExclusiveStartKey: start }));
    total += r.Count ?? 0;
    start = r.LastEvaluatedKey;
  } while (start);
  let remaining = page * limit;
  start = undefined;
  while (remaining > 0) {
    const r: QueryCommandOutput = await db.send(new QueryCommand({ ...base, Select: 'COUNT', Limit: remaining, ExclusiveStartKey: start }));
    remaining -= r.Count ?? 0;
    start = r.LastEvaluatedKey;
    if (!start) break;
  }
  const items: unknown[] = [];
  while (items.length < limit) {
    const r: QueryCommandOutput = await db.send(new QueryCommand({ ...base, Limit: limit - items.length, ExclusiveStartKey: start }));
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
    if (!start) break;
  }
  return total;
}

const pct = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

async function timed(runs: number, call: () => Promise<void>): Promise<{ p50Ms: number; p99Ms: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  return { p50Ms: pct(ms, 50), p99Ms: pct(ms, 99) };
}

export async function benchLists(options: { positions?: number; runs?: number; log?: (line: string) => void } = {}): Promise<ListsBench> {
  const n = options.positions ?? 50_000;
  const runs = options.runs ?? 30;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stack = await startStackProcess();
  const client = new DynamoDBClient({ endpoint: stack.dynamodb, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const db = createDocumentClient(client);
  const meter = metered(client);
  const rows: ListRow[] = [];
  try {
    log(`seeding ${n} positions with BatchWriteItem…`);
    const seedSeconds = await seed(db, stack.table, n);
    log(`seeded in ${seedSeconds.toFixed(0)} s`);
    const lists = new PositionLists(db, stack.table);
    const query = (page: number): ListQuery => ({ page, limit: 50, orderBy: 'INSERTED_DATE', descending: true });

    // the first call of page 100 walks 5,000 entries and saves the bookmarks
    const t0 = performance.now();
    const first = await lists.list(ORG, query(100));
    const firstDeepPageMs = performance.now() - t0;
    if (first.kind !== 'page' || first.items.length !== 50 || first.total !== n) throw new Error(`unexpected first page 100: ${JSON.stringify(first).slice(0, 200)}`);

    for (const page of [0, 100]) {
      const label = `page ${page}, limit 50`;
      const http = await timed(runs, async () => {
        const r = await fetch(`${stack.url}/organizations/${ORG}/debtpositions?page=${page}&limit=50`, { headers: { 'Ocp-Apim-Subscription-Key': KEY } });
        const body = (await r.json()) as { page_info: { total_pages: number }; payment_position_list: unknown[] };
        if (r.status !== 200 || body.page_info.total_pages !== n / 50 || body.payment_position_list.length !== 50) throw new Error(`HTTP ${r.status}`);
      });
      meter.reset();
      const store = await timed(runs, async () => {
        const r = await lists.list(ORG, query(page));
        if (r.kind !== 'page' || r.items.length !== 50) throw new Error('short page');
      });
      const perCall = { requestsPerCall: meter.totals.requests / runs, readUnitsPerCall: meter.totals.units / runs };
      rows.push({ query: label, design: 'listing entries (this design)', via: 'HTTP API', runs, ...http, ...perCall });
      rows.push({ query: label, design: 'listing entries (this design)', via: 'store', runs, ...store, ...perCall });
      log(`${label}: API p50 ${http.p50Ms.toFixed(1)} ms, store p50 ${store.p50Ms.toFixed(1)} ms, ${perCall.readUnitsPerCall.toFixed(1)} RCU`);
    }
    const oldRuns = Math.max(3, Math.floor(runs / 6));
    for (const page of [0, 100]) {
      meter.reset();
      const old = await timed(oldRuns, async () => {
        if ((await previousDesignPage(db, stack.table, page, 50)) !== n) throw new Error('count');
      });
      rows.push({
        query: `page ${page}, limit 50`,
        design: 'count the partition (before)',
        via: 'store',
        runs: oldRuns,
        ...old,
        requestsPerCall: meter.totals.requests / oldRuns,
        readUnitsPerCall: meter.totals.units / oldRuns,
      });
      log(`before, page ${page}: p50 ${old.p50Ms.toFixed(0)} ms, ${(meter.totals.units / oldRuns).toFixed(0)} RCU`);
    }
    return { positions: n, seedSeconds, firstDeepPageMs, rows };
  } finally {
    client.destroy();
    await stack.stop();
  }
}

export function formatListsTable(b: ListsBench): string {
  const lines = [
    `Tenant with ${b.positions.toLocaleString('en')} positions (seeded in ${b.seedSeconds.toFixed(0)} s); first call of page 100 (walks 5,000 entries, saves the bookmarks): ${b.firstDeepPageMs.toFixed(0)} ms`,
    '',
    '| query | design | via | runs | p50 ms | p99 ms | DynamoDB requests / call | read units / call |',
    '|---|---|---|---:|---:|---:|---:|---:|',
    ...b.rows.map(
      (r) =>
        `| ${r.query} | ${r.design} | ${r.via} | ${r.runs} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.via === 'HTTP API' ? '(as store)' : r.requestsPerCall.toFixed(1)} | ${r.via === 'HTTP API' ? '(as store)' : r.readUnitsPerCall.toFixed(1)} |`,
    ),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { positions: { type: 'string' }, runs: { type: 'string' } } });
  const result = await benchLists({ positions: values.positions ? Number(values.positions) : undefined, runs: values.runs ? Number(values.runs) : undefined });
  process.stdout.write(`${formatListsTable(result)}\n`);
}
