/**
 * The IO sender's use case with in-memory stores that keep the same claim semantics as the
 * DynamoDB adapter (conditional claim with a lease, outcome only by the claim's owner).
 */
import { describe, expect, it } from 'vitest';
import type { AppIoClient, GetProfileResult, SubmitMessageResult } from '../../../shared/adapters/app-io-client';
import type { MessageKey } from '../../../shared/domain/io-dispatch';
import { keyText } from '../../../shared/domain/io-dispatch';
import type { DebtPosition } from '../../../shared/domain/debt-position';
import type { Organization } from '../../../shared/domain/organization';
import {
  enqueueDueReminders,
  handleIoRequest,
  type CitizenMessageDeps,
  type ClaimResult,
  type EmailMessage,
  type MessageOutcome,
  type MessageRecord,
  type MessageRecordStore,
} from '../../../shared/use-cases/citizen-messages';
import type { ReminderRequest } from '../../../events/io-message-request';
import { ESEMPIO, option, position } from '../../fixtures/positions';

class MemoryRecords implements MessageRecordStore {
  readonly items = new Map<string, MessageRecord>();
  async claim(key: MessageKey, claimId: string, nowMs: number, leaseMs: number): Promise<ClaimResult> {
    const k = keyText(key);
    const old = this.items.get(k);
    if (old && !(old.state === 'retry' || (old.state === 'claimed' && (old.leaseUntil ?? 0) < nowMs))) {
      return old.state === 'claimed' ? { kind: 'busy', leaseUntil: old.leaseUntil ?? nowMs } : { kind: 'final', record: old };
    }
    const at = new Date(nowMs).toISOString();
    const attempts = (old?.attempts ?? 0) + 1;
    this.items.set(k, { ...key, state: 'claimed', attempts, claimId, leaseUntil: nowMs + leaseMs, createdAt: old?.createdAt ?? at, updatedAt: at });
    return { kind: 'claimed', attempt: attempts };
  }
  async finish(key: MessageKey, claimId: string, outcome: MessageOutcome, nowMs: number) {
    const old = this.items.get(keyText(key));
    if (old?.state !== 'claimed' || old.claimId !== claimId) return false;
    this.items.set(keyText(key), { ...old, ...outcome, updatedAt: new Date(nowMs).toISOString() });
    return true;
  }
  async release(key: MessageKey, claimId: string, detail: string, nowMs: number) {
    const old = this.items.get(keyText(key));
    if (old?.state !== 'claimed' || old.claimId !== claimId) return false;
    this.items.set(keyText(key), { ...old, state: 'retry', detail, updatedAt: new Date(nowMs).toISOString() });
    return true;
  }
  async get(key: MessageKey) {
    return this.items.get(keyText(key));
  }
  async ofPosition(ofc: string, iupd: string) {
    return [...this.items.values()].filter((r) => r.organizationFiscalCode === ofc && r.iupd === iupd);
  }
}

const ORG: Organization = { ...ESEMPIO, io: { services: [{ serviceId: 'TARI', name: 'TARI', apiKey: 'k'.repeat(20) }], notifyCancellation: true } };
const NOW = new Date('2027-03-01T08:00:00.000Z');

function setup(io: { profile?: () => Promise<GetProfileResult>; submit?: () => Promise<SubmitMessageResult> }, p: DebtPosition = position({ status: 'VALID', publishDate: '2027-01-01T00:00:00.000Z' })) {
  const records = new MemoryRecords();
  const calls = { profile: 0, submit: 0 };
  const emails: EmailMessage[] = [];
  const client: AppIoClient = {
    getProfile: async () => {
      calls.profile++;
      return io.profile ? io.profile() : { kind: 'found', senderAllowed: true, preferredLanguages: ['it_IT'] };
    },
    submitMessage: async () => {
      calls.submit++;
      return io.submit ? io.submit() : { kind: 'created', id: `io-${calls.submit}` };
    },
    getMessageStatus: async () => ({ kind: 'not-found' }),
  };
  let id = 0;
  const deps: CitizenMessageDeps = {
    positions: { get: async () => p },
    organizations: { get: async () => ORG },
    records,
    templates: { get: async () => ({}) },
    io: client,
    apiKeyOf: async (_o, s) => s.apiKey ?? '',
    rateLimiter: { acquire: async () => true },
    email: { send: async (m) => (emails.push(m), `mail-${emails.length}`) },
    noticePdf: async () => ({ bytes: new TextEncoder().encode('%PDF-1.4'), fileName: 'avviso.pdf' }),
    clock: () => NOW,
    newId: () => `claim-${++id}`,
    leaseMs: 60_000,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  return { deps, records, calls, emails, p };
}

const published = (p: DebtPosition) => ({
  eventId: '00000000-0000-4000-8000-000000000001',
  eventType: 'debt-position.published' as const,
  occurredAt: NOW.toISOString(),
  organizationFiscalCode: p.organizationFiscalCode,
  iupd: p.iupd,
  version: 1,
  status: 'VALID' as const,
  payable: true,
  noticeNumbers: p.paymentOptions.map((o) => o.nav),
});

describe('sending citizen messages exactly once', () => {
  it('two concurrent deliveries while IO is slow: one message; the other comes back and finds it sent', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const t = setup({ submit: async () => (await gate, { kind: 'created', id: 'io-1' }) });
    const first = handleIoRequest(t.deps, published(t.p));
    const second = await handleIoRequest(t.deps, published(t.p));
    expect(second.retry).toBe(true);
    release();
    expect((await first).messages[0]?.result).toBe('sent');
    expect((await handleIoRequest(t.deps, published(t.p))).messages[0]?.result).toBe('already-done');
    expect(t.calls.submit).toBe(1);
  });

  it('a crashed attempt (claim never finished) is taken over after its lease, not before', async () => {
    const t = setup({});
    const key = { organizationFiscalCode: t.p.organizationFiscalCode, iupd: t.p.iupd, nav: t.p.paymentOptions[0]!.nav, kind: 'new-notice' as const };
    await t.records.claim(key, 'crashed', NOW.getTime() - 10_000, 60_000);
    expect((await handleIoRequest(t.deps, published(t.p))).retry).toBe(true);
    t.records.items.set(keyText(key), { ...(await t.records.get(key))!, leaseUntil: NOW.getTime() - 1 });
    expect((await handleIoRequest(t.deps, published(t.p))).messages[0]?.result).toBe('sent');
    expect((await t.records.get(key))?.attempts).toBe(2);
  });

  it('429 releases the claim with IO’s Retry-After; the next delivery sends', async () => {
    let n = 0;
    const t = setup({ submit: async () => (++n === 1 ? { kind: 'retryable', status: 429, reason: 'throttled', retryAfterMs: 3000 } : { kind: 'created', id: 'io-2' }) });
    const r1 = await handleIoRequest(t.deps, published(t.p));
    expect(r1).toMatchObject({ retry: true, retryAfterMs: 3000 });
    const r2 = await handleIoRequest(t.deps, published(t.p));
    expect(r2.messages[0]).toMatchObject({ result: 'sent', channel: 'io' });
    expect(t.calls.submit).toBe(2);
  });

  it('400 is recorded as failed for good and never retried; 401 (bad key) is retried', async () => {
    const t = setup({ submit: async () => ({ kind: 'permanent', status: 400, problem: { title: 'Invalid NewMessage', detail: 'content.subject: too short' } }) });
    expect((await handleIoRequest(t.deps, published(t.p))).retry).toBe(false);
    expect([...t.records.items.values()][0]).toMatchObject({ state: 'failed', httpStatus: 400 });
    await handleIoRequest(t.deps, published(t.p));
    expect(t.calls.submit).toBe(1);
    const u = setup({ profile: async () => ({ kind: 'permanent', status: 401, problem: {} }) });
    expect((await handleIoRequest(u.deps, published(u.p))).retry).toBe(true);
  });

  it('not on IO, blocked (403) or sender not allowed → e-mail with the notice PDF when there is an address, else skipped', async () => {
    const withEmail = position({ status: 'VALID', debtor: { type: 'F', fiscalCode: 'RCCMNL83S18D969H', fullName: 'Mario Rossi', email: 'mario@example.org' } });
    for (const io of [
      { profile: async (): Promise<GetProfileResult> => ({ kind: 'not-found' }) },
      { profile: async (): Promise<GetProfileResult> => ({ kind: 'found', senderAllowed: false, preferredLanguages: [] }) },
      { submit: async (): Promise<SubmitMessageResult> => ({ kind: 'permanent', status: 403, problem: {} }) },
    ]) {
      const t = setup(io, withEmail);
      expect((await handleIoRequest(t.deps, published(t.p))).messages[0]).toMatchObject({ result: 'sent', channel: 'email' });
      expect(t.emails).toHaveLength(1);
      expect(t.emails[0]!.attachments.map((a) => a.fileName)).toEqual(['avviso.pdf']);
    }
    const t = setup({ profile: async () => ({ kind: 'not-found' }) });
    expect((await handleIoRequest(t.deps, published(t.p))).messages[0]).toMatchObject({ result: 'skipped' });
    expect([...t.records.items.values()][0]?.state).toBe('skipped');
  });

  it('a cancellation only for an option a new-notice was sent for', async () => {
    const t = setup({});
    const invalidated = { ...published(t.p), eventType: 'debt-position.invalidated' as const, status: 'INVALID' as const, payable: false };
    expect((await handleIoRequest(t.deps, invalidated)).messages[0]).toMatchObject({ result: 'skipped', detail: 'no new-notice message was sent for it' });
    await handleIoRequest(t.deps, published(t.p));
    expect((await handleIoRequest(t.deps, invalidated)).messages[0]).toMatchObject({ result: 'sent' });
    expect(t.calls.submit).toBe(2);
  });

  it('payment received: one message about the paid option, whatever the position status', async () => {
    const p = position({ status: 'PAID', paymentOptions: [option({ status: 'PO_PAID' })] });
    const t = setup({}, p);
    const event = { eventId: '00000000-0000-4000-8000-000000000002', eventType: 'payment.received' as const, occurredAt: NOW.toISOString(), organizationFiscalCode: p.organizationFiscalCode, iupd: p.iupd, nav: p.paymentOptions[0]!.nav, iuv: p.paymentOptions[0]!.iuv, receiptId: 'r1', amount: 10000, status: 'PAID' as const, previousStatus: 'VALID' as const, version: 2 };
    expect((await handleIoRequest(t.deps, event)).messages[0]).toMatchObject({ result: 'sent' });
    expect((await handleIoRequest(t.deps, event)).messages[0]).toMatchObject({ result: 'already-done' });
  });
});

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
      enqueue: async (r: readonly ReminderRequest[]) => (sent.push(...r), []),
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
