/**
 * The REST edge, the one way a REST function is built: a handler (instrumented like every Lambda
 * of the layer, shared/observability/lambda.ts) that decodes the API Gateway (HTTP API, payload
 * 2.0) event, authenticates the tenant when the route needs it, parses a JSON body with limits,
 * runs the route, and turns every failure into ProblemJson (RFC 7807). A 4xx carries the reason;
 * a 5xx carries only the request id, never internals.
 *
 * `logger` is the process's logger (`platform().telemetry.logger`), the one the middlewares
 * give the Lambda context to.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type * as z from 'zod';
import { unsafeTextFields } from '../domain/text';
import { instrument } from '../observability/lambda';
import { UseCaseError } from '../use-cases/errors';
import { HttpProblem, badRequest, invalidFields, payloadTooLarge, unsupportedMediaType, type FieldProblem } from './problem';
import type { Caller, TenantAuthenticator } from './tenant-auth';
import { fieldProblems } from './zod-errors';

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** the parsed JSON body, undefined when there is none (or the route asked for raw bytes) */
  readonly body: unknown;
  /** the body's bytes as received (size-checked); for signatures computed over the raw body */
  readonly rawBody: Buffer;
  /** the gateway's id of this request (audit lines, the `instance` of a 5xx) */
  readonly requestId: string;
}

export interface AuthenticatedRequest extends HttpRequest {
  readonly caller: Caller;
}

export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  /** raw bytes (e.g. a PDF); sent base64-encoded as API Gateway requires */
  readonly bytes?: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

type Route<R extends HttpRequest> = (request: R) => Promise<HttpResult>;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

/**
 * A route without an API key: health, OpenAPI, and routes authenticated otherwise (a signed
 * webhook, the pagoPA node). With `{ rawBody: true }` the body is not parsed: the route verifies
 * a signature over `request.rawBody` before it trusts a byte of it.
 */
export function publicRoute(logger: Logger, route: Route<HttpRequest>, options: { rawBody?: boolean; maxBodyBytes?: number } = {}) {
  return build(logger, async (event) => route(decode(event, options.rawBody ?? false, options.maxBodyBytes)));
}

/** A route under /organizations/{organizationFiscalCode}/..., for that tenant's keys only. */
export function tenantRoute(logger: Logger, authenticate: TenantAuthenticator, route: Route<AuthenticatedRequest>, options: { rawBody?: boolean } = {}) {
  return build(logger, async (event) => {
    // with `{ rawBody: true }` the body is not parsed as JSON: the route reads `request.rawBody` (a file posted as itself)
    const request = decode(event, options.rawBody ?? false);
    const organizationFiscalCode = request.pathParameters['organizationFiscalCode'] ?? '';
    const caller = await authenticate(request.headers, organizationFiscalCode, request.requestId);
    logger.appendKeys({ organization: organizationFiscalCode, keyId: caller.actor.keyId });
    return route({ ...request, caller });
  });
}

/**
 * Validates with a zod schema; every offending field is reported at once.
 *
 * `crossField` names what is wrong across the fields of the same value (amounts that must add
 * up, dates, the tenant's own accounts): when the value fails the schema it is asked too, with the
 * raw value, and its problems join the schema's in the one 400, so a caller never fixes one list
 * of errors to be shown the next. A problem on a field the schema already names is not repeated.
 * When the value passes the schema the route's use case checks those rules itself (once).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  crossField?: (raw: unknown) => readonly FieldProblem[],
): z.infer<S> {
  if (value === undefined) throw badRequest(`a JSON ${what} is required`);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = fieldProblems(result.error);
  if (crossField !== undefined) {
    const named = new Set(problems.map((p) => p.field));
    for (const problem of crossField(value)) {
      if (!named.has(problem.field) && !problems.some((p) => p.field === problem.field && p.message === problem.message)) {
        problems.push(problem);
      }
    }
  }
  throw invalidFields(problems);
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpResult => ({
  status,
  body,
  headers,
});

/**
 * The caller's X-Request-Id when it is a well-formed one (GPD echoes it, config/RequestFilter.java):
 * 1..128 printable characters among letters, digits and `-_.:/+=~`. Anything else is not echoed
 * into a header; the gateway's id is answered instead.
 */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9\-_.:/+=~]{0,127}$/;

export function responseRequestId(event: APIGatewayProxyEventV2, gatewayId: string): string {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'x-request-id' && typeof value === 'string' && CLIENT_REQUEST_ID.test(value)) return value;
  }
  return gatewayId;
}

function build(logger: Logger, run: (event: APIGatewayProxyEventV2) => Promise<HttpResult>) {
  const base = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const echoedId = responseRequestId(event, requestId);
    try {
      const result = await run(event);
      return encode(result, echoedId);
    } catch (error) {
      return failure(logger, error, requestId, echoedId, event);
    }
  };
  return instrument(base);
}

function decode(event: APIGatewayProxyEventV2, rawOnly = false, maxBodyBytes = MAX_JSON_BODY_BYTES): HttpRequest {
  const headers = lowerCaseKeys(event.headers ?? {});
  const rawBody = readBody(event, maxBodyBytes);
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    pathParameters: decodeParams(event.pathParameters ?? {}),
    query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >,
    headers,
    body: rawOnly ? undefined : parseJsonBody(rawBody, headers),
    rawBody,
    requestId: event.requestContext.requestId,
  };
}

function readBody(event: APIGatewayProxyEventV2, maxBodyBytes: number): Buffer {
  if (event.body === undefined || event.body === null || event.body === '') return Buffer.alloc(0);
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > maxBodyBytes) throw payloadTooLarge(`the body exceeds ${maxBodyBytes} bytes`);
  return bytes;
}

function parseJsonBody(bytes: Buffer, headers: Record<string, string | undefined>): unknown {
  if (bytes.length === 0) return undefined;
  const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw unsupportedMediaType('the body must be application/json');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('the body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  const unsafe = unsafeTextFields(value);
  if (unsafe.length > 0) throw invalidFields(unsafe);
  return value;
}

function encode(result: HttpResult, echoedId: string): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...result.headers, 'x-request-id': echoedId };
  if (result.bytes !== undefined) {
    return { statusCode: result.status, headers, body: Buffer.from(result.bytes).toString('base64'), isBase64Encoded: true };
  }
  if (result.body === undefined) return { statusCode: result.status, headers };
  headers['content-type'] ??= 'application/json';
  return { statusCode: result.status, headers, body: JSON.stringify(result.body) };
}

function failure(
  logger: Logger,
  error: unknown,
  requestId: string,
  echoedId: string,
  event: APIGatewayProxyEventV2,
): APIGatewayProxyStructuredResultV2 {
  const problem = toProblem(error);
  // the id the caller quotes, when it sent its own
  const client = echoedId !== requestId ? { clientRequestId: echoedId } : {};
  if (problem.status === 503 && error instanceof HttpProblem) {
    // deliberate backpressure (a list still bringing its counts up to date, DynamoDB throttling): the caller retries
    logger.warn('request deferred', { status: 503, route: event.routeKey, detail: problem.detail, ...client });
  } else if (problem.status >= 500) {
    logger.error('request failed', { error: error as Error, route: event.routeKey, ...client });
  } else {
    logger.info('request refused', { status: problem.status, route: event.routeKey, detail: problem.detail, ...client });
  }
  return {
    statusCode: problem.status,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'application/problem+json',
      ...problem.headers,
      'x-request-id': echoedId,
    },
    body: JSON.stringify(problem.status >= 500 ? { ...problem.toJSON(), instance: requestId } : problem.toJSON()),
  };
}

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof UseCaseError) {
    const status = error.kind === 'invalid' ? 400 : error.kind === 'not-found' ? 404 : 409;
    const title = status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Conflict';
    return new HttpProblem(status, title, error.message, error.fields.length > 0 ? error.fields : undefined);
  }
  if (error instanceof Error && (error.name === 'ProvisionedThroughputExceededException' || error.name === 'ThrottlingException')) {
    return new HttpProblem(503, 'Service Unavailable', 'the service is busy; retry later', undefined, { 'retry-after': '1' });
  }
  return new HttpProblem(500, 'Internal Server Error', 'an unexpected error occurred; quote the instance id to support');
}

function lowerCaseKeys(headers: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function decodeParams(params: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}
