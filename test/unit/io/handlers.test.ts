/**
 * The App IO functions through their makeHandler, with in-memory ports: the io-sender (queue
 * message → App IO or e-mail, retries after their own backoff, metrics), the daily reminders,
 * the template route and the citizen's dossier.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { reminderRequestExample } from '../../../events/io-message-request';
import type { DebtPosition } from '../../../shared/domain/debt-position';
import type { Organization } from '../../../shared/domain/organization';
import type { Caller, TenantAuthenticator } from '../../../shared/http/tenant-auth';
import type { BusinessMetric } from '../../../shared/observability/lambda';
import { createLogger } from '../../../shared/observability/logger';
import type { GetProfileResult, SubmitMessageResult } from '../../../shared/use-cases/app-io/ports';
import type { StoredReceipt } from '../../../shared/use-cases/receipts/ports';
import { ESEMPIO, position } from '../../fixtures/positions';
import { MemoryRecords, context, sendingSetup, setHandlerSettings, sqsEvent, sqsRecord } from './fakes';

setHandlerSettings();
const sender = await import('../../../functions/io-sender/handler');
const reminders = await import('../../../functions/io-reminders/handler');
const templates = await import('../../../functions/put-io-template/handler');
const dossier = await import('../../../functions/get-debtor-dossier/handler');

const logger = createLogger();
const NOW = new Date('2027-03-01T08:00:00.000Z');
const ORG: Organization = { ...ESEMPIO, io: { services: [{ serviceId: 'TARI', name: 'TARI', apiKey: 'k'.repeat(20) }] } };
const ON_IO = 'RCCMNL83S18D969H';

const published = (p: DebtPosition) => ({
  eventId: '00000000-0000-4000-8000-000000000001',
  eventType: 'debt-position.published',
  occurredAt: NOW.toISOString(),
  organizationFiscalCode: p.organizationFiscalCode,
  iupd: p.iupd,
  version: 1,
  status: 'VALID',
  payable: true,
  noticeNumbers: p.paymentOptions.map((o) => o.nav),
});

function ioSender(io: { profile?: () => Promise<GetProfileResult>; submit?: () => Promise<SubmitMessageResult> } = {}, p?: DebtPosition) {
  const t = sendingSetup(io, p ?? position({ status: 'VALID', publishDate: '2027-01-01T00:00:00.000Z' }), { organization: ORG, now: NOW });
  const visibility: Array<[string, number]> = [];
  const counted: BusinessMetric[] = [];
  let random = 0;
  const handler = sender.makeHandler({
    consumer: { logger, maxReceiveCount: 20, setVisibility: async (handle, seconds) => void visibility.push([handle, seconds]) },
    logger,
    messages: t.deps,
    backoff: { baseSeconds: 10, maxSeconds: 900, minSeconds: 1 },
    random: () => random,
    count: (metric) => void counted.push(metric),
  });
  const run = async (...records: ReturnType<typeof sqsRecord>[]) => (await handler(sqsEvent(...records), context)).batchItemFailures.map((f) => f.itemIdentifier);
  return { ...t, run, visibility, counted, setRandom: (r: number) => (random = r) };
}

describe('io-sender', () => {
  it('sends the new-notice message once and counts it; a duplicate delivery sends nothing more', async () => {
    const t = ioSender();
    // side by side in one batch: the duplicate meets the live claim and comes back after its lease
    const first = sqsRecord(published(t.p));
    const duplicate = sqsRecord(published(t.p));
    expect(await t.run(first, duplicate)).toEqual([duplicate.messageId]);
    expect(t.visibility).toEqual([[duplicate.receiptHandle, 60]]);
    expect(t.calls.submit).toBe(1);
    expect(t.counted).toEqual(['IoMessageSent']);
    // shown again later: the record is final, nothing is sent or counted
    expect(await t.run(sqsRecord(published(t.p), 2))).toEqual([]);
    expect(t.calls.submit).toBe(1);
    expect(t.counted).toEqual(['IoMessageSent']);
    expect([...t.records.items.values()].map((r) => r.state)).toEqual(['sent']);
  });

  it('the e-mail fallback and a refusal for good are counted as such', async () => {
    const withEmail = position({ status: 'VALID', debtor: { type: 'F', fiscalCode: ON_IO, fullName: 'Mario Rossi', email: 'mario@example.org' } });
    const mail = ioSender({ profile: async () => ({ kind: 'not-found' }) }, withEmail);
    expect(await mail.run(sqsRecord(published(mail.p)))).toEqual([]);
    expect(mail.counted).toEqual(['EmailSent']);
    expect(mail.emails).toHaveLength(1);
    const refused = ioSender({ submit: async () => ({ kind: 'permanent', status: 400, problem: { title: 'Invalid NewMessage' } }) });
    expect(await refused.run(sqsRecord(published(refused.p)))).toEqual([]);
    expect(refused.counted).toEqual(['IoMessageFailed']);
  });

  it("a 429 gives the message back after its own delay: at least IO's Retry-After, at least 1 s, full jitter below the ceiling", async () => {
    const t = ioSender({ submit: async () => ({ kind: 'retryable', status: 429, reason: 'throttled', retryAfterMs: 30_000 }) });
    const first = sqsRecord(published(t.p));
    expect(await t.run(first)).toEqual([first.messageId]);
    expect(t.visibility).toEqual([[first.receiptHandle, 30]]);
    expect(t.counted).toEqual([]);

    const noHint = ioSender({ submit: async () => ({ kind: 'retryable', status: 503, reason: 'server-error' }) });
    const again = sqsRecord(published(noHint.p));
    expect(await noHint.run(again)).toEqual([again.messageId]);
    expect(noHint.visibility).toEqual([[again.receiptHandle, 1]]);
    noHint.setRandom(0.999);
    const third = sqsRecord(published(noHint.p), 3);
    await noHint.run(third);
    expect(noHint.visibility.at(-1)).toEqual([third.receiptHandle, 40]);
  });

  it('an unexpected failure is retried after the backoff too, alone in its batch', async () => {
    const t = ioSender();
    t.deps.positions.get = async () => {
      throw new Error('DynamoDB is down');
    };
    const failing = sqsRecord(published(t.p), 2);
    expect(await t.run(failing)).toEqual([failing.messageId]);
    expect(t.visibility).toEqual([[failing.receiptHandle, 1]]);
  });

  it('a malformed message fails at once (towards the DLQ) without calling IO; events it does not subscribe to ask for nothing', async () => {
    const t = ioSender();
    const notJson = sqsRecord('{"eventType":');
    const unknown = sqsRecord({ eventType: 'debt-position.published', iupd: 'X' });
    const good = sqsRecord(published(t.p));
    expect((await t.run(notJson, unknown, good)).sort()).toEqual([notJson.messageId, unknown.messageId].sort());
    expect(t.visibility.sort()).toEqual([[notJson.receiptHandle, 0], [unknown.receiptHandle, 0]].sort());
    expect(t.calls.submit).toBe(1);
    const updated = sqsRecord({ ...published(t.p), eventId: '00000000-0000-4000-8000-000000000009', eventType: 'debt-position.updated' });
    expect(await t.run(updated)).toEqual([]);
    expect(t.calls.profile).toBe(1);
  });

  it('reads a payment event as a payment-received message with the amount paid, and a reminder request as its reminder', async () => {
    const p = position({ status: 'VALID', publishDate: '2027-01-01T00:00:00.000Z' });
    const t = ioSender({}, p);
    const nav = p.paymentOptions[0]!.nav;
    const payment = { eventId: '00000000-0000-4000-8000-000000000002', eventType: 'payment.received', occurredAt: NOW.toISOString(), organizationFiscalCode: p.organizationFiscalCode, iupd: p.iupd, nav, iuv: p.paymentOptions[0]!.iuv, receiptId: 'r1', amount: 4321, status: 'PAID', previousStatus: 'VALID', version: 2 };
    const reminder = { ...reminderRequestExample, organizationFiscalCode: p.organizationFiscalCode, iupd: p.iupd, nav, days: 30, daysLeft: 30 };
    expect(await t.run(sqsRecord(payment), sqsRecord(reminder))).toEqual([]);
    expect([...t.records.items.values()].map((r) => r.kind).sort()).toEqual(['payment-received', 'reminder-30d']);
  });
});

describe('io-reminders', () => {
  it('queues the due reminders on io-messages and fails the run when the queue refuses some', async () => {
    const p = position({ status: 'VALID', publishDate: '2027-01-01T00:00:00.000Z', paymentOptions: [{ ...position().paymentOptions[0]!, dueDate: '2027-03-05T22:59:59.999Z' }] });
    const sent: Array<{ url: string; body: string }> = [];
    let refuse = false;
    const handler = reminders.makeHandler({
      organizations: { list: async () => [ORG] },
      positionsDue: async function* (_ofc, status) {
        yield status === 'VALID' ? [p] : [];
      },
      records: new MemoryRecords(),
      publisher: { send: async (url, messages) => (refuse ? messages.map((m) => m.id) : (sent.push(...messages.map((m) => ({ url, body: m.body }))), [])) },
      ioMessagesQueueUrl: 'http://io-messages',
      clock: () => NOW,
      logger,
    });
    const summary = await handler({} as never, context);
    expect(summary).toMatchObject({ organizations: 1, enqueued: 1, notAccepted: 0 });
    expect(sent.map((m) => [m.url, JSON.parse(m.body).eventType, JSON.parse(m.body).days])).toEqual([['http://io-messages', 'io.reminder', 7]]);
    refuse = true;
    await expect(handler({} as never, context)).rejects.toThrow(/not accepted by the queue/);
  });
});

const asEsempio: TenantAuthenticator = async (_headers, organizationFiscalCode, requestId): Promise<Caller> => ({
  actor: { organizationFiscalCode, keyId: 'key-1', requestId },
  organization: ESEMPIO,
});

function restEvent(method: string, path: string, pathParameters: Record<string, string>, body?: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'ocp-apim-subscription-key': 'unit-test-key', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode, ...pathParameters },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'request-1', http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
}

const answer = async (handler: (e: APIGatewayProxyEventV2, c: typeof context) => Promise<unknown>, e: APIGatewayProxyEventV2) => {
  const result = (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, json: JSON.parse(result.body ?? 'null') };
};

describe('PUT …/io/templates/{kind}', () => {
  it('saves a template IO can always take; refuses one that could break its limits, naming why; 404 for an unknown kind', async () => {
    const saved: string[] = [];
    const handler = templates.makeHandler({
      logger,
      authenticate: asEsempio,
      templates: { put: async (_ofc, kind) => void saved.push(kind) },
      clock: () => NOW,
    });
    const path = (kind: string) => `/organizations/${ESEMPIO.fiscalCode}/io/templates/${kind}`;
    const good = { subject: 'Avviso di pagamento {{noticeNumber}}', markdown: `Gentile cittadino, ${'è disponibile un avviso di pagamento di {{amount}} euro. '.repeat(3)}` };
    const ok = await answer(handler, restEvent('PUT', path('new-notice'), { kind: 'new-notice' }, good));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ kind: 'new-notice', template: good });
    expect(saved).toEqual(['new-notice']);
    const short = await answer(handler, restEvent('PUT', path('new-notice'), { kind: 'new-notice' }, { subject: 'x', markdown: 'y' }));
    expect(short.status).toBe(400);
    expect(short.json.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['subject', 'markdown']));
    expect((await answer(handler, restEvent('PUT', path('other'), { kind: 'other' }, good))).status).toBe(404);
    expect(saved).toEqual(['new-notice']);
  });
});

describe('GET …/debtors/{fiscalCode}/dossier', () => {
  it("a debtor's positions with their notice, receipts and messages; 400 for a fiscal code with a wrong check character", async () => {
    const p = position({ status: 'VALID', publishDate: '2027-01-01T00:00:00.000Z' });
    const records = new MemoryRecords();
    const key = { organizationFiscalCode: p.organizationFiscalCode, iupd: p.iupd, nav: p.paymentOptions[0]!.nav, kind: 'new-notice' as const };
    await records.claim(key, 'c1', NOW.getTime(), 1000);
    await records.finish(key, 'c1', { state: 'sent', channel: 'io', ioMessageId: 'io-1' }, NOW.getTime());
    const asked: string[] = [];
    const handler = dossier.makeHandler({
      logger,
      authenticate: asEsempio,
      debtorPositions: { ofDebtor: async (_ofc, fc) => (asked.push(fc), { positions: [p], more: false }) },
      positionReceipts: { ofPosition: async (): Promise<StoredReceipt[]> => [] },
      messages: records,
      clock: () => NOW,
    });
    const path = (fc: string) => `/organizations/${ESEMPIO.fiscalCode}/debtors/${fc}/dossier`;
    const fc = p.debtor.fiscalCode.toLowerCase();
    const ok = await answer(handler, restEvent('GET', path(fc), { fiscalCode: fc }));
    expect(ok.status).toBe(200);
    expect(asked).toEqual([p.debtor.fiscalCode.toUpperCase()]);
    expect(ok.json).toMatchObject({ organizationFiscalCode: ESEMPIO.fiscalCode, fiscalCode: p.debtor.fiscalCode.toUpperCase(), truncated: false });
    expect(ok.json.positions).toEqual([
      expect.objectContaining({
        iupd: p.iupd,
        status: 'VALID',
        notice: { available: true, href: `/organizations/${ESEMPIO.fiscalCode}/debtpositions/${p.iupd}/notice` },
        receipts: [],
        messages: [expect.objectContaining({ kind: 'new-notice', state: 'sent', channel: 'io', ioMessageId: 'io-1', attempts: 1 })],
      }),
    ]);
    const wrong = `${p.debtor.fiscalCode.slice(0, 15)}${p.debtor.fiscalCode.endsWith('A') ? 'B' : 'A'}`;
    expect((await answer(handler, restEvent('GET', path(wrong), { fiscalCode: wrong }))).status).toBe(400);
  });
});
