/**
 * GPD's operations beyond one position, through their handlers' seams (`makeHandler` with
 * in-memory deps): v2 bulk create / update / delete (all or nothing, a failure in the middle,
 * the repair), paids, the IBAN replacement, /info and the payment option by notice number; and
 * the list query's GPD rules (defaults, one-sided intervals, exclusive groups).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env['TABLE_NAME_MAIN'] ??= 'positions-unit-test';
});

import type { CreatePositionApi, GpdApi } from '../../../shared/composition/positions';
import type { Organization } from '../../../shared/domain/organization';
import { toListQuery, listQuerySchema } from '../../../shared/http/debt-position-list';
import { createLogger } from '../../../shared/observability/logger';
import { BULK_STALE_AFTER_MS, repairBulkOperations } from '../../../shared/use-cases/debt-positions/bulk';
import { makeHandler as createMany } from '../../../functions/create-debt-positions-bulk/handler';
import { makeHandler as deleteMany } from '../../../functions/delete-debt-positions-bulk/handler';
import { makeHandler as getPaymentOption } from '../../../functions/get-payment-option/handler';
import { makeHandler as info } from '../../../functions/gpd-info/handler';
import { makeHandler as markPaid } from '../../../functions/mark-payment-option-paid/handler';
import { makeHandler as replaceIban } from '../../../functions/replace-transfer-iban/handler';
import { makeHandler as updateMany } from '../../../functions/update-debt-positions-bulk/handler';
import { makeHandler as createOne } from '../../../functions/create-debt-position/handler';
import { ESEMPIO, positionRequest } from '../../fixtures/positions';
import { InMemoryDebtPositionStore, answerOf, apiRequest, fakeAuthenticator, lambdaContext } from './fakes';
import { InMemoryGpdStore } from './gpd-fakes';

const KEY = 'test-key-0123456789abcdef';
const OTHER_IBAN = 'IT55M0306909606100000117003';
const ORG: Organization = { ...ESEMPIO, ibans: [...ESEMPIO.ibans, OTHER_IBAN] };
const OFC = ORG.fiscalCode;
const V2 = '/gpd/debt-positions-service/v2/organizations/{organizationFiscalCode}/debtpositions';

let now: Date;
let store: InMemoryDebtPositionStore;
let gpd: InMemoryGpdStore;
let deps: GpdApi & CreatePositionApi;
let ids: number;

beforeEach(() => {
  now = new Date('2026-11-27T10:00:00.000Z');
  store = new InMemoryDebtPositionStore();
  gpd = new InMemoryGpdStore(store);
  ids = 0;
  deps = {
    logger: createLogger(),
    authenticate: fakeAuthenticator(ORG, KEY),
    positions: store,
    clock: () => now,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    onCreated: () => undefined,
    bulk: gpd,
    byIban: gpd,
    paidOutside: gpd,
    appInfo: { name: 'pagopa-layer', version: '0.1.0', environment: 'test' },
  };
});

const params = (more: Record<string, string> = {}) => ({ organizationFiscalCode: OFC, ...more });
const send = (handler: (e: never, c: never) => Promise<unknown>, method: string, route: string, options: Parameters<typeof apiRequest>[2] = {}) =>
  answerOf(handler(apiRequest(method, route, { params: params(), key: KEY, ...options }) as never, lambdaContext as never));
const bodies = (n: number) => Array.from({ length: n }, (_, i) => positionRequest({ iupd: `BULK-${i}` }));
const create = async (body: Record<string, unknown>, toPublish = true) =>
  (await send(createOne(deps), 'POST', '/organizations/{organizationFiscalCode}/debtpositions', { body, query: toPublish ? { toPublish: 'true' } : {} })).json;

describe('v2 bulk create', () => {
  it('201 without a body; every position stored, published with toPublish', async () => {
    const answer = await send(createMany(deps), 'POST', V2, { body: { paymentPositions: bodies(3) }, query: { toPublish: 'true' } });
    expect([answer.status, answer.json]).toEqual([201, undefined]);
    for (let i = 0; i < 3; i++) expect((await store.get(OFC, `BULK-${i}`))?.status).toBe('VALID');
    expect(store.events.filter((e) => e.eventType === 'debt-position.published')).toHaveLength(3);
    expect(gpd.records.size).toBe(0);
  });

  it('400 naming paymentPositions[i] with its fields, schema and rules together; nothing stored', async () => {
    const list = bodies(3);
    (list[1]!['paymentOption'] as any[])[0].transfer[0].amount = 1;
    delete list[2]!['fullName'];
    const answer = await send(createMany(deps), 'POST', V2, { body: { paymentPositions: list } });
    expect(answer.status).toBe(400);
    const fields = answer.json.errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('paymentPositions[2].fullName');
    expect(fields.some((f: string) => f.startsWith('paymentPositions[1].paymentOption[0]'))).toBe(true);
    expect(await store.get(OFC, 'BULK-0')).toBeUndefined();
    for (const body of [{ paymentPositions: [] }, { paymentPositions: bodies(101) }, {}]) {
      expect((await send(createMany(deps), 'POST', V2, { body })).status).toBe(400);
    }
  });

  it('409 naming an iupd that exists or is listed twice; nothing stored', async () => {
    await create(positionRequest({ iupd: 'BULK-1' }));
    const exists = await send(createMany(deps), 'POST', V2, { body: { paymentPositions: bodies(3) } });
    expect(exists.status).toBe(409);
    expect(exists.json.detail).toContain('BULK-1');
    expect(await store.get(OFC, 'BULK-0')).toBeUndefined();
    const twice = await send(createMany(deps), 'POST', V2, { body: { paymentPositions: [positionRequest({ iupd: 'X' }), positionRequest({ iupd: 'X' })] } });
    expect([twice.status, twice.json.errors[0].field]).toEqual([409, 'paymentPositions[1].iupd']);
  });

  it('a conflict while reserving (the 3rd) releases the two reserved: nothing stored, nothing announced', async () => {
    const list = bodies(5);
    const reserve = gpd.reserve.bind(gpd);
    let calls = 0;
    gpd.reserve = async (batchId, p) => (++calls === 3 ? { conflict: 'iupd' } : reserve(batchId, p));
    const answer = await send(createMany(deps), 'POST', V2, { body: { paymentPositions: list } });
    expect(answer.status).toBe(409);
    expect(gpd.pending.size).toBe(0);
    expect(gpd.records.size).toBe(0);
    expect(store.events).toEqual([]);
  });

  it('a crash after the decision: 500 now, and the repair commits every position later', async () => {
    gpd.crashAt('commitCreate', 3);
    const answer = await send(createMany(deps), 'POST', V2, { body: { paymentPositions: bodies(6) } });
    expect(answer.status).toBe(500);
    expect(gpd.records.size).toBe(1);
    gpd.crashAt('end', 1_000);
    now = new Date(now.getTime() + BULK_STALE_AFTER_MS + 1);
    expect(await repairBulkOperations(deps, [OFC])).toEqual({ rolledBack: 0, rolledForward: 1 });
    for (let i = 0; i < 6; i++) expect(await store.get(OFC, `BULK-${i}`)).toBeDefined();
    expect(gpd.records.size).toBe(0);
  });
});

describe('v2 bulk update and delete', () => {
  it('update: 200, every position replaced; 404 naming the unknown; 409 naming the one that cannot be', async () => {
    for (const b of bodies(2)) await create(b, false);
    const changed = bodies(2).map((b) => ({ ...b, officeName: 'Tributi' }));
    expect((await send(updateMany(deps), 'PUT', V2, { body: { paymentPositions: changed } })).status).toBe(200);
    expect((await store.get(OFC, 'BULK-1'))?.officeName).toBe('Tributi');
    const unknown = await send(updateMany(deps), 'PUT', V2, { body: { paymentPositions: [...changed, positionRequest({ iupd: 'NOPE' })] } });
    expect([unknown.status, unknown.json.errors[0].field]).toEqual([404, 'paymentPositions[2].iupd']);
    await create(positionRequest({ iupd: 'GONE' }));
    await send(markPaid(deps), 'POST', '/organizations/{organizationFiscalCode}/paymentoptions/paids/{nav}', {
      params: params({ nav: (await store.get(OFC, 'GONE'))!.paymentOptions[0]!.nav }),
      body: {},
    });
    const paid = await send(updateMany(deps), 'PUT', V2, { body: { paymentPositions: [...changed, positionRequest({ iupd: 'GONE' })] } });
    expect(paid.status).toBe(409);
    expect(paid.json.detail).toContain('GONE');
    expect(gpd.locks.size).toBe(0);
  });

  it('delete: 200; 400 for 21 or none; 404 naming the unknown; 409 for a paid one; nothing deleted then', async () => {
    for (const b of bodies(3)) await create(b);
    expect((await send(deleteMany(deps), 'DELETE', V2, { body: { paymentPositionIUPDs: Array.from({ length: 21 }, (_, i) => `X${i}`) } })).status).toBe(400);
    expect((await send(deleteMany(deps), 'DELETE', V2, { body: { paymentPositionIUPDs: [] } })).status).toBe(400);
    const unknown = await send(deleteMany(deps), 'DELETE', V2, { body: { paymentPositionIUPDs: ['BULK-0', 'NOPE'] } });
    expect([unknown.status, unknown.json.detail]).toEqual([404, expect.stringContaining('NOPE')]);
    await send(markPaid(deps), 'POST', '/organizations/{organizationFiscalCode}/paymentoptions/paids/{nav}', {
      params: params({ nav: (await store.get(OFC, 'BULK-2'))!.paymentOptions[0]!.nav }),
      body: {},
    });
    expect((await send(deleteMany(deps), 'DELETE', V2, { body: { paymentPositionIUPDs: ['BULK-0', 'BULK-2'] } })).status).toBe(409);
    expect(await store.get(OFC, 'BULK-0')).toBeDefined();
    expect((await send(deleteMany(deps), 'DELETE', V2, { body: { paymentPositionIUPDs: ['BULK-0', 'BULK-1'] } })).status).toBe(200);
    expect(await store.get(OFC, 'BULK-0')).toBeUndefined();
  });
});

describe('paids (a payment made outside pagoPA)', () => {
  const paids = '/organizations/{organizationFiscalCode}/paymentoptions/paids/{nav}';
  const pay = (nav: string, body: unknown = { paymentDate: '2026-11-26T09:30:00' }) => send(markPaid(deps), 'POST', paids, { params: params({ nav }), body });

  it('200 PaymentsModelResponse; the position PAID with the payment date; payment.received announced; then 409', async () => {
    const created = await create(positionRequest({ iupd: 'P1' }));
    const nav = created.paymentOption[0].nav;
    const answer = await pay(nav);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ nav, status: 'PO_PAID', idReceipt: 'CLOSED_AS_ALREADY_PAID_BY_EC', pspCompany: 'CLOSED_AS_ALREADY_PAID_BY_EC', serviceType: 'GPD' });
    // without an offset: Europe/Rome time (UTC+1 in November)
    expect(answer.json.paymentDate).toBe('2026-11-26T08:30:00.000Z');
    const stored = await store.get(OFC, 'P1');
    expect([stored?.status, stored?.paymentDate]).toEqual(['PAID', '2026-11-26T08:30:00.000Z']);
    expect(store.events.at(-1)).toMatchObject({ eventType: 'payment.received', nav, receiptId: 'CLOSED_AS_ALREADY_PAID_BY_EC', status: 'PAID', previousStatus: 'VALID' });
    expect((await store.auditTrail(OFC, 'P1')).at(-1)).toMatchObject({ action: 'payment', fromStatus: 'VALID', toStatus: 'PAID' });
    expect((await pay(nav)).status).toBe(409);
  });

  it('404 for an unknown notice number, 422 for a DRAFT, 400 for a bad body; null paymentDate is now', async () => {
    expect((await pay('312000000000009999')).status).toBe(404);
    const draft = await create(positionRequest({ iupd: 'P2' }), false);
    const notPayable = await pay(draft.paymentOption[0].nav);
    expect([notPayable.status, notPayable.json.title]).toEqual([422, 'Unprocessable Entity']);
    expect((await store.get(OFC, 'P2'))?.status).toBe('DRAFT');
    const valid = await create(positionRequest({ iupd: 'P3' }));
    expect((await pay(valid.paymentOption[0].nav, { paymentDate: 'yesterday' })).status).toBe(400);
    const nullDate = await pay(valid.paymentOption[0].nav, { paymentDate: null });
    expect([nullDate.status, nullDate.json.paymentDate]).toEqual([200, now.toISOString()]);
  });
});

describe('PATCH …/debtpositions/transfers (IBAN replacement)', () => {
  const route = '/organizations/{organizationFiscalCode}/debtpositions/transfers';
  const patch = (query: Record<string, string>, body: unknown = { newIban: OTHER_IBAN }) => send(replaceIban(deps), 'PATCH', route, { query, body });

  it('changes the organization\u2019s transfers of open, unpaid positions, at most `limit` per call', async () => {
    for (const i of [1, 2, 3]) await create(positionRequest({ iupd: `I${i}` }), i !== 3);
    await create(positionRequest({ iupd: 'I4' }));
    await send(markPaid(deps), 'POST', '/organizations/{organizationFiscalCode}/paymentoptions/paids/{nav}', {
      params: params({ nav: (await store.get(OFC, 'I4'))!.paymentOptions[0]!.nav }),
      body: {},
    });
    const first = await patch({ oldIban: ESEMPIO.ibans[0]!, limit: '2' });
    expect([first.status, first.json]).toEqual([200, { description: 'Updated IBAN on 2 Transfers', updatedTransfers: 2 }]);
    expect((await patch({ oldIban: ESEMPIO.ibans[0]! })).json.updatedTransfers).toBe(1);
    expect((await patch({ oldIban: ESEMPIO.ibans[0]! })).json.updatedTransfers).toBe(0);
    for (const iupd of ['I1', 'I2', 'I3']) expect((await store.get(OFC, iupd))?.paymentOptions[0]?.transfers[0]?.iban).toBe(OTHER_IBAN);
    expect((await store.get(OFC, 'I4'))?.paymentOptions[0]?.transfers[0]?.iban).toBe(ESEMPIO.ibans[0]);
    expect(store.events.filter((e) => e.eventType === 'debt-position.updated')).toHaveLength(3);
  });

  it('400 without oldIban or newIban, with limit above 1000, a bad or foreign newIban, an unknown parameter', async () => {
    expect((await patch({})).json.errors[0].field).toBe('oldIban');
    expect((await patch({ oldIban: OTHER_IBAN }, {})).json.errors[0].field).toBe('newIban');
    expect((await patch({ oldIban: OTHER_IBAN, limit: '1001' })).status).toBe(400);
    expect((await patch({ oldIban: OTHER_IBAN }, { newIban: 'IT79L0306909606100000117002' })).status).toBe(400);
    const foreign = await patch({ oldIban: OTHER_IBAN }, { newIban: 'IT53E0503411701000000054321' });
    expect([foreign.status, foreign.json.errors[0].message]).toEqual([400, 'the IBAN is not one of the organization registered IBANs']);
    expect((await patch({ oldIban: OTHER_IBAN, size: '3' })).json.errors[0].field).toBe('size');
  });
});

describe('/info and the payment option by notice number', () => {
  it('/info: AppInfo for any tenant\u2019s key, 401 without one', async () => {
    const ok = await send(info(deps), 'GET', '/info', { params: {} });
    expect([ok.status, ok.json]).toEqual([200, { name: 'pagopa-layer', version: '0.1.0', environment: 'test' }]);
    expect((await send(info(deps), 'GET', '/info', { params: {}, key: null })).status).toBe(401);
    expect((await send(info(deps), 'GET', '/info', { params: {}, key: 'someone-elses-0123456789' })).status).toBe(401);
  });

  it('GET …/paymentoptions/{nav}: the option flat with its debtor and position status (GPD PaymentsWithDebtorInfoModelResponse)', async () => {
    const created = await create(positionRequest({ iupd: 'N1' }));
    const nav = created.paymentOption[0].nav;
    const answer = await send(getPaymentOption(deps), 'GET', '/organizations/{organizationFiscalCode}/paymentoptions/{nav}', { params: params({ nav }) });
    expect(answer.json).toMatchObject({ nav, iupd: 'N1', fiscalCode: created.fiscalCode, fullName: 'Mario Rossi', debtPositionStatus: 'VALID', status: 'PO_UNPAID', serviceType: 'GPD' });
  });

  it('takes the IUV as well as the notice number, as GPD does (…IuvOr…Nav); 404 for neither', async () => {
    const created = await create(positionRequest({ iupd: 'N2' }));
    const { nav, iuv } = created.paymentOption[0];
    const route = '/organizations/{organizationFiscalCode}/paymentoptions/{nav}';
    const byIuv = await send(getPaymentOption(deps), 'GET', route, { params: params({ nav: iuv }) });
    expect([byIuv.status, byIuv.json.nav, byIuv.json.iuv]).toEqual([200, nav, iuv]);
    const unknown = await send(getPaymentOption(deps), 'GET', route, { params: params({ nav: '12000000000009999' }) });
    expect([unknown.status, unknown.json.detail]).toEqual([404, 'no payment option with notice number or IUV 12000000000009999']);
    const paid = await send(markPaid(deps), 'POST', '/organizations/{organizationFiscalCode}/paymentoptions/paids/{nav}', { params: params({ nav: iuv }), body: {} });
    expect([paid.status, paid.json.nav]).toEqual([200, nav]);
  });
});

describe('the list query, GPD rules', () => {
  const query = (q: Record<string, string>) => toListQuery(listQuerySchema.parse(q));

  it('defaults and one-sided intervals of 30 days', () => {
    expect(query({})).toEqual({ page: 0, limit: 10, orderBy: 'INSERTED_DATE', descending: true });
    expect(query({ due_date_from: '2027-01-31' }).dueDays).toEqual({ from: '2027-01-31', to: '2027-03-02' });
    expect(query({ due_date_to: '2027-03-01' }).dueDays).toEqual({ from: '2027-01-30', to: '2027-03-01' });
    // whole Rome days: 2027-01-10 00:00 Rome is 2027-01-09T23:00Z
    expect(query({ payment_date_from: '2027-01-10', payment_date_to: '2027-01-10' }).paidBetween).toEqual({ from: '2027-01-09T23:00:00.000Z', to: '2027-01-10T22:59:59.999Z' });
    expect(query({ payment_date_time_from: '2027-07-10T10:00:00' }).paidBetween).toEqual({ from: '2027-07-10T08:00:00.000Z', to: '2027-08-09T21:59:59.999Z' });
  });

  it('refuses two interval groups at once, and an interval ending before it starts', () => {
    expect(() => query({ due_date_from: '2027-01-01', payment_date_time_from: '2027-01-01T00:00:00' })).toThrow(/Exclusive Parameters/);
    expect(() => query({ payment_date_from: '2027-02-01', payment_date_to: '2027-01-01' })).toThrow(/must not be after/);
  });

  it('refuses an interval of more than 30 days as GPD does (checkDatesInterval), and takes exactly 30', () => {
    expect(query({ due_date_from: '2027-01-01', due_date_to: '2027-01-31' }).dueDays).toEqual({ from: '2027-01-01', to: '2027-01-31' });
    expect(() => query({ due_date_from: '2027-01-01', due_date_to: '2027-02-01' })).toThrow(/spans 31 days, more than 30/);
    expect(() => query({ payment_date_from: '2027-01-01', payment_date_to: '2027-12-31' })).toThrow(/more than 30/);
    expect(query({ payment_date_time_from: '2027-01-01T00:00:00', payment_date_time_to: '2027-01-31T23:59:59' }).paidBetween).toBeDefined();
    expect(() => query({ payment_date_time_from: '2027-01-01T00:00:00', payment_date_time_to: '2027-02-01T00:00:00' })).toThrow(/more than 30/);
  });
});
