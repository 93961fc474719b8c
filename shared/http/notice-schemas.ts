/**
 * The REST shapes of the notice batches: the request of POST /notices/batches (zod, also the
 * OpenAPI document's NoticeBatchRequest) mapped to the use case's selection, and a batch's
 * progress as GET /notices/batches/{batchId} answers it.
 */
import * as z from 'zod';
import { MAX_BATCH_POSITIONS, type BatchState, type NoticeBatchProgress, type NoticeBatchSelection } from '../domain/notice/batch';

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

/** Per position, where its notice is: the object key in the bucket and the API path that serves it. */
export function batchProgressJson(organizationFiscalCode: string, progress: NoticeBatchProgress & { state: BatchState }) {
  const { batch } = progress;
  return {
    batchId: batch.batchId,
    state: progress.state,
    total: batch.total,
    done: progress.done,
    failed: progress.failed,
    createdAt: batch.createdAt,
    items: progress.items.map((item) => ({
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
