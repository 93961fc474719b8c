/**
 * Powertools as intended, the same on every function: one masking logger and one metrics
 * instance per process, and `instrument(handler)` as the middy chain every Lambda handler is
 * built with — the Lambda context (request id, cold start, function name) on every log line, a
 * ColdStart metric, and the business metrics a handler counted flushed at the end of each
 * invocation (EMF on stdout; CloudWatch turns them into metrics).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createLogger } from './logger';

/** The business metrics of the layer (the CDK dashboard and alarms watch these names). */
export type BusinessMetric =
  | 'PositionCreated'
  | 'ReceiptApplied'
  | 'ReceiptAnomaly'
  | 'NoticeRendered'
  | 'IoMessageSent'
  | 'IoMessageFailed'
  | 'EmailSent'
  | 'WebhookDelivered'
  | 'WebhookFailed'
  // reconciliation (shared/composition/reconciliation.ts): an alarm watches ReconciliationAnomaly
  | 'ReportingFlowAcquired'
  | 'ReconciliationAnomaly';

export interface Telemetry {
  readonly logger: Logger;
  /** counts one occurrence (or `n`) of a business metric in this invocation */
  count(metric: BusinessMetric, n?: number): void;
}

let shared: { logger: Logger; metrics: Metrics } | undefined;

function instances(): { logger: Logger; metrics: Metrics } {
  if (!shared) {
    const logger = createLogger();
    const metrics = new Metrics({
      namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'PagopaLayer',
      serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'pagopa-layer',
      // an invocation that counted nothing is normal here (a GET, a skipped message): Powertools'
      // "No application metrics to publish" warning goes to the debug level of our logger
      logger: {
        debug: (...args: unknown[]) => logger.debug(String(args[0])),
        info: (...args: unknown[]) => logger.info(String(args[0])),
        warn: (...args: unknown[]) => logger.debug(String(args[0])),
        error: (...args: unknown[]) => logger.error(String(args[0])),
      },
    });
    shared = { logger, metrics };
  }
  return shared;
}

/** The process's logger and metric counter (built on first use, after the environment is set). */
export function telemetry(): Telemetry {
  const { logger, metrics } = instances();
  return { logger, count: (metric, n = 1) => metrics.addMetric(metric, MetricUnit.Count, n) };
}

/** Wraps a Lambda handler in the middlewares above. */
export function instrument<E, R>(handler: (event: E, context: Context) => Promise<R>) {
  const { logger, metrics } = instances();
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }));
}
