/**
 * The io-messages queue as the App IO sender reads it: each message (a domain event the sender
 * subscribes to, or a reminder request of the daily run) mapped to what the citizen is to be
 * told. Other event types ask for nothing.
 */
import type { IoQueueMessage } from '../../events/io-message-request';
import type { CitizenMessageRequest } from '../use-cases/app-io/send-message';

export function citizenMessageRequestOf(message: IoQueueMessage): CitizenMessageRequest | undefined {
  const about = { organizationFiscalCode: message.organizationFiscalCode, iupd: message.iupd };
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
