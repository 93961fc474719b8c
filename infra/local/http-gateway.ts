/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): matches the catalog's http
 * triggers, builds the APIGatewayProxyEventV2 API Gateway would send, invokes the handler and
 * translates its result back to HTTP.
 *
 * Backpressure, as API Gateway's throttling and Lambda's concurrency give it on AWS: each
 * function runs at most `perFunction` requests at once; up to `queue` more wait for a slot (at
 * most `maxWaitMs`); beyond that, or after the wait, the answer is 429 with Retry-After, at once.
 * A burst beyond what the machine can serve is refused quickly instead of making every request
 * slow (one process serves every function: without a bound, 200 concurrent clients made the p99
 * tens of seconds and some requests failed).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FunctionDef, HttpMethod } from '../catalog';
import { LOCAL_ACCOUNT_ID } from './lambda-runtime';

/** API Gateway's request payload quota. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/**
 * Lambda's quota for a synchronous invocation's request payload (6 MB): the whole event, where a
 * binary body (multipart/form-data included) travels base64-encoded, a third larger. API Gateway
 * cannot hand a bigger event to the function; locally the gateway refuses it the same way, so that
 * what works here works on AWS.
 */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;
/**
 * Lambda's quota for a synchronous invocation's response payload (6 MB, 6,291,456 bytes): the
 * function's whole result as JSON, where a binary body is base64-encoded. On AWS a bigger result
 * fails the invocation ("Response payload size exceeded") and the HTTP API answers 500; locally
 * translateResult refuses it the same way, so that a route answering too much cannot pass here.
 */
export const MAX_RESPONSE_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** The function answered more than Lambda lets it return (the gateway answers 500, as API Gateway does). */
export class ResponsePayloadTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD_BYTES} bytes): the function returned ${bytes} bytes`);
    this.name = 'ResponsePayloadTooLargeError';
  }
}

export interface Route {
  functionId: string;
  method: HttpMethod | 'ANY';
  path: string;
  routeKey: string;
  segments: RouteSegment[];
}

type RouteSegment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export function routesFrom(functions: readonly FunctionDef[]): Route[] {
  const routes: Route[] = [];
  for (const fn of functions) {
    for (const trigger of fn.triggers) {
      if (trigger.kind !== 'http') continue;
      routes.push({
        functionId: fn.id,
        method: trigger.method,
        path: trigger.path,
        routeKey: `${trigger.method} ${trigger.path}`,
        segments: parseRoutePath(trigger.path),
      });
    }
  }
  return routes;
}

function parseRoutePath(path: string): RouteSegment[] {
  return splitPath(path).map((segment, index, all) => {
    const param = /^\{([A-Za-z0-9_.-]+)(\+)?\}$/.exec(segment);
    if (!param) return { kind: 'literal', value: segment };
    if (param[2]) {
      if (index !== all.length - 1) throw new Error(`greedy path variable must be last: ${path}`);
      return { kind: 'greedy', name: param[1]! };
    }
    return { kind: 'param', name: param[1]! };
  });
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s, i, all) => !(i === 0 && s === '') && !(i === all.length - 1 && s === '' && all.length > 1));
}

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

/**
 * API Gateway's precedence: the most specific route wins: literal segments before {param},
 * {param} before {proxy+}, compared left to right; an explicit method before ANY.
 */
export function matchRoute(routes: readonly Route[], method: string, rawPath: string): RouteMatch | undefined {
  const requestSegments = splitPath(rawPath);
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const pathParameters: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    for (let i = 0; i < route.segments.length && ok; i++) {
      const segment = route.segments[i]!;
      const actual = requestSegments[i];
      if (segment.kind === 'greedy') {
        const rest = requestSegments.slice(i);
        if (rest.length === 0) ok = false;
        else pathParameters[segment.name] = rest.map(safeDecode).join('/');
        score.push(0);
        break;
      }
      if (actual === undefined) {
        ok = false;
      } else if (segment.kind === 'literal') {
        ok = segment.value === actual;
        score.push(2);
      } else {
        ok = actual.length > 0;
        pathParameters[segment.name] = safeDecode(actual);
        score.push(1);
      }
    }
    const last = route.segments[route.segments.length - 1];
    if (ok && last?.kind !== 'greedy' && route.segments.length !== requestSegments.length) ok = false;
    if (!ok) continue;
    score.push(route.method === 'ANY' ? 0 : 1);
    if (!best || compareScores(score, best.score) > 0) best = { match: { route, pathParameters }, score };
  }
  return best?.match;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|soap\+xml|problem\+json|[a-z0-9.+-]*\+(json|xml)))/i;

export function isTextContentType(contentType: string | undefined): boolean {
  // API Gateway passes a body without a content type as text
  return contentType === undefined || contentType === '' || TEXT_CONTENT_TYPE.test(contentType.trim());
}

function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} +0000`;
}

export function buildHttpEvent(input: {
  req: IncomingMessage;
  body: Buffer;
  match: RouteMatch;
  requestId: string;
  now: Date;
}): APIGatewayProxyEventV2 {
  const { req, body, match, requestId, now } = input;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQueryString = q === -1 ? '' : url.slice(q + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(';').map((c) => c.trim()).filter(Boolean)];
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[key] = key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
    }
  }

  const method = (req.method ?? 'GET').toUpperCase();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!.split(':')[0]!,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.route.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    isBase64Encoded: false,
  };
  if (body.length > 0) {
    if (isTextContentType(headers['content-type'])) {
      event.body = body.toString('utf8');
    } else {
      event.body = body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** What API Gateway does with a payload-2.0 result (including its guess for results without statusCode). */
export function translateResult(result: unknown): HttpResponse {
  // what Lambda measures: the result serialized as JSON
  const payloadBytes = Buffer.byteLength(JSON.stringify(result) ?? '');
  if (payloadBytes > MAX_RESPONSE_PAYLOAD_BYTES) throw new ResponsePayloadTooLargeError(payloadBytes);
  const isStructured =
    typeof result === 'object' && result !== null && !Array.isArray(result) && 'statusCode' in result;
  if (!isStructured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
  }
  const structured = result as APIGatewayProxyStructuredResultV2;
  if (typeof structured.statusCode !== 'number' || !Number.isInteger(structured.statusCode) || structured.statusCode < 100 || structured.statusCode > 599) {
    throw new Error(`invalid statusCode in the handler's result: ${String(structured.statusCode)}`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  if (structured.cookies?.length) headers['set-cookie'] = [...structured.cookies];
  const rawBody = structured.body ?? '';
  const body = structured.isBase64Encoded ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody, 'utf8');
  return { statusCode: structured.statusCode, headers, body };
}

export function problem(status: number, title: string, detail: string, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: Buffer.from(JSON.stringify({ type: 'about:blank', title, status, detail })),
  };
}

export interface ConcurrencyLimits {
  /** requests one function serves at once */
  readonly perFunction: number;
  /** requests that may wait for a slot of one function */
  readonly queue: number;
  /** how long one may wait before it is answered 429 */
  readonly maxWaitMs: number;
  /** the Retry-After of a 429, seconds */
  readonly retryAfterSeconds: number;
}

export const DEFAULT_CONCURRENCY: ConcurrencyLimits = { perFunction: 16, queue: 64, maxWaitMs: 5000, retryAfterSeconds: 1 };

/** In-flight slots per function, with a bounded wait. */
export class ConcurrencyGate {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly limits: ConcurrencyLimits) {}

  /** a release function once a slot is held; undefined when the request is to be refused */
  async acquire(key: string): Promise<(() => void) | undefined> {
    const running = this.running.get(key) ?? 0;
    if (running < this.limits.perFunction) {
      this.running.set(key, running + 1);
      return this.releaser(key);
    }
    const queue = this.waiting.get(key) ?? [];
    if (queue.length >= this.limits.queue) return undefined;
    this.waiting.set(key, queue);
    return new Promise((resolveSlot) => {
      const wake = () => {
        clearTimeout(timer);
        resolveSlot(this.releaser(key));
      };
      const timer = setTimeout(() => {
        const at = queue.indexOf(wake);
        if (at !== -1) queue.splice(at, 1);
        resolveSlot(undefined);
      }, this.limits.maxWaitMs);
      queue.push(wake);
    });
  }

  inFlight(key: string): number {
    return this.running.get(key) ?? 0;
  }

  private releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.get(key)?.shift();
      // the slot passes to the next waiter as it is, else it is freed
      if (next) next();
      else this.running.set(key, (this.running.get(key) ?? 1) - 1);
    };
  }
}

export function internalServerError(): HttpResponse {
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message: 'Internal Server Error' })),
  };
}

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLargeError());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolveBody(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** Personal fiscal codes (codice fiscale) never reach the logs in clear, not even in a path. */
export function maskedPath(path: string): string {
  return path.replace(/[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]/gi, '****************');
}

export interface Mount {
  prefix: string;
  listener: (req: IncomingMessage, res: ServerResponse) => void;
}

export function createGatewayListener(deps: {
  routes: readonly Route[];
  mounts: readonly Mount[];
  invoke: (functionId: string, event: unknown) => Promise<unknown>;
  log: (line: string) => void;
  concurrency?: ConcurrencyLimits;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const mounts = deps.mounts.map((m) => ({ ...m, prefix: m.prefix.replace(/\/+$/, '') }));
  const limits = deps.concurrency ?? DEFAULT_CONCURRENCY;
  const gate = new ConcurrencyGate(limits);
  return (req, res) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const rawPath = url.split('?')[0]!;
    const method = (req.method ?? 'GET').toUpperCase();
    res.on('finish', () => {
      deps.log(`${method} ${maskedPath(rawPath)} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
    });

    const mount = mounts.find((m) => rawPath === m.prefix || rawPath.startsWith(`${m.prefix}/`));
    if (mount) {
      const rest = url.slice(mount.prefix.length);
      req.url = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
      mount.listener(req, res);
      return;
    }

    const send = (response: HttpResponse, requestId?: string) => {
      if (res.headersSent) return;
      res.statusCode = response.statusCode;
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      if (requestId) res.setHeader('apigw-requestid', requestId);
      res.setHeader('content-length', response.body.length);
      res.end(method === 'HEAD' ? undefined : response.body);
    };

    const match = matchRoute(deps.routes, method, rawPath);
    if (!match) {
      req.resume();
      send(problem(404, 'Not Found', `No route for ${method} ${rawPath}`));
      return;
    }
    const requestId = randomUUID();
    readBody(req)
      .then(async (body) => {
        const release = await gate.acquire(match.route.functionId);
        if (!release) {
          send(
            problem(429, 'Too Many Requests', `${match.route.functionId} is serving as many requests as it may; retry after ${limits.retryAfterSeconds} s`, {
              'retry-after': String(limits.retryAfterSeconds),
            }),
            requestId,
          );
          return;
        }
        try {
          const event = buildHttpEvent({ req, body, match, requestId, now: new Date() });
          if (Buffer.byteLength(JSON.stringify(event)) > MAX_INVOCATION_PAYLOAD_BYTES) {
            send(problem(413, 'Payload Too Large', `The request is larger than a function can be handed (${MAX_INVOCATION_PAYLOAD_BYTES} bytes of event, a binary body base64-encoded)`), requestId);
            return;
          }
          const result = await deps.invoke(match.route.functionId, event);
          send(translateResult(result), requestId);
        } catch (err) {
          deps.log(`ERROR ${match.route.functionId} (${match.route.routeKey}) request ${requestId}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
          send(internalServerError(), requestId);
        } finally {
          release();
        }
      })
      .catch((err: unknown) => {
        if (err instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close');
          send(problem(413, 'Payload Too Large', `The request body exceeds ${MAX_BODY_BYTES} bytes`), requestId);
        } else {
          deps.log(`ERROR reading the request body: ${err instanceof Error ? err.message : String(err)}`);
          send(problem(400, 'Bad Request', 'The request body could not be read'), requestId);
        }
      });
  };
}
