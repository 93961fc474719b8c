/**
 * A chunk of an upload applied against DynamoDB Local through the worker's own composition root:
 * a worker killed after its writes and before its outcome was recorded, and a redelivered
 * message, neither create a duplicate nor count a row twice nor skip one.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadCompletedEvent } from '../../events/upload';
import { uploadCompletedEventSchema } from '../../events/upload';
import { eventPk, positionPk, SK } from '../../shared/adapters/dynamo/keys';
import { DynamoUploadStore } from '../../shared/adapters/dynamo/upload-store';
import { uploadApiRoot, uploadWorkerRoot } from '../../shared/composition/bulk-upload';
import { platform } from '../../shared/composition/platform';
import { uploadRowDecoder } from '../../shared/http/gpd-upload-rows';
import type { UploadChunk, UploadStore } from '../../shared/use-cases/bulk-upload/ports';
import { processChunk } from '../../shared/use-cases/bulk-upload/processing';
import { cancelUpload, newUpload } from '../../shared/use-cases/bulk-upload/uploads';
import { positionRequest } from '../fixtures/positions';
import { ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});

/**
 * An upload of `count` positions (due on `dueDate` when given), split into one chunk, ready for
 * processChunk; `submitted` rows announced by the split (default `count`).
 */
async function chunkOf(count: number, options: { dueDate?: string; submitted?: number } = {}) {
  const { dueDate } = options;
  const worker = uploadWorkerRoot('upload-chunk-worker');
  const organization = (await worker.organizations.get(ESEMPIO_FC))!;
  const fileId = crypto.randomUUID();
  const upload = newUpload({
    organization,
    actor: { organizationFiscalCode: ESEMPIO_FC, keyId: 'test', requestId: 'test' },
    brokerCode: organization.brokerId,
    operation: 'CREATE',
    format: 'json',
    fileName: 'x.zip',
    fileId,
    objectKey: `uploads/${ESEMPIO_FC}/${fileId}/file.zip`,
    startTime: new Date().toISOString(),
  });
  await worker.uploads.create(upload);
  const decoder = uploadRowDecoder('json', 'CREATE', organization, new Date());
  const template = positionRequest() as { paymentOption: Array<Record<string, unknown>> };
  const rows = Array.from({ length: count }, (_, i) =>
    decoder.push({ line: i + 2, value: dueDate ? positionRequest({ paymentOption: [{ ...template.paymentOption[0], dueDate }] }) : positionRequest() })[0]!,
  );
  expect(rows.every((r) => r.errors.length === 0)).toBe(true);
  expect(await worker.uploads.startSplit(upload, options.submitted ?? rows.length)).toBe(true);
  const chunk: UploadChunk = { organizationFiscalCode: ESEMPIO_FC, fileId, chunk: 0, rows: rows.map((r) => ({ line: r.line, iupd: r.iupd, content: r.content! })) };
  return { worker, upload, fileId, chunk, rows, iupds: rows.map((r) => r.iupd) };
}

describe('upload chunks: idempotent per (file, iupd)', () => {
  it('a worker killed mid-chunk, then the message redelivered twice: each position once, each row counted once', async () => {
    const { worker, upload, fileId, chunk, rows } = await chunkOf(25);

    // the first delivery writes its positions, then dies before recording its outcome
    const dying: UploadStore = Object.create(worker.uploads, {
      recordChunk: { value: () => Promise.reject(new Error('killed')) },
      createMany: {
        value: async (id: string, chunkNumber: number, positions: Parameters<UploadStore['createMany']>[2]) => worker.uploads.createMany(id, chunkNumber, positions.slice(0, 15)),
      },
    });
    await expect(processChunk({ ...worker, uploads: dying }, chunk)).rejects.toThrow('killed');
    const written = await Promise.all(rows.map((r) => stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${r.iupd}`)));
    expect(written.filter((w) => w.status === 200)).toHaveLength(15);
    const navsBefore = new Map(written.filter((w) => w.status === 200).map((w) => [w.json.iupd, w.json.paymentOption[0].nav]));

    // redelivered: the 15 are found as this file's, the 10 others written, the same notice numbers kept
    await processChunk(worker, chunk);
    await processChunk(worker, chunk);
    const after = await worker.uploads.get(ESEMPIO_FC, fileId);
    expect(after).toMatchObject({ processedItem: 25, acceptedItem: 25, chunksDone: 1 });
    const outcomes = [];
    for await (const o of worker.uploads.outcomes(ESEMPIO_FC, fileId)) outcomes.push(o);
    expect(outcomes.map((o) => o.status)).toEqual(Array(25).fill(201));
    for (const o of outcomes) if (navsBefore.has(o.iupd)) expect(o.navs).toEqual([navsBefore.get(o.iupd)]);
    const navs = outcomes.map((o) => o.navs![0]);
    expect(new Set(navs).size).toBe(25);
    // the counters of the lists count each position once
    const list = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions?limit=50&page=0`);
    expect(list.status).toBe(200);
    const audit = await Promise.all(rows.slice(0, 3).map((r) => worker.positions.auditTrail(ESEMPIO_FC, r.iupd)));
    expect(audit.map((a) => a.length)).toEqual([1, 1, 1]);
    expect(audit[0]![0]!.actor.requestId).toBe(`upload:${fileId}`);

    // the split ends: the upload completes, once
    const split = await worker.uploads.endSplit(upload, 1);
    await processChunk(worker, chunk);
    expect((await worker.uploads.get(ESEMPIO_FC, fileId))).toMatchObject({ state: 'COMPLETED', processedItem: 25, chunks: 1 });
    expect(split.splitDone).toBe(true);
  });
});

describe('the listing entries written after their transactions', () => {
  /** The sort keys of a position's listing entries in the table. */
  async function entriesOf(iupd: string): Promise<string[]> {
    const r = await platform().db.send(
      new QueryCommand({ TableName: platform().tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :l)', ExpressionAttributeValues: { ':pk': positionPk(ESEMPIO_FC, iupd), ':l': 'LIST#' }, ConsistentRead: true }),
    );
    return (r.Items ?? []).map((i) => String(i['sk'])).sort();
  }
  const completeListings = (DynamoUploadStore.prototype as unknown as { completeListings: (this: UploadStore, positions: unknown) => Promise<void> }).completeListings;
  const listedDue = async (day: string) =>
    ((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions?limit=50&page=0&due_date_from=${day}&due_date_to=${day}`)).json.payment_position_list as Array<{ iupd: string; companyName: string }>);

  it('a worker killed after its transactions, before their audit lines and the rest of the listing: the redelivery writes them, once', async () => {
    const { worker, chunk, iupds, fileId } = await chunkOf(12, { dueDate: '2097-02-03' });
    const dying: UploadStore = Object.create(worker.uploads, { completeListings: { value: () => Promise.reject(new Error('killed')) } });
    await expect(processChunk({ ...worker, uploads: dying }, chunk)).rejects.toThrow('killed');
    // the positions and their LIST#INS are there (the counters count them); their other entries and audit lines are not
    expect(await entriesOf(iupds[0]!)).toEqual(['LIST#INS']);
    expect(await listedDue('2097-02-03')).toEqual([]);
    for (const iupd of iupds) expect(await worker.positions.auditTrail(ESEMPIO_FC, iupd)).toEqual([]);

    await processChunk(worker, chunk);
    await processChunk(worker, chunk);
    for (const iupd of iupds) expect(await entriesOf(iupd)).toEqual(['LIST#COMPANY', 'LIST#DAY#2097-02-03', 'LIST#DUE', 'LIST#IBAN#IT78L0306909606100000117002', 'LIST#INS', 'LIST#IUPD']);
    for (const iupd of iupds) {
      const trail = await worker.positions.auditTrail(ESEMPIO_FC, iupd);
      expect(trail).toHaveLength(1);
      expect(trail[0]).toMatchObject({ action: 'create', version: 1, toStatus: 'VALID', actor: { requestId: `upload:${fileId}` } });
    }
    expect((await listedDue('2097-02-03')).map((p) => p.iupd).sort()).toEqual([...iupds].sort());
    const outcomes = [];
    for await (const o of worker.uploads.outcomes(ESEMPIO_FC, chunk.fileId)) outcomes.push(o.status);
    expect(outcomes).toEqual(Array(12).fill(201));
  });

  it('a position changed between its transaction and the rest of its listing: its entries follow what it is now', async () => {
    const { worker, chunk, iupds } = await chunkOf(6, { dueDate: '2097-03-04' });
    const changed = iupds[2]!;
    const racing: UploadStore = Object.create(worker.uploads, {
      completeListings: {
        async value(this: UploadStore, positions: unknown) {
          // an update lands after the transactions and before the batches
          const body = positionRequest({ iupd: changed, companyName: 'Altro Ente', paymentOption: [{ ...(positionRequest() as { paymentOption: object[] }).paymentOption[0], dueDate: '2097-03-09' }] });
          const put = await stack.api('PUT', `/organizations/${ESEMPIO_FC}/debtpositions/${changed}`, { body });
          expect(put.status).toBe(200);
          return completeListings.call(this, positions);
        },
      },
    });
    await processChunk({ ...worker, uploads: racing }, chunk);
    // the stale DAY entry of the old due date is gone, the new one is there, once
    expect(await entriesOf(changed)).toEqual(['LIST#COMPANY', 'LIST#DAY#2097-03-09', 'LIST#DUE', 'LIST#IBAN#IT78L0306909606100000117002', 'LIST#INS', 'LIST#IUPD']);
    expect((await listedDue('2097-03-04')).map((p) => p.iupd).sort()).toEqual(iupds.filter((i) => i !== changed).sort());
    expect((await listedDue('2097-03-09')).map((p) => [p.iupd, p.companyName])).toEqual([[changed, 'Altro Ente']]);
    const company = await platform().db.send(new GetCommand({ TableName: platform().tableName, Key: { pk: positionPk(ESEMPIO_FC, changed), sk: 'LIST#COMPANY' }, ConsistentRead: true }));
    expect(company.Item).toMatchObject({ co: 'Altro Ente', st: 'DRAFT' });
  });
});

describe('upload.completed: exactly one event per upload, in the transaction that ends it', () => {
  const outboxed = async (eventId: string) => {
    const p = platform();
    return (await p.db.send(new GetCommand({ TableName: p.tableName, Key: { pk: eventPk(eventId), sk: SK.event }, ConsistentRead: true }))).Item;
  };

  /** A split upload of one chunk of `n` valid rows; the store records every event it was asked to write. */
  async function oneChunkUpload(n: number) {
    const { worker, upload, fileId, chunk } = await chunkOf(n, { submitted: n + 1 });
    // one row refused by the splitter (a negative chunk), as pass 2 records them
    expect(await worker.uploads.recordChunk(upload, -1, [{ line: n + 2, iupd: 'REFUSED-ROW', status: 400, reasons: ['x'] }])).toBe(true);
    const asked: UploadCompletedEvent[] = [];
    const won: string[] = [];
    const uploads: UploadStore = Object.create(worker.uploads, {
      complete: {
        value: async (u: Parameters<UploadStore['complete']>[0], at: string, event?: UploadCompletedEvent, noticeBatchId?: string) => {
          if (event) asked.push(event);
          const ended = await worker.uploads.complete(u, at, event, noticeBatchId);
          if (ended && event) won.push(event.eventId);
          return ended;
        },
      },
    });
    return { worker: { ...worker, uploads }, upload, fileId, chunk, asked, won };
  }

  it('the last chunk delivered three times at once, and two workers finishing together: one COMPLETED, one event', async () => {
    const { worker, upload, fileId, chunk, asked, won } = await oneChunkUpload(4);
    await worker.uploads.endSplit(upload, 1);
    // three deliveries of the last chunk at once, then a fourth after the end
    await Promise.all([processChunk(worker, chunk), processChunk(worker, chunk), processChunk(worker, chunk)]);
    await processChunk(worker, chunk);
    // and a direct race of two completions on the ended-ready upload
    const ended = (await worker.uploads.get(ESEMPIO_FC, fileId))!;
    expect(ended.state).toBe('COMPLETED');
    expect(asked.length).toBeGreaterThanOrEqual(1);
    expect(won).toHaveLength(1);
    const present = await Promise.all(asked.map((e) => outboxed(e.eventId)));
    expect(present.filter(Boolean)).toHaveLength(1);
    const event = uploadCompletedEventSchema.parse(present.find(Boolean)!['event']);
    expect(event).toMatchObject({
      eventType: 'upload.completed',
      organizationFiscalCode: ESEMPIO_FC,
      uploadId: fileId,
      fileId,
      operation: 'CREATE',
      state: 'COMPLETED',
      operationStatus: 'COMPLETED_WITH_WARNINGS',
      submitted: 5,
      accepted: 4,
      refused: 1,
      startedAt: upload.startTime,
      endedAt: ended.endTime,
    });
  });

  it('two completions racing on the same upload: exactly one transaction wins and writes its event', async () => {
    const { worker, upload, fileId, chunk, asked, won } = await oneChunkUpload(2);
    // the chunk recorded, the split not ended yet: nothing completes
    await processChunk(worker, chunk);
    expect(asked).toHaveLength(0);
    const split = await worker.uploads.endSplit(upload, 1);
    const at = new Date().toISOString();
    const racers = Array.from({ length: 4 }, () => ({ eventId: crypto.randomUUID() }));
    const results = await Promise.all(
      racers.map((r) => worker.uploads.complete(split, at, { eventId: r.eventId, eventType: 'upload.completed', occurredAt: at, organizationFiscalCode: ESEMPIO_FC, uploadId: fileId, fileId, brokerCode: split.brokerCode, operation: 'CREATE', state: 'COMPLETED', operationStatus: 'COMPLETED_WITH_WARNINGS', submitted: 3, accepted: 2, refused: 1, startedAt: split.startTime, endedAt: at })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(won).toHaveLength(1);
    const present = await Promise.all(racers.map((r) => outboxed(r.eventId)));
    expect(present.filter(Boolean)).toHaveLength(1);
    expect(present.findIndex(Boolean)).toBe(racers.findIndex((r) => r.eventId === won[0]));
  });

  it('a delivery that dies after completing, before its notice batch: the redelivery creates the batch, once, and no second event', async () => {
    const { worker, upload, fileId, chunk, asked, won } = await oneChunkUpload(3);
    await worker.uploads.endSplit(upload, 1);
    const batches = worker.noticeBatches!;
    let creates = 0;
    const dying = { ...worker, noticeBatches: { ...batches, batches: { ...batches.batches, get: batches.batches.get.bind(batches.batches), recordChunk: batches.batches.recordChunk.bind(batches.batches), create: () => Promise.reject(new Error('killed')) } } };
    await expect(processChunk(dying, chunk)).rejects.toThrow('killed');
    expect((await worker.uploads.get(ESEMPIO_FC, fileId))).toMatchObject({ state: 'COMPLETED', noticeBatchId: fileId });
    expect(await batches.batches.get(ESEMPIO_FC, fileId)).toBeUndefined();
    const counting = { ...worker, noticeBatches: { ...batches, batches: { get: batches.batches.get.bind(batches.batches), recordChunk: batches.batches.recordChunk.bind(batches.batches), create: (b: Parameters<typeof batches.batches.create>[0]) => { creates++; return batches.batches.create(b); } } } };
    await processChunk(counting, chunk);
    await processChunk(counting, chunk);
    expect(creates).toBe(1);
    const batch = await batches.batches.get(ESEMPIO_FC, fileId);
    expect(batch?.batch).toMatchObject({ batchId: fileId, total: 3 });
    expect(won).toHaveLength(1);
    expect((await Promise.all(asked.map((e) => outboxed(e.eventId)))).filter(Boolean)).toHaveLength(1);
  });

  it('a cancellation writes the event once; a second one is a conflict and writes nothing', async () => {
    const api = uploadApiRoot();
    const { worker, upload, fileId } = await oneChunkUpload(1);
    const organization = (await worker.organizations.get(ESEMPIO_FC))!;
    const ids: string[] = [];
    const deps = { ...api, newId: () => { const id = crypto.randomUUID(); ids.push(id); return id; } };
    const cancelled = await cancelUpload(deps, organization, upload.brokerCode, fileId);
    expect(cancelled.state).toBe('CANCELLED');
    await expect(cancelUpload(deps, organization, upload.brokerCode, fileId)).rejects.toThrow(/ended already/);
    const present = await Promise.all(ids.map(outboxed));
    expect(present.filter(Boolean)).toHaveLength(1);
    expect(uploadCompletedEventSchema.parse(present[0]!['event'])).toMatchObject({ state: 'CANCELLED', operationStatus: 'COMPLETED_UNSUCCESSFULLY', submitted: 2, accepted: 0, refused: 1 });
  });

  it("a presigned PUT signs the file's length and type and no checksum (the SDK's default would sign the empty body's CRC32, which no file matches)", async () => {
    const url = new URL(await uploadApiRoot().objects.presignPut('uploads/checksum-test/file.csv', { contentLength: 10, contentType: 'text/csv', expiresInSeconds: 60 }));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
  });
});
