/**
 * What the notice use cases need from the outside world: the bucket the PDFs (and the tenants'
 * logos) live in, the PDF renderer, the records of notice batches and the selection of the
 * positions a batch filter names. Implemented in shared/adapters (S3, DynamoDB) and by
 * shared/notice (the renderer); tests hand in their own.
 */
import type { PositionStatus } from '../../domain/debt-position';
import type { NoticeBatch, NoticeBatchItem, NoticeBatchProgress } from '../../domain/notice/batch';
import type { NoticeDocument } from '../../domain/notice/document';

export interface StoredObject {
  readonly bytes: Uint8Array;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ObjectStore {
  /** undefined when there is no such object */
  get(key: string): Promise<StoredObject | undefined>;
  exists(key: string): Promise<boolean>;
  /**
   * Writes the object unless one exists at that key already ('exists'), atomically: two writers
   * racing on one key store it once.
   */
  putIfAbsent(
    key: string,
    bytes: Uint8Array,
    options: { contentType: string; metadata?: Readonly<Record<string, string>> },
  ): Promise<'stored' | 'exists'>;
  /** Deletes the keys (absent ones are fine). */
  deleteMany(keys: readonly string[]): Promise<void>;
}

/**
 * The notice as PDF bytes (shared/notice renderNotice). Throws NoticeValidationError
 * (shared/domain/notice/document.ts) for a document the notice cannot carry, and an error named
 * 'LogoError' for a logo it cannot draw.
 */
export type NoticeRenderer = (document: NoticeDocument) => Uint8Array;

export interface NoticeLog {
  warn(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
}

export interface NoticeBatchStore {
  create(batch: NoticeBatch): Promise<void>;
  /** Records the results of one chunk once: 'duplicate' when that chunk was recorded already. */
  recordChunk(organizationFiscalCode: string, batchId: string, chunk: number, items: readonly NoticeBatchItem[]): Promise<'recorded' | 'duplicate'>;
  get(organizationFiscalCode: string, batchId: string): Promise<NoticeBatchProgress | undefined>;
}

export interface PositionSelector {
  /** iupds of the tenant's positions in these statuses, optionally by first due date; at most `max` */
  iupdsMatching(
    organizationFiscalCode: string,
    filter: { statuses: readonly PositionStatus[]; dueFrom?: string; dueTo?: string },
    max: number,
  ): Promise<string[]>;
}

/** What the ZIP archives of a batch read of it: the counts, and the results of a run of chunks. */
export interface NoticeBatchReader {
  /** the batch and its counts, without its items; undefined when there is no such batch */
  head(organizationFiscalCode: string, batchId: string): Promise<Omit<NoticeBatchProgress, 'items'> | undefined>;
  /** the items of chunks firstChunk..lastChunk (inclusive), in chunk order; chunks not recorded yet are absent */
  chunkItems(organizationFiscalCode: string, batchId: string, firstChunk: number, lastChunk: number): Promise<NoticeBatchItem[]>;
}

/** The bucket as the archives use it: the notices read, the archive stored once, and handed out by a time-limited link. */
export interface ArchiveObjects extends Pick<ObjectStore, 'get' | 'exists' | 'putIfAbsent'> {
  /** a presigned GET of the object, served as an attachment named fileName */
  presignGet(key: string, options: { fileName: string; contentType: string; expiresInSeconds: number }): Promise<string>;
}

/** Files into one ZIP archive (shared/adapters/zip-archive.ts); entry names are the archive's paths. */
export type ArchiveWriter = (entries: ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }>) => Uint8Array;
