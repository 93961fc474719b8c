/**
 * GET …/debtors/{fiscalCode}/dossier?limit=&cursor= through its makeHandler with the in-memory
 * ports: the page as JSON with its `cursor`, and a 400 naming every offending field.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Caller, TenantAuthenticator } from '../../../shared/http/tenant-auth';
import { createLogger } from '../../../shared/observability/logger';
import { DEBTOR_CF, ESEMPIO } from '../../fixtures/positions';
import { context, setHandlerSettings } from '../io/fakes';
import { MemoryDossier, debtorPosition, messageOf, receiptOf } from './fakes';

setHandlerSettings();
const dossier = await import('../../../functions/get-debtor-dossier/handler');

const asEsempio: TenantAuthenticator = async (_headers, organizationFiscalCode, requestId): Promise<Caller> => ({
  actor: { organizationFiscalCode, keyId: 'key-1', requestId },
  organization: ESEMPIO,
});

function handlerOver(store: MemoryDossier) {
  const handler = dossier.makeHandler({ logger: createLogger(), authenticate: asEsempio, ...store.deps() });
  return async (fiscalCode: string, query: Record<string, string> = {}) => {
    const path = `/organizations/${ESEMPIO.fiscalCode}/debtors/${fiscalCode}/dossier`;
    const event = {
      version: '2.0',
      routeKey: 'GET /organizations/{organizationFiscalCode}/debtors/{fiscalCode}/dossier',
      rawPath: path,
      rawQueryString: new URLSearchParams(query).toString(),
      headers: { 'ocp-apim-subscription-key': 'unit-test-key' },
      pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode, fiscalCode },
      queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
      isBase64Encoded: false,
      requestContext: { requestId: 'request-1', http: { method: 'GET', path } },
    } as unknown as APIGatewayProxyEventV2;
    const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode, json: JSON.parse(result.body ?? 'null') };
  };
}

const fields = (json: { errors?: Array<{ field: string }> }) => (json.errors ?? []).map((e) => e.field).sort();

describe('GET …/debtors/{fiscalCode}/dossier?limit=&cursor=', () => {
  it('answers a page with its cursor; the cursor reads the next page; the last page has none', async () => {
    const store = new MemoryDossier();
    for (let i = 0; i < 25; i++) store.positions.push(debtorPosition(i, 3));
    const newest = store.positions.at(-1)!;
    store.receipts.push(receiptOf(newest, 1, '2027-02-01T10:00:00.000Z'));
    store.messages.push(messageOf(newest, 0, 'new-notice', '2026-11-02T00:00:00.000Z'));
    const get = handlerOver(store);
    const first = await get(DEBTOR_CF, { limit: '10' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ organizationFiscalCode: ESEMPIO.fiscalCode, fiscalCode: DEBTOR_CF, truncated: true, cursor: expect.any(String) });
    expect(first.json.positions).toHaveLength(10);
    expect(first.json.positions[0]).toMatchObject({
      iupd: newest.iupd,
      status: 'VALID',
      notice: { available: true, href: `/organizations/${ESEMPIO.fiscalCode}/debtpositions/${newest.iupd}/notice` },
      receipts: [{ nav: newest.paymentOptions[1]!.nav, state: 'APPLIED', amount: newest.paymentOptions[1]!.amount, psp: 'Banca Esempio' }],
      messages: [{ nav: newest.paymentOptions[0]!.nav, kind: 'new-notice', state: 'sent', channel: 'io' }],
    });
    expect(first.json.positions[0].paymentOptions).toHaveLength(3);
    const second = await get(DEBTOR_CF, { limit: '10', cursor: first.json.cursor });
    const third = await get(DEBTOR_CF, { limit: '10', cursor: second.json.cursor });
    expect([second.json.positions.length, third.json.positions.length]).toEqual([10, 5]);
    expect(third.json.truncated).toBe(false);
    expect('cursor' in third.json).toBe(false);
    const all = [first, second, third].flatMap((r) => r.json.positions.map((p: { iupd: string }) => p.iupd));
    expect(new Set(all).size).toBe(25);
    // no limit: 20
    expect((await get(DEBTOR_CF)).json.positions).toHaveLength(20);
  });

  it.each([
    [{ limit: '0' }, ['limit']],
    [{ limit: '51' }, ['limit']],
    [{ limit: 'abc' }, ['limit']],
    [{ limit: '2.5' }, ['limit']],
    [{ cursor: '' }, ['cursor']],
    [{ cursor: 'forged!' }, ['cursor']],
    [{ cursor: Buffer.from(JSON.stringify(['2026-11-01T00:00:00.000Z', 'A#B'])).toString('base64url') }, ['cursor']],
    [{ cursor: 'A'.repeat(3000) }, ['cursor']],
    [{ $where: '1' }, ['$where']],
    [{ page: '0', limit: '500' }, ['limit', 'page']],
  ])('%j → 400 naming %j, nothing read', async (query, named) => {
    const store = new MemoryDossier();
    store.positions.push(debtorPosition(1));
    const r = await handlerOver(store)(DEBTOR_CF, query as Record<string, string>);
    expect(r.status).toBe(400);
    expect(fields(r.json)).toEqual(named);
    expect(store.reads.positions).toBe(0);
  });

  it('a bad fiscal code and a bad query are named together', async () => {
    const wrong = `${DEBTOR_CF.slice(0, 15)}${DEBTOR_CF.endsWith('A') ? 'B' : 'A'}`;
    const get = handlerOver(new MemoryDossier());
    expect(fields((await get(wrong, { limit: 'x', cursor: 'forged!' })).json)).toEqual(['cursor', 'fiscalCode', 'limit']);
    expect(fields((await get('RSSMRA', { limit: '60' })).json)).toEqual(['fiscalCode', 'limit']);
    const alone = await get(wrong);
    expect(alone.status).toBe(400);
    expect(fields(alone.json)).toEqual(['fiscalCode']);
  });
});
