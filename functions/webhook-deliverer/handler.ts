import { webhookDeliveryMessageSchema } from '../../events/webhook-delivery';
import { webhooksRoot, type WebhookDelivererDeps } from '../../shared/composition/webhooks';
import { consumeQueue, RetryLater } from '../../shared/messaging/sqs-consumer';
import { deliverWebhook } from '../../shared/use-cases/webhooks/delivery';

/**
 * webhook-delivery queue → POST to the subscriber. Delivered / refused for good: the message is
 * deleted. Otherwise it comes back after the backoff delay; after the last try (receive count =
 * the queue's maxReceiveCount) at once, so SQS moves it to `webhook-delivery-dlq`.
 */
export const makeHandler = (deps: WebhookDelivererDeps) =>
  consumeQueue(deps, {
    what: 'webhook delivery message',
    schema: webhookDeliveryMessageSchema,
    handle: async ({ body, attempt }) => {
      const decision = await deliverWebhook(deps, body, attempt);
      deps.observe(body, attempt, decision);
      if (decision.kind === 'retry') throw new RetryLater(decision.delaySeconds, 'webhook delivery will be retried');
      if (decision.kind === 'dead-letter') throw new RetryLater(0, 'webhook delivery gave up: on to the DLQ');
    },
  });

export const handler = makeHandler(webhooksRoot().deliverer());
