/**
 * Wire shapes of the bulk upload API, as pagopa/pagopa-gpd-upload publishes them
 * (openapi/gpd-openapi-v2.json; v1 names the id `uploadID`): UploadStatusDTO, UploadReportDTO,
 * FileIdListResponse; the query of …/debtpositions/files (Europe/Rome dates, at most 7 days,
 * `size` 100..500, default 100; paging with the x-continuation-token header).
 * Extensions of this layer, on purpose: `rows` in the report (every refused row with its line,
 * iupd and every reason), `format=csv` (GovPay's result file), `state` and counts in the status,
 * `ioSendAt` (query of the upload routes, body of the presigned one) and `ioMessages` in the status.
 */
import * as z from 'zod';
import { parseApiDateTime, romeCalendarDay } from '../domain/dates';
import type { OperationStatus } from '../use-cases/bulk-upload/uploads';
import { MAX_PRESIGNED_BYTES, operationStatusOf, releasesIo } from '../use-cases/bulk-upload/uploads';
import type { RowOutcome, Upload } from '../use-cases/bulk-upload/ports';
import { booleanQuery } from './debt-position-schemas';
import { badRequest } from './problem';

/** GPD upload's base paths (servers of gpd-openapi-v1.json / -v2.json, without the host). */
export const UPLOAD_BASE_V1 = '/upload/gpd/debt-positions-service/v1';
export const UPLOAD_BASE_V2 = '/upload/gpd/debt-positions-service/v2';

export const uploadStatusSchema = z
  .object({
    fileId: z.string(),
    uploadID: z.string().optional().meta({ description: 'v1 name of fileId (answered under the v1 base path).' }),
    processedItem: z.number().int(),
    submittedItem: z.number().int(),
    startTime: z.string(),
    endTime: z.string().optional(),
    operationStatus: z.enum(['IN_PROGRESS', 'COMPLETED', 'COMPLETED_WITH_WARNINGS', 'COMPLETED_UNSUCCESSFULLY']),
    state: z.enum(['AWAITING_FILE', 'RECEIVED', 'SPLITTING', 'PROCESSING', 'COMPLETED', 'REFUSED', 'CANCELLED']).meta({ description: 'This layer: where the upload is (AWAITING_FILE: a presigned upload whose file has not been PUT yet).' }),
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE']),
    format: z.enum(['json', 'csv']),
    acceptedItem: z.number().int(),
    refusal: z.object({ status: z.number().int(), reason: z.string() }).optional().meta({ description: 'Why the whole file was refused (nothing of it was written).' }),
    noticeBatchId: z.string().optional().meta({ description: 'This layer: the notice batch of the positions a published CREATE upload created (GET /organizations/{ofc}/notices/batches/{id}), once it has completed.' }),
    ioSendAt: z.string().optional().meta({ description: 'This layer: the instant asked (query ioSendAt) from which the App IO messages of the positions created are released.' }),
    ioMessages: z
      .object({
        state: z.enum(['WAITING', 'RELEASING', 'RELEASED']).meta({ description: 'WAITING: the upload is in progress or ioSendAt has not come; RELEASING: the paced release is queueing them; RELEASED: every created position\u2019s messages were queued.' }),
        released: z.number().int().meta({ description: 'Positions whose new-notice messages were queued for App IO (each message is sent once).' }),
        releasedAt: z.string().optional().meta({ description: 'When the last of them was queued.' }),
      })
      .optional()
      .meta({ description: 'This layer, published CREATE uploads: the paced release of the App IO (or fallback e-mail) messages of the positions created; not sent from the positions\u2019 own published events.' }),
  })
  .meta({ id: 'UploadStatusDTO' });

/**
 * The bytes of refused rows one report carries: with the iupds grouped by status (~2.5 MB for
 * 100,000 rows) the report stays under the 6 MB a Lambda function may answer.
 */
export const REPORT_ROWS_BYTES = 2_000_000;

export const uploadReportSchema = z
  .object({
    fileId: z.string(),
    uploadID: z.string().optional(),
    processedItem: z.number().int(),
    submittedItem: z.number().int(),
    responses: z.array(z.object({ statusCode: z.number().int(), statusMessage: z.string(), iupds: z.array(z.string()) })),
    rows: z
      .array(z.object({ line: z.number().int(), lines: z.array(z.number().int()).optional(), iupd: z.string(), statusCode: z.number().int(), reasons: z.array(z.string()) }))
      .meta({ description: `This layer: the refused rows in file order, each with the line where it starts in the file, its iupd and every reason; at most ${REPORT_ROWS_BYTES} bytes of them (rowsOmitted says how many more: the result file, ?format=csv, has every row).` }),
    rowsOmitted: z.number().int().optional().meta({ description: 'This layer: refused rows left out of `rows` to keep the report under what a Lambda function may answer (6 MB).' }),
    startTime: z.string(),
    endTime: z.string().optional(),
    noticeBatchId: z.string().optional().meta({ description: 'This layer: the notice batch of the positions the upload created (published CREATE uploads).' }),
  })
  .meta({ id: 'UploadReportDTO' });

export const fileIdListSchema = z.object({ fileIds: z.array(z.string()), size: z.number().int(), hasMore: z.boolean() }).meta({ id: 'FileIdListResponse' });

const romeDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date yyyy-MM-dd');
export const filesQuerySchema = z.strictObject({
  from: romeDate.optional().meta({ description: 'First day (Europe/Rome), default today.' }),
  to: romeDate.optional().meta({ description: 'Last day (Europe/Rome), default today; at most 7 days after from.' }),
  size: z.string().regex(/^\d{1,4}$/).transform(Number).refine((n) => n >= 100 && n <= 500, 'must be from 100 to 500').optional(),
});
export const reportQuerySchema = z.strictObject({
  format: z.enum(['json', 'csv']).optional().meta({ description: 'csv: GovPay\u2019s result file (idA2A,…,numeroAvviso,…,errore), one line per row of the file.' }),
});

const ioSendAtDescription =
  'This layer (GPD has no such parameter): an ISO 8601 date-time with its offset, in the future, at most 365 days ahead, on a CREATE upload that publishes: ' +
  'the App IO (or fallback e-mail) messages of the positions created are released from then, at a paced rate; absent: as soon as the upload has ended.';

export const uploadQuerySchema = z.strictObject({
  toPublish: booleanQuery.optional().meta({ description: 'This layer: false creates the positions as DRAFT (default true: GPD\u2019s upload publishes them).' }),
  ioSendAt: z.string().min(1).max(40).optional().meta({ description: ioSendAtDescription, example: '2027-03-01T08:00:00+01:00' }),
});

/** POST …/debtpositions/file/uploads (this layer's own route): a presigned upload of a large file. */
export const announceUploadSchema = z
  .strictObject({
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE']).optional().meta({ description: 'What the file does (default CREATE), as POST / PUT / DELETE …/file do.' }),
    fileName: z.string().min(5).max(200).regex(/\.(zip|csv)$/i, 'must end in .zip or .csv').meta({ description: 'A .zip holding one .json (GPD) or one .csv (GovPay), or a bare .csv.' }),
    size: z.number().int().min(1).max(MAX_PRESIGNED_BYTES).meta({ description: `The exact size in bytes of the file that will be PUT (at most ${MAX_PRESIGNED_BYTES}); signed into the URL.` }),
    contentType: z.string().min(3).max(100).regex(/^[\w.+-]+\/[\w.+-]+$/).optional().meta({ description: 'The Content-Type the PUT will send (default application/zip, or text/csv for a .csv).' }),
    toPublish: z.boolean().optional().meta({ description: 'CREATE: false creates the positions as DRAFT (default true).' }),
    ioSendAt: z.string().min(1).max(40).optional().meta({ description: ioSendAtDescription }),
  })
  .meta({ id: 'PresignedUploadRequest' });
export type AnnounceUploadBody = z.infer<typeof announceUploadSchema>;

export const announcedUploadSchema = z
  .object({
    fileId: z.string(),
    uploadUrl: z.string().meta({ description: 'PUT the file here, with exactly the headers below, before expiresAt.' }),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()).meta({ description: 'Content-Type and Content-Length to send (signed: another length is refused by S3 with 403).' }),
    expiresAt: z.string(),
    statusUrl: z.string().meta({ description: 'brokers/{broker}/organizations/{ofc}/debtpositions/file/{fileId}/status (relative, as the Location of an inline upload).' }),
    maxBytes: z.number().int(),
  })
  .meta({ id: 'PresignedUpload' });

export const uploadPath = z.object({
  brokerCode: z.string().min(1).max(35).meta({ description: 'The broker (intermediario) of the organization.' }),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
});
export const uploadFilePath = uploadPath.extend({ fileId: z.string().regex(/^[0-9a-f-]{36}$/, 'must be a file id') });

/** The instants of a files query: [from 00:00 Rome, to 24:00 Rome), at most 7 days. */
export function filesWindow(query: z.infer<typeof filesQuerySchema>, now: Date): { from: string; to: string; limit: number } {
  const today = romeCalendarDay(now.toISOString());
  const fromDay = query.from ?? today;
  const toDay = query.to ?? today;
  const from = parseApiDateTime(`${fromDay}T00:00:00`);
  const to = parseApiDateTime(`${toDay}T23:59:59.999`);
  if (from === null || to === null) throw badRequest('from and to must be dates', [{ field: 'from', message: 'must be a date yyyy-MM-dd' }]);
  if (to < from) throw badRequest('to is before from', [{ field: 'to', message: 'must not be before from' }]);
  if (Date.parse(to) - Date.parse(from) > 7 * 24 * 3600_000) throw badRequest('at most 7 days', [{ field: 'to', message: 'must be at most 7 days after from' }]);
  return { from, to, limit: query.size ?? 100 };
}

export function toUploadStatus(upload: Upload, v1: boolean): z.infer<typeof uploadStatusSchema> {
  const status: OperationStatus = operationStatusOf(upload);
  return {
    fileId: upload.fileId,
    ...(v1 ? { uploadID: upload.fileId } : {}),
    processedItem: upload.processedItem,
    submittedItem: upload.submittedItem,
    startTime: upload.startTime,
    ...(upload.endTime ? { endTime: upload.endTime } : {}),
    operationStatus: status,
    state: upload.state,
    operation: upload.operation,
    format: upload.format,
    acceptedItem: upload.acceptedItem,
    ...(upload.refusal ? { refusal: upload.refusal } : {}),
    ...(upload.noticeBatchId ? { noticeBatchId: upload.noticeBatchId } : {}),
    ...(upload.ioSendAt ? { ioSendAt: upload.ioSendAt } : {}),
    ...(releasesIo(upload) && upload.state !== 'REFUSED'
      ? {
          ioMessages: {
            state: upload.ioDoneAt ? ('RELEASED' as const) : (upload.ioReleased ?? 0) > 0 ? ('RELEASING' as const) : ('WAITING' as const),
            released: upload.ioReleased ?? 0,
            ...(upload.ioDoneAt ? { releasedAt: upload.ioDoneAt } : {}),
          },
        }
      : {}),
  };
}

const STATUS_MESSAGES: Record<number, string> = {
  200: 'Debt positions updated or deleted',
  201: 'Debt positions created',
  400: 'Bad request: the position breaks a rule',
  404: 'Debt position not found',
  409: 'Conflict: the position exists already, or its IUV is taken, or it appears twice in the file',
  413: 'Debt position too large for a bulk upload',
  422: 'Not processed',
};

/** GPD's report: iupds grouped by status code, and every refused row in full. */
export async function toUploadReport(upload: Upload, outcomes: AsyncIterable<RowOutcome>, v1: boolean): Promise<z.infer<typeof uploadReportSchema>> {
  const groups = new Map<number, string[]>();
  const rows: z.infer<typeof uploadReportSchema>['rows'] = [];
  for await (const o of outcomes) {
    (groups.get(o.status) ?? groups.set(o.status, []).get(o.status)!).push(o.iupd);
    if (o.status >= 300) rows.push({ line: o.line, ...(o.lines ? { lines: [...o.lines] } : {}), iupd: o.iupd, statusCode: o.status, reasons: [...(o.reasons ?? [])] });
  }
  if (upload.refusal) groups.set(upload.refusal.status, []);
  rows.sort((a, b) => a.line - b.line);
  // a file refused row by row (the same file uploaded again: every row 409) would list 100,000 rows, ~15 MB
  let bytes = 0;
  let kept = 0;
  while (kept < rows.length && bytes + JSON.stringify(rows[kept]).length <= REPORT_ROWS_BYTES) bytes += JSON.stringify(rows[kept++]).length + 1;
  const rowsOmitted = rows.length - kept;
  rows.length = kept;
  return {
    fileId: upload.fileId,
    ...(v1 ? { uploadID: upload.fileId } : {}),
    processedItem: upload.processedItem,
    submittedItem: upload.submittedItem,
    responses: [...groups].sort(([a], [b]) => a - b).map(([statusCode, iupds]) => ({
      statusCode,
      statusMessage: upload.refusal && statusCode === upload.refusal.status && iupds.length === 0 ? upload.refusal.reason : (STATUS_MESSAGES[statusCode] ?? 'Processed'),
      iupds,
    })),
    rows,
    ...(rowsOmitted > 0 ? { rowsOmitted } : {}),
    startTime: upload.startTime,
    ...(upload.endTime ? { endTime: upload.endTime } : {}),
    ...(upload.noticeBatchId ? { noticeBatchId: upload.noticeBatchId } : {}),
  };
}
