/**
 * The REST wire of the webhook subscribers: the request body and query schemas (they also feed
 * the OpenAPI document, shared/http/openapi.ts) and their mapping to the use cases' commands.
 */
import * as z from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../events/webhook-delivery';
import type { WebhookSubscriber } from '../use-cases/webhooks/ports';
import type { DeliveriesQuery, RegisterSubscriber } from '../use-cases/webhooks/subscribers';

export const registerWebhookSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  eventTypes: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1)
    .max(WEBHOOK_EVENT_TYPES.length)
    .refine((types) => new Set(types).size === types.length, 'event types must not repeat'),
  description: z.string().trim().max(140).optional(),
});
export type RegisterWebhookBody = z.infer<typeof registerWebhookSchema>;

export const listDeliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(2048).optional(),
});
export type ListDeliveriesQuery = z.infer<typeof listDeliveriesQuerySchema>;

export function toRegisterSubscriber(organizationFiscalCode: string, body: RegisterWebhookBody): RegisterSubscriber {
  return { organizationFiscalCode, url: body.url, eventTypes: body.eventTypes, description: body.description };
}

export function toDeliveriesQuery(organizationFiscalCode: string, subscriberId: string, query: ListDeliveriesQuery): DeliveriesQuery {
  return { organizationFiscalCode, subscriberId, limit: query.limit, cursor: query.cursor };
}

/** 201 body of a registration: the subscriber and, this once, its signing secret. */
export function registeredSubscriberBody(subscriber: WebhookSubscriber, secret: string): WebhookSubscriber & { secret: string } {
  return { ...subscriber, secret };
}
