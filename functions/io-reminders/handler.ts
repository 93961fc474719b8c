import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoMessageRecordStore, positionsByStatusAndDueDate } from '../../shared/adapters/dynamo/message-store';
import { DynamoOrganizationStore } from '../../shared/adapters/dynamo/organization-store';
import { SqsQueuePublisher } from '../../shared/adapters/queue-publisher';
import { readConfig } from '../../shared/config/env';
import { createLogger } from '../../shared/observability/logger';
import { enqueueDueReminders, type ReminderDeps, type ReminderRunSummary } from '../../shared/use-cases/citizen-messages';

/**
 * Daily schedule (locally every few seconds) → `io.reminder` requests on the io-messages queue
 * for the unpaid options whose due date is within a tenant's reminder days.
 */
export function makeHandler(deps: ReminderDeps & { log: ReturnType<typeof createLogger> }) {
  return async (_event: ScheduledEvent): Promise<ReminderRunSummary> => {
    const summary = await enqueueDueReminders(deps);
    deps.log.info('reminders planned', { ...summary });
    if (summary.notAccepted > 0) throw new Error(`${summary.notAccepted} reminder request(s) not accepted by the queue; the next run asks again`);
    return summary;
  };
}

const configSchema = z.object({ TABLE_NAME_MAIN: z.string().min(3), QUEUE_URL_IO_MESSAGES: z.string().min(1) });

function compose(): Parameters<typeof makeHandler>[0] {
  const config = readConfig(configSchema, process.env);
  const db = createDocumentClient();
  const publisher = new SqsQueuePublisher(new SQSClient({}));
  return {
    organizations: new DynamoOrganizationStore(db, config.TABLE_NAME_MAIN),
    positionsDue: (ofc, status, from, to) => positionsByStatusAndDueDate(db, config.TABLE_NAME_MAIN, ofc, status, from, to),
    records: new DynamoMessageRecordStore(db, config.TABLE_NAME_MAIN),
    enqueue: (requests) =>
      publisher.send(
        config.QUEUE_URL_IO_MESSAGES,
        requests.map((r) => ({ id: r.eventId, body: JSON.stringify(r), attributes: { eventType: r.eventType } })),
      ),
    clock: () => new Date(),
    log: createLogger(),
  };
}

export const handler = makeHandler(compose());
