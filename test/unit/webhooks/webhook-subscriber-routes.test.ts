/**
 * The four REST routes of the subscribers through their seams (makeHandler) with an in-memory
 * store: the wire mapped to the use cases' commands and back, and every refusal as ProblemJson.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { WebhookApiDeps } from '../../../shared/composition/webhooks';
import { forbidden } from '../../../shared/http/problem';
import { MAX_SUBSCRIBERS_PER_TENANT } from '../../../shared/use-cases/webhooks/subscribers';
import { InMemorySubscriberStore, OFC, allowEveryTenant, httpEvent, lambdaContext, quietLogger, subscriber } from './fakes';

vi.hoisted(() => {
  process.env['TABLE_NAME_MAIN'] ??= 'unit-test-table';
});
import { makeHandler as createHandler } from '../../../functions/create-webhook-subscriber/handler';
import { makeHandler as deleteHandler } from '../../../functions/delete-webhook-subscriber/handler';
import { makeHandler as deliveriesHandler } from '../../../functions/list-webhook-deliveries/handler';
import { makeHandler as listHandler } from '../../../functions/list-webhook-subscribers/handler';

const base = `/organizations/${OFC}/webhooks`;

function setup(store = new InMemorySubscriberStore()) {
  let ids = 0;
  const deps: WebhookApiDeps = {
    logger: quietLogger(),
    authenticate: allowEveryTenant,
    subscribers: store,
    clock: () => new Date('2030-05-01T10:00:00.000Z'),
    newId: () => `sub-${++ids}`,
    newSecret: () => `whsec_${'s'.repeat(43)}`,
    allowLoopbackHttp: false,
  };
  const call = async (handler: ReturnType<typeof createHandler>, event: Parameters<typeof httpEvent>[0]) => {
    const response = (await handler(httpEvent(event), lambdaContext())) as APIGatewayProxyStructuredResultV2;
    return { status: response.statusCode, headers: response.headers ?? {}, json: response.body ? JSON.parse(response.body) : undefined };
  };
  return { deps, store, call };
}

const orgParams = { organizationFiscalCode: OFC };

describe('POST /organizations/{ofc}/webhooks', () => {
  it('registers a subscriber: 201, its location, and the secret this once', async () => {
    const { deps, store, call } = setup();
    const created = await call(createHandler(deps), {
      method: 'POST',
      path: base,
      pathParameters: orgParams,
      body: { url: 'https://backoffice.example.it/hooks', eventTypes: ['payment.received'], description: '  ragioneria ' },
    });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe(`${base}/sub-1`);
    expect(created.json).toEqual({
      id: 'sub-1',
      organizationFiscalCode: OFC,
      url: 'https://backoffice.example.it/hooks',
      eventTypes: ['payment.received'],
      description: 'ragioneria',
      status: 'ACTIVE',
      createdAt: '2030-05-01T10:00:00.000Z',
      secret: `whsec_${'s'.repeat(43)}`,
    });
    expect(store.subscribers.get(`${OFC}/sub-1`)).toMatchObject({ secret: `whsec_${'s'.repeat(43)}` });
  });

  it('refuses an unsafe URL (400 on `url`), repeated or unknown event types, and more than the cap (409)', async () => {
    const { deps, call } = setup(
      new InMemorySubscriberStore(...Array.from({ length: MAX_SUBSCRIBERS_PER_TENANT }, (_, i) => subscriber(`s${i}`, { organizationFiscalCode: '80003456784' }))),
    );
    const post = (body: unknown, organizationFiscalCode = OFC) =>
      call(createHandler(deps), { method: 'POST', path: `/organizations/${organizationFiscalCode}/webhooks`, pathParameters: { organizationFiscalCode }, body });
    const unsafe = await post({ url: 'https://169.254.169.254/latest/meta-data', eventTypes: ['payment.received'] });
    expect(unsafe.status).toBe(400);
    expect(unsafe.json.errors.map((e: { field: string }) => e.field)).toEqual(['url']);
    expect((await post({ url: 'https://backoffice.example.it/h', eventTypes: ['payment.received', 'payment.received'] })).status).toBe(400);
    expect((await post({ url: 'https://backoffice.example.it/h', eventTypes: ['payment.refunded'] })).status).toBe(400);
    expect((await post({ url: 'https://backoffice.example.it/h', eventTypes: ['payment.received'], secret: 'mine' })).status).toBe(400);
    expect((await post({ url: 'https://backoffice.example.it/h', eventTypes: ['payment.received'] }, '80003456784')).status).toBe(409);
  });

  it('answers with the authenticator’s refusal before reading the body', async () => {
    const { deps, store, call } = setup();
    const refused = await call(
      createHandler({
        ...deps,
        authenticate: async () => {
          throw forbidden('this API key is not authorized for that organization');
        },
      }),
      { method: 'POST', path: base, pathParameters: orgParams, body: { url: 'https://backoffice.example.it/h', eventTypes: ['payment.received'] } },
    );
    expect(refused.status).toBe(403);
    expect(store.calls).toEqual([]);
  });
});

describe('GET /organizations/{ofc}/webhooks', () => {
  it('lists the tenant’s subscribers oldest first, never their secrets', async () => {
    const { deps, call } = setup(
      new InMemorySubscriberStore(
        subscriber('late', { createdAt: '2030-03-01T00:00:00.000Z' }),
        subscriber('early', { createdAt: '2030-02-01T00:00:00.000Z' }),
        subscriber('theirs', { organizationFiscalCode: '80003456784' }),
      ),
    );
    const listed = await call(listHandler(deps), { method: 'GET', path: base, pathParameters: orgParams });
    expect(listed.status).toBe(200);
    expect(listed.json.webhooks.map((w: { id: string }) => w.id)).toEqual(['early', 'late']);
    expect(JSON.stringify(listed.json)).not.toContain('whsec_');
  });
});

describe('DELETE /organizations/{ofc}/webhooks/{webhookId}', () => {
  it('removes a subscriber (204), then 404; an implausible id is not looked up', async () => {
    const { deps, store, call } = setup(new InMemorySubscriberStore(subscriber('a')));
    const remove = (webhookId: string) =>
      call(deleteHandler(deps), { method: 'DELETE', path: `${base}/${webhookId}`, pathParameters: { ...orgParams, webhookId } });
    expect(await remove('a')).toMatchObject({ status: 204, json: undefined });
    expect((await remove('a')).status).toBe(404);
    store.calls.length = 0;
    expect((await remove('x'.repeat(129))).status).toBe(404);
    expect(store.calls).toEqual([]);
  });
});

describe('GET /organizations/{ofc}/webhooks/{webhookId}/deliveries', () => {
  function withDeliveries() {
    const store = new InMemorySubscriberStore(subscriber('a'));
    for (let i = 1; i <= 3; i++) {
      store.deliveries.set(`${OFC}/a/e${i}`, {
        eventId: `e${i}`,
        eventType: 'payment.received',
        subscriberId: 'a',
        attempts: 1,
        status: 'DELIVERED',
        lastStatusCode: 200,
        firstAttemptAt: `2030-05-0${i}T10:00:00.000Z`,
        lastAttemptAt: `2030-05-0${i}T10:00:00.000Z`,
        deliveredAt: `2030-05-0${i}T10:00:00.000Z`,
      });
    }
    return setup(store);
  }
  const get = (call: ReturnType<typeof setup>['call'], deps: WebhookApiDeps, webhookId: string, query?: Record<string, string>) =>
    call(deliveriesHandler(deps), { method: 'GET', path: `${base}/${webhookId}/deliveries`, pathParameters: { ...orgParams, webhookId }, query });

  it('pages the deliveries newest first with an opaque cursor (50 when no limit is given)', async () => {
    const { deps, store, call } = withDeliveries();
    const asked: number[] = [];
    const listDeliveries = store.listDeliveries.bind(store);
    store.listDeliveries = async (ofc, id, query) => (asked.push(query.limit), listDeliveries(ofc, id, query));
    const all = await get(call, deps, 'a');
    expect(asked).toEqual([50]);
    expect(all.status).toBe(200);
    expect(all.json).toEqual({ items: [expect.objectContaining({ eventId: 'e3' }), expect.objectContaining({ eventId: 'e2' }), expect.objectContaining({ eventId: 'e1' })] });
    const first = await get(call, deps, 'a', { limit: '2' });
    expect(first.json.items.map((d: { eventId: string }) => d.eventId)).toEqual(['e3', 'e2']);
    const second = await get(call, deps, 'a', { limit: '2', cursor: first.json.cursor });
    expect(second.json).toEqual({ items: [expect.objectContaining({ eventId: 'e1' })] });
  });

  it('400 for a cursor of another listing or a bad limit; 404 for an unknown subscriber', async () => {
    const { deps, call } = withDeliveries();
    const foreign = await get(call, deps, 'a', { cursor: `page:${OFC}/b:0` });
    expect(foreign.status).toBe(400);
    expect(foreign.json.errors).toEqual([{ field: 'cursor', message: 'not a cursor of this listing' }]);
    expect((await get(call, deps, 'a', { limit: '0' })).status).toBe(400);
    expect((await get(call, deps, 'a', { limit: '10', extra: 'x' })).status).toBe(400);
    expect((await get(call, deps, 'nobody')).status).toBe(404);
  });
});
