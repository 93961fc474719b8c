/**
 * Creates the catalog's table, queues (each with its dead-letter queue) and buckets in the local
 * emulators, with the same shape the CDK stacks give them on AWS, and derives the environment the
 * handlers see from the grants (the same `envNameFor` names as on AWS).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { envNameFor, isResourceGrant, type Catalog, type QueueId } from '../catalog';

export interface LocalResourceNames {
  table: string;
  queue(id: QueueId): string;
  deadLetterQueue(id: QueueId): string;
  bucket(id: string): string;
}

export function resourceNames(catalog: Catalog): LocalResourceNames {
  const base = `${catalog.service}-local`;
  return {
    table: `${base}-${catalog.table.id}`,
    queue: (id) => `${base}-${id}`,
    deadLetterQueue: (id) => `${base}-${id}-dlq`,
    bucket: (id) => `${base}-${id}`.toLowerCase(),
  };
}

export interface CreatedQueue {
  id: QueueId;
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface CreatedResources {
  tableName: string;
  tableStreamArn: string;
  queues: Map<QueueId, CreatedQueue>;
  buckets: Map<string, string>;
}

export async function createTable(dynamodb: DynamoDBClient, catalog: Catalog, tableName: string): Promise<string> {
  const { table } = catalog;
  const attributeNames = new Set<string>([table.partitionKey, table.sortKey]);
  for (const gsi of table.globalIndexes) {
    attributeNames.add(gsi.partitionKey);
    attributeNames.add(gsi.sortKey);
  }
  const attributeDefinitions: AttributeDefinition[] = [...attributeNames].map((name) => ({
    AttributeName: name,
    AttributeType: 'S',
  }));
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions,
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.globalIndexes.length
          ? table.globalIndexes.map((gsi) => ({
              IndexName: gsi.name,
              KeySchema: [
                { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
                { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            }))
          : undefined,
        StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
      }),
    );
  } catch (err) {
    // a persisted database (persistDir) already has the table from an earlier run
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  try {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
  } catch (err) {
    // already enabled on a persisted table
    if (!(err instanceof Error && /already enabled/i.test(err.message))) throw err;
  }
  const described = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = described.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  return streamArn;
}

export async function createQueues(sqs: SQSClient, catalog: Catalog, names: LocalResourceNames): Promise<Map<QueueId, CreatedQueue>> {
  const queues = new Map<QueueId, CreatedQueue>();
  for (const queue of catalog.queues) {
    const retention = String(Math.min(queue.retentionDays * 86_400, 1_209_600));
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: names.deadLetterQueue(queue.id),
        Attributes: { MessageRetentionPeriod: '1209600' },
      }),
    );
    const dlqUrl = dlq.QueueUrl!;
    const dlqArn = await queueArn(sqs, dlqUrl);
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: names.queue(queue.id),
        Attributes: {
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          MessageRetentionPeriod: retention,
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
        },
      }),
    );
    const url = created.QueueUrl!;
    queues.set(queue.id, { id: queue.id, url, arn: await queueArn(sqs, url), dlqUrl, dlqArn });
  }
  return queues;
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no ARN`);
  return arn;
}

export async function createBuckets(s3: S3Client, catalog: Catalog, names: LocalResourceNames): Promise<Map<string, string>> {
  const buckets = new Map<string, string>();
  for (const bucket of catalog.buckets) {
    const name = names.bucket(bucket.id);
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    buckets.set(bucket.id, name);
  }
  return buckets;
}

/**
 * The resource variables every handler may read. All of them are set (one process hosts every
 * function, so per-function grants cannot be enforced here; on AWS IAM does that).
 */
export function resourceEnvironment(catalog: Catalog, resources: CreatedResources): Record<string, string> {
  const env: Record<string, string> = { [envNameFor('table', catalog.table.id)]: resources.tableName };
  for (const [id, queue] of resources.queues) {
    env[envNameFor('queue', id)] = queue.url;
    env[envNameFor('queue', `${id}-dlq`)] = queue.dlqUrl;
  }
  for (const [id, name] of resources.buckets) env[envNameFor('bucket', id)] = name;
  // a grant naming a resource the catalog does not declare is a catalog bug: say so early
  for (const fn of catalog.functions) {
    for (const grant of fn.grants) {
      // secret/email grants are AWS IAM only: locally IO keys come from the seed, e-mail goes to the outbox
      if (!isResourceGrant(grant)) continue;
      const name = envNameFor(grant.resource, grant.id);
      if (!(name in env)) throw new Error(`function '${fn.id}' is granted ${grant.resource}:${grant.id}, which the catalog does not declare`);
    }
  }
  return env;
}
