import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { envNameFor } from '../../infra/catalog';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoSubscriberStore } from '../../shared/adapters/dynamo/subscriber-store';
import { SqsQueuePublisher } from '../../shared/adapters/queue-publisher';
import type { QueuePublisher } from '../../shared/use-cases/ports';
import { createLogger } from '../../shared/observability/logger';
import { fanOutEvents, type SubscriberStore } from '../../shared/use-cases/webhooks';

/** webhook-fanout queue (domain events) → one message per subscriber on the webhook-delivery queue. */
export function makeHandler(deps: {
  subscribers: Pick<SubscriberStore, 'list'>;
  publisher: QueuePublisher;
  deliveryQueueUrl: string;
  log: ReturnType<typeof createLogger>;
}) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failed = await fanOutEvents(
      {
        subscribers: deps.subscribers,
        publisher: deps.publisher,
        deliveryQueueUrl: deps.deliveryQueueUrl,
        onInvalid: (messageId, reason) => deps.log.error('invalid event on the webhook fan-out queue', { messageId, reason }),
      },
      event.Records.map((r) => ({ recordId: r.messageId, body: r.body })),
    );
    if (failed.length > 0) deps.log.warn('webhook fan-out: messages left for redelivery', { count: failed.length });
    return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`invalid configuration: ${name} is required`);
  return value;
}

export const handler = makeHandler({
  subscribers: new DynamoSubscriberStore(createDocumentClient(), required('TABLE_NAME_MAIN')),
  publisher: new SqsQueuePublisher(new SQSClient({})),
  deliveryQueueUrl: required(envNameFor('queue', 'webhook-delivery')),
  log: createLogger(),
});
