/**
 * The local S3 emulator's check of presigned requests (infra/local/s3-presign.ts) against URLs the
 * real presigner (@aws-sdk/s3-request-presigner, as the upload route uses it) signs: the URL as
 * signed passes; another length, another key, another method, another secret or a late request
 * are refused as S3 refuses them.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { verifyPresignedRequest } from '../../infra/local/s3-presign';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const s3 = new S3Client({ region: 'eu-south-1', endpoint: 'http://127.0.0.1:4566', forcePathStyle: true, credentials });

async function presigned(length: number) {
  const url = new URL(
    await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'b', Key: 'uploads/80001234568/f1', ContentLength: length, ContentType: 'application/zip' }), {
      expiresIn: 900,
      signableHeaders: new Set(['content-length', 'content-type']),
    }),
  );
  return { url: `${url.pathname}${url.search}`, headers: { host: url.host, 'content-length': String(length), 'content-type': 'application/zip' } };
}

describe('presigned PUT check of the local S3', () => {
  it('accepts the request as signed, until it expires', async () => {
    const { url, headers } = await presigned(1234);
    expect(verifyPresignedRequest({ method: 'PUT', url, headers, credentials, now: new Date() })).toBeUndefined();
    expect(verifyPresignedRequest({ method: 'PUT', url, headers, credentials, now: new Date(Date.now() + 14 * 60_000) })).toBeUndefined();
    expect(verifyPresignedRequest({ method: 'PUT', url, headers, credentials, now: new Date(Date.now() + 16 * 60_000) })).toEqual({ code: 'AccessDenied', message: 'Request has expired' });
  });

  it('refuses another length, type, key, method or secret (SignatureDoesNotMatch), and a URL without its parameters', async () => {
    const { url, headers } = await presigned(1234);
    const now = new Date();
    const code = (r: ReturnType<typeof verifyPresignedRequest>) => r?.code;
    expect(code(verifyPresignedRequest({ method: 'PUT', url, headers: { ...headers, 'content-length': '1235' }, credentials, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'PUT', url, headers: { ...headers, 'content-type': 'text/csv' }, credentials, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'PUT', url: url.replace('80001234568', '80007654322'), headers, credentials, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'POST', url, headers, credentials, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'PUT', url, headers, credentials: { ...credentials, secretAccessKey: 'other' }, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'PUT', url: url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=99999'), headers, credentials, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'PUT', url: url.replace(/&X-Amz-Date=[^&]+/, ''), headers, credentials, now }))).toBe('AuthorizationQueryParametersError');
  });
});

describe('presigned GET check of the local S3 (a large upload report\u2019s result file)', () => {
  async function presignedGet() {
    const url = new URL(
      await getSignedUrl(
        s3,
        new GetObjectCommand({ Bucket: 'b', Key: 'results/80001234568/f1/esito-f1.csv', ResponseContentType: 'text/csv; charset=utf-8', ResponseContentDisposition: 'attachment; filename="esito-f1.csv"' }),
        { expiresIn: 300 },
      ),
    );
    return { url: `${url.pathname}${url.search}`, headers: { host: url.host } };
  }

  it('accepts the GET as signed (UNSIGNED-PAYLOAD, the response-* overrides signed), until it expires', async () => {
    const { url, headers } = await presignedGet();
    expect(new URL(url, 'http://x').searchParams.get('response-content-disposition')).toBe('attachment; filename="esito-f1.csv"');
    expect(verifyPresignedRequest({ method: 'GET', url, headers, credentials, now: new Date() })).toBeUndefined();
    expect(verifyPresignedRequest({ method: 'GET', url, headers, credentials, now: new Date(Date.now() + 6 * 60_000) })).toEqual({ code: 'AccessDenied', message: 'Request has expired' });
  });

  it('refuses another key (another tenant\u2019s), another file name or type, another method', async () => {
    const { url, headers } = await presignedGet();
    const now = new Date();
    const code = (r: ReturnType<typeof verifyPresignedRequest>) => r?.code;
    expect(code(verifyPresignedRequest({ method: 'GET', url: url.replace('80001234568', '80007654322'), headers, credentials, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'GET', url: url.replace('esito-f1.csv%22', 'other.csv%22'), headers, credentials, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'GET', url: url.replace(/response-content-type=[^&]+/, 'response-content-type=text%2Fhtml'), headers, credentials, now }))).toBe('SignatureDoesNotMatch');
    expect(code(verifyPresignedRequest({ method: 'PUT', url, headers, credentials, now }))).toBe('SignatureDoesNotMatch');
  });
});
