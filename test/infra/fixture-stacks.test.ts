/**
 * The stacks built from the fixture catalog (every trigger and grant kind), dev and prod, with
 * placeholder code (bundling is covered once in bundling.test.ts).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ACCESS_LOG_FORMAT, STREAM_RETRY_ATTEMPTS } from '../../infra/aws/stateless-stack';
import { envNameFor } from '../../infra/catalog';
import { fixtureCatalog, fixtureFunctions } from '../fixtures/cdk/catalog';
import { logicalPrefix, nagFindings, roleActions, statementsWith, synth, type Synth } from './helpers';

let dev: Synth;
let prod: Synth;

beforeAll(() => {
  dev = synth(fixtureCatalog, { lambdaCode: 'placeholder' });
  prod = synth(fixtureCatalog, { lambdaCode: 'placeholder', stage: 'prod', alarmEmail: 'ops@example.it' });
});

describe('stack names', () => {
  it('are PagopaLayer-<stage>-Stateful/Stateless', () => {
    expect(dev.stateful.stackName).toBe('PagopaLayer-dev-Stateful');
    expect(prod.stateless.stackName).toBe('PagopaLayer-prod-Stateless');
  });
});

describe('table', () => {
  it('is on-demand, PITR, KMS-encrypted with our key, streamed, with TTL and ALL-projection GSIs', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: fixtureCatalog.table.globalIndexes.map((g) =>
        Match.objectLike({
          IndexName: g.name,
          KeySchema: [
            { AttributeName: g.partitionKey, KeyType: 'HASH' },
            { AttributeName: g.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ),
    });
  });

  it('is retained and deletion-protected in prod, destroyable in dev', () => {
    prod.statefulTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    dev.statefulTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });

  it('uses a customer-managed key with rotation', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('buckets', () => {
  it('every catalog bucket is KMS-encrypted, private, versioned, access-logged, SSL-only', () => {
    const t = dev.statefulTemplate;
    const buckets = t.findResources('AWS::S3::Bucket', {
      Properties: { LoggingConfiguration: Match.anyValue() },
    });
    expect(Object.keys(buckets)).toHaveLength(fixtureCatalog.buckets.length);
    for (const b of Object.values(buckets)) {
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
        'aws:kms',
      );
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    }
    // enforceSSL: a deny on aws:SecureTransport=false for every bucket (data + access logs)
    const policies = t.findResources('AWS::S3::BucketPolicy');
    const sslDenies = Object.values(policies).filter((p) =>
      p.Properties.PolicyDocument.Statement.some(
        (s: { Effect: string; Condition?: { Bool?: Record<string, string> } }) =>
          s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    );
    expect(sslDenies).toHaveLength(fixtureCatalog.buckets.length + 1);
  });

  it('expires objects after expireAfterDays only where the catalog says so', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { LogFilePrefix: 'documents/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })]),
      },
    });
    const archive = dev.statefulTemplate.findResources('AWS::S3::Bucket', {
      Properties: { LoggingConfiguration: { LogFilePrefix: 'archive/' } },
    });
    const rules = Object.values(archive)[0]!.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    expect(rules.some((r) => 'ExpirationInDays' in r)).toBe(false);
  });
});

describe('queues', () => {
  it('each catalog queue has a KMS-encrypted DLQ <id>-dlq with the catalog redrive and retention', () => {
    const t = dev.statelessTemplate;
    for (const q of fixtureCatalog.queues) {
      t.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `fixture-layer-dev-${q.id}-dlq`,
        KmsMasterKeyId: Match.anyValue(),
        MessageRetentionPeriod: 14 * 86400,
      });
      t.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `fixture-layer-dev-${q.id}`,
        KmsMasterKeyId: Match.anyValue(),
        VisibilityTimeout: q.visibilityTimeoutSeconds,
        MessageRetentionPeriod: q.retentionDays * 86400,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: q.maxReceiveCount },
      });
    }
    // enforceSSL on every queue (catalog queues, DLQs, the stream failure queue)
    const queues = Object.keys(t.findResources('AWS::SQS::Queue'));
    const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy'));
    expect(queues.length).toBe(fixtureCatalog.queues.length * 2 + 1);
    expect(policies.length).toBe(queues.length);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });
});

describe('functions', () => {
  it('every function is nodejs22.x on arm64, traced, with the derived and catalog env vars', () => {
    const t = dev.statelessTemplate;
    for (const fn of fixtureCatalog.functions) {
      const env: Record<string, unknown> = {
        STAGE: 'dev',
        // the stage is in it: it is the `service` dimension the metric alarms watch
        POWERTOOLS_SERVICE_NAME: `fixture-layer-dev-${fn.id}`,
        POWERTOOLS_METRICS_NAMESPACE: 'FixtureLayer',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...fn.environment,
      };
      for (const g of fn.grants) env[envNameFor(g.resource, g.id)] = Match.anyValue();
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `fixture-layer-dev-${fn.id}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: fn.memoryMb,
        Timeout: fn.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: Match.exact(env) },
      });
    }
  });

  it('has no reserved concurrency and logs to its own KMS-encrypted log group with retention', () => {
    const fns = Object.values(dev.statelessTemplate.findResources('AWS::Lambda::Function'));
    for (const f of fns) expect(f.Properties.ReservedConcurrentExecutions).toBeUndefined();
    for (const fn of fixtureCatalog.functions) {
      dev.statelessTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/fixture-layer-dev-${fn.id}`,
        RetentionInDays: 7,
        KmsKeyId: Match.anyValue(),
      });
      prod.statelessTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/fixture-layer-prod-${fn.id}`,
        RetentionInDays: 365,
      });
    }
  });
});

describe('roles hold exactly their grants', () => {
  const t = () => dev.statelessTemplate;

  it('a read-only table function can read but not write, and touches no queue or bucket', () => {
    const actions = roleActions(t(), fixtureFunctions.getThing.id);
    expect(actions).toEqual(
      new Set([
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ]),
    );
  });

  it('table reads are on the table and each named index, no index/* wildcard', () => {
    const [read] = statementsWith(t(), fixtureFunctions.getThing.id, 'dynamodb:Query');
    const resources = JSON.stringify(read!.Resource);
    for (const g of fixtureCatalog.table.globalIndexes) expect(resources).toContain(`/index/${g.name}`);
    expect(resources).not.toContain('index/*');
  });

  it('a readWrite function writes items and transactions but never scans or batch-writes', () => {
    const actions = roleActions(t(), fixtureFunctions.putThing.id);
    for (const a of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'])
      expect(actions).toContain(a);
    for (const a of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DescribeTable', 'dynamodb:*'])
      expect(actions).not.toContain(a);
    expect(actions).toContain('sqs:SendMessage');
    expect(actions).not.toContain('sqs:ReceiveMessage');
    expect(actions).not.toContain('s3:GetObject');
  });

  it('a queue consumer that writes a bucket cannot read it nor write the table', () => {
    const actions = roleActions(t(), fixtureFunctions.renderer.id);
    expect(actions).toContain('sqs:ReceiveMessage');
    expect(actions).toContain('sqs:DeleteMessage');
    expect(actions).toContain('s3:PutObject');
    expect(actions).toContain('s3:DeleteObject'); // superseded notice versions are removed
    expect(actions).not.toContain('s3:GetObject');
    expect(actions).not.toContain('s3:ListBucket');
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions).not.toContain('sqs:SendMessage');
  });

  it('a bucket reader gets objects and may list the bucket (404, not 403, for a missing key), but not write', () => {
    const actions = roleActions(t(), fixtureFunctions.nightly.id);
    expect(actions).toContain('s3:GetObject');
    expect(actions).toContain('s3:ListBucket');
    expect(actions).not.toContain('s3:PutObject');
    expect(actions).not.toContain('s3:DeleteObject');
    const [list] = statementsWith(t(), fixtureFunctions.nightly.id, 's3:ListBucket');
    expect(JSON.stringify(list!.Resource)).not.toContain('/*'); // the bucket, not its objects
  });

  it('a stream consumer reads only the stream (no table items) and sends only to its queue', () => {
    const actions = roleActions(t(), fixtureFunctions.dispatcher.id);
    expect(actions).toContain('dynamodb:GetRecords');
    expect(actions).not.toContain('dynamodb:GetItem');
    expect(actions).not.toContain('dynamodb:PutItem');
    const sends = statementsWith(t(), fixtureFunctions.dispatcher.id, 'sqs:SendMessage');
    // its grant (messages) and its stream on-failure destination
    expect(sends.flatMap((s) => [s.Resource].flat())).toHaveLength(2);
  });

  it('a function without grants has only logs and X-Ray', () => {
    expect(roleActions(t(), fixtureFunctions.health.id)).toEqual(
      new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
    );
  });

  it('no role has a managed policy', () => {
    for (const r of Object.values(t().findResources('AWS::IAM::Role'))) {
      expect(r.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('HTTP API', () => {
  const httpTriggers = fixtureCatalog.functions.flatMap((f) =>
    f.triggers.flatMap((tr) => (tr.kind === 'http' ? [{ fn: f.id, key: `${tr.method} ${tr.path}` }] : [])),
  );

  it('has one route per http trigger, on the API of its audience, proxying to the function with payload 2.0', () => {
    const t = dev.statelessTemplate;
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(httpTriggers.map((h) => h.key).sort());
    const onApi = (prefix: string) =>
      routes.filter((r) => String(r.Properties.ApiId.Ref).startsWith(prefix)).map((r) => r.Properties.RouteKey).sort();
    expect(onApi('NodeApi')).toEqual(['POST /node/soap']);
    expect(onApi('HttpApi')).toEqual(httpTriggers.map((h) => h.key).filter((k) => k !== 'POST /node/soap').sort());
    const integrations = Object.values(t.findResources('AWS::ApiGatewayV2::Integration'));
    for (const i of integrations) {
      expect(i.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
  });

  it('has a $default stage with throttling and JSON access logs to an encrypted log group', () => {
    const t = dev.statelessTemplate;
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: JSON.stringify(HTTP_ACCESS_LOG_FORMAT) },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/apigateway/fixture-layer-dev-api',
      KmsKeyId: Match.anyValue(),
    });
    const format = JSON.stringify(HTTP_ACCESS_LOG_FORMAT);
    for (const leak of ['querystring', 'requestBody', '$context.path', 'authorization']) {
      expect(format.toLowerCase()).not.toContain(leak.toLowerCase());
    }
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
    t.hasOutput('ApiUrl', {});
  });

  it('throttling comes from context', () => {
    const custom = synth(
      { ...fixtureCatalog, functions: [fixtureFunctions.health] },
      { lambdaCode: 'placeholder', apiThrottleRate: '7', apiThrottleBurst: '9', stage: 'qa' },
    );
    custom.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
  });
});

describe('triggers', () => {
  it('queue triggers report batch item failures with the catalog batching and concurrency', () => {
    dev.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp(`^${logicalPrefix('renderer')}`) },
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('stream triggers start at TRIM_HORIZON, bisect, retry a bounded number of times, park failures, filter on type', () => {
    dev.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp(`^${logicalPrefix('dispatcher')}`) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 50,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { type: { S: ['outbox'] } } } }) }],
      },
    });
  });

  it('every event source mapping reports batch item failures', () => {
    const esms = Object.values(dev.statelessTemplate.findResources('AWS::Lambda::EventSourceMapping'));
    expect(esms).toHaveLength(3);
    for (const e of esms) expect(e.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('schedules become EventBridge rules with the catalog expression', () => {
    dev.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      State: 'ENABLED',
    });
  });
});

describe('alarms', () => {
  it('alarm on every DLQ, every function errors and throttles, and API 5xx, all to the encrypted topic', () => {
    const t = dev.statelessTemplate;
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    const expected =
      fixtureCatalog.queues.length + // DLQs
      1 + // stream failure queue
      fixtureCatalog.functions.length * 2 + // errors + throttles
      2 + // back-office and node API 5xx
      1; // the renderer's RenderGaveUp metric alarm
    expect(alarms).toHaveLength(expected);
    const byMetric = (m: string) => alarms.filter((a) => a.Properties.MetricName === m).length;
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toBe(fixtureCatalog.queues.length + 1);
    expect(byMetric('Errors')).toBe(fixtureCatalog.functions.length);
    expect(byMetric('Throttles')).toBe(fixtureCatalog.functions.length);
    expect(byMetric('5xx')).toBe(2);
    expect(byMetric('RenderGaveUp')).toBe(1);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toHaveLength(1);
      expect(a.Properties.AlarmActions[0].Ref).toMatch(/^AlarmTopic/);
      if (a.Properties.MetricName === 'RenderGaveUp') continue; // catalog metric alarms: metric-alarms.test.ts
      expect(a.Properties.Threshold).toBe(0);
      expect(a.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
    }
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('subscribes the alarm e-mail only when given', () => {
    prod.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.it' });
    dev.statelessTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding in either stack, dev or prod', () => {
    expect(nagFindings(dev.app)).toEqual([]);
    expect(nagFindings(prod.app)).toEqual([]);
  });

  it('CDK itself reports no warnings or errors', () => {
    for (const s of [dev, prod]) {
      for (const stack of [s.stateful, s.stateless]) {
        const messages = stack.node
          .findAll()
          .flatMap((c) => c.node.metadata)
          .filter((m) => m.type === 'aws:cdk:warning' || m.type === 'aws:cdk:error')
          .map((m) => String(m.data));
        expect(messages).toEqual([]);
      }
    }
  });
});
