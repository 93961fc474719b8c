/**
 * The domain event of a bulk upload (GPD massive upload, shared/use-cases/bulk-upload): written
 * ONCE, in the same conditional transaction that marks the upload ended (completed, refused whole
 * or cancelled), then outbox → event dispatcher → webhook-fanout → the back-office webhooks.
 * Counts and states only: no rows, no debtor, no file name.
 */
import * as z from 'zod';

export const UPLOAD_EVENT_TYPES = ['upload.completed'] as const;

export const uploadCompletedEventSchema = z.object({
  eventId: z.uuid(),
  eventType: z.literal('upload.completed'),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  /** the upload's id (GPD's fileId; `uploadID` under GPD upload's v1 paths): both names carry it */
  uploadId: z.string().min(1).max(64),
  fileId: z.string().min(1).max(64),
  brokerCode: z.string().min(1).max(35),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE']),
  /** how it ended: COMPLETED (every row has an outcome), REFUSED (the file is broken: nothing written), CANCELLED */
  state: z.enum(['COMPLETED', 'REFUSED', 'CANCELLED']),
  /** GPD's operationStatus of the upload, as …/file/{fileId}/status answers it once ended */
  operationStatus: z.enum(['COMPLETED', 'COMPLETED_WITH_WARNINGS', 'COMPLETED_UNSUCCESSFULLY']),
  /** rows in the file (0 when the file was refused before they were counted) */
  submitted: z.number().int().min(0),
  accepted: z.number().int().min(0),
  /** rows with a refusal in the report (CANCELLED: those refused until the cancellation) */
  refused: z.number().int().min(0),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  /** the notice batch (GET /organizations/{ofc}/notices/batches/{id}) of the positions a published CREATE upload created */
  noticeBatchId: z.string().min(1).max(64).optional(),
  /** REFUSED: why the whole file was refused */
  refusal: z.object({ status: z.number().int(), reason: z.string().max(2000) }).optional(),
});
export type UploadCompletedEvent = z.infer<typeof uploadCompletedEventSchema>;

/**
 * An object stored in the uploads bucket, as S3 reports it through EventBridge (detail-type
 * "Object Created", the bucket's EventBridge notifications; the rule of infra/aws sends it to the
 * upload-split queue). Locally the S3 emulator's hook (infra/local/fauxqs.ts) sends the same shape.
 * Only the fields the splitter reads are checked; the rest passes through.
 */
export const s3ObjectCreatedEventSchema = z.looseObject({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(3) }),
    object: z.looseObject({ key: z.string().min(1).max(1024), size: z.number().int().min(0), etag: z.string().max(100).optional() }),
  }),
});
export type S3ObjectCreatedEvent = z.infer<typeof s3ObjectCreatedEventSchema>;

/**
 * The debt-position events (created, published) of a position an upload created carry the
 * upload's id (shared/use-cases/bulk-upload/processing.ts): io-sender does not send the
 * new-notice messages of a published event that carries it, the upload's paced release does
 * (io.upload-notice below). Subscribers of the webhooks see it too.
 */
export const uploadMarkSchema = z.object({ uploadId: z.string().min(1).max(64).optional() });
export type UploadMark = z.infer<typeof uploadMarkSchema>;

/**
 * On the io-messages queue: the upload follow-up's paced release of one position an upload
 * created (shared/use-cases/bulk-upload/follow-up.ts) asks io-sender for its new-notice
 * messages, as the position's published event would. Its id is fixed per (upload, position):
 * a repeated release asks again, and io-sender's message records send each message once.
 */
export const uploadNoticeRequestSchema = z.object({
  eventId: z.string().min(1).max(200),
  eventType: z.literal('io.upload-notice'),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  iupd: z.string().min(1).max(70),
  uploadId: z.string().min(1).max(64),
});
export type UploadNoticeRequest = z.infer<typeof uploadNoticeRequestSchema>;
