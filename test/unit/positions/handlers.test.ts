/**
 * The positions family's handlers through their seams: each `makeHandler` gets plain in-memory
 * deps (a position store, a fake authenticator, a clock), and an API Gateway or EventBridge
 * event; what comes back is what API Gateway would send. No AWS, no module mocking.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

// the modules build their production root when imported (never used here): give it a table name
vi.hoisted(() => {
  process.env['TABLE_NAME_MAIN'] ??= 'positions-unit-test';
});

import type { DebtPosition } from '../../../shared/domain/debt-position';
import { makeNoticeNumber } from '../../../shared/domain/notice-number';
import type { CreatePositionApi, StatusClock } from '../../../shared/composition/positions';
import { createLogger } from '../../../shared/observability/logger';
import { makeHandler as advanceStatuses } from '../../../functions/advance-position-statuses/handler';
import { makeHandler as createPosition } from '../../../functions/create-debt-position/handler';
import { makeHandler as deletePosition } from '../../../functions/delete-debt-position/handler';
import { makeHandler as getPosition } from '../../../functions/get-debt-position/handler';
import { makeHandler as getPaymentOption } from '../../../functions/get-payment-option/handler';
import { makeHandler as invalidatePosition } from '../../../functions/invalidate-debt-position/handler';
import { makeHandler as listPositions } from '../../../functions/list-debt-positions/handler';
import { makeHandler as publishPosition } from '../../../functions/publish-debt-position/handler';
import { makeHandler as updatePosition } from '../../../functions/update-debt-position/handler';
import { ESEMPIO, option, position, positionRequest } from '../../fixtures/positions';
import { InMemoryDebtPositionStore, answerOf, apiRequest, fakeAuthenticator, lambdaContext, organizationsOf } from './fakes';

const OFC = ESEMPIO.fiscalCode;
const KEY = 'test-key-0123456789abcdef';
const POSITIONS = '/organizations/{organizationFiscalCode}/debtpositions';
const ONE = `${POSITIONS}/{iupd}`;

let now: Date;
let store: InMemoryDebtPositionStore;
let created: DebtPosition[];
let deps: CreatePositionApi;
let ids: number;

beforeEach(() => {
  now = new Date('2026-11-27T10:00:00.000Z');
  store = new InMemoryDebtPositionStore();
  created = [];
  ids = 0;
  deps = {
    logger: createLogger(),
    authenticate: fakeAuthenticator(ESEMPIO, KEY),
    positions: store,
    clock: () => now,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    onCreated: (p) => created.push(p),
  };
});

const params = (more: Record<string, string> = {}) => ({ organizationFiscalCode: OFC, ...more });

async function create(body: Record<string, unknown>, query: Record<string, string> = {}) {
  return answerOf(createPosition(deps)(apiRequest('POST', POSITIONS, { params: params(), query, body, key: KEY }), lambdaContext));
}

describe('create-debt-position', () => {
  it('answers 201 with the position, its notice number assigned, and reports it created', async () => {
    const body = positionRequest();
    const answer = await create(body, { toPublish: 'true' });
    expect(answer.status).toBe(201);
    expect(answer.json.iupd).toBe(body['iupd']);
    expect(answer.json.status).toBe('VALID');
    // the tenant's counter hands out base 1 first: segregation code 12, check digits mod 93
    expect(answer.json.paymentOption[0].nav).toBe(makeNoticeNumber('12', 1n).nav);
    expect(answer.json.paymentOption[0].dueDate).toBe('2099-03-31T21:59:59.999Z');
    expect(answer.json.paymentOption[0].transfer[0].organizationFiscalCode).toBe(OFC);
    expect(created.map((p) => p.iupd)).toEqual([body['iupd']]);
    expect(store.events.map((e) => e.eventType)).toEqual(['debt-position.created', 'debt-position.published']);
    const [audit] = await store.auditTrail(OFC, String(body['iupd']));
    expect(audit).toMatchObject({ action: 'create', toStatus: 'VALID', actor: { keyId: 'key-1' } });
  });

  it('keeps a draft a draft without toPublish, and takes the notice number the back office chose', async () => {
    const chosen = makeNoticeNumber('12', 4242n);
    const base = positionRequest();
    const [first] = base['paymentOption'] as Array<Record<string, unknown>>;
    const answer = await create({ ...base, paymentOption: [{ ...first, nav: chosen.nav }] });
    expect(answer.status).toBe(201);
    expect(answer.json.status).toBe('DRAFT');
    expect(answer.json.paymentOption[0]).toMatchObject({ nav: chosen.nav, iuv: chosen.iuv });
    expect(store.events.map((e) => e.eventType)).toEqual(['debt-position.created']);
  });

  it('answers 400 ProblemJson naming every offending field, and stores nothing', async () => {
    const answer = await create(positionRequest({ fiscalCode: 'RCCMNL83S18D969A', fullName: '', country: 'italy' }));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.json).toMatchObject({ title: 'Bad Request', status: 400 });
    expect(answer.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['country', 'fiscalCode', 'fullName']);
    expect(created).toEqual([]);
    expect(store.events).toEqual([]);
  });

  it('answers 400 naming the field a domain rule refuses (transfers that do not sum to the amount)', async () => {
    const base = positionRequest();
    const [first] = base['paymentOption'] as Array<Record<string, unknown>>;
    const answer = await create({ ...base, paymentOption: [{ ...first, amount: 12051 }] });
    expect(answer.status).toBe(400);
    expect(answer.json.errors).toEqual([
      { field: 'paymentOption[0].transfer', message: 'the transfers sum to 12050 cents but the option amount is 12051 cents' },
    ]);
    expect(created).toEqual([]);
  });

  it('answers 409 to a duplicate iupd, reporting only the first as created', async () => {
    const body = positionRequest();
    expect((await create(body)).status).toBe(201);
    const again = await create(body);
    expect(again.status).toBe(409);
    expect(again.json.detail).toBe(`a debt position with iupd ${body['iupd']} exists already`);
    expect(created).toHaveLength(1);
  });

  it('answers 401 without a key and 403 on another tenant path, before reading the body', async () => {
    const handler = createPosition(deps);
    const noKey = await answerOf(handler(apiRequest('POST', POSITIONS, { params: params(), body: positionRequest(), key: null }), lambdaContext));
    expect(noKey.status).toBe(401);
    const other = await answerOf(
      handler(apiRequest('POST', POSITIONS, { params: { organizationFiscalCode: '80007654322' }, body: {}, key: KEY }), lambdaContext),
    );
    expect(other.status).toBe(403);
    expect(created).toEqual([]);
  });
});

describe('update-debt-position', () => {
  const put = (iupd: string, body: unknown, query: Record<string, string> = {}) =>
    answerOf(updatePosition(deps)(apiRequest('PUT', ONE, { params: params({ iupd }), query, body, key: KEY }), lambdaContext));

  it('replaces the content, keeping the notice number sent back, and bumps the version', async () => {
    const body = positionRequest();
    const first = await create(body, { toPublish: 'true' });
    const nav = first.json.paymentOption[0].nav;
    const [option0] = body['paymentOption'] as Array<Record<string, unknown>>;
    const answer = await put(String(body['iupd']), { ...body, fullName: 'Maria Rossi', paymentOption: [{ ...option0, nav }] });
    expect(answer.status).toBe(200);
    // GPD: a position replaced without toPublish is a DRAFT again (published again by a publish)
    expect(answer.json).toMatchObject({ fullName: 'Maria Rossi', status: 'DRAFT', version: 2 });
    expect(answer.json.paymentOption[0].nav).toBe(nav);
    expect(store.events.map((e) => e.eventType)).toEqual(['debt-position.created', 'debt-position.published', 'debt-position.updated']);
  });

  it('answers 400 when the body names another iupd than the path, 404 for an unknown one', async () => {
    const body = positionRequest();
    const mismatch = await put('SOMETHING-ELSE', body);
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.errors).toEqual([{ field: 'iupd', message: 'must be SOMETHING-ELSE, as in the path' }]);
    const unknown = await put(String(body['iupd']), body);
    expect(unknown.status).toBe(404);
  });
});

describe('list-debt-positions', () => {
  const list = (query: Record<string, string>) =>
    answerOf(listPositions(deps)(apiRequest('GET', POSITIONS, { params: params(), query, key: KEY }), lambdaContext));

  beforeEach(() => {
    ['2027-03-31', '2027-01-31', '2027-02-28'].forEach((day, i) =>
      store.seed(position({ iupd: `LIST-${i}`, status: 'VALID', paymentOptions: [option({ dueDate: `${day}T21:59:59.999Z` }, BigInt(100 + i))] })),
    );
  });

  it('pages GPD style: page 0 and limit 10 by default, newest first, page_info exact', async () => {
    const first = await list({ limit: '2', orderby: 'DUE_DATE', ordering: 'ASC' });
    expect(first.status).toBe(200);
    expect(first.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toEqual(['LIST-1', 'LIST-2']);
    expect(first.json.page_info).toEqual({ page: 0, limit: 2, items_found: 2, total_pages: 2 });
    const second = await list({ page: '1', limit: '2', orderby: 'DUE_DATE', ordering: 'ASC' });
    expect(second.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toEqual(['LIST-0']);
    expect(second.json.page_info).toEqual({ page: 1, limit: 2, items_found: 1, total_pages: 2 });
    const defaults = await list({});
    expect(defaults.json.page_info).toEqual({ page: 0, limit: 10, items_found: 3, total_pages: 1 });
    expect(defaults.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toEqual(['LIST-2', 'LIST-1', 'LIST-0']);
    const byIupd = await list({ orderby: 'IUPD', ordering: 'ASC' });
    expect(byIupd.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toEqual(['LIST-0', 'LIST-1', 'LIST-2']);
  });

  it('filters by a due-date window of whole Rome days and by status', async () => {
    const february = await list({ due_date_from: '2027-02-01', due_date_to: '2027-02-28' });
    expect(february.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toEqual(['LIST-2']);
    // alone, due_date_to spans the 30 days before it (GPD max.days.interval)
    const before = await list({ due_date_to: '2027-02-28' });
    expect(before.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toEqual(['LIST-2', 'LIST-1']);
    const drafts = await list({ status: 'DRAFT' });
    expect(drafts.json.payment_position_list).toEqual([]);
    expect(drafts.json.page_info.total_pages).toBe(0);
  });

  it('400 naming each offending parameter; 503 with Retry-After when the list is busy; 400 when the interval is too wide', async () => {
    const bad = await list({ page: 'x', limit: '51', orderby: 'AMOUNT', foo: '1' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['foo', 'limit', 'orderby', 'page']);
    const both = await list({ due_date_from: '2027-02-01', payment_date_time_to: '2027-02-01T10:00:00' });
    expect(both.json.errors.map((e: { field: string }) => e.field)).toEqual(['due_date_from', 'payment_date_time_to']);
    store.list = async () => ({ kind: 'busy', retryAfterSeconds: 1 });
    const busy = await list({ page: '900' });
    expect([busy.status, busy.headers['retry-after']]).toEqual([503, '1']);
    store.list = async () => ({ kind: 'too-wide', atLeast: 20_001, max: 20_000 });
    const wide = await list({ due_date_from: '2027-01-01', due_date_to: '2027-01-31' });
    expect(wide.status).toBe(400);
    expect(wide.json.errors.map((e: { field: string }) => e.field)).toEqual(['due_date_from', 'due_date_to']);
  });
});

describe('get-debt-position, get-payment-option, publish, invalidate, delete', () => {
  const call = (handler: ReturnType<typeof getPosition>, method: string, route: string, more: Record<string, string>) =>
    answerOf(handler(apiRequest(method, route, { params: params(more), key: KEY }), lambdaContext));

  it('reads a position with the status time has made, and never reads the table for an impossible iupd', async () => {
    store.seed(position({ iupd: 'LATER', status: 'PUBLISHED', validityDate: '2026-11-27T09:00:00.000Z' }));
    const read = await call(getPosition(deps), 'GET', ONE, { iupd: 'LATER' });
    expect(read.status).toBe(200);
    expect(read.json.status).toBe('VALID');
    expect((await call(getPosition(deps), 'GET', ONE, { iupd: 'NOPE' })).status).toBe(404);
    const reads = store.reads.length;
    expect((await call(getPosition(deps), 'GET', ONE, { iupd: 'x'.repeat(2000) })).status).toBe(404);
    expect(store.reads).toHaveLength(reads);
  });

  it('finds an option and its position by notice number', async () => {
    const body = positionRequest();
    const nav = (await create(body)).json.paymentOption[0].nav;
    const found = await call(getPaymentOption(deps), 'GET', '/organizations/{organizationFiscalCode}/paymentoptions/{nav}', { nav });
    expect(found.status).toBe(200);
    expect(found.json.paymentOption.nav).toBe(nav);
    expect(found.json.debtPosition.iupd).toBe(body['iupd']);
    expect((await call(getPaymentOption(deps), 'GET', '/organizations/{organizationFiscalCode}/paymentoptions/{nav}', { nav: '3' })).status).toBe(404);
  });

  it('publishes, invalidates and deletes following the GPD rules', async () => {
    const body = positionRequest();
    const iupd = String(body['iupd']);
    await create(body);
    expect((await call(invalidatePosition(deps), 'POST', `${ONE}/invalidate`, { iupd })).status).toBe(409);
    const published = await call(publishPosition(deps), 'POST', `${ONE}/publish`, { iupd });
    expect(published.status).toBe(200);
    expect(published.json).toMatchObject({ status: 'VALID', version: 2 });
    expect((await call(publishPosition(deps), 'POST', `${ONE}/publish`, { iupd })).status).toBe(409);
    expect((await call(invalidatePosition(deps), 'POST', `${ONE}/invalidate`, { iupd })).json.status).toBe('INVALID');
    const deleted = await call(deletePosition(deps), 'DELETE', ONE, { iupd });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toBe('The debt position was successfully deleted');
    expect((await call(getPosition(deps), 'GET', ONE, { iupd })).status).toBe(404);
    expect((await call(deletePosition(deps), 'DELETE', ONE, { iupd })).status).toBe(404);
    expect((await store.auditTrail(OFC, iupd)).map((a) => a.action)).toEqual(['create', 'publish', 'invalidate', 'delete']);
  });

  it('answers 409 when another request changed the position meanwhile', async () => {
    const body = positionRequest();
    await create(body);
    store.loseNextWrite = { conflict: 'version' };
    const lost = await call(publishPosition(deps), 'POST', `${ONE}/publish`, { iupd: String(body['iupd']) });
    expect(lost.status).toBe(409);
    expect(lost.json.detail).toContain('was changed by another request');
  });
});

describe('advance-position-statuses (the status clock)', () => {
  const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as never;
  let clock: StatusClock;

  beforeEach(() => {
    clock = { ...deps, organizations: organizationsOf(ESEMPIO) };
    store.seed(position({ iupd: 'DUE-NOW', status: 'PUBLISHED', validityDate: '2026-11-27T09:00:00.000Z' }));
    store.seed(position({ iupd: 'NOT-YET', status: 'PUBLISHED', validityDate: '2026-12-01T00:00:00.000Z', paymentOptions: [option({}, 2n)] }));
    store.seed(
      position({
        iupd: 'PAST-DUE',
        status: 'VALID',
        switchToExpired: true,
        paymentOptions: [option({ dueDate: '2026-11-26T22:59:59.999Z' }, 3n)],
      }),
    );
  });

  it('returns the summary of what it persisted, audited as the status clock with the invocation id', async () => {
    const run = await advanceStatuses(clock)(scheduled, lambdaContext);
    expect(run).toEqual({ activated: 1, expired: 1, skipped: 0 });
    expect((await store.get(OFC, 'DUE-NOW'))?.status).toBe('VALID');
    expect((await store.get(OFC, 'NOT-YET'))?.status).toBe('PUBLISHED');
    expect((await store.get(OFC, 'PAST-DUE'))?.status).toBe('EXPIRED');
    expect(store.events.map((e) => [e.iupd, e.eventType, e.previousStatus, e.status])).toEqual([
      ['DUE-NOW', 'debt-position.published', 'PUBLISHED', 'VALID'],
      ['PAST-DUE', 'debt-position.expired', 'VALID', 'EXPIRED'],
    ]);
    const [line] = await store.auditTrail(OFC, 'PAST-DUE');
    expect(line).toMatchObject({
      action: 'expire',
      fromStatus: 'VALID',
      toStatus: 'EXPIRED',
      version: 2,
      actor: { organizationFiscalCode: OFC, keyId: 'system:status-clock', requestId: 'aws-request-1' },
    });
    // nothing left to do: a second run changes nothing
    expect(await advanceStatuses(clock)(scheduled, lambdaContext)).toEqual({ activated: 0, expired: 0, skipped: 0 });
  });

  it('counts a position another request changed meanwhile as skipped, for the next run', async () => {
    store.loseNextWrite = { conflict: 'version' };
    expect(await advanceStatuses(clock)(scheduled, lambdaContext)).toEqual({ activated: 0, expired: 1, skipped: 1 });
    expect(await advanceStatuses(clock)(scheduled, lambdaContext)).toEqual({ activated: 1, expired: 0, skipped: 0 });
  });
});

describe('the positions composition root', () => {
  it('is built once per process on the platform, and counts PositionCreated for each position created', async () => {
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    const { platform } = await import('../../../shared/composition/platform');
    const { positionsRoot } = await import('../../../shared/composition/positions');
    const env = { TABLE_NAME_MAIN: 'positions-unit-test' };
    const root = positionsRoot(env);
    expect(positionsRoot(env)).toBe(root);
    expect(root.positions).toBe(platform(env).positions);
    expect(root.logger).toBe(platform(env).telemetry.logger);
    const addMetric = vi.spyOn(Metrics.prototype, 'addMetric');
    try {
      root.onCreated(position());
      expect(addMetric).toHaveBeenCalledWith('PositionCreated', 'Count', 1);
    } finally {
      addMetric.mockRestore();
    }
  });
});
