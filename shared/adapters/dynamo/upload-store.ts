/**
 * Bulk uploads in the main table, and the batched writes of the positions they create.
 *
 *   item              pk                              sk                  GSIs
 *   upload            UPLOAD#<ofc>#<fileId>           UPLOAD              gsi1 (ORG#<ofc>#UPLOADS, by start time)
 *   chunk outcomes    UPLOAD#<ofc>#<fileId>           CHUNK#A<n> (applied chunk n) · CHUNK#R<n> (rows refused by the splitter)
 *   chunk numbers     UPLOAD#<ofc>#<fileId>           ALLOC#<n>           (the IUV bases of chunk n, allocated once)
 *
 * A position created by an upload is the same item the REST API writes (positionItem, its IUV
 * locks, audit line, events and listing entries), plus `uploadId`: the file that created it.
 * Positions go into TransactWriteItems of at most 100 items (DynamoDB's limit), as many
 * positions as fit, with ONE counter update per transaction carrying the sum of their deltas.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UploadCompletedEvent } from '../../../events/upload';
import type { DebtPosition } from '../../domain/debt-position';
import type { PositionToCreate, RowOutcome, Upload, UploadStore } from '../../use-cases/bulk-upload/ports';
import { failedConditions, conflictedItems, isConditionFailure, queryAll } from './client';
import { DynamoDebtPositionStore, iuvLockItem, positionItem } from './debt-position-store';
import { LIST_SK, SK, positionPk } from './keys';
import { auditPut, outboxEventPut } from './outbox';
import { counterDeltas, counterUpdate, listingItems, listingStateOf, type TransactItem } from './position-listing';

const uploadPk = (ofc: string, fileId: string): string => `UPLOAD#${ofc}#${fileId}`;
const UPLOAD_SK = 'UPLOAD';
const uploadsGsi = (ofc: string): string => `ORG#${ofc}#UPLOADS`;
const chunkSk = (chunk: number): string => (chunk >= 0 ? `CHUNK#A${String(chunk).padStart(7, '0')}` : `CHUNK#R${String(-chunk).padStart(7, '0')}`);
const allocSk = (chunk: number): string => `ALLOC#${String(chunk).padStart(7, '0')}`;

/** DynamoDB's limit of items per transaction */
const MAX_TRANSACTION_ITEMS = 100;
/** DynamoDB's limit is 4 MB per transaction; positions are counted by their JSON size */
const MAX_TRANSACTION_BYTES = 3_500_000;
const PARALLEL_TRANSACTIONS = 4;
const CONFLICT_RETRIES = 6;

export class DynamoUploadStore implements UploadStore {
  private readonly positions: DynamoDebtPositionStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.positions = new DynamoDebtPositionStore(db, tableName);
  }

  // ---- the upload record ----

  async create(upload: Upload): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.item(upload), ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async get(ofc: string, fileId: string): Promise<Upload | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: uploadPk(ofc, fileId), sk: UPLOAD_SK }, ConsistentRead: true }));
    return result.Item ? fromItem(result.Item) : undefined;
  }

  async list(ofc: string, window: { from: string; to: string; limit: number; after?: string }): Promise<{ uploads: Upload[]; after?: string }> {
    const start = window.after ? decodeCursor(ofc, window.after) : undefined;
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': uploadsGsi(ofc), ':from': window.from, ':to': `${window.to}~` },
        ScanIndexForward: false,
        Limit: window.limit,
        ExclusiveStartKey: start,
      }),
    );
    const uploads = (result.Items ?? []).map(fromItem).filter((u) => u.startTime < window.to);
    const last = result.Items?.[result.Items.length - 1];
    return result.LastEvaluatedKey && last ? { uploads, after: Buffer.from(`${String(last['gsi1sk'])}`).toString('base64url') } : { uploads };
  }

  async arrived(upload: Upload, file: { format: 'json' | 'csv'; zipped: boolean; etag?: string }): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(upload),
          UpdateExpression: `SET #state = :received, #format = :format, zipped = :zipped${file.etag ? ', objectEtag = :etag' : ''}`,
          ConditionExpression: '#state = :awaiting',
          ExpressionAttributeNames: { '#state': 'state', '#format': 'format' },
          ExpressionAttributeValues: { ':received': 'RECEIVED', ':awaiting': 'AWAITING_FILE', ':format': file.format, ':zipped': file.zipped, ...(file.etag ? { ':etag': file.etag } : {}) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async startSplit(upload: Upload, submittedItem: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(upload),
          UpdateExpression: 'SET #state = :splitting, submittedItem = :n',
          ConditionExpression: '#state IN (:received, :splitting)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':splitting': 'SPLITTING', ':received': 'RECEIVED', ':n': submittedItem },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async endSplit(upload: Upload, chunks: number): Promise<Upload> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(upload),
        UpdateExpression: 'SET splitDone = :true, chunks = :chunks',
        ExpressionAttributeValues: { ':true': true, ':chunks': chunks },
      }),
    );
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(upload),
          UpdateExpression: 'SET #state = :processing',
          // a cancelled upload stays cancelled
          ConditionExpression: '#state = :splitting',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':processing': 'PROCESSING', ':splitting': 'SPLITTING' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const after = await this.get(upload.organizationFiscalCode, upload.fileId);
    if (!after) throw new Error(`upload ${upload.fileId} vanished`);
    return after;
  }

  async refuse(upload: Upload, status: number, reason: string, at: string, event?: UploadCompletedEvent): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: this.key(upload),
                UpdateExpression: 'SET #state = :refused, refusal = :refusal, endTime = :at',
                ConditionExpression: '#state IN (:awaiting, :received, :splitting)',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':refused': 'REFUSED', ':refusal': { status, reason }, ':at': at, ':awaiting': 'AWAITING_FILE', ':received': 'RECEIVED', ':splitting': 'SPLITTING' },
              },
            },
            ...(event ? [outboxEventPut(this.tableName, event)] : []),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (failedConditions(error)?.length) return false;
      throw error;
    }
  }

  async recordChunk(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, chunk: number, outcomes: readonly RowOutcome[]): Promise<boolean> {
    const accepted = outcomes.filter((o) => o.status < 300).length;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: uploadPk(upload.organizationFiscalCode, upload.fileId), sk: chunkSk(chunk), type: 'upload-chunk', outcomes },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: uploadPk(upload.organizationFiscalCode, upload.fileId), sk: UPLOAD_SK },
                UpdateExpression: 'ADD processedItem :n, acceptedItem :a, chunksDone :c',
                ExpressionAttributeValues: { ':n': outcomes.length, ':a': accepted, ':c': chunk >= 0 ? 1 : 0 },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      const failed = failedConditions(error);
      if (failed && failed.includes(0)) return false;
      throw error;
    }
  }

  async chunkRecorded(ofc: string, fileId: string, chunk: number): Promise<boolean> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: uploadPk(ofc, fileId), sk: chunkSk(chunk) }, ProjectionExpression: 'pk', ConsistentRead: true }),
    );
    return result.Item !== undefined;
  }

  async *outcomes(ofc: string, fileId: string): AsyncIterable<RowOutcome> {
    const chunks = queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': uploadPk(ofc, fileId), ':prefix': 'CHUNK#' },
      ConsistentRead: true,
    });
    for await (const item of chunks) yield* item['outcomes'] as RowOutcome[];
  }

  async complete(upload: Upload, at: string, event?: UploadCompletedEvent, noticeBatchId?: string): Promise<Upload | undefined> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: this.key(upload),
                UpdateExpression: `SET #state = :completed, endTime = :at${noticeBatchId ? ', noticeBatchId = :batch' : ''}`,
                ConditionExpression: '#state IN (:splitting, :processing) AND splitDone = :true AND chunksDone >= chunks',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: {
                  ':completed': 'COMPLETED',
                  ':at': at,
                  ':splitting': 'SPLITTING',
                  ':processing': 'PROCESSING',
                  ':true': true,
                  ...(noticeBatchId ? { ':batch': noticeBatchId } : {}),
                },
              },
            },
            ...(event ? [outboxEventPut(this.tableName, event)] : []),
          ],
        }),
      );
    } catch (error) {
      if (failedConditions(error)?.length) return undefined;
      throw error;
    }
    return this.get(upload.organizationFiscalCode, upload.fileId);
  }

  async cancel(upload: Upload, at: string, event?: UploadCompletedEvent): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: this.key(upload),
                UpdateExpression: 'SET #state = :cancelled, cancelledAt = :at, endTime = :at',
                ConditionExpression: '#state IN (:awaiting, :received, :splitting, :processing)',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':at': at, ':awaiting': 'AWAITING_FILE', ':received': 'RECEIVED', ':splitting': 'SPLITTING', ':processing': 'PROCESSING' },
              },
            },
            ...(event ? [outboxEventPut(this.tableName, event)] : []),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (failedConditions(error)?.length) return false;
      throw error;
    }
  }

  // ---- positions ----

  async chunkIuvBases(ofc: string, fileId: string, chunk: number, count: number): Promise<bigint[]> {
    if (count <= 0) return [];
    const key = { pk: uploadPk(ofc, fileId), sk: allocSk(chunk) };
    const read = async () => (await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
    let item = await read();
    if (!item) {
      const bases = await this.positions.allocateIuvBases(ofc, count);
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key, type: 'upload-allocation', first: String(bases[0]), count },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return bases;
      } catch (error) {
        // a concurrent delivery of the same chunk allocated first: its numbers are the chunk's
        if (!isConditionFailure(error)) throw error;
        item = await read();
      }
    }
    const first = BigInt(String(item?.['first']));
    const stored = Number(item?.['count']);
    if (stored < count) throw new Error(`chunk ${chunk} of ${fileId} was allocated ${stored} numbers, ${count} asked`);
    return Array.from({ length: count }, (_, i) => first + BigInt(i));
  }

  async existing(ofc: string, iupds: readonly string[]): Promise<Map<string, { fileId?: string; position: DebtPosition }>> {
    const out = new Map<string, { fileId?: string; position: DebtPosition }>();
    for (let i = 0; i < iupds.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = iupds.slice(i, i + 100).map((iupd) => ({ pk: positionPk(ofc, iupd), sk: SK.position }));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        const result = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: '#p, uploadId', ExpressionAttributeNames: { '#p': 'position' } } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const position = item['position'] as DebtPosition;
          out.set(position.iupd, { position, ...(typeof item['uploadId'] === 'string' ? { fileId: item['uploadId'] } : {}) });
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
        if (keys && keys.length > 0) await sleep(Math.min(1000, 50 * 2 ** attempt));
      }
    }
    return out;
  }

  async createMany(fileId: string, positions: readonly PositionToCreate[]): Promise<Map<string, { conflict: 'iupd' } | { conflict: 'iuv'; iuv: string }>> {
    const conflicts = new Map<string, { conflict: 'iupd' } | { conflict: 'iuv'; iuv: string }>();
    const groups = this.pack(positions);
    let next = 0;
    const workers = Array.from({ length: Math.min(PARALLEL_TRANSACTIONS, groups.length) }, async () => {
      for (let i = next++; i < groups.length; i = next++) await this.writeGroup(fileId, groups[i]!, conflicts);
    });
    await Promise.all(workers);
    return conflicts;
  }

  /** Positions packed into transactions: each position's items, and one counter update per transaction. */
  private pack(positions: readonly PositionToCreate[]): PositionToCreate[][] {
    const groups: PositionToCreate[][] = [];
    let current: PositionToCreate[] = [];
    let items = 1;
    let bytes = 0;
    for (const p of positions) {
      const count = this.itemsOf('', p).length;
      const size = JSON.stringify(p.position).length * 2 + 4_000;
      if (current.length > 0 && (items + count > MAX_TRANSACTION_ITEMS || bytes + size > MAX_TRANSACTION_BYTES)) {
        groups.push(current);
        current = [];
        items = 1;
        bytes = 0;
      }
      current.push(p);
      items += count;
      bytes += size;
    }
    if (current.length > 0) groups.push(current);
    return groups;
  }

  /** The items of one new position, without its counter update. */
  private itemsOf(fileId: string, p: PositionToCreate): TransactItem[] {
    const position = p.position;
    const ofc = position.organizationFiscalCode;
    const listing = [...listingItems(ofc, listingStateOf(position))].map(
      ([sk, item]): TransactItem => (sk === LIST_SK.ordered('INS') ? { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } } : { Put: { TableName: this.tableName, Item: item } }),
    );
    return [
      { Put: { TableName: this.tableName, Item: { ...positionItem(position, { listed: true }), uploadId: fileId }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...position.paymentOptions.map((o): TransactItem => ({ Put: { TableName: this.tableName, Item: iuvLockItem(position, o.iuv), ConditionExpression: 'attribute_not_exists(pk)' } })),
      auditPut(this.tableName, position, p.audit),
      ...p.events.map((e) => outboxEventPut(this.tableName, e)),
      ...listing,
    ];
  }

  private async writeGroup(fileId: string, group: PositionToCreate[], conflicts: Map<string, { conflict: 'iupd' } | { conflict: 'iuv'; iuv: string }>): Promise<void> {
    let remaining = group;
    for (let attempt = 0; remaining.length > 0; attempt++) {
      const owners: Array<{ iupd: string; kind: 'position' | 'iuv' | 'other'; iuv?: string }> = [];
      const items: TransactItem[] = [];
      const deltas = new Map<string, number>();
      for (const p of remaining) {
        const own = this.itemsOf(fileId, p);
        const iuvs = p.position.paymentOptions.map((o) => o.iuv);
        own.forEach((_, i) => owners.push({ iupd: p.position.iupd, kind: i === 0 ? 'position' : i <= iuvs.length ? 'iuv' : 'other', ...(i >= 1 && i <= iuvs.length ? { iuv: iuvs[i - 1] } : {}) }));
        items.push(...own);
        for (const [name, by] of counterDeltas(undefined, listingStateOf(p.position))) deltas.set(name, (deltas.get(name) ?? 0) + by);
      }
      const counter = counterUpdate(this.tableName, remaining[0]!.position.organizationFiscalCode, deltas);
      if (counter) items.push(counter);
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        const failed = failedConditions(error);
        if (failed && failed.length > 0) {
          const refused = new Set<string>();
          for (const index of failed) {
            const owner = owners[index];
            if (!owner) continue;
            refused.add(owner.iupd);
            if (owner.kind === 'iuv' && owner.iuv) conflicts.set(owner.iupd, { conflict: 'iuv', iuv: owner.iuv });
            else if (!conflicts.has(owner.iupd)) conflicts.set(owner.iupd, { conflict: 'iupd' });
          }
          // a position taken meanwhile by this same file (a concurrent delivery of the chunk) is created, not refused
          const mine = await this.existingOf(fileId, remaining.filter((p) => refused.has(p.position.iupd)));
          for (const iupd of mine) conflicts.delete(iupd);
          remaining = remaining.filter((p) => !refused.has(p.position.iupd));
          continue;
        }
        const conflicted = conflictedItems(error);
        if (conflicted && conflicted.length > 0 && attempt < CONFLICT_RETRIES) {
          await sleep(20 + Math.random() * 100 * (attempt + 1));
          continue;
        }
        throw error;
      }
    }
  }

  private async existingOf(fileId: string, positions: readonly PositionToCreate[]): Promise<string[]> {
    if (positions.length === 0) return [];
    const ofc = positions[0]!.position.organizationFiscalCode;
    const found = await this.existing(ofc, positions.map((p) => p.position.iupd));
    return [...found].filter(([, f]) => f.fileId === fileId).map(([iupd]) => iupd);
  }

  // ---- plumbing ----

  private key(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>) {
    return { pk: uploadPk(upload.organizationFiscalCode, upload.fileId), sk: UPLOAD_SK };
  }

  private item(upload: Upload): Record<string, unknown> {
    return {
      ...this.key(upload),
      type: 'upload',
      gsi1pk: uploadsGsi(upload.organizationFiscalCode),
      gsi1sk: `${upload.startTime}#${upload.fileId}`,
      ...upload,
    };
  }
}

function fromItem(item: Record<string, unknown>): Upload {
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _g1, gsi1sk: _g2, cancelledAt: _c, ...rest } = item;
  return rest as unknown as Upload;
}

function decodeCursor(ofc: string, cursor: string): Record<string, unknown> | undefined {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  const fileId = sortKey.split('#')[1];
  if (!fileId) return undefined;
  return { pk: uploadPk(ofc, fileId), sk: UPLOAD_SK, gsi1pk: uploadsGsi(ofc), gsi1sk: sortKey };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

