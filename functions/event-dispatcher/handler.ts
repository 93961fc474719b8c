import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { envNameFor, subscribersOf } from '../../infra/catalog';
import { SqsQueuePublisher } from '../../shared/adapters/queue-publisher';
import type { QueuePublisher } from '../../shared/use-cases/ports';
import { createLogger } from '../../shared/observability/logger';
import { dispatchEvents } from '../../shared/use-cases/dispatch-events';

/** Table stream (outbox items, `type = event`) → subscribed SQS queues. */
export function makeHandler(deps: { publisher: QueuePublisher; env: NodeJS.ProcessEnv; log: ReturnType<typeof createLogger> }) {
  const routes = (eventType: string): string[] =>
    subscribersOf(eventType).flatMap((q) => {
      const url = deps.env[envNameFor('queue', q.id)];
      return url ? [url] : [];
    });
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records.filter((r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage).map((r) => ({
      recordId: r.dynamodb?.SequenceNumber ?? '',
      event: unmarshall(r.dynamodb?.NewImage as Record<string, AttributeValue>)['event'],
    }));
    const failed = await dispatchEvents(
      { publisher: deps.publisher, routes, onInvalid: (id, reason) => deps.log.error('invalid outbox event', { recordId: id, reason }) },
      records,
    );
    // Stream batches are ordered: report the first failure, Lambda retries from there on.
    const first = records.find((r) => failed.includes(r.recordId));
    return { batchItemFailures: first ? [{ itemIdentifier: first.recordId }] : [] };
  };
}

export const handler = makeHandler({ publisher: new SqsQueuePublisher(new SQSClient({})), env: process.env, log: createLogger() });
