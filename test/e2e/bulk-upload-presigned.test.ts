/**
 * Large files through a presigned S3 upload, end to end on the local stack: the route answers a
 * URL signed for `uploads/<ofc>/<fileId>` and the announced length; the client PUTs the file to
 * the S3 emulator; its "Object Created" event (the local cloud's emulation of S3 → EventBridge →
 * the upload-split queue) starts the same processing as an inline upload, with the same status,
 * report and upload.completed event. The emulator checks presigned signatures as S3 does
 * (infra/local/s3-presign.ts): another length or another key is refused with 403.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackOfficeReceiver, type BackOfficeReceiver } from '../../infra/local/simulators/back-office';
import { ALTROVE_FC, ALTROVE_KEY, ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';
import { finished as finishedAt, gpdFile, zipOf } from '../support/uploads';
import { positionRequest } from '../fixtures/positions';

const FILES = `/brokers/${ESEMPIO_FC}/organizations/${ESEMPIO_FC}/debtpositions`;
let stack: LocalStack;
let receiver: BackOfficeReceiver;

beforeAll(async () => {
  stack = await startLocalStack();
  receiver = await startBackOfficeReceiver({ port: 0 });
  const created = await stack.api('POST', `/organizations/${ESEMPIO_FC}/webhooks`, { body: { url: receiver.url, eventTypes: ['upload.completed'] } });
  expect(created.status, created.text).toBe(201);
  receiver.setSecret(created.json.secret);
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const zipOne = (name: string, text: string): Uint8Array => zipOf({ [name]: text });

async function announce(body: Record<string, unknown>, key?: string) {
  return stack.api('POST', `${FILES}/file/uploads`, { body, ...(key ? { key } : {}) });
}

async function put(url: string, headers: Record<string, string>, bytes: Uint8Array) {
  const response = await fetch(url, { method: 'PUT', headers, body: bytes });
  return { status: response.status, text: await response.text() };
}

const finished = (fileId: string): Promise<any> => finishedAt(stack, FILES, fileId);

describe('presigned upload of a large file', { timeout: 120_000 }, () => {
  it('answers 201 with a PUT URL for uploads/<ofc>/<fileId> (15 minutes, the length signed); the PUT file is processed as an inline one', async () => {
    const rows = [positionRequest(), positionRequest(), positionRequest({ fiscalCode: 'RCCMNL83S18D969A', country: 'italy' })];
    const bytes = zipOne('positions.json', gpdFile(rows));
    const answer = await announce({ fileName: 'tari-2099.zip', size: bytes.length });
    expect(answer.status, answer.text).toBe(201);
    const { fileId, uploadUrl, method, headers, expiresAt, statusUrl, maxBytes } = answer.json;
    expect(method).toBe('PUT');
    expect(headers).toEqual({ 'content-type': 'application/zip', 'content-length': String(bytes.length) });
    expect(statusUrl).toBe(`brokers/${ESEMPIO_FC}/organizations/${ESEMPIO_FC}/debtpositions/file/${fileId}/status`);
    expect(answer.headers.get('location')).toBe(statusUrl);
    expect(maxBytes).toBe(200 * 1024 * 1024);
    const url = new URL(uploadUrl);
    expect(url.pathname).toMatch(new RegExp(`/uploads/${ESEMPIO_FC}/${fileId}$`));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
    expect(Math.abs(Date.parse(expiresAt) - Date.now() - 900_000)).toBeLessThan(60_000);

    // announced, the file not there yet: in progress, AWAITING_FILE; the report is not ready
    const waiting = await stack.api('GET', `${FILES}/file/${fileId}/status`);
    expect(waiting.json).toMatchObject({ state: 'AWAITING_FILE', operationStatus: 'IN_PROGRESS', submittedItem: 0 });
    expect((await stack.api('GET', `${FILES}/file/${fileId}/report`)).status).toBe(425);

    // more bytes than announced: S3 refuses the PUT (the length is signed), nothing starts
    const longer = await put(uploadUrl, { ...headers, 'content-length': String(bytes.length + 1) }, new Uint8Array([...bytes, 0]));
    expect(longer.status).toBe(403);
    expect(longer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect((await stack.api('GET', `${FILES}/file/${fileId}/status`)).json.state).toBe('AWAITING_FILE');

    const stored = await put(uploadUrl, headers, bytes);
    expect(stored.status, stored.text).toBe(200);
    const status = await finished(fileId);
    expect(status).toMatchObject({ fileId, state: 'COMPLETED', operationStatus: 'COMPLETED_WITH_WARNINGS', submittedItem: 3, processedItem: 3, acceptedItem: 2, format: 'json' });
    const report = await stack.api('GET', `${FILES}/file/${fileId}/report`);
    expect(report.status).toBe(200);
    expect(report.json.responses.find((r: any) => r.statusCode === 201).iupds.sort()).toEqual([rows[0]!['iupd'], rows[1]!['iupd']].sort());
    expect(report.json.rows).toEqual([expect.objectContaining({ line: 4, iupd: rows[2]!['iupd'], statusCode: 400 })]);
    expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${rows[0]!['iupd']}`)).json.status).toBe('VALID');

    // the same upload.completed event as an inline upload, once
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const events = receiver.requests.filter((r) => r.eventType === 'upload.completed' && JSON.parse(r.body).fileId === fileId);
    expect(events.map((e) => JSON.parse(e.body))).toEqual([expect.objectContaining({ state: 'COMPLETED', submitted: 3, accepted: 2, refused: 1, operation: 'CREATE' })]);

    // the URL again (a second PUT of the same key): the upload is not processed twice
    expect((await put(uploadUrl, headers, bytes)).status).toBe(200);
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect((await stack.api('GET', `${FILES}/file/${fileId}/status`)).json).toMatchObject({ processedItem: 3, acceptedItem: 2 });
  });

  it('a bare GovPay CSV and a broken file: the inline upload\u2019s checks, as REFUSED in the status', async () => {
    const notJson = zipOne('positions.txt', 'hello');
    const refused = await announce({ fileName: 'p.zip', size: notJson.length });
    expect(refused.status).toBe(201);
    expect((await put(refused.json.uploadUrl, refused.json.headers, notJson)).status).toBe(200);
    expect(await finished(refused.json.fileId)).toMatchObject({ state: 'REFUSED', operationStatus: 'COMPLETED_UNSUCCESSFULLY', refusal: { status: 400, reason: 'the file in the ZIP must be .json or .csv, not positions.txt' } });

    const csv = strToU8('idA2A,idPendenza,colore\nA,B,C\n');
    const header = await announce({ fileName: 'p.csv', size: csv.length });
    expect(header.json.headers['content-type']).toBe('text/csv');
    expect((await put(header.json.uploadUrl, header.json.headers, csv)).status).toBe(200);
    expect(await finished(header.json.fileId)).toMatchObject({ state: 'REFUSED', refusal: { status: 422, reason: expect.stringMatching(/unknown columns: colore; missing columns: idDominio/) } });
  });

  it('refuses a bad announcement (400), another broker (403), another tenant\u2019s key (403); the inline 413 points here', async () => {
    expect((await announce({ fileName: 'p.zip', size: 200 * 1024 * 1024 + 1 })).status).toBe(400);
    expect((await announce({ fileName: 'p.pdf', size: 10 })).status).toBe(400);
    expect((await announce({ fileName: 'p.zip' })).status).toBe(400);
    const broker = await stack.api('POST', `/brokers/99999999999/organizations/${ESEMPIO_FC}/debtpositions/file/uploads`, { body: { fileName: 'p.zip', size: 10 } });
    expect(broker.status).toBe(403);
    expect((await announce({ fileName: 'p.zip', size: 10 }, ALTROVE_KEY)).status).toBe(403);

    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(4 * 1024 * 1024 + 10).fill(65)]), 'big.zip');
    const big = await fetch(`${stack.url}${FILES}/file`, { method: 'POST', headers: { 'Ocp-Apim-Subscription-Key': 'demo-esempio-key-0123456789abcdef' }, body: form });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { detail: string }).detail).toContain('/debtpositions/file/uploads');
  });

  it('a URL of one tenant cannot write another tenant\u2019s key; an object no upload announced is ignored', async () => {
    const bytes = zipOne('p.json', gpdFile([positionRequest()]));
    const mine = await announce({ fileName: 'p.zip', size: bytes.length });
    const fileId = mine.json.fileId as string;
    // the same signature on the other tenant's key (or on another file id of the same tenant): refused
    const otherTenant = mine.json.uploadUrl.replace(`/uploads/${ESEMPIO_FC}/`, `/uploads/${ALTROVE_FC}/`);
    expect((await put(otherTenant, mine.json.headers, bytes)).status).toBe(403);
    const otherFile = mine.json.uploadUrl.replace(fileId, crypto.randomUUID());
    expect((await put(otherFile, mine.json.headers, bytes)).status).toBe(403);

    // an object put straight into the bucket under a key no route announced: nothing processed
    const cloud = stack.cloud;
    const s3 = new S3Client({ region: cloud.region, endpoint: cloud.endpoints.s3, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const stray = crypto.randomUUID();
    await s3.send(new PutObjectCommand({ Bucket: cloud.env['BUCKET_NAME_UPLOADS'], Key: `uploads/${ESEMPIO_FC}/${stray}`, Body: bytes }));
    s3.destroy();
    await cloud.drain({ timeoutMs: 30_000 });
    expect((await stack.api('GET', `${FILES}/file/${stray}/status`)).status).toBe(404);
    expect((await stack.api('GET', `${FILES}/file/${fileId}/status`)).json.state).toBe('AWAITING_FILE');
  });
});
