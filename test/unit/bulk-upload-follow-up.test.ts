/**
 * The upload follow-up (shared/use-cases/bulk-upload/follow-up.ts) on an in-memory store: the
 * paced release of an upload's IO requests (the pace, the cursor, nothing released twice, ioSendAt)
 * and the end of presigned uploads whose file never arrived.
 */
import { describe, expect, it } from 'vitest';
import type { UploadCompletedEvent } from '../../events/upload';
import { uploadNoticeRequestSchema } from '../../events/upload';
import type { Organization } from '../../shared/domain/organization';
import type { OutgoingMessage } from '../../shared/use-cases/ports';
import { followUpUploads, leftToUploadRelease, releaseRate, type FollowUpDeps } from '../../shared/use-cases/bulk-upload/follow-up';
import type { RowOutcome, Upload, UploadStore } from '../../shared/use-cases/bulk-upload/ports';
import { checkIoSendAt, needsFollowUp, newUpload } from '../../shared/use-cases/bulk-upload/uploads';

const OFC = '80001234568';
const T0 = Date.parse('2027-01-10T08:00:00.000Z');
const at = (ms: number) => new Date(ms);

/** The follow-up's part of the store, in memory (the rest is not used by it). */
class MemoryStore {
  uploads = new Map<string, Upload>();
  chunks = new Map<string, Array<{ sk: string; outcomes: RowOutcome[] }>>();
  followUps = new Map<string, string>();
  events: UploadCompletedEvent[] = [];
  /** make the next advanceIoRelease throw (a run that dies after its requests were queued) */
  crashNextAdvance = false;

  add(upload: Upload, outcomes: RowOutcome[] = [], chunkRows = 100): void {
    this.uploads.set(upload.fileId, upload);
    const chunks: Array<{ sk: string; outcomes: RowOutcome[] }> = [];
    for (let i = 0; i * chunkRows < outcomes.length; i++) chunks.push({ sk: `CHUNK#A${String(i).padStart(7, '0')}`, outcomes: outcomes.slice(i * chunkRows, (i + 1) * chunkRows) });
    this.chunks.set(upload.fileId, chunks);
    this.followUps.set(upload.fileId, upload.startTime);
  }

  async followUpsDue(now: string): Promise<Upload[]> {
    return [...this.followUps].filter(([, checkAt]) => checkAt <= now).sort(([, a], [, b]) => a.localeCompare(b)).map(([id]) => ({ ...this.uploads.get(id)! }));
  }
  async followUpAt(u: Pick<Upload, 'fileId'>, when: string): Promise<void> {
    if (this.followUps.has(u.fileId)) this.followUps.set(u.fileId, when);
  }
  async endFollowUp(u: Pick<Upload, 'fileId'>, ioDoneAt?: string): Promise<void> {
    this.followUps.delete(u.fileId);
    const upload = this.uploads.get(u.fileId)!;
    if (ioDoneAt && !upload.ioDoneAt) this.uploads.set(u.fileId, { ...upload, ioDoneAt });
  }
  async expireAwaiting(u: Upload, status: number, reason: string, when: string, event: UploadCompletedEvent): Promise<boolean> {
    const upload = this.uploads.get(u.fileId)!;
    if (upload.state !== 'AWAITING_FILE') return false;
    this.uploads.set(u.fileId, { ...upload, state: 'REFUSED', refusal: { status, reason }, endTime: when });
    this.events.push(event);
    return true;
  }
  async *createdFrom(_ofc: string, fileId: string, cursor: string | undefined) {
    const [fromSk, fromIndex] = cursor ? [cursor.split('/')[0]!, Number(cursor.split('/')[1])] : ['', 0];
    for (const chunk of this.chunks.get(fileId) ?? []) {
      if (chunk.sk < fromSk) continue;
      for (let i = chunk.sk === fromSk ? fromIndex : 0; i < chunk.outcomes.length; i++) {
        const o = chunk.outcomes[i]!;
        if (o.status === 201) yield { iupd: o.iupd, navs: o.navs ?? [], next: `${chunk.sk}/${i + 1}` };
      }
    }
  }
  async advanceIoRelease(u: Pick<Upload, 'fileId'>, from: string | undefined, to: { cursor: string; released: number; releasedUntil: string; done?: string }): Promise<boolean> {
    if (this.crashNextAdvance) {
      this.crashNextAdvance = false;
      throw new Error('the run died');
    }
    const upload = this.uploads.get(u.fileId)!;
    if (upload.ioCursor !== from) return false;
    this.uploads.set(u.fileId, { ...upload, ioCursor: to.cursor, ioReleased: to.released, ioReleasedUntil: to.releasedUntil, ...(to.done && !upload.ioDoneAt ? { ioDoneAt: to.done } : {}) });
    return true;
  }
}

class MemoryQueue {
  sent: Array<OutgoingMessage & { at: number }> = [];
  refuse = false;
  now = 0;
  async send(_url: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    if (this.refuse) return messages.map((m) => m.id);
    this.sent.push(...messages.map((m) => ({ ...m, at: this.now })));
    return [];
  }
  iupds(): string[] {
    return this.sent.map((m) => uploadNoticeRequestSchema.parse(JSON.parse(m.body)).iupd);
  }
}

const organization = (ratePerSecond?: number): Organization =>
  ({ fiscalCode: OFC, status: 'ACTIVE', io: { services: [{ serviceId: 'tari', name: 'TARI', ...(ratePerSecond ? { ratePerSecond } : {}) }] } }) as unknown as Organization;

function completedUpload(fileId: string, fields: Partial<Upload> = {}): Upload {
  return {
    organizationFiscalCode: OFC,
    brokerCode: OFC,
    fileId,
    operation: 'CREATE',
    format: 'json',
    state: 'COMPLETED',
    objectKey: `uploads/${OFC}/${fileId}/file.zip`,
    fileName: 'tari.zip',
    actor: { kind: 'api-key', keyId: 'k', requestId: 'r' } as unknown as Upload['actor'],
    startTime: at(T0 - 120_000).toISOString(),
    endTime: at(T0 - 60_000).toISOString(),
    submittedItem: 0,
    processedItem: 0,
    acceptedItem: 0,
    chunks: 0,
    chunksDone: 0,
    splitDone: true,
    ioPaced: true,
    ...fields,
  };
}

const created = (n: number, navs = 1, prefix = 'TARI'): RowOutcome[] =>
  Array.from({ length: n }, (_, i) => ({ line: i + 2, iupd: `${prefix}-${i}`, status: 201, navs: Array.from({ length: navs }, (_, k) => String(312000000000000000n + BigInt(i * 10 + k))) }));

function setup(options: { rate?: number; horizonSeconds?: number; maxPerRun?: number } = {}) {
  const store = new MemoryStore();
  const queue = new MemoryQueue();
  let now = T0;
  const deps: FollowUpDeps = {
    uploads: store as unknown as UploadStore,
    organizations: { get: async (fc) => (fc === OFC ? organization(options.rate) : undefined) },
    publisher: queue,
    ioMessagesQueueUrl: 'http://queue/io-messages',
    clock: () => at(now),
    newId: () => '6f1c2a4e-8d1b-4b8e-9a77-1f0c2b3d4e5f',
    settings: { ioShare: 0.5, horizonSeconds: options.horizonSeconds ?? 60, maxPerRun: options.maxPerRun ?? 10_000, maxUploads: 100 },
  };
  const run = async (ms: number) => {
    now = ms;
    queue.now = ms;
    return followUpUploads(deps);
  };
  return { store, queue, deps, run };
}

describe('the paced IO release of an upload', () => {
  it('takes ioShare of the smallest service rate: 2 calls per notice number, spread over the horizon with SQS delays', async () => {
    const { store, queue, run } = setup({ horizonSeconds: 60 });
    store.add(completedUpload('u1', { acceptedItem: 1000 }), created(1000));
    const summary = await run(T0);
    // 20 calls/s (App IO default) × 0.5 = 10 calls/s = 5 single-option positions a second, 60 s ahead
    expect(releaseRate(organization(), 0.5)).toBe(10);
    expect(summary).toMatchObject({ looked: 1, released: 300, releasesDone: 0 });
    const perSecond = new Map<number, number>();
    for (const m of queue.sent) perSecond.set(m.delaySeconds ?? 0, (perSecond.get(m.delaySeconds ?? 0) ?? 0) + 1);
    expect([...perSecond.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(Math.max(...perSecond.values())).toBe(5);
    expect(queue.sent[0]).toMatchObject({ delaySeconds: 0, attributes: { eventType: 'io.upload-notice' } });
    expect(JSON.parse(queue.sent[0]!.body)).toMatchObject({ eventId: 'upload-io:u1:TARI-0', eventType: 'io.upload-notice', organizationFiscalCode: OFC, iupd: 'TARI-0', uploadId: 'u1' });
    expect(store.uploads.get('u1')).toMatchObject({ ioReleased: 300, ioReleasedUntil: at(T0 + 60_000).toISOString() });
  });

  it('counts every notice number of a position (installments), and a slower service slows it', async () => {
    const { store, queue, run } = setup({ rate: 4, horizonSeconds: 60 });
    store.add(completedUpload('u1'), created(100, 3));
    await run(T0);
    // 4 × 0.5 = 2 calls/s; a plan of 3 installments costs 6 calls: one position every 3 s
    expect(queue.sent).toHaveLength(20);
    expect(queue.sent.map((m) => m.delaySeconds).slice(0, 4)).toEqual([0, 3, 6, 9]);
  });

  it('goes on from its cursor run after run, never queueing a position twice, then ends', async () => {
    const { store, queue, run } = setup({ horizonSeconds: 60 });
    store.add(completedUpload('u1'), [...created(350), { line: 999, iupd: 'REFUSED-1', status: 409, reasons: ['exists'] }, ...created(300, 1, 'IMU')], 70);
    // a run every 20 s: the timeline is filled 60 s ahead, each run adds what the elapsed 20 s freed
    const counts: number[] = [];
    for (let t = T0; counts.reduce((a, b) => a + b, 0) < 650 && t < T0 + 600_000; t += 20_000) counts.push((await run(t)).released);
    expect(counts.slice(0, 3)).toEqual([300, 100, 100]);
    expect(queue.iupds()).toHaveLength(650);
    expect(new Set(queue.iupds()).size).toBe(650);
    expect(queue.iupds()).not.toContain('REFUSED-1');
    // the requests' send instants never go faster than the budget: 5 a second on the shared timeline
    const sendAt = queue.sent.map((m) => m.at + (m.delaySeconds ?? 0) * 1000);
    const bySecond = new Map<number, number>();
    for (const s of sendAt) bySecond.set(Math.floor(s / 1000), (bySecond.get(Math.floor(s / 1000)) ?? 0) + 1);
    expect(Math.max(...bySecond.values())).toBeLessThanOrEqual(5);
    // then it is done: marked, out of the list, nothing more on later runs
    await run(T0 + 3_600_000);
    expect(store.uploads.get('u1')).toMatchObject({ ioReleased: 650 });
    expect(store.uploads.get('u1')!.ioDoneAt).toBeDefined();
    expect(store.followUps.has('u1')).toBe(false);
    await run(T0 + 7_200_000);
    expect(queue.iupds()).toHaveLength(650);
  });

  it('the next upload of a tenant starts after the last requests of the previous one, even runs later', async () => {
    const { store, queue, run } = setup({ horizonSeconds: 60 });
    store.add(completedUpload('a', { startTime: at(T0 - 200_000).toISOString() }), created(100, 1, 'A'));
    await run(T0);
    // all 100 queued (20 s of timeline), done, but listed until their send instants have passed
    expect(store.uploads.get('a')!.ioDoneAt).toBeDefined();
    expect(store.followUps.has('a')).toBe(true);
    store.add(completedUpload('b', { startTime: at(T0 - 100_000).toISOString() }), created(100, 1, 'B'));
    await run(T0 + 5_000);
    const first = queue.sent.find((m) => JSON.parse(m.body).iupd === 'B-0')!;
    expect(first.at + first.delaySeconds! * 1000).toBeGreaterThanOrEqual(T0 + 20_000);
    await run(T0 + 30_000);
    expect(store.followUps.has('a')).toBe(false);
  });

  it('a run that died after queueing resumes from the cursor it had (the queued ones again, which io-sender sends once)', async () => {
    const { store, queue, run } = setup({ horizonSeconds: 10 });
    store.add(completedUpload('u1'), created(120));
    store.crashNextAdvance = true;
    const crashed = await run(T0);
    expect(crashed.failed).toBe(1);
    expect(queue.sent).toHaveLength(50);
    expect(store.uploads.get('u1')!.ioCursor).toBeUndefined();
    await run(T0 + 5_000);
    // the same 50 from the same cursor: request ids are fixed per (upload, position)
    expect(queue.iupds().slice(50)).toEqual(queue.iupds().slice(0, 50));
    for (let t = T0 + 15_000; !store.uploads.get('u1')!.ioDoneAt; t += 10_000) await run(t);
    const ids = queue.sent.map((m) => JSON.parse(m.body).eventId as string);
    expect(new Set(ids).size).toBe(120);
    expect(ids.length - new Set(ids).size).toBe(50); // only the crashed run's requests were queued twice
  });

  it('two runs at once: only one moves the cursor', async () => {
    const { store, run } = setup({ horizonSeconds: 10 });
    store.add(completedUpload('u1'), created(200));
    const [a, b] = await Promise.all([run(T0), run(T0)]);
    expect(a.released + b.released).toBe(50);
    expect(store.uploads.get('u1')).toMatchObject({ ioReleased: 50 });
  });

  it('ioSendAt in the future: nothing released, looked at again at that instant; released once it has come', async () => {
    const { store, queue, run } = setup();
    const ioSendAt = at(T0 + 86_400_000).toISOString();
    store.add(completedUpload('u1', { ioSendAt }), created(10));
    const before = await run(T0);
    expect(before).toMatchObject({ released: 0, waiting: 1 });
    expect(queue.sent).toHaveLength(0);
    expect(store.followUps.get('u1')).toBe(ioSendAt);
    // not listed before it
    expect((await run(T0 + 86_400_000 - 1)).looked).toBe(0);
    const due = await run(T0 + 86_400_000);
    expect(due).toMatchObject({ released: 10, releasesDone: 1 });
    expect(queue.iupds()).toEqual(created(10).map((o) => o.iupd));
  });

  it('waits for an upload in progress; a cancelled one releases what it created after its chunks settle; DRAFT and UPDATE uploads release nothing', async () => {
    const { store, queue, run } = setup();
    store.add(completedUpload('running', { state: 'PROCESSING', endTime: undefined }), created(5, 1, 'RUN'));
    store.add(completedUpload('cancelled', { state: 'CANCELLED', endTime: at(T0).toISOString() }), created(5, 1, 'CAN'));
    store.add(completedUpload('draft', { toPublish: false, ioPaced: undefined }), created(5, 1, 'DRA'));
    store.add(completedUpload('update', { operation: 'UPDATE', ioPaced: undefined }), created(5, 1, 'UPD'));
    await run(T0);
    expect(queue.sent).toHaveLength(0);
    expect(store.followUps.has('running')).toBe(true);
    expect(store.followUps.has('draft') || store.followUps.has('update')).toBe(false);
    await run(T0 + 15 * 60_000);
    expect(queue.iupds()).toEqual(['CAN-0', 'CAN-1', 'CAN-2', 'CAN-3', 'CAN-4']);
  });

  it('a queue that does not accept the requests leaves the cursor where it was', async () => {
    const { store, queue, run } = setup();
    store.add(completedUpload('u1'), created(10));
    queue.refuse = true;
    expect(await run(T0)).toMatchObject({ notAccepted: 10, released: 0 });
    expect(store.uploads.get('u1')!.ioCursor).toBeUndefined();
    queue.refuse = false;
    expect(await run(T0 + 5_000)).toMatchObject({ released: 10, releasesDone: 1 });
  });
});

describe('presigned uploads whose file never arrived', () => {
  it('end REFUSED (408) 15 minutes after their URL expired, with one upload.completed', async () => {
    const { store, run } = setup();
    const awaiting = completedUpload('a1', { state: 'AWAITING_FILE', startTime: at(T0).toISOString(), endTime: undefined, splitDone: false });
    store.add(awaiting);
    expect((await run(T0 + 29 * 60_000 + 59_000)).expired).toBe(0);
    expect(store.uploads.get('a1')!.state).toBe('AWAITING_FILE');
    const summary = await run(T0 + 30 * 60_000);
    expect(summary.expired).toBe(1);
    const ended = store.uploads.get('a1')!;
    expect(ended.state).toBe('REFUSED');
    expect(ended.refusal).toEqual({ status: 408, reason: expect.stringContaining('the upload URL expired at 2027-01-10T08:15:00.000Z') });
    expect(store.events).toHaveLength(1);
    expect(store.events[0]).toMatchObject({ eventType: 'upload.completed', uploadId: 'a1', state: 'REFUSED', operationStatus: 'COMPLETED_UNSUCCESSFULLY', refusal: { status: 408 } });
    expect(store.followUps.has('a1')).toBe(false);
    expect((await run(T0 + 60 * 60_000)).expired).toBe(0);
    expect(store.events).toHaveLength(1);
  });

  it('a file that arrived in time is not expired', async () => {
    const { store, run } = setup();
    store.add(completedUpload('a2', { state: 'AWAITING_FILE', startTime: at(T0).toISOString() }));
    // the file arrives (the splitter moves it on) while the follow-up reads the list
    const due = await store.followUpsDue(at(T0 + 31 * 60_000).toISOString());
    store.uploads.set('a2', { ...store.uploads.get('a2')!, state: 'RECEIVED' });
    expect(await store.expireAwaiting(due[0]!, 408, 'late', 'x', {} as UploadCompletedEvent)).toBe(false);
    expect((await run(T0 + 31 * 60_000)).expired).toBe(0);
  });
});

describe('io-sender and ioSendAt', () => {
  it('leaves the published events of uploaded positions to the release, and nothing else', () => {
    expect(leftToUploadRelease({ eventType: 'debt-position.published', uploadId: 'u1' })).toBe(true);
    expect(leftToUploadRelease({ eventType: 'debt-position.published' })).toBe(false);
    expect(leftToUploadRelease({ eventType: 'payment.received', uploadId: 'u1' })).toBe(false);
    expect(leftToUploadRelease({ eventType: 'debt-position.invalidated', uploadId: 'u1' })).toBe(false);
  });

  it('paces the IO of the CREATE uploads that publish (marked when received); the others ask as before', () => {
    const base = { organization: { fiscalCode: OFC }, brokerCode: OFC, actor: {} as Upload['actor'], fileName: 'f.zip', format: 'json' as const, fileId: 'f', objectKey: 'k', startTime: at(T0).toISOString() };
    expect(newUpload({ ...base, operation: 'CREATE' })).toMatchObject({ ioPaced: true });
    expect(newUpload({ ...base, operation: 'CREATE', toPublish: false }).ioPaced).toBeUndefined();
    expect(newUpload({ ...base, operation: 'UPDATE' }).ioPaced).toBeUndefined();
    expect(needsFollowUp(newUpload({ ...base, operation: 'DELETE' }))).toBe(false);
    expect(needsFollowUp({ ...newUpload({ ...base, operation: 'DELETE' }), state: 'AWAITING_FILE' })).toBe(true);
  });

  it('takes a future ISO 8601 date-time with offset, within 365 days, on a publishing CREATE only', () => {
    const now = at(T0);
    const create = { operation: 'CREATE' as const };
    expect(checkIoSendAt({ ...create, ioSendAt: '2027-03-01T08:00:00+01:00' }, now)).toBe('2027-03-01T07:00:00.000Z');
    expect(checkIoSendAt(create, now)).toBeUndefined();
    for (const [ioSendAt, why] of [
      ['tomorrow', 'ISO 8601'],
      ['2027-03-01', 'ISO 8601'],
      ['2027-03-01T08:00:00', 'ISO 8601'],
      ['2027-01-10T07:59:59Z', 'in the future'],
      ['2028-01-11T08:00:00Z', '365 days'],
    ] as const) {
      expect(() => checkIoSendAt({ ...create, ioSendAt }, now), ioSendAt).toThrow(why);
    }
    expect(() => checkIoSendAt({ operation: 'UPDATE', ioSendAt: '2027-03-01T08:00:00Z' }, now)).toThrow('CREATE');
    expect(() => checkIoSendAt({ ...create, toPublish: false, ioSendAt: '2027-03-01T08:00:00Z' }, now)).toThrow('CREATE');
  });
});
