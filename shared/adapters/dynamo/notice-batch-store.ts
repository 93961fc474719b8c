/**
 * Notice batches in the main table, and the selection of positions a batch filter names.
 *
 *   item                pk                                  sk                 TTL
 *   notice batch        NOTICEBATCH#<ofc>#<batchId>         BATCH              30 days
 *   chunk results       NOTICEBATCH#<ofc>#<batchId>         CHUNK#<00000n>     30 days
 *
 * Progress is two counters on the batch item, added in the same transaction that writes a
 * chunk's results under the condition that the chunk was not recorded before: a re-delivered
 * queue message cannot count its positions twice.
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PositionStatus } from '../../domain/debt-position';
import type { NoticeBatch, NoticeBatchItem, NoticeBatchProgress } from '../../domain/notice/batch';
import type { NoticeBatchReader, NoticeBatchStore, PositionSelector } from '../../use-cases/notices/ports';
import { failedConditions, queryItems } from './client';
import { gsi } from './keys';

const BATCH_TTL_SECONDS = 30 * 24 * 3600;
const batchPk = (ofc: string, batchId: string): string => `NOTICEBATCH#${ofc}#${batchId}`;
const BATCH_SK = 'BATCH';
const chunkSk = (chunk: number): string => `CHUNK#${String(chunk).padStart(6, '0')}`;

export class DynamoNoticeBatchStore implements NoticeBatchStore, NoticeBatchReader, PositionSelector {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(batch: NoticeBatch): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: batchPk(batch.organizationFiscalCode, batch.batchId),
          sk: BATCH_SK,
          type: 'notice-batch',
          batch,
          done: 0,
          failed: 0,
          expiresAt: expiry(batch.createdAt),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async recordChunk(
    organizationFiscalCode: string,
    batchId: string,
    chunk: number,
    items: readonly NoticeBatchItem[],
  ): Promise<'recorded' | 'duplicate'> {
    const pk = batchPk(organizationFiscalCode, batchId);
    const done = items.filter((i) => i.ok).length;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk, sk: chunkSk(chunk), type: 'notice-batch-chunk', chunk, items, expiresAt: expiry(new Date().toISOString()) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { pk, sk: BATCH_SK },
                UpdateExpression: 'ADD done :done, failed :failed',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':done': done, ':failed': items.length - done },
              },
            },
          ],
        }),
      );
      return 'recorded';
    } catch (error) {
      const failed = failedConditions(error);
      if (failed?.includes(0)) return 'duplicate';
      if (failed?.includes(1)) throw new Error(`notice batch ${batchId} does not exist`);
      throw error;
    }
  }

  async get(organizationFiscalCode: string, batchId: string): Promise<NoticeBatchProgress | undefined> {
    const pk = batchPk(organizationFiscalCode, batchId);
    const head = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk: BATCH_SK }, ConsistentRead: true }));
    if (!head.Item) return undefined;
    const chunks = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
      ExpressionAttributeValues: { ':pk': pk, ':chunk': 'CHUNK#' },
      ConsistentRead: true,
    });
    const items = chunks.flatMap((chunk) => (chunk['items'] as NoticeBatchItem[] | undefined) ?? []);
    return {
      batch: head.Item['batch'] as NoticeBatch,
      done: Number(head.Item['done'] ?? 0),
      failed: Number(head.Item['failed'] ?? 0),
      items,
    };
  }

  async head(organizationFiscalCode: string, batchId: string): Promise<Omit<NoticeBatchProgress, 'items'> | undefined> {
    const head = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: batchPk(organizationFiscalCode, batchId), sk: BATCH_SK }, ConsistentRead: true }));
    if (!head.Item) return undefined;
    return { batch: head.Item['batch'] as NoticeBatch, done: Number(head.Item['done'] ?? 0), failed: Number(head.Item['failed'] ?? 0) };
  }

  /** One query of the chunk items in the range (sort keys CHUNK#<n, 6 digits> sort as numbers). */
  async chunkItems(organizationFiscalCode: string, batchId: string, firstChunk: number, lastChunk: number): Promise<NoticeBatchItem[]> {
    const chunks = await queryItems(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
      ExpressionAttributeValues: { ':pk': batchPk(organizationFiscalCode, batchId), ':first': chunkSk(firstChunk), ':last': chunkSk(lastChunk) },
      ConsistentRead: true,
    });
    return chunks.flatMap((chunk) => (chunk['items'] as NoticeBatchItem[] | undefined) ?? []);
  }

  /** Reads only the keys of the status index (gsi2: status, then first due date). */
  async iupdsMatching(
    organizationFiscalCode: string,
    filter: { statuses: readonly PositionStatus[]; dueFrom?: string; dueTo?: string },
    max: number,
  ): Promise<string[]> {
    const prefix = `POS#${organizationFiscalCode}#`;
    const out: string[] = [];
    for (const status of filter.statuses) {
      const values: Record<string, unknown> = { ':pk': gsi.byStatus(organizationFiscalCode, status) };
      let condition = 'gsi2pk = :pk';
      if (filter.dueFrom !== undefined || filter.dueTo !== undefined) {
        condition += ' AND gsi2sk BETWEEN :from AND :to';
        values[':from'] = filter.dueFrom ?? '0000';
        values[':to'] = `${filter.dueTo ?? '9999'}\uffff`;
      }
      let exclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi2',
            KeyConditionExpression: condition,
            ExpressionAttributeValues: values,
            ProjectionExpression: 'pk',
            ExclusiveStartKey: exclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const pk = String(item['pk']);
          if (pk.startsWith(prefix)) out.push(pk.slice(prefix.length));
          if (out.length >= max) return out;
        }
        exclusiveStartKey = page.LastEvaluatedKey;
      } while (exclusiveStartKey);
    }
    return out;
  }
}

function expiry(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000) + BATCH_TTL_SECONDS;
}
