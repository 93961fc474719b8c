/**
 * The io-messages queue as the App IO sender reads it: each message (a domain event the sender
 * subscribes to, a reminder request of the daily run, or a new-notice request of an upload's
 * paced release) mapped to what the citizen is to be told. Other event types ask for nothing,
 * and so does the published event of a position an upload created: its upload's release asks
 * for that message (shared/use-cases/bulk-upload/follow-up.ts), at the pace App IO allows.
 */
import * as z from 'zod';
import { ioQueueMessageSchema } from '../../events/io-message-request';
import { uploadMarkSchema, uploadNoticeRequestSchema } from '../../events/upload';
import type { CitizenMessageRequest } from '../use-cases/app-io/send-message';
import { leftToUploadRelease } from '../use-cases/bulk-upload/follow-up';

/** What io-sender reads: the queue's events and reminder requests (with the upload id a position event may carry), and io.upload-notice. */
export const ioSenderMessageSchema = z.union([uploadNoticeRequestSchema, z.intersection(ioQueueMessageSchema, uploadMarkSchema)]);
export type IoSenderMessage = z.infer<typeof ioSenderMessageSchema>;

export function citizenMessageRequestOf(message: IoSenderMessage): CitizenMessageRequest | undefined {
  const about = { organizationFiscalCode: message.organizationFiscalCode, iupd: message.iupd };
  if (message.eventType === 'io.upload-notice') return { about: 'new-notice', ...about };
  if (leftToUploadRelease(message)) return undefined;
  switch (message.eventType) {
    case 'debt-position.published':
      return { about: 'new-notice', ...about };
    case 'debt-position.invalidated':
      return { about: 'cancellation', ...about };
    case 'payment.received':
      return { about: 'payment-received', ...about, nav: message.nav, paidAmount: message.amount };
    case 'io.reminder':
      return { about: 'reminder', ...about, nav: message.nav, days: message.days, daysLeft: message.daysLeft };
    default:
      return undefined;
  }
}
