/**
 * Delivery: one event for one subscriber, POSTed signed, the attempt recorded, and a decision on
 * what the queue does with the message next.
 *
 * Retries: the SAME SQS message is retried (its visibility timeout set to the backoff delay and
 * the message reported failed), so the queue's ApproximateReceiveCount is the attempt number and
 * the queue's own maxReceiveCount decides when it is parked in `<id>-dlq`. Both sides read one
 * number (the catalog's maxReceiveCount): a crash mid-batch counts as an attempt and loses
 * nothing (what was not deleted comes back), and the last failed try is moved to the DLQ by SQS.
 */
import type { WebhookDeliveryMessage } from '../../../events/webhook-delivery';
import { backoffDelaySeconds, type BackoffPolicy } from '../../domain/backoff';
import { SIGNATURE_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_ID_HEADER, signWebhook } from '../../domain/webhook-signature';
import { isIupd } from '../../domain/debt-position';
import type { DeliveryStatus, SendOutcome, SubscriberStore, WebhookSender } from './ports';

export interface DeliveryDeps {
  readonly subscribers: Pick<SubscriberStore, 'get' | 'getDelivery' | 'recordAttempt'>;
  readonly sender: WebhookSender;
  readonly clock: () => Date;
  readonly random: () => number;
  readonly backoff: BackoffPolicy;
  /** the delivery queue's maxReceiveCount: the try after which SQS parks the message */
  readonly maxAttempts: number;
  readonly timeoutMs: number;
}

export type DeliveryDecision =
  /** delete the message: delivered, refused for good, or nothing to do */
  | { readonly kind: 'done'; readonly why: 'delivered' | 'refused' | 'already-done' | 'subscriber-gone' | 'unsubscribed' }
  /** leave it on the queue, visible again after `delaySeconds` */
  | { readonly kind: 'retry'; readonly delaySeconds: number; readonly statusCode?: number; readonly error?: string }
  /** the last try failed: make it visible now so SQS moves it to the DLQ */
  | { readonly kind: 'dead-letter'; readonly statusCode?: number; readonly error?: string };

/** 2xx delivered; 408/429/5xx and no answer retried; any other answer (3xx, 4xx) refused for good. */
export function classifyOutcome(outcome: SendOutcome): 'delivered' | 'permanent' | 'retryable' {
  if (outcome.kind === 'error') return 'retryable';
  const s = outcome.status;
  if (s >= 200 && s < 300) return 'delivered';
  if (s === 408 || s === 429 || s >= 500) return 'retryable';
  return 'permanent';
}

/** The position an event names (its top-level `iupd`: debt-position.* and payment.received), so that its detail lists the delivery. */
export function positionOf(payload: string): { iupd?: string } {
  try {
    const iupd = (JSON.parse(payload) as { iupd?: unknown } | null)?.iupd;
    return typeof iupd === 'string' && isIupd(iupd) ? { iupd } : {};
  } catch {
    return {};
  }
}

export async function deliverWebhook(
  deps: DeliveryDeps,
  message: WebhookDeliveryMessage,
  /** SQS ApproximateReceiveCount: 1 on the first try */
  attempt: number,
): Promise<DeliveryDecision> {
  const { organizationFiscalCode: ofc, subscriberId, eventId, eventType } = message;
  const subscriber = await deps.subscribers.get(ofc, subscriberId);
  if (!subscriber) return { kind: 'done', why: 'subscriber-gone' };
  if (!subscriber.eventTypes.includes(eventType)) return { kind: 'done', why: 'unsubscribed' };
  const previous = await deps.subscribers.getDelivery(ofc, subscriberId, eventId);
  if (previous && (previous.status === 'DELIVERED' || previous.status === 'FAILED')) return { kind: 'done', why: 'already-done' };

  const now = deps.clock();
  const body = message.payload;
  const outcome = await deps.sender.post({
    url: subscriber.url,
    body,
    timeoutMs: deps.timeoutMs,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'pagopa-layer-webhooks/1',
      [WEBHOOK_ID_HEADER]: eventId,
      [WEBHOOK_EVENT_HEADER]: eventType,
      [SIGNATURE_HEADER]: signWebhook(subscriber.secret, Math.floor(now.getTime() / 1000), body),
    },
  });
  const kind = classifyOutcome(outcome);
  const statusCode = outcome.kind === 'response' ? outcome.status : undefined;
  const error = outcome.kind === 'error' ? outcome.reason : undefined;
  const isLast = attempt >= deps.maxAttempts;
  const status: DeliveryStatus =
    kind === 'delivered' ? 'DELIVERED' : kind === 'permanent' ? 'FAILED' : isLast ? 'DEAD_LETTERED' : 'RETRYING';
  await deps.subscribers.recordAttempt({
    organizationFiscalCode: ofc,
    subscriberId,
    eventId,
    eventType,
    status,
    statusCode,
    error,
    at: deps.clock().toISOString(),
    // kept so that a delivery that failed for good can be delivered again once the subscriber is fixed
    payload: body,
    ...positionOf(body),
  });
  if (kind === 'delivered') return { kind: 'done', why: 'delivered' };
  if (kind === 'permanent') return { kind: 'done', why: 'refused' };
  if (isLast) return { kind: 'dead-letter', statusCode, error };
  // never sooner than the subscriber asked (Retry-After), never later than the policy's cap
  const retryAfter = outcome.kind === 'response' ? outcome.retryAfterSeconds : undefined;
  return { kind: 'retry', delaySeconds: backoffDelaySeconds(attempt, deps.backoff, deps.random, retryAfter), statusCode, error };
}
