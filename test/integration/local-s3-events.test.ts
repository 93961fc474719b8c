/**
 * The local S3 emulator's "Object Created" hook (infra/local/fauxqs.ts): one report per stored
 * object (PutObject, answered 200), none for a refused presigned PUT, the bucket, key and size as
 * stored.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalFauxqs, type LocalFauxqs, type StoredObject } from '../../infra/local/fauxqs';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const seen: StoredObject[] = [];
let fauxqs: LocalFauxqs;
let s3: S3Client;
beforeAll(async () => {
  fauxqs = await startLocalFauxqs('eu-south-1', { credentials, onObjectCreated: async (o) => void seen.push(o) });
  s3 = new S3Client({ region: 'eu-south-1', endpoint: fauxqs.s3Endpoint, forcePathStyle: true, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: 'uploads-bucket' }));
});
afterAll(async () => {
  s3?.destroy();
  await fauxqs?.stop();
});

describe('local S3 Object Created', () => {
  it('reports a PutObject once, and a presigned PUT only when S3 would accept it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'uploads-bucket', Key: 'uploads/80001234568/a', Body: 'hello' }));
    expect(seen).toEqual([expect.objectContaining({ bucket: 'uploads-bucket', key: 'uploads/80001234568/a', size: 5 })]);
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'uploads-bucket', Key: 'uploads/80001234568/b', ContentLength: 3, ContentType: 'text/csv' }), {
      expiresIn: 900,
      signableHeaders: new Set(['content-length', 'content-type']),
    });
    const refused = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'abcd' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('SignatureDoesNotMatch');
    expect(seen).toHaveLength(1);
    const stored = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'abc' });
    expect(stored.status).toBe(200);
    expect(seen.map((o) => [o.key, o.size])).toEqual([['uploads/80001234568/a', 5], ['uploads/80001234568/b', 3]]);
  });

  it('a presigned PUT larger than the emulator’s own 11 MiB body cap is stored, as S3 stores it (a 100,000-row CSV is ~25 MB)', async () => {
    const body = Buffer.alloc(26 * 1024 * 1024, 0x41);
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'uploads-bucket', Key: 'uploads/80001234568/big', ContentLength: body.length, ContentType: 'text/csv' }), {
      expiresIn: 900,
      signableHeaders: new Set(['content-length', 'content-type']),
    });
    const stored = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body });
    expect(stored.status, await stored.text()).toBe(200);
    expect(seen.at(-1)).toMatchObject({ key: 'uploads/80001234568/big', size: body.length });
  });
});
