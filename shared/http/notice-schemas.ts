/**
 * The REST shapes of the notice batches: the request of POST /notices/batches (zod, also the
 * OpenAPI document's NoticeBatchRequest) mapped to the use case's selection, and a batch's
 * progress as GET /notices/batches/{batchId} answers it.
 */
import * as z from 'zod';
import { ARCHIVE_PART_POSITIONS, MAX_BATCH_POSITIONS, archivePart, archivePartsOf, type BatchState, type NoticeBatch, type NoticeBatchProgress, type NoticeBatchSelection } from '../domain/notice/batch';

const iupdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,70}$/, 'must be 1..70 characters among A-Z a-z 0-9 . _ -');
const dayOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const noticeBatchRequestSchema = z
  .strictObject({
    /** the positions to print, up to 5000 (duplicates are printed once) */
    iupds: z.array(iupdSchema).min(1).max(MAX_BATCH_POSITIONS).optional(),
    /** or: every position matching, up to 5000 */
    filter: z
      .strictObject({
        status: z.enum(['VALID', 'PARTIALLY_PAID']).optional(),
        /** bounds on the first due date: YYYY-MM-DD (inclusive days, UTC) or ISO instants */
        dueFrom: dayOrInstant.optional(),
        dueTo: dayOrInstant.optional(),
      })
      .optional(),
  })
  .refine((r) => (r.iupds === undefined) !== (r.filter === undefined), {
    message: 'give either iupds or filter, not both and not neither',
    path: ['iupds'],
  });
export type NoticeBatchRequest = z.infer<typeof noticeBatchRequestSchema>;

export function selectionOf(body: NoticeBatchRequest): NoticeBatchSelection {
  return body.iupds ? { iupds: body.iupds } : { filter: body.filter ?? {} };
}

/**
 * The page of a batch's items a GET answers: an upload's batch holds up to 100,000 positions, ~150
 * bytes of JSON each, and a Lambda function returns at most 6 MB; 1000 items a page stay far below.
 */
export const noticeBatchQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(0).max(1_000).default(0).meta({ description: 'Page of the items, from 0.' }),
  limit: z.coerce.number().int().min(1).max(1_000).default(1_000).meta({ description: 'Items per page, 1..1000 (default 1000).' }),
});

/** GET …/notices/batches/{batchId}/archive: which part (from 1; 5000 positions each). */
export const noticeArchiveQuerySchema = z.strictObject({
  part: z.coerce.number().int().min(1).max(1_000).default(1).meta({ description: `Which archive, from 1: part n holds the notices of the batch's positions (n-1)*${ARCHIVE_PART_POSITIONS}+1 .. n*${ARCHIVE_PART_POSITIONS}, in the batch's order.` }),
});

/** The ZIP archives a finished batch's notices come in, with the positions each holds (once the batch is no longer RUNNING). */
export function archivesJson(batch: NoticeBatch, state: BatchState, href: (part: number) => string) {
  if (state === 'RUNNING') return [];
  return Array.from({ length: archivePartsOf(batch) }, (_, i) => {
    const range = archivePart(batch, i + 1);
    return { part: i + 1, firstPosition: range.firstPosition, lastPosition: range.lastPosition, href: href(i + 1) };
  });
}

/** Per position, where its notice is: the object key in the bucket and the API path that serves it; `page` of the items. */
export function batchProgressJson(organizationFiscalCode: string, progress: NoticeBatchProgress & { state: BatchState }, page: z.infer<typeof noticeBatchQuerySchema> = { page: 0, limit: 1_000 }) {
  const { batch } = progress;
  const from = page.page * page.limit;
  return {
    batchId: batch.batchId,
    state: progress.state,
    total: batch.total,
    done: progress.done,
    failed: progress.failed,
    createdAt: batch.createdAt,
    archives: archivesJson(batch, progress.state, (part) => `/organizations/${organizationFiscalCode}/notices/batches/${batch.batchId}/archive?part=${part}`),
    page: page.page,
    limit: page.limit,
    totalItems: progress.items.length,
    totalPages: Math.ceil(progress.items.length / page.limit),
    items: progress.items.slice(from, from + page.limit).map((item) => ({
      iupd: item.iupd,
      status: item.ok ? 'DONE' : 'FAILED',
      ...(item.version !== undefined ? { version: item.version } : {}),
      ...(item.key !== undefined
        ? { objectKey: item.key, href: `/organizations/${organizationFiscalCode}/debtpositions/${encodeURIComponent(item.iupd)}/notice` }
        : {}),
      ...(item.reason !== undefined ? { reason: item.reason } : {}),
    })),
  };
}
