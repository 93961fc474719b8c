import { describe, expect, it } from 'vitest';
import { backoffCeilingSeconds, backoffDelaySeconds } from '../../../shared/domain/backoff';
import { verifyWebhookSignature } from '../../../shared/domain/webhook-signature';
import { classifyOutcome, deliverWebhook, type DeliveryDeps } from '../../../shared/use-cases/webhooks/delivery';
import type { AttemptToRecord, DeliveryRecord, SendOutcome, WebhookSubscriberWithSecret } from '../../../shared/use-cases/webhooks/ports';

const policy = { baseSeconds: 60, maxSeconds: 3600 };

describe('backoff schedule (exponential, full jitter)', () => {
  it('doubles the ceiling per failed attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((a) => backoffCeilingSeconds(a, policy))).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    expect(backoffCeilingSeconds(1000, policy)).toBe(3600);
    expect(backoffCeilingSeconds(0, policy)).toBe(60);
  });

  it('draws a whole number of seconds uniformly in [0, ceiling]', () => {
    expect(backoffDelaySeconds(3, policy, () => 0)).toBe(0);
    expect(backoffDelaySeconds(3, policy, () => 0.999999)).toBe(240);
    expect(backoffDelaySeconds(3, policy, () => 0.5)).toBe(120);
    // out-of-range randomness is clamped, never beyond the ceiling
    expect(backoffDelaySeconds(3, policy, () => 1)).toBe(240);
    expect(backoffDelaySeconds(3, policy, () => -1)).toBe(0);
    let seed = 7;
    const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const draws = Array.from({ length: 4000 }, () => backoffDelaySeconds(2, policy, lcg));
    expect(Math.min(...draws)).toBe(0);
    expect(Math.max(...draws)).toBe(120);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(55);
    expect(mean).toBeLessThan(65);
  });

  it('keeps the default 8 tries within about two hours', () => {
    const worst = [1, 2, 3, 4, 5, 6, 7].reduce((sum, a) => sum + backoffCeilingSeconds(a, policy), 0);
    expect(worst).toBe(7380);
  });
});

describe('classifying an answer', () => {
  const r = (status: number): SendOutcome => ({ kind: 'response', status });
  it('2xx delivered; 408, 429, 5xx and no answer retried; other answers refused for good', () => {
    expect([200, 201, 204, 299].map((s) => classifyOutcome(r(s)))).toEqual(Array(4).fill('delivered'));
    expect([408, 429, 500, 502, 503, 504].map((s) => classifyOutcome(r(s)))).toEqual(Array(6).fill('retryable'));
    expect(classifyOutcome({ kind: 'error', reason: 'ECONNREFUSED' })).toBe('retryable');
    expect([301, 302, 400, 401, 403, 404, 410, 422].map((s) => classifyOutcome(r(s)))).toEqual(Array(8).fill('permanent'));
  });
});

describe('deliverWebhook', () => {
  const subscriber: WebhookSubscriberWithSecret = {
    id: 'sub-1',
    organizationFiscalCode: '80001234568',
    url: 'https://backoffice.example.it/hooks',
    eventTypes: ['payment.received'],
    description: '',
    status: 'ACTIVE',
    createdAt: '2030-01-01T00:00:00.000Z',
    secret: 'whsec_abc',
  };
  const message = {
    eventId: '8d2b0f6e-7f3c-4a55-9d3c-1b2a3c4d5e6f',
    eventType: 'payment.received' as const,
    organizationFiscalCode: '80001234568',
    subscriberId: 'sub-1',
    payload: '{"eventId":"8d2b0f6e-7f3c-4a55-9d3c-1b2a3c4d5e6f","eventType":"payment.received","amount":1000}',
  };

  function setup(answers: SendOutcome[], existing?: Partial<DeliveryRecord>, sub: WebhookSubscriberWithSecret | null = subscriber) {
    const posts: Array<{ url: string; headers: Record<string, string>; body: string; timeoutMs: number }> = [];
    const recorded: AttemptToRecord[] = [];
    const deps: DeliveryDeps = {
      subscribers: {
        get: async () => sub ?? undefined,
        getDelivery: async () => (existing ? ({ attempts: 1, ...existing } as DeliveryRecord) : undefined),
        recordAttempt: async (a) => {
          recorded.push(a);
        },
      },
      sender: {
        post: async (req) => {
          posts.push(req);
          return answers.shift() ?? { kind: 'response', status: 200 };
        },
      },
      clock: () => new Date('2030-05-01T10:00:00.000Z'),
      random: () => 0.5,
      backoff: { baseSeconds: 10, maxSeconds: 100 },
      maxAttempts: 4,
      timeoutMs: 5000,
    };
    return { deps, posts, recorded };
  }

  it('POSTs the exact payload, signed, with the event id and type headers, and records DELIVERED', async () => {
    const { deps, posts, recorded } = setup([{ kind: 'response', status: 204 }]);
    expect(await deliverWebhook(deps, message, 1)).toEqual({ kind: 'done', why: 'delivered' });
    expect(posts).toHaveLength(1);
    const [post] = posts;
    expect(post!.body).toBe(message.payload);
    expect(post!.timeoutMs).toBe(5000);
    expect(post!.headers['X-Webhook-Id']).toBe(message.eventId);
    expect(post!.headers['X-Webhook-Event']).toBe('payment.received');
    const now = Date.parse('2030-05-01T10:00:00.000Z') / 1000;
    expect(post!.headers['X-Webhook-Signature']).toMatch(new RegExp(`^t=${now},v1=[0-9a-f]{64}$`));
    expect(verifyWebhookSignature({ header: post!.headers['X-Webhook-Signature'], body: post!.body, secrets: ['whsec_abc'], nowSeconds: now }).ok).toBe(true);
    expect(recorded).toEqual([expect.objectContaining({ status: 'DELIVERED', statusCode: 204, eventId: message.eventId, subscriberId: 'sub-1' })]);
  });

  it('retries a 503 after a jittered delay, and honours a longer Retry-After up to the cap', async () => {
    const a = setup([{ kind: 'response', status: 503 }]);
    // attempt 2: ceiling 20 s, random 0.5 → 10 s
    expect(await deliverWebhook(a.deps, message, 2)).toEqual({ kind: 'retry', delaySeconds: 10, statusCode: 503, error: undefined });
    expect(a.recorded[0]).toMatchObject({ status: 'RETRYING', statusCode: 503 });
    const b = setup([{ kind: 'response', status: 429, retryAfterSeconds: 500 }]);
    expect(await deliverWebhook(b.deps, message, 1)).toMatchObject({ kind: 'retry', delaySeconds: 100 });
    const c = setup([{ kind: 'error', reason: 'timed out after 5000 ms' }]);
    expect(await deliverWebhook(c.deps, message, 1)).toMatchObject({ kind: 'retry', error: 'timed out after 5000 ms' });
    expect(c.recorded[0]).toMatchObject({ status: 'RETRYING', error: 'timed out after 5000 ms' });
  });

  it('gives up on the last try (receive count = max attempts) so the queue parks it in the DLQ', async () => {
    const { deps, recorded } = setup([{ kind: 'response', status: 500 }]);
    expect(await deliverWebhook(deps, message, 4)).toEqual({ kind: 'dead-letter', statusCode: 500, error: undefined });
    expect(recorded[0]).toMatchObject({ status: 'DEAD_LETTERED', statusCode: 500 });
  });

  it('does not retry a 4xx refusal', async () => {
    const { deps, recorded } = setup([{ kind: 'response', status: 410 }]);
    expect(await deliverWebhook(deps, message, 1)).toEqual({ kind: 'done', why: 'refused' });
    expect(recorded[0]).toMatchObject({ status: 'FAILED', statusCode: 410 });
  });

  it('is idempotent per (event, subscriber): nothing is sent again once delivered or refused', async () => {
    for (const status of ['DELIVERED', 'FAILED'] as const) {
      const { deps, posts, recorded } = setup([], { status });
      expect(await deliverWebhook(deps, message, 1)).toEqual({ kind: 'done', why: 'already-done' });
      expect(posts).toHaveLength(0);
      expect(recorded).toHaveLength(0);
    }
    // a retry in flight or a replay from the DLQ is tried again
    const { deps, posts } = setup([], { status: 'DEAD_LETTERED' });
    expect(await deliverWebhook(deps, message, 1)).toMatchObject({ kind: 'done', why: 'delivered' });
    expect(posts).toHaveLength(1);
  });

  it('drops deliveries for a removed subscriber or one no longer subscribed to the type', async () => {
    const gone = setup([], undefined, null);
    expect(await deliverWebhook(gone.deps, message, 1)).toEqual({ kind: 'done', why: 'subscriber-gone' });
    const other = setup([], undefined, { ...subscriber, eventTypes: ['debt-position.published'] });
    expect(await deliverWebhook(other.deps, message, 1)).toEqual({ kind: 'done', why: 'unsubscribed' });
    expect(gone.posts.length + other.posts.length).toBe(0);
  });
});
