/**
 * fauxqs (SQS + S3 emulator) in this process, listening on 127.0.0.1 only (its `startFauxqs`
 * binds every interface, so the app is built and bound here).
 *
 * Its queue URLs are `http://sqs.<region>.localhost:<port>/000000000000/<name>`, and the SDK sends
 * SQS calls to the QueueUrl's host. `*.localhost` is loopback by RFC 6761 (browsers, macOS and
 * systemd-resolved agree) but glibc alone does not resolve it, so the process's dns.lookup is
 * taught that one suffix (fauxqs's own `interceptLocalhostDns`) while the cloud runs.
 *
 * Two things S3 does and fauxqs does not, added as hooks of its server (s3-presign.ts):
 *  - query-signed (presigned) requests are verified as S3 does: expired → 403 AccessDenied
 *    "Request has expired"; a signature that does not match the request (another key, another
 *    Content-Length than the one signed) → 403 SignatureDoesNotMatch. Header-signed SDK calls
 *    are not checked (fauxqs never checks them).
 *  - an object stored by PUT (200) is reported to `onObjectCreated` before the answer leaves,
 *    as S3 reports "Object Created" to EventBridge; the local cloud routes it (catalog objectCreated).
 *  - a signed GET's response-* parameters (response-content-type, response-content-disposition…)
 *    set those headers of the answer, as S3 does for a presigned download.
 *  - CORS, as the uploads bucket's rule on AWS (infra/aws/stateful-stack.ts): the operator console's
 *    browser PUTs a large file to its presigned URL, whose origin (this server's port) is not the
 *    console's (the gateway's). A preflight (OPTIONS, never authenticated by S3) from an allowed
 *    origin asking for PUT with at most Content-Type is answered 200 with the Access-Control-Allow-*
 *    headers, any other 403 as S3 does; a PUT from an allowed origin carries Access-Control-Allow-Origin
 *    (its refusals too, so the page can tell an expired URL), and so does a GET (the presigned GET of
 *    a large result file, which the page's fetch follows from the console API's 303). Allowed:
 *    loopback origins only (http://127.0.0.1, localhost or [::1], any port: the gateway's port is
 *    chosen at start and it listens on 127.0.0.1); nothing else is opened (no other method or header).
 * fauxqs takes bodies up to 11 MiB: a single PUT larger than that is refused locally (413).
 */
import type { AddressInfo } from 'node:net';
import { buildApp, interceptLocalhostDns } from 'fauxqs';
import { verifyPresignedRequest } from './s3-presign';

export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
}

export interface LocalFauxqsOptions {
  /** the credentials presigned URLs are signed with (the local cloud's fake keys) */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** told of every object stored by a PUT, before the PUT is answered */
  readonly onObjectCreated?: (object: StoredObject) => Promise<void>;
}

export interface LocalFauxqs {
  /** the host of its queue URLs, so the SDK's endpoint and QueueUrl agree (no redirect warning) */
  sqsEndpoint: string;
  /** an IP endpoint: the SDK addresses buckets path-style on it */
  s3Endpoint: string;
  port: number;
  /** set (or replace) who is told of stored objects */
  onObjectCreated(listener: ((object: StoredObject) => Promise<void>) | undefined): void;
  stop(): Promise<void>;
}

/** What the hooks use of fauxqs's (Fastify's) request and reply. */
interface HookRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
}
interface HookReply {
  readonly statusCode: number;
  code(status: number): HookReply;
  header(name: string, value: string): HookReply;
  send(body: string): HookReply;
  getHeader(name: string): unknown;
}

/** the largest object one PUT may store in the local S3 (above the layer's 200 MiB presigned maximum) */
const S3_LOCAL_BODY_LIMIT = 256 * 1024 * 1024;

/** GetObject's query parameters that set a header of the answer (S3 API Reference, GetObject "Overriding response header values") */
const RESPONSE_OVERRIDES = [
  ['response-content-type', 'content-type'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-language', 'content-language'],
  ['response-content-encoding', 'content-encoding'],
  ['response-cache-control', 'cache-control'],
  ['response-expires', 'expires'],
] as const;

/** the origins whose browsers may PUT to a presigned URL here: the local gateway's, by whatever loopback name it is opened */
export const LOCAL_CORS_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/;
/** what a cross-origin request may do, as the uploads bucket's CORS rules on AWS: PUT with the signed Content-Type, GET */
const CORS_METHODS = ['PUT', 'GET'];
const CORS_HEADERS = ['content-type'];
const CORS_MAX_AGE_SECONDS = 600;

const s3Error = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

export async function startLocalFauxqs(region: string, options?: LocalFauxqsOptions): Promise<LocalFauxqs> {
  const app = buildApp({ logger: false, defaultRegion: region });
  // fauxqs caps every body at 11 MiB (enough for a multipart part); S3 takes a single PUT of up to
  // 5 GB, and a presigned tax list is up to 200 MiB (MAX_PRESIGNED_BYTES, shared/use-cases/bulk-upload/uploads.ts):
  // S3's bodies (its wildcard parser) may be that large here; SQS keeps its own parsers and limits
  app.removeContentTypeParser('*');
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: S3_LOCAL_BODY_LIMIT }, (_request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => done(null, body));
  let listener = options?.onObjectCreated;
  const isS3 = (host: string | undefined) => !(host ?? '').startsWith('sqs.');
  // CORS first: a preflight is answered before (and without) the signature check, as S3 does
  app.addHook('onRequest', async (request: HookRequest, reply: HookReply) => {
    const origin = request.headers['origin'];
    if (typeof origin !== 'string' || !isS3(request.headers['host'] as string | undefined)) return;
    const allowed = LOCAL_CORS_ORIGIN.test(origin);
    if (request.method === 'OPTIONS') {
      const method = String(request.headers['access-control-request-method'] ?? '');
      const asked = String(request.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean);
      reply.header('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
      if (!allowed || !CORS_METHODS.includes(method) || asked.some((h) => !CORS_HEADERS.includes(h))) {
        reply.code(403).header('content-type', 'application/xml').send(s3Error('AccessForbidden', 'CORSResponse: This CORS request is not allowed.'));
        return reply;
      }
      reply
        .code(200)
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', CORS_METHODS.join(', '))
        .header('access-control-max-age', String(CORS_MAX_AGE_SECONDS))
        .header('content-length', '0');
      if (asked.length > 0) reply.header('access-control-allow-headers', asked.join(', '));
      reply.send('');
      return reply;
    }
    if (allowed && CORS_METHODS.includes(request.method)) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  });
  app.addHook('onRequest', async (request: HookRequest, reply: HookReply) => {
    if (!options || !isS3(request.headers['host'] as string | undefined) || !request.url.includes('X-Amz-Signature=')) return;
    const refused = verifyPresignedRequest({ method: request.method, url: request.url, headers: request.headers, credentials: options.credentials, now: new Date() });
    if (!refused) return;
    reply.code(403).header('content-type', 'application/xml').send(s3Error(refused.code, refused.message));
    return reply;
  });
  // S3's response-* overrides of a signed GET (GetObject ResponseContentType, ResponseContentDisposition…),
  // which fauxqs ignores: a presigned download answers with the type and file name it was signed with
  app.addHook('onSend', async (request: HookRequest, reply: HookReply, payload: unknown) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || !isS3(request.headers['host'] as string | undefined) || !request.url.includes('X-Amz-Signature=')) return payload;
    const query = new URL(request.url, 'http://local').searchParams;
    for (const [parameter, header] of RESPONSE_OVERRIDES) {
      const value = query.get(parameter);
      if (value !== null) reply.header(header, value);
    }
    return payload;
  });
  // fauxqs's S3 handlers pass through onSend twice for one PutObject: report each request once
  const reported = new WeakSet<object>();
  app.addHook('onSend', async (request: HookRequest, reply: HookReply, payload: unknown) => {
    if (!listener || request.method !== 'PUT' || reply.statusCode !== 200 || !isS3(request.headers['host'] as string | undefined) || reported.has(request)) return payload;
    reported.add(request);
    const url = new URL(request.url, 'http://local');
    if (url.searchParams.has('uploadId') || url.searchParams.has('partNumber') || request.headers['x-amz-copy-source']) return payload;
    const [bucket, ...key] = url.pathname.slice(1).split('/');
    if (!bucket || key.length === 0 || key.join('/') === '') return payload;
    const body = request.body;
    const size = Buffer.isBuffer(body) ? body.length : Number(request.headers['content-length'] ?? 0);
    const etag = reply.getHeader('etag');
    await listener({ bucket, key: decodeURIComponent(key.join('/')), size, ...(typeof etag === 'string' ? { etag: etag.replace(/"/g, '') } : {}) });
    return payload;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const restoreDns = interceptLocalhostDns('localhost');
  let stopped: Promise<void> | undefined;
  return {
    sqsEndpoint: `http://sqs.${region}.localhost:${port}`,
    s3Endpoint: `http://127.0.0.1:${port}`,
    port,
    onObjectCreated(next) {
      listener = next;
    },
    stop() {
      stopped ??= (async () => {
        restoreDns();
        await app.close();
      })();
      return stopped;
    },
  };
}
