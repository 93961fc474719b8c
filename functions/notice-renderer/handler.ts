import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createNoticeRuntime, type NoticeRuntime } from '../../shared/notices-composition';
import { noticeTriggerSchema, refreshNotice } from '../../shared/use-cases/notices';
import { parseMessage } from '../../events/parse-message';

/**
 * notice-render queue (domain events of debt positions) → the position's notice rendered into
 * the bucket when payable, its stored notices removed when not. Records are handled one by one
 * (events of one position often arrive together); a failed one is retried alone.
 */
export function makeHandler(rt: Pick<NoticeRuntime, 'positions' | 'organizations' | 'objects' | 'render' | 'clock' | 'log' | 'logger'>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: Array<{ itemIdentifier: string }> = [];
    for (const record of event.Records) {
      const trigger = parseMessage(noticeTriggerSchema, record.body);
      if (!trigger.success) {
        // kept (retried, then parked in the DLQ) for someone to look at, never dropped silently
        rt.logger.error('malformed notice-render message', { messageId: record.messageId, issues: trigger.error.issues.map((i) => i.message) });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const outcome = await refreshNotice(rt, trigger.data);
        rt.logger.info('notice refreshed', { eventType: trigger.data.eventType, version: trigger.data.version, outcome });
      } catch (error) {
        rt.logger.error('notice refresh failed', { messageId: record.messageId, error: error as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

export const handler = makeHandler(createNoticeRuntime());
