/**
 * S3's check of a query-signed (presigned) request, SigV4 (AWS General Reference, "Authenticating
 * Requests: Using Query Parameters (AWS Signature Version 4)"): the canonical request rebuilt from
 * what arrived (method, path as sent, every query parameter but X-Amz-Signature, the signed
 * headers' values, UNSIGNED-PAYLOAD), signed with the local cloud's key and compared. Used by the
 * S3 emulator's hook (fauxqs.ts), which fauxqs itself does not do.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface PresignedRequest {
  readonly method: string;
  /** path and query, as received */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly now: Date;
}

/** RFC 3986 unreserved characters stay, everything else is %XX (SigV4's UriEncode). */
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** undefined when S3 would accept it; otherwise S3's error code and message. */
export function verifyPresignedRequest(request: PresignedRequest): { code: string; message: string } | undefined {
  const url = new URL(request.url, 'http://local');
  const q = url.searchParams;
  const signature = q.get('X-Amz-Signature') ?? '';
  const amzDate = q.get('X-Amz-Date') ?? '';
  const credential = (q.get('X-Amz-Credential') ?? '').split('/');
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  const expires = Number(q.get('X-Amz-Expires'));
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || credential.length !== 5 || !/^\d{8}T\d{6}Z$/.test(amzDate) || !Number.isInteger(expires) || signedHeaders.length === 0) {
    return { code: 'AuthorizationQueryParametersError', message: 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.' };
  }
  if (credential[0] !== request.credentials.accessKeyId) return { code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  const signedAt = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  if (request.now.getTime() > signedAt + expires * 1000) return { code: 'AccessDenied', message: 'Request has expired' };
  const query = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headerValue = (name: string) => {
    const v = request.headers[name];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
  };
  const canonical = [request.method, url.pathname, query, signedHeaders.map((h) => `${h}:${headerValue(h)}\n`).join(''), signedHeaders.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = credential.slice(1).join('/');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
  const [date, region, service] = credential.slice(1) as [string, string, string];
  const key = hmac(hmac(hmac(hmac(`AWS4${request.credentials.secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = Buffer.from(hmac(key, toSign).toString('hex'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  return undefined;
}
