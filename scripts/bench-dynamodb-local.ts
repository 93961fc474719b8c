/**
 * What a written item costs DynamoDB Local, the emulator every local benchmark and test runs on
 * (`npm run bench -- dynamodb-local`): items per second written in transactions
 * (TransactWriteItems of 25 conditional Puts) and in batches (BatchWriteItem of 25 Puts), 4
 * clients, items shaped like the layer's listing entries (two GSIs, ~300 bytes), with the JVM's
 * default collector (G1, the baseline) and with the throughput collector the local cloud starts it
 * with (ParallelGC, infra/local/dynamodb-local.ts), each in a fresh DynamoDB Local.
 *
 * It explains the bulk benchmarks: a position created by the REST API is one transaction of ~10
 * items; one created by an upload is 4 transactional items (those whose write is conditional)
 * and 5 batched ones. The ratio of the two rates bounds how much faster an upload can be.
 */
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';

const CLIENTS = 4;
const PER_REQUEST = 25;
const REQUESTS_PER_CLIENT = 60;
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'eu-south-1';

export interface DynamoDbLocalRow {
  readonly collector: string;
  readonly transactionItemsPerSecond: number;
  readonly batchItemsPerSecond: number;
}

const S = (s: string): AttributeValue => ({ S: s });
const item = (i: number, kind: number): Record<string, AttributeValue> => ({
  pk: S(`POS#80001234568#IUPD-${i}`),
  sk: S(`LIST#${kind}`),
  gsi1pk: S(`ORG#80001234568#L#${kind}`),
  gsi1sk: S(String(i).padStart(9, '0')),
  gsi2pk: S(`ORG#80001234568#L#${kind}#VALID`),
  gsi2sk: S(String(i).padStart(9, '0')),
  payload: S('x'.repeat(300)),
});

async function measure(collector: string, gc: 'G1' | 'Parallel'): Promise<DynamoDbLocalRow> {
  const dynamo = await startDynamoDbLocal({ region, credentials, collector: gc });
  const db = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
  try {
    await db.send(
      new CreateTableCommand({
        TableName: 'bench',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [1, 2].map((n) => ({
          IndexName: `gsi${n}`,
          KeySchema: [
            { AttributeName: `gsi${n}pk`, KeyType: 'HASH' },
            { AttributeName: `gsi${n}sk`, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    const items = CLIENTS * REQUESTS_PER_CLIENT * PER_REQUEST;
    const run = async (offset: number, write: (first: number) => Promise<unknown>): Promise<number> => {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let r = 0; r < REQUESTS_PER_CLIENT; r++) await write(offset + (client * REQUESTS_PER_CLIENT + r) * PER_REQUEST);
        }),
      );
      return Math.round(items / ((performance.now() - started) / 1000));
    };
    const transactionItemsPerSecond = await run(0, (first) =>
      db.send(
        new TransactWriteItemsCommand({
          TransactItems: Array.from({ length: PER_REQUEST }, (_, j) => ({ Put: { TableName: 'bench', Item: item(first + j, j % 5), ConditionExpression: 'attribute_not_exists(pk)' } })),
        }),
      ),
    );
    const batchItemsPerSecond = await run(items, (first) =>
      db.send(new BatchWriteItemCommand({ RequestItems: { bench: Array.from({ length: PER_REQUEST }, (_, j) => ({ PutRequest: { Item: item(first + j, j % 5) } })) } })),
    );
    return { collector, transactionItemsPerSecond, batchItemsPerSecond };
  } finally {
    db.destroy();
    await dynamo.stop();
  }
}

export async function benchDynamoDbLocal(): Promise<DynamoDbLocalRow[]> {
  return [await measure('G1 (the JVM default; baseline)', 'G1'), await measure('ParallelGC (what the local cloud uses)', 'Parallel')];
}

export function formatDynamoDbLocalTable(rows: readonly DynamoDbLocalRow[]): string {
  const lines = [
    `DynamoDB Local, ${CLIENTS} clients, ${PER_REQUEST} items a request, ${CLIENTS * REQUESTS_PER_CLIENT * PER_REQUEST} items each way`,
    '| collector | items/s in transactions | items/s in batches | batch ÷ transaction |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.collector} | ${r.transactionItemsPerSecond} | ${r.batchItemsPerSecond} | ${(r.batchItemsPerSecond / r.transactionItemsPerSecond).toFixed(2)} |`),
  ];
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('bench-dynamodb-local.ts')) {
  console.log(formatDynamoDbLocalTable(await benchDynamoDbLocal()));
}
