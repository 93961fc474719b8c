/**
 * Back offices register subscribers (a URL and the event types it wants), list and remove them,
 * and read what was delivered to each. The signing secret is generated here and shown once.
 */
import type { WebhookEventType } from '../../../events/webhook-delivery';
import { checkWebhookUrl } from '../../domain/webhook-url';
import { UseCaseError } from '../errors';
import type { WebhookDeliveryMessage } from '../../../events/webhook-delivery';
import type { Actor, QueuePublisher } from '../ports';
import type { DeliveryPage, DeliveryRecord, PositionDeliveries, SubscriberStore, WebhookSubscriber, WebhookSubscriberWithSecret } from './ports';

export const MAX_SUBSCRIBERS_PER_TENANT = 20;

/** Deliveries listed per page when the caller does not say. */
export const DEFAULT_DELIVERIES_PAGE = 50;

export interface SubscriberDeps {
  readonly subscribers: SubscriberStore;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly newSecret: () => string;
  /** the local cloud only: http to 127.0.0.1/localhost is allowed */
  readonly allowLoopbackHttp: boolean;
}

export interface RegisterSubscriber {
  readonly organizationFiscalCode: string;
  readonly url: string;
  readonly eventTypes: readonly WebhookEventType[];
  readonly description?: string;
}

export interface SubscriberRef {
  readonly organizationFiscalCode: string;
  readonly subscriberId: string;
}

export interface DeliveriesQuery extends SubscriberRef {
  readonly limit?: number;
  readonly cursor?: string;
}

/** Returns the subscriber and its signing secret, which is never shown again. */
export async function registerSubscriber(
  deps: SubscriberDeps,
  command: RegisterSubscriber,
): Promise<{ subscriber: WebhookSubscriber; secret: string }> {
  const checked = checkWebhookUrl(command.url, { allowLoopbackHttp: deps.allowLoopbackHttp });
  if (!checked.ok) throw new UseCaseError('invalid', `Invalid url: ${checked.reason}`, [{ field: 'url', message: checked.reason }]);
  const subscriber: WebhookSubscriberWithSecret = {
    id: deps.newId(),
    organizationFiscalCode: command.organizationFiscalCode,
    url: checked.url,
    eventTypes: [...command.eventTypes],
    description: command.description ?? '',
    status: 'ACTIVE',
    createdAt: deps.clock().toISOString(),
    secret: deps.newSecret(),
  };
  if (!(await deps.subscribers.create(subscriber, MAX_SUBSCRIBERS_PER_TENANT))) {
    throw new UseCaseError('conflict', `an organization can have at most ${MAX_SUBSCRIBERS_PER_TENANT} webhook subscribers`);
  }
  return { subscriber: withoutSecret(subscriber), secret: subscriber.secret };
}

/** The tenant's subscribers, oldest first, never with their secrets. */
export async function listSubscribers(deps: Pick<SubscriberDeps, 'subscribers'>, organizationFiscalCode: string): Promise<WebhookSubscriber[]> {
  const all = await deps.subscribers.list(organizationFiscalCode);
  return all.map(withoutSecret).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** Subscriber ids are generated UUIDs; a path value far longer is not looked up (table keys are limited to 1-2 KB). */
const plausibleSubscriberId = (id: string): boolean => id.length > 0 && id.length <= 128;

export async function removeSubscriber(deps: Pick<SubscriberDeps, 'subscribers'>, ref: SubscriberRef): Promise<void> {
  const { organizationFiscalCode, subscriberId } = ref;
  if (!plausibleSubscriberId(subscriberId) || !(await deps.subscribers.remove(organizationFiscalCode, subscriberId))) {
    throw new UseCaseError('not-found', `no webhook subscriber ${subscriberId}`);
  }
}

/** The deliveries to one subscriber, newest first. */
export async function listDeliveries(deps: Pick<SubscriberDeps, 'subscribers'>, query: DeliveriesQuery): Promise<DeliveryPage> {
  const { organizationFiscalCode, subscriberId } = query;
  if (!plausibleSubscriberId(subscriberId) || !(await deps.subscribers.get(organizationFiscalCode, subscriberId))) {
    throw new UseCaseError('not-found', `no webhook subscriber ${subscriberId}`);
  }
  const page = await deps.subscribers.listDeliveries(organizationFiscalCode, subscriberId, {
    limit: query.limit ?? DEFAULT_DELIVERIES_PAGE,
    cursor: query.cursor,
  });
  if (!page) throw new UseCaseError('invalid', 'Invalid cursor', [{ field: 'cursor', message: 'not a cursor of this listing' }]);
  return page;
}

/** The deliveries of a position listed at most (its detail says so). */
export const POSITION_DELIVERIES_SHOWN = 50;

export interface PositionDeliveryLine extends DeliveryRecord {
  /** where it went; absent when the subscriber has been removed since */
  readonly subscriber?: Pick<WebhookSubscriber, 'url' | 'description'>;
}

/**
 * The deliveries of the events about one position (its payments, its changes) to every subscriber
 * of the tenant, newest first, at most `limit`; `more` when older ones exist. One index query, and
 * one read of the tenant's subscribers to name where each went.
 */
export async function deliveriesOfPosition(
  deps: { readonly subscribers: Pick<SubscriberStore, 'list'>; readonly positionDeliveries: PositionDeliveries },
  organizationFiscalCode: string,
  iupd: string,
  limit: number = POSITION_DELIVERIES_SHOWN,
): Promise<{ items: PositionDeliveryLine[]; limit: number; more: boolean }> {
  const [found, subscribers] = await Promise.all([deps.positionDeliveries.ofPosition(organizationFiscalCode, iupd, limit + 1), deps.subscribers.list(organizationFiscalCode)]);
  const byId = new Map(subscribers.map((s) => [s.id, s]));
  const items = found.slice(0, limit).map((d) => {
    const s = byId.get(d.subscriberId);
    return s ? { ...d, subscriber: { url: s.url, description: s.description } } : d;
  });
  return { items, limit, more: found.length > limit };
}

export function withoutSecret(subscriber: WebhookSubscriberWithSecret): WebhookSubscriber {
  const { secret: _secret, ...rest } = subscriber;
  return rest;
}

export interface RedeliveryDeps {
  readonly subscribers: Pick<SubscriberStore, 'get' | 'requestRedelivery'>;
  readonly publisher: QueuePublisher;
  readonly deliveryQueueUrl: string;
  readonly clock: () => Date;
}

export interface Redeliver extends SubscriberRef {
  readonly eventId: string;
  readonly actor: Actor;
}

/**
 * Delivers again an event that failed for good (refused with a 4xx, or parked after every retry):
 * the record goes back to RETRYING with who asked, and the same body is queued for the deliverer,
 * which signs it anew and retries it as any delivery. A delivered event is not sent twice (the
 * deliverer skips it), nor one still being retried; a redelivery asked and not attempted since (the
 * queue may have refused it) can be asked again, at worst a duplicate the subscriber tells by its
 * event id, as with any at-least-once delivery.
 */
export async function redeliver(deps: RedeliveryDeps, command: Redeliver): Promise<DeliveryRecord> {
  const { organizationFiscalCode, subscriberId, eventId } = command;
  const subscriber = plausibleSubscriberId(subscriberId) ? await deps.subscribers.get(organizationFiscalCode, subscriberId) : undefined;
  if (!subscriber) throw new UseCaseError('not-found', `no webhook subscriber ${subscriberId}`);
  // event ids are the layer's own (at most 64 characters): a longer path value is not looked up
  const asked = eventId.length > 0 && eventId.length <= 128 ? await deps.subscribers.requestRedelivery(organizationFiscalCode, subscriberId, eventId, { at: deps.clock().toISOString(), actor: command.actor }) : ({ kind: 'not-found' } as const);
  if (asked.kind === 'not-found') throw new UseCaseError('not-found', `no delivery of event ${eventId} to this subscriber`);
  if (asked.kind === 'not-ended') throw new UseCaseError('conflict', `the delivery is ${asked.status}: only a FAILED or DEAD_LETTERED one is delivered again`);
  if (asked.kind === 'no-payload') throw new UseCaseError('conflict', 'this delivery was recorded before the layer kept what it sent: redrive it from the dead-letter queue instead');
  const message: WebhookDeliveryMessage = { eventId, eventType: asked.record.eventType as WebhookDeliveryMessage['eventType'], organizationFiscalCode, subscriberId, payload: asked.payload };
  const refused = await deps.publisher.send(deps.deliveryQueueUrl, [{ id: subscriberId, body: JSON.stringify(message), attributes: { eventType: message.eventType } }]);
  if (refused.length > 0) throw new Error('the delivery queue did not accept the redelivery: retry');
  return asked.record;
}
