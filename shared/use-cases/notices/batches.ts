/**
 * Notice batches: the notices of many positions (up to 5000) rendered into the bucket
 * asynchronously, BATCH_CHUNK_SIZE positions per queue message, and their progress.
 */
import { statusAt } from '../../domain/debt-position';
import {
  MAX_BATCH_POSITIONS,
  batchState,
  chunksOf,
  dueBound,
  statusesOf,
  type BatchState,
  type NoticeBatch,
  type NoticeBatchItem,
  type NoticeBatchProgress,
  type NoticeBatchSelection,
} from '../../domain/notice/batch';
import { noticeAvailability } from '../../domain/notice/from-position';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import type { Actor, QueuePublisher } from '../ports';
import type { NoticeBatchStore, PositionSelector } from './ports';
import { ensureStored, loadLogo, type LoadedLogo, type NoticeDeps } from './stored-notices';

// ---- creating a batch -----------------------------------------------------------------------

export interface CreateNoticeBatch {
  readonly organizationFiscalCode: string;
  readonly actor: Actor;
  readonly select: NoticeBatchSelection;
}

/** One chunk of a batch, as the notice-batch queue carries it (events/notice-batch-chunk.ts). */
export interface NoticeBatchChunk {
  readonly organizationFiscalCode: string;
  readonly batchId: string;
  readonly chunk: number;
  readonly iupds: readonly string[];
}

export interface BatchDeps {
  readonly batches: NoticeBatchStore;
  readonly selector: PositionSelector;
  readonly publisher: QueuePublisher;
  readonly batchQueueUrl: string;
  readonly clock: () => Date;
  readonly newId: () => string;
}

export async function createNoticeBatch(deps: BatchDeps, command: CreateNoticeBatch): Promise<NoticeBatch> {
  const { organizationFiscalCode: ofc, select } = command;
  let iupds: string[];
  if ('iupds' in select) {
    iupds = [...new Set(select.iupds)];
  } else {
    const { filter } = select;
    const found = await deps.selector.iupdsMatching(
      ofc,
      {
        statuses: statusesOf(filter),
        dueFrom: filter.dueFrom === undefined ? undefined : dueBound(filter.dueFrom, 'from'),
        dueTo: filter.dueTo === undefined ? undefined : dueBound(filter.dueTo, 'to'),
      },
      MAX_BATCH_POSITIONS + 1,
    );
    if (found.length > MAX_BATCH_POSITIONS) {
      throw new UseCaseError('invalid', `more than ${MAX_BATCH_POSITIONS} positions match the filter: narrow the due dates`, [
        { field: 'filter', message: `matches more than ${MAX_BATCH_POSITIONS} positions` },
      ]);
    }
    if (found.length === 0) {
      throw new UseCaseError('invalid', 'no payable position matches the filter', [{ field: 'filter', message: 'matches no payable position' }]);
    }
    iupds = found;
  }
  const chunks = chunksOf(iupds);
  const batch: NoticeBatch = {
    batchId: deps.newId(),
    organizationFiscalCode: ofc,
    total: iupds.length,
    chunks: chunks.length,
    createdAt: deps.clock().toISOString(),
    createdBy: command.actor.keyId,
    selection: 'iupds' in select ? { iupds: iupds.length } : { filter: select.filter },
  };
  await deps.batches.create(batch);

  const messages = chunks.map((list, chunk) => ({
    id: String(chunk),
    body: JSON.stringify({ organizationFiscalCode: ofc, batchId: batch.batchId, chunk, iupds: list } satisfies NoticeBatchChunk),
  }));
  let failed = await deps.publisher.send(deps.batchQueueUrl, messages);
  if (failed.length > 0) failed = await deps.publisher.send(deps.batchQueueUrl, messages.filter((m) => failed.includes(m.id)));
  // A chunk that could not be queued is recorded as failed, so the batch still completes and
  // says which positions to ask for again.
  for (const id of failed) {
    const chunk = Number(id);
    await deps.batches.recordChunk(
      ofc,
      batch.batchId,
      chunk,
      (chunks[chunk] ?? []).map((iupd) => ({ iupd, ok: false, reason: 'could not be queued for rendering; create a new batch for it' })),
    );
  }
  return batch;
}

// ---- rendering one chunk ---------------------------------------------------------------------

const CHUNK_CONCURRENCY = 8;

/**
 * Renders the positions of one chunk (skipping notices already stored) and records the results
 * once. A transient failure (S3, DynamoDB) throws so the message is retried, except on its last
 * attempt, where the positions still failing are recorded as failed: the batch always finishes.
 */
export async function processNoticeChunk(
  deps: NoticeDeps & { readonly batches: NoticeBatchStore },
  chunk: NoticeBatchChunk,
  options: { lastAttempt: boolean },
): Promise<'recorded' | 'duplicate'> {
  const { organizationFiscalCode: ofc } = chunk;
  const organization = await deps.organizations.get(ofc);
  if (!organization) throw new Error(`the batch's organization is missing from the table`);
  // one logo read per chunk, not per position
  const logo: LoadedLogo = { logo: await loadLogo(deps, organization) };
  const results: NoticeBatchItem[] = new Array(chunk.iupds.length);
  let transient: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunk.iupds.length) {
      const index = next++;
      const iupd = chunk.iupds[index] as string;
      try {
        results[index] = await batchItem(deps, organization, logo, iupd);
      } catch (error) {
        transient ??= error;
        results[index] = { iupd, ok: false, reason: 'the notice could not be rendered or stored (temporary failure)' };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHUNK_CONCURRENCY, chunk.iupds.length) }, worker));
  if (transient !== undefined && !options.lastAttempt) throw transient;
  return deps.batches.recordChunk(ofc, chunk.batchId, chunk.chunk, results);
}

async function batchItem(deps: NoticeDeps, organization: Organization, logo: LoadedLogo, iupd: string): Promise<NoticeBatchItem> {
  const position = await deps.positions.get(organization.fiscalCode, iupd);
  if (!position) return { iupd, ok: false, reason: 'no debt position with this iupd' };
  const status = statusAt(position, deps.clock());
  const availability = noticeAvailability(status);
  if (!availability.available) return { iupd, ok: false, version: position.version, reason: `status ${status}: ${availability.reason}` };
  try {
    const { key } = await ensureStored(deps, position, organization, logo);
    return { iupd, ok: true, version: position.version, key };
  } catch (error) {
    if (error instanceof UseCaseError) return { iupd, ok: false, version: position.version, reason: error.message };
    throw error;
  }
}

// ---- progress ---------------------------------------------------------------------------------

export async function getNoticeBatch(
  deps: { readonly batches: Pick<NoticeBatchStore, 'get'> },
  organizationFiscalCode: string,
  batchId: string,
): Promise<NoticeBatchProgress & { state: BatchState }> {
  const progress = /^[0-9a-f-]{36}$/i.test(batchId) ? await deps.batches.get(organizationFiscalCode, batchId) : undefined;
  if (!progress) throw new UseCaseError('not-found', `no notice batch ${batchId}`);
  return { ...progress, state: batchState(progress) };
}
