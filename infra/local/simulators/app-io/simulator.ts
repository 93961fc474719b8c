/**
 * The App IO services API, simulated for the local cloud and the tests (the App IO services API at https://api.io.pagopa.it/api/v1).
 *
 * Same paths as https://api.io.pagopa.it/api/v1 under the prefix /api/v1:
 *   POST /profiles {fiscal_code}        200 LimitedProfile | 400 | 404 citizen not on IO
 *   GET  /profiles/{fiscal_code}        idem
 *   POST /messages (NewMessage)         201 {id} + Location | 400 ProblemJson naming the fields
 *                                       | 403 when the citizen blocked the service
 *   POST /messages/{fiscal_code}        idem, fiscal code in the path
 *   GET  /messages/{fiscal_code}/{id}   200 {message, status} | 404
 * Every API call needs a registered `Ocp-Apim-Subscription-Key` (else 401, as APIM answers).
 * Validation is IO's own (shared/domain/app-io/io-api.ts). A message to a fiscal code that is not
 * on IO is accepted (201) and then REJECTED, as IO does: the sender must ask the profile first.
 *
 * Fault injection (429 with Retry-After, 500, latency, requests left unanswered) draws from a
 * seeded PRNG, so a run is reproducible. Faults apply to /api/v1 only.
 *
 * Also: GET / and GET /inbox/{fiscal_code}, a server-rendered page of what citizens see, and
 * /_admin/{services,citizens,faults,reset,messages} (JSON) to seed a simulator in another process.
 *
 * The local gateway mounts `listener` under /_sim/io (stripping the prefix), so the layer's
 * IO_API_URL is http://127.0.0.1:3000/_sim/io/api/v1.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  describeIssues,
  isPersonFiscalCode,
  IO_LIMITS,
  validateFiscalCodePayload,
  validateNewMessage,
  type FeatureLevelType,
  type MessageContent,
  type MessageStatus,
  type ProblemJson,
} from '../../../../shared/domain/app-io/io-api';
import { renderInboxPage } from './inbox-page';
import { seededRandom, ulidLike } from './prng';

export const API_PREFIX = '/api/v1';

export interface AppIoSimulatorOptions {
  /** PRNG seed for faults and message ids (default 1) */
  readonly seed?: number;
  /** clock (default Date.now) */
  readonly now?: () => number;
  /** the Retry-After (seconds) sent with an injected 429 (default 1) */
  readonly retryAfterSeconds?: number;
  /**
   * how the page links back to itself when mounted under a prefix, e.g. '/_sim/io'; without it,
   * an `X-Forwarded-Prefix` request header set by the gateway is used, else no prefix
   */
  readonly pageBasePath?: string;
}

export interface FaultSettings {
  /** share of API requests answered 429 with Retry-After (0..1) */
  readonly rate429: number;
  /** share answered 500 (0..1) */
  readonly rate500: number;
  /** added before every API answer */
  readonly latencyMs: number;
  /** share never answered: the client's timeout must fire (0..1) */
  readonly timeoutRate: number;
}

export interface SimService {
  readonly serviceId: string;
  readonly apiKey: string;
  readonly name: string;
  readonly organizationName?: string;
}

export interface SimCitizen {
  readonly fiscalCode: string;
  readonly blockedServices: Set<string>;
  readonly preferredLanguages: string[];
}

export interface SimMessage {
  readonly id: string;
  readonly fiscalCode: string;
  readonly senderServiceId: string;
  readonly senderName: string;
  readonly organizationName?: string;
  readonly createdAt: string;
  readonly timeToLive: number;
  readonly featureLevelType: FeatureLevelType;
  readonly content: MessageContent;
  readonly status: MessageStatus;
  readonly rejectionReason?: 'USER_NOT_FOUND';
}

/** One API request as the simulator saw it; the route is a template, never a fiscal code. */
export interface SimRequestRecord {
  readonly method: string;
  readonly route: string;
  readonly status: number | 'no-answer';
  readonly injected: boolean;
}

export interface AppIoSimulatorState {
  /** by API key */
  readonly services: Map<string, SimService>;
  /** by fiscal code */
  readonly citizens: Map<string, SimCitizen>;
  readonly messages: SimMessage[];
  /** the latest API requests (at most 10 000), oldest first */
  readonly requests: SimRequestRecord[];
  faults: FaultSettings;
}

export interface AppIoSimulator {
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  readonly state: AppIoSimulatorState;
  setFaults(faults: Partial<FaultSettings>): void;
  registerService(service: { serviceId: string; apiKey: string; name: string; organizationName?: string }): void;
  registerCitizen(citizen: { fiscalCode: string; blockedServices?: string[]; preferredLanguages?: string[] }): void;
  /** the citizen's inbox (processed messages), newest first */
  inbox(fiscalCode: string): SimMessage[];
  /** every message accepted, in order, rejected ones included */
  messages(): SimMessage[];
  /** forgets services, citizens, messages, faults; ends unanswered requests; reseeds the PRNG */
  reset(): void;
}

const NO_FAULTS: FaultSettings = { rate429: 0, rate500: 0, latencyMs: 0, timeoutRate: 0 };
const MAX_BODY_BYTES = 1_048_576;
/** the request log is for tests and debugging; a long-running local cloud keeps the latest only */
const MAX_RECORDED_REQUESTS = 10_000;

export function createAppIoSimulator(opts: AppIoSimulatorOptions = {}): AppIoSimulator {
  const seed = opts.seed ?? 1;
  const now = opts.now ?? Date.now;
  const retryAfterSeconds = opts.retryAfterSeconds ?? 1;
  const configuredBase = opts.pageBasePath?.replace(/\/+$/, '');
  let random = seededRandom(seed);
  const held = new Set<ServerResponse>();

  const state: AppIoSimulatorState = {
    services: new Map(),
    citizens: new Map(),
    messages: [],
    requests: [],
    faults: { ...NO_FAULTS },
  };

  function setFaults(faults: Partial<FaultSettings>): void {
    const next = { ...state.faults, ...faults };
    for (const key of ['rate429', 'rate500', 'timeoutRate'] as const) {
      if (!(next[key] >= 0 && next[key] <= 1)) throw new RangeError(`${key} must be between 0 and 1`);
    }
    if (next.rate429 + next.rate500 + next.timeoutRate > 1) throw new RangeError('fault rates add up to more than 1');
    if (!(next.latencyMs >= 0)) throw new RangeError('latencyMs must be ≥ 0');
    state.faults = next;
  }

  function registerService(service: { serviceId: string; apiKey: string; name: string; organizationName?: string }): void {
    if (!service.apiKey || !service.serviceId) throw new RangeError('a service needs an id and an API key');
    state.services.set(service.apiKey, { ...service });
  }

  function registerCitizen(citizen: { fiscalCode: string; blockedServices?: string[]; preferredLanguages?: string[] }): void {
    if (!isPersonFiscalCode(citizen.fiscalCode)) throw new RangeError('not a person fiscal code');
    state.citizens.set(citizen.fiscalCode, {
      fiscalCode: citizen.fiscalCode,
      blockedServices: new Set(citizen.blockedServices ?? []),
      preferredLanguages: citizen.preferredLanguages ?? ['it_IT'],
    });
  }

  function inbox(fiscalCode: string): SimMessage[] {
    return state.messages.filter((m) => m.fiscalCode === fiscalCode && m.status === 'PROCESSED').reverse();
  }

  function reset(): void {
    state.services.clear();
    state.citizens.clear();
    state.messages.length = 0;
    state.requests.length = 0;
    state.faults = { ...NO_FAULTS };
    random = seededRandom(seed);
    for (const res of held) res.destroy();
    held.clear();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) {
      await handleApi(req, res, method, path.slice(API_PREFIX.length));
      return;
    }
    if (path.startsWith('/_admin/')) {
      await handleAdmin(req, res, method, path.slice('/_admin/'.length));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendProblem(res, 405, 'Method not allowed', `${method} is not served here`);
      return;
    }
    const pageBase = configuredBase ?? forwardedPrefix(req);
    if (path === '/' || path === '') {
      const citizens = [...state.citizens.keys()].sort();
      sendHtml(res, 200, renderInboxPage({ citizens: citizens.map((fc) => ({ fiscalCode: fc, messages: inbox(fc) })), basePath: pageBase, nowMs: now() }));
      return;
    }
    const inboxMatch = /^\/inbox\/([^/]+)\/?$/.exec(path);
    if (inboxMatch) {
      const fc = decodeURIComponent(inboxMatch[1] ?? '');
      if (!state.citizens.has(fc)) {
        sendHtml(res, 404, renderInboxPage({ citizens: [], basePath: pageBase, nowMs: now(), notFound: true }));
        return;
      }
      sendHtml(res, 200, renderInboxPage({ citizens: [{ fiscalCode: fc, messages: inbox(fc) }], basePath: pageBase, nowMs: now(), single: true }));
      return;
    }
    sendProblem(res, 404, 'Not found', 'no such page');
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    const route = routeOf(method, path);
    const record = (status: number | 'no-answer', injected = false): void => {
      if (state.requests.length >= MAX_RECORDED_REQUESTS) state.requests.shift();
      state.requests.push({ method, route: route?.template ?? `${method} ${path.replace(/\/[A-Z0-9]{16}(?=\/|$)/g, '/{fiscal_code}')}`, status, injected });
    };

    const body = await readBody(req).catch(() => null);
    const { latencyMs, rate429, rate500, timeoutRate } = state.faults;
    if (latencyMs > 0) await sleep(latencyMs);
    const draw = random();
    if (draw < timeoutRate) {
      // never answered: hold the response until the client gives up (or reset/close)
      held.add(res);
      res.on('close', () => held.delete(res));
      record('no-answer', true);
      return;
    }
    if (draw < timeoutRate + rate429) {
      res.setHeader('Retry-After', String(retryAfterSeconds));
      sendJson(res, 429, { statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfterSeconds} seconds.` });
      record(429, true);
      return;
    }
    if (draw < timeoutRate + rate429 + rate500) {
      sendProblem(res, 500, 'Internal server error', 'injected failure');
      record(500, true);
      return;
    }

    const service = apiKeyService(req);
    if (!service) {
      sendJson(res, 401, {
        statusCode: 401,
        message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
      });
      record(401);
      return;
    }
    if (!route) {
      sendProblem(res, 404, 'Not found', `no operation ${method} ${API_PREFIX}${path}`);
      record(404);
      return;
    }
    if (body === null) {
      sendProblem(res, 413, 'Payload too large', `the body exceeds ${MAX_BODY_BYTES} bytes`);
      record(413);
      return;
    }
    const status = answer(route, service, body, res);
    record(status);
  }

  function answer(route: Route, service: SimService, body: string, res: ServerResponse): number {
    switch (route.operation) {
      case 'getProfileByPOST': {
        const json = parseJson(body);
        if (json === undefined) return sendProblem(res, 400, 'Invalid FiscalCodePayload', '(body): is not JSON');
        const payload = validateFiscalCodePayload(json);
        if (!payload.ok) return sendProblem(res, 400, 'Invalid FiscalCodePayload', describeIssues(payload.issues));
        return sendProfile(res, service, payload.value.fiscal_code);
      }
      case 'getProfile': {
        const fc = route.fiscalCode ?? '';
        if (!isPersonFiscalCode(fc)) return sendProblem(res, 400, 'Invalid FiscalCode', 'fiscal_code: must be a person fiscal code');
        return sendProfile(res, service, fc);
      }
      case 'submitMessage': {
        const parsed = parseJson(body);
        if (parsed === undefined) return sendProblem(res, 400, 'Invalid NewMessage', '(body): is not JSON');
        const candidate =
          route.fiscalCode !== undefined && isObject(parsed) && parsed.fiscal_code === undefined
            ? { ...parsed, fiscal_code: route.fiscalCode }
            : parsed;
        const validation = validateNewMessage(candidate);
        if (!validation.ok) return sendProblem(res, 400, 'Invalid NewMessage', describeIssues(validation.issues));
        const msg = validation.value;
        const citizen = state.citizens.get(msg.fiscal_code);
        if (citizen?.blockedServices.has(service.serviceId)) {
          return sendProblem(res, 403, 'Forbidden', 'the recipient does not allow messages from this service');
        }
        const createdAtMs = now();
        const id = ulidLike(createdAtMs, random);
        state.messages.push({
          id,
          fiscalCode: msg.fiscal_code,
          senderServiceId: service.serviceId,
          senderName: service.name,
          ...(service.organizationName === undefined ? {} : { organizationName: service.organizationName }),
          createdAt: new Date(createdAtMs).toISOString(),
          timeToLive: msg.time_to_live ?? IO_LIMITS.timeToLive.default,
          featureLevelType: msg.feature_level_type ?? 'STANDARD',
          content: msg.content,
          status: citizen ? 'PROCESSED' : 'REJECTED',
          ...(citizen ? {} : { rejectionReason: 'USER_NOT_FOUND' as const }),
        });
        res.setHeader('Location', `${API_PREFIX}/messages/${encodeURIComponent(msg.fiscal_code)}/${id}`);
        return sendJson(res, 201, { id });
      }
      case 'getMessage': {
        const m = state.messages.find(
          (x) => x.id === route.id && x.fiscalCode === route.fiscalCode && x.senderServiceId === service.serviceId,
        );
        if (!m) return sendProblem(res, 404, 'Message not found', 'no message with this id for this recipient and service');
        return sendJson(res, 200, {
          message: {
            id: m.id,
            fiscal_code: m.fiscalCode,
            time_to_live: m.timeToLive,
            created_at: m.createdAt,
            content: m.content,
            sender_service_id: m.senderServiceId,
            feature_level_type: m.featureLevelType,
          },
          status: m.status,
          ...(m.status === 'PROCESSED' ? { notification: { email: 'SENT', webhook: 'SENT' } } : {}),
        });
      }
    }
  }

  function sendProfile(res: ServerResponse, service: SimService, fiscalCode: string): number {
    const citizen = state.citizens.get(fiscalCode);
    if (!citizen) return sendProblem(res, 404, 'Profile not found', 'The profile you requested was not found in the system.');
    return sendJson(res, 200, {
      sender_allowed: !citizen.blockedServices.has(service.serviceId),
      preferred_languages: citizen.preferredLanguages,
    });
  }

  function apiKeyService(req: IncomingMessage): SimService | undefined {
    const key = req.headers['ocp-apim-subscription-key'];
    return typeof key === 'string' ? state.services.get(key) : undefined;
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, method: string, what: string): Promise<void> {
    try {
      if (method === 'GET' && what === 'messages') {
        sendJson(res, 200, state.messages);
        return;
      }
      if (method !== 'POST') {
        sendProblem(res, 405, 'Method not allowed', 'admin operations are POST, except GET messages');
        return;
      }
      const body = parseJson((await readBody(req)) ?? '');
      const obj = isObject(body) ? body : {};
      switch (what) {
        case 'services':
          registerService(obj as unknown as SimService);
          break;
        case 'citizens':
          registerCitizen(obj as unknown as { fiscalCode: string });
          break;
        case 'faults':
          setFaults(obj as Partial<FaultSettings>);
          break;
        case 'reset':
          reset();
          break;
        default:
          sendProblem(res, 404, 'Not found', `no admin operation '${what}'`);
          return;
      }
      res.statusCode = 204;
      res.end();
    } catch (err) {
      sendProblem(res, 400, 'Invalid admin request', err instanceof Error ? err.message : 'invalid request');
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendProblem(res, 500, 'Internal server error', 'the simulator failed');
      else res.destroy();
    });
  };

  return {
    listener,
    state,
    setFaults,
    registerService,
    registerCitizen,
    inbox,
    messages: () => [...state.messages],
    reset,
  };
}

type Route =
  | { operation: 'getProfileByPOST'; template: string; fiscalCode?: undefined; id?: undefined }
  | { operation: 'getProfile'; template: string; fiscalCode: string; id?: undefined }
  | { operation: 'submitMessage'; template: string; fiscalCode?: string; id?: undefined }
  | { operation: 'getMessage'; template: string; fiscalCode: string; id: string };

function routeOf(method: string, path: string): Route | undefined {
  const segments = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  const [first, second, third, ...rest] = segments;
  if (rest.length > 0) return undefined;
  if (first === 'profiles') {
    if (method === 'POST' && second === undefined) return { operation: 'getProfileByPOST', template: 'POST /profiles' };
    if (method === 'GET' && second !== undefined && third === undefined) {
      return { operation: 'getProfile', template: 'GET /profiles/{fiscal_code}', fiscalCode: second };
    }
  }
  if (first === 'messages') {
    if (method === 'POST' && second === undefined) return { operation: 'submitMessage', template: 'POST /messages' };
    if (method === 'POST' && second !== undefined && third === undefined) {
      return { operation: 'submitMessage', template: 'POST /messages/{fiscal_code}', fiscalCode: second };
    }
    if (method === 'GET' && second !== undefined && third !== undefined) {
      return { operation: 'getMessage', template: 'GET /messages/{fiscal_code}/{id}', fiscalCode: second, id: third };
    }
  }
  return undefined;
}

function forwardedPrefix(req: IncomingMessage): string {
  const header = req.headers['x-forwarded-prefix'];
  const value = (Array.isArray(header) ? header[0] : header)?.replace(/\/+$/, '') ?? '';
  return /^(\/[\w.-]+)*$/.test(value) ? value : '';
}

function sendJson(res: ServerResponse, status: number, body: unknown): number {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
  return status;
}

function sendProblem(res: ServerResponse, status: number, title: string, detail: string): number {
  const problem: ProblemJson = { type: 'about:blank', title, status, detail };
  const text = JSON.stringify(problem);
  res.statusCode = status;
  res.setHeader('content-type', 'application/problem+json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
  return status;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  // defence in depth: the page needs no script at all
  res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(html);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
