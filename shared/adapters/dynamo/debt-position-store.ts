/**
 * Debt positions in DynamoDB. Every write is one transaction: the position item (guarded by its
 * version), the notice-number locks that keep IUVs unique, the audit entry and the outbox events.
 */
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DebtPosition } from '../../domain/debt-position';
import { firstDueDate } from '../../domain/debt-position';
import { MAX_IUV_BASE } from '../../domain/notice-number';
import type { DomainEvent } from '../../../events/domain-events';
import type { AuditEntry, DebtPositionStore, ListQuery, WriteConflict } from '../../use-cases/ports';
import { randomUUID } from 'node:crypto';
import { conflictedItems, failedConditions, queryAll, queryItems } from './client';
import { auditPut, outboxEventPut } from './outbox';
import { SK, gsi, iuvPk, orgPk, positionPk } from './keys';

const NO_DUE_DATE = '9999-12-31T23:59:59.999Z';
/** times a transaction cancelled by a concurrent one (TransactionConflict) is tried again */
const TRANSACTION_CONFLICT_RETRIES = 3;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export class DynamoDebtPositionStore implements DebtPositionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async allocateIuvBases(organizationFiscalCode: string, count: number): Promise<bigint[]> {
    if (count <= 0) return [];
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: orgPk(organizationFiscalCode), sk: SK.iuvCounter },
        UpdateExpression: 'ADD #next :count SET #type = :type',
        ExpressionAttributeNames: { '#next': 'next', '#type': 'type' },
        ExpressionAttributeValues: { ':count': count, ':type': 'iuv-counter' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const last = BigInt(String(result.Attributes?.['next'] ?? 0));
    if (last > MAX_IUV_BASE) throw new Error('the IUV counter of this organization is exhausted');
    const first = last - BigInt(count) + 1n;
    return Array.from({ length: count }, (_, i) => first + BigInt(i));
  }

  async create(position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<WriteConflict | undefined> {
    const iuvs = position.paymentOptions.map((o) => o.iuv);
    const items: TransactItem[] = [
      { Put: { TableName: this.tableName, Item: positionItem(position), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...iuvs.map((iuv) => this.iuvLock(position, iuv)),
      auditPut(this.tableName, position, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
    ];
    return this.transact(items, events[0]?.eventId, (failed) => {
      if (failed.includes(0)) return { conflict: 'iupd' };
      const iuv = iuvs[(failed[0] ?? 1) - 1];
      return { conflict: 'iuv', iuv: iuv ?? '' };
    });
  }

  async replace(
    next: DebtPosition,
    expectedVersion: number,
    audit: AuditEntry,
    events: readonly DomainEvent[],
    newIuvs: readonly string[],
  ): Promise<WriteConflict | undefined> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: positionItem(next),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        },
      },
      ...newIuvs.map((iuv) => this.iuvLock(next, iuv)),
      auditPut(this.tableName, next, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
    ];
    return this.transact(items, events[0]?.eventId, (failed) => {
      if (failed.includes(0)) return { conflict: 'version' };
      return { conflict: 'iuv', iuv: newIuvs[(failed[0] ?? 1) - 1] ?? '' };
    });
  }

  async remove(position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<WriteConflict | undefined> {
    // The IUV locks stay: a deleted position's notice numbers are never handed out again.
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: { pk: positionPk(position.organizationFiscalCode, position.iupd), sk: SK.position },
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': position.version },
        },
      },
      auditPut(this.tableName, position, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
    ];
    return this.transact(items, events[0]?.eventId, () => ({ conflict: 'version' }));
  }

  async get(organizationFiscalCode: string, iupd: string): Promise<DebtPosition | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: positionPk(organizationFiscalCode, iupd), sk: SK.position },
        ConsistentRead: true,
      }),
    );
    return result.Item ? fromItem(result.Item) : undefined;
  }

  async findByNoticeNumber(organizationFiscalCode: string, nav: string): Promise<DebtPosition | undefined> {
    const lock = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: iuvPk(organizationFiscalCode, nav.slice(1)), sk: SK.iuv } }),
    );
    const iupd = lock.Item?.['iupd'];
    if (typeof iupd !== 'string' || lock.Item?.['nav'] !== nav) return undefined;
    const position = await this.get(organizationFiscalCode, iupd);
    return position?.paymentOptions.some((o) => o.nav === nav) ? position : undefined;
  }

  async list(organizationFiscalCode: string, query: ListQuery): Promise<{ items: DebtPosition[]; total: number }> {
    const base = this.listQueryInput(organizationFiscalCode, query);
    const total = await this.count(base);
    const skip = query.page * query.limit;
    if (skip >= total) return { items: [], total };
    const start = skip === 0 ? undefined : await this.keyAfter(base, skip);
    const items: DebtPosition[] = [];
    let exclusiveStartKey = start;
    while (items.length < query.limit) {
      const page = await this.db.send(
        new QueryCommand({ ...base, Limit: query.limit - items.length, ExclusiveStartKey: exclusiveStartKey }),
      );
      items.push(...(page.Items ?? []).map(fromItem));
      exclusiveStartKey = page.LastEvaluatedKey;
      if (!exclusiveStartKey) break;
    }
    return { items, total };
  }

  async auditTrail(organizationFiscalCode: string, iupd: string): Promise<AuditEntry[]> {
    const items = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
      ExpressionAttributeValues: { ':pk': positionPk(organizationFiscalCode, iupd), ':audit': 'AUDIT#' },
    });
    const entries = items.map((item) => item['audit'] as AuditEntry);
    return entries;
  }

  async *inStatus(organizationFiscalCode: string, status: DebtPosition['status'], dueBefore?: string): AsyncIterable<DebtPosition> {
    const items = queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: dueBefore === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND gsi2sk < :before',
      ExpressionAttributeValues: {
        ':pk': gsi.byStatus(organizationFiscalCode, status),
        ...(dueBefore === undefined ? {} : { ':before': dueBefore }),
      },
    });
    for await (const item of items) yield fromItem(item);
  }

  private listQueryInput(ofc: string, query: ListQuery): QueryCommandInput {
    const byStatus = query.status !== undefined;
    const index = byStatus ? 'gsi2' : 'gsi1';
    const partition = byStatus ? gsi.byStatus(ofc, query.status as string) : gsi.allPositions(ofc);
    const values: Record<string, unknown> = { ':pk': partition };
    let condition = `${index}pk = :pk`;
    if (query.dueFrom !== undefined || query.dueTo !== undefined) {
      condition += ` AND ${index}sk BETWEEN :from AND :to`;
      values[':from'] = query.dueFrom ?? '0000';
      values[':to'] = `${query.dueTo ?? '9999'}\uffff`;
    }
    return {
      TableName: this.tableName,
      IndexName: index,
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
      ScanIndexForward: !query.descending,
    };
  }

  private async count(base: QueryCommandInput): Promise<number> {
    let total = 0;
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...base, Select: 'COUNT', ExclusiveStartKey: exclusiveStartKey }));
      total += page.Count ?? 0;
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    return total;
  }

  /** The key after which item number `skip` starts (GPD pages are numbered, DynamoDB's are not). */
  private async keyAfter(base: QueryCommandInput, skip: number): Promise<Record<string, unknown> | undefined> {
    let remaining = skip;
    let exclusiveStartKey: Record<string, unknown> | undefined;
    while (remaining > 0) {
      const page = await this.db.send(
        new QueryCommand({ ...base, Select: 'COUNT', Limit: remaining, ExclusiveStartKey: exclusiveStartKey }),
      );
      remaining -= page.Count ?? 0;
      exclusiveStartKey = page.LastEvaluatedKey;
      if (!exclusiveStartKey) break;
    }
    return exclusiveStartKey;
  }

  private iuvLock(position: DebtPosition, iuv: string): TransactItem {
    const option = position.paymentOptions.find((o) => o.iuv === iuv);
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          pk: iuvPk(position.organizationFiscalCode, iuv),
          sk: SK.iuv,
          type: 'iuv',
          iupd: position.iupd,
          nav: option?.nav ?? `3${iuv}`,
          createdAt: position.lastUpdatedDate,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private async transact(
    items: TransactItem[],
    token: string | undefined,
    onConditionFailure: (failedIndexes: number[]) => WriteConflict,
  ): Promise<WriteConflict | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        // The SDK retries a transaction whose answer was lost; with a request token (the first
        // event's id, unique per use-case run) DynamoDB treats the retry as the same transaction
        // instead of failing it on its own conditions.
        const clientToken = attempt === 0 ? token : randomUUID();
        await this.db.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: clientToken }));
        return undefined;
      } catch (error) {
        const failed = failedConditions(error);
        if (failed && failed.length > 0) return onConditionFailure(failed);
        // Cancelled because another transaction held one of the items: nothing was written, so
        // trying again (with a fresh token: this one belongs to the cancelled attempt) is safe.
        const conflicted = conflictedItems(error);
        if (conflicted && conflicted.length > 0) {
          if (attempt < TRANSACTION_CONFLICT_RETRIES) {
            await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * (attempt + 1)));
            continue;
          }
          return onConditionFailure(conflicted);
        }
        throw error;
      }
    }
  }
}

/**
 * The position item with its index keys: the one place that decides how a position is found by
 * due date, status and debtor. Every writer of positions (this store, the receipt store) uses it.
 */
export function positionItem(position: DebtPosition): Record<string, unknown> {
  const ofc = position.organizationFiscalCode;
  const dueKey = `${firstDueDate(position.paymentOptions) ?? NO_DUE_DATE}#${position.iupd}`;
  return {
    pk: positionPk(ofc, position.iupd),
    sk: SK.position,
    type: 'position',
    version: position.version,
    gsi1pk: gsi.allPositions(ofc),
    gsi1sk: dueKey,
    gsi2pk: gsi.byStatus(ofc, position.status),
    gsi2sk: dueKey,
    gsi3pk: gsi.byDebtor(ofc, position.debtor.fiscalCode),
    gsi3sk: `${position.insertedDate}#${position.iupd}`,
    position,
  };
}

function fromItem(item: Record<string, unknown>): DebtPosition {
  return item['position'] as DebtPosition;
}
