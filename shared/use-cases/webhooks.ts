/**
 * Outgoing webhooks: back offices register subscribers (URL + secret) and are told, signed and at
 * least once, about the events they chose (payments first of all).
 *
 *   outbox event ─▶ webhook-fanout queue ─▶ fanOutEvents: one delivery message per subscriber
 *                 ─▶ webhook-delivery queue ─▶ deliverWebhook: POST, record, decide what next
 *
 * Retries: the SAME SQS message is retried (its visibility timeout set to the backoff delay and
 * the message reported failed), so the queue's ApproximateReceiveCount is the attempt number and
 * the queue's own maxReceiveCount decides when it is parked in `<id>-dlq`. Both sides read one
 * number (the catalog's maxReceiveCount): a crash mid-batch counts as an attempt and loses
 * nothing (what was not deleted comes back), and the last failed try is moved to the DLQ by SQS.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { WEBHOOK_EVENT_TYPES, type WebhookDeliveryMessage, type WebhookEventType, webhookEventSchema } from '../../events/webhook-delivery';
import { SIGNATURE_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_ID_HEADER, signWebhook } from '../domain/webhook-signature';
import type { OutgoingMessage, QueuePublisher } from './ports';
import { UseCaseError } from './errors';
import { parseMessage } from '../../events/parse-message';

// ---- model and ports ---------------------------------------------------------------------

export interface WebhookSubscriber {
  readonly id: string;
  readonly organizationFiscalCode: string;
  readonly url: string;
  readonly eventTypes: readonly WebhookEventType[];
  readonly description: string;
  readonly status: 'ACTIVE';
  readonly createdAt: string;
}

/** A subscriber with its signing secret: only the store and the deliverer ever see this. */
export interface WebhookSubscriberWithSecret extends WebhookSubscriber {
  readonly secret: string;
}

export const DELIVERY_STATUSES = ['RETRYING', 'DELIVERED', 'FAILED', 'DEAD_LETTERED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event for one subscriber (idempotent key: eventId + subscriberId). */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly eventType: string;
  readonly subscriberId: string;
  /** POSTs made so far (every attempt, including duplicates caused by at-least-once) */
  readonly attempts: number;
  readonly status: DeliveryStatus;
  readonly lastStatusCode?: number;
  /** a short, safe reason when there was no HTTP answer (timeout, refused, blocked address) */
  readonly lastError?: string;
  readonly firstAttemptAt: string;
  readonly lastAttemptAt: string;
  readonly deliveredAt?: string;
}

export interface AttemptToRecord {
  readonly organizationFiscalCode: string;
  readonly subscriberId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: DeliveryStatus;
  readonly statusCode?: number;
  readonly error?: string;
  readonly at: string;
}

export interface SubscriberStore {
  /** false when the tenant already has `max` subscribers */
  create(subscriber: WebhookSubscriberWithSecret, max: number): Promise<boolean>;
  list(organizationFiscalCode: string): Promise<WebhookSubscriberWithSecret[]>;
  get(organizationFiscalCode: string, id: string): Promise<WebhookSubscriberWithSecret | undefined>;
  /** false when there was no such subscriber */
  remove(organizationFiscalCode: string, id: string): Promise<boolean>;
  getDelivery(organizationFiscalCode: string, subscriberId: string, eventId: string): Promise<DeliveryRecord | undefined>;
  /** adds one attempt; never turns a DELIVERED record into anything else */
  recordAttempt(attempt: AttemptToRecord): Promise<void>;
  /** newest first */
  listDeliveries(
    organizationFiscalCode: string,
    subscriberId: string,
    query: { limit: number; cursor?: string },
  ): Promise<{ items: DeliveryRecord[]; cursor?: string }>;
}

export type SendOutcome =
  | { readonly kind: 'response'; readonly status: number; /** seconds, from a Retry-After header */ readonly retryAfterSeconds?: number }
  | { readonly kind: 'error'; readonly reason: string };

export interface WebhookSender {
  post(request: { url: string; headers: Record<string, string>; body: string; timeoutMs: number }): Promise<SendOutcome>;
}

// ---- the subscriber URL (SSRF) -----------------------------------------------------------

export type UrlCheck = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

const BLOCKED_HOST_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa'];
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A subscriber URL the layer may call: https, no credentials, no fragment, and not an address
 * inside the network it runs in (private, loopback, link-local and cloud-metadata ranges, written
 * in any of the forms WHATWG URL normalises: decimal, hex, octal, IPv4-mapped IPv6). Plain http
 * to 127.0.0.1/localhost only when `allowLoopbackHttp` (the local cloud). Delivery checks the
 * resolved address again (DNS can point a public name at a private address).
 */
export function checkWebhookUrl(raw: string, options: { allowLoopbackHttp: boolean }): UrlCheck {
  if (raw.length > 2048) return { ok: false, reason: 'the URL is longer than 2048 characters' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials in the URL are not allowed' };
  if (url.hash !== '') return { ok: false, reason: 'a fragment is not allowed' };
  const host = url.hostname.toLowerCase();
  const isLoopbackName = LOOPBACK_NAMES.has(host);
  if (url.protocol === 'http:') {
    if (options.allowLoopbackHttp && isLoopbackName) return { ok: true, url: url.toString() };
    return { ok: false, reason: 'the URL must use https' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'the URL must use https' };
  if (isLoopbackName) {
    return options.allowLoopbackHttp ? { ok: true, url: url.toString() } : { ok: false, reason: 'loopback addresses are not allowed' };
  }
  if (host === '' || (!host.includes('.') && isIP(unbracket(host)) === 0)) return { ok: false, reason: 'the host must be a public domain name' };
  if (BLOCKED_HOST_SUFFIXES.some((s) => host.endsWith(s)) || host === 'metadata.google.internal') {
    return { ok: false, reason: 'the host must be a public domain name' };
  }
  const literal = unbracket(host);
  if (isIP(literal) !== 0 && isForbiddenAddress(literal, { allowLoopback: false })) {
    return { ok: false, reason: 'private, loopback, link-local and metadata addresses are not allowed' };
  }
  return { ok: true, url: url.toString() };
}

const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** CIDR blocks a webhook must never reach (RFC 6890 special-purpose + cloud metadata). */
const FORBIDDEN_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inV4(ip: string, [base, bits]: readonly [string, number]): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(v4ToInt(ip) / size) === Math.floor(v4ToInt(base) / size);
}

/** Expands an IPv6 address into 8 numbers (handles `::` and a trailing dotted IPv4). */
function v6Groups(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (isIP(last) !== 4) return undefined;
    const n = v4ToInt(last);
    text = `${text.slice(0, lastColon + 1)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const headGroups = parse(head);
  const restGroups = rest === undefined ? [] : parse(rest);
  const missing = 8 - headGroups.length - restGroups.length;
  if ((rest === undefined && missing !== 0) || missing < 0) return undefined;
  const groups = [...headGroups, ...Array.from({ length: rest === undefined ? 0 : missing }, () => 0), ...restGroups];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** True for an address a webhook must not reach; unparseable counts as forbidden. */
export function isForbiddenAddress(ip: string, options: { allowLoopback: boolean }): boolean {
  const family = isIP(ip);
  if (family === 4) {
    if (options.allowLoopback && inV4(ip, ['127.0.0.0', 8])) return false;
    return FORBIDDEN_V4.some((block) => inV4(ip, block)) || ip === '255.255.255.255';
  }
  if (family !== 6) return true;
  const g = v6Groups(ip);
  if (!g) return true;
  const [g0 = 0, g1 = 0, , , , g5 = 0, g6 = 0, g7 = 0] = g;
  const allZeroUntil = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (allZeroUntil(7) && g7 === 1) return !options.allowLoopback; // ::1
  if (allZeroUntil(8)) return true; // ::
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d)
  const embedded = `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  if (allZeroUntil(5) && (g5 === 0xffff || g5 === 0)) return isForbiddenAddress(embedded, options);
  if (g0 === 0x64 && g1 === 0xff9b) return isForbiddenAddress(embedded, options);
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local (includes AWS fd00:ec2::254)
  if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x2002) return isForbiddenAddress(`${g1 >> 8}.${g1 & 255}.${(g[2] ?? 0) >> 8}.${(g[2] ?? 0) & 255}`, options); // 6to4
  return false;
}

// ---- backoff -----------------------------------------------------------------------------

export interface BackoffPolicy {
  /** the ceiling after the first failed attempt */
  readonly baseSeconds: number;
  /** no delay is ever longer (SQS allows a visibility timeout of up to 12 h) */
  readonly maxSeconds: number;
}

/** The ceiling of the delay after failed attempt `attempt` (1-based): min(max, base·2^(attempt−1)). */
export function backoffCeilingSeconds(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** exponent);
}

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff And Jitter): a uniform whole number of
 * seconds in [0, ceiling]. `random` returns [0, 1) like Math.random.
 */
export function backoffDelaySeconds(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.floor(backoffCeilingSeconds(attempt, policy));
  const r = Math.min(Math.max(random(), 0), 0.999999999);
  return Math.floor(r * (ceiling + 1));
}

// ---- subscribers (REST) ------------------------------------------------------------------

export const MAX_SUBSCRIBERS_PER_TENANT = 20;

export const registerWebhookSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  eventTypes: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1)
    .max(WEBHOOK_EVENT_TYPES.length)
    .refine((types) => new Set(types).size === types.length, 'event types must not repeat'),
  description: z.string().trim().max(140).optional(),
});
export type RegisterWebhookInput = z.infer<typeof registerWebhookSchema>;

export const listDeliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(2048).optional(),
});

export interface SubscriberDeps {
  readonly subscribers: SubscriberStore;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly newSecret: () => string;
  /** LOCAL_CLOUD === 'true': http to 127.0.0.1/localhost is allowed */
  readonly allowLoopbackHttp: boolean;
}

/** Returns the subscriber and its signing secret, which is never shown again. */
export async function registerSubscriber(
  deps: SubscriberDeps,
  organizationFiscalCode: string,
  input: RegisterWebhookInput,
): Promise<{ subscriber: WebhookSubscriber; secret: string }> {
  const checked = checkWebhookUrl(input.url, { allowLoopbackHttp: deps.allowLoopbackHttp });
  if (!checked.ok) throw new UseCaseError('invalid', `Invalid url: ${checked.reason}`, [{ field: 'url', message: checked.reason }]);
  const subscriber: WebhookSubscriberWithSecret = {
    id: deps.newId(),
    organizationFiscalCode,
    url: checked.url,
    eventTypes: [...input.eventTypes],
    description: input.description ?? '',
    status: 'ACTIVE',
    createdAt: deps.clock().toISOString(),
    secret: deps.newSecret(),
  };
  if (!(await deps.subscribers.create(subscriber, MAX_SUBSCRIBERS_PER_TENANT))) {
    throw new UseCaseError('conflict', `an organization can have at most ${MAX_SUBSCRIBERS_PER_TENANT} webhook subscribers`);
  }
  return { subscriber: withoutSecret(subscriber), secret: subscriber.secret };
}

export async function listSubscribers(deps: Pick<SubscriberDeps, 'subscribers'>, organizationFiscalCode: string): Promise<WebhookSubscriber[]> {
  const all = await deps.subscribers.list(organizationFiscalCode);
  return all.map(withoutSecret).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** Subscriber ids are generated UUIDs; a path value far longer is not looked up (table keys are limited to 1-2 KB). */
const plausibleSubscriberId = (id: string): boolean => id.length > 0 && id.length <= 128;

export async function removeSubscriber(deps: Pick<SubscriberDeps, 'subscribers'>, organizationFiscalCode: string, id: string): Promise<void> {
  if (!plausibleSubscriberId(id) || !(await deps.subscribers.remove(organizationFiscalCode, id))) throw new UseCaseError('not-found', `no webhook subscriber ${id}`);
}

export async function listDeliveries(
  deps: Pick<SubscriberDeps, 'subscribers'>,
  organizationFiscalCode: string,
  id: string,
  query: { limit?: number; cursor?: string },
): Promise<{ items: DeliveryRecord[]; cursor?: string }> {
  if (!plausibleSubscriberId(id) || !(await deps.subscribers.get(organizationFiscalCode, id))) {
    throw new UseCaseError('not-found', `no webhook subscriber ${id}`);
  }
  return deps.subscribers.listDeliveries(organizationFiscalCode, id, { limit: query.limit ?? 50, cursor: query.cursor });
}

export function withoutSecret(subscriber: WebhookSubscriberWithSecret): WebhookSubscriber {
  const { secret: _secret, ...rest } = subscriber;
  return rest;
}

// ---- fan-out -----------------------------------------------------------------------------

export interface FanOutDeps {
  readonly subscribers: Pick<SubscriberStore, 'list'>;
  readonly publisher: QueuePublisher;
  readonly deliveryQueueUrl: string;
  readonly onInvalid: (recordId: string, reason: string) => void;
}

/**
 * One delivery message per (event, active subscriber of its type). Returns the record ids to
 * retry: a record whose messages were not all accepted is retried whole (the deliverer skips what
 * was delivered already), and a malformed one is retried until the queue parks it in its DLQ.
 */
export async function fanOutEvents(deps: FanOutDeps, records: ReadonlyArray<{ recordId: string; body: string }>): Promise<string[]> {
  const failed = new Set<string>();
  const subscribersByOrg = new Map<string, Promise<WebhookSubscriberWithSecret[]>>();
  const messages: Array<OutgoingMessage & { recordId: string }> = [];
  for (const record of records) {
    const parsed = parseMessage(webhookEventSchema, record.body);
    if (!parsed.success) {
      deps.onInvalid(record.recordId, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      failed.add(record.recordId);
      continue;
    }
    const event = parsed.data;
    let subscribers: WebhookSubscriberWithSecret[];
    try {
      const ofc = event.organizationFiscalCode;
      if (!subscribersByOrg.has(ofc)) subscribersByOrg.set(ofc, deps.subscribers.list(ofc));
      subscribers = await subscribersByOrg.get(ofc)!;
    } catch {
      failed.add(record.recordId);
      continue;
    }
    for (const subscriber of subscribers) {
      if (subscriber.status !== 'ACTIVE' || !subscriber.eventTypes.includes(event.eventType)) continue;
      const message: WebhookDeliveryMessage = {
        eventId: event.eventId,
        eventType: event.eventType,
        organizationFiscalCode: event.organizationFiscalCode,
        subscriberId: subscriber.id,
        payload: record.body,
      };
      messages.push({
        id: `${record.recordId}|${subscriber.id}`,
        recordId: record.recordId,
        body: JSON.stringify(message),
        attributes: { eventType: event.eventType },
      });
    }
  }
  if (messages.length > 0) {
    const notSent = new Set(await deps.publisher.send(deps.deliveryQueueUrl, messages));
    for (const m of messages) if (notSent.has(m.id)) failed.add(m.recordId);
  }
  return records.map((r) => r.recordId).filter((id) => failed.has(id));
}

// ---- delivery ----------------------------------------------------------------------------

export interface DeliveryDeps {
  readonly subscribers: Pick<SubscriberStore, 'get' | 'getDelivery' | 'recordAttempt'>;
  readonly sender: WebhookSender;
  readonly clock: () => Date;
  readonly random: () => number;
  readonly backoff: BackoffPolicy;
  /** the delivery queue's maxReceiveCount: the try after which SQS parks the message */
  readonly maxAttempts: number;
  readonly timeoutMs: number;
}

export type DeliveryDecision =
  /** delete the message: delivered, refused for good, or nothing to do */
  | { readonly kind: 'done'; readonly why: 'delivered' | 'refused' | 'already-done' | 'subscriber-gone' | 'unsubscribed' }
  /** leave it on the queue, visible again after `delaySeconds` */
  | { readonly kind: 'retry'; readonly delaySeconds: number; readonly statusCode?: number; readonly error?: string }
  /** the last try failed: make it visible now so SQS moves it to the DLQ */
  | { readonly kind: 'dead-letter'; readonly statusCode?: number; readonly error?: string };

/** 2xx delivered; 408/429/5xx and no answer retried; any other answer (3xx, 4xx) refused for good. */
export function classifyOutcome(outcome: SendOutcome): 'delivered' | 'permanent' | 'retryable' {
  if (outcome.kind === 'error') return 'retryable';
  const s = outcome.status;
  if (s >= 200 && s < 300) return 'delivered';
  if (s === 408 || s === 429 || s >= 500) return 'retryable';
  return 'permanent';
}

export async function deliverWebhook(
  deps: DeliveryDeps,
  message: WebhookDeliveryMessage,
  /** SQS ApproximateReceiveCount: 1 on the first try */
  attempt: number,
): Promise<DeliveryDecision> {
  const { organizationFiscalCode: ofc, subscriberId, eventId, eventType } = message;
  const subscriber = await deps.subscribers.get(ofc, subscriberId);
  if (!subscriber) return { kind: 'done', why: 'subscriber-gone' };
  if (!subscriber.eventTypes.includes(eventType)) return { kind: 'done', why: 'unsubscribed' };
  const previous = await deps.subscribers.getDelivery(ofc, subscriberId, eventId);
  if (previous && (previous.status === 'DELIVERED' || previous.status === 'FAILED')) return { kind: 'done', why: 'already-done' };

  const now = deps.clock();
  const body = message.payload;
  const outcome = await deps.sender.post({
    url: subscriber.url,
    body,
    timeoutMs: deps.timeoutMs,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'pagopa-layer-webhooks/1',
      [WEBHOOK_ID_HEADER]: eventId,
      [WEBHOOK_EVENT_HEADER]: eventType,
      [SIGNATURE_HEADER]: signWebhook(subscriber.secret, Math.floor(now.getTime() / 1000), body),
    },
  });
  const kind = classifyOutcome(outcome);
  const statusCode = outcome.kind === 'response' ? outcome.status : undefined;
  const error = outcome.kind === 'error' ? outcome.reason : undefined;
  const isLast = attempt >= deps.maxAttempts;
  const status: DeliveryStatus =
    kind === 'delivered' ? 'DELIVERED' : kind === 'permanent' ? 'FAILED' : isLast ? 'DEAD_LETTERED' : 'RETRYING';
  await deps.subscribers.recordAttempt({
    organizationFiscalCode: ofc,
    subscriberId,
    eventId,
    eventType,
    status,
    statusCode,
    error,
    at: deps.clock().toISOString(),
  });
  if (kind === 'delivered') return { kind: 'done', why: 'delivered' };
  if (kind === 'permanent') return { kind: 'done', why: 'refused' };
  if (isLast) return { kind: 'dead-letter', statusCode, error };
  let delaySeconds = backoffDelaySeconds(attempt, deps.backoff, deps.random);
  if (outcome.kind === 'response' && outcome.retryAfterSeconds !== undefined) {
    delaySeconds = Math.max(delaySeconds, Math.min(outcome.retryAfterSeconds, deps.backoff.maxSeconds));
  }
  return { kind: 'retry', delaySeconds, statusCode, error };
}
