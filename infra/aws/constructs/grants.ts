/**
 * The IAM statements for one catalog grant: exactly the API actions the grant names, on exactly
 * the resources it names. Hand-written instead of `table.grantReadData()` & co., which also
 * allow Scan, DescribeTable, BatchWriteItem, s3:List*, kms:ReEncrypt*... that no function uses.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { GrantDef, TableDef } from '../../catalog';

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/**
 * Writes. A TransactWriteItems call is authorised per item by these same actions (there is no
 * `dynamodb:TransactWriteItems` IAM action); ConditionCheckItem covers the transaction's checks.
 */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;
export const QUEUE_SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] as const;
export const QUEUE_CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
] as const;
export const BUCKET_READ_ACTIONS = ['s3:GetObject'] as const;
export const BUCKET_WRITE_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'] as const;

/** kms actions a data-plane call needs when the resource is encrypted with our key */
const KMS_DECRYPT = ['kms:Decrypt'] as const;
const KMS_ENCRYPT = ['kms:Encrypt', 'kms:GenerateDataKey'] as const;

export interface GrantTargets {
  readonly tableDef: TableDef;
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  readonly queue: (id: string) => sqs.IQueue;
  readonly bucket: (id: string) => s3.IBucket;
}

export interface GrantStatements {
  readonly statements: iam.PolicyStatement[];
  /** the resource ARN patterns with a '*' that cdk-nag will report (objects under a bucket) */
  readonly wildcardResources: string[];
}

export function statementsFor(grant: GrantDef, t: GrantTargets): GrantStatements {
  const kms = (actions: readonly string[]) =>
    new iam.PolicyStatement({ actions: [...actions], resources: [t.key.keyArn] });
  switch (grant.resource) {
    case 'table': {
      // each index named, no `index/*`: the catalog knows them all
      const indexArns = t.tableDef.globalIndexes.map((g) => `${t.table.tableArn}/index/${g.name}`);
      const statements = [
        new iam.PolicyStatement({ actions: [...TABLE_READ_ACTIONS], resources: [t.table.tableArn, ...indexArns] }),
        kms(KMS_DECRYPT),
      ];
      if (grant.access === 'readWrite') {
        statements.push(
          new iam.PolicyStatement({ actions: [...TABLE_WRITE_ACTIONS], resources: [t.table.tableArn] }),
          kms(KMS_ENCRYPT),
        );
      }
      return { statements, wildcardResources: [] };
    }
    case 'queue': {
      const queue = t.queue(grant.id);
      if (grant.access === 'send') {
        // SSE-KMS: the sender generates the data key, and SendMessage also needs kms:Decrypt
        return {
          statements: [
            new iam.PolicyStatement({ actions: [...QUEUE_SEND_ACTIONS], resources: [queue.queueArn] }),
            kms(['kms:GenerateDataKey', 'kms:Decrypt']),
          ],
          wildcardResources: [],
        };
      }
      return {
        statements: [
          new iam.PolicyStatement({ actions: [...QUEUE_CONSUME_ACTIONS], resources: [queue.queueArn] }),
          kms(KMS_DECRYPT),
        ],
        wildcardResources: [],
      };
    }
    case 'bucket': {
      const bucket = t.bucket(grant.id);
      const objects = bucket.arnForObjects('*');
      const statements: iam.PolicyStatement[] = [];
      if (grant.access === 'read' || grant.access === 'readWrite') {
        statements.push(
          new iam.PolicyStatement({ actions: [...BUCKET_READ_ACTIONS], resources: [objects] }),
          kms(KMS_DECRYPT),
        );
      }
      if (grant.access === 'write' || grant.access === 'readWrite') {
        // multipart uploads with SSE-KMS also decrypt the data key
        statements.push(
          new iam.PolicyStatement({ actions: [...BUCKET_WRITE_ACTIONS], resources: [objects] }),
          kms([...KMS_ENCRYPT, 'kms:Decrypt']),
        );
      }
      return { statements, wildcardResources: [objects] };
    }
  }
}
