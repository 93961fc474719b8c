/**
 * The queue side of the webhooks with a mocked SDK (aws-sdk-client-mock): the fan-out's sends and
 * partial failures, the deliverer's ChangeMessageVisibility calls and ReportBatchItemFailures, the
 * subscriber store's DynamoDB requests; and the HTTP client against a real 127.0.0.1 server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoSubscriberStore } from '../../shared/adapters/dynamo/subscriber-store';
import { HttpWebhookClient } from '../../shared/adapters/http-webhook-client';
import { coalescingPublisher, SqsQueuePublisher } from '../../shared/adapters/queue-publisher';
import { verifyWebhookSignature } from '../../shared/domain/webhook-signature';

const sqs = mockClient(SQSClient);
const db = mockClient(DynamoDBDocumentClient);
const OFC = '80001234568';
const TABLE = 'main-table';
const DELIVERY_URL = 'https://sqs.eu-south-1.amazonaws.com/123456789012/webhook-delivery';
const FANOUT_URL = 'https://sqs.eu-south-1.amazonaws.com/123456789012/webhook-fanout';
/** what Lambda hands the (instrumented) handlers */
const context = {
  awsRequestId: 'req-1',
  functionName: 'webhook-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-south-1:123456789012:function:webhook-test',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

// a real receiver on 127.0.0.1: answers with the status in the path (/200, /503...)
let server: Server;
let base: string;
const seen: Array<{ path: string; headers: Record<string, string | string[] | undefined>; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/slow') return setTimeout(() => res.writeHead(200).end(), 2000);
      const status = Number((req.url ?? '/200').slice(1).split('?')[0]) || 200;
      res.writeHead(status, status === 429 ? { 'retry-after': '120' } : {}).end('x'.repeat(100_000));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env['TABLE_NAME_MAIN'] = TABLE;
  process.env['QUEUE_URL_WEBHOOK_DELIVERY'] = DELIVERY_URL;
  process.env['QUEUE_URL_WEBHOOK_FANOUT'] = FANOUT_URL;
  process.env['LOCAL_CLOUD'] = 'true';
  process.env['WEBHOOK_BACKOFF_BASE_SECONDS'] = '60';
  process.env['WEBHOOK_BACKOFF_MAX_SECONDS'] = '3600';
  process.env['AWS_REGION'] = 'eu-south-1';
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  sqs.reset();
  db.reset();
  seen.length = 0;
});

function record(body: unknown, receiveCount = 1, id = `m-${Math.random().toString(36).slice(2)}`): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-south-1:123456789012:webhook-delivery',
    awsRegion: 'eu-south-1',
  };
}

const subscriberItem = (id: string, url: string, eventTypes = ['payment.received']) => ({
  pk: `ORG#${OFC}`,
  sk: `WEBHOOK#${id}`,
  type: 'webhook-subscriber',
  subscriber: { id, organizationFiscalCode: OFC, url, eventTypes, description: '', status: 'ACTIVE', createdAt: '2030-01-01T00:00:00.000Z' },
  secret: `whsec_${id}`,
});

const paymentEvent = (eventId: string) => ({
  eventId,
  eventType: 'payment.received',
  occurredAt: '2030-05-01T10:00:00.000Z',
  organizationFiscalCode: OFC,
  iupd: 'TARI-1',
  nav: '312000000000000184',
  iuv: '12000000000000184',
  receiptId: 'r-1',
  amount: 12345,
  status: 'PAID',
});

describe('webhook-fanout handler', () => {
  it('sends one delivery message per matching subscriber and reports only the record whose send failed', async () => {
    const { handler } = await import('../../functions/webhook-fanout/handler');
    db.on(QueryCommand).resolves({
      Items: [subscriberItem('a', 'https://a.example.it/h'), subscriberItem('b', 'https://b.example.it/h'), subscriberItem('c', 'https://c.example.it/h', ['debt-position.published'])],
    });
    // the first batch: the 2nd entry (record 1 → subscriber b) is refused
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: 'm1', Code: 'InternalError', SenderFault: false }] });
    const r1 = record(paymentEvent('e0000000-0000-4000-8000-000000000001'));
    const r2 = record(paymentEvent('e0000000-0000-4000-8000-000000000002'));
    const r3 = record({ eventId: 'x', eventType: 'payment.received' }); // malformed
    const result = await handler({ Records: [r1, r2, r3] } as SQSEvent, context);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([r1.messageId, r3.messageId].sort());

    const sends = sqs.commandCalls(SendMessageBatchCommand);
    expect(sends).toHaveLength(1);
    const input = sends[0]!.args[0].input;
    expect(input.QueueUrl).toBe(DELIVERY_URL);
    const bodies = input.Entries!.map((e) => JSON.parse(e.MessageBody!));
    expect(bodies.map((b) => `${b.eventId.slice(-1)}:${b.subscriberId}`)).toEqual(['1:a', '1:b', '2:a', '2:b']);
    expect(bodies[0]).toEqual({
      eventId: 'e0000000-0000-4000-8000-000000000001',
      eventType: 'payment.received',
      organizationFiscalCode: OFC,
      subscriberId: 'a',
      payload: r1.body,
    });
    // subscribers are read once per tenant per batch, never with the secret in a message
    expect(db.commandCalls(QueryCommand)).toHaveLength(1);
    expect(input.Entries!.every((e) => !e.MessageBody!.includes('whsec_'))).toBe(true);
  });
});

describe('webhook-deliverer handler', () => {
  const message = (subscriberId: string, eventId: string) => ({
    eventId,
    eventType: 'payment.received',
    organizationFiscalCode: OFC,
    subscriberId,
    payload: JSON.stringify(paymentEvent(eventId)),
  });

  it('deletes delivered and refused messages, delays retries with ChangeMessageVisibility, and makes the last try visible at once', async () => {
    const { handler } = await import('../../functions/webhook-deliverer/handler');
    const urls: Record<string, string> = { ok: `${base}/200`, gone: `${base}/410`, busy: `${base}/503`, limited: `${base}/429`, down: `${base}/500` };
    db.on(GetCommand).callsFake((input: { Key: { sk: string } }) => {
      const sk = input.Key.sk;
      if (sk.startsWith('WEBHOOK#')) {
        const id = sk.slice('WEBHOOK#'.length);
        return { Item: urls[id] ? subscriberItem(id, urls[id]!) : undefined };
      }
      return {}; // no delivery recorded yet
    });
    db.on(UpdateCommand).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    const ids = { ok: 'e0000000-0000-4000-8000-00000000000a', gone: 'e0000000-0000-4000-8000-00000000000b', busy: 'e0000000-0000-4000-8000-00000000000c', limited: 'e0000000-0000-4000-8000-00000000000d', down: 'e0000000-0000-4000-8000-00000000000e' };
    const records = {
      ok: record(message('ok', ids.ok), 1, 'ok'),
      gone: record(message('gone', ids.gone), 1, 'gone'),
      busy: record(message('busy', ids.busy), 3, 'busy'),
      limited: record(message('limited', ids.limited), 1, 'limited'),
      down: record(message('down', ids.down), 8, 'down'),
      junk: record('{not json', 1, 'junk'),
      missing: record(message('nobody', ids.ok), 1, 'missing'),
    };
    const result = await handler(Object.assign({ Records: Object.values(records) }) as SQSEvent, context);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['busy', 'down', 'junk', 'limited']);

    const visibility = Object.fromEntries(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout]),
    );
    expect(Object.keys(visibility).sort()).toEqual(['rh-busy', 'rh-down', 'rh-junk', 'rh-limited']);
    expect(visibility['rh-busy']).toBeGreaterThanOrEqual(0);
    expect(visibility['rh-busy']).toBeLessThanOrEqual(240); // attempt 3: ceiling 60·2² s
    expect(visibility['rh-limited']).toBe(120); // Retry-After: 120 beats a jitter ≤ 60 s
    expect(visibility['rh-down']).toBe(0); // 8th = last try: SQS moves it to the DLQ on the next receive
    expect(visibility['rh-junk']).toBe(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).every((c) => c.args[0].input.QueueUrl === DELIVERY_URL)).toBe(true);

    // every HTTP attempt was recorded with the right status
    const statuses = Object.fromEntries(
      db.commandCalls(UpdateCommand).map((c) => [c.args[0].input.Key!['pk'], c.args[0].input.ExpressionAttributeValues![':status']]),
    );
    expect(statuses).toEqual({
      [`WHDLV#${OFC}#ok`]: 'DELIVERED',
      [`WHDLV#${OFC}#gone`]: 'FAILED',
      [`WHDLV#${OFC}#busy`]: 'RETRYING',
      [`WHDLV#${OFC}#limited`]: 'RETRYING',
      [`WHDLV#${OFC}#down`]: 'DEAD_LETTERED',
    });
    // the POST itself: signed over the exact payload
    const ok = seen.find((s) => s.path === '/200')!;
    expect(ok.headers['x-webhook-id']).toBe(ids.ok);
    expect(ok.body).toBe(message('ok', ids.ok).payload);
    const v = verifyWebhookSignature({ header: ok.headers['x-webhook-signature'] as string, body: ok.body, secrets: ['whsec_ok'], nowSeconds: Math.floor(Date.now() / 1000) });
    expect(v.ok).toBe(true);
  });

  it('leaves a message for redelivery (no visibility change) when the store fails mid-batch, without failing the others', async () => {
    const { handler } = await import('../../functions/webhook-deliverer/handler');
    db.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
      if (input.Key.sk === 'WEBHOOK#broken') throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      if (input.Key.sk === 'WEBHOOK#ok') return { Item: subscriberItem('ok', `${base}/204`) };
      return {};
    });
    db.on(UpdateCommand).resolves({});
    const a = record(message('broken', 'e0000000-0000-4000-8000-000000000011'), 1, 'a');
    const b = record(message('ok', 'e0000000-0000-4000-8000-000000000012'), 1, 'b');
    const result = await handler({ Records: [a, b] } as SQSEvent, context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
  });

  it('skips a delivery already recorded as DELIVERED (duplicate message)', async () => {
    const { handler } = await import('../../functions/webhook-deliverer/handler');
    db.on(GetCommand).callsFake((input: { Key: { sk: string } }) =>
      input.Key.sk.startsWith('WEBHOOK#') ? { Item: subscriberItem('ok', `${base}/200`) } : { Item: { eventId: 'x', status: 'DELIVERED', attempts: 1 } },
    );
    const result = await handler({ Records: [record(message('ok', 'e0000000-0000-4000-8000-000000000021'))] } as SQSEvent, context);
    expect(result.batchItemFailures).toEqual([]);
    expect(seen).toHaveLength(0);
    expect(db.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('DynamoSubscriberStore', () => {
  const store = new DynamoSubscriberStore(createDocumentClient(), TABLE);

  it('never downgrades a DELIVERED record: failures are conditional, success is not', async () => {
    db.on(UpdateCommand).rejects(Object.assign(new Error('cond'), { name: 'ConditionalCheckFailedException' }));
    const attempt = { organizationFiscalCode: OFC, subscriberId: 's', eventId: 'e', eventType: 'payment.received', at: '2030-05-01T10:00:00.000Z' };
    await expect(store.recordAttempt({ ...attempt, status: 'RETRYING', statusCode: 503 })).resolves.toBeUndefined();
    const failed = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(failed.ConditionExpression).toBe('attribute_not_exists(#status) OR #status <> :delivered');
    expect(failed.UpdateExpression).toContain('ADD attempts :one');
    expect(failed.Key).toEqual({ pk: `WHDLV#${OFC}#s`, sk: 'DELIVERY#e' });
    expect(failed.ExpressionAttributeValues![':expiresAt']).toBe(Date.parse(attempt.at) / 1000 + 30 * 24 * 3600);

    db.reset();
    db.on(UpdateCommand).resolves({});
    await store.recordAttempt({ ...attempt, status: 'DELIVERED', statusCode: 200 });
    const ok = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(ok.ConditionExpression).toBeUndefined();
    expect(ok.UpdateExpression).toContain('deliveredAt = if_not_exists(deliveredAt, :at)');
  });

  it('pages deliveries newest first and refuses a cursor from another listing', async () => {
    const last = { pk: `WHDLV#${OFC}#s`, sk: 'DELIVERY#e', gsi1pk: `ORG#${OFC}#WEBHOOK#s#DELIVERIES`, gsi1sk: '2030#e' };
    db.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: last });
    const page = await store.listDeliveries(OFC, 's', { limit: 5 });
    expect(db.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ IndexName: 'gsi1', ScanIndexForward: false, Limit: 5 });
    await store.listDeliveries(OFC, 's', { limit: 5, cursor: page!.cursor! });
    expect(db.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(last);
    // not this listing's cursor: no page, and no query (the use case answers 400 on `cursor`)
    await expect(store.listDeliveries(OFC, 'other', { limit: 5, cursor: page!.cursor! })).resolves.toBeUndefined();
    await expect(store.listDeliveries(OFC, 's', { limit: 5, cursor: 'bm9wZQ' })).resolves.toBeUndefined();
    expect(db.commandCalls(QueryCommand)).toHaveLength(2);
  });
});

describe('HttpWebhookClient', () => {
  it('reports status and Retry-After, times out, and refuses loopback outside the local cloud', async () => {
    const local = new HttpWebhookClient({ allowLoopback: true });
    const prod = new HttpWebhookClient({ allowLoopback: false });
    try {
      const post = (client: HttpWebhookClient, url: string, timeoutMs = 2000) => client.post({ url, headers: { 'Content-Type': 'application/json' }, body: '{}', timeoutMs });
      expect(await post(local, `${base}/201`)).toEqual({ kind: 'response', status: 201 });
      expect(await post(local, `${base}/429`)).toEqual({ kind: 'response', status: 429, retryAfterSeconds: 120 });
      expect(await post(local, `${base}/slow`, 300)).toEqual({ kind: 'error', reason: 'timed out after 300 ms' });
      const before = seen.length;
      expect(await post(prod, `${base}/200`)).toEqual({ kind: 'error', reason: 'plain http is not allowed' });
      expect(await post(prod, 'https://127.0.0.1:1/x')).toEqual({ kind: 'error', reason: 'forbidden address' });
      // a name resolving to loopback is refused after DNS, before connecting
      expect(await post(prod, 'https://localhost:1/x')).toEqual({ kind: 'error', reason: 'forbidden address' });
      expect(await post(prod, 'https://169.254.169.254/latest')).toEqual({ kind: 'error', reason: 'forbidden address' });
      expect(seen.length).toBe(before);
    } finally {
      local.close();
      prod.close();
    }
  });
});

describe('coalescingPublisher', () => {
  it('merges the sends made together into SendMessageBatch calls of 10 and gives each caller its own refusals', async () => {
    const publisher = coalescingPublisher(new SqsQueuePublisher(new SQSClient({})));
    // the 3rd entry of the first batch (caller A's 'm2') and the 2nd of the second (caller B's 'm5') are refused
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: 'm2', Code: 'InternalError', SenderFault: false }] })
      .resolvesOnce({ Successful: [], Failed: [{ Id: 'm1', Code: 'InternalError', SenderFault: false }] });
    const messages = (prefix: string) => Array.from({ length: 6 }, (_, i) => ({ id: `m${i}`, body: `${prefix}${i}` }));
    const [a, b, other] = await Promise.all([
      publisher.send(DELIVERY_URL, messages('a')),
      publisher.send(DELIVERY_URL, messages('b')),
      publisher.send(FANOUT_URL, []),
    ]);
    expect(a).toEqual(['m2']);
    expect(b).toEqual(['m5']);
    expect(other).toEqual([]);
    const sends = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(sends.map((i) => i.Entries!.map((e) => e.MessageBody))).toEqual([
      ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'b0', 'b1', 'b2', 'b3'],
      ['b4', 'b5'],
    ]);
    expect(sends.every((i) => i.QueueUrl === DELIVERY_URL)).toBe(true);
  });

  it('fails every caller of a merged send that throws, and sends separately what was sent apart', async () => {
    let calls = 0;
    const publisher = coalescingPublisher({
      send: async () => {
        calls++;
        throw new Error('down');
      },
    });
    const results = await Promise.allSettled([publisher.send(DELIVERY_URL, [{ id: 'x', body: '1' }]), publisher.send(DELIVERY_URL, [{ id: 'x', body: '2' }])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(publisher.send(DELIVERY_URL, [{ id: 'y', body: '3' }])).rejects.toThrow('down');
    expect(calls).toBe(2);
  });
});

