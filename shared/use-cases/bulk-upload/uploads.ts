/**
 * Receiving, listing, inspecting and cancelling bulk uploads (GPD's massive upload API,
 * pagopa/pagopa-gpd-upload openapi/gpd-openapi-v2.json): the file is stored as received, an upload
 * record written and its split queued; what the status and report answer is read from the
 * record and the recorded outcomes.
 */
import type { UploadCompletedEvent } from '../../../events/upload';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import { UploadDenied } from './ports';
import type { Actor } from '../ports';
import type { CsvHeaderCheck, RowOutcome, Upload, UploadFileInspector, UploadFormat, UploadObjects, UploadOperation, UploadQueue, UploadStore } from './ports';

export interface UploadDeps {
  readonly uploads: UploadStore;
  readonly objects: UploadObjects;
  readonly queue: UploadQueue;
  readonly inspector: UploadFileInspector;
  readonly csvHeader: CsvHeaderCheck;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** the largest result file answered inline (default and maximum MAX_INLINE_RESULT_BYTES; lower only to test the stored path) */
  readonly maxInlineResultBytes?: number;
}

export interface ReceiveUpload {
  readonly organization: Organization;
  readonly actor: Actor;
  readonly brokerCode: string;
  readonly operation: UploadOperation;
  readonly fileName: string;
  /** the file as received (a ZIP, or a bare CSV) */
  readonly bytes: Uint8Array;
  readonly contentType: string;
  /** CREATE uploads that publish: their positions' App IO messages are released from this instant (ISO, future, ≤ 1 year) */
  readonly ioSendAt?: string;
  /** default true (GPD's upload publishes what it creates) */
  readonly toPublish?: boolean;
}

/** {broker} of the path must be the intermediary the tenant is registered with. */
export function checkBroker(organization: Organization, brokerCode: string): void {
  if (organization.brokerId !== brokerCode) {
    throw new UploadDenied('forbidden', `the broker ${brokerCode} does not intermediate the organization ${organization.fiscalCode}`);
  }
}

/** How far ahead an upload's IO messages may be scheduled (ioSendAt). */
export const MAX_IO_SEND_AHEAD_DAYS = 365;

/**
 * ioSendAt (this layer's option, GPD has none): an ISO 8601 instant with its offset, in the future,
 * at most MAX_IO_SEND_AHEAD_DAYS ahead, on a CREATE upload that publishes (the others send no
 * new-notice messages). Answered as 400 with the field otherwise.
 */
export function checkIoSendAt(command: Pick<ReceiveUpload, 'ioSendAt' | 'operation' | 'toPublish'>, now: Date): string | undefined {
  if (command.ioSendAt === undefined) return undefined;
  const refuse = (message: string): never => {
    throw new UseCaseError('invalid', `ioSendAt ${message}`, [{ field: 'ioSendAt', message }]);
  };
  const at = Date.parse(command.ioSendAt);
  if (!Number.isFinite(at) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(command.ioSendAt)) {
    refuse('must be an ISO 8601 date-time with its offset, e.g. 2027-03-01T08:00:00+01:00');
  }
  if (command.operation !== 'CREATE' || command.toPublish === false) refuse('applies only to a CREATE upload that publishes its positions (POST …/file without toPublish=false)');
  if (at <= now.getTime()) refuse('must be in the future');
  if (at > now.getTime() + MAX_IO_SEND_AHEAD_DAYS * 86_400_000) refuse(`must be at most ${MAX_IO_SEND_AHEAD_DAYS} days ahead`);
  return new Date(at).toISOString();
}

/** Whether the follow-up (follow-up.ts) has something to do for a new upload: its IO release, or a file to await. */
export function needsFollowUp(upload: Upload): boolean {
  return upload.state === 'AWAITING_FILE' || releasesIo(upload);
}

/** CREATE uploads that publish: their positions' IO messages are released by the follow-up, not by their published events. */
export function releasesIo(upload: Pick<Upload, 'ioPaced'>): boolean {
  return upload.ioPaced === true;
}

async function store(deps: Pick<UploadDeps, 'uploads'>, upload: Upload): Promise<void> {
  if (needsFollowUp(upload)) await deps.uploads.createFollowedUp(upload, upload.startTime);
  else await deps.uploads.create(upload);
}

export async function receiveUpload(deps: UploadDeps, command: ReceiveUpload): Promise<Upload> {
  checkBroker(command.organization, command.brokerCode);
  const ioSendAt = checkIoSendAt(command, deps.clock());
  const { format, csvHeader } = deps.inspector.inspect(command.bytes, command.fileName, command.operation);
  if (csvHeader !== undefined) deps.csvHeader(headerColumns(csvHeader));
  const ofc = command.organization.fiscalCode;
  const fileId = deps.newId();
  const zipped = command.bytes[0] === 0x50 && command.bytes[1] === 0x4b;
  const objectKey = `uploads/${ofc}/${fileId}/${zipped ? 'file.zip' : 'file.csv'}`;
  await deps.objects.put(objectKey, command.bytes, command.contentType);
  const upload = newUpload({ ...command, ...(ioSendAt ? { ioSendAt } : {}), format, fileId, objectKey, startTime: deps.clock().toISOString() });
  await store(deps, upload);
  await deps.queue.split(upload);
  return upload;
}

/** A file larger than the inline limit goes through a presigned upload of at most this many bytes. */
export const MAX_PRESIGNED_BYTES = 200 * 1024 * 1024;
/** How long a presigned upload URL lets its holder PUT the file. */
export const PRESIGNED_URL_SECONDS = 15 * 60;
/**
 * A presigned upload whose file has not arrived this long after its URL expired is ended
 * (REFUSED, 408, by the follow-up): a PUT begun just before the expiry may still be arriving.
 */
export const AWAITING_FILE_MARGIN_SECONDS = 15 * 60;

export interface AnnounceUpload extends Omit<ReceiveUpload, 'bytes' | 'contentType'> {
  /** the exact size of the file the client will PUT (signed into the URL: S3 refuses another length) */
  readonly size: number;
  readonly contentType: string;
}

export interface AnnouncedUpload {
  readonly upload: Upload;
  readonly uploadUrl: string;
  readonly expiresAt: string;
}

/**
 * A large file, through a presigned S3 upload (this layer's own route: GPD has none): the upload
 * is recorded AWAITING_FILE with its key `uploads/<ofc>/<fileId>` (under the tenant: the URL is
 * signed for that key only) and the URL returned; the object's arrival (S3 ObjectCreated, see
 * processing.acceptArrivedFile) starts the same processing as an inline upload.
 */
export async function announceUpload(deps: UploadDeps, command: AnnounceUpload): Promise<AnnouncedUpload> {
  checkBroker(command.organization, command.brokerCode);
  if (!Number.isInteger(command.size) || command.size < 1 || command.size > MAX_PRESIGNED_BYTES) {
    throw new UseCaseError('invalid', `the file must have from 1 to ${MAX_PRESIGNED_BYTES} bytes`, [{ field: 'size', message: `must be from 1 to ${MAX_PRESIGNED_BYTES}` }]);
  }
  const name = command.fileName.toLowerCase();
  if (!name.endsWith('.zip') && !name.endsWith('.csv')) {
    throw new UseCaseError('invalid', 'the file must be a .zip (one JSON or CSV file) or a .csv', [{ field: 'fileName', message: 'must end in .zip or .csv' }]);
  }
  const now = deps.clock();
  const ioSendAt = checkIoSendAt(command, now);
  const ofc = command.organization.fiscalCode;
  const fileId = deps.newId();
  const objectKey = `uploads/${ofc}/${fileId}`;
  const uploadUrl = await deps.objects.presignPut(objectKey, { contentLength: command.size, contentType: command.contentType, expiresInSeconds: PRESIGNED_URL_SECONDS });
  const upload: Upload = {
    ...newUpload({ ...command, ...(ioSendAt ? { ioSendAt } : {}), format: name.endsWith('.csv') ? 'csv' : 'json', fileId, objectKey, startTime: now.toISOString() }),
    state: 'AWAITING_FILE',
    announcedBytes: command.size,
  };
  await store(deps, upload);
  return { upload, uploadUrl, expiresAt: new Date(now.getTime() + PRESIGNED_URL_SECONDS * 1000).toISOString() };
}

/** The column names of a CSV header line (names are plain words; quotes are dropped). */
export function headerColumns(line: string): string[] {
  return line.split(/[,;]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
}

/** An upload record as written before its file is read (also by the large-file path). */
export function newUpload(fields: Omit<ReceiveUpload, 'bytes' | 'contentType' | 'organization'> & { format: UploadFormat; organization: Pick<Organization, 'fiscalCode'>; fileId: string; objectKey: string; startTime: string }): Upload {
  return {
    organizationFiscalCode: fields.organization.fiscalCode,
    brokerCode: fields.brokerCode,
    fileId: fields.fileId,
    operation: fields.operation,
    format: fields.format,
    state: 'RECEIVED',
    objectKey: fields.objectKey,
    fileName: fields.fileName,
    actor: fields.actor,
    startTime: fields.startTime,
    submittedItem: 0,
    processedItem: 0,
    acceptedItem: 0,
    chunks: 0,
    chunksDone: 0,
    splitDone: false,
    ...(fields.ioSendAt ? { ioSendAt: fields.ioSendAt } : {}),
    ...(fields.toPublish === false ? { toPublish: false } : {}),
    ...(fields.operation === 'CREATE' && fields.toPublish !== false ? { ioPaced: true } : {}),
  };
}

export async function findUpload(deps: Pick<UploadDeps, 'uploads'>, organization: Organization, brokerCode: string, fileId: string): Promise<Upload> {
  checkBroker(organization, brokerCode);
  const upload = await deps.uploads.get(organization.fiscalCode, fileId);
  if (!upload) throw new UseCaseError('not-found', `no upload with id ${fileId}`);
  return upload;
}

export function isFinished(upload: Upload): boolean {
  return upload.state === 'COMPLETED' || upload.state === 'REFUSED' || upload.state === 'CANCELLED';
}

/** GPD's operationStatus of an upload. */
export type OperationStatus = 'IN_PROGRESS' | 'COMPLETED' | 'COMPLETED_WITH_WARNINGS' | 'COMPLETED_UNSUCCESSFULLY';

export function operationStatusOf(upload: Upload): OperationStatus {
  if (!isFinished(upload)) return 'IN_PROGRESS';
  if (upload.state === 'REFUSED' || upload.acceptedItem === 0) return upload.submittedItem === 0 && upload.state === 'COMPLETED' ? 'COMPLETED' : 'COMPLETED_UNSUCCESSFULLY';
  return upload.acceptedItem === upload.submittedItem && upload.state === 'COMPLETED' ? 'COMPLETED' : 'COMPLETED_WITH_WARNINGS';
}

export interface UploadReport {
  readonly upload: Upload;
  /** every row's outcome, in the order recorded */
  readonly outcomes: AsyncIterable<RowOutcome>;
}

/** The report, once the upload has ended (GPD: 425 before). */
export async function uploadReport(deps: Pick<UploadDeps, 'uploads'>, organization: Organization, brokerCode: string, fileId: string): Promise<UploadReport> {
  const upload = await findUpload(deps, organization, brokerCode, fileId);
  if (!isFinished(upload)) throw new UploadDenied('too-early', 'the report has not been generated yet');
  return { upload, outcomes: deps.uploads.outcomes(organization.fiscalCode, fileId) };
}

/**
 * The largest result file (GovPay's result CSV) answered in the response itself: 4 MiB. A Lambda
 * function's response payload is at most 6 MB (6,291,456 bytes) and API Gateway's Lambda proxy
 * carries a binary body base64-encoded, a third larger: 4 MiB becomes 5.33 MiB, which leaves about
 * 0.6 MiB for the headers and the JSON of the proxy result. A larger file (a 100,000-row upload's
 * is 25-30 MB) is stored in the uploads bucket and answered with a presigned GET (303 See Other).
 */
export const MAX_INLINE_RESULT_BYTES = 4 * 1024 * 1024;

/** How long the presigned GET of a stored result file is valid: the client follows the redirect at once. */
export const RESULT_URL_SECONDS = 300;

export const RESULT_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** Where the result file of a large upload is stored (under results/, which S3's objectCreated rule of uploads/ ignores). */
export const resultObjectKey = (organizationFiscalCode: string, fileId: string): string => `results/${organizationFiscalCode}/${fileId}/${resultFileName(fileId)}`;

export const resultFileName = (fileId: string): string => `esito-${fileId}.csv`;

/** The result file, in the answer (small) or stored and presigned (large). */
export type ResultFile =
  | { readonly kind: 'inline'; readonly fileName: string; readonly contentType: string; readonly bytes: Uint8Array }
  | { readonly kind: 'stored'; readonly fileName: string; readonly url: string; readonly expiresInSeconds: number };

/**
 * The result file of an ended upload (GPD: 425 before), rendered by the edge (`render`, GovPay's
 * layout). Up to the inline limit it is answered as it is; above, it is stored once at
 * resultObjectKey and a presigned GET is answered. The result of a COMPLETED upload never changes,
 * so a stored one is reused without reading the outcomes again; a CANCELLED upload's may still
 * grow (a chunk being applied when it was cancelled records its rows), so it is stored again.
 */
export async function uploadResultFile(
  deps: Pick<UploadDeps, 'uploads' | 'objects' | 'maxInlineResultBytes'>,
  organization: Organization,
  brokerCode: string,
  fileId: string,
  render: (report: UploadReport) => Promise<Uint8Array>,
): Promise<ResultFile> {
  const report = await uploadReport(deps, organization, brokerCode, fileId);
  const fileName = resultFileName(fileId);
  const key = resultObjectKey(organization.fiscalCode, fileId);
  const stored = async (): Promise<ResultFile> => ({
    kind: 'stored',
    fileName,
    url: await deps.objects.presignGet(key, { fileName, contentType: RESULT_CONTENT_TYPE, expiresInSeconds: RESULT_URL_SECONDS }),
    expiresInSeconds: RESULT_URL_SECONDS,
  });
  if (report.upload.state === 'COMPLETED' && (await deps.objects.exists(key))) return stored();
  const bytes = await render(report);
  if (bytes.length <= Math.min(deps.maxInlineResultBytes ?? MAX_INLINE_RESULT_BYTES, MAX_INLINE_RESULT_BYTES)) {
    return { kind: 'inline', fileName, contentType: RESULT_CONTENT_TYPE, bytes };
  }
  await deps.objects.put(key, bytes, RESULT_CONTENT_TYPE);
  return stored();
}

/** Uploads started between two instants, newest first. */
export async function listUploads(
  deps: Pick<UploadDeps, 'uploads'>,
  organization: Organization,
  brokerCode: string,
  window: { from: string; to: string; limit: number; after?: string },
): Promise<{ uploads: Upload[]; after?: string }> {
  checkBroker(organization, brokerCode);
  return deps.uploads.list(organization.fiscalCode, window);
}

/** Cancels an upload in progress: the chunks not applied yet are not; their rows are reported as cancelled. */
export async function cancelUpload(deps: Pick<UploadDeps, 'uploads' | 'clock' | 'newId'>, organization: Organization, brokerCode: string, fileId: string): Promise<Upload> {
  const upload = await findUpload(deps, organization, brokerCode, fileId);
  const at = deps.clock().toISOString();
  const cancelled: Upload = { ...upload, state: 'CANCELLED', endTime: at };
  if (isFinished(upload) || !(await deps.uploads.cancel(upload, at, uploadCompletedEvent(cancelled, deps.newId())))) {
    throw new UseCaseError('conflict', `the upload ${fileId} has ended already (${upload.state})`);
  }
  return cancelled;
}

/**
 * The upload.completed event of an upload that has just ended (its state and endTime set): the
 * store writes it in the same conditional transaction that ends the upload, so it exists once.
 */
export function uploadCompletedEvent(ended: Upload, eventId: string): UploadCompletedEvent {
  const state = ended.state;
  if (state !== 'COMPLETED' && state !== 'REFUSED' && state !== 'CANCELLED') throw new Error(`upload ${ended.fileId} has not ended (${state})`);
  const endedAt = ended.endTime ?? ended.startTime;
  const operationStatus = operationStatusOf(ended);
  return {
    eventId,
    eventType: 'upload.completed',
    occurredAt: endedAt,
    organizationFiscalCode: ended.organizationFiscalCode,
    uploadId: ended.fileId,
    fileId: ended.fileId,
    brokerCode: ended.brokerCode,
    operation: ended.operation,
    state,
    operationStatus: operationStatus === 'IN_PROGRESS' ? 'COMPLETED_UNSUCCESSFULLY' : operationStatus,
    submitted: ended.submittedItem,
    accepted: ended.acceptedItem,
    refused: ended.processedItem - ended.acceptedItem,
    startedAt: ended.startTime,
    endedAt,
    ...(ended.noticeBatchId ? { noticeBatchId: ended.noticeBatchId } : {}),
    ...(ended.refusal ? { refusal: ended.refusal } : {}),
  };
}
