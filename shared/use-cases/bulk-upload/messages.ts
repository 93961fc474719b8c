/**
 * The bulk upload's queue messages: `upload-split` (a stored upload to split) and
 * `upload-chunks` (a chunk of valid rows, written by the splitter of this layer).
 */
import * as z from 'zod';
import { s3ObjectCreatedEventSchema } from '../../../events/upload';
import type { PositionContent } from '../../domain/debt-position';

export const uploadSplitMessageSchema = z.object({
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  fileId: z.string().min(1).max(64),
});

/** What the upload-split queue carries: a stored inline upload to split, or an object stored by a presigned upload (S3 Object Created). */
export const uploadSplitQueueMessageSchema = z.union([uploadSplitMessageSchema, s3ObjectCreatedEventSchema]);

export const uploadChunkMessageSchema = z.object({
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  fileId: z.string().min(1).max(64),
  chunk: z.number().int().min(0),
  rows: z
    .array(
      z.object({
        line: z.number().int().min(0),
        lines: z.array(z.number().int()).optional(),
        iupd: z.string().min(1).max(140),
        // the splitter's own output (already checked against the REST rules)
        content: z.custom<PositionContent>((v) => typeof v === 'object' && v !== null).optional(),
        echo: z.array(z.record(z.string(), z.string())).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

export type UploadChunkMessage = z.infer<typeof uploadChunkMessageSchema>;
