/**
 * In-memory stand-ins for the handler tests of the webhooks family and the event dispatcher:
 * the Lambda events and context, a subscriber store, a queue publisher, a visibility timer.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Organization } from '../../../shared/domain/organization';
import type { TenantAuthenticator } from '../../../shared/http/tenant-auth';
import type { Actor, OutgoingMessage, QueuePublisher } from '../../../shared/use-cases/ports';
import type {
  AttemptToRecord,
  DeliveryPage,
  DeliveryRecord,
  RedeliveryRequest,
  SubscriberStore,
  WebhookSubscriberWithSecret,
} from '../../../shared/use-cases/webhooks/ports';

export const OFC = '80001234568';
export const OTHER_OFC = '80002345676';

/** a logger that prints nothing, whatever the environment says */
export const quietLogger = (): Logger => new Logger({ serviceName: 'unit-test', logLevel: 'SILENT' });

export function lambdaContext(functionName = 'unit-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-south-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'req-unit',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'unit',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function sqsRecord(body: unknown, options: { id: string; receiveCount?: number }): SQSRecord {
  return {
    messageId: options.id,
    receiptHandle: `rh-${options.id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-south-1:123456789012:queue',
    awsRegion: 'eu-south-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export function httpEvent(input: {
  method: string;
  path: string;
  routeKey?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: input.routeKey ?? `${input.method} ${input.path}`,
    rawPath: input.path,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers: { 'ocp-apim-subscription-key': 'unit-key', ...(input.body === undefined ? {} : { 'content-type': 'application/json' }) },
    queryStringParameters: input.query,
    pathParameters: input.pathParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: input.method, path: input.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'unit' },
      requestId: 'req-http',
      routeKey: input.routeKey ?? `${input.method} ${input.path}`,
      stage: '$default',
      time: '01/May/2030:10:00:00 +0000',
      timeEpoch: 0,
    },
    body: input.body === undefined ? undefined : JSON.stringify(input.body),
    isBase64Encoded: false,
  };
}

/** Lets every request in as a key of the organization in the path. */
export const allowEveryTenant: TenantAuthenticator = async (_headers, organizationFiscalCode, requestId) => ({
  actor: { organizationFiscalCode, keyId: 'key-1', requestId },
  organization: { fiscalCode: organizationFiscalCode } as Organization,
});

export function subscriber(id: string, overrides: Partial<WebhookSubscriberWithSecret> = {}): WebhookSubscriberWithSecret {
  return {
    id,
    organizationFiscalCode: OFC,
    url: `https://${id}.example.it/hooks`,
    eventTypes: ['payment.received'],
    description: '',
    status: 'ACTIVE',
    createdAt: '2030-01-01T00:00:00.000Z',
    secret: `whsec_${id}`,
    ...overrides,
  };
}

/** The subscriber store in memory; `failOn` makes a method throw (a table that is down). */
export class InMemorySubscriberStore implements SubscriberStore {
  readonly subscribers = new Map<string, WebhookSubscriberWithSecret>();
  readonly deliveries = new Map<string, DeliveryRecord>();
  readonly calls: string[] = [];
  failOn: { method: keyof SubscriberStore; subscriberId?: string } | undefined;

  constructor(...initial: WebhookSubscriberWithSecret[]) {
    for (const s of initial) this.subscribers.set(`${s.organizationFiscalCode}/${s.id}`, s);
  }

  private track(method: keyof SubscriberStore, subscriberId?: string): void {
    this.calls.push(method);
    if (this.failOn?.method === method && (this.failOn.subscriberId === undefined || this.failOn.subscriberId === subscriberId)) {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    }
  }

  async create(s: WebhookSubscriberWithSecret, max: number): Promise<boolean> {
    this.track('create');
    if ((await this.list(s.organizationFiscalCode)).length >= max) return false;
    this.subscribers.set(`${s.organizationFiscalCode}/${s.id}`, s);
    return true;
  }

  async list(organizationFiscalCode: string): Promise<WebhookSubscriberWithSecret[]> {
    this.track('list');
    return [...this.subscribers.values()].filter((s) => s.organizationFiscalCode === organizationFiscalCode);
  }

  async get(organizationFiscalCode: string, id: string): Promise<WebhookSubscriberWithSecret | undefined> {
    this.track('get', id);
    return this.subscribers.get(`${organizationFiscalCode}/${id}`);
  }

  async remove(organizationFiscalCode: string, id: string): Promise<boolean> {
    this.track('remove', id);
    return this.subscribers.delete(`${organizationFiscalCode}/${id}`);
  }

  async getDelivery(organizationFiscalCode: string, subscriberId: string, eventId: string): Promise<DeliveryRecord | undefined> {
    this.track('getDelivery', subscriberId);
    return this.deliveries.get(`${organizationFiscalCode}/${subscriberId}/${eventId}`);
  }

  async recordAttempt(a: AttemptToRecord): Promise<void> {
    this.track('recordAttempt', a.subscriberId);
    const key = `${a.organizationFiscalCode}/${a.subscriberId}/${a.eventId}`;
    const previous = this.deliveries.get(key);
    if (previous?.status === 'DELIVERED') return;
    this.deliveries.set(key, {
      eventId: a.eventId,
      eventType: a.eventType,
      subscriberId: a.subscriberId,
      attempts: (previous?.attempts ?? 0) + 1,
      status: a.status,
      ...(a.statusCode !== undefined ? { lastStatusCode: a.statusCode } : {}),
      ...(a.error !== undefined ? { lastError: a.error } : {}),
      firstAttemptAt: previous?.firstAttemptAt ?? a.at,
      lastAttemptAt: a.at,
      ...(a.status === 'DELIVERED' ? { deliveredAt: a.at } : {}),
      ...(previous?.redelivery ? { redelivery: previous.redelivery } : {}),
      redeliverable: previous?.redeliverable === true || a.payload !== undefined,
    });
    if (a.payload !== undefined && !this.payloads.has(key)) this.payloads.set(key, a.payload);
  }

  readonly payloads = new Map<string, string>();

  async requestRedelivery(organizationFiscalCode: string, subscriberId: string, eventId: string, by: { at: string; actor: Actor }): Promise<RedeliveryRequest> {
    const key = `${organizationFiscalCode}/${subscriberId}/${eventId}`;
    const record = this.deliveries.get(key);
    if (!record) return { kind: 'not-found' };
    const pending = record.status === 'RETRYING' && record.redelivery !== undefined && record.redelivery.at > record.lastAttemptAt;
    if (record.status !== 'FAILED' && record.status !== 'DEAD_LETTERED' && !pending) return { kind: 'not-ended', status: record.status };
    const payload = this.payloads.get(key);
    if (payload === undefined) return { kind: 'no-payload' };
    const updated: DeliveryRecord = { ...record, status: 'RETRYING', redelivery: { at: by.at, by: by.actor } };
    this.deliveries.set(key, updated);
    return { kind: 'requested', record: updated, payload };
  }

  /** cursors are `page:<offset>` of this very listing */
  async listDeliveries(organizationFiscalCode: string, subscriberId: string, query: { limit: number; cursor?: string }): Promise<DeliveryPage | undefined> {
    this.track('listDeliveries', subscriberId);
    const prefix = `page:${organizationFiscalCode}/${subscriberId}:`;
    if (query.cursor !== undefined && !query.cursor.startsWith(prefix)) return undefined;
    const offset = query.cursor === undefined ? 0 : Number(query.cursor.slice(prefix.length));
    const all = [...this.deliveries.entries()]
      .filter(([key]) => key.startsWith(`${organizationFiscalCode}/${subscriberId}/`))
      .map(([, record]) => record)
      .sort((a, b) => b.lastAttemptAt.localeCompare(a.lastAttemptAt));
    const items = all.slice(offset, offset + query.limit);
    return offset + query.limit < all.length ? { items, cursor: `${prefix}${offset + query.limit}` } : { items };
  }
}

/** Records every send; refuses the message ids in `refuse` (by their id within the call). */
export class InMemoryPublisher implements QueuePublisher {
  readonly calls: Array<{ queueUrl: string; messages: OutgoingMessage[] }> = [];
  refuse: (queueUrl: string, message: OutgoingMessage) => boolean = () => false;

  async send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    this.calls.push({ queueUrl, messages: [...messages] });
    return messages.filter((m) => this.refuse(queueUrl, m)).map((m) => m.id);
  }

  get sent(): Array<{ queueUrl: string; message: OutgoingMessage }> {
    return this.calls.flatMap((c) => c.messages.filter((m) => !this.refuse(c.queueUrl, m)).map((message) => ({ queueUrl: c.queueUrl, message })));
  }
}

/** The visibility changes asked for, by receipt handle. */
export function visibilityRecorder(): { setVisibility: (receiptHandle: string, seconds: number) => Promise<void>; changes: Map<string, number> } {
  const changes = new Map<string, number>();
  return {
    changes,
    setVisibility: async (receiptHandle, seconds) => {
      changes.set(receiptHandle, seconds);
    },
  };
}
