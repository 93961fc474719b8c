import { describe, expect, it } from 'vitest';
import { backoffDelaySeconds, type BackoffPolicy } from '../../../shared/domain/backoff';
import { validateNewMessage } from '../../../shared/domain/app-io/io-api';
import { chooseService, composeMessage, markdownToPlainText, messageableOptions, reasonNotToSend } from '../../../shared/domain/app-io/messages';
import { dueReminders, firstDueWindow } from '../../../shared/domain/app-io/reminders';
import { reminderRequests } from '../../../shared/use-cases/app-io/reminders';
import type { IoSettings } from '../../../shared/domain/organization';
import { ESEMPIO, option, position } from '../../fixtures/positions';

const NOW = new Date('2027-03-20T08:00:00.000Z');
const due = (iso: string) => ({ dueDate: iso });
const installment = (base: bigint, dueDate: string, status: 'PO_UNPAID' | 'PO_PAID' = 'PO_UNPAID') =>
  option({ isPartialPayment: true, amount: 5000, dueDate, status }, base);

describe('which options a citizen is told to pay', () => {
  it('the single option when there is one, even beside installments', () => {
    const p = position({ status: 'VALID', paymentOptions: [option({}, 1n), installment(2n, '2027-02-01T00:00:00.000Z')] });
    expect(messageableOptions(p).map((o) => o.nav)).toEqual([p.paymentOptions[0]!.nav]);
  });
  it('every unpaid installment when there is no single option, or once one installment is paid', () => {
    const rates = [installment(2n, '2027-02-01T00:00:00.000Z', 'PO_PAID'), installment(3n, '2027-03-01T00:00:00.000Z'), installment(4n, '2027-04-01T00:00:00.000Z')];
    expect(messageableOptions(position({ status: 'VALID', paymentOptions: rates })).map((o) => o.nav)).toEqual([rates[1]!.nav, rates[2]!.nav]);
    const withSingle = position({ status: 'PARTIALLY_PAID', paymentOptions: [option({}, 1n), ...rates] });
    expect(messageableOptions(withSingle).map((o) => o.nav)).toEqual([rates[1]!.nav, rates[2]!.nav]);
  });
});

describe('reminders', () => {
  const published = '2027-01-01T00:00:00.000Z';
  it('sends the smallest threshold the days left fall within, never two at once', () => {
    const p = position({ status: 'VALID', publishDate: published, paymentOptions: [option(due('2027-03-25T22:59:59.999Z'))] });
    expect(dueReminders(p, [7, 1], NOW)).toEqual([{ nav: p.paymentOptions[0]!.nav, days: 7, daysLeft: 6 }]);
    const tomorrow = position({ status: 'VALID', publishDate: published, paymentOptions: [option(due('2027-03-21T07:00:00.000Z'))] });
    expect(dueReminders(tomorrow, [7, 1], NOW).map((r) => r.days)).toEqual([1]);
  });
  it('nothing for a paid option, a passed due date, a far due date, or a position that is not payable', () => {
    const opt = option({ ...due('2027-03-25T00:00:00.000Z'), status: 'PO_PAID' });
    expect(dueReminders(position({ status: 'VALID', publishDate: published, paymentOptions: [opt] }), [7, 1], NOW)).toEqual([]);
    expect(dueReminders(position({ status: 'VALID', publishDate: published, paymentOptions: [option(due('2027-03-19T00:00:00.000Z'))] }), [7, 1], NOW)).toEqual([]);
    expect(dueReminders(position({ status: 'VALID', publishDate: published, paymentOptions: [option(due('2027-05-19T00:00:00.000Z'))] }), [7, 1], NOW)).toEqual([]);
    expect(dueReminders(position({ status: 'INVALID', publishDate: published, paymentOptions: [option(due('2027-03-25T00:00:00.000Z'))] }), [7, 1], NOW)).toEqual([]);
    expect(dueReminders(position({ status: 'PAID', publishDate: published, paymentOptions: [option(due('2027-03-25T00:00:00.000Z'))] }), [7, 1], NOW)).toEqual([]);
  });
  it('skips a threshold the position was published inside of (the new-notice message said it)', () => {
    const p = position({ status: 'VALID', publishDate: '2027-03-19T00:00:00.000Z', paymentOptions: [option(due('2027-03-25T00:00:00.000Z'))] });
    expect(dueReminders(p, [7, 1], NOW)).toEqual([]);
  });
  it('requests have a deterministic id and the window covers the largest threshold', () => {
    const p = position({ status: 'VALID', publishDate: published, paymentOptions: [option(due('2027-03-25T22:59:59.999Z'))] });
    const [a] = reminderRequests(p, undefined, NOW);
    const [b] = reminderRequests(p, undefined, new Date(NOW.getTime() + 3_600_000));
    expect(a!.eventId).toBe(b!.eventId);
    expect(firstDueWindow([3, 10], NOW).to).toBe('2027-03-30T08:00:00.000Z');
  });
  it('a reminder is not sent for an option paid since it was planned', () => {
    const p = position({ status: 'PARTIALLY_PAID', paymentOptions: [installment(2n, '2027-03-25T00:00:00.000Z', 'PO_PAID'), installment(3n, '2027-04-25T00:00:00.000Z')] });
    expect(reasonNotToSend('reminder-7d', p, p.paymentOptions[0]!.nav, NOW)).toBe('the option is PO_PAID');
    expect(reasonNotToSend('reminder-7d', p, p.paymentOptions[1]!.nav, NOW)).toBeUndefined();
  });
});

describe('services by taxonomy', () => {
  const io: IoSettings = {
    services: [
      { serviceId: 'TARI', name: 'TARI', taxonomy: ['9/0101108TS/'] },
      { serviceId: 'MENSA', name: 'Mensa', taxonomy: ['9/0201'] },
      { serviceId: 'GENERAL', name: 'Generale' },
    ],
    defaultServiceId: 'GENERAL',
  };
  const withCategory = (category: string) => option({ transfers: [{ ...option().transfers[0]!, category }] });
  it('exact code, prefix, else the default', () => {
    expect(chooseService(io, withCategory('9/0101108TS/'))?.serviceId).toBe('TARI');
    expect(chooseService(io, withCategory('9/0201133IM/'))?.serviceId).toBe('MENSA');
    expect(chooseService(io, withCategory('9/0301100TS/'))?.serviceId).toBe('GENERAL');
    expect(chooseService({ services: [] }, withCategory('9/0101108TS/'))).toBeUndefined();
    expect(chooseService(undefined, withCategory('9/0101108TS/'))).toBeUndefined();
  });
});

describe('message content', () => {
  const p = position({ status: 'VALID', switchToExpired: true, paymentOptions: [option({ description: 'TARI 2026 *rata* [link](http://x)' })] });
  const nav = p.paymentOptions[0]!.nav;
  it('a new notice is a valid IO message with payment_data and due date, payee = the creditor', () => {
    const c = composeMessage({ kind: 'new-notice', position: p, nav, organization: ESEMPIO });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(validateNewMessage(c.message).ok).toBe(true);
    expect(c.message.content.payment_data).toEqual({ amount: 10000, notice_number: nav, invalid_after_due_date: true, payee: { fiscal_code: ESEMPIO.fiscalCode } });
    expect(c.message.content.due_date).toBe('2027-03-31T21:59:59.999Z');
    expect(c.message.content.markdown).not.toContain('[link](');
  });
  it('a receipt or a cancellation has no pay button; a reminder says the days left', () => {
    for (const kind of ['payment-received', 'cancellation'] as const) {
      const c = composeMessage({ kind, position: p, nav, organization: ESEMPIO, paidAmount: 10000 });
      expect(c.ok && c.message.content.payment_data).toBeUndefined();
      expect(c.ok && validateNewMessage(c.message).ok).toBe(true);
    }
    const r = composeMessage({ kind: 'reminder-7d', position: p, nav, organization: ESEMPIO, daysLeft: 6 });
    expect(r.ok && r.markdown).toContain('**Giorni alla scadenza:** 6');
  });
  it("links to the position's page on the citizen's counter, when the deployment has one", () => {
    const withLink = composeMessage({ kind: 'new-notice', position: p, nav, organization: ESEMPIO, counterUrl: 'https://comune.example/cittadino/' });
    expect(withLink.ok && withLink.message.content.markdown).toMatch(
      new RegExp(`\\n\\n\\[Vedi e paga dallo sportello del cittadino\\]\\(https://comune\\.example/cittadino/posizioni/${p.organizationFiscalCode}/${p.iupd}\\)$`),
    );
    expect(withLink.ok && validateNewMessage(withLink.message).ok).toBe(true);
    const receipt = composeMessage({ kind: 'payment-received', position: p, nav, organization: ESEMPIO, paidAmount: 10000, counterUrl: 'https://comune.example/cittadino' });
    expect(receipt.ok && receipt.markdown).toContain('[Scarica la ricevuta dallo sportello del cittadino](https://comune.example/cittadino/posizioni/');
    // no counter, or one whose URL could break the markdown: no link
    expect(composeMessage({ kind: 'new-notice', position: p, nav, organization: ESEMPIO }).ok && composeMessage({ kind: 'new-notice', position: p, nav, organization: ESEMPIO })).not.toMatchObject({ markdown: expect.stringContaining('sportello') });
    const odd = composeMessage({ kind: 'new-notice', position: p, nav, organization: ESEMPIO, counterUrl: 'javascript:alert(1)//x' });
    expect(odd.ok && odd.markdown).not.toContain('sportello');
  });
  it('a broken stored template is reported, not sent', () => {
    const c = composeMessage({ kind: 'new-notice', position: p, nav, organization: ESEMPIO, templates: { 'new-notice': { subject: 'x', markdown: 'y' } } });
    expect(c.ok).toBe(false);
  });
  it('plain text for e-mail drops markdown emphasis and escapes', () => {
    expect(markdownToPlainText('**Importo:** 1\\.020,99 €')).toBe('Importo: 1.020,99 €');
  });
});

describe('retry delay of an IO message (the io-sender policy: at least 1 s)', () => {
  it('full jitter below the ceiling, never less than Retry-After, at least 1 s, capped', () => {
    const policy: BackoffPolicy = { baseSeconds: 10, maxSeconds: 900, minSeconds: 1 };
    // IO's Retry-After, in milliseconds as the client reports it
    const delay = (attempt: number, random: () => number, retryAfterMs?: number) =>
      backoffDelaySeconds(attempt, policy, random, retryAfterMs === undefined ? undefined : retryAfterMs / 1000);
    expect(delay(1, () => 0)).toBe(1);
    expect(delay(3, () => 0.999)).toBe(40);
    expect(delay(1, () => 0, 30_000)).toBe(30);
    expect(delay(30, () => 0.999)).toBe(900);
    expect(delay(1, () => 0, 5_000_000)).toBe(900);
  });
});
