/**
 * Notice batches (pure): a tenant asks for the notices of many positions at once, named one by
 * one or by a filter; the batch is split into chunks rendered by the notice-batch worker, each
 * chunk's results recorded once, and the batch is finished when every position has a result.
 */
import type { PositionStatus } from '../debt-position';

/** A batch prints at most this many positions. */
export const MAX_BATCH_POSITIONS = 5000;
/** Positions per chunk (one queue message, one worker invocation). */
export const BATCH_CHUNK_SIZE = 50;
/**
 * Positions per ZIP archive of a batch's notices. A REST batch (at most MAX_BATCH_POSITIONS) is one
 * archive; an upload's batch of 100,000 is 20. Each part is built in one request, in memory: 5,000
 * notices of ~3 KB (~25 KB with a logo) is at most ~125 MB, and 5,000 ZIP entries stay far below the
 * classic format's 65,535 entries and 4 GB, so no ZIP64 is needed by any reader.
 */
export const ARCHIVE_PART_POSITIONS = 5000;
if (ARCHIVE_PART_POSITIONS % BATCH_CHUNK_SIZE !== 0) throw new Error('an archive part must be whole chunks');

/** Which positions a filter selects: payable ones, by first due date. */
export interface NoticeBatchFilter {
  readonly status?: 'VALID' | 'PARTIALLY_PAID';
  /** bounds on the first due date: YYYY-MM-DD (inclusive days, UTC) or ISO instants */
  readonly dueFrom?: string;
  readonly dueTo?: string;
}

/** The positions a batch is asked for: named, or every one a filter matches. */
export type NoticeBatchSelection = { readonly iupds: readonly string[] } | { readonly filter: NoticeBatchFilter };

export interface NoticeBatch {
  readonly batchId: string;
  readonly organizationFiscalCode: string;
  readonly total: number;
  readonly chunks: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly selection: { readonly iupds: number } | { readonly filter: NoticeBatchFilter };
}

/** The result of one position of a batch. */
export interface NoticeBatchItem {
  readonly iupd: string;
  readonly ok: boolean;
  readonly version?: number;
  /** the object key of its notice in the notices bucket */
  readonly key?: string;
  readonly reason?: string;
}

export interface NoticeBatchProgress {
  readonly batch: NoticeBatch;
  readonly done: number;
  readonly failed: number;
  readonly items: readonly NoticeBatchItem[];
}

export type BatchState = 'RUNNING' | 'DONE' | 'DONE_WITH_ERRORS';

/** RUNNING until every position has a result; then DONE, or DONE_WITH_ERRORS when one failed. */
export function batchState(progress: Pick<NoticeBatchProgress, 'batch' | 'done' | 'failed'>): BatchState {
  const finished = progress.done + progress.failed >= progress.batch.total;
  return !finished ? 'RUNNING' : progress.failed > 0 ? 'DONE_WITH_ERRORS' : 'DONE';
}

/** The statuses a filter selects (default: every payable one). */
export function statusesOf(filter: NoticeBatchFilter): PositionStatus[] {
  return filter.status ? [filter.status] : ['VALID', 'PARTIALLY_PAID'];
}

/** "2026-03-31" as a lower bound is the start of that UTC day, as an upper bound its end. */
export function dueBound(value: string, side: 'from' | 'to'): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return side === 'from' ? `${value}T00:00:00.000Z` : `${value}T23:59:59.999Z`;
  return new Date(value).toISOString();
}

/** Consecutive chunks of at most BATCH_CHUNK_SIZE. */
export function chunksOf<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_CHUNK_SIZE) chunks.push(items.slice(i, i + BATCH_CHUNK_SIZE));
  return chunks;
}

/** How many ZIP archives the batch's notices come in (parts 1..n). */
export function archivePartsOf(batch: Pick<NoticeBatch, 'total'>): number {
  return Math.max(1, Math.ceil(batch.total / ARCHIVE_PART_POSITIONS));
}

/** The chunks part `part` (from 1) holds, [first, last] inclusive, and the positions it covers (from 1, as a person counts them). */
export function archivePart(batch: Pick<NoticeBatch, 'total' | 'chunks'>, part: number): { firstChunk: number; lastChunk: number; firstPosition: number; lastPosition: number } {
  const perPart = ARCHIVE_PART_POSITIONS / BATCH_CHUNK_SIZE;
  const firstChunk = (part - 1) * perPart;
  return {
    firstChunk,
    lastChunk: Math.min(batch.chunks, firstChunk + perPart) - 1,
    firstPosition: (part - 1) * ARCHIVE_PART_POSITIONS + 1,
    lastPosition: Math.min(batch.total, part * ARCHIVE_PART_POSITIONS),
  };
}
