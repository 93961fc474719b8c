/**
 * The webhook-deliverer function through its seam (makeHandler) with in-memory ports: what the
 * queue is told for each decision (delete, come back after the backoff delay, on to the DLQ),
 * and what is counted.
 */
import { describe, expect, it, vi } from 'vitest';
import { observeDeliveries, type WebhookDelivererDeps } from '../../../shared/composition/webhooks';
import { verifyWebhookSignature } from '../../../shared/domain/webhook-signature';
import type { DeliveryDecision } from '../../../shared/use-cases/webhooks/delivery';
import type { SendOutcome } from '../../../shared/use-cases/webhooks/ports';
import { InMemorySubscriberStore, OFC, lambdaContext, quietLogger, sqsEvent, sqsRecord, subscriber, visibilityRecorder } from './fakes';

vi.hoisted(() => {
  process.env['TABLE_NAME_MAIN'] ??= 'unit-test-table';
  process.env['QUEUE_URL_WEBHOOK_DELIVERY'] ??= 'https://sqs.local/webhook-delivery';
});
import { makeHandler } from '../../../functions/webhook-deliverer/handler';

const MAX = 4;
const NOW = new Date('2030-05-01T10:00:00.000Z');

const message = (subscriberId: string, n: number) => {
  const eventId = `e0000000-0000-4000-8000-00000000000${n}`;
  return {
    eventId,
    eventType: 'payment.received' as const,
    organizationFiscalCode: OFC,
    subscriberId,
    payload: JSON.stringify({ eventId, eventType: 'payment.received', amount: 1000 }),
  };
};

/** `answers`: the subscriber's answer by subscriber id */
function setup(answers: Record<string, SendOutcome>) {
  const store = new InMemorySubscriberStore(...Object.keys(answers).map((id) => subscriber(id)));
  const posts: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  const visibility = visibilityRecorder();
  const decisions: Array<{ subscriberId: string; attempt: number; decision: DeliveryDecision }> = [];
  const deps: WebhookDelivererDeps = {
    logger: quietLogger(),
    maxReceiveCount: MAX,
    setVisibility: visibility.setVisibility,
    subscribers: store,
    sender: {
      post: async (request) => {
        posts.push(request);
        return answers[new URL(request.url).hostname.split('.')[0]!]!;
      },
    },
    clock: () => NOW,
    random: () => 0.5,
    backoff: { baseSeconds: 60, maxSeconds: 3600 },
    maxAttempts: MAX,
    timeoutMs: 5000,
    observe: (m, attempt, decision) => decisions.push({ subscriberId: m.subscriberId, attempt, decision }),
  };
  return { handler: makeHandler(deps), store, posts, visibility, decisions };
}

const statusOf = (store: InMemorySubscriberStore, subscriberId: string, n: number) =>
  store.deliveries.get(`${OFC}/${subscriberId}/${message(subscriberId, n).eventId}`);

describe('webhook-deliverer handler', () => {
  it('done: a delivered or refused message is deleted (not reported, no visibility change)', async () => {
    const { handler, store, posts, visibility, decisions } = setup({ ok: { kind: 'response', status: 204 }, gone: { kind: 'response', status: 410 } });
    const result = await handler(sqsEvent(sqsRecord(message('ok', 1), { id: 'ok' }), sqsRecord(message('gone', 2), { id: 'gone' })), lambdaContext());
    expect(result).toEqual({ batchItemFailures: [] });
    expect(visibility.changes.size).toBe(0);
    expect(statusOf(store, 'ok', 1)).toMatchObject({ status: 'DELIVERED', attempts: 1, lastStatusCode: 204 });
    expect(statusOf(store, 'gone', 2)).toMatchObject({ status: 'FAILED', lastStatusCode: 410 });
    const sent = posts.find((p) => p.url.startsWith('https://ok.'))!;
    expect(sent.body).toBe(message('ok', 1).payload);
    expect(verifyWebhookSignature({ header: sent.headers['X-Webhook-Signature'], body: sent.body, secrets: ['whsec_ok'], nowSeconds: NOW.getTime() / 1000 }).ok).toBe(true);
    expect(decisions.map((d) => [d.subscriberId, d.decision])).toEqual(
      expect.arrayContaining([
        ['ok', { kind: 'done', why: 'delivered' }],
        ['gone', { kind: 'done', why: 'refused' }],
      ]),
    );
  });

  it('retry: reported failed and visible again after the backoff delay, a longer Retry-After honoured', async () => {
    const { handler, store, visibility } = setup({ busy: { kind: 'response', status: 503 }, limited: { kind: 'response', status: 429, retryAfterSeconds: 300 } });
    const result = await handler(
      sqsEvent(sqsRecord(message('busy', 1), { id: 'busy', receiveCount: 2 }), sqsRecord(message('limited', 2), { id: 'limited', receiveCount: 1 })),
      lambdaContext(),
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['busy', 'limited']);
    // attempt 2: ceiling 120 s, random 0.5 → 60 s; attempt 1 with Retry-After 300 → 300 s
    expect(Object.fromEntries(visibility.changes)).toEqual({ 'rh-busy': 60, 'rh-limited': 300 });
    expect(statusOf(store, 'busy', 1)).toMatchObject({ status: 'RETRYING', lastStatusCode: 503 });
  });

  it('dead-letter: the last try failed, so it is visible again at once and SQS moves it to the DLQ', async () => {
    const { handler, store, visibility, decisions } = setup({ down: { kind: 'error', reason: 'ECONNREFUSED' } });
    const result = await handler(sqsEvent(sqsRecord(message('down', 1), { id: 'down', receiveCount: MAX })), lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'down' }]);
    expect(Object.fromEntries(visibility.changes)).toEqual({ 'rh-down': 0 });
    expect(statusOf(store, 'down', 1)).toMatchObject({ status: 'DEAD_LETTERED', lastError: 'ECONNREFUSED' });
    expect(decisions[0]).toMatchObject({ attempt: MAX, decision: { kind: 'dead-letter', error: 'ECONNREFUSED' } });
  });

  it('malformed: reported failed and visible again at once, nothing POSTed or recorded', async () => {
    const { handler, store, posts, visibility } = setup({ ok: { kind: 'response', status: 200 } });
    const result = await handler(
      sqsEvent(sqsRecord('{not json', { id: 'junk' }), sqsRecord({ ...message('ok', 1), payload: '' }, { id: 'empty' })),
      lambdaContext(),
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['empty', 'junk']);
    expect(Object.fromEntries(visibility.changes)).toEqual({ 'rh-junk': 0, 'rh-empty': 0 });
    expect(posts).toEqual([]);
    expect(store.deliveries.size).toBe(0);
  });

  it('a store failure leaves that message for the queue visibility timeout, the others of the batch done', async () => {
    const { handler, store, visibility } = setup({ broken: { kind: 'response', status: 200 }, ok: { kind: 'response', status: 200 } });
    store.failOn = { method: 'get', subscriberId: 'broken' };
    const result = await handler(sqsEvent(sqsRecord(message('broken', 1), { id: 'a' }), sqsRecord(message('ok', 2), { id: 'b' })), lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(visibility.changes.size).toBe(0);
    expect(statusOf(store, 'ok', 2)).toMatchObject({ status: 'DELIVERED' });
  });

  it('a duplicate of a delivered event is deleted without a second POST', async () => {
    const { handler, posts } = setup({ ok: { kind: 'response', status: 200 } });
    const record = sqsRecord(message('ok', 1), { id: 'ok' });
    await handler(sqsEvent(record), lambdaContext());
    expect(await handler(sqsEvent(record), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(posts).toHaveLength(1);
  });
});

describe('what the deliverer counts and logs (observeDeliveries)', () => {
  it('WebhookDelivered when delivered; WebhookFailed when refused for good or parked in the DLQ; nothing while retrying', () => {
    const counted: string[] = [];
    const lines: Array<[string, string]> = [];
    const logger = Object.fromEntries(['info', 'warn', 'error'].map((level) => [level, (text: string) => lines.push([level, text])]));
    const observe = observeDeliveries({ logger: logger as never, count: (metric) => counted.push(metric) });
    const m = message('s', 1);
    observe(m, 1, { kind: 'done', why: 'delivered' });
    observe(m, 1, { kind: 'done', why: 'already-done' });
    observe(m, 1, { kind: 'done', why: 'refused' });
    observe(m, 2, { kind: 'retry', delaySeconds: 10, statusCode: 503 });
    observe(m, 8, { kind: 'dead-letter', statusCode: 500 });
    expect(counted).toEqual(['WebhookDelivered', 'WebhookFailed', 'WebhookFailed']);
    expect(lines).toEqual([
      ['info', 'webhook delivery done'],
      ['info', 'webhook delivery done'],
      ['info', 'webhook delivery done'],
      ['warn', 'webhook delivery will be retried'],
      ['error', 'webhook delivery gave up: parked in the DLQ'],
    ]);
  });
});
