import { reportingFlowMessageSchema } from '../../events/reporting-flow';
import { reportingFlowAcquirerRoot, type ReportingFlowAcquirer } from '../../shared/composition/reconciliation';
import { backoffDelaySeconds } from '../../shared/domain/backoff';
import { RetryLater, consumeQueue } from '../../shared/messaging/sqs-consumer';
import { acquireFlows } from '../../shared/use-cases/reconciliation/acquire';
import { matchReceipt } from '../../shared/use-cases/reconciliation/matching';
import { FdrUnavailable } from '../../shared/use-cases/reconciliation/ports';

/**
 * reporting-flows queue: an acquisition request (the tenant's new flows fetched from FdR, stored,
 * matched; FdR down → retried with backoff), or a payment.received event (the flow lines waiting
 * for that receipt matched now).
 */
export const makeHandler = (deps: ReportingFlowAcquirer) =>
  consumeQueue(deps, {
    what: 'reporting-flow message',
    schema: reportingFlowMessageSchema,
    handle: async ({ body, attempt }) => {
      if ('eventType' in body) {
        await matchReceipt(deps, body);
        return;
      }
      try {
        const run = await acquireFlows(deps, body.organizationFiscalCode);
        if (run.acquired > 0) deps.count('ReportingFlowAcquired', run.acquired);
        deps.logger.info('reporting flows acquired', { ...run });
      } catch (error) {
        if (!(error instanceof FdrUnavailable)) throw error;
        if (!error.retryable) {
          deps.logger.error('FdR refused the acquisition; not retried', { organization: body.organizationFiscalCode, error });
          return;
        }
        throw new RetryLater(backoffDelaySeconds(attempt, { baseSeconds: 30, maxSeconds: 3600, minSeconds: 5 }, Math.random), error.message);
      }
    },
  });

export const handler = makeHandler(reportingFlowAcquirerRoot());
