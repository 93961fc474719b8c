/**
 * Reported positions share transactions (up to 96 a transaction) against DynamoDB Local: a
 * position whose version moved makes the whole transaction write nothing, the store says which
 * position conflicted and which are only to be retried, and the matcher reads the conflicting one
 * again and reports every position exactly once, each with one audit line and one event.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { positionItem } from '../../shared/adapters/dynamo/debt-position-store';
import { positionPk } from '../../shared/adapters/dynamo/keys';
import { DynamoReportingFlowStore } from '../../shared/adapters/dynamo/reporting-flow-store';
import type { DebtPosition } from '../../shared/domain/debt-position';
import type { Receipt } from '../../shared/domain/receipt';
import type { ReportingFlowLine } from '../../shared/domain/reporting-flow';
import { matchLines } from '../../shared/use-cases/reconciliation/matching';
import { acquireFlows } from '../../shared/use-cases/reconciliation/acquire';
import { DynamoTreasuryStore } from '../../shared/adapters/dynamo/treasury-store';
import type { FdrApi } from '../../shared/use-cases/reconciliation/ports';
import type { FlowKey, PositionReport, ReportingFlowStore } from '../../shared/use-cases/reconciliation/ports';
import { DynamoReceiptStore } from '../../shared/adapters/dynamo/receipt-store';
import { paidPosition } from '../fixtures/paid';
import { ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';

let stack: LocalStack;
let client: DynamoDBClient;
let table: string;
beforeAll(async () => {
  stack = await startLocalStack();
  await stack.cloud.stopWorkers();
  client = new DynamoDBClient({ endpoint: stack.cloud.endpoints.dynamodb, region: stack.cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  table = stack.cloud.env['TABLE_NAME_MAIN']!;
});
afterAll(async () => {
  client?.destroy();
  await stack?.stop();
});

const iso = '2026-12-01T10:00:00.000Z';

function paid(prefix: string, i: number): { position: DebtPosition; line: ReportingFlowLine; receiptId: string; receipt: Receipt } {
  const iuv = `12${prefix}${String(i).padStart(13, '0')}`;
  const receiptId = `r-${prefix}-${i}`;
  const amount = 1000 + i;
  const { position, receipt } = paidPosition({ iupd: `BATCH-${prefix}-${i}`, iuv, receiptId, amount, at: iso });
  return { position, receipt, receiptId, line: { index: i + 1, iuv, iur: receiptId, idTransfer: 1, amount, payStatus: 'EXECUTED', payDate: iso } };
}

async function seed(prefix: string, n: number) {
  const db = createDocumentClient(client);
  const rows = Array.from({ length: n }, (_, i) => paid(prefix, i));
  for (let i = 0; i < rows.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [table]: rows.slice(i, i + 25).map((r) => ({ PutRequest: { Item: positionItem(r.position, { listed: true }) } })) } }));
  }
  const receipts = new DynamoReceiptStore(db, table);
  for (const { position, receiptId, line, receipt } of rows) {
    await receipts.recordReceipt({ organizationFiscalCode: ESEMPIO_FC, iuv: line.iuv, nav: `3${line.iuv}`, receiptId, state: 'APPLIED', iupd: position.iupd, recordedAt: iso, receipt });
  }
  return { db, rows };
}

async function itemsOf(db: ReturnType<typeof createDocumentClient>, iupd: string) {
  const r = await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': positionPk(ESEMPIO_FC, iupd) }, ConsistentRead: true }));
  return r.Items ?? [];
}

describe('reported positions share transactions', () => {
  it('a stale version in a batch writes nothing and names the conflict; the other positions are only to be retried', async () => {
    const { db, rows } = await seed('71', 3);
    const store = new DynamoReportingFlowStore(db, table);
    const reports: PositionReport[] = rows.map(({ position }, i) => ({
      position: { ...position, status: 'REPORTED', version: 3 },
      expectedVersion: i === 1 ? 1 : 2, // the second was read at a version it no longer has
      audit: { at: iso, action: 'report', actor: { organizationFiscalCode: ESEMPIO_FC, keyId: 'system:reconciliation', requestId: 't' }, version: 3, fromStatus: 'PAID', toStatus: 'REPORTED' },
    }));
    const key: FlowKey = { organizationFiscalCode: ESEMPIO_FC, flowId: '2026-12-01BCITITMM-S000071', pspId: 'BCITITMM', revision: 1 };
    const notWritten = await store.report(key, reports);
    expect([...notWritten.entries()]).toEqual([
      [rows[0]!.position.iupd, 'retry'],
      [rows[1]!.position.iupd, 'conflict'],
      [rows[2]!.position.iupd, 'retry'],
    ]);
    for (const { position } of rows) {
      const items = await itemsOf(db, position.iupd);
      expect(items.filter((i) => i['type'] === 'audit')).toHaveLength(0);
      expect((items.find((i) => i['type'] === 'position')?.['position'] as DebtPosition).status).toBe('PAID');
    }
  });

  it('200 positions (three transactions of up to 96), one changed under the matcher: each reported once, one audit and one event each', async () => {
    const { db, rows } = await seed('72', 200);
    const real = new DynamoReportingFlowStore(db, table);
    const bumped = rows[140]!.position;
    let calls = 0;
    // the second transaction's position 140 is changed by someone else just before the matcher writes
    const store: ReportingFlowStore = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'report') return Reflect.get(target, property, receiver);
        return async (key: FlowKey, reports: readonly PositionReport[]) => {
          calls++;
          if (reports.some((r) => r.position.iupd === bumped.iupd) && calls <= 2) {
            await db.send(new BatchWriteCommand({ RequestItems: { [table]: [{ PutRequest: { Item: positionItem({ ...bumped, version: 3, lastUpdatedDate: '2026-12-01T11:00:00.000Z' }, { listed: true }) } }] } }));
          }
          return target.report(key, reports);
        };
      },
    });
    const key: FlowKey = { organizationFiscalCode: ESEMPIO_FC, flowId: '2026-12-01BCITITMM-S000072', pspId: 'BCITITMM', revision: 1 };
    let ids = 0;
    const stored = await matchLines({ store, clock: () => new Date('2026-12-02T08:00:00.000Z'), newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`, concurrency: 2 }, key, rows.map((r) => r.line));
    expect(stored.every((l) => l.state === 'MATCHED')).toBe(true);
    expect(calls).toBe(4); // three transactions, the one with the changed position once more
    for (const { position } of rows) {
      const items = await itemsOf(db, position.iupd);
      const written = items.find((i) => i['type'] === 'position')!['position'] as DebtPosition;
      expect(written.status).toBe('REPORTED');
      expect(written.version).toBe(position.iupd === bumped.iupd ? 4 : 3);
      expect(items.filter((i) => i['type'] === 'audit' && (i['audit'] as { action: string }).action === 'report')).toHaveLength(1);
    }
    // one payment.reported per position, in the outbox items of the transactions that were written
    const outbox = await db.send(new ScanCommand({ TableName: table, FilterExpression: '#t = :e AND attribute_exists(events)', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':e': 'event' }, ConsistentRead: true }));
    const reported = (outbox.Items ?? []).flatMap((i) => i['events'] as Array<{ eventType: string; iupd: string; flowId: string }>).filter((e) => e.eventType === 'payment.reported' && e.flowId === key.flowId);
    expect(reported.map((e) => e.iupd).sort()).toEqual(rows.map((r) => r.position.iupd).sort());
  });

  it('a run stopped between its transactions and their audit lines: the flow matched again writes each missing audit line once, the same line', async () => {
    const { db, rows } = await seed('73', 40);
    const key: FlowKey = { organizationFiscalCode: ESEMPIO_FC, flowId: '2026-12-01BCITITMM-S000073', pspId: 'BCITITMM', revision: 1 };
    const clock = () => new Date('2026-12-02T08:00:00.000Z');
    // a DynamoDB client that dies at the first batch holding an audit line (the Lambda's end, after the transactions)
    const dying = new DynamoDBClient({ endpoint: stack.cloud.endpoints.dynamodb, region: stack.cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    dying.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { RequestItems?: Record<string, Array<{ PutRequest?: { Item?: Record<string, unknown> } }>> };
        if (context.commandName === 'BatchWriteItemCommand' && Object.values(input.RequestItems ?? {}).flat().some((r) => JSON.stringify(r.PutRequest?.Item?.['type']).includes('"audit"'))) throw new Error('killed');
        return next(args);
      },
      { step: 'initialize', name: 'killAtAuditLines' },
    );
    await expect(matchLines({ store: new DynamoReportingFlowStore(createDocumentClient(dying), table), clock }, key, rows.map((r) => r.line))).rejects.toThrow('killed');
    dying.destroy();
    for (const { position } of rows) {
      const items = await itemsOf(db, position.iupd);
      expect((items.find((i) => i['type'] === 'position')!['position'] as DebtPosition).status).toBe('REPORTED');
      expect(items.filter((i) => i['type'] === 'audit')).toHaveLength(0);
    }
    // the retry (the flow's header was not written, so it is acquired and matched again)
    const real = new DynamoReportingFlowStore(db, table);
    let restored = 0;
    const store: ReportingFlowStore = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'restoreReportAudits') return Reflect.get(target, property, receiver);
        return async (k: FlowKey, iupds: readonly string[]) => (restored = await target.restoreReportAudits(k, iupds));
      },
    });
    const later = () => new Date('2026-12-02T09:00:00.000Z');
    const stored = await matchLines({ store, clock: later }, key, rows.map((r) => r.line));
    expect(stored.every((l) => l.state === 'MATCHED')).toBe(true);
    expect(restored).toBe(40);
    // and a third run (a duplicate delivery) changes nothing
    await matchLines({ store: real, clock: later }, key, rows.map((r) => r.line));
    for (const { position } of rows) {
      const items = await itemsOf(db, position.iupd);
      const written = items.find((i) => i['type'] === 'position')!['position'] as DebtPosition;
      expect(written.version).toBe(3);
      const audits = items.filter((i) => i['type'] === 'audit').map((i) => i['audit'] as { at: string; action: string; version: number; fromStatus: string; toStatus: string; actor: { requestId: string } });
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ at: '2026-12-02T08:00:00.000Z', action: 'report', version: 3, fromStatus: 'PAID', toStatus: 'REPORTED', actor: { requestId: `fdr:${key.flowId}:${key.pspId}:1` } });
      expect(written.paymentOptions[0]!.transfers[0]!.reporting?.reportingDate).toBe('2026-12-02T08:00:00.000Z');
    }
  });
});

/** An FdR API that lists one flow (revision 1) of these lines, as pagoPA would serve it. */
function publishedFlow(flowId: string, published: string, lines: readonly ReportingFlowLine[]) {
  const ref = { flowId, pspId: 'BCITITMM', revision: 1, published, flowDate: '2026-12-01T11:00:00.000Z' };
  const sum = lines.reduce((s, l) => s + l.amount, 0);
  const fdr: FdrApi = {
    listFlows: async () => ({ flows: [ref], totPage: 1 }),
    getFlow: async () => ({ organizationFiscalCode: ESEMPIO_FC, ...ref, regulation: `TRN-${flowId}`, regulationDate: '2026-12-01', totPayments: lines.length, sumPayments: sum }),
    getPayments: async () => ({ lines: [...lines], totPage: 1 }),
  };
  return { flowId, sum, fdr };
}

describe('two acquirers of one revision (two syncs at once)', () => {
  it('the second finds the header stored and writes nothing over it: the treasury credit it gained meanwhile stays, one reconciled event', async () => {
    const { db, rows } = await seed('74', 5);
    const { flowId, sum, fdr } = publishedFlow('2026-12-01BCITITMM-S000074', '2026-12-01T12:00:00.000Z', rows.map((r) => r.line));
    const key: FlowKey = { organizationFiscalCode: ESEMPIO_FC, flowId, pspId: 'BCITITMM', revision: 1 };
    const treasury = new DynamoTreasuryStore(db, table);
    let ids = 0;
    const deps = (store: ReportingFlowStore) => ({ store, treasury, fdr, keyOf: async () => 'key', clock: () => new Date('2026-12-02T08:00:00.000Z'), newId: () => `00000000-0000-4000-8074-${String(++ids).padStart(12, '0')}` });
    // the second acquirer is held just before its header, until the first is done and the treasury has credited the flow
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atHeader = new Promise<void>((r) => (reached = r));
    const real = new DynamoReportingFlowStore(db, table);
    const slow: ReportingFlowStore = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'putFlow') return Reflect.get(target, property, receiver);
        return async (...args: Parameters<ReportingFlowStore['putFlow']>) => {
          reached();
          await held;
          return target.putFlow(...args);
        };
      },
    });
    const second = acquireFlows(deps(slow), ESEMPIO_FC);
    await atHeader;
    const first = await acquireFlows(deps(real), ESEMPIO_FC);
    expect(first.acquired).toBe(1);
    const credit = { movementId: 'MOV-74', amount: sum, state: 'CREDITED' as const, at: '2026-12-02T09:00:00.000Z' };
    await treasury.creditFlow(key, credit);
    release();
    expect((await second).acquired).toBe(0);
    const stored = await real.getFlow(key);
    expect(stored?.treasury).toEqual(credit);
    expect(stored?.counts).toEqual({ MATCHED: 5 });
    const outbox = await db.send(new ScanCommand({ TableName: table, FilterExpression: '#t = :e AND event.eventType = :r AND event.flowId = :f', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':e': 'event', ':r': 'reportingflow.reconciled', ':f': flowId }, ConsistentRead: true }));
    expect(outbox.Items ?? []).toHaveLength(1);
    for (const { position } of rows) {
      const audits = (await itemsOf(db, position.iupd)).filter((i) => i['type'] === 'audit');
      expect(audits).toHaveLength(1);
    }
  });

  it('an acquirer that dies after the header, before settling the credit that named the flow early: the next poll lists the flow again and settles it', async () => {
    const { db, rows } = await seed('75', 3);
    const { flowId, sum, fdr } = publishedFlow('2026-12-01BCITITMM-S000075', '2026-12-01T13:00:00.000Z', rows.map((r) => r.line));
    const store = new DynamoReportingFlowStore(db, table);
    const treasury = new DynamoTreasuryStore(db, table);
    // the credit came first: OPEN, waiting for its flow
    const movement = { organizationFiscalCode: ESEMPIO_FC, movementId: 'MOV-75', bookingDate: '2026-12-01', valueDate: '2026-12-01', amount: sum, remittanceInformation: `/PUR/LGPE-RIVERSAMENTO/URI/${flowId}`, flowId, state: 'OPEN' as const, importedAt: '2026-12-01T14:00:00.000Z', source: 'CSV' as const };
    expect(await treasury.putMovement(movement)).toBe(true);
    await treasury.updateMovement(movement);
    const dying = Object.create(treasury, { openMovementsFor: { value: () => Promise.reject(new Error('killed')) } }) as DynamoTreasuryStore;
    const deps = (t: DynamoTreasuryStore) => ({ store, treasury: t, fdr, keyOf: async () => 'key', clock: () => new Date('2026-12-02T08:00:00.000Z') });
    await expect(acquireFlows(deps(dying), ESEMPIO_FC)).rejects.toThrow('killed');
    expect((await store.getFlow({ organizationFiscalCode: ESEMPIO_FC, flowId, pspId: 'BCITITMM', revision: 1 }))?.treasury).toBeUndefined();
    expect((await treasury.movement(ESEMPIO_FC, 'MOV-75'))?.state).toBe('OPEN');

    const again = await acquireFlows(deps(treasury), ESEMPIO_FC);
    expect(again.acquired).toBe(0);
    expect((await treasury.movement(ESEMPIO_FC, 'MOV-75'))?.state).toBe('CREDITED');
    expect((await store.getFlow({ organizationFiscalCode: ESEMPIO_FC, flowId, pspId: 'BCITITMM', revision: 1 }))?.treasury).toMatchObject({ movementId: 'MOV-75', state: 'CREDITED', amount: sum });
    expect(await treasury.openMovementsFor(ESEMPIO_FC, flowId)).toEqual([]);
  });
});
