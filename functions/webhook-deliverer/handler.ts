import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { catalog, envNameFor } from '../../infra/catalog';
import { webhookDeliveryMessageSchema } from '../../events/webhook-delivery';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoSubscriberStore } from '../../shared/adapters/dynamo/subscriber-store';
import { HttpWebhookClient } from '../../shared/adapters/http-webhook-client';
import { readConfig } from '../../shared/config/env';
import { createLogger } from '../../shared/observability/logger';
import { deliverWebhook, type DeliveryDecision, type DeliveryDeps } from '../../shared/use-cases/webhooks';
import { parseMessage } from '../../events/parse-message';

export const DELIVERY_QUEUE_ID = 'webhook-delivery';

/** Sets when a message left on the queue is seen again (SQS ChangeMessageVisibility). */
export type VisibilityTimer = (receiptHandle: string, seconds: number) => Promise<void>;

/**
 * webhook-delivery queue → POST to the subscriber. Delivered / refused for good: the message is
 * deleted. Otherwise it is reported failed (ReportBatchItemFailures) and made visible again after
 * the backoff delay; on the last try (receive count = the queue's maxReceiveCount) right away, so
 * SQS moves it to `webhook-delivery-dlq`. Records are handled concurrently; one's failure never
 * affects another's.
 */
export function makeHandler(deps: { delivery: DeliveryDeps; setVisibility: VisibilityTimer; log: ReturnType<typeof createLogger> }) {
  const { log } = deps;
  async function one(record: SQSRecord): Promise<boolean> {
    const attempt = Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1);
    let decision: DeliveryDecision;
    const parsed = parseMessage(webhookDeliveryMessageSchema, record.body);
    if (!parsed.success) {
      // cannot be delivered, must not vanish: straight through its receives into the DLQ
      log.error('invalid webhook delivery message', { messageId: record.messageId, attempt });
      decision = { kind: 'dead-letter' };
    } else {
      const m = parsed.data;
      try {
        decision = await deliverWebhook(deps.delivery, m, attempt);
      } catch (error) {
        log.error('webhook delivery failed unexpectedly; left for redelivery', {
          messageId: record.messageId,
          eventId: m.eventId,
          subscriberId: m.subscriberId,
          error: error as Error,
        });
        return false; // back after the queue's visibility timeout
      }
      const context = { eventId: m.eventId, subscriberId: m.subscriberId, eventType: m.eventType, attempt };
      if (decision.kind === 'done') log.info('webhook delivery done', { ...context, outcome: decision.why });
      else if (decision.kind === 'retry') log.warn('webhook delivery will be retried', { ...context, statusCode: decision.statusCode, error: decision.error, delaySeconds: decision.delaySeconds });
      else log.error('webhook delivery gave up: parked in the DLQ', { ...context, statusCode: decision.statusCode, error: decision.error });
    }
    if (decision.kind === 'done') return true;
    try {
      await deps.setVisibility(record.receiptHandle, decision.kind === 'retry' ? decision.delaySeconds : 0);
    } catch (error) {
      log.warn('could not set the retry delay; the queue visibility timeout applies', { messageId: record.messageId, error: error as Error });
    }
    return false;
  }

  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const results = await Promise.all(event.Records.map(async (r) => ({ id: r.messageId, ok: await one(r).catch(() => false) })));
    return { batchItemFailures: results.filter((r) => !r.ok).map((r) => ({ itemIdentifier: r.id })) };
  };
}

/** Plain settings with defaults; the attempt count is the queue's maxReceiveCount (catalog). */
export const delivererConfigSchema = z.object({
  TABLE_NAME_MAIN: z.string().min(3),
  QUEUE_URL_WEBHOOK_DELIVERY: z.string().min(1),
  /** the ceiling of the first retry delay; doubles per attempt (full jitter below it) */
  WEBHOOK_BACKOFF_BASE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  WEBHOOK_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(0).max(43_200).default(3600),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(29_000).default(5000),
  LOCAL_CLOUD: z.string().optional(),
});

export function deliveryAttempts(): number {
  const queue = catalog.queues.find((q) => q.id === DELIVERY_QUEUE_ID);
  if (!queue) throw new Error(`the catalog has no '${DELIVERY_QUEUE_ID}' queue`);
  return queue.maxReceiveCount;
}

function compose(): Parameters<typeof makeHandler>[0] {
  const config = readConfig(delivererConfigSchema, process.env);
  const sqs = new SQSClient({});
  const queueUrl = config[envNameFor('queue', DELIVERY_QUEUE_ID) as 'QUEUE_URL_WEBHOOK_DELIVERY'];
  return {
    delivery: {
      subscribers: new DynamoSubscriberStore(createDocumentClient(), config.TABLE_NAME_MAIN),
      sender: new HttpWebhookClient({ allowLoopback: config.LOCAL_CLOUD === 'true' }),
      clock: () => new Date(),
      random: Math.random,
      backoff: { baseSeconds: config.WEBHOOK_BACKOFF_BASE_SECONDS, maxSeconds: config.WEBHOOK_BACKOFF_MAX_SECONDS },
      maxAttempts: deliveryAttempts(),
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    },
    setVisibility: async (receiptHandle, seconds) => {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    },
    log: createLogger(),
  };
}

export const handler = makeHandler(compose());
