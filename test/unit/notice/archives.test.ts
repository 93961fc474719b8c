/**
 * The ZIP archives of a notice batch: which notices go in which part, named how, refused while the
 * batch renders, built once and then only linked; the archive read back with fflate's reader.
 */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zipArchive } from '../../../shared/adapters/zip-archive';
import { ARCHIVE_PART_POSITIONS, BATCH_CHUNK_SIZE, archivePart, archivePartsOf, chunksOf, type NoticeBatch } from '../../../shared/domain/notice/batch';
import { UseCaseError } from '../../../shared/use-cases/errors';
import { archiveKey, noticeArchive, type ArchiveDeps } from '../../../shared/use-cases/notices/archives';
import { MemoryBatches, MemoryObjects } from './fakes';

const OFC = '80012345678';
const BATCH_ID = '0b5f2c6e-1111-4a2b-9c3d-123456789abc';
const pdf = (iupd: string) => new TextEncoder().encode(`%PDF-1.4 notice of ${iupd}`);

async function batchOf(total: number, options: { failed?: (i: number) => boolean; recordChunks?: number } = {}) {
  const batches = new MemoryBatches();
  const objects = new MemoryObjects();
  const iupds = Array.from({ length: total }, (_, i) => `IUPD-${i + 1}`);
  const chunks = chunksOf(iupds);
  const batch: NoticeBatch = { batchId: BATCH_ID, organizationFiscalCode: OFC, total, chunks: chunks.length, createdAt: '2026-12-04T00:00:00.000Z', createdBy: 'k', selection: { iupds: total } };
  await batches.create(batch);
  for (const [c, list] of chunks.entries()) {
    if (c >= (options.recordChunks ?? chunks.length)) break;
    const items = list.map((iupd, j) => {
      const i = c * BATCH_CHUNK_SIZE + j;
      if (options.failed?.(i)) return { iupd, ok: false, reason: 'status PAID: not payable' };
      const key = `notices/${OFC}/${iupd}/v00000001.pdf`;
      objects.objects.set(key, { bytes: pdf(iupd), contentType: 'application/pdf', metadata: {} });
      return { iupd, ok: true, version: 1, key };
    });
    await batches.recordChunk(OFC, BATCH_ID, c, items);
  }
  const logged: Array<Record<string, unknown>> = [];
  const deps: ArchiveDeps = { batches, objects, zip: zipArchive, log: { info: (_m, a) => logged.push(a ?? {}) } };
  return { deps, batches, objects, logged };
}

const entriesOf = (objects: MemoryObjects, part: number) => unzipSync(objects.objects.get(archiveKey(OFC, BATCH_ID, part))!.bytes);

describe('notice batch archives', () => {
  it('parts of 5,000 positions, whole chunks', () => {
    expect(archivePartsOf({ total: 1 })).toBe(1);
    expect(archivePartsOf({ total: ARCHIVE_PART_POSITIONS })).toBe(1);
    expect(archivePartsOf({ total: ARCHIVE_PART_POSITIONS + 1 })).toBe(2);
    expect(archivePartsOf({ total: 100_000 })).toBe(20);
    expect(archivePart({ total: 12_345, chunks: 247 }, 3)).toEqual({ firstChunk: 200, lastChunk: 246, firstPosition: 10_001, lastPosition: 12_345 });
  });

  it('a batch of 120: one archive, every rendered notice named by its place and iupd, the failed ones left out; a link to the stored archive', async () => {
    const { deps, objects, logged } = await batchOf(120, { failed: (i) => i === 7 || i === 99 });
    const archive = await noticeArchive(deps, OFC, BATCH_ID, 1);
    expect(archive.fileName).toBe(`avvisi-${BATCH_ID}.zip`);
    expect(archive.url).toContain(archiveKey(OFC, BATCH_ID, 1));
    expect(archive.url).toContain('type=application%2Fzip');
    const entries = entriesOf(objects, 1);
    const names = Object.keys(entries);
    expect(names).toHaveLength(118);
    expect(names[0]).toBe('000001-IUPD-1.pdf');
    expect(names).not.toContain('000008-IUPD-8.pdf');
    expect(names).not.toContain('000100-IUPD-100.pdf');
    expect(names.at(-1)).toBe('000120-IUPD-120.pdf');
    expect([...names].sort()).toEqual(names);
    expect(new TextDecoder().decode(entries['000042-IUPD-42.pdf'])).toBe('%PDF-1.4 notice of IUPD-42');
    expect(logged).toEqual([expect.objectContaining({ part: 1, notices: 118, withdrawn: 0 })]);
  });

  it('built once: a second request only links it', async () => {
    const { deps, objects } = await batchOf(60);
    await noticeArchive(deps, OFC, BATCH_ID, 1);
    const stored = objects.objects.get(archiveKey(OFC, BATCH_ID, 1))!.bytes;
    objects.gets.length = 0;
    await noticeArchive(deps, OFC, BATCH_ID, 1);
    expect(objects.gets).toEqual([]);
    expect(objects.objects.get(archiveKey(OFC, BATCH_ID, 1))!.bytes).toBe(stored);
  });

  it('the same notices make the same bytes (fixed entry times), whoever builds it first', async () => {
    const a = await batchOf(30);
    const b = await batchOf(30);
    await noticeArchive(a.deps, OFC, BATCH_ID, 1);
    await noticeArchive(b.deps, OFC, BATCH_ID, 1);
    expect(Buffer.from(a.objects.objects.get(archiveKey(OFC, BATCH_ID, 1))!.bytes).equals(Buffer.from(b.objects.objects.get(archiveKey(OFC, BATCH_ID, 1))!.bytes))).toBe(true);
  });

  it('a later part reads only its own chunks and holds positions 5,001..', async () => {
    const { deps, batches, objects } = await batchOf(5_060);
    const archive = await noticeArchive(deps, OFC, BATCH_ID, 2);
    expect(archive.fileName).toBe(`avvisi-${BATCH_ID}-parte-2-di-2.zip`);
    expect(batches.chunkReads).toEqual([[100, 101]]);
    expect(Object.keys(entriesOf(objects, 2))).toEqual(Array.from({ length: 60 }, (_, i) => `${String(5_001 + i).padStart(6, '0')}-IUPD-${5_001 + i}.pdf`));
  });

  it('a notice gone since the batch (the position paid or changed) is left out, and counted in the log', async () => {
    const { deps, objects, logged } = await batchOf(10);
    objects.objects.delete(`notices/${OFC}/IUPD-3/v00000001.pdf`);
    await noticeArchive(deps, OFC, BATCH_ID, 1);
    expect(Object.keys(entriesOf(objects, 1))).toHaveLength(9);
    expect(logged[0]).toMatchObject({ notices: 9, withdrawn: 1 });
  });

  it('refuses while the batch renders (conflict), a part that does not exist and an unknown batch (not found), and stores nothing', async () => {
    const running = await batchOf(120, { recordChunks: 2 });
    await expect(noticeArchive(running.deps, OFC, BATCH_ID, 1)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('100 of 120') });
    const done = await batchOf(120);
    for (const part of [0, 2, 1.5]) await expect(noticeArchive(done.deps, OFC, BATCH_ID, part)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(noticeArchive(done.deps, OFC, '0b5f2c6e-2222-4a2b-9c3d-123456789abc', 1)).rejects.toBeInstanceOf(UseCaseError);
    await expect(noticeArchive(done.deps, OFC, '../x', 1)).rejects.toMatchObject({ kind: 'not-found' });
    expect([...running.objects.objects.keys(), ...done.objects.objects.keys()].filter((k) => k.startsWith('archives/'))).toEqual([]);
  });
});
