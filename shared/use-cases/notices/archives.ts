/**
 * The notices of a finished batch as ZIP archives, ARCHIVE_PART_POSITIONS positions each: what a
 * municipality hands its print shop, or keeps, after loading a tax list. Part n holds the notices
 * of the batch's positions (n-1)*5000+1 .. n*5000 in the batch's order (an upload's file order),
 * named `<position number>-<iupd>.pdf` so that sorting by name keeps that order. Not in it: a
 * position whose notice failed (the batch's report says why), and one whose notice is gone since
 * the batch (paid, invalidated, deleted or changed: the stored notices of those are removed).
 *
 * Built on the first request for it and stored once (archives/<ofc>/<batchId>/part-<n>.zip): the
 * batch's items name the exact notice object of each position (its version at rendering), so the
 * archive never changes and two racing builders store the same bytes. Every request answers a
 * presigned GET of the stored archive: an archive is larger than what a Lambda may return (6 MB).
 */
import { archivePart, archivePartsOf, batchState } from '../../domain/notice/batch';
import { UseCaseError } from '../errors';
import type { ArchiveObjects, ArchiveWriter, NoticeBatchReader, NoticeLog } from './ports';

export const ARCHIVE_CONTENT_TYPE = 'application/zip';
/** how long the link to an archive is valid */
export const ARCHIVE_URL_SECONDS = 300;
/** notices read from the bucket at once while building an archive */
const READ_CONCURRENCY = 16;

export interface ArchiveDeps {
  readonly batches: NoticeBatchReader;
  readonly objects: ArchiveObjects;
  readonly zip: ArchiveWriter;
  readonly log: Pick<NoticeLog, 'info'>;
}

export interface NoticeArchive {
  readonly fileName: string;
  readonly url: string;
  readonly expiresInSeconds: number;
}

export function archiveKey(organizationFiscalCode: string, batchId: string, part: number): string {
  return `archives/${organizationFiscalCode}/${batchId}/part-${String(part).padStart(3, '0')}.zip`;
}

export function archiveFileName(batchId: string, part: number, parts: number): string {
  return parts === 1 ? `avvisi-${batchId}.zip` : `avvisi-${batchId}-parte-${part}-di-${parts}.zip`;
}

export async function noticeArchive(deps: ArchiveDeps, organizationFiscalCode: string, batchId: string, part: number): Promise<NoticeArchive> {
  const head = /^[0-9a-f-]{36}$/i.test(batchId) ? await deps.batches.head(organizationFiscalCode, batchId) : undefined;
  if (!head) throw new UseCaseError('not-found', `no notice batch ${batchId}`);
  const parts = archivePartsOf(head.batch);
  if (!Number.isInteger(part) || part < 1 || part > parts) {
    throw new UseCaseError('not-found', `the batch's notices come in ${parts} archive part(s); there is no part ${part}`);
  }
  if (batchState(head) === 'RUNNING') {
    throw new UseCaseError('conflict', `the batch is still rendering (${head.done + head.failed} of ${head.batch.total} positions have a result): ask again when it is done`);
  }
  const key = archiveKey(organizationFiscalCode, batchId, part);
  const fileName = archiveFileName(batchId, part, parts);
  const range = archivePart(head.batch, part);
  const items = await deps.batches.chunkItems(organizationFiscalCode, batchId, range.firstChunk, range.lastChunk);
  const rendered = items.map((item, i) => ({ item, number: range.firstPosition + i })).filter(({ item }) => item.ok && item.key !== undefined);
  if (!(await deps.objects.exists(key))) {
    const entries = new Array<{ name: string; bytes: Uint8Array } | undefined>(rendered.length);
    let next = 0;
    const reader = async (): Promise<void> => {
      while (next < rendered.length) {
        const index = next++;
        const { item, number } = rendered[index]!;
        // gone since the batch: the position was paid, invalidated or deleted (its notices are removed) or
        // changed (the older version's notice is replaced): that notice is not to be printed any more
        const object = await deps.objects.get(item.key!);
        if (object) entries[index] = { name: `${String(number).padStart(6, '0')}-${item.iupd}.pdf`, bytes: object.bytes };
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, rendered.length) }, reader));
    const present = entries.filter((e) => e !== undefined);
    await deps.objects.putIfAbsent(key, deps.zip(present), {
      contentType: ARCHIVE_CONTENT_TYPE,
      metadata: { batch: batchId, part: String(part), notices: String(present.length) },
    });
    deps.log.info('notice archive built', { organization: organizationFiscalCode, batchId, part, notices: present.length, withdrawn: rendered.length - present.length });
  }
  return {
    fileName,
    url: await deps.objects.presignGet(key, { fileName, contentType: ARCHIVE_CONTENT_TYPE, expiresInSeconds: ARCHIVE_URL_SECONDS }),
    expiresInSeconds: ARCHIVE_URL_SECONDS,
  };
}
