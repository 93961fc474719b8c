/**
 * Debt positions in DynamoDB. Every write is one transaction: the position item (guarded by its
 * version), the notice-number locks that keep IUVs unique, the audit entry and the outbox events.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DebtPosition } from '../../domain/debt-position';
import { firstDueDate } from '../../domain/debt-position';
import { MAX_IUV_BASE } from '../../domain/notice-number';
import type { DomainEvent } from '../../../events/domain-events';
import type { AuditEntry, DebtPositionStore, ListPage, ListQuery, WriteConflict } from '../../use-cases/ports';
import { randomUUID } from 'node:crypto';
import { conflictedItems, failedConditions, queryAll, queryItems } from './client';
import { auditPut, outboxEventPut } from './outbox';
import { SK, gsi, iuvPk, listGsi, orgPk, positionPk } from './keys';
import { PositionLists, listingChanges, listingStateOf, readListingState, type TransactItem } from './position-listing';

const NO_DUE_DATE = '9999-12-31T23:59:59.999Z';
/** times a transaction cancelled by a concurrent one (TransactionConflict) is tried again */
const TRANSACTION_CONFLICT_RETRIES = 3;

export class DynamoDebtPositionStore implements DebtPositionStore {
  private readonly lists: PositionLists;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.lists = new PositionLists(db, tableName);
  }

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
      { Put: { TableName: this.tableName, Item: positionItem(position, { listed: true }), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...iuvs.map((iuv) => this.iuvLock(position, iuv)),
      auditPut(this.tableName, position, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
      ...this.listingOfNew(position),
    ];
    return this.transact(items, events[0]?.eventId, (failed) => {
      const iuv = iuvs[(failed.find((i) => i >= 1 && i <= iuvs.length) ?? 0) - 1];
      // a listing entry left without its position also means the iupd is taken
      return iuv !== undefined && !failed.includes(0) ? { conflict: 'iuv', iuv } : { conflict: 'iupd' };
    });
  }

  async replace(
    next: DebtPosition,
    expectedVersion: number,
    audit: AuditEntry,
    events: readonly DomainEvent[],
    newIuvs: readonly string[],
  ): Promise<WriteConflict | undefined> {
    const listing = await this.listingOfReplaced(next);
    const items: TransactItem[] = [
      { Put: { TableName: this.tableName, Item: positionItem(next, { listed: true }), ...writableAt(expectedVersion) } },
      ...newIuvs.map((iuv) => this.iuvLock(next, iuv)),
      auditPut(this.tableName, next, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
      ...listing,
    ];
    return this.transact(items, events[0]?.eventId, (failed) => {
      const iuv = newIuvs[(failed.find((i) => i >= 1 && i <= newIuvs.length) ?? 0) - 1];
      return iuv !== undefined && !failed.includes(0) ? { conflict: 'iuv', iuv } : { conflict: 'version' };
    });
  }

  async remove(position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<WriteConflict | undefined> {
    // The IUV locks stay: a deleted position's notice numbers are never handed out again.
    const before = await readListingState(this.db, this.tableName, position.organizationFiscalCode, position.iupd);
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: { pk: positionPk(position.organizationFiscalCode, position.iupd), sk: SK.position },
          ...writableAt(position.version),
        },
      },
      auditPut(this.tableName, position, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
      ...listingChanges(this.tableName, position.organizationFiscalCode, before, undefined),
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
    // a position reserved by a v2 bulk create that has not committed does not exist yet
    return result.Item && result.Item['pending'] === undefined ? fromItem(result.Item) : undefined;
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

  async list(organizationFiscalCode: string, query: ListQuery): Promise<ListPage> {
    return this.lists.list(organizationFiscalCode, query);
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

  /** The listing entries and counters of a new position (same transaction). */
  private listingOfNew(position: DebtPosition): TransactItem[] {
    return listingChanges(this.tableName, position.organizationFiscalCode, undefined, listingStateOf(position));
  }

  /**
   * The listing changes of a replacement: from the state the counters count the position in
   * (LIST#INS, read first; the transaction's version guard on the position makes it the state of
   * the version replaced, or of an earlier one a store without listing replaced) to `next`.
   */
  private async listingOfReplaced(next: DebtPosition): Promise<TransactItem[]> {
    const before = await readListingState(this.db, this.tableName, next.organizationFiscalCode, next.iupd);
    return listingChanges(this.tableName, next.organizationFiscalCode, before, listingStateOf(next));
  }

  private iuvLock(position: DebtPosition, iuv: string): TransactItem {
    return { Put: { TableName: this.tableName, Item: iuvLockItem(position, iuv), ConditionExpression: 'attribute_not_exists(pk)' } };
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
 * status, due date and debtor. Every writer of positions (this store, the receipt store) uses it.
 *
 * Lists read the listing entries beside the position (position-listing.ts), which this store
 * writes in the same transaction (`listed: true`). A writer that does not (the receipt store)
 * leaves the item in the tenant's UNLISTED partition of gsi1, from which the next list call
 * brings the entries and the counters up to date. `pending` marks a position reserved by a v2
 * bulk create and not committed: no index finds it and reads treat it as absent.
 */
export function positionItem(position: DebtPosition, options: { listed?: boolean; pending?: string } = {}): Record<string, unknown> {
  const ofc = position.organizationFiscalCode;
  const dueKey = `${firstDueDate(position.paymentOptions) ?? NO_DUE_DATE}#${position.iupd}`;
  if (options.pending !== undefined) {
    return { pk: positionPk(ofc, position.iupd), sk: SK.position, type: 'position', version: position.version, pending: options.pending, position };
  }
  return {
    pk: positionPk(ofc, position.iupd),
    sk: SK.position,
    type: 'position',
    version: position.version,
    ...(options.listed ? {} : { gsi1pk: listGsi.unlisted(ofc), gsi1sk: position.iupd }),
    gsi2pk: gsi.byStatus(ofc, position.status),
    gsi2sk: dueKey,
    gsi3pk: gsi.byDebtor(ofc, position.debtor.fiscalCode),
    gsi3sk: `${position.insertedDate}#${position.iupd}`,
    position,
  };
}

/** The lock that keeps an IUV unique within the tenant and finds its position by notice number. */
export function iuvLockItem(position: DebtPosition, iuv: string): Record<string, unknown> {
  const option = position.paymentOptions.find((o) => o.iuv === iuv);
  return {
    pk: iuvPk(position.organizationFiscalCode, iuv),
    sk: SK.iuv,
    type: 'iuv',
    iupd: position.iupd,
    nav: option?.nav ?? `3${iuv}`,
    createdAt: position.lastUpdatedDate,
  };
}

/**
 * The condition of every write of this store on a stored position: still at the version read,
 * and not held by a v2 bulk operation (reserved or locked) — those finish or roll back first.
 */
export function writableAt(expectedVersion: number) {
  return {
    ConditionExpression: '#version = :expected AND attribute_not_exists(#pending) AND attribute_not_exists(#lockedBy)',
    ExpressionAttributeNames: { '#version': 'version', '#pending': 'pending', '#lockedBy': 'lockedBy' },
    ExpressionAttributeValues: { ':expected': expectedVersion },
  };
}

function fromItem(item: Record<string, unknown>): DebtPosition {
  return item['position'] as DebtPosition;
}
