/**
 * What can be redeployed at will: queues (with their DLQs), one Lambda per catalog function,
 * the HTTP API, the event sources and schedules, and the alarms. Built from the catalog prop.
 */
import { CfnOutput, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
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
import type { DeployConfig } from './config';
import { CatalogFunction } from './constructs/catalog-function';
import { IpAllowList } from './constructs/ip-allow-list';
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

export class StatelessStack extends Stack {
  readonly queues = new Map<string, { queue: sqs.Queue; dlq: sqs.Queue }>();
  readonly functions = new Map<string, CatalogFunction>();
  /** the back-office API (tenant API keys; its default endpoint is its address) */
  readonly httpApi: apigw.HttpApi;
  /**
   * The pagoPA node API: the catalog's 'pagopa-node' routes. With mutual TLS its default
   * execute-api endpoint is disabled, so the mTLS domain is the only way in.
   */
  readonly nodeApi?: apigw.HttpApi;
  readonly alarmTopic: sns.Topic;
  private readonly nodeAllowList?: IpAllowList;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { catalog, config, table, key } = props;
    validateCatalogForAws(catalog);
    const prefix = `${catalog.service}-${config.stage}`;

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${prefix}-alarms`,
      displayName: `${catalog.service} ${config.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subs.EmailSubscription(config.alarmEmail));
    const alarmAction = new cwActions.SnsAction(this.alarmTopic);
    const alarm = (scope: Construct, id: string, metric: cloudwatch.IMetric, description: string) => {
      const a = new cloudwatch.Alarm(scope, id, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(alarmAction);
      return a;
    };

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
      alarm(
        dlq,
        'NotEmptyAlarm',
        dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        `${prefix}: messages parked in the dead-letter queue of '${def.id}'`,
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

    const logRetention = config.isProd ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_WEEK;
    // CORS off on both: callers are back-office servers and the pagoPA node, never browsers.
    const makeApi = (id: string, apiName: string, description: string, disableExecuteApiEndpoint: boolean) => {
      const api = new apigw.HttpApi(this, id, { apiName, description, createDefaultStage: false, disableExecuteApiEndpoint });
      const accessLogs = new logs.LogGroup(this, `${id}AccessLogs`, {
        logGroupName: `/aws/apigateway/${apiName}`,
        retention: logRetention,
        encryptionKey: key,
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
    );
    this.httpApi = httpApi;
    const hasNodeRoutes = catalog.functions.some((f) => f.triggers.some((t) => t.kind === 'http' && t.audience === 'pagopa-node'));
    if (config.nodeMtls && !hasNodeRoutes) {
      throw new Error("mutual TLS is configured (context 'nodeMtlsDomain') but the catalog has no http trigger with audience 'pagopa-node'");
    }
    const node = hasNodeRoutes
      ? makeApi(
          'NodeApi',
          `${prefix}-node-api`,
          `${catalog.service} (${config.stage}): pagoPA node interface (${config.nodeMtls ? `mutual TLS at ${config.nodeMtls.domainName} only` : 'no mutual TLS in this stage'})`,
          config.nodeMtls !== undefined,
        )
      : undefined;
    this.nodeApi = node?.api;
    if (node && !config.nodeMtls && config.nodeAllowedCidrs) {
      this.nodeAllowList = new IpAllowList(this, 'NodeIpAllowList', {
        functionName: `${prefix}-node-ip-allow-list`,
        cidrs: config.nodeAllowedCidrs,
        key,
        logRetention,
      });
    }

    for (const def of catalog.functions) {
      const cf = new CatalogFunction(this, `Fn-${def.id}`, {
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
          bucket,
          ...(config.email ? { email: config.email } : {}),
          ...(config.secretsKmsKeyArn ? { secretsKmsKeyArn: config.secretsKmsKeyArn } : {}),
        },
        names: {
          table: table.tableName,
          queueUrl: (q) => queue(q).queueUrl,
          bucketName: (b) => bucket(b).bucketName,
        },
      });
      this.functions.set(def.id, cf);
      this.addTriggers(def, cf, { catalog, prefix, queue, table, config });

      alarm(cf, 'ErrorsAlarm', cf.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), `${prefix}: '${def.id}' failed invocations`);
      alarm(cf, 'ThrottlesAlarm', cf.fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), `${prefix}: '${def.id}' throttled invocations`);
      for (const a of def.alarms ?? []) {
        const metricAlarm = new cloudwatch.Alarm(cf, `MetricAlarm-${a.metric}`, {
          metric: new cloudwatch.Metric({
            namespace: a.namespace,
            metricName: a.metric,
            // Powertools Metrics' one default dimension
            dimensionsMap: { service: cf.serviceName },
            statistic: 'Sum',
            period: Duration.minutes(5),
          }),
          threshold: a.threshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          // no data point = nothing emitted = no anomaly
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: `${prefix}: '${def.id}' ${a.metric}. ${a.description}`,
        });
        metricAlarm.addAlarmAction(alarmAction);
      }
    }

    alarm(
      this.httpApi,
      'ServerErrorAlarm',
      this.httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      `${prefix}: back-office HTTP API answered 5xx`,
    );
    if (node) {
      alarm(
        node.api,
        'ServerErrorAlarm',
        node.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        `${prefix}: pagoPA node HTTP API answered 5xx (the node retries, receipts may be delayed)`,
      );
    }

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
        description: config.nodeMtls
          ? 'Base URL of the pagoPA node API (mutual TLS; its execute-api endpoint is disabled)'
          : 'Base URL of the pagoPA node API (NO mutual TLS in this stage)',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    for (const [qid, { queue: q }] of this.queues) new CfnOutput(this, `QueueUrl-${qid}`, { value: q.queueUrl });
  }

  private addTriggers(
    def: FunctionDef,
    cf: CatalogFunction,
    ctx: { catalog: Catalog; prefix: string; queue: (id: string) => sqs.Queue; table: dynamodb.ITable; config: DeployConfig },
  ): void {
    for (const [i, trigger] of def.triggers.entries()) {
      switch (trigger.kind) {
        case 'http': {
          const audience: HttpAudience = trigger.audience ?? 'back-office';
          const api = audience === 'pagopa-node' ? this.nodeApi! : this.httpApi;
          const authorizer = audience === 'pagopa-node' ? this.nodeAllowList?.authorizer : undefined;
          const routes = api.addRoutes({
            path: trigger.path,
            methods: [apigw.HttpMethod[trigger.method]],
            integration: new HttpLambdaIntegration(`${def.id}-integration-${i}`, cf.fn, {
              payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
            }),
            ...(authorizer ? { authorizer } : {}),
          });
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
          const a = new cloudwatch.Alarm(failures, 'NotEmptyAlarm', {
            metric: failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
            threshold: 0,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
            alarmDescription: `${ctx.prefix}: stream batches of '${def.id}' given up after ${STREAM_RETRY_ATTEMPTS} retries`,
          });
          a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
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
    : `Network: stage '${config.stage}' has NO mutual TLS and no IP allow list: the route is on the node API's default execute-api endpoint and anyone who knows the caller ids can call it; never hold real tenants in such a stage.`;
  return `${route}: ${trigger.unauthenticatedReason} ${network}`;
}
