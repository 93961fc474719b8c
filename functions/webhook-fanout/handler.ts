import { webhookEventSchema } from '../../events/webhook-delivery';
import { webhooksRoot, type WebhookFanOutDeps } from '../../shared/composition/webhooks';
import { consumeQueue } from '../../shared/messaging/sqs-consumer';
import { fanOutEvent } from '../../shared/use-cases/webhooks/fan-out';

/**
 * webhook-fanout queue (domain events) → one message per subscriber on the webhook-delivery
 * queue. An event whose messages were not all accepted is left for redelivery whole.
 */
export const makeHandler = (deps: WebhookFanOutDeps) =>
  consumeQueue(deps, {
    what: 'webhook event',
    schema: webhookEventSchema,
    handle: async ({ body, raw }) => {
      // subscribers receive (and verify the signature over) the event exactly as it was queued
      const { notSent } = await fanOutEvent(deps, { event: body, payload: raw });
      if (notSent > 0) throw new Error(`${notSent} webhook delivery message(s) not accepted`);
    },
  });

export const handler = makeHandler(webhooksRoot().fanOut());
