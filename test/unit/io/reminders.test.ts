/**
 * The daily reminder run (the use case) with in-memory records and queue.
 */
import { describe, expect, it } from 'vitest';
import type { ReminderRequest } from '../../../events/io-message-request';
import type { Organization } from '../../../shared/domain/organization';
import { enqueueDueReminders } from '../../../shared/use-cases/app-io/reminders';
import { ESEMPIO, option, position } from '../../fixtures/positions';
import { MemoryRecords } from './fakes';

const ORG: Organization = { ...ESEMPIO, io: { services: [{ serviceId: 'TARI', name: 'TARI', apiKey: 'k'.repeat(20) }], notifyCancellation: true } };

describe('the reminder run', () => {
  it('enqueues due reminders once per option, not for paid options or tenants without IO', async () => {
    const now = new Date('2027-03-26T08:00:00.000Z');
    const due = option({ dueDate: '2027-03-31T21:59:59.999Z' }, 1n);
    const paid = option({ dueDate: '2027-03-31T21:59:59.999Z', isPartialPayment: true, status: 'PO_PAID' }, 2n);
    const unpaidRate = option({ dueDate: '2027-03-30T21:59:59.999Z', isPartialPayment: true }, 3n);
    const a = position({ iupd: 'A', status: 'VALID', publishDate: '2027-01-01T00:00:00.000Z', paymentOptions: [due] });
    const b = position({ iupd: 'B', status: 'PARTIALLY_PAID', publishDate: '2027-01-01T00:00:00.000Z', paymentOptions: [paid, unpaidRate] });
    const records = new MemoryRecords();
    const sent: ReminderRequest[] = [];
    const deps = {
      organizations: { list: async () => [ORG, { ...ESEMPIO, fiscalCode: '80007654322' }] },
      positionsDue: async function* (_ofc: string, status: string) {
        yield status === 'VALID' ? [a] : [b];
      },
      records,
      publisher: { send: async (_url: string, messages: readonly { body: string }[]) => (sent.push(...messages.map((m) => JSON.parse(m.body) as ReminderRequest)), []) },
      ioMessagesQueueUrl: 'http://io-messages',
      clock: () => now,
    };
    const summary = await enqueueDueReminders(deps);
    expect(summary).toMatchObject({ organizations: 1, enqueued: 2 });
    expect(sent.map((r) => [r.iupd, r.nav, r.days])).toEqual([['A', due.nav, 7], ['B', unpaidRate.nav, 7]]);
    const key = { organizationFiscalCode: ESEMPIO.fiscalCode, iupd: 'A', nav: due.nav, kind: 'reminder-7d' as const };
    await records.claim(key, 'c', now.getTime(), 1000);
    await records.finish(key, 'c', { state: 'sent', channel: 'io' }, now.getTime());
    sent.length = 0;
    expect(await enqueueDueReminders(deps)).toMatchObject({ enqueued: 1, alreadyDone: 1 });
  });
});
