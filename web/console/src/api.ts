/** The console API over fetch, with the operator's bearer token; failures as ProblemJson. */
import { currentSession } from './auth';

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: readonly FieldProblem[] = [],
  ) {
    super(`${status}: ${detail}`);
  }
}

export class SignedOut extends Error {}

let base = '';
export const setApiBase = (url: string): void => {
  base = url.replace(/\/+$/, '');
};

/** a read the API asks to retry (503 with Retry-After: a list's page index being rebuilt) is retried this many times */
const READ_RETRIES = 3;

async function call(method: string, path: string, body?: unknown, retries = READ_RETRIES): Promise<Response> {
  const session = currentSession();
  if (!session) throw new SignedOut('sessione scaduta');
  // a form (a file upload) goes as multipart/form-data, its boundary set by the browser
  const form = body instanceof FormData;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${session.accessToken}`, ...(body !== undefined && !form ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: form ? body : JSON.stringify(body) } : {}),
  });
  if (res.status === 401) throw new SignedOut('sessione non valida');
  const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
  if (res.status === 503 && method === 'GET' && retries > 0 && retryAfter >= 0 && retryAfter <= 10) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(retryAfter, 0.2) * 1000));
    return call(method, path, body, retries - 1);
  }
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string; errors?: FieldProblem[] };
    throw new ApiError(res.status, problem.detail ?? res.statusText, problem.errors ?? []);
  }
  return res;
}

export const getJson = async <T>(path: string): Promise<T> => (await (await call('GET', path)).json()) as T;
export const postJson = async <T>(path: string, body?: unknown): Promise<T> => (await (await call('POST', path, body ?? {})).json()) as T;
export const putJson = async <T>(path: string, body: unknown): Promise<T> => (await (await call('PUT', path, body)).json()) as T;
export const deleteJson = async (path: string): Promise<void> => void (await call('DELETE', path));
export const postForm = async <T>(path: string, form: FormData): Promise<T> => (await (await call('POST', path, form)).json()) as T;
export const getBlob = async (path: string): Promise<Blob> => (await call('GET', path)).blob();

export interface Me {
  operator: { username: string; name: string; role: 'admin' | 'operator' | 'viewer' };
  organizations: Array<{ fiscalCode: string; name: string; ibans: string[] }>;
}

export interface Transfer {
  idTransfer: string;
  amount: number;
  remittanceInformation?: string;
  category?: string;
  iban?: string;
  postalIban?: string;
  stamp?: { hashDocument: string; stampType: string; provincialResidence: string };
  organizationFiscalCode?: string;
  status?: string;
}
export interface Option {
  nav?: string;
  iuv?: string;
  amount: number;
  description?: string;
  dueDate?: string;
  status?: string;
  isPartialPayment?: boolean;
  transfer?: Transfer[];
}
export interface Position {
  iupd: string;
  status: string;
  type: string;
  fiscalCode: string;
  fullName: string;
  email?: string;
  insertedDate?: string;
  publishDate?: string;
  paymentDate?: string;
  validityDate?: string;
  version?: number;
  paymentOption?: Option[];
}
export interface AuditLine {
  at: string;
  action: string;
  version: number;
  fromStatus?: string;
  toStatus?: string;
  by: { kind: 'operator'; username: string; name: string; role: string } | { kind: 'api-key' | 'system'; id: string };
}
/** a receipt of one of the position's notices (APPLIED: it paid the option; KO: an outcome-KO receipt) */
export interface ReceiptLine {
  receiptId: string;
  iuv: string;
  nav: string;
  state: 'APPLIED' | 'KO';
  recordedAt: string;
  outcome: 'OK' | 'KO';
  paymentAmount: number;
  fee?: number;
  paymentDateTime?: string;
  idPSP: string;
  pspCompanyName: string;
  paymentMethod?: string;
  payer?: { fullName: string; fiscalCode: string };
  transfers: Array<{ idTransfer: number; amount: number; fiscalCodePA: string }>;
}
/** an App IO message or e-mail of one of the position's notices (its outcome, no content) */
export interface MessageLine {
  nav: string;
  kind: string;
  state: string;
  channel?: 'io' | 'email';
  attempts: number;
  detail?: string;
  httpStatus?: number;
  createdAt: string;
  updatedAt: string;
  sentAt?: string;
}
/** an upload of a tax list: GPD's UploadStatusDTO and the file's name */
export interface UploadStatus {
  fileId: string;
  fileName: string;
  processedItem: number;
  submittedItem: number;
  acceptedItem: number;
  startTime: string;
  endTime?: string;
  operationStatus: 'IN_PROGRESS' | 'COMPLETED' | 'COMPLETED_WITH_WARNINGS' | 'COMPLETED_UNSUCCESSFULLY';
  state: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  format: string;
  refusal?: { status: number; reason: string };
  /** a published CREATE upload: the batch rendering its positions' notices */
  noticeBatchId?: string;
  /** when its App IO messages may start (absent: as soon as it ended) */
  ioSendAt?: string;
  /** its App IO messages, released by the follow-up at a paced rate (published CREATE uploads) */
  ioMessages?: { state: 'WAITING' | 'RELEASING' | 'RELEASED'; released: number; releasedAt?: string; releasedUntil?: string };
}
/** the notice batch of a completed upload: PREPARING just after it ended, then the counts */
export interface NoticeBatchSummary {
  batchId: string;
  state: 'PREPARING' | 'RUNNING' | 'DONE' | 'DONE_WITH_ERRORS';
  total?: number;
  done?: number;
  failed?: number;
  createdAt?: string;
  failures?: Array<{ iupd: string; reason?: string }>;
  failuresOmitted?: number;
  /** once the batch has ended: its notices as ZIP archives of up to 5,000 positions each */
  archives?: Array<{ part: number; firstPosition: number; lastPosition: number }>;
}
/** GPD's UploadReportDTO: the refused rows with their line, iupd and every reason */
export interface UploadReport {
  rows: Array<{ line: number; lines?: number[]; iupd: string; statusCode: number; reasons: string[] }>;
  rowsOmitted?: number;
  responses: Array<{ statusCode: number; statusMessage: string; iupds: string[] }>;
}
/** a page of the list (page, total), or of a debtor's positions (cursor while more follow) */
export interface Page {
  items: Position[];
  limit: number;
  page?: number;
  total?: number;
  totalPages?: number;
  cursor?: string;
}
export interface Dashboard {
  total: number;
  byStatus: Record<string, number>;
  complete: boolean;
  recent: Position[];
  /** receipts recorded today and this month (Rome), amounts in cents */
  payments: { today: { count: number; amount: number }; month: { count: number; amount: number } };
  openAnomalies: number;
  /** today's App IO messages by outcome (Rome's day) */
  messagesToday: { io: number; email: number; skipped: number; failed: number; pending: number };
  /** the latest uploads of tax lists (30 days) */
  uploads: UploadStatus[];
}
export type ActedBy = AuditLine['by'];
/** a receipt of the lists (iupd when it paid a position) */
export type ReceiptItem = ReceiptLine & { iupd?: string };
/** money that moved but could not be applied, with the staff's notes */
export interface Anomaly {
  anomalyId: string;
  kind: string;
  detail: string;
  iuv: string;
  nav: string;
  receiptId: string;
  iupd?: string;
  recordedAt: string;
  paymentAmount?: number;
  paymentDateTime?: string;
  pspCompanyName?: string;
  payer?: { fullName: string; fiscalCode: string };
  messageId?: string;
  handled: boolean;
  notes: Array<{ at: string; by: ActedBy; text: string; handled: boolean }>;
}
/** a page of receipts or anomalies: `cursor` while more follow */
export interface CursorPage<T> {
  items: T[];
  cursor?: string;
}

/** POST …/uploads/presigned: where to PUT a large file (SigV4 presigned S3 URL), with which headers, until when */
export interface PresignedUpload {
  fileId: string;
  uploadUrl: string;
  method: 'PUT';
  /** the signed headers: content-type (sent as given) and content-length (the browser sets it from the file) */
  headers: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
  upload: UploadStatus;
}

/** A PUT to the storage that did not store the file: S3's status and error code (status 0: no answer the page may read) */
export class TransferError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

/** request headers a page may not set (the browser sends them itself: Content-Length from the body, Host from the URL) */
const BROWSER_SET_HEADERS = new Set(['content-length', 'host']);

/**
 * PUTs a file to a presigned URL with XMLHttpRequest (fetch reports no upload progress), calling
 * `onProgress` with the bytes sent. No bearer token: the URL's signature is the only credential,
 * and the storage is another origin. Resolves once the storage answered 2xx; otherwise rejects
 * with a TransferError (S3's <Code> and <Message> when it sent them).
 */
export function putFile(url: string, headers: Readonly<Record<string, string>>, file: Blob, onProgress: (sent: number, total: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) if (!BROWSER_SET_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
        return;
      }
      const text = xhr.responseText ?? '';
      const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1] ?? '';
      reject(new TransferError(xhr.status, tag('Code'), tag('Message') || xhr.statusText));
    });
    xhr.addEventListener('error', () => reject(new TransferError(0, 'NetworkError', 'no answer from the storage (connection closed, or the request was not allowed)')));
    xhr.addEventListener('abort', () => reject(new TransferError(0, 'Aborted', 'the transfer was interrupted')));
    xhr.send(file);
  });
}
