/**
 * One CloudWatch dashboard per stage, `<service>-<stage>`: the flows a municipality cares about
 * first (positions, receipts and anomalies, notices, App IO and e-mail, webhooks), then what can
 * hold them up (queue depths and ages, dead-letter queues, the outbox stream's lag, the APIs'
 * errors and latency, function errors, cold starts).
 *
 * Business metrics are the ones the functions emit through Powertools Metrics: namespace
 * POWERTOOLS_METRICS_NAMESPACE, dimension `service` = POWERTOOLS_SERVICE_NAME (one per function,
 * the stage included). Which function emits which metric is the functions' business, so every
 * line is the SUM over all functions of the stage: exact metrics (no SEARCH across stages).
 * Powertools' ColdStart carries one more dimension, `function_name` (the Lambda function name).
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CatalogFunction } from './catalog-function';

/** What the functions count (shared/observability: BusinessMetric), by these exact names. */
export const BUSINESS_METRICS = [
  'PositionCreated',
  'ReceiptApplied',
  'ReceiptAnomaly',
  'NoticeRendered',
  'IoMessageSent',
  'IoMessageFailed',
  'EmailSent',
  'WebhookDelivered',
  'WebhookFailed',
] as const;
export type BusinessMetricName = (typeof BUSINESS_METRICS)[number];
/** Powertools Metrics' cold-start metric (captureColdStartMetric) */
export const COLD_START_METRIC = 'ColdStart';

const PERIOD = Duration.minutes(5);

export interface LayerDashboardProps {
  readonly dashboardName: string;
  readonly title: string;
  /** the catalog's metricsNamespace; absent: no business-metric widgets */
  readonly metricsNamespace?: string;
  readonly functions: ReadonlyMap<string, CatalogFunction>;
  readonly queues: ReadonlyMap<string, { queue: sqs.IQueue; dlq: sqs.IQueue }>;
  /** on-failure queues of the stream event sources, by function id */
  readonly streamFailures: ReadonlyMap<string, sqs.IQueue>;
  /** table-stream consumers, by function id */
  readonly streamConsumers: readonly string[];
  readonly apis: ReadonlyArray<{ readonly name: string; readonly api: apigw.HttpApi }>;
}

export class LayerDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: LayerDashboardProps) {
    super(scope, id);
    const fns = [...props.functions.values()];
    let seq = 0;
    /** one line: the sum of a metric over every function of the stage (unique ids per widget) */
    const sumOverFunctions = (label: string, metricFor: (cf: CatalogFunction) => cloudwatch.IMetric): cloudwatch.IMetric => {
      const tag = `s${seq++}`;
      const usingMetrics = Object.fromEntries(fns.map((cf, i) => [`${tag}f${i}`, metricFor(cf)]));
      return new cloudwatch.MathExpression({
        expression: `SUM([${Object.keys(usingMetrics).join(',')}])`,
        usingMetrics,
        label,
        period: PERIOD,
      });
    };
    const business = (name: BusinessMetricName): cloudwatch.IMetric =>
      sumOverFunctions(name, (cf) =>
        new cloudwatch.Metric({
          namespace: props.metricsNamespace!,
          metricName: name,
          dimensionsMap: { service: cf.serviceName },
          statistic: 'Sum',
          period: PERIOD,
        }),
      );
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, period: PERIOD, ...extra });

    const rows: cloudwatch.IWidget[][] = [
      [
        new cloudwatch.TextWidget({
          markdown:
            `# ${props.title}\n` +
            'Counts per 5 minutes, summed over every function of the stage. A **receipt anomaly** is money that moved but could not be ' +
            'applied: `GET /organizations/{ofc}/receipts/anomalies`. Anything in a **dead-letter queue** was given up after its retries.',
          width: 24,
          height: 2,
        }),
      ],
    ];
    if (props.metricsNamespace) {
      rows.push(
        [
          graph('Debt positions created', [business('PositionCreated')]),
          graph('Receipts applied / anomalies', [business('ReceiptApplied')], { right: [business('ReceiptAnomaly')] }),
          graph('Notices rendered', [business('NoticeRendered')]),
        ],
        [
          graph('App IO messages sent / failed, e-mails sent', [business('IoMessageSent'), business('IoMessageFailed'), business('EmailSent')]),
          graph('Webhooks delivered / failed', [business('WebhookDelivered'), business('WebhookFailed')]),
          graph('Cold starts', [
            sumOverFunctions(COLD_START_METRIC, (cf) =>
              new cloudwatch.Metric({
                namespace: props.metricsNamespace!,
                metricName: COLD_START_METRIC,
                dimensionsMap: { service: cf.serviceName, function_name: cf.functionName },
                statistic: 'Sum',
                period: PERIOD,
              }),
            ),
          ]),
        ],
      );
    }

    const queues = [...props.queues.entries()];
    const dlqs: cloudwatch.IMetric[] = [
      ...queues.map(([qid, { dlq }]) => dlq.metricApproximateNumberOfMessagesVisible({ label: `${qid}-dlq`, statistic: 'Maximum', period: PERIOD })),
      ...[...props.streamFailures.entries()].map(([fid, q]) =>
        q.metricApproximateNumberOfMessagesVisible({ label: `${fid}-stream-failures`, statistic: 'Maximum', period: PERIOD }),
      ),
    ];
    rows.push([
      graph(
        'Queue depth (visible messages)',
        queues.map(([qid, { queue }]) => queue.metricApproximateNumberOfMessagesVisible({ label: qid, statistic: 'Maximum', period: PERIOD })),
      ),
      graph(
        'Oldest message age (s)',
        queues.map(([qid, { queue }]) => queue.metricApproximateAgeOfOldestMessage({ label: qid, statistic: 'Maximum', period: PERIOD })),
      ),
      graph('Dead-letter queues (messages given up)', dlqs),
    ]);

    const apiWidgets = props.apis.flatMap(({ name, api }) => [
      graph(`${name}: requests, 4xx, 5xx`, [
        api.metricCount({ label: 'requests', statistic: 'Sum', period: PERIOD }),
        api.metricClientError({ label: '4xx', statistic: 'Sum', period: PERIOD }),
        api.metricServerError({ label: '5xx', statistic: 'Sum', period: PERIOD }),
      ]),
      graph(`${name}: latency (ms)`, [
        api.metricLatency({ label: 'p50', statistic: 'p50', period: PERIOD }),
        api.metricLatency({ label: 'p99', statistic: 'p99', period: PERIOD }),
        api.metricIntegrationLatency({ label: 'integration p99', statistic: 'p99', period: PERIOD }),
      ]),
    ]);
    for (let i = 0; i < apiWidgets.length; i += 3) rows.push(apiWidgets.slice(i, i + 3));

    rows.push([
      graph('Function errors / throttles (all functions)', [
        sumOverFunctions('errors', (cf) => cf.fn.metricErrors({ statistic: 'Sum', period: PERIOD })),
        sumOverFunctions('throttles', (cf) => cf.fn.metricThrottles({ statistic: 'Sum', period: PERIOD })),
      ]),
      graph(
        'Outbox stream lag: IteratorAge (ms)',
        props.streamConsumers.map((fid) =>
          props.functions.get(fid)!.fn.metric('IteratorAge', { label: fid, statistic: 'Maximum', period: PERIOD }),
        ),
      ),
      graph(
        'Function duration p99 (ms), slowest first',
        [
          new cloudwatch.MathExpression({
            expression: `SORT(METRICS(), MAX, DESC, 5)`,
            usingMetrics: Object.fromEntries(
              fns.map((cf, i) => [`d${i}`, cf.fn.metricDuration({ label: cf.functionName, statistic: 'p99', period: PERIOD })]),
            ),
            // a dynamic label: each series keeps its function's name
            label: '${LABEL}',
            period: PERIOD,
          }),
        ],
      ),
    ]);

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(24),
      widgets: rows,
    });
  }
}
