/**
 * What the bulk upload of debt positions (a file of up to 100,000 positions, pagoPA GPD's
 * massive upload: pagopa/pagopa-gpd-upload) needs from the outside world.
 *
 * The life of an upload: the file is stored as received (object store), an upload record is
 * written (RECEIVED), and a split message queued. The splitter streams the file twice: once to
 * check its structure and count its rows (a broken file is refused whole, nothing written), once
 * to decode and check every row (the same rules as the REST API) and queue the valid ones in
 * chunks; the refused rows go straight to the report. Each chunk is applied by a worker with
 * one notice-number allocation and batched transactions; a chunk's outcome is recorded once
 * (idempotent per file and chunk), with the upload's counters, in one transaction.
 */
import type { DomainEvent } from '../../../events/domain-events';
import type { UploadCompletedEvent } from '../../../events/upload';
import type { DebtPosition, PositionContent } from '../../domain/debt-position';
import type { FieldError } from '../../domain/debt-position-rules';
import type { Organization } from '../../domain/organization';
import type { Actor, AuditEntry } from '../ports';

/** GPD upload operations (POST, PUT, DELETE …/debtpositions/file). */
export type UploadOperation = 'CREATE' | 'UPDATE' | 'DELETE';
/** json: GPD's ZIP of one JSON file; csv: GovPay's default CSV layout (a ZIP of one .csv, or a bare .csv). */
export type UploadFormat = 'json' | 'csv';

/**
 * (AWAITING_FILE: announced for a presigned upload, its file not arrived yet →) RECEIVED → SPLITTING → PROCESSING → COMPLETED (every row processed) · REFUSED (the file
 * itself is broken: nothing written) · CANCELLED (chunks not started when it was cancelled are
 * not applied; their rows are reported as such).
 */
export type UploadState = 'AWAITING_FILE' | 'RECEIVED' | 'SPLITTING' | 'PROCESSING' | 'COMPLETED' | 'REFUSED' | 'CANCELLED';

export interface Upload {
  readonly organizationFiscalCode: string;
  readonly brokerCode: string;
  readonly fileId: string;
  readonly operation: UploadOperation;
  readonly format: UploadFormat;
  readonly state: UploadState;
  /** where the file is, as received */
  readonly objectKey: string;
  readonly fileName: string;
  readonly actor: Actor;
  readonly startTime: string;
  readonly endTime?: string;
  /** rows in the file (known once the splitter has counted them) */
  readonly submittedItem: number;
  /** rows with an outcome (accepted or refused) */
  readonly processedItem: number;
  readonly acceptedItem: number;
  /** chunks queued; known when splitDone */
  readonly chunks: number;
  readonly chunksDone: number;
  readonly splitDone: boolean;
  /** why the whole file was refused (REFUSED) */
  readonly refusal?: { readonly status: number; readonly reason: string };
  /** CREATE: publish the positions (GPD's upload does); false leaves them DRAFT */
  readonly toPublish?: boolean;
  /**
   * CREATE uploads that publish: the App IO (and fallback e-mail) messages of the positions it
   * created are released from this instant (ISO); absent: as soon as the upload has ended.
   * They are never sent from the positions' published events (those carry the upload id): the
   * scheduled follow-up releases them at a paced rate (follow-up.ts).
   */
  readonly ioSendAt?: string;
  /**
   * Its positions' IO messages are released by the follow-up (set on the CREATE uploads that
   * publish, when they are received): their events carry the upload id, so io-sender leaves them.
   * Uploads received before the follow-up existed have no flag, and their events ask as before.
   */
  readonly ioPaced?: boolean;
  /** the paced release: where it is in the upload's created positions (opaque, the store's) */
  readonly ioCursor?: string;
  /** positions whose messages were released (queued for io-sender) */
  readonly ioReleased?: number;
  /** the instant up to which the tenant's release budget is taken by what was queued (ISO) */
  readonly ioReleasedUntil?: string;
  /** when every created position's messages had been released */
  readonly ioDoneAt?: string;
  /** a presigned upload: the size announced (and signed into the URL) */
  readonly announcedBytes?: number;
  /** the stored object is a ZIP (default: its key ends in .zip) */
  readonly zipped?: boolean;
  /** a presigned upload: the ETag of the object accepted as its file (a later PUT of the same URL is another object) */
  readonly objectEtag?: string;
  /** the notice batch of the positions it created (published CREATE uploads with accepted rows), set when it completes */
  readonly noticeBatchId?: string;
}

/** One row's outcome, as the report lists it. */
export interface RowOutcome {
  /** line of the file where the row starts (CSV: the physical line; JSON: the line of its `{`) */
  readonly line: number;
  readonly iupd: string;
  /** GPD's report status codes: 201 created, 200 updated/deleted, 400 invalid, 404, 409, 422 */
  readonly status: number;
  readonly reasons?: readonly string[];
  /** the notice numbers of the position, when it was created or updated */
  readonly navs?: readonly string[];
  /** CSV rows: the columns the GovPay result file echoes, one per row of the file (installments) */
  readonly echo?: ReadonlyArray<Readonly<Record<string, string>>>;
  /** every line that went into the position (a CSV document's installments) */
  readonly lines?: readonly number[];
}

/** A row read from the file, before any rule. */
export interface RawRow {
  readonly line: number;
  /** JSON: the element of paymentPositions / paymentPositionIUPDs; CSV: the record by column name */
  readonly value: unknown;
}

/** A CSV document (several rows, its installments) as one position. */
export interface DecodedRow {
  /** the line of the row (the first line of a grouped document) */
  readonly line: number;
  /** lines of every row that went into the position (CSV installments); default [line] */
  readonly lines?: readonly number[];
  readonly iupd: string;
  /** undefined when the row was refused by its schema or the tenant check */
  readonly content?: PositionContent;
  readonly errors: readonly FieldError[];
  readonly echo?: ReadonlyArray<Readonly<Record<string, string>>>;
}

/** The file's structure is broken (not JSON, not the model, a wrong CSV header): refused whole. */
export class FileRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 422,
    reason: string,
  ) {
    super(reason);
    this.name = 'FileRefused';
  }
}

/** The caller may not (another broker: 403) or not yet (a report before the end: 425, GPD's answer). */
export class UploadDenied extends Error {
  constructor(
    readonly kind: 'forbidden' | 'too-early',
    reason: string,
  ) {
    super(reason);
    this.name = 'UploadDenied';
  }
}

/** What can be told of a file at once, before it is stored; throws FileRefused. */
export interface UploadFileInspector {
  inspect(bytes: Uint8Array, fileName: string, operation: UploadOperation): { format: UploadFormat; csvHeader?: string };
  /**
   * The same checks on the first bytes of a file stored by a presigned upload (the rest of the
   * structure is checked by the split's first pass, as for every upload); throws FileRefused.
   */
  inspectHead(head: Uint8Array, size: number, fileName: string, operation: UploadOperation): { format: UploadFormat; zipped: boolean; csvHeader?: string };
}

/** A CSV layout's header rule (GovPay's columns); throws FileRefused naming what is wrong. */
export type CsvHeaderCheck = (columns: readonly string[]) => void;

/** Streams the rows of a stored file; throws FileRefused when the structure is broken. */
export interface UploadFileReader {
  rows(upload: Pick<Upload, 'objectKey' | 'format' | 'operation' | 'zipped'>): AsyncIterable<RawRow>;
  /** the first bytes of a stored file (at most `bytes`) */
  head(objectKey: string, bytes: number): Promise<Uint8Array>;
}

/**
 * Turns raw rows into positions with the REST API's schema and rules (the edge's code), keyed by
 * iupd. A CSV decoder groups consecutive rows of one document (installments) into one position:
 * `push` may return nothing until the group is complete, `end` flushes the last one.
 */
export interface RowDecoder {
  push(row: RawRow): DecodedRow[];
  end(): DecodedRow[];
}

export type RowDecoderFactory = (format: UploadFormat, operation: UploadOperation, organization: Organization, now: Date) => RowDecoder;

/** A chunk of valid rows, as queued. */
export interface UploadChunk {
  readonly organizationFiscalCode: string;
  readonly fileId: string;
  readonly chunk: number;
  readonly rows: ReadonlyArray<{
    readonly line: number;
    readonly lines?: readonly number[];
    readonly iupd: string;
    readonly content?: PositionContent;
    readonly echo?: ReadonlyArray<Readonly<Record<string, string>>>;
  }>;
}

export interface UploadQueue {
  /** queue the split of a stored upload */
  split(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>): Promise<void>;
  /** queue chunks (retried until every one is accepted) */
  chunks(chunks: readonly UploadChunk[]): Promise<void>;
}

export interface UploadObjects {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** a URL that lets its holder PUT exactly `contentLength` bytes at `key`, until it expires */
  presignPut(key: string, options: { contentLength: number; contentType: string; expiresInSeconds: number }): Promise<string>;
  /** whether an object is stored at `key` */
  exists(key: string): Promise<boolean>;
  /**
   * A URL that lets its holder GET the object at `key` until it expires, answered as an
   * attachment named `fileName` of type `contentType` (S3's response-content-* overrides, signed)
   */
  presignGet(key: string, options: { fileName: string; contentType: string; expiresInSeconds: number }): Promise<string>;
}

/** A position to create with what its transaction carries. */
export interface PositionToCreate {
  readonly position: DebtPosition;
  readonly audit: AuditEntry;
  readonly events: readonly DomainEvent[];
}

export interface UploadStore {
  create(upload: Upload): Promise<void>;
  get(organizationFiscalCode: string, fileId: string): Promise<Upload | undefined>;
  /** uploads started in [from, to) (ISO), newest first, at most `limit` after `after` */
  list(organizationFiscalCode: string, window: { from: string; to: string; limit: number; after?: string }): Promise<{ uploads: Upload[]; after?: string }>;
  /** AWAITING_FILE → RECEIVED: the file of a presigned upload arrived (false: it had arrived already, or the upload was cancelled) */
  arrived(upload: Upload, file: { format: UploadFormat; zipped: boolean; etag?: string }): Promise<boolean>;
  /** RECEIVED → SPLITTING, or false when it is not RECEIVED/SPLITTING (a redelivered split starts over) */
  startSplit(upload: Upload, submittedItem: number): Promise<boolean>;
  /** the splitter queued `chunks` chunks: splitDone */
  endSplit(upload: Upload, chunks: number): Promise<Upload>;
  /**
   * The whole file refused (nothing of it was written), with its upload.completed event in the
   * same conditional transaction; false when it had ended already (the event is not written again).
   */
  refuse(upload: Upload, status: number, reason: string, at: string, event?: UploadCompletedEvent): Promise<boolean>;
  /**
   * Records a chunk's outcomes once (chunk 0.. for applied chunks, negative numbers for the rows
   * the splitter refused) with the upload's counters; false when it was recorded already.
   */
  recordChunk(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, chunk: number, outcomes: readonly RowOutcome[]): Promise<boolean>;
  /** whether the chunk's outcome is recorded already */
  chunkRecorded(organizationFiscalCode: string, fileId: string, chunk: number): Promise<boolean>;
  /** every recorded outcome, in chunk order */
  outcomes(organizationFiscalCode: string, fileId: string): AsyncIterable<RowOutcome>;
  /**
   * PROCESSING/SPLITTING → COMPLETED once every chunk is recorded, with its upload.completed event
   * in the same conditional transaction: the one caller that wins gets the upload back, the
   * others (a redelivered last chunk, a concurrent worker) undefined and no event.
   */
  complete(upload: Upload, at: string, event?: UploadCompletedEvent, noticeBatchId?: string): Promise<Upload | undefined>;
  /** in progress → CANCELLED, with its upload.completed event in the same transaction; false when it had ended already */
  cancel(upload: Upload, at: string, event?: UploadCompletedEvent): Promise<boolean>;

  /** the IUV bases of a chunk: allocated once (one counter update), the same on every retry */
  chunkIuvBases(organizationFiscalCode: string, fileId: string, chunk: number, count: number): Promise<bigint[]>;
  /** iupd → the file that created it (undefined: not by an upload), for the positions that exist */
  existing(organizationFiscalCode: string, iupds: readonly string[]): Promise<Map<string, { fileId?: string; position: DebtPosition }>>;
  /**
   * Creates positions in as few transactions as DynamoDB allows, each marked with the file that
   * created it (`chunk`: the chunk of the file they come from, the same for every delivery of it).
   * Returns, per iupd not created, why: 'exists' (iupd taken), or the IUV taken.
   */
  createMany(fileId: string, chunk: number, positions: readonly PositionToCreate[]): Promise<Map<string, { conflict: 'iupd' } | { conflict: 'iuv'; iuv: string }>>;
  /**
   * Positions an earlier delivery of the same chunk created (found by `existing` with this file):
   * finishes what that delivery may have left undone when it died after their transactions (their
   * audit lines, the rest of their listing). Idempotent.
   */
  completeCreated(fileId: string, chunk: number, positions: readonly DebtPosition[]): Promise<void>;

  // ---- the follow-up (follow-up.ts): presigned uploads whose file never came, paced IO release ----

  /**
   * create(), with the upload in the follow-up list from `checkAt` (ISO) on, in the same write:
   * uploads that await a file, and CREATE uploads that publish (their IO release).
   */
  createFollowedUp(upload: Upload, checkAt: string): Promise<void>;
  /** the uploads of the follow-up list to look at no later than `now` (ISO), earliest first */
  followUpsDue(now: string, limit: number): Promise<Upload[]>;
  /**
   * AWAITING_FILE → REFUSED (the file never arrived), with its upload.completed event in the same
   * conditional write; false when it is no longer AWAITING_FILE (its file arrived, or it was cancelled).
   */
  expireAwaiting(upload: Upload, status: number, reason: string, at: string, event: UploadCompletedEvent): Promise<boolean>;
  /** look at it again at `at` (ISO) */
  followUpAt(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, at: string): Promise<void>;
  /** out of the follow-up list (nothing more to do for it); `ioDoneAt`: its IO release ended then */
  endFollowUp(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, ioDoneAt?: string): Promise<void>;
  /**
   * The positions the upload created (outcomes 201), in the order recorded, from `cursor` on
   * (undefined: the first); each with the cursor that follows it.
   */
  createdFrom(organizationFiscalCode: string, fileId: string, cursor: string | undefined): AsyncIterable<{ readonly iupd: string; readonly navs: readonly string[]; readonly next: string }>;
  /**
   * Moves the release's cursor, on condition it is still `from` (so two runs never both move it);
   * `done`: every created position is released (ioDoneAt). False when another run moved it first.
   */
  advanceIoRelease(upload: Pick<Upload, 'organizationFiscalCode' | 'fileId'>, from: string | undefined, to: { cursor: string; released: number; releasedUntil: string; done?: string }): Promise<boolean>;
}
