/**
 * The alarm rules of the layer, in one place, so the stacks and the tests agree on what "an alarm
 * that means something" is: error RATES (not "any error"), message ages relative to the queue's
 * own retry envelope, the stream consumer's lag, and any message parked in a dead-letter queue.
 * Every alarm goes to the stage's alarm topic.
 *
 * The alarms live in their own nested stack (`home`), with the topic: a stack holds at most 500
 * resources, and two alarms per function plus two per queue are a third of the layer's. Their
 * metrics name functions and queues by their physical names (plain strings known at synth), so
 * the nested stack takes no parameter per function.
 */
import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { FunctionDef, QueueDef } from '../../catalog';

/** The window error rates are computed over: long enough for a small municipality's traffic. */
export const ERROR_RATE_PERIOD = Duration.minutes(15);

export interface ErrorRateRule {
  readonly thresholdPercent: number;
  readonly minInvocations: number;
}

/** Functions answering calls or consuming queues/streams: ≥ 5 % of at least 10 invocations in 15 minutes. */
export const DEFAULT_ERROR_RATE: ErrorRateRule = { thresholdPercent: 5, minInvocations: 10 };
/** Scheduled functions run a few times an hour or once a day: any failed run counts. */
export const SCHEDULED_ERROR_RATE: ErrorRateRule = { thresholdPercent: 1, minInvocations: 1 };
/** API 5xx rate: ≥ 5 % of at least 10 requests in 15 minutes. */
export const API_5XX_RATE: ErrorRateRule = { thresholdPercent: 5, minInvocations: 10 };

/** At least this long before an "oldest message" alarm, whatever the queue's retry envelope. */
export const MIN_MESSAGE_AGE_ALARM_SECONDS = 900;
/** Table-stream consumers: outbox events later than this are late notices, messages and webhooks. */
export const DEFAULT_MAX_ITERATOR_AGE_SECONDS = 600;

export function errorRateRuleFor(def: FunctionDef): ErrorRateRule {
  if (def.errorRateAlarm) return def.errorRateAlarm;
  const scheduledOnly = def.triggers.length > 0 && def.triggers.every((t) => t.kind === 'schedule');
  return scheduledOnly ? SCHEDULED_ERROR_RATE : DEFAULT_ERROR_RATE;
}

/**
 * How old the oldest message of a queue may get: by default the time a message that keeps failing
 * spends retrying before its DLQ (visibility timeout × receives), so that "older" means the queue
 * is not being consumed (consumer down, throttled, backlog), while a failing message is the DLQ
 * alarm's business. A catalog value wins (queues whose consumer backs off on its own).
 */
export function maxMessageAgeSecondsFor(def: QueueDef): number {
  return def.maxMessageAgeSeconds ?? Math.max(def.visibilityTimeoutSeconds * def.maxReceiveCount, MIN_MESSAGE_AGE_ALARM_SECONDS);
}

/** The metric-math expression of an error-rate alarm (percent; 0 below the minimum count). */
export function errorRateExpression(rule: ErrorRateRule): string {
  return `IF(total >= ${rule.minInvocations}, 100 * FILL(failed, 0) / total, 0)`;
}

export class AlarmFactory {
  private readonly action: cwActions.SnsAction;

  constructor(
    topic: sns.ITopic,
    private readonly prefix: string,
    /** where the alarms are created (the alarms' nested stack) */
    private readonly home: Construct,
  ) {
    this.action = new cwActions.SnsAction(topic);
  }

  /** the alarm's id in its home: the construct it watches, then its own name */
  private idOf(scope: Construct, id: string): string {
    return `${Names.uniqueId(scope)}-${id}`;
  }

  private wire(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  /** failed / total × 100 ≥ threshold, evaluated only once `total` reached the minimum. */
  errorRate(
    scope: Construct,
    id: string,
    opts: { failed: cloudwatch.IMetric; total: cloudwatch.IMetric; rule: ErrorRateRule; what: string; description: string },
  ): cloudwatch.Alarm {
    return this.wire(
      new cloudwatch.Alarm(this.home, this.idOf(scope, id), {
        metric: new cloudwatch.MathExpression({
          expression: errorRateExpression(opts.rule),
          usingMetrics: { failed: opts.failed, total: opts.total },
          period: ERROR_RATE_PERIOD,
          label: `${opts.what} (%)`,
        }),
        threshold: opts.rule.thresholdPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          `${this.prefix}: ${opts.description} (≥ ${opts.rule.thresholdPercent} % of at least ${opts.rule.minInvocations} ` +
          `in ${ERROR_RATE_PERIOD.toMinutes()} minutes)`,
      }),
    );
  }

  /** metric > threshold on one data point. */
  above(scope: Construct, id: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm {
    return this.wire(
      new cloudwatch.Alarm(this.home, this.idOf(scope, id), {
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${this.prefix}: ${description}`,
      }),
    );
  }

  /** metric ≥ threshold on one data point (catalog metric alarms). */
  atLeast(scope: Construct, id: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm {
    return this.wire(
      new cloudwatch.Alarm(this.home, this.idOf(scope, id), {
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // no data point = nothing emitted = nothing happened
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${this.prefix}: ${description}`,
      }),
    );
  }
}

/** A metric of one Lambda function, named by its physical name. */
export function lambdaMetric(functionName: string, metricName: string, props: { statistic: string; period?: Duration }): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: functionName }, ...props });
}

/** A metric of one SQS queue, named by its physical name. */
export function queueMetric(queueName: string, metricName: string, props: { statistic: string; period?: Duration }): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/SQS', metricName, dimensionsMap: { QueueName: queueName }, ...props });
}
