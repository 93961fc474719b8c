/**
 * An upload's App IO messages on the local stack (App IO simulator inbox): they are not sent from
 * the positions' published events but released by the upload follow-up, from the upload's
 * ioSendAt, at a paced rate that leaves room for interactive messages; and a presigned upload
 * whose file never arrived ends with its reason.
 *
 * Deterministic whatever the machine's load: the follow-up runs are its handler (makeHandler) on
 * the stack's own table with a clock the test sets (the schedule of the stack also runs, with the
 * real clock, and finds nothing due: the instants asked are a day away).
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackOfficeReceiver, type BackOfficeReceiver } from '../../infra/local/simulators/back-office';
import type { FollowUpSettings, FollowUpSummary } from '../../shared/use-cases/bulk-upload/follow-up';
import { DEBTOR_CF, positionRequest } from '../fixtures/positions';
import { ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';
import { finished as finishedAt, gpdFile, zipOf } from '../support/uploads';

const FILES = `/brokers/${ESEMPIO_FC}/organizations/${ESEMPIO_FC}/debtpositions`;
const DAY = 86_400_000;
let stack: LocalStack;
let receiver: BackOfficeReceiver;
let tick: (at: Date, settings?: Partial<FollowUpSettings>) => Promise<FollowUpSummary>;
const context = { awsRequestId: 'upload-follow-up-test', functionName: 'upload-follow-up', getRemainingTimeInMillis: () => 120_000 } as unknown as Context;
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as unknown as ScheduledEvent;
/** what the test measured, printed at the end (the README draft quotes it) */
const measured: Record<string, unknown> = {};

beforeAll(async () => {
  stack = await startLocalStack();
  receiver = await startBackOfficeReceiver({ port: 0 });
  const created = await stack.api('POST', `/organizations/${ESEMPIO_FC}/webhooks`, { body: { url: receiver.url, eventTypes: ['upload.completed'] } });
  expect(created.status, created.text).toBe(201);
  receiver.setSecret(created.json.secret);
  // imported once the stack has set the environment the handlers read (as the local runtime does)
  const [{ makeHandler }, { uploadFollowUpRoot }] = await Promise.all([import('../../functions/upload-follow-up/handler'), import('../../shared/composition/bulk-upload')]);
  tick = (at, settings = {}) => {
    const root = uploadFollowUpRoot();
    return makeHandler({ ...root, settings: { ...root.settings, ...settings }, clock: () => new Date(at.getTime()) })(scheduled, context) as Promise<FollowUpSummary>;
  };
}, 120_000);
afterAll(async () => {
  console.log(`bulk-upload-io measured: ${JSON.stringify(measured)}`);
  await receiver?.close();
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function upload(positions: unknown[], query: string): Promise<{ status: number; fileId?: string; json?: any }> {
  const form = new FormData();
  form.append('file', new Blob([zipOf({ 'positions.json': gpdFile(positions) })]), 'positions.zip');
  const response = await fetch(`${stack.url}${FILES}/file${query}`, { method: 'POST', headers: { 'Ocp-Apim-Subscription-Key': 'demo-esempio-key-0123456789abcdef' }, body: form });
  const text = await response.text();
  const fileId = /file\/([0-9a-f-]{36})\/status$/.exec(response.headers.get('location') ?? '')?.[1];
  return { status: response.status, ...(fileId ? { fileId } : {}), ...(text ? { json: JSON.parse(text) } : {}) };
}

const finished = (fileId: string): Promise<any> => finishedAt(stack, FILES, fileId);

const inboxOf = (navs: readonly string[]) => {
  const wanted = new Set(navs);
  return stack.layer.io.sim.inbox(DEBTOR_CF).filter((m) => wanted.has(m.content?.payment_data?.notice_number ?? ''));
};

async function navsOf(fileId: string): Promise<string[]> {
  const report = await stack.api('GET', `${FILES}/file/${fileId}/report`);
  const iupds: string[] = report.json.responses.find((r: any) => r.statusCode === 201)?.iupds ?? [];
  const navs: string[] = [];
  for (const iupd of iupds) navs.push(...(await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`)).json.paymentOption.map((o: { nav: string }) => o.nav));
  return navs;
}

/** A REST-created published position, and how long until its new-notice message is in the inbox (ms). */
async function restMessageDelay(): Promise<number> {
  const started = Date.now();
  const created = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, { body: positionRequest() });
  expect(created.status, created.text).toBe(201);
  const nav: string = created.json.paymentOption[0].nav;
  for (;;) {
    if (inboxOf([nav]).length > 0) return Date.now() - started;
    if (Date.now() - started > 120_000) throw new Error('the REST position got no message in 120 s');
    await sleep(25);
  }
}

/** io.upload-notice requests straight on the io-messages queue, with no delay (a repeated release; or the fan-out's burst) */
async function enqueueAtOnce(fileId: string, iupds: readonly string[]): Promise<void> {
  const sqs = new SQSClient({ endpoint: stack.cloud.endpoints.sqs, region: stack.cloud.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (let i = 0; i < iupds.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: process.env['QUEUE_URL_IO_MESSAGES']!,
        Entries: iupds.slice(i, i + 10).map((iupd, k) => ({
          Id: String(k),
          MessageBody: JSON.stringify({ eventId: `upload-io:${fileId}:${iupd}`, eventType: 'io.upload-notice', occurredAt: new Date().toISOString(), organizationFiscalCode: ESEMPIO_FC, iupd, uploadId: fileId }),
        })),
      }),
    );
  }
}

const list = (n: number, tag: string) => Array.from({ length: n }, (_, i) => positionRequest({ iupd: `IO-${tag}-${String(i).padStart(4, '0')}` }));
const run = () => Math.random().toString(36).slice(2, 8).toUpperCase();

describe('an upload\u2019s App IO messages', { timeout: 240_000 }, () => {
  it('refuses an ioSendAt that is not a future date-time within a year, with a ProblemJson', async () => {
    for (const ioSendAt of ['tomorrow', new Date(Date.now() - 60_000).toISOString(), new Date(Date.now() + 400 * DAY).toISOString()]) {
      const answer = await upload(list(1, run()), `?ioSendAt=${encodeURIComponent(ioSendAt)}`);
      expect(answer.status, ioSendAt).toBe(400);
      expect(answer.json).toMatchObject({ status: 400 });
      expect(JSON.stringify(answer.json)).toContain('ioSendAt');
    }
    const draft = await upload(list(1, run()), `?toPublish=false&ioSendAt=${encodeURIComponent(new Date(Date.now() + DAY).toISOString())}`);
    expect(draft.status).toBe(400);
    const presigned = await stack.api('POST', `${FILES}/file/uploads`, { body: { fileName: 'tari.zip', size: 100, ioSendAt: 'soon' } });
    expect(presigned.status).toBe(400);
    expect(presigned.text).toContain('ioSendAt');
  });

  it('sends nothing before ioSendAt, then each message exactly once', async () => {
    const ioSendAt = new Date(Math.ceil((Date.now() + DAY) / 1000) * 1000);
    const answer = await upload(list(30, run()), `?ioSendAt=${encodeURIComponent(ioSendAt.toISOString())}`);
    expect(answer.status).toBe(202);
    const fileId = answer.fileId!;
    const status = await finished(fileId);
    expect(status).toMatchObject({ state: 'COMPLETED', acceptedItem: 30, ioSendAt: ioSendAt.toISOString(), ioMessages: { state: 'WAITING', released: 0 } });
    const navs = await navsOf(fileId);
    expect(navs).toHaveLength(30);
    // the published events went through io-sender (and the notices, webhooks) and asked for nothing
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(inboxOf(navs)).toHaveLength(0);
    expect((await tick(new Date(ioSendAt.getTime() - 1000))).released).toBe(0);
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(inboxOf(navs)).toHaveLength(0);

    const due = await tick(ioSendAt);
    expect(due).toMatchObject({ released: 30, releasesDone: 1 });
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const sent = inboxOf(navs);
    expect(sent).toHaveLength(30);
    expect(new Set(sent.map((m) => m.content.payment_data!.notice_number)).size).toBe(30);
    expect((await stack.api('GET', `${FILES}/file/${fileId}/status`)).json.ioMessages).toMatchObject({ state: 'RELEASED', released: 30 });

    // later runs release nothing more; the same requests queued again send nothing twice
    expect((await tick(new Date(ioSendAt.getTime() + 300_000))).released).toBe(0);
    const iupds: string[] = (await stack.api('GET', `${FILES}/file/${fileId}/report`)).json.responses.find((r: any) => r.statusCode === 201).iupds;
    await enqueueAtOnce(fileId, iupds.slice(0, 10));
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(inboxOf(navs)).toHaveLength(30);
  });

  it('without ioSendAt, the stack\u2019s own schedule releases them once the upload has ended', async () => {
    const answer = await upload(list(20, run()), '');
    expect(answer.status).toBe(202);
    const status = await finished(answer.fileId!);
    expect(status.ioSendAt).toBeUndefined();
    const navs = await navsOf(answer.fileId!);
    const deadline = Date.now() + 60_000;
    while (inboxOf(navs).length < 20 && Date.now() < deadline) await sleep(250);
    measured['atOnceUploadOf20SentWithinMs'] = 60_000 - (deadline - Date.now());
    expect(inboxOf(navs)).toHaveLength(20);
    for (;;) {
      const io = (await stack.api('GET', `${FILES}/file/${answer.fileId}/status`)).json.ioMessages;
      if (io.state === 'RELEASED') {
        expect(io).toMatchObject({ released: 20 });
        break;
      }
      if (Date.now() > deadline) throw new Error(`not released: ${JSON.stringify(io)}`);
      await sleep(250);
    }
  });

  it('while a list is released, a REST position\u2019s message goes out promptly (and does not when the list is queued at once)', async () => {
    const baseline: number[] = [];
    for (let i = 0; i < 3; i++) baseline.push(await restMessageDelay());
    measured['restDelayIdleMs'] = baseline;

    const size = 100;
    const ioSendAt = new Date(Math.ceil((Date.now() + 2 * DAY) / 1000) * 1000);
    const paced = await upload(list(size, run()), `?ioSendAt=${encodeURIComponent(ioSendAt.toISOString())}`);
    expect(paced.status).toBe(202);
    await finished(paced.fileId!);
    const pacedNavs = await navsOf(paced.fileId!);
    await stack.cloud.drain({ timeoutMs: 60_000 });

    // the release: 20 calls/s × 0.5 = 10 calls/s = 5 positions a second → 100 positions over 20 s
    const releasedAt = Date.now();
    expect((await tick(ioSendAt)).released).toBe(size);
    await sleep(3_000);
    const during: number[] = [];
    while (Date.now() - releasedAt < 14_000) during.push(await restMessageDelay());
    const listSentBeforeTheLastRest = inboxOf(pacedNavs).length;
    await stack.cloud.drain({ timeoutMs: 120_000 });
    const listDone = Date.now() - releasedAt;
    expect(inboxOf(pacedNavs)).toHaveLength(size);
    measured['pacedList'] = { positions: size, drainedAfterMs: listDone, sentWhileMeasuring: listSentBeforeTheLastRest };
    measured['restDelayDuringPacedReleaseMs'] = during;
    expect(during.length).toBeGreaterThanOrEqual(3);
    // the list still in progress while they were measured
    expect(listSentBeforeTheLastRest).toBeLessThan(size);
    expect(Math.max(...during)).toBeLessThan(Math.max(...baseline) + 4_000);

    // for contrast, the same list queued at once, as the fan-out of its published events did: the REST message waits behind it
    const ioSendAt2 = new Date(Math.ceil((Date.now() + 3 * DAY) / 1000) * 1000);
    const burst = await upload(list(size, run()), `?ioSendAt=${encodeURIComponent(ioSendAt2.toISOString())}`);
    await finished(burst.fileId!);
    const burstNavs = await navsOf(burst.fileId!);
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const iupds: string[] = (await stack.api('GET', `${FILES}/file/${burst.fileId}/report`)).json.responses.find((r: any) => r.statusCode === 201).iupds;
    await enqueueAtOnce(burst.fileId!, iupds);
    await sleep(1_000);
    const contrast = await restMessageDelay();
    measured['restDelayBehindUnpacedListMs'] = contrast;
    await stack.cloud.drain({ timeoutMs: 180_000 });
    expect(inboxOf(burstNavs)).toHaveLength(size);
    expect(contrast).toBeGreaterThan(Math.max(...during));
  });
});

describe('a presigned upload whose file never arrives', { timeout: 120_000 }, () => {
  it('ends REFUSED (408) 15 minutes after its URL expired, with the reason in the status and report and one upload.completed', async () => {
    const announced = await stack.api('POST', `${FILES}/file/uploads`, { body: { fileName: 'tari.zip', size: 1234 } });
    expect(announced.status, announced.text).toBe(201);
    const fileId: string = announced.json.fileId;
    const startedAt = Date.parse((await stack.api('GET', `${FILES}/file/${fileId}/status`)).json.startTime);
    expect(Date.parse(announced.json.expiresAt) - startedAt).toBe(15 * 60_000);

    await tick(new Date(startedAt + 29 * 60_000));
    expect((await stack.api('GET', `${FILES}/file/${fileId}/status`)).json).toMatchObject({ state: 'AWAITING_FILE', operationStatus: 'IN_PROGRESS' });
    const ended = await tick(new Date(startedAt + 30 * 60_000));
    expect(ended.expired).toBeGreaterThanOrEqual(1);
    const status = (await stack.api('GET', `${FILES}/file/${fileId}/status`)).json;
    expect(status).toMatchObject({ state: 'REFUSED', operationStatus: 'COMPLETED_UNSUCCESSFULLY', refusal: { status: 408 } });
    expect(status.refusal.reason).toContain(`the upload URL expired at ${announced.json.expiresAt}`);
    const report = await stack.api('GET', `${FILES}/file/${fileId}/report`);
    expect(report.status).toBe(200);
    expect(report.json.responses).toEqual([{ statusCode: 408, statusMessage: status.refusal.reason, iupds: [] }]);

    await tick(new Date(startedAt + 60 * 60_000));
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const deadline = Date.now() + 20_000;
    const events = () => receiver.requests.filter((r) => r.eventType === 'upload.completed' && JSON.parse(r.body).fileId === fileId);
    while (events().length === 0 && Date.now() < deadline) await sleep(100);
    expect(events()).toHaveLength(1);
    expect(JSON.parse(events()[0]!.body)).toMatchObject({ state: 'REFUSED', operationStatus: 'COMPLETED_UNSUCCESSFULLY', refusal: { status: 408 } });
    // a PUT that comes after it changes nothing
    expect((await stack.api('GET', `${FILES}/file/${fileId}/status`)).json.state).toBe('REFUSED');
  });
});
