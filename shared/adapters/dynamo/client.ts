import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * One document client per process. The endpoint comes from the SDK's own settings
 * (AWS_ENDPOINT_URL_DYNAMODB locally), so the same code talks to AWS and to DynamoDB Local.
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/** Which of the items of a cancelled transaction failed its condition (by index), if any. */
export function failedConditions(error: unknown): number[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
}

/** Which items of a cancelled transaction another transaction was holding (TransactionConflict). */
export function conflictedItems(error: unknown): number[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons.flatMap((r, i) => (r.Code === 'TransactionConflict' ? [i] : []));
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Every item a query matches, page after page (stop early by leaving the `for await`). */
export async function* queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Record<string, unknown>> {
  let exclusiveStartKey = input.ExclusiveStartKey;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: exclusiveStartKey }));
    yield* page.Items ?? [];
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
}

/** How many items a query matches (after its filter), counted by DynamoDB page after page (`Select: COUNT`). */
export async function queryCount(db: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'Select'>): Promise<number> {
  let count = 0;
  let exclusiveStartKey = input.ExclusiveStartKey;
  do {
    const page = await db.send(new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey: exclusiveStartKey }));
    count += page.Count ?? 0;
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return count;
}

/** `queryAll`, collected. */
export async function queryItems(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const item of queryAll(db, input)) items.push(item);
  return items;
}

type Item = Record<string, unknown>;
/** A BatchWriteItem request: a Put of an item or a Delete by key. */
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/**
 * Writes `requests` in BatchWriteItem calls of 25 (DynamoDB's limit), `parallel` at a time,
 * retrying the unprocessed items with backoff until every one is written. Not atomic and without
 * conditions: for idempotent writes only (the same keys and contents on every try).
 */
export async function batchWriteAll(db: DynamoDBDocumentClient, tableName: string, requests: readonly WriteRequest[], parallel = 8): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  await inParallel(chunks, parallel, async (chunk) => {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const r = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
      pending = (r.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  });
}

/**
 * Reads `keys` (consistently) in BatchGetItem calls of 100, `parallel` at a time, retrying the
 * unprocessed keys with backoff; the items found, by `pk|sk` (a projection must name pk and sk).
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  options: { projection?: string; names?: Record<string, string>; parallel?: number } = {},
): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  const chunks: Item[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  await inParallel(chunks, options.parallel ?? 8, async (chunk) => {
    let pending: Item[] = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const r = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ...(options.projection ? { ProjectionExpression: options.projection } : {}),
              ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
              ConsistentRead: true,
            },
          },
        }),
      );
      for (const item of r.Responses?.[tableName] ?? []) out.set(`${item['pk']}|${item['sk']}`, item);
      pending = (r.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
    }
  });
  return out;
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(runners);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
