import { ioSenderRoot, type IoSender } from '../../shared/composition/app-io';
import { backoffDelaySeconds } from '../../shared/domain/backoff';
import { citizenMessageRequestOf, ioSenderMessageSchema } from '../../shared/messaging/io-messages';
import { RetryLater, consumeQueue } from '../../shared/messaging/sqs-consumer';
import { sendCitizenMessages, type SendResult } from '../../shared/use-cases/app-io/send-message';

/**
 * Queue `io-messages` (domain events + reminder requests) → App IO (or e-mail), each message at
 * most once (shared/use-cases/app-io/send-message.ts). A message that must be retried (429, 5xx,
 * timeout, rate budget spent, an unexpected failure) comes back after its own backoff (full
 * jitter, at least IO's Retry-After), never holding back the others of its batch.
 * The published event of a position an upload created asks for nothing: the upload's paced
 * release (functions/upload-follow-up) asks for its new-notice messages (io.upload-notice).
 */
export const makeHandler = (deps: IoSender) =>
  consumeQueue(deps.consumer, {
    what: 'io-messages queue message',
    schema: ioSenderMessageSchema,
    handle: async ({ body, attempt }) => {
      const request = citizenMessageRequestOf(body);
      if (!request) return;
      const at = { eventType: body.eventType, eventId: body.eventId };
      let result: SendResult;
      try {
        result = await sendCitizenMessages(deps.messages, request);
      } catch (error) {
        deps.logger.error('io request failed unexpectedly; left for redelivery', { eventId: body.eventId, attempt, error: error as Error });
        throw new RetryLater(backoffDelaySeconds(attempt, deps.backoff, deps.random), 'unexpected failure');
      }
      for (const m of result.messages) {
        if (m.result === 'sent') deps.count(m.channel === 'io' ? 'IoMessageSent' : 'EmailSent');
        else if (m.result === 'failed') deps.count('IoMessageFailed');
      }
      const results = result.messages.map((m) => `${m.key.kind}:${m.result}${'detail' in m && m.detail ? ` (${m.detail})` : ''}`);
      if (!result.retry) {
        deps.logger.info('io request handled', { ...at, results: result.messages.map((m) => `${m.key.kind}:${m.result}`) });
        return;
      }
      const delaySeconds = backoffDelaySeconds(attempt, deps.backoff, deps.random, (result.retryAfterMs ?? 0) / 1000);
      deps.logger.warn('io request will be retried', { ...at, attempt, delaySeconds, results });
      throw new RetryLater(delaySeconds, 'io request will be retried');
    },
  });

export const handler = makeHandler(ioSenderRoot());
