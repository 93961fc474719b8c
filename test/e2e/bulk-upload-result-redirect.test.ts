/**
 * A GovPay result CSV larger than what a Lambda response can carry (4 MiB inline at most,
 * MAX_INLINE_RESULT_BYTES) is stored in the uploads bucket and answered 303 See Other to a
 * presigned GET of it. The inline limit is lowered for this stack (UPLOAD_RESULT_INLINE_MAX_BYTES)
 * so that a 40-row upload reaches that path: the redirect itself (`redirect: 'manual'`), the
 * followed download (the very bytes the inline answer carries, every row's numeroAvviso/errore),
 * the signed key of the tenant's upload, another tenant refused, the stored file reused.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALTROVE_KEY, ESEMPIO_FC, ESEMPIO_KEY, startLocalStack, type LocalStack } from '../support/local-stack';
import { finished, gpdFile, zipOf } from '../support/uploads';
import { positionRequest } from '../fixtures/positions';

const FILES = `/brokers/${ESEMPIO_FC}/organizations/${ESEMPIO_FC}/debtpositions`;
const INLINE_LIMIT = 2048;
const HEADER = 'idA2A,idPendenza,idDominio,tipoPendenza,numeroAvviso,pdfAvviso,tipoSoggettoPagatore,identificativoPagatore,anagraficaPagatore,indirizzoPagatore,civicoPagatore,capPagatore,localitaPagatore,provinciaPagatore,nazionePagatore,emailPagatore,cellularePagatore,errore';
let stack: LocalStack;
let s3: S3Client;

beforeAll(async () => {
  stack = await startLocalStack({ env: { UPLOAD_RESULT_INLINE_MAX_BYTES: String(INLINE_LIMIT) } });
  s3 = new S3Client({ region: stack.cloud.region, endpoint: stack.cloud.endpoints.s3, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

async function upload(rows: unknown[]): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([zipOf({ 'positions.json': gpdFile(rows) })]), 'positions.zip');
  const answer = await fetch(`${stack.url}${FILES}/file`, { method: 'POST', headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO_KEY }, body: form });
  expect(answer.status).toBe(202);
  const fileId = /file\/([0-9a-f-]{36})\/status$/.exec(answer.headers.get('location') ?? '')![1]!;
  await finished(stack, FILES, fileId);
  return fileId;
}

const report = (fileId: string, init: RequestInit = {}, key = ESEMPIO_KEY) =>
  fetch(`${stack.url}${FILES}/file/${fileId}/report?format=csv`, { ...init, headers: { 'Ocp-Apim-Subscription-Key': key } });

/** The result file the inline path writes for a JSON upload: one line per row, in file order (row i on line i + 2). */
async function expectedCsv(rows: Array<Record<string, unknown>>, refused: Map<string, string>): Promise<string> {
  const lines = [HEADER];
  for (const row of rows) {
    const iupd = String(row['iupd']);
    const reason = refused.get(iupd);
    if (reason !== undefined) {
      lines.push(`${',,,,,,,,,,,,,,,,,'}${/[",\r\n]/.test(reason) ? `"${reason.replace(/"/g, '""')}"` : reason}`);
      continue;
    }
    const position = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`);
    expect(position.status).toBe(200);
    const nav = position.json.paymentOption[0].nav as string;
    lines.push(`,,,,${nav},${ESEMPIO_FC}_${nav}.pdf,,,,,,,,,,,,`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('a result CSV above the inline limit: 303 to a presigned GET of the stored file', { timeout: 120_000 }, () => {
  const run = Math.random().toString(36).slice(2, 8).toUpperCase();
  const rows = Array.from({ length: 40 }, (_, i) =>
    i === 17 ? positionRequest({ iupd: `RES-${run}-BAD`, fiscalCode: 'RCCMNL83S18D969A', country: 'italy' }) : positionRequest({ iupd: `RES-${run}-${String(i).padStart(4, '0')}` }),
  );
  let fileId = '';
  let location = '';

  it('a small result stays inline (200 text/csv, as before)', async () => {
    const small = [positionRequest({ iupd: `RES-${run}-S1` }), positionRequest({ iupd: `RES-${run}-S2` })];
    const id = await upload(small);
    const inline = await report(id, { redirect: 'manual' });
    expect(inline.status).toBe(200);
    expect(inline.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(inline.headers.get('content-disposition')).toBe(`attachment; filename="esito-${id}.csv"`);
    expect(await inline.text()).toBe(await expectedCsv(small, new Map()));
  });

  it('answers 303 with Location a presigned GET of results/<ofc>/<fileId>/ in the uploads bucket, no body', async () => {
    fileId = await upload(rows);
    const answer = await report(fileId, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    expect(await answer.text()).toBe('');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    location = answer.headers.get('location') ?? '';
    const url = new URL(location);
    expect(url.origin).toBe(new URL(stack.cloud.endpoints.s3).origin);
    expect(decodeURIComponent(url.pathname)).toBe(`/${stack.cloud.env['BUCKET_NAME_UPLOADS']}/results/${ESEMPIO_FC}/${fileId}/esito-${fileId}.csv`);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-type')).toBe('text/csv; charset=utf-8');
    expect(url.searchParams.get('response-content-disposition')).toBe(`attachment; filename="esito-${fileId}.csv"`);
  });

  it('the followed download is exactly the file the inline path would answer: every row\u2019s numeroAvviso or errore', async () => {
    const json = await stack.api('GET', `${FILES}/file/${fileId}/report`);
    expect(json.status).toBe(200);
    const refused = new Map<string, string>((json.json.rows as Array<{ iupd: string; reasons: string[] }>).map((r) => [r.iupd, r.reasons.join('; ')]));
    expect([...refused.keys()]).toEqual([`RES-${run}-BAD`]);
    const expected = await expectedCsv(rows, refused);
    expect(Buffer.byteLength(expected)).toBeGreaterThan(INLINE_LIMIT);

    const followed = await report(fileId);
    expect(followed.status).toBe(200);
    expect(followed.redirected).toBe(true);
    expect(followed.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(followed.headers.get('content-disposition')).toBe(`attachment; filename="esito-${fileId}.csv"`);
    const text = await followed.text();
    expect(text).toBe(expected);
    const lines = text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(41);
    expect(lines.filter((l) => /,\d{18},/.test(l))).toHaveLength(39);

    // the presigned URL itself, without the API key: it is the credential
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(await direct.text()).toBe(expected);
    // its signature covers the key: another tenant's key is refused by S3
    const other = await fetch(location.replace(`/results/${ESEMPIO_FC}/`, '/results/80007654322/'));
    expect(other.status).toBe(403);
  });

  it('another tenant\u2019s key gets 403 on the report, and no Location', async () => {
    const refused = await report(fileId, { redirect: 'manual' }, ALTROVE_KEY);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('location')).toBeNull();
  });

  it('a second request reuses the stored file (a COMPLETED upload\u2019s report never changes)', async () => {
    const key = `results/${ESEMPIO_FC}/${fileId}/esito-${fileId}.csv`;
    const bucket = stack.cloud.env['BUCKET_NAME_UPLOADS'];
    const stored = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    // a marker in place of the stored file: were the report rendered and stored again, it would be gone
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'marker\r\n', ContentType: 'text/csv; charset=utf-8' }));
    const again = await report(fileId, { redirect: 'manual' });
    expect(again.status).toBe(303);
    expect(new URL(again.headers.get('location')!).pathname).toBe(new URL(location).pathname);
    expect(await (await fetch(again.headers.get('location')!)).text()).toBe('marker\r\n');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: stored, ContentType: 'text/csv; charset=utf-8' }));
    expect(await (await report(fileId)).text()).toBe(stored);
  });
});
