/**
 * The stacks built from the fixture catalog (every trigger and grant kind), dev and prod, with
 * placeholder code (bundling is covered once in bundling.test.ts).
 */
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  API_5XX_RATE,
  DEFAULT_ERROR_RATE,
  DEFAULT_MAX_ITERATOR_AGE_SECONDS,
  errorRateExpression,
  maxMessageAgeSecondsFor,
  MIN_MESSAGE_AGE_ALARM_SECONDS,
  SCHEDULED_ERROR_RATE,
} from '../../infra/aws/constructs/alarms';
import { BUSINESS_METRICS, COLD_START_METRIC } from '../../infra/aws/constructs/dashboard';
import { readDeployConfig } from '../../infra/aws/config';
import { HTTP_ACCESS_LOG_FORMAT, STREAM_RETRY_ATTEMPTS } from '../../infra/aws/stateless-stack';
import { validateCatalogForAws } from '../../infra/aws/validate-catalog';
import { envNameFor, type Catalog } from '../../infra/catalog';
import { fixtureCatalog, fixtureFunctions } from '../fixtures/cdk/catalog';
import { acknowledgements, dashboardBody, functionEnv, logicalPrefix, nagFindings, PROD_CONTEXT, roleActions, statementsWith, synth, type Synth } from './helpers';

let dev: Synth;
let prod: Synth;

beforeAll(() => {
  dev = synth(fixtureCatalog, { lambdaCode: 'placeholder' });
  prod = synth(fixtureCatalog, { lambdaCode: 'placeholder', ...PROD_CONTEXT });
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
    // and TLS 1.2 at least
    const tlsDenies = Object.values(policies).filter((p) =>
      p.Properties.PolicyDocument.Statement.some(
        (s: { Effect: string; Condition?: { NumericLessThan?: Record<string, number> } }) =>
          s.Effect === 'Deny' && s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2,
      ),
    );
    expect(tlsDenies).toHaveLength(fixtureCatalog.buckets.length + 1);
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
  it('every function is nodejs22.x on arm64, not traced (X-Ray off), with the derived and catalog env vars', () => {
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
        TracingConfig: Match.absent(),
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

  it('a function without grants may only write its logs (no X-Ray: tracing is off)', () => {
    expect(roleActions(t(), fixtureFunctions.health.id)).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents']));
    for (const fn of fixtureCatalog.functions) {
      expect([...roleActions(t(), fn.id)].filter((a) => a.startsWith('xray:')), fn.id).toEqual([]);
    }
  });

  it("only the stream consumer has a statement on '*', dynamodb:ListStreams alone, acknowledged as such", () => {
    for (const fn of fixtureCatalog.functions) {
      const star = Object.entries(t().findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(logicalPrefix(fn.id)))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
        .filter((s) => s.Resource === '*');
      expect(star.flatMap((s) => [s.Action].flat()), fn.id).toEqual(fn.id === fixtureFunctions.dispatcher.id ? ['dynamodb:ListStreams'] : []);
    }
    const policy = dev.stateless.functions.get(fixtureFunctions.dispatcher.id)!.role.node.findChild('DefaultPolicy');
    const [, reason] = Object.entries(acknowledgements(policy)).find(([id]) => id.endsWith('AwsSolutions-IAM5[Resource::*]')) ?? [];
    expect(reason).toMatch(/dynamodb:ListStreams.*no resource-level permission/);
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
    t.hasOutput('ApiUrl', {});
  });

  it('access logs never hold a body, a query string, a path value or a header (the API key is one)', () => {
    const stages = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(2);
    for (const st of stages) expect(st.Properties.AccessLogSettings.Format).toBe(JSON.stringify(HTTP_ACCESS_LOG_FORMAT));
    for (const value of Object.values(HTTP_ACCESS_LOG_FORMAT)) {
      // only $context variables, none of which carries request content
      expect(value).toMatch(/^\$context\.[A-Za-z.]+$/);
      for (const leak of ['querystring', 'body', 'header', 'path', 'authorization', 'authorizer', 'apikey', 'input', 'user']) {
        expect(value.toLowerCase(), value).not.toContain(leak);
      }
    }
  });

  it('has no CORS on either API unless origins are configured', () => {
    const all = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Api'));
    expect(all).toHaveLength(2);
    for (const api of all) expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it('throttles every back-office route by kind (public 1/5, writes 1/2, reads the stage rate); the node API keeps the stage default', () => {
    const stages = dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Stage');
    const backOffice = Object.entries(stages).find(([id]) => id.startsWith('HttpApiDefaultStage'))![1];
    const nodeStage = Object.entries(stages).find(([id]) => id.startsWith('NodeApiDefaultStage'))![1];
    const s = (rate: number, burst: number) => ({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });
    expect(backOffice.Properties.RouteSettings).toEqual({
      'GET /health': s(10, 20),
      'GET /organizations/{organizationFiscalCode}/things/{thingId}': s(50, 100),
      'PUT /organizations/{organizationFiscalCode}/things/{thingId}': s(25, 50),
      'DELETE /organizations/{organizationFiscalCode}/things/{thingId}': s(25, 50),
    });
    // the stage names the routes: it must wait for them
    const backOfficeRoutes = Object.entries(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Route'))
      .filter(([, r]) => String(r.Properties.ApiId.Ref).startsWith('HttpApi'))
      .map(([id]) => id);
    expect(backOfficeRoutes).toHaveLength(4);
    expect(backOffice.DependsOn).toEqual(expect.arrayContaining(backOfficeRoutes));
    expect(nodeStage.Properties.RouteSettings).toBeUndefined();
    expect(nodeStage.Properties.DefaultRouteSettings).toEqual(s(50, 100));
  });

  it('a stage can never be left unthrottled: bounded, positive, burst at least the rate', () => {
    const cfg = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node);
    expect(() => cfg({ apiThrottleRate: '0' })).toThrow(/apiThrottleRate/);
    expect(() => cfg({ apiThrottleRate: '6000', apiThrottleBurst: '6000' })).toThrow(/'apiThrottleRate' must be a positive integer up to 5000/);
    expect(() => cfg({ apiThrottleBurst: '20000' })).toThrow(/apiThrottleBurst/);
    expect(() => cfg({ apiThrottleRate: '100', apiThrottleBurst: '50' })).toThrow(/must be at least 'apiThrottleRate'/);
    expect(cfg({ apiThrottleRate: '5000', apiThrottleBurst: '5000' })).toMatchObject({ apiThrottleRatePerSecond: 5000, apiThrottleBurst: 5000 });
  });
});

describe('a stage that is neither prod nor a sandbox (qa), with context throttling, a catalog throttle and CORS', () => {
  let qa: Synth;
  beforeAll(() => {
    qa = synth(
      { ...fixtureCatalog, functions: [fixtureFunctions.health, { ...fixtureFunctions.getThing, throttle: { rateLimit: 3, burstLimit: 6 } }] },
      {
        lambdaCode: 'placeholder',
        stage: 'qa',
        apiThrottleRate: '20',
        apiThrottleBurst: '40',
        corsAllowedOrigins: 'https://backoffice.comune.example.it, https://tributi.comune.example.it:8443',
      },
    );
  });

  it('takes the stage throttling from context and a route throttling from the catalog', () => {
    qa.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      RouteSettings: {
        'GET /health': { ThrottlingRateLimit: 4, ThrottlingBurstLimit: 8 },
        'GET /organizations/{organizationFiscalCode}/things/{thingId}': { ThrottlingRateLimit: 3, ThrottlingBurstLimit: 6 },
      },
    });
  });

  it('allows exactly the configured origins, never with credentials, with the API key header', () => {
    qa.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://backoffice.comune.example.it', 'https://tributi.comune.example.it:8443'],
        AllowCredentials: false,
        AllowHeaders: ['content-type', 'ocp-apim-subscription-key'],
        AllowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
        MaxAge: 3600,
      },
    });
  });

  it('is treated like prod for its data: key, table, buckets and logs retained, deletion and termination protected', () => {
    expect(qa.config).toMatchObject({ sandbox: false, retainData: true, logRetentionDays: 365 });
    for (const t of [qa.statefulTemplate, qa.statelessTemplate]) {
      for (const type of ['AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
        for (const [id, r] of Object.entries(t.findResources(type))) expect(r.DeletionPolicy, `${type} ${id}`).toBe('Retain');
      }
    }
    qa.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    expect(qa.stateful.terminationProtection).toBe(true);
  });

  it('CORS origins are checked: no wildcard, https only (http://localhost in a sandbox), no path', () => {
    const cfg = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node);
    expect(() => cfg({ corsAllowedOrigins: '*' })).toThrow(/refuses wildcards/);
    expect(() => cfg({ corsAllowedOrigins: 'https://*.comune.example.it' })).toThrow(/refuses wildcards/);
    expect(() => cfg({ corsAllowedOrigins: 'http://backoffice.comune.example.it' })).toThrow(/https origins/);
    expect(() => cfg({ corsAllowedOrigins: 'https://backoffice.comune.example.it/app' })).toThrow(/https origins/);
    expect(() => cfg({ corsAllowedOrigins: 'http://localhost:5173' })).toThrow(/https origins/);
    expect(cfg({ corsAllowedOrigins: 'http://localhost:5173', sandbox: 'true' }).corsAllowedOrigins).toEqual(['http://localhost:5173']);
    expect(cfg({}).corsAllowedOrigins).toBeUndefined();
  });
});

describe('data retention by stage', () => {
  it('prod retains the key, the table, the buckets and every log group, and protects the Stateful stack', () => {
    for (const t of [prod.statefulTemplate, prod.statelessTemplate]) {
      for (const type of ['AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
        for (const [id, r] of Object.entries(t.findResources(type))) expect(r.DeletionPolicy, `${type} ${id}`).toBe('Retain');
      }
    }
    expect(prod.stateful.terminationProtection).toBe(true);
  });

  it('a sandbox retains nothing: its key is scheduled for deletion (7 days), its table, buckets and logs go with the stack', () => {
    expect(dev.config).toMatchObject({ sandbox: true, retainData: false, logRetentionDays: 7 });
    let count = 0;
    for (const t of [dev.statefulTemplate, dev.statelessTemplate]) {
      for (const type of ['AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
        for (const [id, r] of Object.entries(t.findResources(type))) {
          expect(r.DeletionPolicy, `${type} ${id}`).toBe('Delete');
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(fixtureCatalog.functions.length + 4);
    dev.statefulTemplate.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
    expect(dev.stateful.terminationProtection).toBe(false);
  });

  it('log retention: a week in a sandbox, a year otherwise, or one of CloudWatch periods from context', () => {
    const cfg = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node);
    expect(cfg({ logRetentionDays: '30' }).logRetentionDays).toBe(30);
    expect(() => cfg({ logRetentionDays: '31' })).toThrow(/one of CloudWatch's periods/);
    for (const [id, r] of Object.entries(prod.statelessTemplate.findResources('AWS::Logs::LogGroup'))) {
      expect(r.Properties.RetentionInDays, id).toBe(365);
    }
  });

  it('both stacks carry the service and stage tags at stack level', () => {
    for (const st of [prod.stateful, prod.stateless]) expect(st.tags.tagValues()).toEqual({ service: 'fixture-layer', stage: 'prod' });
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

type Res = { Properties: Record<string, any> };
const alarmsOf = (s: Synth) => Object.values(s.statelessTemplate.findResources('AWS::CloudWatch::Alarm')) as Res[];
/** the alarms on one metric name (plain metric alarms, or math alarms using it) */
const alarmsOn = (s: Synth, metric: string) =>
  alarmsOf(s).filter(
    (a) =>
      a.Properties.MetricName === metric ||
      (a.Properties.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string } } }> | undefined)?.some(
        (m) => m.MetricStat?.Metric.MetricName === metric,
      ),
  );
/** the function an error-rate alarm watches (the physical name in its Errors metric's FunctionName) */
const failedFunctionName = (a: Res): string =>
  (a.Properties.Metrics as Array<Record<string, any>>).find((m) => m.Id === 'failed')!.MetricStat.Metric.Dimensions[0].Value;
/** the physical name of a fixture function or queue in the dev stage */
const devName = (id: string) => `${fixtureCatalog.service}-dev-${id}`;
const dims = (a: Res) => Object.fromEntries((a.Properties.Dimensions as Array<{ Name: string; Value: unknown }>).map((d) => [d.Name, d.Value]));

describe('alarms', () => {
  it('every alarm goes to the encrypted alarm topic, and there is exactly the expected set', () => {
    const alarms = alarmsOf(dev);
    const expected =
      fixtureCatalog.queues.length * 2 + // DLQ depth + oldest message age
      1 + // stream failure queue depth
      1 + // the stream consumer's iterator age
      fixtureCatalog.functions.length * 2 + // error rate + throttles
      2 + // back-office and node API 5xx rate
      1 + // node API 4xx rate (the node refused)
      1; // the renderer's RenderGaveUp metric alarm
    expect(alarms).toHaveLength(expected);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
    }
    dev.statelessTemplate.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('function errors alarm on a RATE (Errors / Invocations over 15 min, once there were enough invocations), not on any error', () => {
    const rateAlarms = alarmsOn(dev, 'Invocations');
    expect(rateAlarms).toHaveLength(fixtureCatalog.functions.length);
    expect(alarmsOf(dev).filter((a) => a.Properties.MetricName === 'Errors')).toEqual([]); // no "any error in 5 minutes"
    for (const fn of fixtureCatalog.functions) {
      const scheduled = fn.triggers.every((t) => t.kind === 'schedule');
      const rule = scheduled ? SCHEDULED_ERROR_RATE : DEFAULT_ERROR_RATE;
      const [alarm, ...more] = rateAlarms.filter((a) => failedFunctionName(a) === devName(fn.id));
      expect(more, fn.id).toEqual([]);
      expect(alarm!.Properties, fn.id).toMatchObject({
        Threshold: rule.thresholdPercent,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
      const metrics = alarm!.Properties.Metrics as Array<Record<string, any>>;
      const expression = metrics.find((m) => m.Expression);
      expect(expression!.Expression).toBe(errorRateExpression(rule));
      expect(expression!.Expression).toBe(`IF(total >= ${rule.minInvocations}, 100 * FILL(failed, 0) / total, 0)`);
      const stat = (id: string) => metrics.find((m) => m.Id === id)!.MetricStat;
      expect(stat('failed')).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors' }, Stat: 'Sum', Period: 900 });
      expect(stat('total')).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations' }, Stat: 'Sum', Period: 900 });
      expect(alarm!.Properties.AlarmDescription, fn.id).toContain(`≥ ${rule.thresholdPercent} % of at least ${rule.minInvocations} in 15 minutes`);
    }
    // the catalog can set its own rule
    const custom = synth(
      { ...fixtureCatalog, functions: [{ ...fixtureFunctions.health, errorRateAlarm: { thresholdPercent: 20, minInvocations: 50 } }] },
      { lambdaCode: 'placeholder' },
    );
    const [only] = alarmsOn(custom, 'Invocations');
    expect(only!.Properties.Threshold).toBe(20);
    expect(JSON.stringify(only!.Properties.Metrics)).toContain('IF(total >= 50,');
  });

  it('every main queue alarms on the age of its oldest message, by default its retry envelope (visibility × receives, ≥ 15 min)', () => {
    const ages = alarmsOn(dev, 'ApproximateAgeOfOldestMessage');
    expect(ages).toHaveLength(fixtureCatalog.queues.length);
    for (const q of fixtureCatalog.queues) {
      const [alarm] = ages.filter((a) => dims(a)['QueueName'] === devName(q.id));
      expect(alarm, q.id).toBeDefined();
      expect(alarm!.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: maxMessageAgeSecondsFor(q),
      });
    }
    // render: 180 s × 5 receives = 900 s; messages: 60 × 3 = 180 s, raised to the 15-minute floor
    expect(fixtureCatalog.queues.map(maxMessageAgeSecondsFor)).toEqual([900, MIN_MESSAGE_AGE_ALARM_SECONDS]);
    expect(maxMessageAgeSecondsFor({ id: 'x', visibilityTimeoutSeconds: 720, maxReceiveCount: 3, retentionDays: 4 })).toBe(2160);
    expect(maxMessageAgeSecondsFor({ id: 'x', visibilityTimeoutSeconds: 60, maxReceiveCount: 3, retentionDays: 4, maxMessageAgeSeconds: 7200 })).toBe(7200);
  });

  it('every DLQ and the stream on-failure queue alarm on a single visible message', () => {
    const depth = alarmsOn(dev, 'ApproximateNumberOfMessagesVisible');
    expect(depth).toHaveLength(fixtureCatalog.queues.length + 1);
    for (const a of depth) {
      expect(a.Properties).toMatchObject({ Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(JSON.stringify(dims(a))).toMatch(/-dlq"|-stream-failures"/);
    }
  });

  it("the table-stream consumer alarms on its IteratorAge (10 minutes behind by default)", () => {
    const [alarm, ...more] = alarmsOn(dev, 'IteratorAge');
    expect(more).toEqual([]);
    expect(alarm!.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: DEFAULT_MAX_ITERATOR_AGE_SECONDS * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: devName('dispatcher') }],
    });
  });

  it('both APIs alarm on their 5xx RATE, the node API also on its 4xx rate (the node refused); throttles still alarm on any', () => {
    const api = alarmsOn(dev, 'Count');
    expect(api).toHaveLength(3);
    const failedMetric = (a: Res) => (a.Properties.Metrics as Array<Record<string, any>>).find((m) => m.Id === 'failed')!.MetricStat.Metric;
    for (const a of api) {
      const metrics = a.Properties.Metrics as Array<Record<string, any>>;
      expect(metrics.find((m) => m.Expression)!.Expression).toBe(errorRateExpression(API_5XX_RATE));
      expect(failedMetric(a)).toMatchObject({ Namespace: 'AWS/ApiGateway' });
      expect(a.Properties.Threshold).toBe(API_5XX_RATE.thresholdPercent);
    }
    expect(api.map((a) => failedMetric(a).MetricName).sort()).toEqual(['4xx', '5xx', '5xx']);
    const [clientErrors] = api.filter((a) => failedMetric(a).MetricName === '4xx');
    expect(JSON.stringify(failedMetric(clientErrors!).Dimensions)).toContain('NodeApi');
    expect(clientErrors!.Properties.AlarmDescription).toMatch(/refusing the node/);
    const throttles = alarmsOn(dev, 'Throttles');
    expect(throttles).toHaveLength(fixtureCatalog.functions.length);
    for (const a of throttles) expect(a.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('a catalog metric alarm is Sum over 5 minutes >= threshold on the function service dimension, to the alarm topic', () => {
    const [alarm, ...others] = alarmsOn(dev, 'RenderGaveUp').map((a) => a.Properties);
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      Namespace: 'FixtureLayer',
      Dimensions: [{ Name: 'service', Value: 'fixture-layer-dev-renderer' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: "fixture-layer-dev: 'renderer' RenderGaveUp. fixture: a render was given up.",
    });
    expect(alarm!.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
    expect(functionEnv(dev.statelessTemplate, 'fixture-layer-dev-renderer')['POWERTOOLS_SERVICE_NAME']).toBe('fixture-layer-dev-renderer');
  });

  it('an alarm on another namespace than the functions write to is a catalog error', () => {
    const wrong: Catalog = {
      ...fixtureCatalog,
      functions: [{ ...fixtureFunctions.renderer, alarms: [{ metric: 'X', namespace: 'Elsewhere', threshold: 1, description: 'd' }] }],
    };
    expect(() => validateCatalogForAws(wrong)).toThrow(/watches namespace 'Elsewhere', but the functions write metrics to 'FixtureLayer'/);
    const zero: Catalog = {
      ...fixtureCatalog,
      functions: [{ ...fixtureFunctions.renderer, alarms: [{ metric: 'X', namespace: 'FixtureLayer', threshold: 0, description: 'd' }] }],
    };
    expect(() => validateCatalogForAws(zero)).toThrow(/threshold > 0/);
  });

  it('subscribes the alarm e-mail only when given', () => {
    prod.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.it' });
    dev.statelessTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('dashboard', () => {
  it('one per stage, named <service>-<stage>, with every business metric summed over the functions of the stage', () => {
    dev.statelessTemplate.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = dashboardBody(dev);
    expect(body.name).toBe('fixture-layer-dev');
    const metricsOf = (name: string) => body.metrics.filter((m) => m[0] === 'FixtureLayer' && m[1] === name);
    for (const name of BUSINESS_METRICS) {
      const lines = metricsOf(name);
      // one hidden metric per function, dimension service = its POWERTOOLS_SERVICE_NAME
      expect(lines.map((m) => m[3]).sort(), name).toEqual(fixtureCatalog.functions.map((f) => `fixture-layer-dev-${f.id}`).sort());
      for (const m of lines) expect(m[2]).toBe('service');
      expect(body.expressions.some((e) => e.label === name && e.expression.startsWith('SUM(['))).toBe(true);
    }
    const coldStarts = metricsOf(COLD_START_METRIC);
    expect(coldStarts).toHaveLength(fixtureCatalog.functions.length);
    // Powertools adds function_name (the Lambda function name, here equal to the service name)
    for (const m of coldStarts) {
      const [, , ...pairs] = m;
      const dimensions = Object.fromEntries([0, 2].map((i) => [pairs[i], pairs[i + 1]]));
      expect(Object.keys(dimensions).sort()).toEqual(['function_name', 'service']);
      expect(dimensions['function_name']).toBe(dimensions['service']);
      expect(dimensions['service']).toMatch(/^fixture-layer-dev-/);
    }
  });

  it('shows queue depths and ages, DLQs, the stream lag, and both APIs (4xx, 5xx, latency)', () => {
    const body = dashboardBody(dev);
    const names = (ns: string) => new Set(body.metrics.filter((m) => m[0] === ns).map((m) => m[1]));
    expect([...names('AWS/SQS')].sort()).toEqual(['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible']);
    expect([...names('AWS/ApiGateway')].sort()).toEqual(['4xx', '5xx', 'Count', 'IntegrationLatency', 'Latency']);
    expect([...names('AWS/Lambda')].sort()).toEqual(['Duration', 'Errors', 'IteratorAge', 'Throttles']);
    const titles = body.widgets.map((w) => w.properties?.title).filter(Boolean);
    for (const t of ['Dead-letter queues (messages given up)', 'Back-office API: requests, 4xx, 5xx', 'pagoPA node API: latency (ms)']) {
      expect(titles).toContain(t);
    }
    for (const label of ['render-dlq', 'messages-dlq', 'dispatcher-stream-failures']) expect(body.raw).toContain(`"label":"${label}"`);
    prod.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'fixture-layer-prod' });
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
