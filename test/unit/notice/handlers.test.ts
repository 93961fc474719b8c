/**
 * The notice functions through their makeHandler, with in-memory ports: the PDF route
 * (get-debt-position-notice), the renderer of the notice-render queue and the notice-batch worker.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DebtPosition } from '../../../shared/domain/debt-position';
import type { NoticeBatch } from '../../../shared/domain/notice/batch';
import { renderNotice } from '../../../shared/notice';
import { createLogger } from '../../../shared/observability/logger';
import { noticeKey, type NoticeDeps } from '../../../shared/use-cases/notices/stored-notices';
import { ESEMPIO, position } from '../../fixtures/positions';
import {
  MemoryBatches,
  MemoryObjects,
  authenticateAsEsempio,
  context,
  getEvent,
  setHandlerSettings,
  sqsEvent,
  sqsRecord,
  visibilityRecorder,
} from './fakes';

setHandlerSettings();
const notice = await import('../../../functions/get-debt-position-notice/handler');
const renderer = await import('../../../functions/notice-renderer/handler');
const worker = await import('../../../functions/notice-batch-worker/handler');

const NOW = new Date('2026-11-27T10:00:00.000Z');
const OFC = ESEMPIO.fiscalCode;
const logger = createLogger();

function noticeDeps(stored: DebtPosition[], objects = new MemoryObjects()) {
  const byIupd = new Map(stored.map((p) => [p.iupd, p]));
  const rendered: string[] = [];
  let reading = 0;
  let maxReading = 0;
  const deps: NoticeDeps = {
    positions: {
      get: async (_ofc, iupd) => {
        // how many position reads overlap: 1 when records are handled one at a time
        maxReading = Math.max(maxReading, ++reading);
        await new Promise((r) => setTimeout(r, 5));
        reading--;
        return byIupd.get(iupd);
      },
    },
    organizations: { get: async (fc) => (fc === OFC ? ESEMPIO : undefined) },
    objects,
    render: (doc) => renderNotice(doc),
    clock: () => NOW,
    log: { warn: () => {}, info: () => {} },
    onRendered: () => void rendered.push('NoticeRendered'),
  };
  return { deps, objects, rendered, maxReading: () => maxReading };
}

const event = (eventType: string, p: Pick<DebtPosition, 'iupd' | 'version'>) => ({
  eventId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  eventType,
  occurredAt: NOW.toISOString(),
  organizationFiscalCode: OFC,
  iupd: p.iupd,
  version: p.version,
});

describe('GET …/debtpositions/{iupd}/notice', () => {
  const get = async (stored: DebtPosition[], iupd: string) => {
    const n = noticeDeps(stored);
    const handler = notice.makeHandler({ logger, authenticate: authenticateAsEsempio, notices: n.deps });
    const path = `/organizations/${OFC}/debtpositions/${iupd}/notice`;
    return { answer: (await handler(getEvent(path, { iupd }), context)) as APIGatewayProxyStructuredResultV2, ...n };
  };

  it('200: the PDF as a download, which version it prints, and where it came from', async () => {
    const p = position({ status: 'VALID', version: 3 });
    const { answer, objects, rendered } = await get([p], p.iupd);
    expect(answer.statusCode).toBe(200);
    expect(answer.isBase64Encoded).toBe(true);
    const bytes = Buffer.from(answer.body!, 'base64');
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(answer.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="avviso-${p.iupd}.pdf"`,
      'content-length': String(bytes.length),
      etag: `"${p.iupd}-v3"`,
      'x-notice-source': 'rendered',
    });
    expect(objects.objects.has(noticeKey(OFC, p.iupd, 3))).toBe(true);
    expect(rendered).toEqual(['NoticeRendered']);
  });

  it('409 as ProblemJson for a position without a notice; 404 for an unknown one', async () => {
    const draft = position({ status: 'DRAFT' });
    const { answer, rendered } = await get([draft], draft.iupd);
    expect(answer.statusCode).toBe(409);
    expect(answer.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.body!)).toMatchObject({ status: 409, detail: expect.stringContaining('DRAFT') });
    expect(rendered).toEqual([]);
    expect((await get([], 'NOPE-1')).answer.statusCode).toBe(404);
  });
});

describe('notice-renderer', () => {
  const setup = (stored: DebtPosition[], objects?: MemoryObjects) => {
    const n = noticeDeps(stored, objects);
    const visibility = visibilityRecorder();
    const handler = renderer.makeHandler({ consumer: { logger, maxReceiveCount: 5, setVisibility: visibility.setVisibility }, logger, notices: n.deps });
    return { ...n, visibility, run: (...records: ReturnType<typeof sqsRecord>[]) => handler(sqsEvent(...records), context) };
  };

  it('renders each payable position once, one record at a time, and counts what it rendered', async () => {
    const a = position({ iupd: 'A-1', status: 'VALID' });
    const b = position({ iupd: 'B-1', status: 'VALID', version: 2 });
    const t = setup([a, b]);
    const result = await t.run(sqsRecord(event('debt-position.published', a)), sqsRecord(event('debt-position.updated', b)), sqsRecord(event('debt-position.published', a)));
    expect(result.batchItemFailures).toEqual([]);
    expect([...t.objects.objects.keys()].sort()).toEqual([noticeKey(OFC, 'A-1', 1), noticeKey(OFC, 'B-1', 2)]);
    expect(t.rendered).toEqual(['NoticeRendered', 'NoticeRendered']);
    expect(t.maxReading()).toBe(1);
  });

  it('a deleted position loses its stored notices', async () => {
    const t = setup([]);
    for (const v of [1, 2]) t.objects.objects.set(noticeKey(OFC, 'GONE-1', v), { bytes: new Uint8Array([v]), metadata: {} });
    const result = await t.run(sqsRecord(event('debt-position.deleted', { iupd: 'GONE-1', version: 2 })));
    expect(result.batchItemFailures).toEqual([]);
    expect(t.objects.objects.size).toBe(0);
  });

  it('a malformed message fails alone and is shown again at once (towards the DLQ); a failing bucket fails its record', async () => {
    const a = position({ iupd: 'A-1', status: 'VALID' });
    const objects = new MemoryObjects();
    const t = setup([a], objects);
    const bad = sqsRecord('{"eventType":');
    const ok = sqsRecord(event('debt-position.published', a));
    expect((await t.run(bad, ok)).batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(t.visibility.calls).toEqual([[bad.receiptHandle, 0]]);
    objects.failPuts = 1;
    const b = position({ iupd: 'A-1', status: 'VALID', version: 2 });
    const again = setup([b], objects);
    const failing = sqsRecord(event('debt-position.updated', b));
    expect((await again.run(failing)).batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
  });
});

describe('notice-batch-worker', () => {
  const batch: NoticeBatch = {
    batchId: '6f1c2a3e-1111-4222-8333-944445555666',
    organizationFiscalCode: OFC,
    total: 2,
    chunks: 1,
    createdAt: NOW.toISOString(),
    createdBy: 'key-1',
    selection: { iupds: 2 },
  };
  const chunk = { organizationFiscalCode: OFC, batchId: batch.batchId, chunk: 0, iupds: ['OK-1', 'OK-2'] };

  const setup = async () => {
    const objects = new MemoryObjects();
    const n = noticeDeps([position({ iupd: 'OK-1', status: 'VALID' }), position({ iupd: 'OK-2', status: 'VALID' })], objects);
    const batches = new MemoryBatches();
    await batches.create(batch);
    const visibility = visibilityRecorder();
    const handler = worker.makeHandler({
      consumer: { logger, maxReceiveCount: 3, setVisibility: visibility.setVisibility },
      logger,
      chunks: { ...n.deps, batches },
    });
    return { objects, batches, visibility, run: (receiveCount: number) => handler(sqsEvent(sqsRecord(chunk, receiveCount)), context) };
  };

  it('renders the chunk and records its results once', async () => {
    const t = await setup();
    expect((await t.run(1)).batchItemFailures).toEqual([]);
    const progress = await t.batches.get(OFC, batch.batchId);
    expect(progress).toMatchObject({ done: 2, failed: 0 });
    expect(progress!.items.map((i) => i.key)).toEqual([noticeKey(OFC, 'OK-1', 1), noticeKey(OFC, 'OK-2', 1)]);
  });

  it('a transient failure before the last receive gives the message back; on the last one the failures are recorded', async () => {
    const t = await setup();
    t.objects.failPuts = 100;
    const early = await t.run(2);
    expect(early.batchItemFailures).toHaveLength(1);
    expect((await t.batches.get(OFC, batch.batchId))!.items).toEqual([]);
    const last = await t.run(3);
    expect(last.batchItemFailures).toEqual([]);
    const progress = await t.batches.get(OFC, batch.batchId);
    expect(progress).toMatchObject({ done: 0, failed: 2 });
    expect(progress!.items.every((i) => /temporary failure/.test(i.reason ?? ''))).toBe(true);
  });
});
