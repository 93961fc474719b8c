/**
 * The GPD bodies through the positions handlers' seams (makeHandler with in-memory fakes): the
 * update flow (back to DRAFT, then publish) and the events it writes, what a GPD client sends
 * back, the one 400 naming every offending field, the limits, and X-Request-Id.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env['TABLE_NAME_MAIN'] ??= 'positions-unit-test';
});

import type { CreatePositionApi } from '../../../shared/composition/positions';
import { createLogger } from '../../../shared/observability/logger';
import { reminderRequests } from '../../../shared/use-cases/app-io/reminders';
import { makeHandler as createPosition } from '../../../functions/create-debt-position/handler';
import { makeHandler as getPosition } from '../../../functions/get-debt-position/handler';
import { makeHandler as publishPosition } from '../../../functions/publish-debt-position/handler';
import { makeHandler as updatePosition } from '../../../functions/update-debt-position/handler';
import { ESEMPIO, positionRequest } from '../../fixtures/positions';
import { InMemoryDebtPositionStore, answerOf, apiRequest, fakeAuthenticator, lambdaContext } from './fakes';

const OFC = ESEMPIO.fiscalCode;
const KEY = 'test-key-0123456789abcdef';
const POSITIONS = '/organizations/{organizationFiscalCode}/debtpositions';
const ONE = `${POSITIONS}/{iupd}`;

let now: Date;
let store: InMemoryDebtPositionStore;
let deps: CreatePositionApi;
let ids: number;

beforeEach(() => {
  now = new Date('2026-11-27T10:00:00.000Z');
  store = new InMemoryDebtPositionStore();
  ids = 0;
  deps = {
    logger: createLogger(),
    authenticate: fakeAuthenticator(ESEMPIO, KEY),
    positions: store,
    clock: () => now,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    onCreated: () => undefined,
  };
});

const params = (more: Record<string, string> = {}) => ({ organizationFiscalCode: OFC, ...more });
const create = (body: unknown, query: Record<string, string> = {}) =>
  answerOf(createPosition(deps)(apiRequest('POST', POSITIONS, { params: params(), query, body, key: KEY }), lambdaContext));
const put = (iupd: string, body: unknown, query: Record<string, string> = {}) =>
  answerOf(updatePosition(deps)(apiRequest('PUT', ONE, { params: params({ iupd }), query, body, key: KEY }), lambdaContext));
const get = (iupd: string) => answerOf(getPosition(deps)(apiRequest('GET', ONE, { params: params({ iupd }), key: KEY }), lambdaContext));
const publish = (iupd: string) =>
  answerOf(publishPosition(deps)(apiRequest('POST', `${ONE}/publish`, { params: params({ iupd }), key: KEY }), lambdaContext));
const events = () => store.events.map((e) => ({ type: e.eventType, status: e.status, previous: e.previousStatus, payable: e.payable }));

describe('update like GPD', () => {
  it('a VALID position updated without toPublish is a DRAFT: not payable (its event says so), no reminder; publish makes it VALID again', async () => {
    const body = positionRequest();
    const iupd = String(body['iupd']);
    expect((await create(body, { toPublish: 'true' })).status).toBe(201);
    const read = await get(iupd);
    const updated = await put(iupd, { ...read.json, fullName: 'Maria Rossi' });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ status: 'DRAFT', version: 2 });
    expect(updated.json.publishDate).toBeUndefined();
    expect(events().slice(2)).toEqual([{ type: 'debt-position.updated', status: 'DRAFT', previous: 'VALID', payable: false }]);
    const stored = (await store.get(OFC, iupd))!;
    // a reminder 7 days before the due date would be due for a payable position; none for the DRAFT
    const weekBefore = new Date(Date.parse(stored.paymentOptions[0]!.dueDate) - 6.5 * 86_400_000);
    expect(reminderRequests(stored, [7, 1], weekBefore)).toEqual([]);
    expect(reminderRequests({ ...stored, status: 'VALID' }, [7, 1], weekBefore)).toHaveLength(1);

    const published = await publish(iupd);
    expect(published.json).toMatchObject({ status: 'VALID', version: 3 });
    expect(events().slice(3)).toEqual([{ type: 'debt-position.published', status: 'VALID', previous: 'DRAFT', payable: true }]);
  });

  it('with toPublish (any of Spring\u2019s spellings) it stays published; a DRAFT published by the update announces it', async () => {
    const body = positionRequest();
    const iupd = String(body['iupd']);
    await create(body);
    const first = await put(iupd, body, { toPublish: 'YES' });
    expect(first.json.status).toBe('VALID');
    expect(events().slice(1)).toEqual([
      { type: 'debt-position.updated', status: 'VALID', previous: 'DRAFT', payable: true },
      { type: 'debt-position.published', status: 'VALID', previous: 'DRAFT', payable: true },
    ]);
    const again = await put(iupd, body, { toPublish: 'on' });
    expect(again.json.status).toBe('VALID');
    expect(events().slice(3)).toEqual([{ type: 'debt-position.updated', status: 'VALID', previous: 'VALID', payable: true }]);
    expect((await put(iupd, body, { toPublish: 'maybe' })).json.errors).toEqual([{ field: 'toPublish', message: expect.any(String) }]);
  });
});

describe('what a GPD client sends and reads', () => {
  it('the create and GET responses sent back unchanged are taken; the response carries GPD\u2019s read fields', async () => {
    const body = positionRequest({ payStandIn: false });
    const iupd = String(body['iupd']);
    const created = await create(body, { toPublish: '1' });
    expect(created.json.payStandIn).toBe(false);
    expect(created.json.paymentOption[0]).toMatchObject({ notificationFee: 0, reportingDate: null, idFlowReporting: null, insertedDate: now.toISOString() });
    expect(created.json.paymentOption[0].transfer[0]).toMatchObject({ insertedDate: now.toISOString(), lastUpdatedDate: now.toISOString() });
    expect((await put(iupd, created.json, { toPublish: 'true' })).status).toBe(200);
    const read = await get(iupd);
    expect((await put(iupd, read.json, { toPublish: 'true' })).status).toBe(200);
    expect((await get(iupd)).json.payStandIn).toBe(false);
  });

  it('one 400 names every offending field, the schema\u2019s and the rules\u2019 together; nothing is stored', async () => {
    const body = positionRequest({ country: 'italy', province: null, phone: '' });
    const option = (body['paymentOption'] as Array<Record<string, any>>)[0]!;
    option['transfer'] = [{ ...option['transfer'][0], amount: 12000, iban: 'IT47K0503401633000000012345' }];
    option['paymentOptionMetadata'] = [{ key: 'NOTIFICATION_FEE', value: '1' }];
    const answer = await create(body);
    expect(answer.status).toBe(400);
    expect(answer.json.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'country',
      'paymentOption[0].paymentOptionMetadata[0].key',
      'paymentOption[0].transfer',
      'paymentOption[0].transfer[0].iban',
    ]);
    expect(answer.json.detail).toMatch(/^Invalid /);
    expect(store.events).toEqual([]);
  });

  it('X-Request-Id: a well-formed one is echoed, else the gateway\u2019s id', async () => {
    const handler = getPosition(deps);
    const event = apiRequest('GET', ONE, { params: params({ iupd: 'NOT-THERE' }), key: KEY });
    const mine = await answerOf(handler({ ...event, headers: { ...event.headers, 'X-Request-Id': 'order-2026/42' } }, lambdaContext));
    expect(mine.status).toBe(404);
    expect(mine.headers['x-request-id']).toBe('order-2026/42');
    const injected = await answerOf(handler({ ...event, headers: { ...event.headers, 'x-request-id': 'a\r\nSet-Cookie: x=1' } }, lambdaContext));
    expect(injected.headers['x-request-id']).toBe(event.requestContext.requestId);
    const none = await answerOf(handler(event, lambdaContext));
    expect(none.headers['x-request-id']).toBe(event.requestContext.requestId);
  });
});
