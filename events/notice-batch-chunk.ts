/**
 * What the `notice-batch` queue carries: one chunk (at most BATCH_CHUNK_SIZE positions) of a
 * notice batch, queued by POST /notices/batches and rendered by the notice-batch worker.
 */
import * as z from 'zod';
import { BATCH_CHUNK_SIZE } from '../shared/domain/notice/batch';

export const noticeBatchChunkSchema = z.strictObject({
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  batchId: z.uuid(),
  chunk: z.number().int().min(0),
  iupds: z.array(z.string().min(1).max(70)).min(1).max(BATCH_CHUNK_SIZE),
});
export type NoticeBatchChunkMessage = z.infer<typeof noticeBatchChunkSchema>;
