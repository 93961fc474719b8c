/**
 * The writes of the GPD operations that are more than one position's transaction:
 *
 * v2 bulk calls (all or nothing over up to 100 positions; a DynamoDB transaction holds at most
 * 100 items and one position already writes a dozen): a bulk record (ORG#<ofc> BULK#…) says what
 * the call does, then
 *   create   reserve   each position with its IUV locks, marked `pending` (no index finds it, every
 *                      read treats it as absent, its iupd and IUVs are taken)
 *            commit    the position made visible with its listing, audit line and events
 *            release   the reserved position and the IUV locks the batch wrote, deleted
 *   update   lock      `lockedBy` on the position at its version (writers of this layer get a
 *                      conflict; reads see the old content) and the new content staged beside it
 *                      (STAGED#<batchId>), with the IUV locks of new options
 *            commit    the staged content written over the locked position, with listing, audit, events
 *            release   lock, staged content and new IUV locks removed
 *   delete   lock, then commit = the delete with listing, audit and event; release = unlock.
 * Between the last reservation and the first commit the record is marked `committing`: that is
 * the decision. A crash leaves the record behind: the repair (shared/use-cases/debt-positions/
 * bulk.ts) releases every position of a `preparing` record and commits every position of a
 * `committing` one; each step is idempotent (it is conditioned on the batch still holding it).
 *
 * Also the IBAN replacement's look-up (the listing's IBAN entries) and a payment made outside
 * pagoPA (position, paid guard, audit and payment.received in one transaction).
 */
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { DomainEvent, PaymentReceivedEvent } from '../../../events/domain-events';
import type { DebtPosition } from '../../domain/debt-position';
import type { AuditEntry, WriteConflict } from '../../use-cases/ports';
import type { BulkKind, BulkPositionStore, BulkRecord, HeldPosition, PaidOutsideStore, PositionsByIban } from '../../use-cases/debt-positions/gpd/ports';
import { conflictedItems, failedConditions, isConditionFailure } from './client';
import { iuvLockItem, positionItem, writableAt } from './debt-position-store';
import { LIST_SK, RECEIPT_SK, SK, iuvPk, listGsi, orgPk, positionPk, receiptPk } from './keys';
import { listingChanges, listingStateOf, readListingState, type TransactItem } from './position-listing';
import { auditPut, outboxEventPut } from './outbox';

/** GPD's placeholder for the receipt of a payment made outside pagoPA (PaymentsService). */
export const PAID_OUTSIDE_RECEIPT = 'CLOSED_AS_ALREADY_PAID_BY_EC';

const CONFLICT_RETRIES = 3;

export class DynamoGpdPositionWrites implements BulkPositionStore, PositionsByIban, PaidOutsideStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  // ---- the bulk record ----

  async begin(record: BulkRecord): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: this.recordItem(record), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  }

  async markCommitting(record: BulkRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.recordItem({ ...record, state: 'committing' }) }));
  }

  async end(record: BulkRecord): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: this.recordKey(record) }));
  }

  async open(organizationFiscalCode: string): Promise<BulkRecord[]> {
    const out: BulkRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': orgPk(organizationFiscalCode), ':prefix': SK.bulkPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map((i) => i['record'] as BulkRecord));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private recordKey(record: BulkRecord) {
    return { pk: orgPk(record.organizationFiscalCode), sk: SK.bulk(record.startedAt, record.batchId) };
  }

  private recordItem(record: BulkRecord) {
    return { ...this.recordKey(record), type: 'bulk-operation', record };
  }

  // ---- reads ----

  async existingIupds(ofc: string, iupds: readonly string[]): Promise<string[]> {
    const items = await this.batchGet(iupds.map((iupd) => ({ pk: positionPk(ofc, iupd), sk: SK.position })));
    const found = new Set(items.map((i) => String(i['pk'])));
    return iupds.filter((iupd) => found.has(positionPk(ofc, iupd)));
  }

  async takenIuvs(ofc: string, iuvs: readonly string[]): Promise<string[]> {
    const items = await this.batchGet(iuvs.map((iuv) => ({ pk: iuvPk(ofc, iuv), sk: SK.iuv })));
    const found = new Set(items.map((i) => String(i['pk'])));
    return iuvs.filter((iuv) => found.has(iuvPk(ofc, iuv)));
  }

  async held(ofc: string, iupds: readonly string[]): Promise<HeldPosition[]> {
    const items = await this.batchGet(iupds.map((iupd) => ({ pk: positionPk(ofc, iupd), sk: SK.position })), true);
    const byIupd = new Map(items.map((i) => [(i['position'] as DebtPosition).iupd, i]));
    return iupds.flatMap((iupd) => {
      const item = byIupd.get(iupd);
      if (!item) return [];
      return [
        {
          position: item['position'] as DebtPosition,
          ...(typeof item['pending'] === 'string' ? { pending: item['pending'] } : {}),
          ...(typeof item['lockedBy'] === 'string' ? { lockedBy: item['lockedBy'] } : {}),
        },
      ];
    });
  }

  async staged(batchId: string, ofc: string, iupd: string): Promise<DebtPosition | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: positionPk(ofc, iupd), sk: SK.staged(batchId) }, ConsistentRead: true }),
    );
    return result.Item?.['position'] as DebtPosition | undefined;
  }

  // ---- prepare ----

  async reserve(batchId: string, position: DebtPosition): Promise<WriteConflict | undefined> {
    const iuvs = position.paymentOptions.map((o) => o.iuv);
    const items: TransactItem[] = [
      { Put: { TableName: this.tableName, Item: positionItem(position, { pending: batchId }), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...iuvs.map((iuv) => this.batchLock(batchId, position, iuv)),
    ];
    return this.transact(items, (failed) => {
      const iuv = iuvs[(failed.find((i) => i >= 1) ?? 0) - 1];
      return iuv !== undefined && !failed.includes(0) ? { conflict: 'iuv', iuv } : { conflict: 'iupd' };
    });
  }

  async lock(batchId: string, current: DebtPosition, staged: DebtPosition | undefined, newIuvs: readonly string[]): Promise<WriteConflict | undefined> {
    const guard = writableAt(current.version);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: positionPk(current.organizationFiscalCode, current.iupd), sk: SK.position },
          UpdateExpression: 'SET #lockedBy = :batch',
          ...guard,
          ExpressionAttributeValues: { ...guard.ExpressionAttributeValues, ':batch': batchId },
        },
      },
      ...(staged
        ? [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: positionPk(current.organizationFiscalCode, current.iupd), sk: SK.staged(batchId), type: 'staged-position', position: staged },
              },
            },
          ]
        : []),
      ...newIuvs.map((iuv) => this.batchLock(batchId, staged ?? current, iuv)),
    ];
    const offset = staged ? 2 : 1;
    return this.transact(items, (failed) => {
      const iuv = newIuvs[(failed.find((i) => i >= offset) ?? -1) - offset];
      return iuv !== undefined && !failed.includes(0) ? { conflict: 'iuv', iuv } : { conflict: 'version' };
    });
  }

  private batchLock(batchId: string, position: DebtPosition, iuv: string): TransactItem {
    return { Put: { TableName: this.tableName, Item: { ...iuvLockItem(position, iuv), batch: batchId }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  // ---- commit ----

  async commitCreate(batchId: string, position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: positionItem(position, { listed: true }),
          ConditionExpression: '#pending = :batch',
          ExpressionAttributeNames: { '#pending': 'pending' },
          ExpressionAttributeValues: { ':batch': batchId },
        },
      },
      ...listingChanges(this.tableName, position.organizationFiscalCode, undefined, listingStateOf(position)),
      auditPut(this.tableName, position, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
    ];
    return (await this.transact(items, () => ({ conflict: 'version' }), events[0]?.eventId)) === undefined;
  }

  async commitUpdate(batchId: string, current: DebtPosition, next: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean> {
    const ofc = current.organizationFiscalCode;
    const before = await readListingState(this.db, this.tableName, ofc, current.iupd);
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: positionItem(next, { listed: true }),
          ConditionExpression: '#lockedBy = :batch AND #version = :version',
          ExpressionAttributeNames: { '#lockedBy': 'lockedBy', '#version': 'version' },
          ExpressionAttributeValues: { ':batch': batchId, ':version': current.version },
        },
      },
      { Delete: { TableName: this.tableName, Key: { pk: positionPk(ofc, current.iupd), sk: SK.staged(batchId) } } },
      ...listingChanges(this.tableName, ofc, before, listingStateOf(next)),
      auditPut(this.tableName, next, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
    ];
    return (await this.transact(items, () => ({ conflict: 'version' }), events[0]?.eventId)) === undefined;
  }

  async commitDelete(batchId: string, current: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean> {
    const ofc = current.organizationFiscalCode;
    const before = await readListingState(this.db, this.tableName, ofc, current.iupd);
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: { pk: positionPk(ofc, current.iupd), sk: SK.position },
          ConditionExpression: '#lockedBy = :batch',
          ExpressionAttributeNames: { '#lockedBy': 'lockedBy' },
          ExpressionAttributeValues: { ':batch': batchId },
        },
      },
      ...listingChanges(this.tableName, ofc, before, undefined),
      auditPut(this.tableName, current, audit),
      ...events.map((e) => outboxEventPut(this.tableName, e)),
    ];
    return (await this.transact(items, () => ({ conflict: 'version' }), events[0]?.eventId)) === undefined;
  }

  // ---- roll back ----

  async release(batchId: string, ofc: string, iupd: string, kind: BulkKind): Promise<void> {
    const key = { pk: positionPk(ofc, iupd), sk: SK.position };
    const item = (await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
    if (kind === 'create') {
      if (item?.['pending'] !== batchId) return;
      const position = item['position'] as DebtPosition;
      for (const o of position.paymentOptions) await this.deleteIfBatch({ pk: iuvPk(ofc, o.iuv), sk: SK.iuv }, 'batch', batchId);
      await this.deleteIfBatch(key, 'pending', batchId);
      return;
    }
    const staged = kind === 'update' ? await this.staged(batchId, ofc, iupd) : undefined;
    if (staged) {
      const known = new Set(((item?.['position'] as DebtPosition | undefined)?.paymentOptions ?? []).map((o) => o.iuv));
      for (const o of staged.paymentOptions) {
        if (!known.has(o.iuv)) await this.deleteIfBatch({ pk: iuvPk(ofc, o.iuv), sk: SK.iuv }, 'batch', batchId);
      }
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: positionPk(ofc, iupd), sk: SK.staged(batchId) } }));
    }
    if (item?.['lockedBy'] !== batchId) return;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE #lockedBy',
          ConditionExpression: '#lockedBy = :batch',
          ExpressionAttributeNames: { '#lockedBy': 'lockedBy' },
          ExpressionAttributeValues: { ':batch': batchId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async deleteIfBatch(key: Record<string, unknown>, attribute: string, batchId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: '#attr = :batch',
          ExpressionAttributeNames: { '#attr': attribute },
          ExpressionAttributeValues: { ':batch': batchId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  // ---- IBAN replacement ----

  async withIban(ofc: string, iban: string, page: { readonly limit: number; readonly after?: string }): Promise<{ iupds: string[]; after?: string }> {
    const start =
      page.after === undefined
        ? undefined
        : { pk: positionPk(ofc, page.after), sk: LIST_SK.iban(iban), gsi1pk: listGsi.iban(ofc, iban), gsi1sk: page.after };
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': listGsi.iban(ofc, iban) },
        ProjectionExpression: 'iupd',
        Limit: page.limit,
        ExclusiveStartKey: start,
      }),
    );
    const iupds = (result.Items ?? []).map((i) => String(i['iupd']));
    const last = iupds[iupds.length - 1];
    return result.LastEvaluatedKey && last !== undefined ? { iupds, after: last } : { iupds };
  }

  // ---- paid outside pagoPA ----

  async recordPaid(next: DebtPosition, expectedVersion: number, audit: AuditEntry, event: PaymentReceivedEvent): Promise<WriteConflict | undefined> {
    const ofc = next.organizationFiscalCode;
    const before = await readListingState(this.db, this.tableName, ofc, next.iupd);
    const items: TransactItem[] = [
      { Put: { TableName: this.tableName, Item: positionItem(next, { listed: true }), ...writableAt(expectedVersion) } },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            pk: receiptPk(ofc, event.iuv),
            sk: RECEIPT_SK.paid,
            type: 'receipt-paid',
            receiptId: PAID_OUTSIDE_RECEIPT,
            nav: event.nav,
            iupd: next.iupd,
            paidAt: event.occurredAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      auditPut(this.tableName, next, audit),
      outboxEventPut(this.tableName, event),
      ...listingChanges(this.tableName, ofc, before, listingStateOf(next)),
    ];
    return this.transact(items, () => ({ conflict: 'version' }), event.eventId);
  }

  // ---- plumbing ----

  private async batchGet(keys: Record<string, unknown>[], consistent = false): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        const result = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } } }));
        out.push(...(result.Responses?.[this.tableName] ?? []));
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
        if (pending && pending.length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
    return out;
  }

  private async transact(
    items: TransactItem[],
    onConditionFailure: (failed: number[]) => WriteConflict,
    token?: string,
  ): Promise<WriteConflict | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items, ...(token && attempt === 0 ? { ClientRequestToken: token } : {}) }));
        return undefined;
      } catch (error) {
        const failed = failedConditions(error);
        if (failed && failed.length > 0) return onConditionFailure(failed);
        const conflicted = conflictedItems(error);
        if (conflicted && conflicted.length > 0 && attempt < CONFLICT_RETRIES) {
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * (attempt + 1)));
          continue;
        }
        if (conflicted && conflicted.length > 0) return onConditionFailure(conflicted);
        throw error;
      }
    }
  }
}
