/**
 * The S3 object store against aws-sdk-client-mock: the exact commands it sends and how it reads
 * S3's answers (absent keys, conditional-write refusals, partial delete failures).
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore, createS3Client } from '../../shared/adapters/object-store';
import { noticesSettings } from '../../shared/composition/notices';

const s3 = mockClient(S3Client);
const store = new S3ObjectStore(new S3Client({ region: 'eu-south-1' }), 'notices-bucket');

const serviceError = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

beforeEach(() => s3.reset());

describe('S3ObjectStore', () => {
  it('get returns the bytes, content type and metadata of an object', async () => {
    // the SDK's streaming body: the store only uses transformToByteArray
    const body = { transformToByteArray: async () => new Uint8Array(Buffer.from('%PDF-1.7 hello')) } as never;
    s3.on(GetObjectCommand, { Bucket: 'notices-bucket', Key: 'notices/a/v1.pdf' }).resolves({
      Body: body,
      ContentType: 'application/pdf',
      Metadata: { version: '1' },
    });
    const got = await store.get('notices/a/v1.pdf');
    expect(Buffer.from(got!.bytes).toString()).toBe('%PDF-1.7 hello');
    expect(got).toMatchObject({ contentType: 'application/pdf', metadata: { version: '1' } });
  });

  it('get answers undefined for a missing key, and rethrows anything else (a 403 is not "absent")', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(new NoSuchKey({ message: 'nope', $metadata: { httpStatusCode: 404 } }))
      .rejectsOnce(serviceError('AccessDenied', 403));
    expect(await store.get('missing')).toBeUndefined();
    await expect(store.get('forbidden')).rejects.toThrow('AccessDenied');
  });

  it('exists uses HeadObject: true, false on 404, error otherwise', async () => {
    s3.on(HeadObjectCommand, { Key: 'here' }).resolves({ ContentLength: 10 });
    s3.on(HeadObjectCommand, { Key: 'gone' }).rejects(new NotFound({ message: 'NotFound', $metadata: { httpStatusCode: 404 } }));
    s3.on(HeadObjectCommand, { Key: 'broken' }).rejects(serviceError('InternalError', 500));
    expect(await store.exists('here')).toBe(true);
    expect(await store.exists('gone')).toBe(false);
    await expect(store.exists('broken')).rejects.toThrow('InternalError');
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'notices-bucket', Key: 'here' });
  });

  it('putIfAbsent sends a conditional PutObject (If-None-Match: *) with type, length and metadata', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"x"' });
    const bytes = new Uint8Array([1, 2, 3]);
    expect(await store.putIfAbsent('k', bytes, { contentType: 'application/pdf', metadata: { version: '3' } })).toBe('stored');
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'notices-bucket',
      Key: 'k',
      Body: bytes,
      ContentType: 'application/pdf',
      ContentLength: 3,
      Metadata: { version: '3' },
      IfNoneMatch: '*',
    });
  });

  it('putIfAbsent reads 412 (exists) and 409 (concurrent conditional write) as "exists", and rethrows the rest', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(serviceError('PreconditionFailed', 412))
      .rejectsOnce(serviceError('ConditionalRequestConflict', 409))
      .rejectsOnce(serviceError('AccessDenied', 403));
    expect(await store.putIfAbsent('k', new Uint8Array([1]), { contentType: 'application/pdf' })).toBe('exists');
    expect(await store.putIfAbsent('k', new Uint8Array([1]), { contentType: 'application/pdf' })).toBe('exists');
    await expect(store.putIfAbsent('k', new Uint8Array([1]), { contentType: 'application/pdf' })).rejects.toThrow('AccessDenied');
  });

  it('deleteMany deletes in calls of at most 1000 keys, quietly, and fails loudly on per-key errors', async () => {
    s3.on(DeleteObjectsCommand).resolves({});
    const keys = Array.from({ length: 2001 }, (_, i) => `k${i}`);
    await store.deleteMany(keys);
    const calls = s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Delete?.Objects?.length)).toEqual([1000, 1000, 1]);
    expect(calls[2]).toEqual({ Bucket: 'notices-bucket', Delete: { Objects: [{ Key: 'k2000' }], Quiet: true } });

    s3.reset();
    await store.deleteMany([]);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);

    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'k1', Code: 'AccessDenied', Message: 'Access Denied' }] });
    await expect(store.deleteMany(['k1'])).rejects.toThrow(/refused to delete 1 object\(s\), first: AccessDenied/);
  });
});

describe('createS3Client', () => {
  it('forces path-style addressing only when S3_FORCE_PATH_STYLE is "true"', async () => {
    s3.restore();
    // the setting is read by the composition root and handed to the adapter
    const clientFor = (env: NodeJS.ProcessEnv) => createS3Client({ forcePathStyle: noticesSettings(env).S3_FORCE_PATH_STYLE }, { region: 'eu-south-1' });
    expect(clientFor({ S3_FORCE_PATH_STYLE: 'true' }).config.forcePathStyle).toBe(true);
    expect(clientFor({}).config.forcePathStyle).toBe(false);
    expect(clientFor({ S3_FORCE_PATH_STYLE: 'false' }).config.forcePathStyle).toBe(false);
  });
});
