/**
 * The back-office receipt routes (list-receipts, list-receipt-anomalies, get-receipts-of-notice)
 * through their makeHandler, with an in-memory store and a stand-in authenticator.
 */
import { describe, expect, it } from 'vitest';
import { forbidden } from '../../../shared/http/problem';
import type { TenantAuthenticator } from '../../../shared/http/tenant-auth';
import type { StoredReceipt } from '../../../shared/use-cases/receipts/ports';
import { option } from '../../fixtures/positions';
import { ESEMPIO, InMemoryPositions, InMemoryReceipts, call, httpEvent, logger, receiptFor, setHandlerSettings } from './fakes';

setHandlerSettings();
const listReceipts = (await import('../../../functions/list-receipts/handler')).makeHandler;
const listAnomalies = (await import('../../../functions/list-receipt-anomalies/handler')).makeHandler;
const receiptsOfNotice = (await import('../../../functions/get-receipts-of-notice/handler')).makeHandler;

/** Lets ESEMPIO's own key through; anything else is another tenant's (403). */
const authenticate: TenantAuthenticator = async (headers, organizationFiscalCode, requestId) => {
  if (headers['ocp-apim-subscription-key'] !== 'esempio-key' || organizationFiscalCode !== ESEMPIO.fiscalCode) {
    throw forbidden('this API key is not authorized for that organization');
  }
  return { actor: { organizationFiscalCode, keyId: 'k1', requestId }, organization: ESEMPIO };
};

const ORG = `/organizations/${ESEMPIO.fiscalCode}`;
const headers = { 'ocp-apim-subscription-key': 'esempio-key' };

function stored(receiptId: string, state: StoredReceipt['state'], recordedAt: string, iuv = option().iuv): StoredReceipt {
  const o = option();
  return { organizationFiscalCode: ESEMPIO.fiscalCode, iuv, nav: o.nav, receiptId, state, recordedAt, receipt: receiptFor(o, { receiptId }) };
}

function routes() {
  const receipts = new InMemoryReceipts(new InMemoryPositions());
  const deps = { logger, authenticate, receipts };
  return { receipts, list: listReceipts(deps), anomalies: listAnomalies(deps), ofNotice: receiptsOfNotice(deps) };
}

describe('receipt routes (makeHandler)', () => {
  it('GET …/receipts/{iuv}: every receipt of the notice and the one that paid it; 404 when there is none', async () => {
    const r = routes();
    await r.receipts.recordReceipt(stored('r-ko', 'KO', '2026-12-01T09:00:00.000Z'));
    await r.receipts.recordReceipt(stored('r-ok', 'APPLIED', '2026-12-01T10:00:00.000Z'));
    const iuv = option().iuv;
    const found = await call(r.ofNotice, httpEvent({ method: 'GET', path: `${ORG}/receipts/${iuv}`, headers, pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode, iuv } }));
    expect(found.statusCode).toBe(200);
    expect(found.json.iuv).toBe(iuv);
    expect(found.json.paidBy).toBe('r-ok');
    expect(found.json.receipts.map((x: StoredReceipt) => x.receiptId)).toEqual(['r-ko', 'r-ok']);

    const onlyKo = routes();
    await onlyKo.receipts.recordReceipt(stored('r-ko', 'KO', '2026-12-01T09:00:00.000Z'));
    const unpaid = await call(onlyKo.ofNotice, httpEvent({ method: 'GET', path: `${ORG}/receipts/${iuv}`, headers, pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode, iuv } }));
    expect(unpaid.json).not.toHaveProperty('paidBy');

    const none = await call(r.ofNotice, httpEvent({ method: 'GET', path: `${ORG}/receipts/01000000000000099`, headers, pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode, iuv: '01000000000000099' } }));
    expect([none.statusCode, none.json.title]).toEqual([404, 'Not Found']);
    const bad = await call(r.ofNotice, httpEvent({ method: 'GET', path: `${ORG}/receipts/abc`, headers, pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode, iuv: 'abc' } }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json.errors.map((e: { field: string }) => e.field)).toEqual(['iuv']);
  });

  it('GET …/receipts pages with the cursor the store hands out; a cursor it did not is a 400 naming `cursor`', async () => {
    const r = routes();
    for (let i = 0; i < 3; i++) await r.receipts.recordReceipt(stored(`r-${i}`, 'APPLIED', `2026-12-01T1${i}:00:00.000Z`, `0100000000000000${i}`));
    const get = (query: Record<string, string>) =>
      call(r.list, httpEvent({ method: 'GET', path: `${ORG}/receipts`, headers, query, pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode } }));
    const first = await get({ limit: '2' });
    expect(first.statusCode).toBe(200);
    expect(first.json.receipts.map((x: StoredReceipt) => x.receiptId)).toEqual(['r-0', 'r-1']);
    expect(first.json.cursor).toBe('at:2');
    const last = await get({ limit: '2', cursor: first.json.cursor });
    expect(last.json.receipts.map((x: StoredReceipt) => x.receiptId)).toEqual(['r-2']);
    expect(last.json).not.toHaveProperty('cursor');
    const forged = await get({ cursor: 'not-a-cursor' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json.errors).toEqual([{ field: 'cursor', message: 'use the cursor of the previous page as is' }]);
  });

  it("GET …/receipts/anomalies lists the tenant's anomalies; another tenant's key is a 403", async () => {
    const r = routes();
    const o = option();
    await r.receipts.recordAnomaly({
      organizationFiscalCode: ESEMPIO.fiscalCode,
      iuv: o.iuv,
      nav: o.nav,
      receiptId: 'r-x',
      kind: 'AMOUNT_MISMATCH',
      detail: 'paid 1 cents, the option is 10000 cents',
      recordedAt: '2026-12-01T10:00:00.000Z',
      receipt: receiptFor(o, { receiptId: 'r-x', paymentAmount: 1 }),
    });
    const list = await call(r.anomalies, httpEvent({ method: 'GET', path: `${ORG}/receipts/anomalies`, headers, pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode } }));
    expect(list.statusCode).toBe(200);
    expect(list.json.anomalies.map((a: { receiptId: string; kind: string }) => [a.receiptId, a.kind])).toEqual([['r-x', 'AMOUNT_MISMATCH']]);
    // filtered as the console filters: by kind, by state (no note closed it: open)
    const query = (queryStringParameters: Record<string, string>) =>
      call(r.anomalies, httpEvent({ method: 'GET', path: `${ORG}/receipts/anomalies`, headers, pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode }, query: queryStringParameters }));
    expect((await query({ kind: 'UNKNOWN_NOTICE' })).json.anomalies).toEqual([]);
    expect((await query({ state: 'open' })).json.anomalies).toHaveLength(1);
    expect((await query({ state: 'handled' })).json.anomalies).toEqual([]);
    const bad = await query({ state: 'closed' });
    expect([bad.statusCode, bad.json.errors?.[0]?.field]).toEqual([400, 'state']);
    const other = await call(
      r.anomalies,
      httpEvent({ method: 'GET', path: `${ORG}/receipts/anomalies`, headers: { 'ocp-apim-subscription-key': 'altrove-key' }, pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode } }),
    );
    expect(other.statusCode).toBe(403);
  });
});
