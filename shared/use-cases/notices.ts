/**
 * Printed notices (avvisi di pagamento) of debt positions: rendered ahead of time when a position
 * becomes payable or changes (notice-render queue), served as PDF, rendered on the spot when a
 * request comes first, removed when the position can no longer be paid, and rendered in bulk
 * (notice batches, 50 positions per queue message).
 *
 * Objects are keyed by organization, iupd and position VERSION: every write to a position bumps
 * its version, so a request for the current version can never be answered with an older PDF.
 * Whether a notice may be served is decided on the position's status at request time, never on
 * whether a PDF happens to exist.
 */
import * as z from 'zod';
import type { NoticeDocument } from '../notice/types';
import { NoticeValidationError } from '../notice/types';
import type { DebtPosition, PositionStatus } from '../domain/debt-position';
import { statusAt } from '../domain/debt-position';
import type { Organization } from '../domain/organization';
import { logoTypeOf, noticeAvailability, noticeFileName, toNoticeDocument, type Logo } from '../domain/notice-document';
import type { ObjectStore } from '../adapters/object-store';
import type { QueuePublisher } from './ports';
import { UseCaseError } from './errors';
import type { Actor, DebtPositionStore, OrganizationStore } from './ports';

export const PDF_CONTENT_TYPE = 'application/pdf';
export const MAX_BATCH_POSITIONS = 5000;
export const BATCH_CHUNK_SIZE = 50;

export interface Log {
  warn(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
}

export interface NoticeDeps {
  readonly positions: Pick<DebtPositionStore, 'get'>;
  readonly organizations: Pick<OrganizationStore, 'get'>;
  readonly objects: ObjectStore;
  /** renderNotice from shared/notice, handed in so tests can count or fail renders */
  readonly render: (doc: NoticeDocument) => Uint8Array;
  readonly clock: () => Date;
  readonly log: Log;
}

// ---- object keys --------------------------------------------------------------------------

/** notices/<ofc>/<iupd>/v<version, 8 digits>.pdf; iupd is [A-Za-z0-9._-], '.'/'..' are escaped. */
export function noticeKey(organizationFiscalCode: string, iupd: string, version: number): string {
  return `notices/${organizationFiscalCode}/${keySegment(iupd)}/v${String(version).padStart(8, '0')}.pdf`;
}

/** The keys of every version up to `version` (deleting absent keys is harmless, listing would need s3:ListBucket). */
function keysUpTo(organizationFiscalCode: string, iupd: string, version: number): string[] {
  return Array.from({ length: Math.max(0, version) }, (_, i) => noticeKey(organizationFiscalCode, iupd, i + 1));
}

function keySegment(iupd: string): string {
  return /^\.+$/.test(iupd) || /[^A-Za-z0-9._-]/.test(iupd) ? encodeURIComponent(iupd).replace(/\./g, '%2E') : iupd;
}

// ---- one notice ---------------------------------------------------------------------------

export interface NoticePdf {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  readonly version: number;
  /** 'stored': read from the bucket; 'rendered': rendered for this request (and stored) */
  readonly source: 'stored' | 'rendered';
}

/** The PDF of a payable position; 404 when unknown, 409 when it has no notice (DRAFT, PAID, INVALID...). */
export async function getNoticePdf(deps: NoticeDeps, organization: Organization, iupd: string): Promise<NoticePdf> {
  // an iupd the API could never have stored is not looked up (table keys are limited to 2 KB)
  const position = iupdSchema.safeParse(iupd).success ? await deps.positions.get(organization.fiscalCode, iupd) : undefined;
  if (!position) throw new UseCaseError('not-found', `no debt position with iupd ${iupd}`);
  const status = statusAt(position, deps.clock());
  refuseUnlessPayable(status);
  const key = noticeKey(organization.fiscalCode, iupd, position.version);
  const stored = await deps.objects.get(key);
  const fileName = noticeFileName(iupd);
  if (stored) return { bytes: stored.bytes, fileName, version: position.version, source: 'stored' };

  const bytes = await renderPosition(deps, position, organization);
  try {
    await deps.objects.putIfAbsent(key, bytes, { contentType: PDF_CONTENT_TYPE, metadata: objectMetadata(position) });
  } catch (error) {
    // the caller gets the notice anyway; the renderer queue or the next request stores it
    deps.log.warn('could not store a notice rendered on request', { key, error: (error as Error).message });
  }
  return { bytes, fileName, version: position.version, source: 'rendered' };
}

function refuseUnlessPayable(status: PositionStatus): void {
  const availability = noticeAvailability(status);
  if (!availability.available) {
    throw new UseCaseError('conflict', `no payment notice for a position in status ${status}: ${availability.reason}`);
  }
}

/** Renders; a position whose data the notice cannot carry is a 409 naming the problem, not a 500. */
async function renderPosition(
  deps: NoticeDeps,
  position: DebtPosition,
  organization: Organization,
  preloadedLogo?: { logo: Logo | undefined },
): Promise<Uint8Array> {
  const logo = preloadedLogo ? preloadedLogo.logo : await loadLogo(deps, organization);
  try {
    return deps.render(toNoticeDocument(position, organization, logo));
  } catch (error) {
    if (error instanceof NoticeValidationError) {
      throw new UseCaseError('conflict', `the position cannot be printed as a pagoPA notice: ${error.message}`);
    }
    if (logo && error instanceof Error && error.name === 'LogoError') {
      // a broken logo must not block the notice: print without it, and say so
      deps.log.warn('organization logo unusable, notice rendered without it', { organization: organization.fiscalCode, reason: error.message });
      return deps.render(toNoticeDocument(position, organization));
    }
    throw error;
  }
}

async function loadLogo(deps: NoticeDeps, organization: Organization): Promise<Logo | undefined> {
  if (!organization.logoKey) return undefined;
  const object = await deps.objects.get(organization.logoKey);
  if (!object) {
    deps.log.warn('organization logo not found in the bucket', { organization: organization.fiscalCode });
    return undefined;
  }
  const type = logoTypeOf(object.bytes);
  if (!type) {
    deps.log.warn('organization logo is neither PNG nor JPEG', { organization: organization.fiscalCode });
    return undefined;
  }
  return { bytes: object.bytes, type };
}

function objectMetadata(position: DebtPosition): Record<string, string> {
  return { iupd: position.iupd, version: String(position.version) };
}

// ---- the notice-render queue ----------------------------------------------------------------

/**
 * What the renderer reads from a domain event (debt-position.* or payment.received): which
 * position, at which version. The rest of the contract is the producers'; parsed loosely so a
 * new field upstream never parks messages in the DLQ.
 */
export const noticeTriggerSchema = z.looseObject({
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  iupd: z.string().min(1).max(70),
  version: z.number().int().min(1),
});
export type NoticeTrigger = z.infer<typeof noticeTriggerSchema>;

export type RefreshOutcome =
  | 'rendered'
  | 'exists'
  /** the event is older than the stored position: the newer version's own event does the work */
  | 'stale-event'
  /** the position is gone or not payable: its stored notices were deleted */
  | 'removed';

/**
 * Brings the stored notices of one position in line with it: the current version rendered when
 * payable (once: an existing object is kept), every stored version deleted when it is not.
 */
export async function refreshNotice(deps: NoticeDeps, trigger: NoticeTrigger): Promise<RefreshOutcome> {
  const { organizationFiscalCode: ofc, iupd } = trigger;
  if (trigger.eventType === 'debt-position.deleted') {
    await deps.objects.deleteMany(keysUpTo(ofc, iupd, trigger.version));
    return 'removed';
  }
  const position = await deps.positions.get(ofc, iupd);
  if (!position) {
    await deps.objects.deleteMany(keysUpTo(ofc, iupd, trigger.version));
    return 'removed';
  }
  if (trigger.version < position.version) return 'stale-event';
  if (!noticeAvailability(statusAt(position, deps.clock())).available) {
    await deps.objects.deleteMany(keysUpTo(ofc, iupd, position.version));
    return 'removed';
  }
  const organization = await deps.organizations.get(ofc);
  if (!organization) throw new Error(`the position's organization is missing from the table`);
  const outcome = await ensureStored(deps, position, organization);
  // older versions can never be served again: drop them (the PDFs carry personal data)
  if (position.version > 1) await deps.objects.deleteMany(keysUpTo(ofc, iupd, position.version - 1));
  return outcome.stored ? 'rendered' : 'exists';
}

async function ensureStored(
  deps: NoticeDeps,
  position: DebtPosition,
  organization: Organization,
  preloadedLogo?: { logo: Logo | undefined },
): Promise<{ key: string; stored: boolean }> {
  const key = noticeKey(position.organizationFiscalCode, position.iupd, position.version);
  if (await deps.objects.exists(key)) return { key, stored: false };
  const bytes = await renderPosition(deps, position, organization, preloadedLogo);
  const result = await deps.objects.putIfAbsent(key, bytes, { contentType: PDF_CONTENT_TYPE, metadata: objectMetadata(position) });
  return { key, stored: result === 'stored' };
}

// ---- notice batches -----------------------------------------------------------------------

const iupdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,70}$/, 'must be 1..70 characters among A-Z a-z 0-9 . _ -');
const dayOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const noticeBatchRequestSchema = z
  .strictObject({
    /** the positions to print, up to 5000 (duplicates are printed once) */
    iupds: z.array(iupdSchema).min(1).max(MAX_BATCH_POSITIONS).optional(),
    /** or: every position matching, up to 5000 */
    filter: z
      .strictObject({
        status: z.enum(['VALID', 'PARTIALLY_PAID']).optional(),
        /** bounds on the first due date: YYYY-MM-DD (inclusive days, UTC) or ISO instants */
        dueFrom: dayOrInstant.optional(),
        dueTo: dayOrInstant.optional(),
      })
      .optional(),
  })
  .refine((r) => (r.iupds === undefined) !== (r.filter === undefined), {
    message: 'give either iupds or filter, not both and not neither',
    path: ['iupds'],
  });
export type NoticeBatchRequest = z.infer<typeof noticeBatchRequestSchema>;

export const noticeBatchChunkSchema = z.strictObject({
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  batchId: z.uuid(),
  chunk: z.number().int().min(0),
  iupds: z.array(z.string().min(1).max(70)).min(1).max(BATCH_CHUNK_SIZE),
});
export type NoticeBatchChunk = z.infer<typeof noticeBatchChunkSchema>;

export interface NoticeBatch {
  readonly batchId: string;
  readonly organizationFiscalCode: string;
  readonly total: number;
  readonly chunks: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly selection: { readonly iupds: number } | { readonly filter: NonNullable<NoticeBatchRequest['filter']> };
}

export interface NoticeBatchItem {
  readonly iupd: string;
  readonly ok: boolean;
  readonly version?: number;
  readonly key?: string;
  readonly reason?: string;
}

export interface NoticeBatchProgress {
  readonly batch: NoticeBatch;
  readonly done: number;
  readonly failed: number;
  readonly items: readonly NoticeBatchItem[];
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

export interface BatchDeps {
  readonly batches: NoticeBatchStore;
  readonly selector: PositionSelector;
  readonly publisher: QueuePublisher;
  readonly batchQueueUrl: string;
  readonly clock: () => Date;
  readonly newId: () => string;
}

export async function createNoticeBatch(
  deps: BatchDeps,
  request: { organizationFiscalCode: string; actor: Actor; body: NoticeBatchRequest },
): Promise<NoticeBatch> {
  const { organizationFiscalCode: ofc, body } = request;
  let iupds: string[];
  if (body.iupds) {
    iupds = [...new Set(body.iupds)];
  } else {
    const filter = body.filter ?? {};
    const found = await deps.selector.iupdsMatching(
      ofc,
      {
        statuses: filter.status ? [filter.status] : ['VALID', 'PARTIALLY_PAID'],
        dueFrom: filter.dueFrom === undefined ? undefined : boundOf(filter.dueFrom, 'from'),
        dueTo: filter.dueTo === undefined ? undefined : boundOf(filter.dueTo, 'to'),
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
  const chunks: string[][] = [];
  for (let i = 0; i < iupds.length; i += BATCH_CHUNK_SIZE) chunks.push(iupds.slice(i, i + BATCH_CHUNK_SIZE));
  const batch: NoticeBatch = {
    batchId: deps.newId(),
    organizationFiscalCode: ofc,
    total: iupds.length,
    chunks: chunks.length,
    createdAt: deps.clock().toISOString(),
    createdBy: request.actor.keyId,
    selection: body.iupds ? { iupds: iupds.length } : { filter: body.filter ?? {} },
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

/** "2026-03-31" as a lower bound is the start of that UTC day, as an upper bound its end. */
function boundOf(value: string, side: 'from' | 'to'): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return side === 'from' ? `${value}T00:00:00.000Z` : `${value}T23:59:59.999Z`;
  return new Date(value).toISOString();
}

const CHUNK_CONCURRENCY = 8;

/**
 * Renders the positions of one chunk (skipping notices already stored) and records the results
 * once. A transient failure (S3, DynamoDB) throws so the message is retried, except on its last
 * attempt, where the positions still failing are recorded as failed: the batch always finishes.
 */
export async function processNoticeChunk(
  deps: NoticeDeps & { readonly batches: NoticeBatchStore },
  message: NoticeBatchChunk,
  options: { lastAttempt: boolean },
): Promise<'recorded' | 'duplicate'> {
  const { organizationFiscalCode: ofc } = message;
  const organization = await deps.organizations.get(ofc);
  if (!organization) throw new Error(`the batch's organization is missing from the table`);
  // one logo read per chunk, not per position
  const logo = { logo: await loadLogo(deps, organization) };
  const results: NoticeBatchItem[] = new Array(message.iupds.length);
  let transient: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < message.iupds.length) {
      const index = next++;
      const iupd = message.iupds[index] as string;
      try {
        results[index] = await batchItem(deps, organization, logo, iupd);
      } catch (error) {
        transient ??= error;
        results[index] = { iupd, ok: false, reason: 'the notice could not be rendered or stored (temporary failure)' };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHUNK_CONCURRENCY, message.iupds.length) }, worker));
  if (transient !== undefined && !options.lastAttempt) throw transient;
  return deps.batches.recordChunk(ofc, message.batchId, message.chunk, results);
}

async function batchItem(
  deps: NoticeDeps,
  organization: Organization,
  logo: { logo: Logo | undefined },
  iupd: string,
): Promise<NoticeBatchItem> {
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

export type BatchState = 'RUNNING' | 'DONE' | 'DONE_WITH_ERRORS';

export async function getNoticeBatch(
  deps: { readonly batches: NoticeBatchStore },
  organizationFiscalCode: string,
  batchId: string,
): Promise<NoticeBatchProgress & { state: BatchState }> {
  const progress = /^[0-9a-f-]{36}$/i.test(batchId) ? await deps.batches.get(organizationFiscalCode, batchId) : undefined;
  if (!progress) throw new UseCaseError('not-found', `no notice batch ${batchId}`);
  const finished = progress.done + progress.failed >= progress.batch.total;
  const state: BatchState = !finished ? 'RUNNING' : progress.failed > 0 ? 'DONE_WITH_ERRORS' : 'DONE';
  return { ...progress, state };
}
