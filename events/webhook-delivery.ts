/**
 * Contracts of the outgoing webhooks (back offices told what was paid):
 *  - the domain events a tenant may subscribe to, as they arrive on the `webhook-fanout` queue
 *    (a copy of the outbox event, see domain-events.ts);
 *  - the message on the `webhook-delivery` queue: one event for one subscriber.
 * The body POSTed to the subscriber is exactly the event JSON (`payload`), the same bytes on
 * every attempt so the signature and the receiver's de-duplication key (`eventId`) stay stable.
 */
import * as z from 'zod';
import { DEBT_POSITION_EVENT_TYPES } from './domain-events';
import { POSITION_STATUSES } from '../shared/domain/debt-position';

export const WEBHOOK_EVENT_TYPES = ['payment.received', ...DEBT_POSITION_EVENT_TYPES] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * `payment.received` as the receipt processor writes it (kept here until its contract lands in
 * domain-events.ts; the fan-out only relies on the envelope below).
 */
export const paymentReceivedSchema = z.looseObject({
  eventId: z.uuid(),
  eventType: z.literal('payment.received'),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  iupd: z.string().min(1).max(70),
  nav: z.string().regex(/^\d{18}$/),
  iuv: z.string().min(1).max(35),
  receiptId: z.string().min(1),
  /** euro cents */
  amount: z.number().int().min(1),
  /** the position's status after the payment */
  status: z.enum(POSITION_STATUSES),
  paymentDateTime: z.string().optional(),
});

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
