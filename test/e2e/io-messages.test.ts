/**
 * Citizen messages end to end on the local stack with the App IO simulator mounted: REST →
 * outbox event → dispatcher → io-messages → io-sender → simulator inbox (or the e-mail outbox).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { validateNewMessage } from '../../shared/domain/app-io/io-api';
import { DEFAULT_TEMPLATES } from '../../shared/domain/app-io/templates';
import { ESEMPIO_FC, ESEMPIO_KEY } from '../support/local-stack';
import { startIoStack, type IoStack } from '../support/io-stack';
import { positionRequest } from '../fixtures/positions';

const ON_IO = 'RCCMNL83S18D969H';
const NOT_ON_IO = 'BNCGVN80A01H501J';
const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
let stack: IoStack;

beforeAll(async () => {
  stack = await startIoStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.io.sim.setFaults({ rate429: 0, rate500: 0, latencyMs: 0, timeoutRate: 0 });
});

function messagesFor(nav: string) {
  return stack.io.sim.messages().filter((m) => m.content.payment_data?.notice_number === nav);
}

async function createPublished(overrides: Record<string, unknown> = {}): Promise<{ iupd: string; navs: string[] }> {
  const body = positionRequest(overrides);
  const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
  expect(created.status, created.text).toBe(201);
  return { iupd: String(body['iupd']), navs: created.json.paymentOption.map((o: { nav: string }) => o.nav) };
}

describe('App IO messages from domain events', () => {
  it('a published position gives exactly one valid new-notice message with payment_data in the citizen inbox', async () => {
    const { iupd, navs } = await createPublished();
    await stack.cloud.drain({ timeoutMs: 30_000 });
    const sent = messagesFor(navs[0]!);
    expect(sent).toHaveLength(1);
    const m = sent[0]!;
    expect(m.status).toBe('PROCESSED');
    expect(stack.io.sim.inbox(ON_IO).some((x) => x.id === m.id)).toBe(true);
    expect(m.content.payment_data).toEqual({ amount: 12050, notice_number: navs[0], invalid_after_due_date: false, payee: { fiscal_code: ESEMPIO_FC } });
    expect(m.content.due_date).toMatch(/^2099-03-31T\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(validateNewMessage({ fiscal_code: m.fiscalCode, content: m.content }).ok).toBe(true);
    expect(m.content.subject).toBe('Nuovo avviso di pagamento');

    // the dossier shows the position, its notice and the message with the IO id
    const dossier = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtors/${ON_IO}/dossier`);
    expect(dossier.status).toBe(200);
    const mine = dossier.json.positions.find((p: { iupd: string }) => p.iupd === iupd);
    expect(mine.notice.available).toBe(true);
    expect(mine.messages).toEqual([expect.objectContaining({ nav: navs[0], kind: 'new-notice', state: 'sent', channel: 'io', ioMessageId: m.id, attempts: 1 })]);
  }, 60_000);

  it('duplicate and concurrent deliveries of the same event never send twice', async () => {
    const { iupd, navs } = await createPublished();
    await stack.cloud.drain({ timeoutMs: 30_000 });
    const event = {
      eventId: '00000000-0000-4000-8000-000000000001',
      eventType: 'debt-position.published',
      occurredAt: new Date().toISOString(),
      organizationFiscalCode: ESEMPIO_FC,
      iupd,
      version: 1,
      status: 'VALID',
      previousStatus: 'DRAFT',
      payable: true,
      noticeNumbers: navs,
    };
    await Promise.all(Array.from({ length: 6 }, () => stack.enqueue(event)));
    // a duplicate that met a live claim comes back once and then finds the record final: quick
    await stack.cloud.drain({ timeoutMs: 10_000 });
    expect(messagesFor(navs[0]!)).toHaveLength(1);
  }, 60_000);

  it('with 30% injected 429 and 10% 500, every position gets exactly one message (retried with backoff)', async () => {
    stack.io.sim.setFaults({ rate429: 0.3, rate500: 0.1 });
    const created = await Promise.all(Array.from({ length: 12 }, () => createPublished()));
    await stack.cloud.drain({ timeoutMs: 90_000 });
    const injected = stack.io.sim.state.requests.filter((r) => r.injected).length;
    expect(injected).toBeGreaterThan(0);
    for (const { navs } of created) expect(messagesFor(navs[0]!)).toHaveLength(1);
  }, 120_000);

  it('installments without a single option: one message per installment, each with its own notice number', async () => {
    const base = positionRequest();
    const [single] = base['paymentOption'] as Array<Record<string, any>>;
    const rate = (due: string) => ({ ...single, amount: 5000, isPartialPayment: true, dueDate: due, transfer: [{ ...single!['transfer'][0], amount: 5000 }] });
    const { navs } = await createPublished({ paymentOption: [rate('2099-01-31'), rate('2099-02-28')] });
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(navs).toHaveLength(2);
    for (const nav of navs) expect(messagesFor(nav).map((m) => m.content.payment_data?.amount)).toEqual([5000]);
  }, 60_000);

  it('a citizen not on IO with an e-mail address gets the notice by e-mail (one .eml, listed at /_sim/mail)', async () => {
    const before = stack.io.sim.messages().length;
    const { iupd } = await createPublished({ fiscalCode: NOT_ON_IO, email: 'giovanni.bianchi@example.org' });
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(stack.io.sim.messages().length).toBe(before);
    const files = readdirSync(stack.io.outboxDir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const raw = readFileSync(join(stack.io.outboxDir, files[0]!));
    // read back by an independent parser: the headers decoded, the attachment as bytes
    const mail = await simpleParser(raw);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual(['giovanni.bianchi@example.org']);
    expect(mail.subject).toBe(DEFAULT_TEMPLATES['new-notice'].subject);
    expect(mail.attachments).toHaveLength(1);
    const [attachment] = mail.attachments;
    expect(attachment!.contentType).toBe('application/pdf');
    expect(attachment!.filename).toMatch(/\.pdf$/);
    expect(attachment!.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // the very notice the API serves for the position
    const notice = await fetch(`${stack.cloud.url}${positions}/${iupd}/notice`, { headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO_KEY } });
    expect(notice.status).toBe(200);
    expect(Buffer.from(attachment!.content).equals(Buffer.from(await notice.arrayBuffer()))).toBe(true);
    const listed = await fetch(`${stack.cloud.url}/_sim/mail/`).then((r) => r.json() as Promise<{ messages: Array<{ to: string; subject: string; attachments: number }> }>);
    expect(listed.messages).toEqual([expect.objectContaining({ to: 'giovanni.bianchi@example.org', subject: DEFAULT_TEMPLATES['new-notice'].subject, attachments: 1 })]);
    const dossier = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtors/${NOT_ON_IO}/dossier`);
    expect(dossier.json.positions.find((p: { iupd: string }) => p.iupd === iupd).messages[0]).toMatchObject({ state: 'sent', channel: 'email' });
  }, 60_000);

  it('a reminder for an option that is no longer payable is not sent; a due one is sent once', async () => {
    const { iupd, navs } = await createPublished();
    await stack.cloud.drain({ timeoutMs: 30_000 });
    const reminder = (days: number) => ({
      eventId: `reminder:${ESEMPIO_FC}:${iupd}:${navs[0]}:${days}`,
      eventType: 'io.reminder',
      occurredAt: new Date().toISOString(),
      organizationFiscalCode: ESEMPIO_FC,
      iupd,
      nav: navs[0],
      days,
      daysLeft: days,
    });
    await Promise.all([stack.enqueue(reminder(7)), stack.enqueue(reminder(7))]);
    await stack.cloud.drain({ timeoutMs: 10_000 });
    expect(messagesFor(navs[0]!).map((m) => m.content.subject)).toEqual(['Nuovo avviso di pagamento', 'Promemoria: avviso di pagamento in scadenza']);
    // invalidated: no longer payable → the reminder is skipped
    expect((await stack.api('POST', `${positions}/${iupd}/invalidate`)).status).toBe(200);
    await stack.cloud.drain({ timeoutMs: 30_000 });
    await stack.enqueue(reminder(1));
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(messagesFor(navs[0]!)).toHaveLength(2);
  }, 60_000);
});

describe('templates API', () => {
  it('refuses a template that could break IO limits with every reason, and uses a saved one', async () => {
    const bad = await stack.api('PUT', `/organizations/${ESEMPIO_FC}/io/templates/new-notice`, { body: { subject: 'Hi', markdown: 'Paga {{daysLeft}} {{nope}}' } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { message: string }) => e.message.split(':')[0]).sort()).toEqual(['PLACEHOLDER_NOT_ALLOWED', 'UNKNOWN_PLACEHOLDER']);
    const short = await stack.api('PUT', `/organizations/${ESEMPIO_FC}/io/templates/new-notice`, { body: { subject: 'Hi', markdown: 'Paga {{amount}}' } });
    expect(short.status).toBe(400);
    expect(short.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['markdown', 'subject']);
    expect((await stack.api('PUT', `/organizations/${ESEMPIO_FC}/io/templates/unknown`, { body: { subject: 'x', markdown: 'y' } })).status).toBe(404);

    const markdown = `Gentile contribuente, {{creditorName}} ti chiede di pagare {{amount}} euro entro il {{dueDate}} (avviso {{noticeNumber}}).`;
    const ok = await stack.api('PUT', `/organizations/${ESEMPIO_FC}/io/templates/new-notice`, { body: { subject: 'TARI: nuovo avviso da pagare', markdown } });
    expect(ok.status, ok.text).toBe(200);
    const { navs } = await createPublished();
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(messagesFor(navs[0]!).map((m) => m.content.subject)).toEqual(['TARI: nuovo avviso da pagare']);
  }, 60_000);
});
