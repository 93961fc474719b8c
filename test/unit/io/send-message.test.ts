/**
 * Sending citizens their App IO messages (the use case) with in-memory stores that keep the same
 * claim semantics as the DynamoDB adapter (conditional claim with a lease, outcome only by the
 * claim's owner).
 */
import { describe, expect, it } from 'vitest';
import { keyText } from '../../../shared/domain/app-io/messages';
import type { DebtPosition } from '../../../shared/domain/debt-position';
import type { Organization } from '../../../shared/domain/organization';
import type { GetProfileResult, SubmitMessageResult } from '../../../shared/use-cases/app-io/ports';
import { sendCitizenMessages, type CitizenMessageRequest } from '../../../shared/use-cases/app-io/send-message';
import { ESEMPIO, option, position } from '../../fixtures/positions';
import { sendingSetup } from './fakes';

const ORG: Organization = { ...ESEMPIO, io: { services: [{ serviceId: 'TARI', name: 'TARI', apiKey: 'k'.repeat(20) }], notifyCancellation: true } };
const NOW = new Date('2027-03-01T08:00:00.000Z');

const setup = (io: Parameters<typeof sendingSetup>[0], p: DebtPosition = position({ status: 'VALID', publishDate: '2027-01-01T00:00:00.000Z' })) =>
  sendingSetup(io, p, { organization: ORG, now: NOW });

const published = (p: DebtPosition): CitizenMessageRequest => ({ about: 'new-notice', organizationFiscalCode: p.organizationFiscalCode, iupd: p.iupd });

describe('sending citizen messages exactly once', () => {
  it('two concurrent deliveries while IO is slow: one message; the other comes back and finds it sent', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const t = setup({ submit: async () => (await gate, { kind: 'created', id: 'io-1' }) });
    const first = sendCitizenMessages(t.deps, published(t.p));
    const second = await sendCitizenMessages(t.deps, published(t.p));
    expect(second.retry).toBe(true);
    release();
    expect((await first).messages[0]?.result).toBe('sent');
    expect((await sendCitizenMessages(t.deps, published(t.p))).messages[0]?.result).toBe('already-done');
    expect(t.calls.submit).toBe(1);
  });

  it('a crashed attempt (claim never finished) is taken over after its lease, not before', async () => {
    const t = setup({});
    const key = { organizationFiscalCode: t.p.organizationFiscalCode, iupd: t.p.iupd, nav: t.p.paymentOptions[0]!.nav, kind: 'new-notice' as const };
    await t.records.claim(key, 'crashed', NOW.getTime() - 10_000, 60_000);
    expect((await sendCitizenMessages(t.deps, published(t.p))).retry).toBe(true);
    t.records.items.set(keyText(key), { ...(await t.records.get(key))!, leaseUntil: NOW.getTime() - 1 });
    expect((await sendCitizenMessages(t.deps, published(t.p))).messages[0]?.result).toBe('sent');
    expect((await t.records.get(key))?.attempts).toBe(2);
  });

  it('429 releases the claim with IO’s Retry-After; the next delivery sends', async () => {
    let n = 0;
    const t = setup({ submit: async () => (++n === 1 ? { kind: 'retryable', status: 429, reason: 'throttled', retryAfterMs: 3000 } : { kind: 'created', id: 'io-2' }) });
    const r1 = await sendCitizenMessages(t.deps, published(t.p));
    expect(r1).toMatchObject({ retry: true, retryAfterMs: 3000 });
    const r2 = await sendCitizenMessages(t.deps, published(t.p));
    expect(r2.messages[0]).toMatchObject({ result: 'sent', channel: 'io' });
    expect(t.calls.submit).toBe(2);
  });

  it('400 is recorded as failed for good and never retried; 401 (bad key) is retried', async () => {
    const t = setup({ submit: async () => ({ kind: 'permanent', status: 400, problem: { title: 'Invalid NewMessage', detail: 'content.subject: too short' } }) });
    expect((await sendCitizenMessages(t.deps, published(t.p))).retry).toBe(false);
    expect([...t.records.items.values()][0]).toMatchObject({ state: 'failed', httpStatus: 400 });
    await sendCitizenMessages(t.deps, published(t.p));
    expect(t.calls.submit).toBe(1);
    const u = setup({ profile: async () => ({ kind: 'permanent', status: 401, problem: {} }) });
    expect((await sendCitizenMessages(u.deps, published(u.p))).retry).toBe(true);
  });

  it('not on IO, blocked (403) or sender not allowed → e-mail with the notice PDF when there is an address, else skipped', async () => {
    const withEmail = position({ status: 'VALID', debtor: { type: 'F', fiscalCode: 'RCCMNL83S18D969H', fullName: 'Mario Rossi', email: 'mario@example.org' } });
    for (const io of [
      { profile: async (): Promise<GetProfileResult> => ({ kind: 'not-found' }) },
      { profile: async (): Promise<GetProfileResult> => ({ kind: 'found', senderAllowed: false, preferredLanguages: [] }) },
      { submit: async (): Promise<SubmitMessageResult> => ({ kind: 'permanent', status: 403, problem: {} }) },
    ]) {
      const t = setup(io, withEmail);
      expect((await sendCitizenMessages(t.deps, published(t.p))).messages[0]).toMatchObject({ result: 'sent', channel: 'email' });
      expect(t.emails).toHaveLength(1);
      expect(t.emails[0]!.attachments.map((a) => a.fileName)).toEqual(['avviso.pdf']);
    }
    const t = setup({ profile: async () => ({ kind: 'not-found' }) });
    expect((await sendCitizenMessages(t.deps, published(t.p))).messages[0]).toMatchObject({ result: 'skipped' });
    expect([...t.records.items.values()][0]?.state).toBe('skipped');
  });

  it('a cancellation only for an option a new-notice was sent for', async () => {
    const t = setup({});
    const invalidated: CitizenMessageRequest = { about: 'cancellation', organizationFiscalCode: t.p.organizationFiscalCode, iupd: t.p.iupd };
    expect((await sendCitizenMessages(t.deps, invalidated)).messages[0]).toMatchObject({ result: 'skipped', detail: 'no new-notice message was sent for it' });
    await sendCitizenMessages(t.deps, published(t.p));
    expect((await sendCitizenMessages(t.deps, invalidated)).messages[0]).toMatchObject({ result: 'sent' });
    expect(t.calls.submit).toBe(2);
  });

  it('payment received: one message about the paid option, whatever the position status', async () => {
    const p = position({ status: 'PAID', paymentOptions: [option({ status: 'PO_PAID' })] });
    const t = setup({}, p);
    const event: CitizenMessageRequest = { about: 'payment-received', organizationFiscalCode: p.organizationFiscalCode, iupd: p.iupd, nav: p.paymentOptions[0]!.nav, paidAmount: 10000 };
    expect((await sendCitizenMessages(t.deps, event)).messages[0]).toMatchObject({ result: 'sent' });
    expect((await sendCitizenMessages(t.deps, event)).messages[0]).toMatchObject({ result: 'already-done' });
  });
});
