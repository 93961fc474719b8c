/**
 * The IAM statements for one catalog grant: exactly the API actions the grant names, on exactly
 * the resources it names. Hand-written instead of `table.grantReadData()` & co., which also
 * allow Scan, DescribeTable, BatchWriteItem, s3:List*, kms:ReEncrypt*... that no function uses.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { GrantDef, TableDef } from '../../catalog';
import type { EmailConfig } from '../config';

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
/**
 * On the bucket itself: without ListBucket, S3 answers 403 instead of 404 for a missing key, and
 * "not rendered yet" would look like "forbidden" to the notice functions.
 */
export const BUCKET_LIST_ACTIONS = ['s3:ListBucket'] as const;
/** DeleteObject: superseded notice versions and notices of positions no longer payable are removed. */
export const BUCKET_WRITE_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'] as const;
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;
/**
 * SesEmailSender calls SES v2 SendEmail (Content.Raw), authorised as ses:SendEmail;
 * ses:SendRawEmail is the v1 raw API, kept on the same identity and From address only.
 */
export const EMAIL_SEND_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'] as const;

/**
 * What follows the prefix of each catalog secret grant (the function appends it): the truth of the
 * grant's cdk-nag IAM5 acknowledgement. A grant id not listed gets the per-tenant default.
 */
const SECRET_NAMES_UNDER_PREFIX: Readonly<Record<string, string>> = {
  io: "<organization>/<serviceId>': one per tenant and App IO service (shared/adapters/secrets.ts ioApiKeySecretName)",
  fdr: "<organization>': one per tenant, its FdR subscription key (shared/composition/subscription-keys.ts)",
  checkout: "<organization>': one per tenant, its pagoPA Checkout subscription key (shared/composition/subscription-keys.ts)",
  'citizen-sp':
    "private-key' and '…certificate': the citizen's counter's SAML service provider key pair (PEM), the municipality's SPID key registered with AgID (shared/composition/citizen.ts)",
};
const SECRET_NAMES_DEFAULT = "<organization>/<serviceId>': one per tenant and service";

/** kms actions a data-plane call needs when the resource is encrypted with our key */
const KMS_DECRYPT = ['kms:Decrypt'] as const;
const KMS_ENCRYPT = ['kms:Encrypt', 'kms:GenerateDataKey'] as const;

export interface GrantTargets {
  readonly tableDef: TableDef;
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  readonly queue: (id: string) => sqs.IQueue;
  /** the dead-letter queue `<id>-dlq` of a queue */
  readonly dlq: (id: string) => sqs.IQueue;
  readonly bucket: (id: string) => s3.IBucket;
  /** SES sending of this stage; undefined: e-mail is off and the email grant yields no statement */
  readonly email?: EmailConfig;
  /** CMK of the granted secrets; undefined: aws/secretsmanager, usable through Secrets Manager by the account */
  readonly secretsKmsKeyArn?: string;
}

export interface GrantStatements {
  readonly statements: iam.PolicyStatement[];
  /** the resource ARN patterns with a '*' that cdk-nag will report, each with the reason it is needed */
  readonly wildcardResources: Array<{ readonly arn: string; readonly reason: string }>;
}

export function statementsFor(scope: Construct, grant: GrantDef, t: GrantTargets): GrantStatements {
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
      if (grant.access === 'redrive') {
        // read, hide again and delete in the DLQ; send back to the queue (SSE-KMS both ways)
        return {
          statements: [
            new iam.PolicyStatement({ actions: [...QUEUE_CONSUME_ACTIONS], resources: [t.dlq(grant.id).queueArn] }),
            new iam.PolicyStatement({ actions: [...QUEUE_SEND_ACTIONS], resources: [queue.queueArn] }),
            kms(['kms:GenerateDataKey', 'kms:Decrypt']),
          ],
          wildcardResources: [],
        };
      }
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
      // `keys` narrows the object actions to a key pattern; s3:ListBucket stays on the bucket (without it
      // a HEAD of a missing key is 403, not 404), and lists names, not contents
      const objects = bucket.arnForObjects(grant.keys ?? '*');
      const statements: iam.PolicyStatement[] = [];
      if (grant.access === 'read' || grant.access === 'readWrite') {
        statements.push(
          new iam.PolicyStatement({ actions: [...BUCKET_READ_ACTIONS], resources: [objects] }),
          new iam.PolicyStatement({ actions: [...BUCKET_LIST_ACTIONS], resources: [bucket.bucketArn] }),
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
      return {
        statements,
        wildcardResources: [
          { arn: objects, reason: 'Objects of one catalog bucket: object keys are data (tenant/notice ids), not known at deploy time.' },
        ],
      };
    }
    case 'secret': {
      const stack = Stack.of(scope);
      // Secrets Manager appends '-' and 6 random characters to every secret ARN, and the names
      // under the prefix are created by operators after deploy (see SECRET_NAMES_UNDER_PREFIX).
      const arn = stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${grant.prefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      const statements = [new iam.PolicyStatement({ actions: [...SECRET_READ_ACTIONS], resources: [arn] })];
      if (t.secretsKmsKeyArn) {
        statements.push(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [t.secretsKmsKeyArn],
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
          }),
        );
      }
      return {
        statements,
        wildcardResources: [
          {
            arn,
            reason: `Read-only (GetSecretValue) on the secrets named '${grant.prefix}${SECRET_NAMES_UNDER_PREFIX[grant.id] ?? SECRET_NAMES_DEFAULT}, created by operators after deploy (the stack creates none); Secrets Manager also appends a random 6-character suffix to every secret ARN. Nothing outside the prefix.`,
          },
        ],
      };
    }
    case 'email': {
      if (!t.email) return { statements: [], wildcardResources: [] };
      const stack = Stack.of(scope);
      const sesArn = (resource: string, name: string) =>
        stack.formatArn({ service: 'ses', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      return {
        statements: [
          new iam.PolicyStatement({
            actions: [...EMAIL_SEND_ACTIONS],
            // with a configuration set, SES also authorises the call on the set
            resources: [
              sesArn('identity', t.email.identity),
              ...(t.email.configurationSet ? [sesArn('configuration-set', t.email.configurationSet)] : []),
            ],
            conditions: { StringEquals: { 'ses:FromAddress': t.email.from } },
          }),
        ],
        wildcardResources: [],
      };
    }
  }
}
