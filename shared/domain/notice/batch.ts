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
