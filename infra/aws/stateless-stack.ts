/**
 * What can be redeployed at will: queues (with their DLQs), one Lambda per catalog function,
 * the HTTP APIs, the event sources and schedules, the alarms and the dashboard. Built from the
 * catalog prop.
 */
import { CfnOutput, Duration, Fn, NestedStack, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Catalog, FunctionDef, HttpAudience } from '../catalog';
import { assertNodeApiProtected, CITIZEN_COUNTER_PATH, type DeployConfig, type NodeApiProtection } from './config';
import {
  AlarmFactory,
  lambdaMetric,
  queueMetric,
  API_5XX_RATE,
  DEFAULT_ERROR_RATE,
  DEFAULT_MAX_ITERATOR_AGE_SECONDS,
  errorRateRuleFor,
  maxMessageAgeSecondsFor,
} from './constructs/alarms';
import { CatalogFunction } from './constructs/catalog-function';
import { LayerDashboard } from './constructs/dashboard';
import { IpAllowList } from './constructs/ip-allow-list';
import { ConsoleHosting } from './constructs/console-hosting';
import { OperatorSignIn } from './constructs/operator-sign-in';
import { validateCatalogForAws } from './validate-catalog';

export interface StatelessStackProps extends StackProps {
  readonly catalog: Catalog;
  readonly config: DeployConfig;
  readonly projectRoot: string;
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  /** bucket id → CloudFormation export holding the bucket's name (see StatefulStack) */
  readonly bucketNameExports: ReadonlyMap<string, string>;
}

/** retries of a failing stream batch before it goes to the on-failure queue */
export const STREAM_RETRY_ATTEMPTS = 5;

/**
 * Catalog functions built in a nested stack of their own (function, role, policy, log group, its
 * routes and their integration and permission), by function id → nested stack id. The stateless
 * stack is at CloudFormation's 500-resource limit: the real catalog in prod with the console and
 * the counter counts 492 resources with mutual TLS and 496 with the IP allow list, the 19 of the
 * citizen-counter nested (510 and 514 if they were not). Only functions that were never deployed from the parent may be
 * listed: moving a deployed one would create its named function, log group and route keys in the
 * nested stack before the parent deletes them, and CloudFormation fails on the duplicates.
 */
export const NESTED_FUNCTION_STACKS: Readonly<Record<string, string>> = {
  'citizen-counter': 'CitizenCounter',
};

/** the secret names the citizen's counter reads under its `citizen-sp` grant's prefix (shared/composition/citizen.ts) */
export const CITIZEN_SP_SECRET_NAMES = ['private-key', 'certificate'] as const;

export class StatelessStack extends Stack {
  readonly queues = new Map<string, { queue: sqs.Queue; dlq: sqs.Queue }>();

  private dlqOf(queueId: string): sqs.Queue {
    const pair = this.queues.get(queueId);
    if (!pair) throw new Error(`a grant names the queue '${queueId}', which the catalog does not declare`);
    return pair.dlq;
  }
  readonly functions = new Map<string, CatalogFunction>();
  /** the back-office API (tenant API keys; its default endpoint is its address) */
  readonly httpApi: apigw.HttpApi;
  /**
   * The pagoPA node API: the catalog's 'pagopa-node' routes. With mutual TLS its default
   * execute-api endpoint is disabled, so the mTLS domain is the only way in.
   */
  readonly nodeApi?: apigw.HttpApi;
  readonly alarmTopic: sns.Topic;
  readonly alarmStack: NestedStack;
  readonly dashboard: cloudwatch.Dashboard;
  /** how the node API is protected in this stage (undefined: the catalog has no node route) */
  readonly nodeApiProtection?: NodeApiProtection;
  /** the on-failure queue of each stream-triggered function */
  readonly streamFailures = new Map<string, sqs.Queue>();
  /** the nested stacks of NESTED_FUNCTION_STACKS, by nested stack id */
  readonly functionStacks = new Map<string, NestedStack>();
  private readonly nodeAllowList?: IpAllowList;
  private readonly alarms: AlarmFactory;
  /** back-office route key → its throttling */
  private readonly routeThrottles = new Map<string, { rateLimit: number; burstLimit: number }>();
  private readonly backOfficeRoutes: apigw.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { catalog, config, table, key } = props;
    validateCatalogForAws(catalog);
    const prefix = `${catalog.service}-${config.stage}`;
    const hasNodeRoutes = catalog.functions.some((f) => f.triggers.some((t) => t.kind === 'http' && t.audience === 'pagopa-node'));
    if (config.nodeMtls && !hasNodeRoutes) {
      throw new Error("mutual TLS is configured (context 'nodeMtlsDomain') but the catalog has no http trigger with audience 'pagopa-node'");
    }
    // Before anything is built: no node API without client authentication outside a sandbox.
    if (hasNodeRoutes) this.nodeApiProtection = assertNodeApiProtected(config);

    // the alarms and their topic: a nested stack of their own (see AlarmFactory)
    this.alarmStack = new NestedStack(this, 'Alarms', { description: `${prefix}: alarms and the alarm topic` });
    this.alarmTopic = new sns.Topic(this.alarmStack, 'AlarmTopic', {
      topicName: `${prefix}-alarms`,
      displayName: `${catalog.service} ${config.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subs.EmailSubscription(config.alarmEmail));
    this.alarms = new AlarmFactory(this.alarmTopic, prefix, this.alarmStack);
    const alarms = this.alarms;

    // Queues, each with its dead-letter queue `<id>-dlq`.
    for (const def of catalog.queues) {
      const dlq = new sqs.Queue(this, `Queue-${def.id}-dlq`, {
        queueName: `${prefix}-${def.id}-dlq`,
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: key,
        dataKeyReuse: Duration.hours(1),
        enforceSSL: true,
        retentionPeriod: Duration.days(14), // the maximum: time to look before it is gone
      });
      Validations.of(dlq).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This is the dead-letter queue of '${def.id}'; a DLQ of a DLQ would only hide messages further away. Its depth is alarmed.`,
      });
      const queue = new sqs.Queue(this, `Queue-${def.id}`, {
        queueName: `${prefix}-${def.id}`,
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: key,
        dataKeyReuse: Duration.hours(1),
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(def.retentionDays),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
      this.queues.set(def.id, { queue, dlq });
      alarms.above(
        dlq,
        'NotEmptyAlarm',
        queueMetric(`${prefix}-${def.id}-dlq`, 'ApproximateNumberOfMessagesVisible', { period: Duration.minutes(5), statistic: 'Maximum' }),
        0,
        `messages parked in the dead-letter queue of '${def.id}': they were given up after ${def.maxReceiveCount} receives; ` +
          'look at them, fix the cause, then redrive them to the queue',
      );
      const maxAge = maxMessageAgeSecondsFor(def);
      alarms.above(
        queue,
        'OldestMessageAgeAlarm',
        queueMetric(`${prefix}-${def.id}`, 'ApproximateAgeOfOldestMessage', { period: Duration.minutes(5), statistic: 'Maximum' }),
        maxAge,
        `the oldest message of '${def.id}' has waited more than ${maxAge} s: the queue is not being consumed fast enough ` +
          '(consumer failing, throttled or disabled, or a backlog)',
      );
    }

    const bucketCache = new Map<string, s3.IBucket>();
    const bucket = (bucketId: string): s3.IBucket => {
      let b = bucketCache.get(bucketId);
      if (!b) {
        const exportName = props.bucketNameExports.get(bucketId);
        if (!exportName) throw new Error(`no bucket '${bucketId}' in the catalog`);
        b = s3.Bucket.fromBucketAttributes(this, `Imported-${bucketId}`, {
          bucketName: Fn.importValue(exportName),
          encryptionKey: key,
        });
        bucketCache.set(bucketId, b);
      }
      return b;
    };
    const queue = (queueId: string): sqs.Queue => {
      const q = this.queues.get(queueId);
      if (!q) throw new Error(`no queue '${queueId}' in the catalog`);
      return q.queue;
    };

    // S3 "Object Created" of a bucket's prefix → a queue (the catalog's objectCreated; EventBridge
    // delivers the event JSON as the message body, the shape events/upload.ts parses)
    for (const def of catalog.buckets) {
      if (!def.objectCreated) continue;
      new events.Rule(this, `ObjectCreated-${def.id}`, {
        description: `S3 Object Created under ${def.objectCreated.prefix} of the ${def.id} bucket → ${def.objectCreated.queue}`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [bucket(def.id).bucketName] }, object: { key: [{ prefix: def.objectCreated.prefix }] } },
        },
        targets: [new eventsTargets.SqsQueue(queue(def.objectCreated.queue), { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
      });
    }

    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const logRemovalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // CORS: none, unless the stage names browser origins for the back-office API (never a
    // wildcard, never credentials); never on the node API.
    const makeApi = (id: string, apiName: string, description: string, disableExecuteApiEndpoint: boolean, cors?: readonly string[]) => {
      const api = new apigw.HttpApi(this, id, {
        apiName,
        description,
        createDefaultStage: false,
        disableExecuteApiEndpoint,
        ...(cors
          ? {
              corsPreflight: {
                allowOrigins: [...cors],
                allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.PUT, apigw.CorsHttpMethod.DELETE],
                allowHeaders: ['content-type', 'ocp-apim-subscription-key'],
                exposeHeaders: ['location'],
                allowCredentials: false,
                maxAge: Duration.hours(1),
              },
            }
          : {}),
      });
      const accessLogs = new logs.LogGroup(this, `${id}AccessLogs`, {
        logGroupName: `/aws/apigateway/${apiName}`,
        retention: logRetention,
        encryptionKey: key,
        removalPolicy: logRemovalPolicy,
      });
      const apiStage = new apigw.HttpStage(this, `${id}DefaultStage`, {
        httpApi: api,
        stageName: '$default',
        autoDeploy: true,
        throttle: { rateLimit: config.apiThrottleRatePerSecond, burstLimit: config.apiThrottleBurst },
        accessLogSettings: {
          destination: new apigw.LogGroupLogDestination(accessLogs),
          format: AccessLogFormat.custom(JSON.stringify(HTTP_ACCESS_LOG_FORMAT)),
        },
      });
      return { api, stage: apiStage };
    };
    const { api: httpApi, stage } = makeApi(
      'HttpApi',
      `${prefix}-api`,
      `${catalog.service} (${config.stage}): GPD-style back-office API`,
      false,
      config.corsAllowedOrigins,
    );
    this.httpApi = httpApi;
    const nodeApiDescription: Record<NodeApiProtection, string> = {
      mtls: `mutual TLS at ${config.nodeMtls?.domainName} only`,
      'allow-list': `IPv4 allow list ${config.nodeAllowedCidrs?.join(', ')}`,
      'public-sandbox': 'SANDBOX: no client authentication (nodeApiPublicForTestsOnly)',
    };
    const node = this.nodeApiProtection
      ? makeApi(
          'NodeApi',
          `${prefix}-node-api`,
          `${catalog.service} (${config.stage}): pagoPA node interface (${nodeApiDescription[this.nodeApiProtection]})`,
          this.nodeApiProtection === 'mtls',
        )
      : undefined;
    this.nodeApi = node?.api;
    if (node && this.nodeApiProtection === 'allow-list') {
      this.nodeAllowList = new IpAllowList(this, 'NodeIpAllowList', {
        functionName: `${prefix}-node-ip-allow-list`,
        cidrs: config.nodeAllowedCidrs!,
        key,
        logRetention,
        logRemovalPolicy,
      });
    }

    for (const def of catalog.functions) {
      const home = this.homeOf(def, prefix);
      const cf = new CatalogFunction(home, `Fn-${def.id}`, {
        def,
        service: catalog.service,
        ...(catalog.metricsNamespace ? { metricsNamespace: catalog.metricsNamespace } : {}),
        config,
        projectRoot: props.projectRoot,
        targets: {
          tableDef: catalog.table,
          table,
          key,
          queue,
          dlq: (q) => this.dlqOf(q),
          bucket,
          ...(config.email ? { email: config.email } : {}),
          ...(config.secretsKmsKeyArn ? { secretsKmsKeyArn: config.secretsKmsKeyArn } : {}),
        },
        names: {
          table: table.tableName,
          queueUrl: (q) => queue(q).queueUrl,
          dlqUrl: (q) => this.dlqOf(q).queueUrl,
          bucketName: (b) => bucket(b).bucketName,
        },
      });
      this.functions.set(def.id, cf);
      this.addTriggers(def, cf, { catalog, prefix, queue, table, config, home });

      alarms.errorRate(cf, 'ErrorRateAlarm', {
        failed: lambdaMetric(cf.functionName, 'Errors', { statistic: 'Sum' }),
        total: lambdaMetric(cf.functionName, 'Invocations', { statistic: 'Sum' }),
        rule: errorRateRuleFor(def),
        what: `${def.id} error rate`,
        description: `'${def.id}' invocations failing (unhandled errors and timeouts); see its log group /aws/lambda/${cf.functionName}`,
      });
      alarms.above(
        cf,
        'ThrottlesAlarm',
        lambdaMetric(cf.functionName, 'Throttles', { period: Duration.minutes(5), statistic: 'Sum' }),
        0,
        `'${def.id}' throttled invocations: the account's Lambda concurrency is exhausted`,
      );
      for (const a of def.alarms ?? []) {
        alarms.atLeast(
          cf,
          `MetricAlarm-${a.metric}`,
          new cloudwatch.Metric({
            namespace: a.namespace,
            metricName: a.metric,
            // Powertools Metrics' one default dimension
            dimensionsMap: { service: cf.serviceName },
            statistic: 'Sum',
            period: Duration.minutes(5),
          }),
          a.threshold,
          `'${def.id}' ${a.metric}. ${a.description}`,
        );
      }
    }

    // The citizen's counter's settings (config.ts readCitizenCounterConfig); none when it is not
    // configured, and the counter answers 503 pages. IO messages link to the counter.
    const counter = this.functions.get('citizen-counter');
    if (config.citizenCounter) {
      if (!counter) throw new Error("context 'citizenCounterUrl' is set but the catalog has no 'citizen-counter' function");
      for (const [name, value] of Object.entries(citizenCounterEnvironment(config.citizenCounter))) counter.fn.addEnvironment(name, value);
      this.functions.get('io-sender')?.fn.addEnvironment('CITIZEN_COUNTER_URL', config.citizenCounter.url);
      const spGrant = catalog.functions.find((f) => f.id === 'citizen-counter')?.grants.find((g) => g.resource === 'secret' && g.id === 'citizen-sp');
      if (!spGrant || spGrant.resource !== 'secret') throw new Error("the catalog's 'citizen-counter' has no 'citizen-sp' secret grant: it could not read the SP key and certificate");
      new CfnOutput(this, 'CitizenSpSecretNames', {
        value: CITIZEN_SP_SECRET_NAMES.map((n) => `${spGrant.prefix}${n}`).join(','),
        description:
          "Secrets Manager secrets the operator creates (PEM strings; the stack creates neither): the SPID service provider's private key and certificate registered with AgID",
      });
      new CfnOutput(this, 'CitizenSpMetadataUrl', {
        value: `${config.citizenCounter.url}/spid/metadata`,
        description: "the SAML SP metadata of the citizen's counter (its entityID): what is registered with AgID for SPID and with the Ministry of the Interior for CIE",
      });
    }

    // The operators' sign-in (Cognito), when the console's URL is given: the console API verifies its tokens.
    const consoleApi = this.functions.get('console-api');
    if (config.consoleUrl && consoleApi) {
      const signIn = new OperatorSignIn(this, 'OperatorSignIn', {
        prefix,
        consoleUrl: config.consoleUrl,
        removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      consoleApi.fn.addEnvironment('CONSOLE_OIDC_ISSUER', signIn.issuer);
      consoleApi.fn.addEnvironment('CONSOLE_OIDC_AUDIENCE', signIn.client.userPoolClientId);
      consoleApi.fn.addEnvironment('CONSOLE_OIDC_JWKS_URL', signIn.jwksUrl);
      new CfnOutput(this, 'OperatorPoolId', { value: signIn.userPool.userPoolId, description: 'Cognito user pool of the console operators' });
      new CfnOutput(this, 'ConsoleClientId', { value: signIn.client.userPoolClientId, description: "the console's app client id (config.json clientId)" });
      new CfnOutput(this, 'ConsoleIssuer', { value: signIn.issuer, description: "the console's OpenID issuer (config.json issuer)" });
      // the console's files on S3 behind CloudFront, with /console-api/* routed to this API
      const hosting = new ConsoleHosting(this, 'ConsoleHosting', {
        prefix,
        projectRoot: props.projectRoot,
        consoleUrl: config.consoleUrl,
        signIn,
        httpApi,
        key,
        logRetention,
        removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        ...(config.citizenCounter ? { citizenCounterPath: CITIZEN_COUNTER_PATH } : {}),
        // the browser's presigned requests (virtual-hosted URLs): a tax list over the inline limit PUT to the
        // uploads bucket (and a large result file read from it), a batch's ZIP archive read from the notices bucket
        bucketOrigins: (['uploads', 'notices'] as const).filter((id) => props.bucketNameExports.has(id)).map((id) => `https://${bucket(id).bucketRegionalDomainName}`),
      });
      new CfnOutput(this, 'ConsoleDistributionUrl', {
        value: hosting.url,
        description: 'the operator console on CloudFront (its /console-api/* goes to the back-office API); consoleUrl must name this URL or a domain fronting it',
      });
      new CfnOutput(this, 'ConsoleDistributionId', { value: hosting.distribution.distributionId, description: "the console's CloudFront distribution" });
      new CfnOutput(this, 'ConsoleBucketName', { value: hosting.bucket.bucketName, description: "the console's files (keys under console/)" });
      if (config.citizenCounter) {
        new CfnOutput(this, 'CitizenCounterDistributionUrl', {
          value: `https://${hosting.distribution.distributionDomainName}${CITIZEN_COUNTER_PATH}`,
          description: "the citizen's counter on CloudFront; citizenCounterUrl must name this URL or a domain configured on the distribution by hand",
        });
      }
    }

    // Per-route throttling of the back-office API (the node API keeps the stage default).
    const cfnStage = stage.node.defaultChild as apigw.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      [...this.routeThrottles.entries()].map(([routeKey, t]) => [routeKey, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }]),
    );
    // route settings name routes: the stage is updated only once they exist
    for (const route of this.backOfficeRoutes) cfnStage.node.addDependency(route);

    const apis = [{ name: 'Back-office API', api: this.httpApi, what: 'back-office HTTP API' }];
    if (node) apis.push({ name: 'pagoPA node API', api: node.api, what: 'pagoPA node HTTP API (the node retries: receipts may be late)' });
    for (const { api, what } of apis) {
      alarms.errorRate(api, 'ServerErrorRateAlarm', {
        failed: api.metricServerError({ statistic: 'Sum' }),
        total: api.metricCount({ statistic: 'Sum' }),
        rule: API_5XX_RATE,
        what: '5xx rate',
        description: `${what} answering 5xx`,
      });
    }
    if (node) {
      // The station answers the node 200, SOAP faults included (400 only to a body that is no
      // paForNode request at all): 4xx means the node is refused (the allow list after a change
      // of its addresses, throttling), and receipts stop.
      alarms.errorRate(node.api, 'ClientErrorRateAlarm', {
        failed: node.api.metricClientError({ statistic: 'Sum' }),
        total: node.api.metricCount({ statistic: 'Sum' }),
        rule: API_5XX_RATE,
        what: '4xx rate',
        description:
          'pagoPA node HTTP API refusing the node (403 from the IP allow list: did its addresses change? 429: throttled); receipts and payments stop',
      });
    }
    if (this.nodeAllowList) {
      alarms.errorRate(this.nodeAllowList, 'ErrorRateAlarm', {
        failed: lambdaMetric(`${prefix}-node-ip-allow-list`, 'Errors', { statistic: 'Sum' }),
        total: lambdaMetric(`${prefix}-node-ip-allow-list`, 'Invocations', { statistic: 'Sum' }),
        rule: DEFAULT_ERROR_RATE,
        what: 'node allow-list authorizer error rate',
        description: 'the node API allow-list authorizer is failing: the node gets 500 on every call',
      });
    }

    this.dashboard = new LayerDashboard(this, 'Dashboard', {
      dashboardName: prefix,
      title: `${catalog.service} · ${config.stage}`,
      ...(catalog.metricsNamespace ? { metricsNamespace: catalog.metricsNamespace } : {}),
      functions: this.functions,
      queues: this.queues,
      streamFailures: this.streamFailures,
      streamConsumers: catalog.functions.filter((f) => f.triggers.some((t) => t.kind === 'stream')).map((f) => f.id),
      apis,
    }).dashboard;

    if (config.nodeMtls) {
      const m = config.nodeMtls;
      const [, trustBucket, trustKey] = /^s3:\/\/([^/]+)\/(.+)$/.exec(m.truststoreUri) ?? [];
      const domain = new apigw.DomainName(this, 'NodeMtlsDomain', {
        domainName: m.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'NodeMtlsCertificate', m.certificateArn),
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
        mtls: {
          bucket: s3.Bucket.fromBucketName(this, 'NodeMtlsTruststoreBucket', trustBucket!),
          key: trustKey!,
          ...(m.truststoreVersion ? { version: m.truststoreVersion } : {}),
        },
      });
      // the node API only, whose default endpoint is disabled: this domain is its one way in
      new apigw.ApiMapping(this, 'NodeMtlsMapping', { api: node!.api, domainName: domain, stage: node!.stage });
      new CfnOutput(this, 'NodeMtlsDomainTarget', {
        value: domain.regionalDomainName,
        description: `CNAME/alias target for ${m.domainName} (mutual TLS)`,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the back-office HTTP API' });
    if (node) {
      new CfnOutput(this, 'NodeApiUrl', {
        value: config.nodeMtls ? `https://${config.nodeMtls.domainName}/` : node.stage.url,
        description: {
          mtls: 'Base URL of the pagoPA node API (mutual TLS; its execute-api endpoint is disabled)',
          'allow-list': 'Base URL of the pagoPA node API (IPv4 allow list, no mutual TLS)',
          'public-sandbox': 'Base URL of the pagoPA node API (SANDBOX: no client authentication)',
        }[this.nodeApiProtection!],
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: prefix, description: 'CloudWatch dashboard of this stage' });
    for (const [qid, { queue: q }] of this.queues) new CfnOutput(this, `QueueUrl-${qid}`, { value: q.queueUrl });
  }

  /** this stack, or the nested stack NESTED_FUNCTION_STACKS names for the function (created once) */
  private homeOf(def: FunctionDef, prefix: string): Construct {
    const id = NESTED_FUNCTION_STACKS[def.id];
    if (id === undefined) return this;
    let nested = this.functionStacks.get(id);
    if (!nested) {
      nested = new NestedStack(this, id, { description: `${prefix}: the ${def.id} function, its role, log group and routes` });
      this.functionStacks.set(id, nested);
    }
    return nested;
  }

  private addTriggers(
    def: FunctionDef,
    cf: CatalogFunction,
    ctx: {
      catalog: Catalog;
      prefix: string;
      queue: (id: string) => sqs.Queue;
      table: dynamodb.ITable;
      config: DeployConfig;
      /** where the function is built: this stack, or its nested stack (NESTED_FUNCTION_STACKS) */
      home: Construct;
    },
  ): void {
    // One integration and one invoke permission per function and API, whatever its number of
    // routes (GPD's base paths repeat every route): a route-scoped permission and an integration
    // per route cost three CloudFormation resources a route, and the stack's limit is 500. The
    // permission is scoped to the API (`<api>/*/*/*`): only routes of this layer's own API can
    // reach the function, and each route of that API names its one integration.
    const integrations = new Map<HttpAudience, HttpLambdaIntegration>();
    const integrationFor = (audience: HttpAudience): HttpLambdaIntegration => {
      let integration = integrations.get(audience);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${def.id}-integration-${audience}`, cf.fn, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
          scopePermissionToRoute: false,
        });
        integrations.set(audience, integration);
      }
      return integration;
    };
    for (const [i, trigger] of def.triggers.entries()) {
      switch (trigger.kind) {
        case 'http': {
          const audience: HttpAudience = trigger.audience ?? 'back-office';
          const api = audience === 'pagopa-node' ? this.nodeApi! : this.httpApi;
          const authorizer = audience === 'pagopa-node' ? this.nodeAllowList?.authorizer : undefined;
          const routeProps = { integration: integrationFor(audience), ...(authorizer ? { authorizer } : {}) };
          // a nested function's routes live in its nested stack (api.addRoutes would put them under the API, here)
          const routes =
            ctx.home === this
              ? api.addRoutes({ path: trigger.path, methods: [apigw.HttpMethod[trigger.method]], ...routeProps })
              : [
                  new apigw.HttpRoute(ctx.home, `Route-${trigger.method}${trigger.path}`, {
                    httpApi: api,
                    routeKey: apigw.HttpRouteKey.with(trigger.path, apigw.HttpMethod[trigger.method]),
                    ...routeProps,
                  }),
                ];
          if (audience === 'back-office') {
            this.routeThrottles.set(`${trigger.method} ${trigger.path}`, routeThrottle(def, trigger, ctx.config));
            this.backOfficeRoutes.push(...routes);
          }
          // with the allow-list authorizer the route has an authorizer: nothing to acknowledge
          if (!authorizer) {
            for (const route of routes) {
              Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: apig4Reason(trigger, ctx.config) });
            }
          }
          break;
        }
        case 'queue': {
          cf.fn.addEventSource(
            new sources.SqsEventSource(ctx.queue(trigger.queue), {
              batchSize: trigger.batchSize,
              maxBatchingWindow:
                trigger.maxBatchingWindowSeconds > 0 ? Duration.seconds(trigger.maxBatchingWindowSeconds) : undefined,
              ...(trigger.maxConcurrency !== undefined ? { maxConcurrency: trigger.maxConcurrency } : {}),
              reportBatchItemFailures: true,
            }),
          );
          break;
        }
        case 'stream': {
          // Where a batch lands after its retries: only metadata (shard, sequence numbers), no
          // item data, hence SQS-managed encryption rather than the data key.
          const failures = new sqs.Queue(cf, 'StreamFailures', {
            queueName: `${ctx.prefix}-${def.id}-stream-failures`,
            encryption: sqs.QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            retentionPeriod: Duration.days(14),
          });
          Validations.of(failures).acknowledge({
            id: 'AwsSolutions-SQS3',
            reason: `On-failure destination of the '${def.id}' stream event source, i.e. itself a dead-letter queue; its depth is alarmed.`,
          });
          this.streamFailures.set(def.id, failures);
          cf.fn.addEventSource(
            new sources.DynamoEventSource(ctx.table, {
              // TRIM_HORIZON, not LATEST: a new or re-created mapping starts from the oldest
              // record still in the stream (24 h), so outbox events written while the mapping
              // did not exist yet (first deploy, replacement) are delivered, not silently
              // skipped. Consumers are idempotent, so a replay is harmless; a loss is not.
              startingPosition: lambda.StartingPosition.TRIM_HORIZON,
              batchSize: trigger.batchSize,
              bisectBatchOnError: true,
              retryAttempts: STREAM_RETRY_ATTEMPTS,
              maxRecordAge: Duration.days(1),
              reportBatchItemFailures: true,
              onFailure: new sources.SqsDlq(failures),
              ...(trigger.itemType !== undefined
                ? {
                    filters: [
                      lambda.FilterCriteria.filter({
                        dynamodb: { NewImage: { type: { S: lambda.FilterRule.isEqual(trigger.itemType) } } },
                      }),
                    ],
                  }
                : {}),
            }),
          );
          // The stream event source grants dynamodb:ListStreams on '*' (the only statement on
          // '*' since X-Ray is off): the action has no resource-level permissions and lists
          // stream ARNs, no data; the records are read on this table's stream ARN only.
          const streamPolicy = cf.role.node.tryFindChild('DefaultPolicy');
          if (streamPolicy) {
            Validations.of(streamPolicy).acknowledge({
              id: 'AwsSolutions-IAM5[Resource::*]',
              reason:
                "dynamodb:ListStreams, added by the DynamoDB event source, supports no resource-level permission; it lists stream ARNs, not data (GetRecords, GetShardIterator and DescribeStream are on this table's stream ARN only).",
            });
          }
          this.alarms.above(
            failures,
            'NotEmptyAlarm',
            queueMetric(`${ctx.prefix}-${def.id}-stream-failures`, 'ApproximateNumberOfMessagesVisible', { period: Duration.minutes(5), statistic: 'Maximum' }),
            0,
            `stream batches of '${def.id}' given up after ${STREAM_RETRY_ATTEMPTS} retries: the messages hold the shard and sequence numbers of the lost records`,
          );
          const maxIteratorAge = trigger.maxIteratorAgeSeconds ?? DEFAULT_MAX_ITERATOR_AGE_SECONDS;
          this.alarms.above(
            cf,
            'IteratorAgeAlarm',
            lambdaMetric(cf.functionName, 'IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }),
            maxIteratorAge * 1000,
            `'${def.id}' is more than ${maxIteratorAge} s behind the table stream: outbox events (notices, App IO messages, webhooks) are late; ` +
              'records older than 24 h leave the stream',
          );
          break;
        }
        case 'schedule': {
          new events.Rule(cf, `Schedule${i}`, {
            description: `${def.id}: ${trigger.expression}`,
            schedule: events.Schedule.expression(trigger.expression),
            targets: [new eventsTargets.LambdaFunction(cf.fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
          });
          break;
        }
      }
    }
  }
}

/** JSON access log line: who, which route, outcome, timings. No query string, no body, no path values. */
export const HTTP_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;

/**
 * The truth about how one route without an APIGW authorizer is protected, per route and stage:
 * the catalog says what the function checks, the deploy config what the network adds.
 */
export function apig4Reason(
  trigger: Extract<FunctionDef['triggers'][number], { kind: 'http' }>,
  config: DeployConfig,
): string {
  const route = `${trigger.method} ${trigger.path}`;
  if (trigger.authenticated) {
    return `${route}: authenticated inside the function: the tenant's Ocp-Apim-Subscription-Key is hashed and looked up in DynamoDB (per-tenant keys, revocable, scoped to the organization in the path); an APIGW authorizer would add a second Lambda and a second lookup per call.`;
  }
  if (!trigger.unauthenticatedReason) throw new Error(`${route}: authenticated is false but unauthenticatedReason is missing`);
  if ((trigger.audience ?? 'back-office') === 'back-office') return `${route}: ${trigger.unauthenticatedReason}`;
  const network = config.nodeMtls
    ? `Network: only through https://${config.nodeMtls.domainName}, which requires a client certificate issued by the pagoPA node CA (mutual TLS, truststore ${config.nodeMtls.truststoreUri}); the node API's default execute-api endpoint is disabled.`
    : config.nodeAllowedCidrs?.length
      ? `Network: only from ${config.nodeAllowedCidrs.join(', ')} (IPv4 allow-list authorizer on the TCP source address); no mutual TLS.`
      : `Network: sandbox stage '${config.stage}' has NO mutual TLS and no IP allow list (it opted out with nodeApiPublicForTestsOnly=true): the route is on the node API's default execute-api endpoint and anyone who knows the caller ids can call it; it holds test data only, and synth refuses this outside a sandbox and in prod.`;
  return `${route}: ${trigger.unauthenticatedReason} ${network}`;
}

/**
 * Throttling of one back-office route: the catalog's (never above the stage's), or by kind of
 * route. Public routes (no API key) get a fifth of the stage rate, so that nobody can spend the
 * stage's budget (and the account's Lambda concurrency) without a key; writes half; reads the
 * stage rate.
 */
export function routeThrottle(
  def: FunctionDef,
  trigger: Extract<FunctionDef['triggers'][number], { kind: 'http' }>,
  config: DeployConfig,
): { rateLimit: number; burstLimit: number } {
  if (def.throttle) {
    return {
      rateLimit: Math.min(def.throttle.rateLimit, config.apiThrottleRatePerSecond),
      burstLimit: Math.min(def.throttle.burstLimit, config.apiThrottleBurst),
    };
  }
  const share = !trigger.authenticated ? 5 : trigger.method === 'GET' ? 1 : 2;
  return {
    rateLimit: Math.max(1, Math.floor(config.apiThrottleRatePerSecond / share)),
    burstLimit: Math.max(1, Math.floor(config.apiThrottleBurst / share)),
  };
}

/**
 * The citizen-counter function's settings from the deploy config (shared/composition/citizen.ts
 * reads them). CITIZEN_SP_SECRET_PREFIX and CHECKOUT_SECRET_PREFIX come from the catalog's grants.
 * The entityID is written out (it is the composition's default too): it is what AgID registers.
 */
export function citizenCounterEnvironment(c: NonNullable<DeployConfig['citizenCounter']>): Record<string, string> {
  const env: Record<string, string> = {
    CITIZEN_COUNTER_URL: c.url,
    CITIZEN_SP_ENTITY_ID: `${c.url}/spid/metadata`,
  };
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) env[name] = value;
  };
  set('CITIZEN_SP_ORGANIZATION_NAME', c.sp.organizationName);
  set('CITIZEN_SP_CONTACT_EMAIL', c.sp.contactEmail);
  set('CITIZEN_SP_IPA_CODE', c.sp.ipaCode);
  set('CITIZEN_SP_MUNICIPALITY_CODE', c.sp.municipalityCode);
  set('CITIZEN_SP_VAT_NUMBER', c.sp.vatNumber);
  set('CITIZEN_SP_FISCAL_CODE', c.sp.fiscalCode);
  set('CITIZEN_SP_TELEPHONE', c.sp.telephone);
  set('CITIZEN_SPID_LEVEL', c.sp.spidLevel);
  set('CIE_IDP_METADATA_URL', c.cieIdpMetadataUrl);
  set('SPID_IDP_METADATA_URL', c.spidIdpMetadataUrl);
  set('CHECKOUT_API_URL', c.checkoutApiUrl);
  return env;
}
