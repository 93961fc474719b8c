/**
 * What reporting a position costs DynamoDB Local, by the layout of its writes
 * (`npm run bench -- report-writes`): N paid positions (default 3,200) reported, 16 clients, in a
 * fresh DynamoDB Local with the layer's table, side by side in one run:
 *
 *   - baseline: the layout until 2026-12-04 — 32 positions a transaction, each with its audit line
 *     in the same transaction (conditional Puts: 64 transactional items);
 *   - the layer's store (DynamoReportingFlowStore.report) fed 32 positions a call: their audit
 *     lines in ONE item of the transaction, then written under their positions in batches;
 *   - the same store fed 96 a call, as the matcher does (98 items a transaction).
 *
 * Two rounds, each layout on its own positions; the first round warms the JVM up.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { catalog } from '../infra/catalog';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { createTable } from '../infra/local/resources';
import { batchWriteAll, createDocumentClient, inParallel } from '../shared/adapters/dynamo/client';
import { positionItem, writableAt } from '../shared/adapters/dynamo/debt-position-store';
import { auditPut } from '../shared/adapters/dynamo/outbox';
import { DynamoReportingFlowStore } from '../shared/adapters/dynamo/reporting-flow-store';
import type { DebtPosition } from '../shared/domain/debt-position';
import { reportRequestId, type PositionReport } from '../shared/use-cases/reconciliation/ports';
import { paidPosition } from '../test/fixtures/paid';

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'eu-south-1';
const TABLE = 'bench-report-writes';
const CLIENTS = 16;
const ORG = '80001234568';

export interface ReportWritesRow {
  readonly layout: string;
  readonly round: number;
  readonly seconds: number;
  readonly positionsPerSecond: number;
}

export async function benchReportWrites(positions = 3_200): Promise<ReportWritesRow[]> {
  const dynamo = await startDynamoDbLocal({ region, credentials, collector: 'Parallel' });
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
  const db = createDocumentClient(raw);
  const store = new DynamoReportingFlowStore(db, TABLE);
  const at = new Date().toISOString();
  const rows: ReportWritesRow[] = [];
  try {
    await createTable(raw, catalog, TABLE);
    const reportsOf = async (tag: string): Promise<PositionReport[]> => {
      const paid: DebtPosition[] = Array.from({ length: positions }, (_, i) =>
        paidPosition({ iupd: `${tag}-${i}`, iuv: `12${String(9_000_000_000_000 + i).padStart(15, '0')}`, receiptId: `${tag}r${i}`, amount: 1000, at }).position,
      );
      await batchWriteAll(db, TABLE, paid.map((p) => ({ PutRequest: { Item: positionItem(p) } })));
      return paid.map((p) => ({
        position: { ...p, status: 'REPORTED', version: p.version + 1, lastUpdatedDate: at },
        expectedVersion: p.version,
        audit: { at, action: 'report', actor: { organizationFiscalCode: ORG, keyId: 'system:reconciliation', requestId: reportRequestId(keyOf(tag)) }, version: p.version + 1, fromStatus: p.status, toStatus: 'REPORTED' },
      }));
    };
    const layouts: Array<{ layout: string; size: number; write: (batch: PositionReport[], tag: string) => Promise<void> }> = [
      {
        layout: 'baseline: 32 a transaction, each with its audit line in it',
        size: 32,
        write: async (batch) => {
          await db.send(new TransactWriteCommand({
            TransactItems: batch.flatMap((r) => [{ Put: { TableName: TABLE, Item: positionItem(r.position), ...writableAt(r.expectedVersion) } }, auditPut(TABLE, r.position, r.audit!)]) as never,
          }));
        },
      },
      { layout: 'the store, 32 a call (audit lines in one item, then batched)', size: 32, write: (batch, tag) => written(store.report(keyOf(tag), batch)) },
      { layout: 'the store, 96 a call (what the matcher does)', size: 96, write: (batch, tag) => written(store.report(keyOf(tag), batch)) },
    ];
    for (const round of [1, 2]) {
      for (const [n, { layout, size, write }] of layouts.entries()) {
        const tag = `R${round}L${n}`;
        const reports = await reportsOf(tag);
        const batches: PositionReport[][] = [];
        for (let i = 0; i < reports.length; i += size) batches.push(reports.slice(i, i + size));
        const started = performance.now();
        await inParallel(batches, CLIENTS, (batch) => write(batch, tag));
        const seconds = (performance.now() - started) / 1000;
        rows.push({ layout, round, seconds, positionsPerSecond: Math.round(positions / seconds) });
      }
    }
    return rows;
  } finally {
    raw.destroy();
    await dynamo.stop();
  }
}

const keyOf = (tag: string) => ({ organizationFiscalCode: ORG, flowId: `2026-12-04BENCH-${tag}`, pspId: 'BENCH', revision: 1 });

async function written(notWritten: Promise<Map<string, unknown>>): Promise<void> {
  const missed = await notWritten;
  if (missed.size > 0) throw new Error(`${missed.size} positions not written`);
}

export function formatReportWritesTable(rows: readonly ReportWritesRow[]): string {
  return [
    `Reporting positions on DynamoDB Local, ${CLIENTS} clients (round 1 warms the JVM up)`,
    '| layout | round | seconds | positions/s |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.layout} | ${r.round} | ${r.seconds.toFixed(2)} | ${r.positionsPerSecond} |`),
  ].join('\n');
}

if (process.argv[1]?.endsWith('bench-report-writes.ts')) {
  const i = process.argv.indexOf('--positions');
  console.log(formatReportWritesTable(await benchReportWrites(i >= 0 ? Number(process.argv[i + 1]) : undefined)));
}
