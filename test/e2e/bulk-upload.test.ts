/**
 * Bulk uploads end to end (GPD's massive upload API): real HTTP multipart to the local stack, the
 * file stored in the S3 emulator, split and chunked over real SQS queues, positions written in
 * DynamoDB Local, then read back through the REST API. Small files: the large ones are the
 * benchmark's (npm run bench:upload).
 */
import { readFileSync } from 'node:fs';
import { strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackOfficeReceiver, type BackOfficeReceiver } from '../../infra/local/simulators/back-office';
import { parseNoticeNumber } from '../../shared/domain/notice-number';
import { ALTROVE_FC, ALTROVE_KEY, ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';
import { finished as finishedAt, gpdFile, zipOf } from '../support/uploads';
import { positionRequest } from '../fixtures/positions';

const BROKER = ESEMPIO_FC;
const FILES = `/brokers/${BROKER}/organizations/${ESEMPIO_FC}/debtpositions`;
const V2 = '/upload/gpd/debt-positions-service/v2';
const V1 = '/upload/gpd/debt-positions-service/v1';
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});


async function send(bytes: Uint8Array, fileName: string, options: { method?: string; path?: string; key?: string; part?: string } = {}) {
  const form = new FormData();
  form.append(options.part ?? 'file', new Blob([bytes]), fileName);
  const response = await fetch(`${stack.url}${options.path ?? `${FILES}/file`}`, {
    method: options.method ?? 'POST',
    headers: { 'Ocp-Apim-Subscription-Key': options.key ?? 'demo-esempio-key-0123456789abcdef' },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as any) : undefined };
}

const fileIdOf = (location: string | null): string => /file\/([0-9a-f-]{36})\/status$/.exec(location ?? '')![1]!;

const finished = (fileId: string, base = ''): Promise<any> => finishedAt(stack, `${base}${FILES}`, fileId);

/** GPD's file: one position per line, so that rows and lines match for the reader of the test. */

describe('GPD massive upload: ZIP of one JSON', { timeout: 90_000 }, () => {
  const run = Math.random().toString(36).slice(2, 8).toUpperCase();
  const good = Array.from({ length: 130 }, (_, i) => positionRequest({ iupd: `UP-${run}-${String(i).padStart(4, '0')}` }));
  const invalid = positionRequest({ iupd: `UP-${run}-BAD`, fiscalCode: 'RCCMNL83S18D969A', country: 'italy' });
  const twice = positionRequest({ iupd: `UP-${run}-TWICE` });
  const rows = [...good.slice(0, 100), invalid, twice, ...good.slice(100), twice];
  let fileId = '';

  it('answers 202 with GPD Location and Retry-After, processes every row and reports each refused one by line', async () => {
    // one position per line, cut into chunks of 100 rows: the rows cross a chunk boundary
    const answer = await send(zipOf({ 'positions.json': gpdFile(rows) }), 'positions.zip');
    expect(answer.status).toBe(202);
    expect(answer.headers.get('retry-after')).toBe('2000 ms');
    expect(answer.headers.get('location')).toMatch(new RegExp(`^brokers/${BROKER}/organizations/${ESEMPIO_FC}/debtpositions/file/[0-9a-f-]{36}/status$`));
    fileId = fileIdOf(answer.headers.get('location'));

    const status = await finished(fileId);
    expect(status).toMatchObject({ fileId, submittedItem: rows.length, processedItem: rows.length, acceptedItem: 130, operationStatus: 'COMPLETED_WITH_WARNINGS', state: 'COMPLETED' });

    const report = await stack.api('GET', `${FILES}/file/${fileId}/report`);
    expect(report.status).toBe(200);
    expect(report.json.processedItem).toBe(rows.length);
    const created = report.json.responses.find((r: any) => r.statusCode === 201);
    expect(created.iupds).toHaveLength(130);
    // line 1 is `{"paymentPositions": [`: row i is on line i + 2
    expect(report.json.rows).toEqual([
      { line: 102, iupd: invalid['iupd'], statusCode: 400, reasons: [expect.stringMatching(/^country: /), expect.stringMatching(/^fiscalCode: /)].sort() },
      { line: 103, iupd: twice['iupd'], statusCode: 409, reasons: [`iupd ${twice['iupd']} appears 2 times in the file (lines 103, 134)`] },
      { line: 134, iupd: twice['iupd'], statusCode: 409, reasons: [`iupd ${twice['iupd']} appears 2 times in the file (lines 103, 134)`] },
    ].map((r) => (r.statusCode === 400 ? { ...r, reasons: expect.arrayContaining(r.reasons) } : r)));
    expect(report.json.rows[0].reasons).toHaveLength(2);

    // the positions are the REST API's: published, numbered, readable
    const first = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${good[0]!['iupd']}`);
    expect(first.status).toBe(200);
    expect(first.json.status).toBe('VALID');
    const nav = first.json.paymentOption[0].nav;
    expect(parseNoticeNumber(nav).ok).toBe(true);
    expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/paymentoptions/${nav}`)).json.debtPosition.iupd).toBe(good[0]!['iupd']);
    for (const refused of [invalid, twice]) expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${refused['iupd']}`)).status).toBe(404);
    // every notice number distinct
    const list = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions?limit=50&page=0`);
    expect(list.status).toBe(200);
  }, 90_000);

  it('serves the same upload under GPD upload\u2019s base paths (v1 names the id uploadID) and lists it', async () => {
    const v2 = await stack.api('GET', `${V2}${FILES}/file/${fileId}/status`);
    expect(v2.status).toBe(200);
    expect(v2.json.fileId).toBe(fileId);
    const v1 = await stack.api('GET', `${V1}${FILES}/file/${fileId}/report`);
    expect(v1.status).toBe(200);
    expect(v1.json.uploadID).toBe(fileId);
    const files = await stack.api('GET', `${V2}${FILES}/files`);
    expect(files.status).toBe(200);
    expect(files.json.fileIds).toContain(fileId);
    expect(files.json.hasMore).toBe(false);
  });

  it('the same file uploaded twice creates nothing twice: every row is reported 409', async () => {
    const again = await send(zipOf({ 'positions.json': gpdFile(good.slice(0, 30)) }), 'again.zip', { path: `${V2}${FILES}/file` });
    expect(again.status).toBe(202);
    const status = await finished(fileIdOf(again.headers.get('location')), V2);
    expect(status).toMatchObject({ submittedItem: 30, processedItem: 30, acceptedItem: 0, operationStatus: 'COMPLETED_UNSUCCESSFULLY' });
    const report = await stack.api('GET', `${FILES}/file/${status.fileId}/report`);
    expect(report.json.rows).toHaveLength(30);
    expect(report.json.rows[0].reasons).toEqual([`a debt position with iupd ${good[0]!['iupd']} exists already`]);
  });

  it('updates and deletes through files (PUT and DELETE), each row once', async () => {
    const changed = good.slice(0, 3).map((p) => ({ ...p, fullName: 'Maria Rossi' }));
    const put = await send(zipOf({ 'update.json': gpdFile(changed) }), 'update.zip', { method: 'PUT' });
    expect(put.status).toBe(202);
    expect(await finished(fileIdOf(put.headers.get('location')))).toMatchObject({ acceptedItem: 3, operationStatus: 'COMPLETED' });
    expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${good[0]!['iupd']}`)).json.fullName).toBe('Maria Rossi');

    const del = await send(zipOf({ 'delete.json': gpdFile([good[1]!['iupd'], good[2]!['iupd'], `UP-${run}-NONE`], 'paymentPositionIUPDs') }), 'delete.zip', { method: 'DELETE' });
    expect(del.status).toBe(202);
    const status = await finished(fileIdOf(del.headers.get('location')));
    expect(status).toMatchObject({ submittedItem: 3, acceptedItem: 2, operationStatus: 'COMPLETED_WITH_WARNINGS' });
    const report = await stack.api('GET', `${FILES}/file/${status.fileId}/report`);
    expect(report.json.rows).toEqual([{ line: 4, iupd: `UP-${run}-NONE`, statusCode: 404, reasons: [`no debt position with iupd UP-${run}-NONE`] }]);
    expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${good[1]!['iupd']}`)).status).toBe(404);
  });
});

describe('bad input: a precise error, nothing written', { timeout: 90_000 }, () => {
  const one = () => gpdFile([positionRequest()]);

  it.each([
    ['a corrupt ZIP', 400, () => { const z = zipOf({ 'a.json': one() }); z.fill(7, 30, 60); return z; }, 'a.zip', /ZIP archive is corrupt/],
    ['a ZIP with two files', 400, () => zipOf({ 'a.json': one(), 'b.json': one() }), 'a.zip', /exactly one file; it holds 2/],
    ['a ZIP of a .txt', 400, () => zipOf({ 'a.txt': one() }), 'a.zip', /must be \.json or \.csv/],
    ['JSON that is not the model', 422, () => zipOf({ 'a.json': '{"positions": []}' }), 'a.zip', /unexpected field "positions"/],
    ['a CSV with a wrong header', 422, () => strToU8('idA2A,idPendenza,colore\nA,B,C\n'), 'a.csv', /unknown columns: colore; missing columns: idDominio/],
    ['an empty file', 400, () => new Uint8Array(0), 'a.zip', /empty/],
    ['a file over 4 MiB', 413, () => new Uint8Array(4 * 1024 * 1024 + 10).fill(65), 'a.zip', /exceeds 4194304 bytes/],
    // GPD takes 5 MB; a Lambda event cannot carry it base64-encoded (6 MB): the gateway refuses it before the function
    ['a file of 5 MB', 413, () => new Uint8Array(5 * 1024 * 1024).fill(65), 'a.zip', /larger than a function can be handed \(6291456 bytes/],
    ['not a ZIP', 400, () => strToU8('hello'), 'a.zip', /not a ZIP/],
  ] as const)('%s → %i', async (_what, status, bytes, name, detail) => {
    const answer = await send(bytes(), name);
    expect(answer.status).toBe(status);
    expect(answer.json.detail).toMatch(detail);
  });

  it('a missing file part is 400, another broker 403, another tenant\u2019s key 403', async () => {
    expect((await send(zipOf({ 'a.json': one() }), 'a.zip', { part: 'other' })).status).toBe(400);
    const broker = await send(zipOf({ 'a.json': one() }), 'a.zip', { path: `/brokers/99999999999/organizations/${ESEMPIO_FC}/debtpositions/file` });
    expect(broker.status).toBe(403);
    expect((await send(zipOf({ 'a.json': one() }), 'a.zip', { key: ALTROVE_KEY })).status).toBe(403);
  });

  it('a file broken after its head is refused whole at processing: REFUSED, the reason in the report, no row written', async () => {
    const p = positionRequest();
    const broken = `{"paymentPositions": [\n${JSON.stringify(p)},\n{"iupd": "X", oops}\n]}`;
    const answer = await send(zipOf({ 'a.json': broken }), 'a.zip');
    expect(answer.status).toBe(202);
    const status = await finished(fileIdOf(answer.headers.get('location')));
    expect(status).toMatchObject({ state: 'REFUSED', operationStatus: 'COMPLETED_UNSUCCESSFULLY', refusal: { status: 400, reason: expect.stringMatching(/^line 3: not valid JSON/) } });
    const report = await stack.api('GET', `${FILES}/file/${status.fileId}/report`);
    expect(report.json.responses).toEqual([{ statusCode: 400, statusMessage: expect.stringMatching(/^line 3/), iupds: [] }]);
    expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${p['iupd']}`)).status).toBe(404);
  });

  it('the report of an upload in progress is 425; it can be cancelled then, and nothing of it is written; an unknown upload is 404', async () => {
    expect((await stack.api('GET', `${FILES}/file/00000000-0000-4000-8000-000000000000/report`)).status).toBe(404);
    const p = positionRequest();
    await stack.cloud.stopWorkers();
    try {
      const answer = await send(zipOf({ 'a.json': gpdFile([p]) }), 'a.zip');
      expect(answer.status).toBe(202);
      const fileId = fileIdOf(answer.headers.get('location'));
      const early = await stack.api('GET', `${FILES}/file/${fileId}/report`);
      expect(early.status).toBe(425);
      expect(early.json.detail).toBe('the report has not been generated yet');
      const cancelled = await stack.api('DELETE', `${FILES}/file/${fileId}`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.json).toMatchObject({ state: 'CANCELLED', operationStatus: 'COMPLETED_UNSUCCESSFULLY' });
      expect((await stack.api('DELETE', `${FILES}/file/${fileId}`)).status).toBe(409);
    } finally {
      stack.cloud.startWorkers();
    }
    await stack.cloud.drain();
    expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${p['iupd']}`)).status).toBe(404);
  });
});

describe('GovPay CSV in, GovPay result CSV out', { timeout: 90_000 }, () => {
  it('loads the example file unchanged (installments grouped by document) and answers the result file', async () => {
    const example = readFileSync(new URL('../../events/examples/govpay-pendenze.csv', import.meta.url), 'utf8');
    const run = Math.random().toString(36).slice(2, 8).toUpperCase();
    const other = example.split('\r\n')[1]!.replace(/TARI-2099-0001/g, 'TARI-2099-0009').replace('80001234568', '80007654322');
    const text = `${example.replace(/TARI-2099/g, `TARI-${run}`)}${other.replace(/TARI-2099/g, `TARI-${run}`)}\r\n`;
    const answer = await send(zipOf({ 'pendenze.csv': text }), 'pendenze.zip');
    expect(answer.status).toBe(202);
    const status = await finished(fileIdOf(answer.headers.get('location')));
    // 5 rows: two positions, a document of two installments, a row of another organization
    expect(status).toMatchObject({ format: 'csv', submittedItem: 4, acceptedItem: 3, operationStatus: 'COMPLETED_WITH_WARNINGS' });

    const plan = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/TARI-${run}-0003`);
    expect(plan.status).toBe(200);
    expect(plan.json.paymentOption.map((o: any) => [o.amount, o.isPartialPayment])).toEqual([[6000, true], [6000, true]]);
    const two = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/TARI-${run}-0002`);
    expect(two.json.paymentOption[0].transfer.map((t: any) => t.amount)).toEqual([15000, 5000]);
    expect(two.json.paymentOption[0].transfer[0].category).toBe('9/0101108TS/');

    const report = await stack.api('GET', `${FILES}/file/${status.fileId}/report`);
    expect(report.json.rows).toEqual([{ line: 6, iupd: `TARI-${run}-0009`, statusCode: 400, reasons: [`idDominio: the row is for the organization 80007654322, not for ${ESEMPIO_FC}`] }]);

    const csv = await fetch(`${stack.url}${FILES}/file/${status.fileId}/report?format=csv`, { headers: { 'Ocp-Apim-Subscription-Key': 'demo-esempio-key-0123456789abcdef' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('idA2A,idPendenza,idDominio,tipoPendenza,numeroAvviso,pdfAvviso,tipoSoggettoPagatore,identificativoPagatore,anagraficaPagatore,indirizzoPagatore,civicoPagatore,capPagatore,localitaPagatore,provinciaPagatore,nazionePagatore,emailPagatore,cellularePagatore,errore');
    expect(lines).toHaveLength(6);
    const nav = plan.json.paymentOption[1].nav;
    expect(lines[4]).toBe(`TRIBUTI,TARI-${run}-0003-R2,${ESEMPIO_FC},TARI,${nav},${ESEMPIO_FC}_${nav}.pdf,F,RCCMNL83S18D969H,Mario Rossi,,,,,,,,,`);
    // GovPay's quoting: a cell with a comma is quoted
    expect(lines[5]).toBe(`,,,,,,,,,,,,,,,,,"idDominio: the row is for the organization 80007654322, not for ${ESEMPIO_FC}"`);
  });
});

describe('upload.completed reaches the back office once, through the outbox and the webhooks', { timeout: 120_000 }, () => {
  let receiver: BackOfficeReceiver;
  let webhookId = '';
  beforeAll(async () => {
    receiver = await startBackOfficeReceiver({ port: 0 });
    const created = await stack.api('POST', `/organizations/${ESEMPIO_FC}/webhooks`, { body: { url: receiver.url, eventTypes: ['upload.completed'], description: 'tributi' } });
    expect(created.status, created.text).toBe(201);
    receiver.setSecret(created.json.secret);
    webhookId = created.json.id;
  });
  afterAll(async () => {
    if (webhookId) await stack.api('DELETE', `/organizations/${ESEMPIO_FC}/webhooks/${webhookId}`);
    await receiver?.close();
  });
  const eventsOf = (fileId: string) => receiver.requests.filter((r) => r.eventType === 'upload.completed' && JSON.parse(r.body).fileId === fileId);

  it('an upload with a refused row: one signed event with the counts, the operation and the times', async () => {
    const rows = [positionRequest(), positionRequest({ fiscalCode: 'RCCMNL83S18D969A', country: 'italy' }), positionRequest()];
    const answer = await send(zipOf({ 'p.json': gpdFile(rows) }), 'p.zip');
    expect(answer.status).toBe(202);
    const status = await finished(fileIdOf(answer.headers.get('location')));
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const got = eventsOf(status.fileId);
    expect(got).toHaveLength(1);
    expect(got[0]!.signatureValid).toBe(true);
    const event = JSON.parse(got[0]!.body);
    expect(event).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      eventType: 'upload.completed',
      occurredAt: event.endedAt,
      organizationFiscalCode: ESEMPIO_FC,
      uploadId: status.fileId,
      fileId: status.fileId,
      brokerCode: BROKER,
      operation: 'CREATE',
      state: 'COMPLETED',
      operationStatus: 'COMPLETED_WITH_WARNINGS',
      submitted: 3,
      accepted: 2,
      refused: 1,
      startedAt: status.startTime,
      endedAt: status.endTime,
      noticeBatchId: status.fileId,
    });
    expect(Date.parse(event.endedAt)).toBeGreaterThanOrEqual(Date.parse(event.startedAt));
    // nothing more arrives for it (no second event from a redelivery or another worker)
    await new Promise((r) => setTimeout(r, 1500));
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(eventsOf(status.fileId)).toHaveLength(1);
  });

  it('one notice batch per published CREATE upload: its created positions’ notices, its id in the status, report and event', async () => {
    const rows = [positionRequest(), positionRequest(), positionRequest({ fiscalCode: 'RCCMNL83S18D969A', country: 'italy' })];
    const answer = await send(zipOf({ 'p.json': gpdFile(rows) }), 'p.zip');
    const status = await finished(fileIdOf(answer.headers.get('location')));
    expect(status.noticeBatchId).toBe(status.fileId);
    expect((await stack.api('GET', `${FILES}/file/${status.fileId}/report`)).json.noticeBatchId).toBe(status.noticeBatchId);
    await stack.cloud.drain({ timeoutMs: 120_000 });
    const batch = await stack.api('GET', `/organizations/${ESEMPIO_FC}/notices/batches/${status.noticeBatchId}`);
    expect(batch.status, batch.text).toBe(200);
    expect(batch.json).toMatchObject({ batchId: status.noticeBatchId, state: 'DONE', total: 2, done: 2, failed: 0 });
    expect(batch.json.items.map((i: any) => i.iupd).sort()).toEqual([rows[0]!['iupd'], rows[1]!['iupd']].sort());
    const pdf = await fetch(`${stack.url}${batch.json.items[0].href}`, { headers: { 'Ocp-Apim-Subscription-Key': 'demo-esempio-key-0123456789abcdef' } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(eventsOf(status.fileId).map((r) => JSON.parse(r.body).noticeBatchId)).toEqual([status.noticeBatchId]);
    // another tenant does not see it
    expect((await stack.api('GET', `/organizations/${ALTROVE_FC}/notices/batches/${status.noticeBatchId}`, { key: ALTROVE_KEY })).status).toBe(404);

    // no batch for a DRAFT upload, nor for one that created nothing
    const draft = await send(zipOf({ 'p.json': gpdFile([positionRequest()]) }), 'p.zip', { path: `${FILES}/file?toPublish=false` });
    expect((await finished(fileIdOf(draft.headers.get('location')))).noticeBatchId).toBeUndefined();
    const none = await send(zipOf({ 'p.json': gpdFile([rows[2]]) }), 'p.zip');
    expect((await finished(fileIdOf(none.headers.get('location')))).noticeBatchId).toBeUndefined();
  });

  it('a file refused whole and a cancelled upload each end with one event', async () => {
    const broken = await send(zipOf({ 'a.json': `{"paymentPositions": [\n${JSON.stringify(positionRequest())},\n{"iupd": "X", oops}\n]}` }), 'a.zip');
    const refusedId = fileIdOf(broken.headers.get('location'));
    await finished(refusedId);
    await stack.cloud.stopWorkers();
    let cancelledId = '';
    try {
      const answer = await send(zipOf({ 'a.json': gpdFile([positionRequest()]) }), 'a.zip', { method: 'POST' });
      cancelledId = fileIdOf(answer.headers.get('location'));
      expect((await stack.api('DELETE', `${FILES}/file/${cancelledId}`)).status).toBe(200);
    } finally {
      stack.cloud.startWorkers();
    }
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(eventsOf(refusedId).map((r) => JSON.parse(r.body))).toEqual([
      expect.objectContaining({ state: 'REFUSED', operationStatus: 'COMPLETED_UNSUCCESSFULLY', submitted: 0, accepted: 0, refused: 0, refusal: { status: 400, reason: expect.stringMatching(/^line 3: not valid JSON/) } }),
    ]);
    expect(eventsOf(cancelledId).map((r) => JSON.parse(r.body))).toEqual([expect.objectContaining({ state: 'CANCELLED', operationStatus: 'COMPLETED_UNSUCCESSFULLY', operation: 'CREATE' })]);
  });
});
