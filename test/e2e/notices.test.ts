/**
 * Payment notices end to end on the local stack: REST → DynamoDB → stream → event dispatcher →
 * notice-render queue → notice-renderer → S3 (fauxqs), then GET /notice over real HTTP, and the
 * bulk batches through their own queue and worker.
 */
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoOrganizationStore } from '../../shared/adapters/dynamo/organization-store';
import { formatEuroItalian } from '../../shared/domain/money';
import { formatNoticeNumberForPrint } from '../../shared/domain/notice-number';
import { noticeKey } from '../../shared/use-cases/notices/stored-notices';
import { sampleLogoPng } from '../../scripts/notice-preview';
import { positionRequest } from '../fixtures/positions';
import { pdfText } from '../unit/notice/decode';
import { ALTROVE_KEY, ESEMPIO_FC, ESEMPIO_KEY, startLocalStack, type LocalStack } from '../support/local-stack';

const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
const batches = `/organizations/${ESEMPIO_FC}/notices/batches`;
let stack: LocalStack;
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  stack = await startLocalStack();
  s3 = new S3Client({
    endpoint: stack.cloud.endpoints.s3,
    region: stack.cloud.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  bucket = stack.cloud.env['BUCKET_NAME_NOTICES'] ?? '';
  expect(bucket).not.toBe('');
}, 180_000);
afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

async function objectBytes(key: string): Promise<Uint8Array | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body!.transformToByteArray();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** GET /notice as raw bytes (the api() helper decodes text). */
async function getNotice(iupd: string, key: string = ESEMPIO_KEY) {
  const response = await fetch(`${stack.url}${positions}/${iupd}/notice`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: () => Buffer.from(bytes).toString('utf8') };
}

async function createPublished(overrides: Record<string, unknown> = {}): Promise<{ iupd: string; navs: string[] }> {
  const body = positionRequest(overrides);
  const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
  expect(created.status, created.text).toBe(201);
  return { iupd: String(body['iupd']), navs: created.json.paymentOption.map((o: { nav: string }) => o.nav) };
}

describe('notice of one position', () => {
  it('is rendered into the bucket when the position is published, and served as the PDF of the notice', async () => {
    const { iupd, navs } = await createPublished();
    await stack.cloud.drain({ timeoutMs: 30_000 });
    const key = noticeKey(ESEMPIO_FC, iupd, 1);
    expect(key).toBe(`notices/${ESEMPIO_FC}/${iupd}/v00000001.pdf`);
    const stored = await objectBytes(key);
    expect(stored, 'the renderer stored the PDF').toBeDefined();

    const notice = await getNotice(iupd);
    expect(notice.status).toBe(200);
    expect(notice.headers.get('content-type')).toBe('application/pdf');
    expect(notice.headers.get('content-disposition')).toBe(`attachment; filename="avviso-${iupd}.pdf"`);
    expect(notice.headers.get('x-notice-source')).toBe('stored');
    expect(Buffer.from(notice.bytes).equals(Buffer.from(stored!))).toBe(true);
    expect(notice.text().startsWith('%PDF-')).toBe(true);

    const text = pdfText(notice.bytes).join('\n');
    expect(formatNoticeNumberForPrint(navs[0]!)).toMatch(/^\d{4} \d{4} \d{4} \d{4} \d{2}$/);
    expect(text).toContain(formatNoticeNumberForPrint(navs[0]!));
    expect(text).toContain(formatEuroItalian(12050)); // 120,50
    expect(text).toContain('120,50');
    expect(text).toContain('31/03/2099');
    expect(text).toContain('Comune di Esempio');
    expect(text).toContain(ESEMPIO_FC);
    expect(text).toContain('Mario Rossi');
    expect(text).toContain('RCCMNL83S18D969H');
    expect(text).toContain('TARI 2026 - rata unica');
  });

  it('is the tenant’s only: 401 without a key, 403 with another tenant’s key, 404 for an unknown position', async () => {
    const { iupd } = await createPublished();
    expect((await getNotice(iupd, ALTROVE_KEY)).status).toBe(403);
    const anonymous = await fetch(`${stack.url}${positions}/${iupd}/notice`);
    expect(anonymous.status).toBe(401);
    const unknown = await getNotice('NO-SUCH-IUPD');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
  });

  it('is rendered on the spot (and stored) when asked for before the renderer ran', async () => {
    await stack.cloud.stopWorkers();
    let iupd: string;
    try {
      ({ iupd } = await createPublished());
      const key = noticeKey(ESEMPIO_FC, iupd, 1);
      expect(await exists(key)).toBe(false);
      const notice = await getNotice(iupd);
      expect(notice.status).toBe(200);
      expect(notice.headers.get('x-notice-source')).toBe('rendered');
      expect(pdfText(notice.bytes).join('\n')).toContain('Mario Rossi');
      expect(await exists(key)).toBe(true);
    } finally {
      stack.cloud.startWorkers();
    }
    await stack.cloud.drain({ timeoutMs: 30_000 });
    // the renderer found it there and kept it: the next request reads it
    expect((await getNotice(iupd)).headers.get('x-notice-source')).toBe('stored');
  });

  it('answers 409 for a DRAFT, and stores nothing for it', async () => {
    const body = positionRequest();
    expect((await stack.api('POST', positions, { body })).status).toBe(201);
    await stack.cloud.drain({ timeoutMs: 30_000 });
    const notice = await getNotice(String(body['iupd']));
    expect(notice.status).toBe(409);
    expect(notice.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(notice.text())).toMatchObject({ status: 409, title: 'Conflict' });
    expect(JSON.parse(notice.text()).detail).toMatch(/DRAFT/);
    expect(await exists(noticeKey(ESEMPIO_FC, String(body['iupd']), 1))).toBe(false);
  });

  it('follows an update to a new version (the old PDF is gone), and after invalidation answers 409 with the PDFs removed', async () => {
    const { iupd } = await createPublished();
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(await exists(noticeKey(ESEMPIO_FC, iupd, 1))).toBe(true);

    const read = await stack.api('GET', `${positions}/${iupd}`);
    const body = read.json;
    const option = body.paymentOption[0];
    // an update makes the position a DRAFT again unless it is published on the same call (GPD)
    const updated = await stack.api('PUT', `${positions}/${iupd}?toPublish=true`, {
      body: {
        ...positionRequest(),
        iupd,
        paymentOption: [
          {
            nav: option.nav,
            amount: 99999,
            description: 'TARI 2026 - importo rettificato',
            isPartialPayment: false,
            dueDate: '2099-04-30',
            transfer: [{ ...option.transfer[0], amount: 99999 }],
          },
        ],
      },
    });
    expect(updated.status, updated.text).toBe(200);
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(await exists(noticeKey(ESEMPIO_FC, iupd, 2))).toBe(true);
    expect(await exists(noticeKey(ESEMPIO_FC, iupd, 1))).toBe(false);
    const text = pdfText((await getNotice(iupd)).bytes).join('\n');
    expect(text).toContain('999,99');
    expect(text).toContain('30/04/2099');
    expect(text).not.toContain('120,50');

    expect((await stack.api('POST', `${positions}/${iupd}/invalidate`)).status).toBe(200);
    // even before the renderer removed it, the stored PDF is never served
    const refused = await getNotice(iupd);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.text()).detail).toMatch(/INVALID/);
    await stack.cloud.drain({ timeoutMs: 30_000 });
    for (const v of [1, 2, 3]) expect(await exists(noticeKey(ESEMPIO_FC, iupd, v)), `v${v}`).toBe(false);
  });

  it('removes the notice of a deleted position', async () => {
    const { iupd } = await createPublished();
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(await exists(noticeKey(ESEMPIO_FC, iupd, 1))).toBe(true);
    expect((await stack.api('DELETE', `${positions}/${iupd}`)).status).toBe(200);
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(await exists(noticeKey(ESEMPIO_FC, iupd, 1))).toBe(false);
  });

  it('includes the organization logo from the bucket when the organization has one', async () => {
    const dynamo = new DynamoDBClient({
      endpoint: stack.cloud.endpoints.dynamodb,
      region: stack.cloud.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const organizations = new DynamoOrganizationStore(createDocumentClient(dynamo), stack.cloud.env['TABLE_NAME_MAIN']!);
    const before = await organizations.get(ESEMPIO_FC);
    try {
      const { iupd: plain } = await createPublished();
      await stack.cloud.drain({ timeoutMs: 30_000 });
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `logos/${ESEMPIO_FC}.png`, Body: sampleLogoPng(), ContentType: 'image/png' }));
      await organizations.put({ ...before!, logoKey: `logos/${ESEMPIO_FC}.png` });
      const { iupd: withLogo } = await createPublished();
      await stack.cloud.drain({ timeoutMs: 30_000 });
      const latin1 = (b: Uint8Array | undefined) => Buffer.from(b!).toString('latin1');
      expect(latin1(await objectBytes(noticeKey(ESEMPIO_FC, withLogo, 1)))).toMatch(/\/Subtype\s*\/Image/);
      expect(latin1(await objectBytes(noticeKey(ESEMPIO_FC, plain, 1)))).not.toMatch(/\/Subtype\s*\/Image/);
    } finally {
      await organizations.put(before!);
      dynamo.destroy();
    }
  });
});

describe('notice batches', () => {
  it('renders 30 positions in bulk, reports progress until done, and lists where each notice is', async () => {
    const iupds: string[] = [];
    for (let i = 0; i < 30; i++) iupds.push((await createPublished()).iupd);
    const draft = positionRequest();
    expect((await stack.api('POST', positions, { body: draft })).status).toBe(201);
    await stack.cloud.drain({ timeoutMs: 60_000 });
    // start from an empty bucket so the batch itself has to render them
    await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: iupds.map((iupd) => ({ Key: noticeKey(ESEMPIO_FC, iupd, 1) })) } }),
    );
    for (const iupd of iupds.slice(0, 3)) expect(await exists(noticeKey(ESEMPIO_FC, iupd, 1))).toBe(false);

    const requested = [...iupds, String(draft['iupd']), 'NO-SUCH-IUPD', iupds[0]!];
    const created = await stack.api('POST', batches, { body: { iupds: requested } });
    expect(created.status, created.text).toBe(202);
    expect(created.json).toMatchObject({ state: 'RUNNING', total: 32 });
    const batchId: string = created.json.batchId;
    expect(created.headers.get('location')).toBe(`${batches}/${batchId}`);

    await stack.cloud.drain({ timeoutMs: 120_000 });
    const report = await stack.api('GET', `${batches}/${batchId}`);
    expect(report.status).toBe(200);
    expect(report.json).toMatchObject({ batchId, state: 'DONE_WITH_ERRORS', total: 32, done: 30, failed: 2 });
    const items: Array<{ iupd: string; status: string; objectKey?: string; href?: string; reason?: string }> = report.json.items;
    expect(items).toHaveLength(32);
    const done = items.filter((i) => i.status === 'DONE');
    expect(done.map((i) => i.iupd).sort()).toEqual([...iupds].sort());
    for (const item of done) {
      expect(item.objectKey).toBe(noticeKey(ESEMPIO_FC, item.iupd, 1));
      expect(await exists(item.objectKey!), item.iupd).toBe(true);
    }
    expect(items.find((i) => i.iupd === 'NO-SUCH-IUPD')).toMatchObject({ status: 'FAILED', reason: 'no debt position with this iupd' });
    expect(items.find((i) => i.iupd === draft['iupd'])?.reason).toMatch(/DRAFT/);

    // paged: 1000 a page by default (a Lambda answers at most 6 MB; an upload's batch holds up to 100,000)
    expect(report.json).toMatchObject({ page: 0, limit: 1000, totalItems: 32, totalPages: 1 });
    const pages = await Promise.all([0, 1, 2, 3].map((page) => stack.api('GET', `${batches}/${batchId}?limit=10&page=${page}`)));
    expect(pages.map((p) => p.json.items.length)).toEqual([10, 10, 10, 2]);
    expect(pages.flatMap((p) => p.json.items.map((i: { iupd: string }) => i.iupd))).toEqual(items.map((i) => i.iupd));
    expect(pages[0]!.json).toMatchObject({ page: 0, limit: 10, totalItems: 32, totalPages: 4, done: 30 });
    const bad = await stack.api('GET', `${batches}/${batchId}?limit=1001&page=-1&x=1`);
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['(body)', 'limit', 'page']);
    expect(bad.json.errors.find((e: { field: string }) => e.field === '(body)').message).toMatch(/"x"/);

    // the href serves the stored notice
    const first = done[0]!;
    const served = await fetch(`${stack.url}${first.href}`, { headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO_KEY } });
    expect(served.status).toBe(200);
    expect(served.headers.get('x-notice-source')).toBe('stored');

    // the whole batch as one ZIP: a 303 to a presigned GET of the stored archive, which holds exactly
    // the 30 notices the batch rendered, byte for byte the stored ones, in the batch's order
    expect(report.json.archives).toEqual([{ part: 1, firstPosition: 1, lastPosition: 32, href: `${batches}/${batchId}/archive?part=1` }]);
    const archivePath = report.json.archives[0].href as string;
    const redirect = await fetch(`${stack.url}${archivePath}`, { headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO_KEY }, redirect: 'manual' });
    expect(redirect.status).toBe(303);
    const location = redirect.headers.get('location') ?? '';
    expect(location).toMatch(/X-Amz-Signature=/);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="avvisi-${batchId}.zip"`);
    const entries = unzipSync(new Uint8Array(await download.arrayBuffer()));
    const order = items.map((i) => i.iupd);
    const expected = done.map((i) => `${String(order.indexOf(i.iupd) + 1).padStart(6, '0')}-${i.iupd}.pdf`).sort();
    expect(Object.keys(entries)).toEqual(expected);
    for (const item of done.slice(0, 5)) {
      const name = `${String(order.indexOf(item.iupd) + 1).padStart(6, '0')}-${item.iupd}.pdf`;
      const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: item.objectKey! }));
      expect(Buffer.from(entries[name]!).equals(Buffer.from(await stored.Body!.transformToByteArray())), name).toBe(true);
    }
    // no other tenant's key, no part 2, no bad part; a link that was tampered with is refused by S3
    expect((await fetch(`${stack.url}${archivePath}`, { headers: { 'Ocp-Apim-Subscription-Key': ALTROVE_KEY }, redirect: 'manual' })).status).toBe(403);
    expect((await stack.api('GET', `${batches}/${batchId}/archive?part=2`)).status).toBe(404);
    const badPart = await stack.api('GET', `${batches}/${batchId}/archive?part=zero`);
    expect(badPart.status).toBe(400);
    expect(badPart.json.errors.map((e: { field: string }) => e.field)).toEqual(['part']);
    expect((await fetch(location.replace(/archives%2F|archives\//, 'notices/'))).status).toBe(403);
  });

  it('selects by filter, and reports DONE when every position printed', async () => {
    const created = await stack.api('POST', batches, { body: { filter: { status: 'VALID', dueFrom: '2099-03-31', dueTo: '2099-03-31' } } });
    expect(created.status, created.text).toBe(202);
    expect(created.json.total).toBeGreaterThanOrEqual(30);
    await stack.cloud.drain({ timeoutMs: 120_000 });
    const report = await stack.api('GET', `${batches}/${created.json.batchId}`);
    expect(report.json).toMatchObject({ state: 'DONE', failed: 0, done: created.json.total });
  });

  it('refuses bad requests and other tenants’ batches', async () => {
    expect((await stack.api('POST', batches, { body: {} })).status).toBe(400);
    expect((await stack.api('POST', batches, { body: { iupds: [] } })).status).toBe(400);
    const tooMany = await stack.api('POST', batches, { body: { iupds: Array.from({ length: 5001 }, (_, i) => `P-${i}`) } });
    expect(tooMany.status).toBe(400);
    expect((await stack.api('POST', batches, { body: { iupds: ['A'], filter: {} } })).status).toBe(400);
    expect((await stack.api('POST', batches, { body: { iupds: ['A'] }, key: ALTROVE_KEY })).status).toBe(403);
    const created = await stack.api('POST', batches, { body: { iupds: ['A'] } });
    expect(created.status).toBe(202);
    expect((await stack.api('GET', `${batches}/${created.json.batchId}`, { key: ALTROVE_KEY })).status).toBe(403);
    expect((await stack.api('GET', `/organizations/80007654322/notices/batches/${created.json.batchId}`, { key: ALTROVE_KEY })).status).toBe(404);
    expect((await stack.api('GET', `${batches}/not-a-uuid`)).status).toBe(404);
    await stack.cloud.drain({ timeoutMs: 30_000 });
  });
});
