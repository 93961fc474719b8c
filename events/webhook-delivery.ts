/**
 * Contracts of the outgoing webhooks (back offices told what was paid):
 *  - the domain events a tenant may subscribe to, as they arrive on the `webhook-fanout` queue
 *    (a copy of the outbox event; their schemas are in domain-events.ts, reporting-flow.ts and upload.ts);
 *  - the message on the `webhook-delivery` queue: one event for one subscriber.
 * The body POSTed to the subscriber is exactly the event JSON (`payload`), the same bytes on
 * every attempt so the signature and the receiver's de-duplication key (`eventId`) stay stable.
 */
import * as z from 'zod';
import { DEBT_POSITION_EVENT_TYPES } from './domain-events';
import { RECONCILIATION_EVENT_TYPES } from './reporting-flow';
import { UPLOAD_EVENT_TYPES } from './upload';

export const WEBHOOK_EVENT_TYPES = ['payment.received', ...DEBT_POSITION_EVENT_TYPES, ...RECONCILIATION_EVENT_TYPES, ...UPLOAD_EVENT_TYPES] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What the fan-out needs of any subscribable event; the rest is passed through untouched. */
export const webhookEventSchema = z.looseObject({
  eventId: z.string().min(1).max(64),
  eventType: z.enum(WEBHOOK_EVENT_TYPES),
  occurredAt: z.string().min(1),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** One event for one subscriber, on the `webhook-delivery` queue. */
export const webhookDeliveryMessageSchema = z.object({
  eventId: z.string().min(1).max(64),
  eventType: z.enum(WEBHOOK_EVENT_TYPES),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  subscriberId: z.string().min(1).max(64),
  /** the exact JSON body to POST */
  payload: z.string().min(2).max(200_000),
});
export type WebhookDeliveryMessage = z.infer<typeof webhookDeliveryMessageSchema>;
