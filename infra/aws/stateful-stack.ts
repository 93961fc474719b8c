/**
 * What holds data and must outlive any deployment of code: the KMS key, the DynamoDB table and
 * the S3 buckets. Everything here is built from the catalog handed in as a prop.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { Catalog } from '../catalog';
import type { DeployConfig } from './config';

/**
 * The bucket the operator console's browser PUTs large tax lists to, straight from the page
 * (presigned URLs answered by POST /console-api/organizations/{ofc}/uploads/presigned), and reads
 * large result files from (GET …/uploads/{fileId}/result answers 303 to a presigned GET, which the
 * page's fetch follows): with context consoleUrl it gets CORS rules for the console's origin only,
 * PUT with only the Content-Type header the signed PUT carries (Content-Length and Host are set by
 * the browser itself and are never preflighted), and GET without any header (the redirected
 * request carries none: a browser drops Authorization on a cross-origin redirect). Nothing exposed,
 * nothing for another origin; the presigned signature stays the only credential.
 */
export const CONSOLE_UPLOAD_BUCKET = 'uploads';
/** how long a browser may keep the preflight's answer */
export const CONSOLE_UPLOAD_CORS_MAX_AGE_SECONDS = 600;

/** the bucket the console's browser GETs an upload's notices from (the ZIP archive's presigned GET the archive route redirects to) */
export const CONSOLE_ARCHIVE_BUCKET = 'notices';

/**
 * The CORS rules of a bucket when the console is hosted (consoleUrl), else none: on the uploads
 * bucket the console's PUT (a presigned upload) and GET (a large result file), on the notices
 * bucket its GET (a batch's ZIP archive); no other bucket, method, header or origin.
 */
export function bucketCors(bucketId: string, consoleUrl: string | undefined): s3.CorsRule[] | undefined {
  if (consoleUrl === undefined) return undefined;
  const allowedOrigins = [new URL(consoleUrl).origin];
  if (bucketId === CONSOLE_UPLOAD_BUCKET) {
    return [
      { id: 'console-presigned-put', allowedOrigins, allowedMethods: [s3.HttpMethods.PUT], allowedHeaders: ['content-type'], maxAge: CONSOLE_UPLOAD_CORS_MAX_AGE_SECONDS },
      { id: 'console-result-download', allowedOrigins, allowedMethods: [s3.HttpMethods.GET], maxAge: CONSOLE_UPLOAD_CORS_MAX_AGE_SECONDS },
    ];
  }
  if (bucketId === CONSOLE_ARCHIVE_BUCKET) {
    return [{ id: 'console-archive-download', allowedOrigins, allowedMethods: [s3.HttpMethods.GET], maxAge: CONSOLE_UPLOAD_CORS_MAX_AGE_SECONDS }];
  }
  return undefined;
}

export interface StatefulStackProps extends StackProps {
  readonly catalog: Catalog;
  readonly config: DeployConfig;
}

export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly buckets: ReadonlyMap<string, s3.Bucket>;
  readonly accessLogsBucket: s3.Bucket;
  /** bucket id → name of the CloudFormation export carrying the bucket's name */
  readonly bucketNameExports: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    // S3 log delivery is authorised by a bucket policy on the log bucket, not by the legacy
    // LogDeliveryWrite ACL (ACLs stay disabled: BucketOwnerEnforced). Set on this stack so it
    // holds whatever cdk.json says.
    super(scope, id, props);
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { catalog, config } = props;
    // Every stage that may hold real tenants (all but an explicit sandbox, prod included) keeps
    // its data when a stack is deleted; a sandbox leaves nothing behind (not even its key).
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // One customer-managed key for the layer's data at rest (table, buckets, queues, logs,
    // alarm topic). Retained with the data it protects (a retained table or log group is
    // unreadable without it); in a sandbox scheduled for deletion after the minimum 7 days.
    this.key = new kms.Key(this, 'DataKey', {
      description: `${catalog.service} ${config.stage}: data at rest (DynamoDB, S3, SQS, logs, alarms)`,
      enableKeyRotation: true,
      alias: `alias/${catalog.service}-${config.stage}`,
      removalPolicy,
      ...(config.retainData ? {} : { pendingWindow: Duration.days(7) }),
    });
    // CloudWatch Logs encrypts the functions' and the API's log groups with this key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms publish to the KMS-encrypted alarm topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    const t = catalog.table;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: t.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: t.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      stream:
        t.stream === 'NEW_AND_OLD_IMAGES' ? dynamodb.StreamViewType.NEW_AND_OLD_IMAGES : dynamodb.StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: t.ttlAttribute,
      deletionProtection: config.retainData,
      removalPolicy,
    });
    for (const gsi of t.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // S3 server access logs. The log delivery service writes here, which supports only SSE-S3
    // (not SSE-KMS) on the target bucket.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(config.retainData ? 400 : 30) }],
      removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server-access-log target of the data buckets; logging it into itself would loop and into another bucket would only move the finding.',
    });

    const buckets = new Map<string, s3.Bucket>();
    for (const def of catalog.buckets) {
      const cors = bucketCors(def.id, config.consoleUrl);
      buckets.set(
        def.id,
        new s3.Bucket(this, `Bucket-${def.id}`, {
          ...(cors ? { cors } : {}),
          encryption: s3.BucketEncryption.KMS,
          encryptionKey: this.key,
          bucketKeyEnabled: true,
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          // HTTPS only, and TLS 1.2 at least (a deny on aws:SecureTransport and on s3:TlsVersion < 1.2)
          enforceSSL: true,
          minimumTLSVersion: 1.2,
          versioned: true,
          objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
          serverAccessLogsBucket: this.accessLogsBucket,
          serverAccessLogsPrefix: `${def.id}/`,
          lifecycleRules: [
            ...(def.expireAfterDays !== undefined
              ? [
                  {
                    id: 'expire-objects',
                    expiration: Duration.days(def.expireAfterDays),
                    // versioned: expired current versions become noncurrent; drop those too
                    noncurrentVersionExpiration: Duration.days(1),
                  },
                ]
              : [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30) }]),
            ...(def.expirePrefixes ?? []).map(({ prefix, days }) => ({
              id: `expire-${prefix.replace(/[^A-Za-z0-9-]/g, '')}`,
              prefix,
              expiration: Duration.days(days),
              noncurrentVersionExpiration: Duration.days(1),
            })),
            { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
          ],
          // Non-prod buckets are deleted with the stack (they must be emptied first: no
          // autoDeleteObjects, whose custom-resource Lambda we would rather not deploy).
          removalPolicy,
        }),
      );
    }
    this.buckets = buckets;
    // "Object Created" events to EventBridge (a rule of the stateless stack routes them to the
    // catalog's queue): the bucket's own NotificationConfiguration, not CDK's eventBridgeEnabled
    // (a custom resource and its Lambda), and no cross-stack reference back to the queue
    for (const def of catalog.buckets) {
      if (!def.objectCreated) continue;
      const cfn = buckets.get(def.id)!.node.defaultChild as s3.CfnBucket;
      cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }

    // Buckets cross to the stateless stack through explicit, stable export names (not CDK's
    // generated ones): the IAM statements on `<bucket>/*` then have a predictable form that
    // their cdk-nag acknowledgement can name exactly, and the export names survive refactors.
    const exportsByBucket = new Map<string, string>();
    for (const [bucketId, bucket] of buckets) {
      const exportName = `${this.stackName}-bucket-${bucketId}-name`;
      new CfnOutput(this, `BucketName-${bucketId}`, { value: bucket.bucketName, exportName });
      exportsByBucket.set(bucketId, exportName);
    }
    this.bucketNameExports = exportsByBucket;
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The main DynamoDB table' });
  }
}
