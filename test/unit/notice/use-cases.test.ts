/**
 * The notice use cases with in-memory stores: what is rendered, stored, served, skipped and
 * deleted for each kind of event and position state, and how batches split and finish.
 */
import { describe, expect, it } from 'vitest';
import type { NoticeBatch } from '../../../shared/domain/notice/batch';
import type { OutgoingMessage, QueuePublisher } from '../../../shared/use-cases/ports';
import type { DebtPosition } from '../../../shared/domain/debt-position';
import type { Organization } from '../../../shared/domain/organization';
import { sampleLogoPng } from '../../../scripts/notice-preview';
import { renderNotice } from '../../../shared/notice';
import { UseCaseError } from '../../../shared/use-cases/errors';
import { createNoticeBatch, getNoticeBatch, processNoticeChunk } from '../../../shared/use-cases/notices/batches';
import { refreshNotice } from '../../../shared/use-cases/notices/refresh-notice';
import { getNoticePdf } from '../../../shared/use-cases/notices/serve-notice';
import { noticeKey, type NoticeDeps } from '../../../shared/use-cases/notices/stored-notices';
import { ESEMPIO, option, position } from '../../fixtures/positions';
import { MemoryBatches, MemoryObjects } from './fakes';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const OFC = ESEMPIO.fiscalCode;

function deps(stored: DebtPosition[], objects = new MemoryObjects(), organization: Organization = ESEMPIO) {
  const byKey = new Map(stored.map((p) => [p.iupd, p]));
  let renders = 0;
  const d: NoticeDeps & { renders: () => number; objects: MemoryObjects } = {
    positions: { get: async (_ofc, iupd) => byKey.get(iupd) },
    organizations: { get: async (fc) => (fc === OFC ? organization : undefined) },
    objects,
    render: (doc) => {
      renders++;
      return renderNotice(doc);
    },
    clock: () => NOW,
    log: { warn: () => {}, info: () => {} },
    renders: () => renders,
  };
  return d;
}

// what the notice-render queue's event asks for (the renderer maps its eventType to `deleted`)
const trigger = (eventType: string, p: Pick<DebtPosition, 'iupd' | 'version'>) => ({
  organizationFiscalCode: OFC,
  iupd: p.iupd,
  version: p.version,
  deleted: eventType === 'debt-position.deleted',
});

describe('getNoticePdf', () => {
  it('serves the stored object of the current version; renders and stores when there is none', async () => {
    const p = position({ status: 'VALID', version: 3 });
    const d = deps([p]);
    const first = await getNoticePdf(d, ESEMPIO, p.iupd);
    expect(first).toMatchObject({ source: 'rendered', version: 3, fileName: `avviso-${p.iupd}.pdf` });
    expect(d.objects.objects.has(noticeKey(OFC, p.iupd, 3))).toBe(true);
    const second = await getNoticePdf(d, ESEMPIO, p.iupd);
    expect(second.source).toBe('stored');
    expect(d.renders()).toBe(1);
  });

  it('never serves an older version even when one is stored', async () => {
    const p = position({ status: 'VALID', version: 2 });
    const d = deps([p]);
    d.objects.objects.set(noticeKey(OFC, p.iupd, 1), { bytes: new Uint8Array([1]), metadata: {} });
    const got = await getNoticePdf(d, ESEMPIO, p.iupd);
    expect(got.source).toBe('rendered');
    expect(got.bytes.length).toBeGreaterThan(1000);
  });

  it('409 for a position without a notice, even with a PDF stored for its version; 404 when unknown', async () => {
    for (const status of ['DRAFT', 'PUBLISHED', 'INVALID', 'PAID', 'REPORTED', 'EXPIRED'] as const) {
      const p = position({ status, validityDate: status === 'PUBLISHED' ? '2027-01-01T00:00:00.000Z' : undefined });
      const d = deps([p]);
      d.objects.objects.set(noticeKey(OFC, p.iupd, 1), { bytes: new Uint8Array([1]), metadata: {} });
      const error = await getNoticePdf(d, ESEMPIO, p.iupd).catch((e: unknown) => e);
      expect(error, status).toBeInstanceOf(UseCaseError);
      expect((error as UseCaseError).kind).toBe('conflict');
      expect((error as UseCaseError).message).toContain(status);
    }
    // VALID by stored status but past its last due date with switchToExpired: EXPIRED now
    const expired = position({ status: 'VALID', switchToExpired: true, paymentOptions: [option({ dueDate: '2026-01-31T22:59:59.999Z' })] });
    await expect(getNoticePdf(deps([expired]), ESEMPIO, expired.iupd)).rejects.toThrow(/EXPIRED/);
    await expect(getNoticePdf(deps([]), ESEMPIO, 'nope')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('a position the notice cannot carry is a 409 naming the problem (a stored fiscal code of no known shape), not a 500', async () => {
    const p = position({ status: 'VALID', debtor: { type: 'F', fiscalCode: 'X1', fullName: 'Legacy Record' } });
    await expect(getNoticePdf(deps([p]), ESEMPIO, p.iupd)).rejects.toMatchObject({ kind: 'conflict', message: /cannot be printed.*fiscal code/ });
  });

  it('an anonymous debtor (ANONIMO, which GPD accepts for a person) gets its notice', async () => {
    const p = position({ status: 'VALID', debtor: { type: 'F', fiscalCode: 'ANONIMO', fullName: 'Anonimo' } });
    const notice = await getNoticePdf(deps([p]), ESEMPIO, p.iupd);
    expect(notice.source).toBe('rendered');
    expect(Buffer.from(notice.bytes).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('still answers when storing the rendered PDF fails', async () => {
    const p = position({ status: 'VALID' });
    const d = deps([p]);
    d.objects.failPuts = 1;
    expect((await getNoticePdf(d, ESEMPIO, p.iupd)).source).toBe('rendered');
  });
});

describe('refreshNotice', () => {
  it('renders a payable position once (idempotent on re-delivery) and drops its older versions', async () => {
    const p = position({ status: 'VALID', version: 3 });
    const d = deps([p]);
    d.objects.objects.set(noticeKey(OFC, p.iupd, 2), { bytes: new Uint8Array([2]), metadata: {} });
    expect(await refreshNotice(d, trigger('debt-position.updated', p))).toBe('rendered');
    expect(await refreshNotice(d, trigger('debt-position.published', p))).toBe('exists');
    expect(d.renders()).toBe(1);
    expect([...d.objects.objects.keys()]).toEqual([noticeKey(OFC, p.iupd, 3)]);
  });

  it('ignores an event older than the stored position', async () => {
    const p = position({ status: 'VALID', version: 5 });
    const d = deps([p]);
    expect(await refreshNotice(d, trigger('debt-position.published', { iupd: p.iupd, version: 4 }))).toBe('stale-event');
    expect(d.renders()).toBe(0);
    expect(d.objects.objects.size).toBe(0);
  });

  it('removes every stored version when the position is invalidated, paid, deleted or gone', async () => {
    const cases: Array<[string, DebtPosition | undefined]> = [
      ['debt-position.invalidated', position({ status: 'INVALID', version: 3 })],
      ['payment.received', position({ status: 'PAID', version: 3 })],
      ['debt-position.deleted', undefined],
      ['debt-position.updated', undefined],
    ];
    for (const [eventType, p] of cases) {
      const d = deps(p ? [p] : []);
      for (const v of [1, 2, 3]) d.objects.objects.set(noticeKey(OFC, 'TARI-2026-0001', v), { bytes: new Uint8Array([v]), metadata: {} });
      expect(await refreshNotice(d, trigger(eventType, { iupd: 'TARI-2026-0001', version: 3 })), eventType).toBe('removed');
      expect(d.objects.objects.size, eventType).toBe(0);
    }
  });

  it('a payment that leaves the position PARTIALLY_PAID renders the remaining installments', async () => {
    const p = position({
      status: 'PARTIALLY_PAID',
      version: 4,
      paymentOptions: [
        option({ isPartialPayment: true, amount: 5000, status: 'PO_PAID' }, 2n),
        option({ isPartialPayment: true, amount: 5000, dueDate: '2027-06-30T21:59:59.999Z' }, 3n),
        option({ isPartialPayment: true, amount: 5000, dueDate: '2027-09-30T21:59:59.999Z' }, 4n),
      ],
    });
    const d = deps([p]);
    expect(await refreshNotice(d, trigger('payment.received', p))).toBe('rendered');
  });
});

class MemoryQueue implements QueuePublisher {
  readonly sent: OutgoingMessage[] = [];
  constructor(private readonly refuse: (m: OutgoingMessage) => boolean = () => false) {}
  async send(_url: string, messages: readonly OutgoingMessage[]) {
    const failed = messages.filter((m) => this.refuse(m)).map((m) => m.id);
    this.sent.push(...messages.filter((m) => !this.refuse(m)));
    return failed;
  }
}

const actor = { organizationFiscalCode: OFC, keyId: 'k1', requestId: 'r1' };
const batchDeps = (queue: QueuePublisher, batches = new MemoryBatches()) => ({
  batches,
  selector: { iupdsMatching: async () => Array.from({ length: 120 }, (_, i) => `F-${i}`) },
  publisher: queue,
  batchQueueUrl: 'http://queue',
  clock: () => NOW,
  newId: () => '6f1c2a3e-1111-4222-8333-944445555666',
});

describe('notice batches', () => {
  it('splits 5000 positions (duplicates once) into 100 messages of 50', async () => {
    const queue = new MemoryQueue();
    const iupds = Array.from({ length: 5000 }, (_, i) => `P-${i}`);
    const batch = await createNoticeBatch(batchDeps(queue), { organizationFiscalCode: OFC, actor, select: { iupds: [...iupds, 'P-1'] } });
    expect(batch).toMatchObject({ total: 5000, chunks: 100, createdBy: 'k1' });
    expect(queue.sent).toHaveLength(100);
    const bodies = queue.sent.map((m) => JSON.parse(m.body));
    expect(bodies.every((b) => b.iupds.length === 50)).toBe(true);
    expect(bodies.flatMap((b) => b.iupds)).toEqual(iupds);
  });

  it('a filter selects through the selector and refuses more than 5000', async () => {
    const queue = new MemoryQueue();
    const batch = await createNoticeBatch(batchDeps(queue), { organizationFiscalCode: OFC, actor, select: { filter: { status: 'VALID' } } });
    expect(batch.total).toBe(120);
    expect(queue.sent.map((m) => JSON.parse(m.body).iupds.length)).toEqual([50, 50, 20]);
    const huge = { ...batchDeps(queue), selector: { iupdsMatching: async (_o: string, _f: unknown, max: number) => Array.from({ length: max }, (_, i) => `F-${i}`) } };
    await expect(createNoticeBatch(huge, { organizationFiscalCode: OFC, actor, select: { filter: {} } })).rejects.toThrow(/more than 5000/);
  });

  it('records the chunks that could not be queued as failed, so the batch still finishes', async () => {
    const queue = new MemoryQueue((m) => m.id === '1');
    const batches = new MemoryBatches();
    const iupds = Array.from({ length: 120 }, (_, i) => `P-${i}`);
    const batch = await createNoticeBatch(batchDeps(queue, batches), { organizationFiscalCode: OFC, actor, select: { iupds } });
    expect(queue.sent).toHaveLength(2);
    const progress = await getNoticeBatch({ batches }, OFC, batch.batchId);
    expect(progress).toMatchObject({ failed: 50, done: 0, state: 'RUNNING' });
    expect(progress.items[0]!.reason).toMatch(/could not be queued/);
  });

  it('a chunk renders what it can, retries on a transient failure, and gives up cleanly on its last attempt', async () => {
    const ok = position({ iupd: 'OK-1', status: 'VALID' });
    const paid = position({ iupd: 'PAID-1', status: 'PAID' });
    const batches = new MemoryBatches();
    const batch: NoticeBatch = { batchId: '6f1c2a3e-1111-4222-8333-944445555666', organizationFiscalCode: OFC, total: 3, chunks: 1, createdAt: NOW.toISOString(), createdBy: 'k1', selection: { iupds: 3 } };
    await batches.create(batch);
    const d = { ...deps([ok, paid]), batches };
    const message = { organizationFiscalCode: OFC, batchId: batch.batchId, chunk: 0, iupds: ['OK-1', 'PAID-1', 'GONE-1'] };

    d.objects.failPuts = 1;
    await expect(processNoticeChunk(d, message, { lastAttempt: false })).rejects.toThrow('S3 is down');
    expect((await getNoticeBatch({ batches }, OFC, batch.batchId)).items).toHaveLength(0);

    expect(await processNoticeChunk(d, message, { lastAttempt: false })).toBe('recorded');
    const progress = await getNoticeBatch({ batches }, OFC, batch.batchId);
    expect(progress).toMatchObject({ state: 'DONE_WITH_ERRORS', done: 1, failed: 2 });
    expect(progress.items).toEqual([
      { iupd: 'OK-1', ok: true, version: 1, key: noticeKey(OFC, 'OK-1', 1) },
      { iupd: 'PAID-1', ok: false, version: 1, reason: expect.stringMatching(/^status PAID/) },
      { iupd: 'GONE-1', ok: false, reason: 'no debt position with this iupd' },
    ]);
    // re-delivered after success: nothing counted twice
    expect(await processNoticeChunk(d, message, { lastAttempt: false })).toBe('duplicate');

    // last attempt with S3 still down: recorded as failed instead of thrown
    const batches2 = new MemoryBatches();
    await batches2.create(batch);
    const d2 = { ...deps([ok]), batches: batches2 };
    d2.objects.failPuts = 10;
    expect(await processNoticeChunk(d2, { ...message, iupds: ['OK-1'] }, { lastAttempt: true })).toBe('recorded');
    expect((await getNoticeBatch({ batches: batches2 }, OFC, batch.batchId)).items[0]).toMatchObject({ ok: false, reason: /temporary failure/ });
  });

  it('reads the organization logo once per chunk, and prints without it when it is broken', async () => {
    const withLogo: Organization = { ...ESEMPIO, logoKey: 'logos/esempio.png' };
    const ps = ['A-1', 'A-2', 'A-3'].map((iupd) => position({ iupd, status: 'VALID' }));
    const batches = new MemoryBatches();
    const batch: NoticeBatch = { batchId: '6f1c2a3e-1111-4222-8333-944445555666', organizationFiscalCode: OFC, total: 3, chunks: 1, createdAt: NOW.toISOString(), createdBy: 'k1', selection: { iupds: 3 } };
    await batches.create(batch);
    const objects = new MemoryObjects();
    objects.objects.set('logos/esempio.png', { bytes: sampleLogoPng(), metadata: {} });
    const d = { ...deps(ps, objects, withLogo), batches };
    await processNoticeChunk(d, { organizationFiscalCode: OFC, batchId: batch.batchId, chunk: 0, iupds: ['A-1', 'A-2', 'A-3'] }, { lastAttempt: false });
    expect(objects.gets.filter((k) => k === 'logos/esempio.png')).toHaveLength(1);
    const pdf = Buffer.from(objects.objects.get(noticeKey(OFC, 'A-1', 1))!.bytes).toString('latin1');
    expect(pdf).toMatch(/\/Subtype\s*\/Image/);

    // a PNG header with garbage after it: the renderer's LogoError, the notice still comes out
    const broken = new MemoryObjects();
    broken.objects.set('logos/esempio.png', { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), metadata: {} });
    const warnings: string[] = [];
    const d2 = { ...deps(ps, broken, withLogo), log: { warn: (m: string) => warnings.push(m), info: () => {} } };
    const got = await getNoticePdf(d2, withLogo, 'A-1');
    expect(Buffer.from(got.bytes).toString('latin1')).not.toMatch(/\/Subtype\s*\/Image/);
    expect(warnings.join()).toMatch(/logo unusable/);
  });

  it('an unknown or malformed batch id is a 404', async () => {
    await expect(getNoticeBatch({ batches: new MemoryBatches() }, OFC, 'x')).rejects.toMatchObject({ kind: 'not-found' });
    await expect(getNoticeBatch({ batches: new MemoryBatches() }, OFC, '6f1c2a3e-1111-4222-8333-944445555666')).rejects.toMatchObject({ kind: 'not-found' });
  });
});
