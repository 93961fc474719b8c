/**
 * Client of the App IO services API (pagopa/io-functions-services, openapi/index.yaml): profile
 * look-up and message submission, implementing the AppIoClient port of the App IO use cases.
 *
 * Every outcome is a typed result, never a thrown error, so the IO sender can decide what to do:
 *   - `retryable`: 408, 429, 5xx, a timeout or a network failure → try again later (with the
 *     server's Retry-After when it gave one). IO publishes no rate limit: back off on 429.
 *   - `permanent`: any other 4xx (400 invalid payload, 401 bad key, 403 not allowed, ...) or an
 *     unexpected answer → retrying the same request cannot help.
 *
 * The subscription key and the citizen's fiscal code never leave this module except in the
 * request itself: nothing is logged here, and fiscal codes are masked in returned problems.
 */
import { CreatedMessageSchema, LimitedProfileSchema, ProblemJsonSchema, redactFiscalCodes, type ProblemJson } from '../domain/app-io/io-api';
import type { AppIoClient, AppIoFailure, PermanentFailure, RetryableFailure } from '../use-cases/app-io/ports';

export interface AppIoClientOptions {
  /** e.g. https://api.io.pagopa.it/api/v1 (locally http://127.0.0.1:3000/_sim/io/api/v1) */
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  /** for the whole exchange, headers and body */
  readonly timeoutMs: number;
  /** clock used only to turn an HTTP-date Retry-After into a delay */
  readonly now?: () => number;
}

export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

export function createAppIoClient(options: AppIoClientOptions): AppIoClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const base = options.baseUrl.replace(/\/+$/, '');
  if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');

  async function call(
    apiKey: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ ok: true; status: number; headers: Headers; json: unknown; text: string } | { ok: false; failure: RetryableFailure }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    try {
      const response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          [SUBSCRIPTION_KEY_HEADER]: apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      const text = await response.text();
      return { ok: true, status: response.status, headers: response.headers, json: parseJson(text), text };
    } catch {
      // the error may carry the URL (with the fiscal code for GETs): drop it, keep only the kind
      return {
        ok: false,
        failure: controller.signal.aborted
          ? { kind: 'retryable', status: 0, reason: 'timeout' }
          : { kind: 'retryable', status: 0, reason: 'network' },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  function classify(status: number, headers: Headers, json: unknown, text: string): AppIoFailure {
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now());
      return {
        kind: 'retryable',
        status,
        reason: status === 429 ? 'throttled' : status === 408 ? 'timeout' : 'server-error',
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    return { kind: 'permanent', status, problem: toProblem(status, json, text) };
  }

  return {
    async getProfile(apiKey, fiscalCode) {
      const r = await call(apiKey, 'POST', '/profiles', { fiscal_code: fiscalCode });
      if (!r.ok) return r.failure;
      if (r.status === 404) return { kind: 'not-found' };
      if (r.status === 200) {
        const profile = LimitedProfileSchema.safeParse(r.json);
        if (profile.success) {
          return {
            kind: 'found',
            senderAllowed: profile.data.sender_allowed,
            preferredLanguages: profile.data.preferred_languages ?? [],
          };
        }
        return unexpected(r.status, 'the profile in the answer is not a LimitedProfile');
      }
      return classify(r.status, r.headers, r.json, r.text);
    },

    async submitMessage(apiKey, message) {
      const r = await call(apiKey, 'POST', '/messages', message);
      if (!r.ok) return r.failure;
      if (r.status === 201) {
        const created = CreatedMessageSchema.safeParse(r.json);
        // the message may exist: never retry this one blindly (IO has no idempotency key)
        if (!created.success) return unexpected(r.status, 'the answer to a created message has no id');
        return { kind: 'created', id: created.data.id };
      }
      return classify(r.status, r.headers, r.json, r.text);
    },

    async getMessageStatus(apiKey, fiscalCode, id) {
      const r = await call(apiKey, 'GET', `/messages/${encodeURIComponent(fiscalCode)}/${encodeURIComponent(id)}`);
      if (!r.ok) return r.failure;
      if (r.status === 404) return { kind: 'not-found' };
      if (r.status === 200) {
        const status = (r.json as { status?: unknown } | null)?.status;
        if (typeof status === 'string') return { kind: 'found', status };
        return unexpected(r.status, 'the answer has no message status');
      }
      return classify(r.status, r.headers, r.json, r.text);
    },
  };
}

/** Retry-After as delta-seconds or HTTP-date (RFC 9110 §10.2.3) → milliseconds from now. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"): Date.parse alone would read "-5" as a year
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function unexpected(status: number, detail: string): PermanentFailure {
  return { kind: 'permanent', status, problem: { title: 'Unexpected response from App IO', status, detail } };
}

function toProblem(status: number, json: unknown, text: string): ProblemJson {
  const parsed = ProblemJsonSchema.safeParse(json);
  if (parsed.success && (parsed.data.title !== undefined || parsed.data.detail !== undefined)) {
    return {
      ...parsed.data,
      status: parsed.data.status ?? status,
      ...(parsed.data.detail === undefined ? {} : { detail: redactFiscalCodes(parsed.data.detail) }),
    };
  }
  // APIM answers 401/429 with {statusCode, message}; anything else: keep a short, masked excerpt
  const message = (json as { message?: unknown } | null)?.message;
  const detail = typeof message === 'string' ? message : text.slice(0, 500);
  return { title: titleFor(status), status, ...(detail ? { detail: redactFiscalCodes(detail) } : {}) };
}

function titleFor(status: number): string {
  switch (status) {
    case 400:
      return 'Invalid payload';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'Not found';
    default:
      return `HTTP ${status}`;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
