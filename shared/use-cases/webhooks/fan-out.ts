/**
 * Fan-out: one domain event from the `webhook-fanout` queue becomes one message on the
 * `webhook-delivery` queue per active subscriber of its type (the deliverer POSTs each one).
 * At least once: when not every message was accepted the event is handled again whole, and the
 * deliverer skips what was delivered already.
 */
import type { WebhookDeliveryMessage, WebhookEvent } from '../../../events/webhook-delivery';
import type { OutgoingMessage, QueuePublisher } from '../ports';
import type { SubscriberStore, WebhookSubscriberWithSecret } from './ports';

export interface FanOutDeps {
  readonly subscribers: Pick<SubscriberStore, 'list'>;
  readonly publisher: QueuePublisher;
  readonly deliveryQueueUrl: string;
}

export interface FanOutEvent {
  readonly event: WebhookEvent;
  /** the exact JSON the subscribers receive (the same bytes on every attempt) */
  readonly payload: string;
}

export interface FanOutResult {
  /** delivery messages accepted by the queue */
  readonly sent: number;
  /** delivery messages the queue did not accept: the event must be handled again */
  readonly notSent: number;
}

export async function fanOutEvent(deps: FanOutDeps, command: FanOutEvent): Promise<FanOutResult> {
  const { event, payload } = command;
  const subscribers = await deps.subscribers.list(event.organizationFiscalCode);
  const messages: OutgoingMessage[] = subscribers
    .filter((s) => s.status === 'ACTIVE' && s.eventTypes.includes(event.eventType))
    .map((subscriber) => {
      const message: WebhookDeliveryMessage = {
        eventId: event.eventId,
        eventType: event.eventType,
        organizationFiscalCode: event.organizationFiscalCode,
        subscriberId: subscriber.id,
        payload,
      };
      return { id: subscriber.id, body: JSON.stringify(message), attributes: { eventType: event.eventType } };
    });
  if (messages.length === 0) return { sent: 0, notSent: 0 };
  const notSent = (await deps.publisher.send(deps.deliveryQueueUrl, messages)).length;
  return { sent: messages.length - notSent, notSent };
}

/**
 * The subscribers of a tenant read once for the events handled together: while one read of a
 * tenant is in flight, the others of that tenant wait for it instead of reading again.
 */
export function shareConcurrentReads(store: Pick<SubscriberStore, 'list'>): Pick<SubscriberStore, 'list'> {
  const inFlight = new Map<string, Promise<WebhookSubscriberWithSecret[]>>();
  return {
    list(organizationFiscalCode) {
      let read = inFlight.get(organizationFiscalCode);
      if (!read) {
        read = store.list(organizationFiscalCode).finally(() => inFlight.delete(organizationFiscalCode));
        inFlight.set(organizationFiscalCode, read);
      }
      return read;
    },
  };
}
