/**
 * What the webhook use cases need from the outside world: the store of subscribers and of their
 * deliveries (one record per event and subscriber), and the HTTP sender; with the records they
 * carry. Adapters implement these (shared/adapters/dynamo/subscriber-store.ts,
 * shared/adapters/http-webhook-client.ts); tests hand in their own.
 */
import type { WebhookEventType } from '../../../events/webhook-delivery';
import type { Actor } from '../ports';

export interface WebhookSubscriber {
  readonly id: string;
  readonly organizationFiscalCode: string;
  readonly url: string;
  readonly eventTypes: readonly WebhookEventType[];
  readonly description: string;
  readonly status: 'ACTIVE';
  readonly createdAt: string;
}

/** A subscriber with its signing secret: only the store and the deliverer ever see this. */
export interface WebhookSubscriberWithSecret extends WebhookSubscriber {
  readonly secret: string;
}

export const DELIVERY_STATUSES = ['RETRYING', 'DELIVERED', 'FAILED', 'DEAD_LETTERED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event for one subscriber (idempotent key: eventId + subscriberId). */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly eventType: string;
  readonly subscriberId: string;
  /** POSTs made so far (every attempt, including duplicates caused by at-least-once) */
  readonly attempts: number;
  readonly status: DeliveryStatus;
  readonly lastStatusCode?: number;
  /** a short, safe reason when there was no HTTP answer (timeout, refused, blocked address) */
  readonly lastError?: string;
  readonly firstAttemptAt: string;
  readonly lastAttemptAt: string;
  readonly deliveredAt?: string;
  /** the last time someone asked to deliver it again, and who (the console) */
  readonly redelivery?: { readonly at: string; readonly by: Actor };
  /** true when the exact body sent is kept, so that it can be delivered again */
  readonly redeliverable?: boolean;
}

export interface AttemptToRecord {
  readonly organizationFiscalCode: string;
  readonly subscriberId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: DeliveryStatus;
  readonly statusCode?: number;
  readonly error?: string;
  readonly at: string;
  /** the exact body POSTed, kept with the record (the first attempt's) so that it can be delivered again */
  readonly payload?: string;
  /** the debt position the event is about, when it names one (debt-position.*, payment.received): indexed for the console's position detail */
  readonly iupd?: string;
}

export type RedeliveryRequest =
  /** the record, now RETRYING, and the body to queue again */
  | { readonly kind: 'requested'; readonly record: DeliveryRecord; readonly payload: string }
  | { readonly kind: 'not-found' }
  /** delivered, or still being retried: nothing to deliver again */
  | { readonly kind: 'not-ended'; readonly status: DeliveryStatus }
  /** recorded before bodies were kept */
  | { readonly kind: 'no-payload' };

export interface DeliveryPage {
  readonly items: DeliveryRecord[];
  /** opaque; absent on the last page */
  readonly cursor?: string;
}

export interface SubscriberStore {
  /** false when the tenant already has `max` subscribers */
  create(subscriber: WebhookSubscriberWithSecret, max: number): Promise<boolean>;
  list(organizationFiscalCode: string): Promise<WebhookSubscriberWithSecret[]>;
  get(organizationFiscalCode: string, id: string): Promise<WebhookSubscriberWithSecret | undefined>;
  /** false when there was no such subscriber */
  remove(organizationFiscalCode: string, id: string): Promise<boolean>;
  getDelivery(organizationFiscalCode: string, subscriberId: string, eventId: string): Promise<DeliveryRecord | undefined>;
  /** adds one attempt; never turns a DELIVERED record into anything else */
  recordAttempt(attempt: AttemptToRecord): Promise<void>;
  /** a FAILED or DEAD_LETTERED delivery set back to RETRYING (who and when kept), with its body, so that it is queued again */
  requestRedelivery(organizationFiscalCode: string, subscriberId: string, eventId: string, by: { at: string; actor: Actor }): Promise<RedeliveryRequest>;
  /** newest first; undefined when `cursor` is not one this listing handed out */
  listDeliveries(
    organizationFiscalCode: string,
    subscriberId: string,
    query: { limit: number; cursor?: string },
  ): Promise<DeliveryPage | undefined>;
}

/** The deliveries of the events about one position, to every subscriber of its tenant (the console's position detail). */
export interface PositionDeliveries {
  /** newest first (by first attempt), at most `limit`; only deliveries recorded with the position's iupd */
  ofPosition(organizationFiscalCode: string, iupd: string, limit: number): Promise<DeliveryRecord[]>;
}

export type SendOutcome =
  | { readonly kind: 'response'; readonly status: number; /** seconds, from a Retry-After header */ readonly retryAfterSeconds?: number }
  | { readonly kind: 'error'; readonly reason: string };

export interface WebhookSender {
  post(request: { url: string; headers: Record<string, string>; body: string; timeoutMs: number }): Promise<SendOutcome>;
}
