/**
 * Outgoing webhooks end to end on the local stack: a back office registers a subscriber pointing
 * at the back-office receiver simulator, a debt position is published through the REST API, the
 * outbox event travels table stream → event-dispatcher → webhook-fanout → webhook-deliverer →
 * HTTP, signed. Backoff is shortened through the deliverer's environment (≤ 1 s per retry); the
 * attempt count is the real catalog's (the delivery queue's maxReceiveCount).
 */
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../infra/catalog';
import { startBackOfficeReceiver, type BackOfficeReceiver } from '../../infra/local/simulators/back-office';
import { ALTROVE_FC, ALTROVE_KEY, ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';
import { positionRequest } from '../fixtures/positions';

const webhooks = `/organizations/${ESEMPIO_FC}/webhooks`;
const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
const MAX_ATTEMPTS = catalog.queues.find((q) => q.id === 'webhook-delivery')!.maxReceiveCount;

let stack: LocalStack;
let receiver: BackOfficeReceiver | undefined;

beforeAll(async () => {
  process.env['WEBHOOK_BACKOFF_BASE_SECONDS'] = '1';
  process.env['WEBHOOK_BACKOFF_MAX_SECONDS'] = '1';
  process.env['WEBHOOK_TIMEOUT_MS'] = '2000';
  stack = await startLocalStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** A receiver and a subscriber on it for `debt-position.published`. */
async function subscribe(faults: Parameters<typeof startBackOfficeReceiver>[0] = {}): Promise<{ id: string; secret: string }> {
  receiver = await startBackOfficeReceiver({ port: 0, ...faults });
  const created = await stack.api('POST', webhooks, {
    body: { url: receiver.url, eventTypes: ['debt-position.published'], description: 'ragioneria' },
  });
  expect(created.status, created.text).toBe(201);
  receiver.setSecret(created.json.secret);
  return { id: created.json.id, secret: created.json.secret };
}

/** Creates a draft and publishes it: exactly one `debt-position.published` event. */
async function publishPosition(): Promise<string> {
  const body = positionRequest();
  expect((await stack.api('POST', positions, { body })).status).toBe(201);
  expect((await stack.api('POST', `${positions}/${body['iupd']}/publish`)).status).toBe(200);
  return String(body['iupd']);
}

const publishedFor = (r: BackOfficeReceiver, iupd: string) =>
  r.requests.filter((q) => q.eventType === 'debt-position.published' && JSON.parse(q.body).iupd === iupd);

describe('outgoing webhooks', () => {
  it('registers a subscriber (secret shown once) and delivers one signed event with a stable id', async () => {
    const { id, secret } = await subscribe();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const listed = await stack.api('GET', webhooks);
    expect(listed.status).toBe(200);
    const mine = listed.json.webhooks.find((w: { id: string }) => w.id === id);
    expect(mine).toMatchObject({ id, url: receiver!.url, eventTypes: ['debt-position.published'], description: 'ragioneria', status: 'ACTIVE' });
    expect(listed.text).not.toContain(secret);
    expect(mine).not.toHaveProperty('secret');

    const iupd = await publishPosition();
    await stack.cloud.drain({ timeoutMs: 60_000 });

    const got = publishedFor(receiver!, iupd);
    expect(got).toHaveLength(1);
    expect(got[0]!.signatureValid).toBe(true);
    expect(got[0]!.status).toBe(200);
    const event = JSON.parse(got[0]!.body);
    expect(got[0]!.webhookId).toBe(event.eventId);
    expect(event).toMatchObject({ eventType: 'debt-position.published', organizationFiscalCode: ESEMPIO_FC, iupd, status: 'VALID' });
    // only the type subscribed to: the 'created' event of the draft was not sent
    expect(receiver!.requests.every((r) => r.eventType === 'debt-position.published')).toBe(true);

    const deliveries = await stack.api('GET', `${webhooks}/${id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.json.items).toEqual([
      expect.objectContaining({ eventId: event.eventId, subscriberId: id, status: 'DELIVERED', attempts: 1, lastStatusCode: 200, deliveredAt: expect.any(String) }),
    ]);
    expect((await stack.api('DELETE', `${webhooks}/${id}`)).status).toBe(204);
  }, 90_000);

  it('retries a back office that fails the first 2 tries: same id every time, accepted once', async () => {
    const { id } = await subscribe({ failFirst: 2, failureStatus: 503 });
    const iupd = await publishPosition();
    await stack.cloud.drain({ timeoutMs: 60_000 });

    const tries = publishedFor(receiver!, iupd);
    expect(tries.map((t) => t.status)).toEqual([503, 503, 200]);
    expect(new Set(tries.map((t) => t.webhookId)).size).toBe(1);
    expect(tries.every((t) => t.signatureValid)).toBe(true);
    // each try is signed afresh (new timestamp allowed) over the very same body
    expect(new Set(tries.map((t) => t.body)).size).toBe(1);
    expect(receiver!.events().filter((e) => e.event['iupd'] === iupd)).toEqual([expect.objectContaining({ acceptedCount: 1 })]);

    const deliveries = await stack.api('GET', `${webhooks}/${id}/deliveries`);
    expect(deliveries.json.items).toEqual([expect.objectContaining({ status: 'DELIVERED', attempts: 3, lastStatusCode: 200 })]);
    expect((await stack.api('DELETE', `${webhooks}/${id}`)).status).toBe(204);
  }, 90_000);

  it(`parks the delivery in the DLQ after the last of ${MAX_ATTEMPTS} tries to a back office that always fails`, async () => {
    const { id } = await subscribe({ alwaysStatus: 500 });
    const iupd = await publishPosition();
    await stack.cloud.drain({ timeoutMs: 90_000 });

    const tries = publishedFor(receiver!, iupd);
    expect(tries).toHaveLength(MAX_ATTEMPTS);
    expect(new Set(tries.map((t) => t.webhookId)).size).toBe(1);
    const eventId = tries[0]!.webhookId;

    const sqs = new SQSClient({ region: stack.cloud.region, endpoint: stack.cloud.endpoints.sqs, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const dlq = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.cloud.env['QUEUE_URL_WEBHOOK_DELIVERY_DLQ'], MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const parked = (dlq.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
      expect(parked).toEqual([expect.objectContaining({ eventId, subscriberId: id, eventType: 'debt-position.published' })]);
    } finally {
      sqs.destroy();
    }
    const deliveries = await stack.api('GET', `${webhooks}/${id}/deliveries`);
    expect(deliveries.json.items).toEqual([expect.objectContaining({ eventId, status: 'DEAD_LETTERED', attempts: MAX_ATTEMPTS, lastStatusCode: 500 })]);
    expect((await stack.api('DELETE', `${webhooks}/${id}`)).status).toBe(204);
  }, 150_000);

  it('keeps subscribers per tenant, refuses unsafe URLs and stops delivering once deleted', async () => {
    const { id } = await subscribe();
    expect((await stack.api('GET', webhooks, { key: ALTROVE_KEY })).status).toBe(403);
    expect((await stack.api('DELETE', `${webhooks}/${id}`, { key: ALTROVE_KEY })).status).toBe(403);
    expect((await stack.api('GET', `${webhooks}/${id}/deliveries`, { key: ALTROVE_KEY })).status).toBe(403);
    expect((await stack.api('GET', webhooks, { key: null })).status).toBe(401);
    // under its own organization the other tenant does not see ours
    expect((await stack.api('DELETE', `/organizations/${ALTROVE_FC}/webhooks/${id}`, { key: ALTROVE_KEY })).status).toBe(404);
    expect((await stack.api('GET', `/organizations/${ALTROVE_FC}/webhooks`, { key: ALTROVE_KEY })).json.webhooks).toEqual([]);

    for (const url of ['http://10.0.0.1/h', 'https://169.254.169.254/latest/meta-data', 'https://192.168.1.5/h', 'ftp://x.example.it/', 'http://backoffice.example.it/h']) {
      const refused = await stack.api('POST', webhooks, { body: { url, eventTypes: ['payment.received'] } });
      expect(refused.status, url).toBe(400);
      expect(refused.json.errors.map((e: { field: string }) => e.field)).toEqual(['url']);
    }
    const badType = await stack.api('POST', webhooks, { body: { url: 'https://backoffice.example.it/h', eventTypes: ['payment.refunded'] } });
    expect(badType.status).toBe(400);
    expect((await stack.api('POST', webhooks, { body: { url: 'https://backoffice.example.it/h', eventTypes: [] } })).status).toBe(400);
    expect((await stack.api('GET', `${webhooks}/${id}/deliveries?cursor=bm9wZQ`)).status).toBe(400);

    expect((await stack.api('DELETE', `${webhooks}/${id}`)).status).toBe(204);
    expect((await stack.api('DELETE', `${webhooks}/${id}`)).status).toBe(404);
    expect((await stack.api('GET', `${webhooks}/${id}/deliveries`)).status).toBe(404);
    const iupd = await publishPosition();
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(publishedFor(receiver!, iupd)).toHaveLength(0);
  }, 90_000);
});
