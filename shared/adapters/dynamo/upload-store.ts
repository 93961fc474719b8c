/**
 * Bulk uploads in the main table, and the batched writes of the positions they create.
 *
 *   item              pk                              sk                  GSIs
 *   upload            UPLOAD#<ofc>#<fileId>           UPLOAD              gsi1 (ORG#<ofc>#UPLOADS, by start time) · gsi2 (UPLOADS#FOLLOW-UP, sparse: the follow-up list)
 *   chunk outcomes    UPLOAD#<ofc>#<fileId>           CHUNK#A<n> (applied chunk n) · CHUNK#R<n> (rows refused by the splitter); `packed`: gzipped JSON
 *   chunk numbers     UPLOAD#<ofc>#<fileId>           ALLOC#<n>           (the IUV bases of chunk n, allocated once)
 *
 * A position created by an upload is the same item the REST API writes (positionItem, its IUV
 * locks, audit line, events and listing entries), plus `uploadId`: the file that created it.
 * Positions go into TransactWriteItems of at most 100 items (DynamoDB's limit), as many
 * positions as fit, with ONE counter update per transaction carrying the sum of their deltas.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { UploadCompletedEvent } from '../../../events/upload';
import type { DebtPosition } from '../../domain/debt-position';
import type { PositionToCreate, RowOutcome, Upload, UploadStore } from '../../use-cases/bulk-upload/ports';
import { auditBatchPut, auditLineRequests, restoreAuditLines, type PositionAudit } from './audit-batches';
import { batchGetAll, batchWriteAll, conflictedItems, failedConditions, inParallel, isConditionFailure, queryAll, type WriteRequest } from './client';
import { DynamoDebtPositionStore, iuvLockItem, positionItem } from './debt-position-store';
import { LIST_SK, SK, positionPk } from './keys';
import { outboxEventPut, outboxEventsPut } from './outbox';
import { counterDeltas, counterUpdate, listingItems, listingStateOf, type TransactItem } from './position-listing';

const uploadPk = (ofc: string, fileId: string): string => `UPLOAD#${ofc}#${fileId}`;
const UPLOAD_SK = 'UPLOAD';
const uploadsGsi = (ofc: string): string => `ORG#${ofc}#UPLOADS`;
/** the follow-up list (sparse, on gsi2): uploads with a file awaited or an IO release to do */
const FOLLOW_UP_GSI = 'UPLOADS#FOLLOW-UP';
const followUpSk = (upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, at: string): string => `${at}#${upload.organizationFiscalCode}#${upload.fileId}`;
const chunkSk = (chunk: number): string => (chunk >= 0 ? `CHUNK#A${String(chunk).padStart(7, '0')}` : `CHUNK#R${String(-chunk).padStart(7, '0')}`);
const allocSk = (chunk: number): string => `ALLOC#${String(chunk).padStart(7, '0')}`;

/**
 * A chunk's outcomes as ONE gzipped JSON binary attribute: a CSV row's outcome carries the row's
 * columns for GovPay's result file (~500 bytes), so a 100,000-row upload's outcomes are ~50 MB as
 * DynamoDB maps but ~5 MB packed, and the report reads (and unmarshals) a tenth of it.
 */
const packOutcomes = (outcomes: readonly RowOutcome[]): Uint8Array => gzipSync(JSON.stringify(outcomes), { level: 6 });
function unpackOutcomes(item: Record<string, unknown>): RowOutcome[] {
  const packed = item['packed'];
  if (packed instanceof Uint8Array) return JSON.parse(gunzipSync(packed).toString('utf8')) as RowOutcome[];
  return (item['outcomes'] as RowOutcome[] | undefined) ?? []; // chunks recorded before packing
}

/** DynamoDB's limit of items per transaction */
const MAX_TRANSACTION_ITEMS = 100;
/** DynamoDB's limit is 4 MB per transaction; positions are counted by their JSON size */
const MAX_TRANSACTION_BYTES = 3_500_000;
const PARALLEL_TRANSACTIONS = 4;
const CONFLICT_RETRIES = 6;
/** The items of a create transaction besides its positions': the counter update, the audit batch, the outbox item. */
const SHARED_ITEMS_PER_TRANSACTION = 3;

/** The writer of a chunk's positions in the audit batches (the same for every delivery of the chunk). */
const uploadWriter = (fileId: string, chunk: number): string => `upload:${fileId}:${chunk}`;

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
    return this.endRefused(upload, ['AWAITING_FILE', 'RECEIVED', 'SPLITTING'], { status, reason }, at, event);
  }

  /** upload → REFUSED from one of `from`, with its upload.completed event in the same transaction; false when it was in another state */
  private async endRefused(upload: Upload, from: readonly Upload['state'][], refusal: { status: number; reason: string }, at: string, event?: UploadCompletedEvent): Promise<boolean> {
    const states = Object.fromEntries(from.map((state, i) => [`:from${i}`, state]));
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: this.key(upload),
                UpdateExpression: 'SET #state = :refused, refusal = :refusal, endTime = :at',
                ConditionExpression: `#state IN (${Object.keys(states).join(', ')})`,
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':refused': 'REFUSED', ':refusal': refusal, ':at': at, ...states },
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
                Item: { pk: uploadPk(upload.organizationFiscalCode, upload.fileId), sk: chunkSk(chunk), type: 'upload-chunk', packed: packOutcomes(outcomes) },
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
    for await (const item of chunks) yield* unpackOutcomes(item);
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
    const items = await batchGetAll(this.db, this.tableName, iupds.map((iupd) => ({ pk: positionPk(ofc, iupd), sk: SK.position })), {
      projection: 'pk, sk, #p, uploadId',
      names: { '#p': 'position' },
      parallel: 1,
    });
    const out = new Map<string, { fileId?: string; position: DebtPosition }>();
    for (const item of items.values()) {
      const position = item['position'] as DebtPosition;
      out.set(position.iupd, { position, ...(typeof item['uploadId'] === 'string' ? { fileId: item['uploadId'] } : {}) });
    }
    return out;
  }

  async createMany(fileId: string, chunk: number, positions: readonly PositionToCreate[]): Promise<Map<string, { conflict: 'iupd' } | { conflict: 'iuv'; iuv: string }>> {
    if (positions.length === 0) return new Map();
    const ofc = positions[0]!.position.organizationFiscalCode;
    const conflicts = new Map<string, { conflict: 'iupd' } | { conflict: 'iuv'; iuv: string }>();
    const mine = new Map<string, DebtPosition>();
    const audits: PositionAudit[] = [];
    await inParallel(this.pack(positions), PARALLEL_TRANSACTIONS, (group) => this.writeGroup(fileId, chunk, group, conflicts, mine, audits));
    // those a concurrent delivery of the chunk wrote: their audit lines from its batches (it may have died before writing them)
    if (mine.size > 0) await restoreAuditLines(this.db, this.tableName, ofc, uploadWriter(fileId, chunk), [...mine.keys()]);
    // the rest of each created position's listing: ours as we wrote them, those a concurrent delivery wrote as stored
    const created = positions.filter((p) => !conflicts.has(p.position.iupd)).map((p) => mine.get(p.position.iupd) ?? p.position);
    await this.completeListings(created, auditLineRequests(ofc, audits));
    return conflicts;
  }

  async completeCreated(fileId: string, chunk: number, positions: readonly DebtPosition[]): Promise<void> {
    if (positions.length === 0) return;
    await restoreAuditLines(this.db, this.tableName, positions[0]!.organizationFiscalCode, uploadWriter(fileId, chunk), positions.map((p) => p.iupd));
    await this.completeListings(positions);
  }

  /**
   * The listing entries of new positions but LIST#INS (written in their transaction, with the
   * counters), and `audits` (their audit lines, kept in the transaction's audit batch): idempotent
   * Puts in batches, then each position's version read again. A position
   * changed meanwhile (an update, a payment) may have had an entry put back stale by these
   * batches: its entries are rewritten from what it is now, guarded by its version.
   */
  private async completeListings(positions: readonly DebtPosition[], audits: readonly WriteRequest[] = []): Promise<void> {
    if (positions.length === 0) return;
    const ofc = positions[0]!.organizationFiscalCode;
    const later = (p: DebtPosition) => [...listingItems(ofc, listingStateOf(p))].filter(([sk]) => sk !== LIST_SK.ordered('INS'));
    await batchWriteAll(this.db, this.tableName, [...audits, ...positions.flatMap((p) => later(p).map(([, Item]): WriteRequest => ({ PutRequest: { Item } })))]);
    const versions = await batchGetAll(this.db, this.tableName, positions.map((p) => ({ pk: positionPk(ofc, p.iupd), sk: SK.position })), { projection: 'pk, sk, version' });
    const changed = positions.filter((p) => versions.get(`${positionPk(ofc, p.iupd)}|${SK.position}`)?.['version'] !== p.version);
    await inParallel(changed, 4, (p) => this.rewriteListing(p, new Set(later(p).map(([sk]) => sk))));
  }

  /** A position's listing entries (but LIST#INS) as it is now, and none of `written` it no longer has. */
  private async rewriteListing(written: DebtPosition, writtenKeys: ReadonlySet<string>): Promise<void> {
    const ofc = written.organizationFiscalCode;
    for (let attempt = 1; ; attempt++) {
      const now = await this.positions.get(ofc, written.iupd);
      if (!now) {
        // deleted meanwhile: its entries go with it
        await batchWriteAll(this.db, this.tableName, [...writtenKeys].map((sk) => ({ DeleteRequest: { Key: { pk: positionPk(ofc, written.iupd), sk } } })));
        return;
      }
      const current = new Map([...listingItems(ofc, listingStateOf(now))].filter(([sk]) => sk !== LIST_SK.ordered('INS')));
      const items: TransactItem[] = [
        { ConditionCheck: { TableName: this.tableName, Key: { pk: positionPk(ofc, now.iupd), sk: SK.position }, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': now.version } } },
        ...[...current.values()].map((Item): TransactItem => ({ Put: { TableName: this.tableName, Item } })),
        ...[...writtenKeys].filter((sk) => !current.has(sk)).map((sk): TransactItem => ({ Delete: { TableName: this.tableName, Key: { pk: positionPk(ofc, now.iupd), sk } } })),
      ];
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        const retry = (failedConditions(error)?.length ?? 0) > 0 || (conflictedItems(error)?.length ?? 0) > 0;
        if (!retry || attempt >= CONFLICT_RETRIES) throw error;
      }
    }
  }

  /** Positions packed into transactions: each position's items, one counter update, one audit batch and one outbox item per transaction. */
  private pack(positions: readonly PositionToCreate[]): PositionToCreate[][] {
    const groups: PositionToCreate[][] = [];
    let current: PositionToCreate[] = [];
    let items = SHARED_ITEMS_PER_TRANSACTION;
    let bytes = 0;
    for (const p of positions) {
      const count = this.itemsOf('', p).length;
      const size = JSON.stringify(p.position).length * 2 + 4_000;
      if (current.length > 0 && (items + count > MAX_TRANSACTION_ITEMS || bytes + size > MAX_TRANSACTION_BYTES)) {
        groups.push(current);
        current = [];
        items = SHARED_ITEMS_PER_TRANSACTION;
        bytes = 0;
      }
      current.push(p);
      items += count;
      bytes += size;
    }
    if (current.length > 0) groups.push(current);
    return groups;
  }

  /**
   * The items of one new position written in its transaction, without the counter update: the
   * position, its IUV locks and LIST#INS (the listing state the counters count it as). Its audit
   * line goes in the transaction's audit batch (audit-batches.ts), its events in its one outbox
   * item; the audit lines and the other listing entries follow in batches (completeListings).
   */
  private itemsOf(fileId: string, p: PositionToCreate): TransactItem[] {
    const position = p.position;
    const ins = listingItems(position.organizationFiscalCode, listingStateOf(position)).get(LIST_SK.ordered('INS'))!;
    return [
      { Put: { TableName: this.tableName, Item: { ...positionItem(position, { listed: true }), uploadId: fileId }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...position.paymentOptions.map((o): TransactItem => ({ Put: { TableName: this.tableName, Item: iuvLockItem(position, o.iuv), ConditionExpression: 'attribute_not_exists(pk)' } })),
      { Put: { TableName: this.tableName, Item: ins, ConditionExpression: 'attribute_not_exists(pk)' } },
    ];
  }

  private async writeGroup(
    fileId: string,
    chunk: number,
    group: PositionToCreate[],
    conflicts: Map<string, { conflict: 'iupd' } | { conflict: 'iuv'; iuv: string }>,
    mine: Map<string, DebtPosition>,
    written: PositionAudit[],
  ): Promise<void> {
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
      const ofc = remaining[0]!.position.organizationFiscalCode;
      const counter = counterUpdate(this.tableName, ofc, deltas);
      if (counter) items.push(counter);
      const audits = remaining.map((p): PositionAudit => ({ iupd: p.position.iupd, audit: p.audit }));
      items.push(auditBatchPut(this.tableName, ofc, uploadWriter(fileId, chunk), audits));
      const events = remaining.flatMap((p) => p.events);
      if (events.length > 0) items.push(outboxEventsPut(this.tableName, events));
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        written.push(...audits);
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
          if (refused.size === 0) throw error;
          // a position taken meanwhile by this same file (a concurrent delivery of the chunk) is created, not refused
          for (const position of await this.existingOf(fileId, remaining.filter((p) => refused.has(p.position.iupd)))) {
            conflicts.delete(position.iupd);
            mine.set(position.iupd, position);
          }
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

  private async existingOf(fileId: string, positions: readonly PositionToCreate[]): Promise<DebtPosition[]> {
    if (positions.length === 0) return [];
    const ofc = positions[0]!.position.organizationFiscalCode;
    const found = await this.existing(ofc, positions.map((p) => p.position.iupd));
    return [...found.values()].filter((f) => f.fileId === fileId).map((f) => f.position);
  }

  // ---- the follow-up (shared/use-cases/bulk-upload/follow-up.ts) ----
  // An upload with something left to do (a file awaited, its IO release) is in a sparse list on
  // gsi2, which upload items do not otherwise use: gsi2pk UPLOADS#FOLLOW-UP, gsi2sk <checkAt>#<ofc>#<fileId>.

  async createFollowedUp(upload: Upload, checkAt: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...this.item(upload), gsi2pk: FOLLOW_UP_GSI, gsi2sk: followUpSk(upload, checkAt) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async followUpsDue(now: string, limit: number): Promise<Upload[]> {
    const keys: Array<{ ofc: string; fileId: string }> = [];
    for await (const item of queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :now',
      ExpressionAttributeValues: { ':pk': FOLLOW_UP_GSI, ':now': `${now}#\uffff` },
      ProjectionExpression: 'pk',
    })) {
      const [, ofc, fileId] = String(item['pk']).split('#');
      if (ofc && fileId) keys.push({ ofc, fileId });
      if (keys.length >= limit) break;
    }
    const uploads: Upload[] = [];
    // read from the table, not the index: the cursor and state as last written
    for (const k of keys) {
      const upload = await this.get(k.ofc, k.fileId);
      if (upload) uploads.push(upload);
    }
    return uploads;
  }

  async followUpAt(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(upload),
          UpdateExpression: 'SET gsi2sk = :sk',
          ConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':sk': followUpSk(upload, at), ':pk': FOLLOW_UP_GSI },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async endFollowUp(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, ioDoneAt?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(upload),
        UpdateExpression: `REMOVE gsi2pk, gsi2sk${ioDoneAt ? ' SET ioDoneAt = if_not_exists(ioDoneAt, :done)' : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ...(ioDoneAt ? { ExpressionAttributeValues: { ':done': ioDoneAt } } : {}),
      }),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  async expireAwaiting(upload: Upload, status: number, reason: string, at: string, event: UploadCompletedEvent): Promise<boolean> {
    // AWAITING_FILE only: a file that arrived meanwhile (RECEIVED) wins
    return this.endRefused(upload, ['AWAITING_FILE'], { status, reason }, at, event);
  }

  async *createdFrom(ofc: string, fileId: string, cursor: string | undefined): AsyncIterable<{ iupd: string; navs: readonly string[]; next: string }> {
    const [fromSk, fromIndex] = cursor ? [cursor.slice(0, cursor.lastIndexOf('/')), Number(cursor.slice(cursor.lastIndexOf('/') + 1))] : ['CHUNK#A', 0];
    // applied chunks only (CHUNK#A…): the splitter's refused rows (CHUNK#R…) created nothing; a few chunk items a page
    for await (const item of queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': uploadPk(ofc, fileId), ':from': fromSk, ':to': 'CHUNK#A\uffff' },
      ConsistentRead: true,
      Limit: 10,
    })) {
      const sk = String(item['sk']);
      const outcomes = unpackOutcomes(item);
      for (let i = sk === fromSk ? fromIndex : 0; i < outcomes.length; i++) {
        const o = outcomes[i]!;
        if (o.status === 201) yield { iupd: o.iupd, navs: o.navs ?? [], next: `${sk}/${i + 1}` };
      }
    }
  }

  async advanceIoRelease(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, from: string | undefined, to: { cursor: string; released: number; releasedUntil: string; done?: string }): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(upload),
          UpdateExpression: `SET ioCursor = :to, ioReleased = :released, ioReleasedUntil = :until${to.done ? ', ioDoneAt = if_not_exists(ioDoneAt, :done)' : ''}`,
          ConditionExpression: from === undefined ? 'attribute_exists(pk) AND attribute_not_exists(ioCursor)' : 'ioCursor = :from',
          ExpressionAttributeValues: {
            ':to': to.cursor,
            ':released': to.released,
            ':until': to.releasedUntil,
            ...(to.done ? { ':done': to.done } : {}),
            ...(from === undefined ? {} : { ':from': from }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
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
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, cancelledAt: _c, ...rest } = item;
  return rest as unknown as Upload;
}

function decodeCursor(ofc: string, cursor: string): Record<string, unknown> | undefined {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  const fileId = sortKey.split('#')[1];
  if (!fileId) return undefined;
  return { pk: uploadPk(ofc, fileId), sk: UPLOAD_SK, gsi1pk: uploadsGsi(ofc), gsi1sk: sortKey };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

