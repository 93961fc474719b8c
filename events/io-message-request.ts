/**
 * What the `io-messages` queue carries: the domain events the IO sender subscribes to (copied by
 * the event dispatcher) and the reminder requests the `io-reminders` schedule enqueues. Parsed at
 * the consumer: a message that matches none of these is a bug and goes to the DLQ.
 */
import * as z from 'zod';
import { domainEventSchema, paymentReceivedEventSchema } from './domain-events';

export const IO_SUBSCRIBED_EVENT_TYPES = ['debt-position.published', 'debt-position.invalidated', 'payment.received'] as const;

/** A reminder due for one payment option (shared/domain/app-io/reminders.ts). */
export const reminderRequestSchema = z.object({
  eventId: z.string().min(1).max(200),
  eventType: z.literal('io.reminder'),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  iupd: z.string().min(1).max(70),
  nav: z.string().regex(/^\d{18}$/),
  /** the threshold: the message is recorded as `reminder-<days>d` */
  days: z.number().int().min(1).max(365),
  /** days left to the due date when it was planned */
  daysLeft: z.number().int().min(0).max(365),
});
export type ReminderRequest = z.infer<typeof reminderRequestSchema>;

export const ioQueueMessageSchema = z.union([paymentReceivedEventSchema, reminderRequestSchema, domainEventSchema]);
export type IoQueueMessage = z.infer<typeof ioQueueMessageSchema>;

export const reminderRequestExample: ReminderRequest = {
  eventId: 'reminder:80001234568:TARI-2026-0001:312000000000000184:7',
  eventType: 'io.reminder',
  occurredAt: '2027-03-24T07:00:00.000Z',
  organizationFiscalCode: '80001234568',
  iupd: 'TARI-2026-0001',
  nav: '312000000000000184',
  days: 7,
  daysLeft: 7,
};
