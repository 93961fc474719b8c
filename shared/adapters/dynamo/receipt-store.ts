/**
 * Receipts in DynamoDB (keys: see keys.ts "Receipts"). Applying a payment is ONE transaction:
 *   0. the receipt item            attribute_not_exists  (a re-delivery of the same receipt fails here)
 *   1. the option's paid guard     attribute_not_exists  (a different receipt for a paid option fails here)
 *   2. the position item           version = expected    (a concurrent change fails here: re-read, retry)
 *   3. the audit entry, 4. the outbox event (payment.received)
 * An anomaly is one item per receipt id (an UNPROCESSABLE one per queue message: anomalyKeyOf),
 * written only if new, so a re-delivery records and counts it once. Its notes are appended to the
 * same item, with a top-level `handled` flag (the last note's) that the lists filter on.
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DebtPosition } from '../../domain/debt-position';
import type { PaymentReceivedEvent } from '../../../events/domain-events';
import type { AuditEntry } from '../../use-cases/ports';
import { anomalyKeyOf, type AnomalyFilter, type AnomalyNote, type AnomalyRef, type ApplyConflict, type ReceiptAnomaly, type ReceiptPage, type ReceiptStore, type ReceiptWindow, type StoredReceipt } from '../../use-cases/receipts/ports';
import { isConditionFailure, queryCount, queryItems } from './client';
import { positionItem } from './debt-position-store';
import { auditPut, outboxEventPut } from './outbox';
import { RECEIPT_SK, receiptGsi, receiptPk } from './keys';
import { positionReceiptKeys } from './position-receipts';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export class DynamoReceiptStore implements ReceiptStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async applyPayment(input: {
    stored: StoredReceipt;
    position: DebtPosition;
    expectedVersion: number;
    audit: AuditEntry;
    event: PaymentReceivedEvent;
  }): Promise<ApplyConflict | undefined> {
    const { stored, position, audit, event } = input;
    const items: TransactItem[] = [
      { Put: { TableName: this.tableName, Item: receiptItem(stored), ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            pk: receiptPk(stored.organizationFiscalCode, stored.iuv),
            sk: RECEIPT_SK.paid,
            type: 'receipt-paid',
            receiptId: stored.receiptId,
            nav: stored.nav,
            iupd: position.iupd,
            paidAt: stored.recordedAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: positionItem(position),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': input.expectedVersion },
        },
      },
      auditPut(this.tableName, position, audit),
      outboxEventPut(this.tableName, event),
    ];
    try {
      // The event id is unique per attempt: an SDK retry of a lost answer is the same transaction.
      await this.db.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: event.eventId }));
      return undefined;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[0] === 'ConditionalCheckFailed') return { conflict: 'duplicate' };
      if (reasons[1] === 'ConditionalCheckFailed') return { conflict: 'paid' };
      // a changed version, or a concurrent transaction on the same items (TransactionConflict)
      if (reasons.some((r) => r === 'ConditionalCheckFailed' || r === 'TransactionConflict')) return { conflict: 'version' };
      throw error;
    }
  }

  async recordReceipt(stored: StoredReceipt): Promise<boolean> {
    return this.putNew(receiptItem(stored));
  }

  async recordAnomaly(anomaly: ReceiptAnomaly): Promise<boolean> {
    const id = anomalyKeyOf(anomaly);
    return this.putNew({
      pk: receiptPk(anomaly.organizationFiscalCode, anomaly.iuv),
      sk: RECEIPT_SK.anomaly(id),
      type: 'receipt-anomaly',
      gsi1pk: receiptGsi.anomalies(anomaly.organizationFiscalCode),
      gsi1sk: `${anomaly.recordedAt}#${anomaly.iuv}#${id}`,
      anomaly,
    });
  }

  async receiptsOf(organizationFiscalCode: string, iuv: string): Promise<StoredReceipt[]> {
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': receiptPk(organizationFiscalCode, iuv), ':prefix': 'RECEIPT#' },
      ConsistentRead: true,
    });
    const out = items.map((i) => i['stored'] as StoredReceipt);
    return out.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  }

  async list(organizationFiscalCode: string, window: ReceiptWindow): Promise<ReceiptPage<StoredReceipt> | undefined> {
    return this.page(receiptGsi.receipts(organizationFiscalCode), window, (i) => i['stored'] as StoredReceipt);
  }

  async listAnomalies(organizationFiscalCode: string, window: ReceiptWindow, filter: AnomalyFilter = {}): Promise<ReceiptPage<ReceiptAnomaly> | undefined> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const conditions: string[] = [];
    if (filter.kind !== undefined) {
      names['#a'] = 'anomaly';
      names['#kind'] = 'kind';
      values[':kind'] = filter.kind;
      conditions.push('#a.#kind = :kind');
    }
    if (filter.state !== undefined) {
      names['#handled'] = 'handled';
      values[':true'] = true;
      conditions.push(filter.state === 'handled' ? '#handled = :true' : '(attribute_not_exists(#handled) OR #handled <> :true)');
    }
    const filtered = conditions.length > 0 ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names, values } : undefined;
    return this.page(receiptGsi.anomalies(organizationFiscalCode), window, (i) => i['anomaly'] as ReceiptAnomaly, filtered);
  }

  async getAnomaly(organizationFiscalCode: string, ref: AnomalyRef): Promise<ReceiptAnomaly | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: receiptPk(organizationFiscalCode, ref.iuv), sk: RECEIPT_SK.anomaly(ref.key) }, ConsistentRead: true }),
    );
    return result.Item?.['type'] === 'receipt-anomaly' ? (result.Item['anomaly'] as ReceiptAnomaly) : undefined;
  }

  async countOpenAnomalies(organizationFiscalCode: string): Promise<number> {
    return queryCount(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      FilterExpression: 'attribute_not_exists(#handled) OR #handled <> :true',
      ExpressionAttributeNames: { '#handled': 'handled' },
      ExpressionAttributeValues: { ':pk': receiptGsi.anomalies(organizationFiscalCode), ':true': true },
    });
  }

  async addAnomalyNote(organizationFiscalCode: string, ref: AnomalyRef, note: AnomalyNote): Promise<ReceiptAnomaly | undefined> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: receiptPk(organizationFiscalCode, ref.iuv), sk: RECEIPT_SK.anomaly(ref.key) },
          UpdateExpression: 'SET #a.#notes = list_append(if_not_exists(#a.#notes, :none), :note), #handled = :handled',
          ConditionExpression: 'attribute_exists(pk) AND #type = :anomaly',
          ExpressionAttributeNames: { '#a': 'anomaly', '#notes': 'notes', '#handled': 'handled', '#type': 'type' },
          ExpressionAttributeValues: { ':none': [], ':note': [note], ':handled': note.handled, ':anomaly': 'receipt-anomaly' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes?.['anomaly'] as ReceiptAnomaly | undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** undefined when the cursor is not one of this list's */
  private async page<T>(
    partition: string,
    query: ReceiptWindow,
    read: (item: Record<string, unknown>) => T,
    filtered?: { FilterExpression: string; ExpressionAttributeNames: Record<string, string>; values: Record<string, unknown> },
  ): Promise<ReceiptPage<T> | undefined> {
    const values: Record<string, unknown> = { ':pk': partition, ...filtered?.values };
    let condition = 'gsi1pk = :pk';
    if (query.from !== undefined || query.to !== undefined) {
      condition += ' AND gsi1sk BETWEEN :from AND :to';
      values[':from'] = query.from ?? '0000';
      values[':to'] = `${query.to ?? '9999'}\uffff`;
    }
    const base: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
      ...(filtered ? { FilterExpression: filtered.FilterExpression, ExpressionAttributeNames: filtered.ExpressionAttributeNames } : {}),
    };
    const items: T[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined;
    if (query.cursor !== undefined) {
      exclusiveStartKey = decodeCursor(query.cursor, partition);
      if (exclusiveStartKey === undefined) return undefined;
    }
    // DynamoDB may stop a page early (1 MB): keep reading until the page is full or the end
    do {
      const result = await this.db.send(new QueryCommand({ ...base, Limit: query.limit - items.length, ExclusiveStartKey: exclusiveStartKey }));
      items.push(...(result.Items ?? []).map(read));
      exclusiveStartKey = result.LastEvaluatedKey;
    } while (exclusiveStartKey && items.length < query.limit);
    return exclusiveStartKey ? { items, cursor: encodeCursor(exclusiveStartKey) } : { items };
  }

  private async putNew(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify([key['pk'], key['sk'], key['gsi1pk'], key['gsi1sk']]), 'utf8').toString('base64url');
}

/** A cursor that came back from a client: only a key of the same tenant's list is accepted (else undefined). */
function decodeCursor(cursor: string, partition: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || !parsed.every((v) => typeof v === 'string' && v !== '') || parsed[2] !== partition) {
    return undefined;
  }
  const [pk, sk, gsi1pk, gsi1sk] = parsed as string[];
  // the item it points at must be one of this tenant's receipts (partition ORG#<ofc>#...)
  if (!pk!.startsWith(`RCPT#${partition.split('#')[1]}#`)) return undefined;
  return { pk, sk, gsi1pk, gsi1sk };
}

function receiptItem(stored: StoredReceipt): Record<string, unknown> {
  return {
    pk: receiptPk(stored.organizationFiscalCode, stored.iuv),
    sk: RECEIPT_SK.receipt(stored.receiptId, stored.receipt.outcome),
    type: 'receipt',
    gsi1pk: receiptGsi.receipts(stored.organizationFiscalCode),
    gsi1sk: `${stored.recordedAt}#${stored.iuv}#${stored.receiptId}`,
    // the dossier reads a position's receipts in one query (position-receipts.ts)
    ...positionReceiptKeys(stored),
    stored,
  };
}

function cancellationReasons(error: unknown): Array<string | undefined> | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code);
}
