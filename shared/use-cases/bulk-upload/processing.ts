/**
 * Processing a stored upload: the split (two streaming passes over the file) and the chunks.
 *
 *   pass 1   structure and row count, and the iupds (only the keys are kept: a Map of strings,
 *            never the rows): a broken file is refused whole before anything is written; an
 *            iupd that appears more than once refuses every row that carries it
 *   pass 2   each row decoded and checked with the REST API's schema and rules; refused rows
 *            are recorded at once (negative chunk numbers), valid ones queued in chunks of at
 *            most CHUNK_ROWS rows / CHUNK_BYTES bytes. Chunk numbers follow the file, so a split
 *            started again queues the same chunks with the same numbers.
 *   chunk    applied once per (file, chunk): its notice numbers come from one counter update
 *            kept for the chunk (a retry gets the same ones), its positions are written in
 *            batched transactions, each marked with the file: a retry after a crash finds the
 *            rows it wrote and counts them as created, a second upload of the same file finds
 *            them and reports 409. The outcomes and the upload's counters are recorded in one
 *            conditional transaction, so a redelivered chunk is never counted twice.
 */
import type { DomainEvent } from '../../../events/domain-events';
import type { UploadMark } from '../../../events/upload';
import type { DebtPosition, PaymentOptionContent } from '../../domain/debt-position';
import { publish } from '../../domain/debt-position';
import { checkPositionContent, checkPositionSize } from '../../domain/debt-position-rules';
import { makeNoticeNumber } from '../../domain/notice-number';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import type { DebtPositionStore } from '../ports';
import { positionFields } from '../debt-positions/content-to-position';
import { deleteDebtPosition } from '../debt-positions/delete';
import { auditLine, orConflict, positionEvent } from '../debt-positions/position-writes';
import { updateDebtPosition } from '../debt-positions/update';
import { createNoticeBatch, type BatchDeps } from '../notices/batches';
import type { CsvHeaderCheck, DecodedRow, PositionToCreate, UploadFileInspector, RowDecoderFactory, RowOutcome, Upload, UploadChunk, UploadFileReader, UploadQueue, UploadStore } from './ports';
import { FileRefused } from './ports';
import { headerColumns, uploadCompletedEvent } from './uploads';

export const CHUNK_ROWS = 100;
/** SQS takes 256 KB per message: a chunk's rows stay under this */
export const CHUNK_BYTES = 200_000;
/** refused rows recorded together */
const REFUSED_BATCH = 200;

export interface ProcessingDeps {
  readonly uploads: UploadStore;
  readonly files: UploadFileReader;
  readonly decoder: RowDecoderFactory;
  readonly queue: UploadQueue;
  readonly positions: DebtPositionStore;
  readonly organizations: { get(fiscalCode: string): Promise<Organization | undefined> };
  readonly clock: () => Date;
  readonly newId: () => string;
  /** told of every position an upload created */
  readonly onCreated?: (count: number) => void;
  /** told once per upload that ends (the log line and metric of the upload) */
  readonly onFinished?: (upload: Upload) => void;
  /** the checks of an upload's file at once, for the files of presigned uploads when they arrive */
  readonly inspector: UploadFileInspector;
  readonly csvHeader: CsvHeaderCheck;
  /** the notice batches (shared/use-cases/notices): one per published CREATE upload, of the positions it created */
  readonly noticeBatches?: BatchDeps;
  /** told of a stored object that no presigned upload announced (or announced and already arrived): nothing is done with it */
  readonly onIgnored?: (objectKey: string, why: string) => void;
}

/** Splits a stored upload into queued chunks (a redelivered split message starts it over, safely). */
export async function splitUpload(deps: ProcessingDeps, ref: { organizationFiscalCode: string; fileId: string }): Promise<void> {
  const upload = await deps.uploads.get(ref.organizationFiscalCode, ref.fileId);
  if (!upload || (upload.state !== 'RECEIVED' && upload.state !== 'SPLITTING')) return;
  const organization = await deps.organizations.get(upload.organizationFiscalCode);
  if (!organization) return;
  const now = deps.clock();

  // pass 1: structure, count, keys
  const linesOf = new Map<string, number[]>();
  let submitted = 0;
  try {
    for await (const row of decodedRows(deps, upload, organization, now)) {
      submitted++;
      const lines = linesOf.get(row.iupd);
      if (lines) lines.push(row.line);
      else linesOf.set(row.iupd, [row.line]);
    }
    if (submitted === 0) throw new FileRefused(422, 'the file holds no positions');
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error;
    const at = deps.clock().toISOString();
    const refused: Upload = { ...upload, state: 'REFUSED', refusal: { status: error.status, reason: error.message }, endTime: at };
    if (await deps.uploads.refuse(upload, error.status, error.message, at, uploadCompletedEvent(refused, deps.newId()))) deps.onFinished?.(refused);
    return;
  }
  const twice = new Map([...linesOf].filter(([, lines]) => lines.length > 1));
  linesOf.clear();
  if (!(await deps.uploads.startSplit(upload, submitted))) return;

  // pass 2: rules, refusals, chunks
  let chunk = 0;
  let refusedBatch = 0;
  let rows: Array<UploadChunk['rows'][number]> = [];
  let bytes = 0;
  let refused: RowOutcome[] = [];
  let pending: UploadChunk[] = [];
  const flushChunk = async (force: boolean) => {
    if (rows.length > 0) {
      pending.push({ organizationFiscalCode: upload.organizationFiscalCode, fileId: upload.fileId, chunk: chunk++, rows });
      rows = [];
      bytes = 0;
    }
    if (pending.length >= 10 || (force && pending.length > 0)) {
      await deps.queue.chunks(pending);
      pending = [];
    }
  };
  const flushRefused = async (force: boolean) => {
    if (refused.length >= REFUSED_BATCH || (force && refused.length > 0)) {
      await deps.uploads.recordChunk(upload, -1 - refusedBatch++, refused);
      refused = [];
    }
  };
  for await (const row of decodedRows(deps, upload, organization, now)) {
    const reasons = rowReasons(row, upload, organization, now, twice);
    if (reasons.length > 0) {
      refused.push(outcome(row, reasons[0]!.status, reasons.map((r) => r.message)));
      await flushRefused(false);
      continue;
    }
    const entry = { line: row.line, ...(row.lines ? { lines: row.lines } : {}), iupd: row.iupd, ...(row.content ? { content: row.content } : {}), ...(row.echo ? { echo: row.echo } : {}) };
    const size = JSON.stringify(entry).length;
    if (size > CHUNK_BYTES) {
      refused.push(outcome(row, 413, [`the position takes ${size} bytes: a bulk upload carries positions up to ${CHUNK_BYTES} bytes; create it through the REST API`]));
      await flushRefused(false);
      continue;
    }
    if (rows.length >= CHUNK_ROWS || bytes + size > CHUNK_BYTES) await flushChunk(false);
    rows.push(entry);
    bytes += size;
  }
  await flushChunk(true);
  await flushRefused(true);
  const split = await deps.uploads.endSplit(upload, chunk);
  await completeIfDone(deps, split);
}

/** A presigned upload's key: `uploads/<ofc>/<fileId>` (inline uploads add `/file.zip|csv`). */
const PRESIGNED_KEY = /^uploads\/(\d{11})\/([0-9a-f-]{36})$/;
const HEAD_BYTES = 64 * 1024;

/**
 * An object was stored in the uploads bucket (S3 ObjectCreated): when a presigned upload
 * announced that key and awaits its file, the file gets the checks an inline upload gets at once
 * (refusing it: REFUSED, the reason in the status and report), then the same split. Any other
 * object (never announced, an inline upload's own file, a redelivered event) is ignored.
 */
export async function acceptArrivedFile(deps: ProcessingDeps, arrival: { objectKey: string; size: number; etag?: string }): Promise<void> {
  const key = PRESIGNED_KEY.exec(arrival.objectKey);
  if (!key) {
    if (!arrival.objectKey.startsWith('uploads/') || !/\/file\.(zip|csv)$/.test(arrival.objectKey)) deps.onIgnored?.(arrival.objectKey, 'not the key of a presigned upload');
    return;
  }
  const upload = await deps.uploads.get(key[1]!, key[2]!);
  if (!upload || upload.objectKey !== arrival.objectKey) {
    deps.onIgnored?.(arrival.objectKey, 'no upload announced this key');
    return;
  }
  if ((upload.state === 'RECEIVED' || upload.state === 'SPLITTING') && arrival.etag === upload.objectEtag) {
    // the same event again after its file was accepted (a retry after a crash): the split starts over, safely
    await splitUpload(deps, upload);
    return;
  }
  if (upload.state !== 'AWAITING_FILE') {
    deps.onIgnored?.(arrival.objectKey, `the upload is ${upload.state}: its file arrived already`);
    return;
  }
  const refuse = async (error: FileRefused) => {
    const at = deps.clock().toISOString();
    const refused: Upload = { ...upload, state: 'REFUSED', refusal: { status: error.status, reason: error.message }, endTime: at };
    if (await deps.uploads.refuse(upload, error.status, error.message, at, uploadCompletedEvent(refused, deps.newId()))) deps.onFinished?.(refused);
  };
  if (upload.announcedBytes !== undefined && arrival.size !== upload.announcedBytes) {
    await refuse(new FileRefused(413, `the stored file has ${arrival.size} bytes, ${upload.announcedBytes} were announced`));
    return;
  }
  let file: { format: Upload['format']; zipped: boolean; etag?: string };
  try {
    const inspected = deps.inspector.inspectHead(await deps.files.head(upload.objectKey, HEAD_BYTES), arrival.size, upload.fileName, upload.operation);
    if (inspected.csvHeader !== undefined) deps.csvHeader(headerColumns(inspected.csvHeader));
    file = { format: inspected.format, zipped: inspected.zipped, ...(arrival.etag ? { etag: arrival.etag } : {}) };
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error;
    await refuse(error);
    return;
  }
  if (!(await deps.uploads.arrived(upload, file))) return;
  await splitUpload(deps, upload);
}

async function* decodedRows(deps: ProcessingDeps, upload: Upload, organization: Organization, now: Date): AsyncGenerator<DecodedRow> {
  const decoder = deps.decoder(upload.format, upload.operation, organization, now);
  for await (const raw of deps.files.rows(upload)) yield* decoder.push(raw);
  yield* decoder.end();
}

/** Why a decoded row is refused (none: it goes to a chunk), each with its GPD status code. */
function rowReasons(row: DecodedRow, upload: Upload, organization: Organization, now: Date, twice: ReadonlyMap<string, number[]>): Array<{ status: number; message: string }> {
  const reasons: Array<{ status: number; message: string }> = [];
  const lines = twice.get(row.iupd);
  if (lines) reasons.push({ status: 409, message: `iupd ${row.iupd} appears ${lines.length} times in the file (lines ${lines.join(', ')})` });
  const errors = [...row.errors];
  if (row.content && errors.length === 0 && upload.operation !== 'DELETE') {
    // the same rules as the REST create and replace (createDebtPosition, updateDebtPosition)
    errors.push(...checkPositionContent(row.content, { organization, now, requireFutureDueDates: true }), ...checkPositionSize(row.content));
  }
  reasons.push(...errors.map((e) => ({ status: 400, message: e.field ? `${e.field}: ${e.message}` : e.message })));
  return reasons;
}

function outcome(row: Pick<DecodedRow, 'line' | 'lines' | 'iupd' | 'echo'>, status: number, reasons?: readonly string[], navs?: readonly string[]): RowOutcome {
  return {
    line: row.line,
    iupd: row.iupd,
    status,
    ...(reasons?.length ? { reasons } : {}),
    ...(navs?.length ? { navs } : {}),
    ...(row.echo ? { echo: row.echo } : {}),
    ...(row.lines && row.lines.length > 1 ? { lines: row.lines } : {}),
  };
}

/** Applies one chunk (a redelivered or duplicated message changes nothing twice). */
export async function processChunk(deps: ProcessingDeps, chunk: UploadChunk): Promise<void> {
  const upload = await deps.uploads.get(chunk.organizationFiscalCode, chunk.fileId);
  if (!upload) return;
  if (await deps.uploads.chunkRecorded(chunk.organizationFiscalCode, chunk.fileId, chunk.chunk)) {
    // a redelivery: the upload may have completed in a delivery that died before its notice batch
    if (upload.state === 'COMPLETED') await ensureNoticeBatch(deps, upload);
    else await completeIfDone(deps, upload);
    return;
  }
  let outcomes: RowOutcome[];
  if (upload.state === 'CANCELLED') {
    outcomes = chunk.rows.map((r) => outcome(r, 422, ['not processed: the upload was cancelled']));
  } else {
    const organization = await deps.organizations.get(upload.organizationFiscalCode);
    if (!organization) throw new Error(`organization ${upload.organizationFiscalCode} not found`);
    outcomes =
      upload.operation === 'CREATE'
        ? await createRows(deps, upload, organization, chunk)
        : await changeRows(deps, upload, organization, chunk);
  }
  if (await deps.uploads.recordChunk(upload, chunk.chunk, outcomes)) {
    const created = outcomes.filter((o) => o.status === 201).length;
    if (created > 0) deps.onCreated?.(created);
  }
  const now = await deps.uploads.get(chunk.organizationFiscalCode, chunk.fileId);
  if (now) await completeIfDone(deps, now);
}

async function completeIfDone(deps: ProcessingDeps, upload: Upload): Promise<void> {
  if (!upload.splitDone || upload.chunksDone < upload.chunks) return;
  if (upload.state !== 'SPLITTING' && upload.state !== 'PROCESSING') return;
  const at = deps.clock().toISOString();
  // the one worker whose conditional transaction ends the upload writes its upload.completed event
  // (and names its notice batch: the upload's own id, so that a retry finds the same batch)
  const noticeBatchId = deps.noticeBatches && upload.operation === 'CREATE' && upload.toPublish !== false && upload.acceptedItem > 0 ? upload.fileId : undefined;
  const ending: Upload = { ...upload, state: 'COMPLETED', endTime: at, ...(noticeBatchId ? { noticeBatchId } : {}) };
  const ended = await deps.uploads.complete(upload, at, uploadCompletedEvent(ending, deps.newId()), noticeBatchId);
  if (!ended) return;
  deps.onFinished?.(ended);
  await ensureNoticeBatch(deps, ended);
}

/**
 * The notice batch of a completed upload: its created positions' notices rendered into the
 * notices bucket by the notice batch feature. Created once: a retry finds it by its id.
 */
async function ensureNoticeBatch(deps: ProcessingDeps, upload: Upload): Promise<void> {
  const batches = deps.noticeBatches;
  const batchId = upload.noticeBatchId;
  if (!batches || !batchId || (await batches.batches.get(upload.organizationFiscalCode, batchId))) return;
  const iupds: string[] = [];
  for await (const o of deps.uploads.outcomes(upload.organizationFiscalCode, upload.fileId)) if (o.status === 201) iupds.push(o.iupd);
  if (iupds.length === 0) return;
  await createNoticeBatch({ ...batches, newId: () => batchId }, { organizationFiscalCode: upload.organizationFiscalCode, actor: uploadActor(upload), select: { iupds } });
}

/** Options without a notice number of their own take one from the chunk's allocation, in row order. */
const needsNumber = (o: PaymentOptionContent): boolean => o.iuv === undefined && o.nav === undefined;

async function createRows(deps: ProcessingDeps, upload: Upload, organization: Organization, chunk: UploadChunk): Promise<RowOutcome[]> {
  const ofc = organization.fiscalCode;
  const now = deps.clock();
  const iso = now.toISOString();
  const missing = chunk.rows.reduce((n, r) => n + (r.content?.paymentOptions.filter(needsNumber).length ?? 0), 0);
  const bases = await deps.uploads.chunkIuvBases(ofc, upload.fileId, chunk.chunk, missing);
  const existing = await deps.uploads.existing(ofc, chunk.rows.map((r) => r.iupd));
  const outcomes = new Map<string, RowOutcome>();
  const toCreate: PositionToCreate[] = [];
  const actor = uploadActor(upload);
  let next = 0;
  for (const row of chunk.rows) {
    const options = row.content?.paymentOptions ?? [];
    const identifiers = options.map((o) => {
      if (o.nav !== undefined) return { iuv: o.nav.slice(1), nav: o.nav };
      if (o.iuv !== undefined) return { iuv: o.iuv, nav: `3${o.iuv}` };
      const base = bases[next++];
      if (base === undefined) throw new Error('IUV allocation returned too few bases');
      return makeNoticeNumber(organization.segregationCode, base);
    });
    const found = existing.get(row.iupd);
    if (found) {
      outcomes.set(
        row.iupd,
        found.fileId === upload.fileId
          ? outcome(row, 201, undefined, found.position.paymentOptions.map((o) => o.nav))
          : outcome(row, 409, [`a debt position with iupd ${row.iupd} exists already`]),
      );
      continue;
    }
    if (!row.content) throw new Error('a create row without content');
    const draft: DebtPosition = {
      organizationFiscalCode: ofc,
      iupd: row.iupd,
      ...positionFields(row.content, organization, identifiers),
      status: 'DRAFT',
      insertedDate: iso,
      lastUpdatedDate: iso,
      version: 1,
    };
    // GPD's upload publishes what it creates (PUBLISHED until the validity date, then VALID)
    const publishing = upload.toPublish !== false;
    const position = publishing ? orConflict(publish(draft, now)) : draft;
    // the events name the upload: io-sender leaves the new-notice messages of an upload's positions
    // to the upload's paced release (follow-up.ts), and webhook subscribers can tell where they came from
    const events = [ofUpload(positionEvent(deps.newId(), 'debt-position.created', position, undefined, now), upload)];
    if (publishing) events.push(ofUpload(positionEvent(deps.newId(), 'debt-position.published', position, 'DRAFT', now), upload));
    toCreate.push({ position, audit: auditLine(now, 'create', actor, position), events });
  }
  const conflicts = await deps.uploads.createMany(upload.fileId, chunk.chunk, toCreate);
  const earlier = [...existing.values()].filter((f) => f.fileId === upload.fileId).map((f) => f.position);
  if (earlier.length > 0) await deps.uploads.completeCreated(upload.fileId, chunk.chunk, earlier);
  for (const { position } of toCreate) {
    const row = chunk.rows.find((r) => r.iupd === position.iupd)!;
    const conflict = conflicts.get(position.iupd);
    outcomes.set(
      position.iupd,
      conflict === undefined
        ? outcome(row, 201, undefined, position.paymentOptions.map((o) => o.nav))
        : conflict.conflict === 'iupd'
          ? outcome(row, 409, [`a debt position with iupd ${position.iupd} exists already`])
          : outcome(row, 409, [`the IUV ${conflict.iuv} is already used by another payment option`]),
    );
  }
  return chunk.rows.map((r) => outcomes.get(r.iupd)!);
}

/**
 * A position event written by an upload whose IO messages the follow-up releases: it carries the
 * upload's id (events/upload.ts `UploadMark`). An upload received before the follow-up existed
 * (no ioPaced) writes its events as before, so that io-sender still sends their messages.
 */
function ofUpload(event: DomainEvent, upload: Pick<Upload, 'fileId' | 'ioPaced'>): DomainEvent {
  if (upload.ioPaced !== true) return event;
  const marked: DomainEvent & UploadMark = { ...event, uploadId: upload.fileId };
  return marked;
}

/** The actor of an upload's writes: its requestId names the file (the audit line tells which upload wrote it). */
export function uploadActor(upload: Upload) {
  return { ...upload.actor, requestId: `upload:${upload.fileId}` };
}

/**
 * Updates and deletes, one position at a time through the REST use cases (their transactions,
 * rules and events). Idempotent per (file, iupd): a position whose audit trail already has this
 * file's update or delete is reported done, not changed again.
 */
async function changeRows(deps: ProcessingDeps, upload: Upload, organization: Organization, chunk: UploadChunk): Promise<RowOutcome[]> {
  const actor = uploadActor(upload);
  const byThisFile = async (iupd: string, action: 'update' | 'delete') =>
    (await deps.positions.auditTrail(organization.fiscalCode, iupd)).some((a) => a.action === action && a.actor.requestId === actor.requestId);
  const out: RowOutcome[] = [];
  for (const row of chunk.rows) {
    const action = upload.operation === 'UPDATE' ? 'update' : 'delete';
    try {
      if (await byThisFile(row.iupd, action)) {
        const done = action === 'update' ? await deps.positions.get(organization.fiscalCode, row.iupd) : undefined;
        out.push(outcome(row, 200, undefined, done?.paymentOptions.map((o) => o.nav)));
        continue;
      }
      if (action === 'update') {
        if (!row.content) throw new Error('an update row without content');
        const next = await updateDebtPosition(deps, { organization, actor, iupd: row.iupd, content: row.content, toPublish: true });
        out.push(outcome(row, 200, undefined, next.paymentOptions.map((o) => o.nav)));
      } else {
        await deleteDebtPosition(deps, { organizationFiscalCode: organization.fiscalCode, actor, iupd: row.iupd });
        out.push(outcome(row, 200));
      }
    } catch (error) {
      if (!(error instanceof UseCaseError)) throw error;
      const status = error.kind === 'not-found' ? 404 : error.kind === 'invalid' ? 400 : 409;
      out.push(outcome(row, status, error.fields.length > 0 ? error.fields.map((f) => `${f.field}: ${f.message}`) : [error.message]));
    }
  }
  return out;
}
