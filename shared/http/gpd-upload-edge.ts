/**
 * The HTTP edge of bulk uploads (GPD's massive upload API, pagopa/pagopa-gpd-upload):
 *
 * - `uploadFileRoute`: POST | PUT | DELETE …/debtpositions/file, a multipart/form-data body with
 *   the part `file` (busboy: the maintained streaming multipart parser of Node), the tenant's API
 *   key, {brokerCode} checked by the use case; 202 with GPD's Location (relative, to the status)
 *   and `Retry-After: <n> ms` (FileUploadController). A file over MAX_INLINE_FILE_BYTES is 413:
 *   larger files go through a presigned S3 upload.
 * - `uploadRoute`: the status, report, list and cancel routes, on the REST edge's tenantRoute.
 * Errors are ProblemJson, as on every route: 400 (no file, corrupt ZIP, two files), 413 (too
 * large), 422 (not GPD's JSON model, not GovPay's CSV header), 403 (another broker), 425 (the
 * report before the end, GPD's answer).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import Busboy from 'busboy';
import { instrument } from '../observability/lambda';
import { UseCaseError } from '../use-cases/errors';
import { FileRefused, UploadDenied } from '../use-cases/bulk-upload/ports';
import { HttpProblem, badRequest, payloadTooLarge, unsupportedMediaType } from './problem';
import { responseRequestId, tenantRoute, type AuthenticatedRequest, type HttpResult } from './rest-edge';
import type { Caller, TenantAuthenticator } from './tenant-auth';

/**
 * The largest file sent through the API: 4 MiB. GPD documents 5 MB, but on AWS the request reaches
 * the function as a Lambda event of at most 6 MB, where API Gateway base64-encodes a multipart body
 * (4/3 larger): a 5 MB file cannot arrive. 4 MiB (5.33 MiB encoded, with room for the headers) can,
 * and is answered with this layer's own 413 beyond. Larger files: the presigned upload.
 */
export const MAX_INLINE_FILE_BYTES = 4 * 1024 * 1024;
/** GPD answers Retry-After in milliseconds (post.file.response.headers.retry_after.millis; 2000 in prod). */
export const RETRY_AFTER_MS = 2000;

export interface UploadedFile {
  readonly fileName: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

export interface FileUploadRequest {
  readonly method: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly caller: Caller;
  readonly requestId: string;
  readonly file: UploadedFile;
  /** the other (text) parts of the form */
  readonly fields: Readonly<Record<string, string>>;
}

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

/** The problem an upload failure is, or undefined for an unexpected error. */
export function uploadProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (error instanceof FileRefused) {
    const title = error.status === 413 ? 'Payload Too Large' : error.status === 422 ? 'Unprocessable Entity' : 'Bad Request';
    return new HttpProblem(error.status, title, error.message);
  }
  if (error instanceof UploadDenied) {
    return error.kind === 'forbidden' ? new HttpProblem(403, 'Forbidden', error.message) : new HttpProblem(425, 'Too Early', error.message);
  }
  if (error instanceof UseCaseError) {
    const status = error.kind === 'invalid' ? 400 : error.kind === 'not-found' ? 404 : 409;
    return new HttpProblem(status, status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Conflict', error.message, error.fields.length > 0 ? error.fields : undefined);
  }
  return undefined;
}

/** A status/report/list/cancel route: the REST edge, with the upload errors as their problems. */
export function uploadRoute(logger: Logger, authenticate: TenantAuthenticator, route: (request: AuthenticatedRequest) => Promise<HttpResult>) {
  return tenantRoute(logger, authenticate, async (request) => {
    try {
      return await route(request);
    } catch (error) {
      throw uploadProblem(error) ?? error;
    }
  });
}

export function uploadFileRoute(logger: Logger, authenticate: TenantAuthenticator, route: (request: FileUploadRequest) => Promise<HttpResult>) {
  const base = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const echoedId = responseRequestId(event, requestId);
    try {
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const pathParameters = Object.fromEntries(Object.entries(event.pathParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
      const ofc = pathParameters['organizationFiscalCode'] ?? '';
      const caller = await authenticate(headers, ofc, requestId);
      logger.appendKeys({ organization: ofc, keyId: caller.actor.keyId });
      const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
      const { file, fields } = await readMultipart(headers['content-type'], body);
      const query = Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
      const result = await route({ method: event.requestContext.http.method, pathParameters, query, caller, requestId, file, fields });
      return { statusCode: result.status, headers: { ...SECURITY_HEADERS, ...result.headers, 'x-request-id': echoedId } };
    } catch (error) {
      const problem = uploadProblem(error) ?? new HttpProblem(500, 'Internal Server Error', 'an unexpected error occurred; quote the instance id to support');
      if (problem.status >= 500) logger.error('request failed', { error: error as Error, route: event.routeKey });
      else logger.info('request refused', { status: problem.status, route: event.routeKey, detail: problem.detail });
      return {
        statusCode: problem.status,
        headers: { ...SECURITY_HEADERS, 'content-type': 'application/problem+json', 'x-request-id': echoedId },
        body: JSON.stringify(problem.status >= 500 ? { ...problem.toJSON(), instance: requestId } : problem.toJSON()),
      };
    }
  };
  return instrument(base);
}

/** The `file` part (and text fields) of a multipart/form-data body. */
export function readMultipart(contentType: string | undefined, body: Buffer): Promise<{ file: UploadedFile; fields: Record<string, string> }> {
  if (!contentType || !contentType.toLowerCase().startsWith('multipart/form-data')) {
    return Promise.reject(unsupportedMediaType('the body must be multipart/form-data with the file in the part "file"'));
  }
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: { 'content-type': contentType }, limits: { files: 2, fileSize: MAX_INLINE_FILE_BYTES + 1, fields: 20, fieldSize: 1024 } });
    } catch (error) {
      reject(badRequest(`the multipart body cannot be read: ${(error as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    let file: UploadedFile | undefined;
    let failure: HttpProblem | undefined;
    const pending: Promise<void>[] = [];
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || file !== undefined) {
        failure ??= badRequest(name === 'file' ? 'send one file in the part "file"' : `unexpected file part "${name}": the file goes in the part "file"`);
        stream.resume();
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      pending.push(
        new Promise<void>((done) => {
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_INLINE_FILE_BYTES) parts.push(chunk);
          });
          stream.on('limit', () => {
            failure ??= payloadTooLarge(`the file exceeds ${MAX_INLINE_FILE_BYTES} bytes (what a Lambda event can carry, base64-encoded); upload larger files through …/debtpositions/file/uploads (a presigned upload)`);
          });
          stream.on('end', () => {
            file = { fileName: info.filename ?? 'file', contentType: info.mimeType ?? 'application/octet-stream', bytes: Buffer.concat(parts) };
            done();
          });
        }),
      );
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('error', (error: Error) => reject(badRequest(`the multipart body cannot be read: ${error.message}`)));
    parser.on('close', () => {
      void Promise.all(pending).then(() => {
        if (failure) reject(failure);
        else if (!file) reject(badRequest('the file is missing: send it in the multipart part "file"'));
        else resolve({ file, fields });
      });
    });
    parser.end(body);
  });
}
