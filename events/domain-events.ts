/**
 * Domain events: written in the same DynamoDB transaction as the state change they announce (an
 * outbox item), read back from the table's stream and fanned out to queues. They carry references
 * and states, never personal data: a consumer that needs the debtor reads the position.
 */
import * as z from 'zod';
import { POSITION_STATUSES } from '../shared/domain/debt-position';

export const DEBT_POSITION_EVENT_TYPES = [
  'debt-position.created',
  'debt-position.updated',
  'debt-position.published',
  'debt-position.invalidated',
  'debt-position.deleted',
  /** VALID → EXPIRED after the last due date (switchToExpired); written by the status clock */
  'debt-position.expired',
] as const;

export const domainEventSchema = z.object({
  eventId: z.uuid(),
  eventType: z.enum(DEBT_POSITION_EVENT_TYPES),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  iupd: z.string().min(1).max(70),
  version: z.number().int().min(1),
  status: z.enum(POSITION_STATUSES),
  previousStatus: z.enum(POSITION_STATUSES).optional(),
  /** true when the position can be paid right after this change (notice and IO message due) */
  payable: z.boolean(),
  /** the notice numbers of the position's options after the change */
  noticeNumbers: z.array(z.string().regex(/^\d{18}$/)),
});

export type DomainEvent = z.infer<typeof domainEventSchema>;
export type DomainEventType = DomainEvent['eventType'];

/**
 * A payment was applied to a position (receipt processor): written in the same transaction as
 * the option marked paid. References, amounts and states only: no debtor, no payer.
 */
export const PAYMENT_EVENT_TYPES = ['payment.received'] as const;

export const paymentReceivedEventSchema = z.object({
  eventId: z.uuid(),
  eventType: z.literal('payment.received'),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  iupd: z.string().min(1).max(70),
  nav: z.string().regex(/^\d{18}$/),
  iuv: z.string().min(1).max(35),
  receiptId: z.string().min(1),
  /** euro cents actually paid */
  amount: z.number().int().min(1),
  /** the position's status after the payment: PAID or PARTIALLY_PAID */
  status: z.enum(POSITION_STATUSES),
  previousStatus: z.enum(POSITION_STATUSES),
  version: z.number().int().min(1),
  /** as the node sent it (Europe/Rome local time when it has no offset); absent when not given */
  paymentDateTime: z.string().optional(),
});

export type PaymentReceivedEvent = z.infer<typeof paymentReceivedEventSchema>;

/**
 * What the event dispatcher needs of any outbox event (the `event` attribute of an outbox item
 * on the table's stream); the rest is passed through untouched and each consumer parses the
 * full contract of what it subscribes to.
 */
export const eventEnvelopeSchema = z.looseObject({
  eventId: z.string().min(1).max(64),
  eventType: z.string().min(1).max(64),
  occurredAt: z.string(),
  organizationFiscalCode: z.string(),
});
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;
