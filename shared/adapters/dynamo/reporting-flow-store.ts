/**
 * Reporting flows, their lines, claims and reconciliation anomalies in DynamoDB (keys:
 * reporting-flow-keys.ts). Built for flows of tens of thousands of lines: receipts, IUV locks and
 * positions are read with BatchGetItem (100 keys a request), unmatched lines written with
 * BatchWriteItem (25 a request), and up to 96 reported positions share ONE transaction (their
 * audit lines in one item, their events in one outbox item), the audit lines under their positions,
 * the flow's lines and the receipts' reported markers batched after it: a flow of 10,000
 * single-transfer lines costs about 0.2 requests a line.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type PutCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { PaymentReportedEvent, ReconciliationAnomalyEvent, ReportingFlowReconciledEvent } from '../../../events/reporting-flow';
import type { DebtPosition } from '../../domain/debt-position';
import { flowStateOf, type LineState, type ReceiptSide, type ReportingFlowLine } from '../../domain/reporting-flow';
import {
  reportRequestId,
  type AcquisitionState,
  type FlowKey,
  type LineReport,
  type Page,
  type PaidTransferRecord,
  type PositionReport,
  type ReconciliationAnomaly,
  type ReconciliationAnomalyKind,
  type ReportingFlowStore,
  type StoredFlow,
  type StoredLine,
} from '../../use-cases/reconciliation/ports';
import { batchGetAll, batchWriteAll, failedConditions, inParallel, isConditionFailure, queryAll, queryItems, type WriteRequest } from './client';
import { positionItem, writableAt } from './debt-position-store';
import { SK, iuvPk, positionPk, receiptGsi, receiptPk, RECEIPT_SK } from './keys';
import { auditBatchPut, auditLineRequests, restoreAuditLines, type PositionAudit } from './audit-batches';
import { OUTBOX_EVENTS_PER_ITEM, outboxEventPut, outboxEventsPut } from './outbox';
import {
  FDR_SK,
  anomalyPk,
  anomalySk,
  claimPrefix,
  claimSk,
  flowListPk,
  flowListSk,
  flowPk,
  flowSk,
  linePk,
  lineSk,
  reportedGsi,
  reportedSk,
} from './reporting-flow-keys';
import { orgPk } from './keys';

type Item = Record<string, unknown>;

/** `<iuv>#<iur>`: how receipt sides are keyed */
export const sideKey = (line: Pick<ReportingFlowLine, 'iuv' | 'iur'>): string => `${line.iuv}#${line.iur}`;

export class DynamoReportingFlowStore implements ReportingFlowStore {
  /** with `newId`, every new anomaly is announced: its reconciliation.anomaly event in the same transaction */
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly newId?: () => string,
  ) {}

  async acquisition(ofc: string): Promise<AcquisitionState | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: orgPk(ofc), sk: FDR_SK.state }, ConsistentRead: true }));
    return r.Item?.['state'] as AcquisitionState | undefined;
  }

  async saveAcquisition(ofc: string, state: AcquisitionState): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: orgPk(ofc), sk: FDR_SK.state, type: 'fdr-state', state } }));
  }

  async revisionsOf(ofc: string, flowId: string): Promise<StoredFlow[]> {
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': flowPk(ofc, flowId), ':p': 'PSP#' },
      ConsistentRead: true,
    });
    return items.map((i) => i['flow'] as StoredFlow);
  }

  async getFlow(key: FlowKey): Promise<StoredFlow | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: flowPk(key.organizationFiscalCode, key.flowId), sk: flowSk(key.pspId, key.revision) }, ConsistentRead: true }),
    );
    return r.Item?.['flow'] as StoredFlow | undefined;
  }

  async putFlow(flow: StoredFlow, previous: readonly FlowKey[], event?: ReportingFlowReconciledEvent): Promise<boolean> {
    // who wrote the header (the later writes of the item are updates that keep it)
    const writtenBy = event?.eventId ?? randomUUID();
    const header = { TableName: this.tableName, Item: { ...flowItem(flow), writtenBy }, ConditionExpression: 'attribute_not_exists(pk)' };
    try {
      if (event) {
        await this.db.send(new TransactWriteCommand({ TransactItems: [{ Put: header }, outboxEventPut(this.tableName, event)] as never, ClientRequestToken: event.eventId }));
      } else {
        await this.db.send(new PutCommand(header));
      }
    } catch (error) {
      if (!isConditionFailure(error) && !failedConditions(error)?.includes(0)) throw error;
      // stored already: by this very call (a retried request whose first try was written), or by a
      // concurrent acquirer of the same revision, whose header stays as it is now
      const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: flowPk(flow.organizationFiscalCode, flow.flowId), sk: flowSk(flow.pspId, flow.revision) }, ConsistentRead: true }));
      if (r.Item?.['writtenBy'] !== writtenBy) return false;
    }
    for (const old of previous) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: flowPk(old.organizationFiscalCode, old.flowId), sk: flowSk(old.pspId, old.revision) },
          UpdateExpression: 'SET #flow.#latest = :f REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#flow': 'flow', '#latest': 'latest' },
          ExpressionAttributeValues: { ':f': false },
        }),
      ).catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
    }
    return true;
  }

  async linesOf(key: FlowKey): Promise<StoredLine[]> {
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': linePk(key.organizationFiscalCode, key.flowId, key.pspId, key.revision) },
    });
    return items.map((i) => i['line'] as StoredLine);
  }

  async line(key: FlowKey, index: number): Promise<StoredLine | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: linePk(key.organizationFiscalCode, key.flowId, key.pspId, key.revision), sk: lineSk(index) }, ConsistentRead: true }),
    );
    return r.Item?.['line'] as StoredLine | undefined;
  }

  async moveLine(key: FlowKey, line: Pick<StoredLine, 'index' | 'iuv' | 'iur' | 'idTransfer' | 'amount'>, to: LineState): Promise<boolean> {
    const Key = { pk: flowPk(key.organizationFiscalCode, key.flowId), sk: flowSk(key.pspId, key.revision) };
    const claim = { pk: receiptPk(key.organizationFiscalCode, line.iuv), sk: claimSk(line.iur, line.idTransfer, key.flowId, key.pspId, key.revision, line.index) };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: claim, ConditionExpression: 'attribute_exists(pk)' } },
            {
              Update: {
                TableName: this.tableName,
                Key,
                UpdateExpression: 'ADD #f.#c.#from :minus, #f.#c.#to :one, #f.#s.#from :negAmount, #f.#s.#to :amount',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#f': 'flow', '#c': 'counts', '#s': 'sums', '#from': 'NO_RECEIPT', '#to': to },
                ExpressionAttributeValues: { ':minus': -1, ':one': 1, ':negAmount': -line.amount, ':amount': line.amount },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if ((failedConditions(error)?.length ?? 0) > 0) return false;
      throw error;
    }
    const flow = (await this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }))).Item?.['flow'] as StoredFlow | undefined;
    if (!flow) return true;
    const state = flowStateOf(flow.counts, flow.headerProblems.length);
    if (state !== flow.state) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET #f.#state = :s',
          ExpressionAttributeNames: { '#f': 'flow', '#state': 'state' },
          ExpressionAttributeValues: { ':s': state },
        }),
      );
    }
    return true;
  }

  async putLines(key: FlowKey, lines: readonly StoredLine[], fromClaims = false): Promise<void> {
    const requests: WriteRequest[] = [];
    for (const line of lines) {
      requests.push({ PutRequest: { Item: lineItem(key, line) } });
      const claim = { pk: receiptPk(key.organizationFiscalCode, line.iuv), sk: claimSk(line.iur, line.idTransfer, key.flowId, key.pspId, key.revision, line.index) };
      if (line.state === 'NO_RECEIPT') {
        requests.push({ PutRequest: { Item: { ...claim, type: 'fdr-claim', key: flowKeyOf(key), index: line.index } } });
      } else if (!fromClaims) {
        requests.push({ DeleteRequest: { Key: claim } });
      }
    }
    await batchWriteAll(this.db, this.tableName, requests);
  }

  async receiptSides(ofc: string, lines: readonly ReportingFlowLine[]): Promise<Map<string, ReceiptSide>> {
    const wanted = new Map<string, { iuv: string; iur: string }>();
    for (const l of lines) wanted.set(sideKey(l), { iuv: l.iuv, iur: l.iur });
    const receipts = await batchGetAll(this.db, this.tableName, [...wanted.values()].map((w) => ({ pk: receiptPk(ofc, w.iuv), sk: RECEIPT_SK.receipt(w.iur) })), {
      projection: 'pk, sk, #stored.iupd, #stored.nav, #stored.recordedAt, #stored.#receipt.transferList',
      names: { '#stored': 'stored', '#receipt': 'receipt' },
    });
    const sides = new Map<string, ReceiptSide>();
    const missingIuvs = new Set<string>();
    for (const [key, w] of wanted) {
      const item = receipts.get(`${receiptPk(ofc, w.iuv)}|${RECEIPT_SK.receipt(w.iur)}`);
      const stored = item?.['stored'] as { iupd?: string; nav: string; recordedAt: string; receipt: { transferList: Array<{ idTransfer: number; transferAmount: number }> } } | undefined;
      if (stored?.iupd !== undefined) {
        sides.set(key, {
          iuvKnown: true,
          receipt: { iupd: stored.iupd, nav: stored.nav, recordedAt: stored.recordedAt, transfers: stored.receipt.transferList.map((t) => ({ idTransfer: t.idTransfer, amount: t.transferAmount })) },
        });
      } else {
        missingIuvs.add(w.iuv);
      }
    }
    if (missingIuvs.size > 0) {
      const locks = await batchGetAll(this.db, this.tableName, [...missingIuvs].map((iuv) => ({ pk: iuvPk(ofc, iuv), sk: SK.iuv })), { projection: 'pk, sk' });
      for (const [key, w] of wanted) {
        if (!sides.has(key)) sides.set(key, { iuvKnown: locks.has(`${iuvPk(ofc, w.iuv)}|${SK.iuv}`) });
      }
    }
    return sides;
  }

  async positions(ofc: string, iupds: readonly string[]): Promise<Map<string, DebtPosition>> {
    const items = await batchGetAll(this.db, this.tableName, [...new Set(iupds)].map((iupd) => ({ pk: positionPk(ofc, iupd), sk: SK.position })));
    const out = new Map<string, DebtPosition>();
    for (const item of items.values()) {
      const p = item['position'] as DebtPosition | undefined;
      if (p && item['pending'] === undefined) out.set(p.iupd, { ...p, version: item['version'] as number });
    }
    return out;
  }

  async position(ofc: string, iupd: string): Promise<DebtPosition | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: positionPk(ofc, iupd), sk: SK.position }, ConsistentRead: true }));
    const p = r.Item?.['position'] as DebtPosition | undefined;
    return p ? { ...p, version: r.Item?.['version'] as number } : undefined;
  }

  async report(key: FlowKey, inputs: readonly PositionReport[]): Promise<Map<string, 'conflict' | 'retry'>> {
    const notWritten = new Map<string, 'conflict' | 'retry'>();
    const written: PositionAudit[] = [];
    const ofc = key.organizationFiscalCode;
    await inParallel(reportTransactions(inputs), 1, async (batch) => {
      // the positions first (a failed condition's index is its position's), then the batch's audit lines and events, one item each
      const items: Array<{ Put: PutCommandInput }> = batch.map((input) => ({ Put: { TableName: this.tableName, Item: positionItem(input.position), ...writableAt(input.expectedVersion) } }));
      const audits = batch.flatMap((input) => (input.audit ? [{ iupd: input.position.iupd, audit: input.audit }] : []));
      if (audits.length > 0) items.push(auditBatchPut(this.tableName, ofc, reportRequestId(key), audits));
      const events = batch.flatMap((input) => (input.event ? [input.event] : []));
      // the batch's events in one outbox item (the dispatcher hands each on as its own)
      if (events.length > 0) items.push(outboxEventsPut(this.tableName, events));
      try {
        if (items.length === 1) await this.db.send(new PutCommand(items[0]!.Put));
        else await this.db.send(new TransactWriteCommand({ TransactItems: items as never }));
        written.push(...audits);
      } catch (error) {
        const failed = isConditionFailure(error) ? [0] : failedConditions(error);
        if (failed === undefined && !(error instanceof Error && error.name === 'TransactionCanceledException')) throw error;
        // nothing of the batch was written: the positions whose version moved are read again, the others retried as they are
        const conflicts = new Set((failed ?? []).map((i) => batch[i]?.position.iupd).filter((iupd) => iupd !== undefined));
        for (const input of batch) notWritten.set(input.position.iupd, conflicts.has(input.position.iupd) ? 'conflict' : 'retry');
      }
    });
    // the audit lines under their positions, batched: the audit batches above keep them should this not happen (restoreReportAudits)
    await batchWriteAll(this.db, this.tableName, auditLineRequests(ofc, written));
    return notWritten;
  }

  async restoreReportAudits(key: FlowKey, iupds: readonly string[]): Promise<number> {
    return restoreAuditLines(this.db, this.tableName, key.organizationFiscalCode, reportRequestId(key), iupds);
  }

  async reportLines(key: FlowKey, lines: readonly LineReport[]): Promise<void> {
    const ofc = key.organizationFiscalCode;
    const requests: WriteRequest[] = [];
    for (const r of lines) {
      requests.push({ PutRequest: { Item: lineItem(key, r.line) } });
      requests.push({
        PutRequest: {
          Item: {
            pk: receiptPk(ofc, r.iuv),
            sk: reportedSk(r.receiptId, r.idTransfer),
            type: 'fdr-reported',
            gsi1pk: reportedGsi(ofc),
            gsi1sk: `${r.receiptRecordedAt}#${r.iuv}#${r.receiptId}#${r.idTransfer}`,
            key: flowKeyOf(key),
            amount: r.amount,
          },
        },
      });
    }
    await batchWriteAll(this.db, this.tableName, requests);
  }

  async claimsOf(ofc: string, iuv: string, receiptId: string): Promise<Array<{ key: FlowKey; index: number }>> {
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': receiptPk(ofc, iuv), ':p': claimPrefix(receiptId) },
      ConsistentRead: true,
    });
    return items.map((i) => ({ key: i['key'] as FlowKey, index: i['index'] as number }));
  }

  async recordAnomalies(anomalies: readonly ReconciliationAnomaly[]): Promise<ReconciliationAnomaly[]> {
    const fresh: ReconciliationAnomaly[] = [];
    // conditional puts: an anomaly is stored (and counted) once; 16 at a time
    for (let i = 0; i < anomalies.length; i += 16) {
      await Promise.all(
        anomalies.slice(i, i + 16).map(async (a) => {
          const put = {
            TableName: this.tableName,
            Item: { pk: anomalyPk(a.organizationFiscalCode), sk: anomalySk(a.kind, a.ref), type: 'reconciliation-anomaly', anomaly: a },
            ConditionExpression: 'attribute_not_exists(pk)',
          };
          try {
            if (this.newId) {
              const event: ReconciliationAnomalyEvent = {
                eventId: this.newId(),
                eventType: 'reconciliation.anomaly',
                occurredAt: a.recordedAt,
                organizationFiscalCode: a.organizationFiscalCode,
                kind: a.kind,
                ref: a.ref,
                detail: a.detail.slice(0, 2000),
                ...(a.flowId ? { flowId: a.flowId } : {}),
                ...(a.iuv ? { iuv: a.iuv } : {}),
                ...(a.iur ? { iur: a.iur } : {}),
                ...(a.amount !== undefined ? { amount: a.amount } : {}),
                ...(a.movementId ? { movementId: a.movementId } : {}),
              };
              await this.db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, outboxEventPut(this.tableName, event)] as never }));
            } else {
              await this.db.send(new PutCommand(put));
            }
            fresh.push(a);
          } catch (error) {
            const duplicate =
              error instanceof Error &&
              (error.name === 'ConditionalCheckFailedException' ||
                (error.name === 'TransactionCanceledException' &&
                  (error as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'));
            if (!duplicate) throw error;
          }
        }),
      );
    }
    return fresh;
  }

  async resolveAnomaly(ofc: string, kind: ReconciliationAnomalyKind, ref: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: anomalyPk(ofc), sk: anomalySk(kind, ref) },
          UpdateExpression: 'SET #a.#r = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#a.#r)',
          ExpressionAttributeNames: { '#a': 'anomaly', '#r': 'resolvedAt' },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async listAnomalies(
    ofc: string,
    query: { kind?: ReconciliationAnomalyKind; open?: boolean; limit: number; cursor?: string },
  ): Promise<Page<ReconciliationAnomaly> | undefined> {
    return this.page(
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': anomalyPk(ofc), ':p': query.kind ? `ANOM#${query.kind}#` : 'ANOM#' },
      },
      query,
      (i) => i['anomaly'] as ReconciliationAnomaly,
      (a) => query.open === undefined || (a.resolvedAt === undefined) === query.open,
    );
  }

  async listFlows(ofc: string, query: { from?: string; to?: string; state?: StoredFlow['state']; limit: number; cursor?: string }): Promise<Page<StoredFlow> | undefined> {
    return this.page(
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': flowListPk(ofc), ':from': query.from ?? '0000', ':to': `${query.to ?? '9999'}\uffff` },
      },
      query,
      (i) => i['flow'] as StoredFlow,
      (f) => query.state === undefined || f.state === query.state,
    );
  }

  async *paidTransfers(ofc: string, window: { from?: string; to?: string }): AsyncIterable<PaidTransferRecord> {
    const between = (pk: string): QueryCommandInput => ({
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': pk, ':from': window.from ?? '0000', ':to': `${window.to ?? '9999'}\uffff` },
    });
    // the reported markers of the receipts of the window (indexed by the receipt's recordedAt)
    const reported = new Map<string, FlowKey>();
    for await (const m of queryAll(this.db, between(reportedGsi(ofc)))) {
      const [, iuv, receiptId, idTransfer] = String(m['gsi1sk']).split('#');
      reported.set(`${iuv}#${receiptId}#${idTransfer}`, m['key'] as FlowKey);
    }
    for await (const item of queryAll(this.db, between(receiptGsi.receipts(ofc)))) {
      const stored = item['stored'] as { state: string; iuv: string; receiptId: string; recordedAt: string; receipt: { transferList: Array<{ idTransfer: number; transferAmount: number; transferCategory: string; metadata?: Array<{ key: string; value: string }> }> } };
      if (stored.state !== 'APPLIED') continue;
      for (const t of stored.receipt.transferList) {
        const reportedBy = reported.get(`${stored.iuv}#${stored.receiptId}#${t.idTransfer}`);
        yield {
          iuv: stored.iuv,
          receiptId: stored.receiptId,
          idTransfer: t.idTransfer,
          amount: t.transferAmount,
          recordedAt: stored.recordedAt,
          category: t.transferCategory,
          metadata: (t.metadata ?? []).map((m) => `${m.key}=${m.value}`).join('|'),
          ...(reportedBy ? { reportedBy } : {}),
        };
      }
    }
  }

  // ---- helpers ----

  private async page<T>(
    input: QueryCommandInput,
    query: { limit: number; cursor?: string },
    read: (item: Item) => T,
    keep: (value: T) => boolean,
  ): Promise<Page<T> | undefined> {
    let start: Item | undefined;
    if (query.cursor !== undefined) {
      try {
        start = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as Item;
      } catch {
        return undefined;
      }
      if (typeof start !== 'object' || start === null || (input.IndexName ? start['gsi1pk'] : start['pk']) !== input.ExpressionAttributeValues?.[':pk']) return undefined;
    }
    const items: T[] = [];
    let last: Item | undefined;
    do {
      const r = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: start, Limit: query.limit }));
      for (const item of r.Items ?? []) {
        const value = read(item);
        if (!keep(value)) continue;
        items.push(value);
        if (items.length === query.limit) {
          last = input.IndexName ? { pk: item['pk'], sk: item['sk'], gsi1pk: item['gsi1pk'], gsi1sk: item['gsi1sk'] } : { pk: item['pk'], sk: item['sk'] };
          break;
        }
      }
      if (items.length === query.limit) break;
      start = r.LastEvaluatedKey;
      last = undefined;
    } while (start);
    return { items, ...(last ? { cursor: Buffer.from(JSON.stringify(last)).toString('base64url') } : {}) };
  }
}

const flowKeyOf = (key: FlowKey): FlowKey => ({ organizationFiscalCode: key.organizationFiscalCode, flowId: key.flowId, pspId: key.pspId, revision: key.revision });

function flowItem(flow: StoredFlow): Item {
  return {
    pk: flowPk(flow.organizationFiscalCode, flow.flowId),
    sk: flowSk(flow.pspId, flow.revision),
    type: 'reporting-flow',
    ...(flow.latest ? { gsi1pk: flowListPk(flow.organizationFiscalCode), gsi1sk: flowListSk(flow.flowDate, flow.flowId, flow.pspId) } : {}),
    flow,
  };
}

function lineItem(key: FlowKey, line: StoredLine): Item {
  return { pk: linePk(key.organizationFiscalCode, key.flowId, key.pspId, key.revision), sk: lineSk(line.index), type: 'reporting-flow-line', line };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A transaction holds up to 100 items and 4 MB: 96 positions, their audit batch and their outbox
 * item (positions are a few KB; TRANSACTION_BYTES splits a batch of large ones earlier).
 */
const POSITIONS_PER_TRANSACTION = 96;
const TRANSACTION_BYTES = 3_000_000;

/** The reports split into transactions by count and by (estimated) size. */
function reportTransactions(inputs: readonly PositionReport[]): PositionReport[][] {
  const batches: PositionReport[][] = [];
  let batch: PositionReport[] = [];
  let bytes = 0;
  for (const input of inputs) {
    const size = JSON.stringify(input.position).length * 2 + 2_000;
    if (batch.length > 0 && (batch.length >= Math.min(POSITIONS_PER_TRANSACTION, OUTBOX_EVENTS_PER_ITEM) || bytes + size > TRANSACTION_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(input);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
