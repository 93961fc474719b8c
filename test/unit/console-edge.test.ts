/**
 * The console API's edge (shared/http/console-edge.ts) with in-memory stores and a real token
 * verifier over a local key set: every route dispatches and demands a token; the operator's write
 * reaches the SAME create use case and its audit line names the operator; a viewer's write is
 * refused before any use case runs; an unknown route is a 404, and a deployment without sign-in
 * configured refuses with 503.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { zipArchive } from '../../shared/adapters/zip-archive';
import { MemoryObjects } from './notice/fakes';
import { CONSOLE_ROUTES, consoleApi, type ConsoleEdgeDeps } from '../../shared/http/console-edge';
import { makeConsoleAuthorizer, makeOperatorVerifier } from '../../shared/http/operator-auth';
import { HttpProblem } from '../../shared/http/problem';
import { createLogger } from '../../shared/observability/logger';
import type { ReceiptAnomaly, StoredReceipt } from '../../shared/use-cases/receipts/ports';
import { InMemoryPositions, InMemoryPublisher, InMemoryReceipts } from './receipts/fakes';
import { InMemorySubscriberStore } from './webhooks/fakes';
import { InMemoryGpdStore } from './positions/gpd-fakes';
import { hashApiKey } from '../../shared/domain/api-keys';
import type { MessageTemplate } from '../../shared/domain/app-io/templates';
import type { Actor } from '../../shared/use-cases/ports';
import { paidPosition } from '../fixtures/paid';
import { ESEMPIO, positionRequest } from '../fixtures/positions';
import { InMemoryDebtPositionStore, InMemoryOrganizationStore, answerOf, apiRequest, lambdaContext } from './positions/fakes';

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'console-api';
let token: (role: string, organizations?: string[]) => Promise<string>;
let deps: ConsoleEdgeDeps;
let positions: InMemoryDebtPositionStore;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] });
  token = (role, organizations = [ESEMPIO.fiscalCode]) =>
    new SignJWT({ role, organizations, preferred_username: `${role}.user`, name: `The ${role}` })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(`sub-${role}`)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  const organizations = new InMemoryOrganizationStore();
  await organizations.create(ESEMPIO);
  positions = new InMemoryDebtPositionStore();
  const verify = makeOperatorVerifier({ issuer: ISSUER, audience: AUDIENCE, keys });
  deps = {
    logger: createLogger(),
    positions,
    organizations,
    clock: () => new Date(),
    newId: () => crypto.randomUUID(),
    onCreated: () => undefined,
    notices: {} as ConsoleEdgeDeps['notices'],
    bulk: { uploads: { list: async () => ({ uploads: [] }) } } as unknown as ConsoleEdgeDeps['bulk'],
    reconciliation: {} as ConsoleEdgeDeps['reconciliation'],
    deadLetters: { queues: ['receipts'], deadLetters: deadLetterFake },
    paidOutside: new InMemoryGpdStore(positions),
    messages: { ofPosition: async () => [], countSince: async () => ({ io: 2, email: 1, skipped: 0, failed: 0, pending: 0 }) },
    positionDeliveries: { ofPosition: async () => [] },
    archives: { batches: { head: async () => undefined, chunkItems: async () => [] }, objects: new MemoryObjects(), zip: zipArchive, log: { info: () => undefined } },
    webhooks: { subscribers: webhookStore, clock: () => new Date(), newId: () => crypto.randomUUID(), newSecret: () => 'whsec_test', allowLoopbackHttp: true, publisher: webhookQueue, deliveryQueueUrl: 'local://webhook-delivery' },
    templates: (() => {
      const saved = new Map<string, { template: MessageTemplate; at: string; by?: Actor }>();
      return {
        get: async (ofc: string) => Object.fromEntries([...saved].filter(([k]) => k.startsWith(`${ofc}#`)).map(([k, v]) => [k.split('#')[1], v.template])),
        changes: async (ofc: string) => Object.fromEntries([...saved].filter(([k]) => k.startsWith(`${ofc}#`)).map(([k, v]) => [k.split('#')[1], { at: v.at, ...(v.by ? { by: v.by } : {}) }])),
        put: async (ofc: string, kind: string, template: MessageTemplate, at: string, by?: Actor) => void saved.set(`${ofc}#${kind}`, { template, at, ...(by ? { by } : {}) }),
      };
    })(),
    receipts: receiptStore,
    debtorPositions: { ofDebtor: async () => ({ positions: [], more: false }) },
    debtorNames: { byName: async (ofc, search, page) => (nameSearches.push({ ofc, search, limit: page.limit }), { positions: [] }) },
    verify,
    authorize: makeConsoleAuthorizer({ verify, organizations }),
  };
});

const receiptStore = new InMemoryReceipts(new InMemoryPositions());
const webhookStore = new InMemorySubscriberStore();
const nameSearches: Array<{ ofc: string; search: string; limit: number }> = [];
/** a receipts DLQ holding one message of Esempio and one of another tenant */
const parked = [
  { messageId: 'm-esempio', bytes: 10, body: JSON.stringify({ fiscalCode: ESEMPIO.fiscalCode, receiptId: 'r1' }), attributes: {} },
  { messageId: 'm-other', bytes: 10, body: JSON.stringify({ fiscalCode: '99999999999', receiptId: 'r2' }), attributes: {} },
];
const redriven: string[] = [];
const deadLetterFake = {
  list: async (queue: string) => ({ queue, depth: parked.length, messages: [...parked], moveTasks: [] }),
  redriveMessage: async (_queue: string, messageId: string, _max: number, accept: (m: (typeof parked)[number]) => boolean = () => true) => {
    const i = parked.findIndex((m) => m.messageId === messageId);
    if (i < 0 || !accept(parked[i]!)) return false;
    redriven.push(...parked.splice(i, 1).map((m) => m.messageId));
    return true;
  },
};
const webhookQueue = new InMemoryPublisher();

const withToken = (event: ReturnType<typeof apiRequest>, bearer?: string) => ({ ...event, headers: { ...event.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });
const params = { organizationFiscalCode: ESEMPIO.fiscalCode, iupd: 'IUPD-1' };

const ORG = '/console-api/organizations/{organizationFiscalCode}';
const call = async (method: string, route: string, role: string, extra: { query?: Record<string, string>; body?: unknown; anomalyId?: string; keyId?: string; kind?: string; webhookId?: string; eventId?: string } = {}) =>
  answerOf(
    consoleApi(deps)(
      withToken(apiRequest(method, `${ORG}${route}`, { params: { ...params, ...(extra.anomalyId ? { anomalyId: extra.anomalyId } : {}), ...(extra.keyId ? { keyId: extra.keyId } : {}), ...(extra.kind ? { kind: extra.kind } : {}), ...(extra.webhookId ? { webhookId: extra.webhookId } : {}), ...(extra.eventId ? { eventId: extra.eventId } : {}) }, key: null, ...(extra.query ? { query: extra.query } : {}), ...(extra.body !== undefined ? { body: extra.body } : {}) }), await token(role)),
      lambdaContext,
    ),
  );

describe('console edge', () => {
  it('every route answers 401 ProblemJson without a token, with the bearer challenge', async () => {
    const handler = consoleApi(deps);
    for (const key of Object.keys(CONSOLE_ROUTES)) {
      const [method, route] = key.split(' ') as [string, string];
      const answer = await answerOf(handler(apiRequest(method, route, { params, key: null, ...(method === 'POST' ? { body: {} } : {}) }), lambdaContext));
      expect([key, answer.status, answer.headers['www-authenticate']]).toEqual([key, 401, 'Bearer realm="console"']);
    }
  });

  it("an operator's create runs the create use case; its audit line names the operator", async () => {
    const handler = consoleApi(deps);
    const body = positionRequest({ iupd: 'CONSOLE-EDGE-1' });
    const event = withToken(apiRequest('POST', '/console-api/organizations/{organizationFiscalCode}/debtpositions', { params, key: null, body, query: { toPublish: 'true' } }), await token('operator'));
    const answer = await answerOf(handler(event, lambdaContext));
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    expect(answer.json.status).toBe('VALID');
    const trail = await positions.auditTrail(ESEMPIO.fiscalCode, 'CONSOLE-EDGE-1');
    expect(trail.map((a) => [a.action, a.actor.keyId, a.actor.operator])).toEqual([['create', 'console', { subject: 'sub-operator', username: 'operator.user', name: 'The operator', role: 'operator' }]]);
  });

  it("a position's detail carries the receipts of its notices, and no other notice's", async () => {
    const iuv = '12000000000000077';
    const { position, receipt } = paidPosition({ iupd: 'CONSOLE-PAID-1', iuv, receiptId: 'rcpt-console-1', amount: 12_345, at: '2026-11-02T10:00:00.000Z' });
    await positions.create(position, { at: position.insertedDate, action: 'create', actor: { organizationFiscalCode: ESEMPIO.fiscalCode, keyId: 'k', requestId: 'r' }, version: 1 }, []);
    const stored = (r: typeof receipt, id: string): StoredReceipt => ({ organizationFiscalCode: ESEMPIO.fiscalCode, iuv: r.creditorReferenceId, nav: r.noticeNumber, receiptId: id, state: 'APPLIED', iupd: position.iupd, recordedAt: '2026-11-02T10:00:01.000Z', receipt: { ...r, receiptId: id } });
    for (const r of [stored(receipt, 'rcpt-console-1'), stored({ ...receipt, creditorReferenceId: '12000000000000078' }, 'rcpt-other')]) receiptStore.stored.set(r.receiptId, r);
    const event = withToken(apiRequest('GET', '/console-api/organizations/{organizationFiscalCode}/debtpositions/{iupd}', { params: { ...params, iupd: 'CONSOLE-PAID-1' }, key: null }), await token('viewer'));
    const answer = await answerOf(consoleApi(deps)(event, lambdaContext));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.receipts).toEqual([
      expect.objectContaining({ receiptId: 'rcpt-console-1', iuv, state: 'APPLIED', outcome: 'OK', paymentAmount: 12_345, idPSP: receipt.idPSP, transfers: [expect.objectContaining({ idTransfer: 1, amount: 12_345 })] }),
    ]);
  });

  it("a position's detail carries the webhook deliveries of its events, read for the operator's municipality only", async () => {
    const asked: string[] = [];
    const withDeliveries: ConsoleEdgeDeps = {
      ...deps,
      positionDeliveries: {
        ofPosition: async (ofc, iupd, limit) => {
          asked.push(`${ofc}/${iupd}/${limit}`);
          return [{ eventId: 'e-1', eventType: 'payment.received', subscriberId: 'gone', attempts: 2, status: 'FAILED', lastStatusCode: 410, firstAttemptAt: '2026-11-02T10:00:02.000Z', lastAttemptAt: '2026-11-02T10:01:00.000Z', redeliverable: true }];
        },
      },
    };
    const event = withToken(apiRequest('GET', '/console-api/organizations/{organizationFiscalCode}/debtpositions/{iupd}', { params: { ...params, iupd: 'CONSOLE-PAID-1' }, key: null }), await token('viewer'));
    const answer = await answerOf(consoleApi(withDeliveries)(event, lambdaContext));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(asked).toEqual([`${ESEMPIO.fiscalCode}/CONSOLE-PAID-1/51`]);
    expect(answer.json.webhookDeliveries).toEqual({ limit: 50, more: false, items: [expect.objectContaining({ eventId: 'e-1', status: 'FAILED', lastStatusCode: 410, attempts: 2, redeliverable: true })] });
  });

  it('the same field-level messages as the back-office API', async () => {
    const handler = consoleApi(deps);
    const body = positionRequest({ iupd: 'CONSOLE-EDGE-2', fiscalCode: 'NOT-A-CODE' });
    const event = withToken(apiRequest('POST', '/console-api/organizations/{organizationFiscalCode}/debtpositions', { params, key: null, body }), await token('admin'));
    const answer = await answerOf(handler(event, lambdaContext));
    expect(answer.status).toBe(400);
    expect(answer.json.errors.map((e: { field: string }) => e.field)).toContain('fiscalCode');
  });

  it('a debtor-name search reads the name index with the normalized name, in the operator\'s municipality; a bad one is a 400 naming the field', async () => {
    const found = await call('GET', '/debtpositions', 'viewer', { query: { debtor_name: "  d'Angelo  Nicolò ", limit: '20' } });
    expect(found.status, JSON.stringify(found.json)).toBe(200);
    expect(found.json).toEqual({ items: [], limit: 20 });
    expect(nameSearches.at(-1)).toEqual({ ofc: ESEMPIO.fiscalCode, search: 'D ANGELO NICOLO', limit: 20 });
    const searches = nameSearches.length;
    for (const [query, field] of [
      [{ debtor_name: ' r. ' }, 'debtor_name'],
      [{ debtor_name: 'x'.repeat(71) }, 'debtor_name'],
      [{ debtor_name: 'rossi', debtor: 'RSSMRA80A01H501U' }, 'debtor'],
      [{ debtor_name: 'rossi', status: 'VALID' }, 'status'],
      [{ debtor_name: 'rossi', cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
    ] as const) {
      const answer = await call('GET', '/debtpositions', 'viewer', { query });
      expect([query, answer.status, (answer.json.errors as Array<{ field: string }> | undefined)?.map((e) => e.field.replace(/^query\./, ''))]).toEqual([query, 400, expect.arrayContaining([field])]);
    }
    expect(nameSearches.length).toBe(searches);
  });

  it("a viewer's write is refused (403) and nothing is stored", async () => {
    const handler = consoleApi(deps);
    const body = positionRequest({ iupd: 'CONSOLE-EDGE-3' });
    const event = withToken(apiRequest('POST', '/console-api/organizations/{organizationFiscalCode}/debtpositions', { params, key: null, body }), await token('viewer'));
    const answer = await answerOf(handler(event, lambdaContext));
    expect([answer.status, answer.json.detail]).toEqual([403, "the role 'viewer' does not allow this (read only)"]);
    expect(await positions.get(ESEMPIO.fiscalCode, 'CONSOLE-EDGE-3')).toBeUndefined();
  });

  it('an unknown route is a 404; a deployment without sign-in configured answers 503', async () => {
    expect((await answerOf(consoleApi(deps)(apiRequest('GET', '/console-api/nothing', { key: null }), lambdaContext))).status).toBe(404);
    const closed = async (): Promise<never> => {
      throw new HttpProblem(503, 'Service Unavailable', 'operator sign-in is not configured for this deployment');
    };
    const answer = await answerOf(consoleApi({ ...deps, verify: closed, authorize: closed })(withToken(apiRequest('GET', '/console-api/me', { key: null }), await token('admin')), lambdaContext));
    expect(answer.status).toBe(503);
  });

  describe('receipts and anomalies', () => {
    const anomaly = (receiptId: string, kind: ReceiptAnomaly['kind'], recordedAt: string, payerName = 'Mario Rossi'): ReceiptAnomaly => {
      const { receipt } = paidPosition({ iupd: `A-${receiptId}`, iuv: '12000000000000099', receiptId, amount: 5_000, at: recordedAt });
      return { organizationFiscalCode: ESEMPIO.fiscalCode, iuv: receipt.creditorReferenceId, nav: receipt.noticeNumber, receiptId, kind, detail: `the ${kind} case`, recordedAt, receipt: { ...receipt, payer: { ...receipt.debtor, fullName: payerName } } };
    };

    beforeAll(async () => {
      await receiptStore.recordAnomaly(anomaly('anom-1', 'AMOUNT_MISMATCH', '2026-11-10T09:00:00.000Z'));
      await receiptStore.recordAnomaly(anomaly('anom-2', 'UNKNOWN_NOTICE', '2026-11-11T09:00:00.000Z', '=HYPERLINK("http://evil")'));
      await receiptStore.recordAnomaly({ ...anomaly('anom-3', 'ALREADY_PAID', '2026-11-12T09:00:00.000Z'), organizationFiscalCode: '99999999999' });
    });

    it('lists the anomalies of the window and kind asked, and only the tenant\'s own', async () => {
      const all = await call('GET', '/anomalies', 'viewer');
      expect(all.status, JSON.stringify(all.json)).toBe(200);
      expect(all.json.items.map((a: { receiptId: string }) => a.receiptId)).toEqual(['anom-1', 'anom-2']);
      const ofKind = await call('GET', '/anomalies', 'viewer', { query: { kind: 'UNKNOWN_NOTICE' } });
      expect(ofKind.json.items.map((a: { receiptId: string }) => a.receiptId)).toEqual(['anom-2']);
      // a Rome day: 2026-11-10 is 2026-11-09T23:00Z .. 2026-11-10T22:59:59.999Z
      const ofDay = await call('GET', '/anomalies', 'viewer', { query: { from: '2026-11-10', to: '2026-11-10' } });
      expect(ofDay.json.items.map((a: { receiptId: string }) => a.receiptId)).toEqual(['anom-1']);
    });

    it('bad filters are refused naming each field', async () => {
      const answer = await call('GET', '/anomalies', 'viewer', { query: { from: '2026-13-40', kind: 'NOPE', state: 'maybe' } });
      expect(answer.status).toBe(400);
      expect(answer.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'kind', 'state']);
    });

    it("an operator's note closes an anomaly and names the operator; a viewer's is refused; the open ones are counted on the dashboard", async () => {
      const [first] = (await call('GET', '/anomalies', 'viewer')).json.items as Array<{ anomalyId: string }>;
      const refused = await call('POST', '/anomalies/{anomalyId}/notes', 'viewer', { anomalyId: first!.anomalyId, body: { note: 'seen', handled: true } });
      expect(refused.status).toBe(403);
      const empty = await call('POST', '/anomalies/{anomalyId}/notes', 'operator', { anomalyId: first!.anomalyId, body: { note: '   ', handled: true } });
      expect([empty.status, empty.json.errors?.[0]?.field]).toEqual([400, 'note']);
      expect((await call('GET', '/dashboard', 'viewer')).json.openAnomalies).toBe(2);
      const noted = await call('POST', '/anomalies/{anomalyId}/notes', 'operator', { anomalyId: first!.anomalyId, body: { note: 'refunded by the treasury', handled: true } });
      expect(noted.status, JSON.stringify(noted.json)).toBe(200);
      expect(noted.json).toMatchObject({ receiptId: 'anom-1', handled: true, notes: [{ text: 'refunded by the treasury', handled: true, by: { kind: 'operator', username: 'operator.user' } }] });
      expect((await call('GET', '/anomalies/{anomalyId}', 'viewer', { anomalyId: first!.anomalyId })).json.handled).toBe(true);
      expect((await call('GET', '/anomalies', 'viewer', { query: { state: 'open' } })).json.items.map((a: { receiptId: string }) => a.receiptId)).toEqual(['anom-2']);
      expect((await call('GET', '/dashboard', 'viewer')).json.openAnomalies).toBe(1);
      // reopened by a later note
      await call('POST', '/anomalies/{anomalyId}/notes', 'operator', { anomalyId: first!.anomalyId, body: { note: 'the refund bounced', handled: false } });
      expect((await call('GET', '/dashboard', 'viewer')).json.openAnomalies).toBe(2);
    });

    it("another tenant's anomaly, or an id that is not one, is a 404", async () => {
      const other = Buffer.from(JSON.stringify(['12000000000000099', 'anom-3'])).toString('base64url');
      expect((await call('GET', '/anomalies/{anomalyId}', 'admin', { anomalyId: other })).status).toBe(404);
      expect((await call('POST', '/anomalies/{anomalyId}/notes', 'admin', { anomalyId: other, body: { note: 'x', handled: true } })).status).toBe(404);
      expect((await call('GET', '/anomalies/{anomalyId}', 'admin', { anomalyId: 'not-an-id' })).status).toBe(404);
    });

    it('the CSV export has one line per anomaly and defuses a payer name a spreadsheet would run', async () => {
      const event = withToken(apiRequest('GET', `${ORG}/anomalies/export`, { params, key: null }), await token('viewer'));
      const answer = (await consoleApi(deps)(event, lambdaContext)) as APIGatewayProxyStructuredResultV2;
      expect([answer.statusCode, answer.headers?.['content-type']]).toEqual([200, 'text/csv; charset=utf-8']);
      const text = Buffer.from(answer.body ?? '', answer.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
      const lines = text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      expect(lines[0]).toBe('registrataIl,tipo,dettaglio,iuv,numeroAvviso,iupd,idRicevuta,importo,psp,pagatore,gestita,ultimaNota,notaDi,notaIl');
      expect(lines).toHaveLength(3);
      expect(lines[2]).toContain(`"'=HYPERLINK(""http://evil"")"`);
      expect(lines[1]).toContain(',50.00,');
    });

    it("the receipts list and the dashboard's payment figures", async () => {
      const now = new Date();
      const { receipt } = paidPosition({ iupd: 'TODAY-1', iuv: '12000000000000111', receiptId: 'rcpt-today', amount: 2_550, at: now.toISOString() });
      receiptStore.stored.set('rcpt-today', { organizationFiscalCode: ESEMPIO.fiscalCode, iuv: receipt.creditorReferenceId, nav: receipt.noticeNumber, receiptId: 'rcpt-today', state: 'APPLIED', recordedAt: now.toISOString(), receipt });
      const d = (await call('GET', '/dashboard', 'viewer')).json;
      expect(d.payments.today).toEqual({ count: 1, amount: 2_550 });
      expect(d.payments.month.count).toBeGreaterThanOrEqual(1);
      const list = await call('GET', '/receipts', 'viewer', { query: { limit: '2' } });
      expect(list.status).toBe(200);
      expect(list.json.items).toHaveLength(2);
      expect(list.json.cursor).toBeDefined();
      const next = await call('GET', '/receipts', 'viewer', { query: { limit: '2', cursor: list.json.cursor } });
      expect(next.json.items.map((r: { receiptId: string }) => r.receiptId)).toContain('rcpt-today');
    });
  });

  describe('API keys (admin)', () => {
    it("only an admin of the organization lists, issues and revokes them", async () => {
      for (const role of ['viewer', 'operator']) {
        expect((await call('GET', '/apikeys', role)).status).toBe(403);
        expect((await call('POST', '/apikeys', role, { body: { label: 'x' } })).status).toBe(403);
      }
      expect((await call('GET', '/apikeys', 'admin')).status).toBe(200);
    });

    it('a new key is shown once, authenticates as the tenant, and is never listed; revoking twice keeps the first revocation', async () => {
      const empty = await call('POST', '/apikeys', 'admin', { body: { label: '   ' } });
      expect([empty.status, empty.json.errors?.[0]?.field]).toEqual([400, 'label']);
      const issued = await call('POST', '/apikeys', 'admin', { body: { label: 'Gestionale mensa' } });
      expect(issued.status, JSON.stringify(issued.json)).toBe(201);
      expect(issued.json).toMatchObject({ label: 'Gestionale mensa', issuedBy: { kind: 'operator', username: 'admin.user' } });
      expect(issued.json.apiKey).toMatch(/^plk_[A-Za-z0-9_-]{43}$/);
      const tenant = await (deps.organizations as InMemoryOrganizationStore).findApiKeyByHash(hashApiKey(issued.json.apiKey));
      expect(tenant).toMatchObject({ keyId: issued.json.keyId, organizationFiscalCode: ESEMPIO.fiscalCode });
      const listed = await call('GET', '/apikeys', 'admin');
      expect(JSON.stringify(listed.json)).not.toContain(issued.json.apiKey);
      expect(listed.json.items.map((k: { keyId: string }) => k.keyId)).toContain(issued.json.keyId);
      const first = await call('POST', '/apikeys/{keyId}/revoke', 'admin', { keyId: issued.json.keyId });
      expect(first.json).toMatchObject({ keyId: issued.json.keyId, revokedBy: { kind: 'operator' } });
      const again = await call('POST', '/apikeys/{keyId}/revoke', 'admin', { keyId: issued.json.keyId });
      expect(again.json.revokedAt).toBe(first.json.revokedAt);
      expect((await call('POST', '/apikeys/{keyId}/revoke', 'admin', { keyId: 'ffffffffffff' })).status).toBe(404);
      expect((await (deps.organizations as InMemoryOrganizationStore).findApiKeyByHash(hashApiKey(issued.json.apiKey)))?.revokedAt).toBe(first.json.revokedAt);
    });
  });

  describe('App IO templates', () => {
    it('lists every kind with its text in use; a preview validates and renders without saving; only an admin saves, audited', async () => {
      const listed = await call('GET', '/io/templates', 'viewer');
      expect(listed.json.items.map((t: { kind: string; custom: boolean }) => [t.kind, t.custom])).toEqual([['new-notice', false], ['reminder', false], ['receipt', false], ['cancellation', false]]);
      const template = { subject: 'Avviso {{noticeNumber}}', markdown: '# {{description}}\n\nDa pagare **{{amount}} €** entro il {{dueDate}} a {{creditorName}}: codice avviso {{noticeNumber}}.' };
      const preview = await call('POST', '/io/templates/{kind}/preview', 'viewer', { body: template, kind: 'new-notice' });
      expect(preview.status, JSON.stringify(preview.json)).toBe(200);
      expect(preview.json.ok).toBe(true);
      expect(preview.json.example.subject).toBe('Avviso 3020 0000 0000 0001 84'); // grouped by four, as the renderer prints it
      expect(preview.json.example.markdown).toContain('120,50 €');
      expect(preview.json.example.markdown).toContain(ESEMPIO.name);
      const bad = await call('POST', '/io/templates/{kind}/preview', 'viewer', { body: { subject: 'x {{daysLeft}}', markdown: 'short' }, kind: 'new-notice' });
      expect(bad.json.ok).toBe(false);
      expect(bad.json.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual(['subject:PLACEHOLDER_NOT_ALLOWED']);
      const short = await call('POST', '/io/templates/{kind}/preview', 'viewer', { body: { subject: 'Avviso di pagamento', markdown: 'short' }, kind: 'new-notice' });
      expect(short.json.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual(['markdown:TOO_SHORT']);
      expect((await call('GET', '/io/templates', 'viewer')).json.items[0].custom).toBe(false);
      expect((await call('PUT', '/io/templates/{kind}', 'operator', { body: template, kind: 'new-notice' })).status).toBe(403);
      const refused = await call('PUT', '/io/templates/{kind}', 'admin', { body: { subject: 'x {{daysLeft}}', markdown: 'short' }, kind: 'new-notice' });
      expect([refused.status, refused.json.errors.map((e: { field: string }) => e.field)]).toEqual([400, ['subject']]);
      const saved = await call('PUT', '/io/templates/{kind}', 'admin', { body: template, kind: 'new-notice' });
      expect(saved.status, JSON.stringify(saved.json)).toBe(200);
      const after = (await call('GET', '/io/templates', 'viewer')).json.items[0];
      expect(after).toMatchObject({ kind: 'new-notice', custom: true, template, changed: { by: { kind: 'operator', username: 'admin.user' } } });
      expect((await call('PUT', '/io/templates/{kind}', 'admin', { body: template, kind: 'nope' })).status).toBe(404);
    });
  });

  describe('webhooks', () => {
    it('an admin registers a subscriber (secret once) and removes it; others list it and its deliveries', async () => {
      expect((await call('POST', '/webhooks', 'operator', { body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['payment.received'] } })).status).toBe(403);
      const bad = await call('POST', '/webhooks', 'admin', { body: { url: 'ftp://x', eventTypes: ['nope'] } });
      expect([bad.status, bad.json.errors.map((e: { field: string }) => e.field).sort()]).toEqual([400, ['eventTypes[0]']]);
      const created = await call('POST', '/webhooks', 'admin', { body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['payment.received'], description: 'tributi' } });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      expect(created.json.secret).toBe('whsec_test');
      const listed = await call('GET', '/webhooks', 'viewer');
      expect(listed.json.items).toEqual([expect.objectContaining({ id: created.json.id, url: 'http://127.0.0.1:9/hook' })]);
      expect(JSON.stringify(listed.json)).not.toContain('whsec_test');
      expect((await call('DELETE', '/webhooks/{webhookId}', 'operator', { webhookId: created.json.id })).status).toBe(403);
      expect((await call('DELETE', '/webhooks/{webhookId}', 'admin', { webhookId: created.json.id })).status).toBe(204);
      expect((await call('GET', '/webhooks', 'viewer')).json.items).toEqual([]);
    });

    it('a failed delivery is queued again with the same body, once; a delivered or retrying one is refused (409)', async () => {
      const { json: sub } = await call('POST', '/webhooks', 'admin', { body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['payment.received'] } });
      const at = new Date(Date.now() - 60_000).toISOString();
      const attempt = { organizationFiscalCode: ESEMPIO.fiscalCode, subscriberId: sub.id, eventType: 'payment.received', at, payload: '{"eventId":"e-failed"}' };
      await webhookStore.recordAttempt({ ...attempt, eventId: 'e-failed', status: 'FAILED', statusCode: 410 });
      await webhookStore.recordAttempt({ ...attempt, eventId: 'e-ok', status: 'DELIVERED', statusCode: 200 });
      const deliveries = await call('GET', '/webhooks/{webhookId}/deliveries', 'viewer', { webhookId: sub.id });
      expect(deliveries.json.items.map((d: { eventId: string; status: string; redeliverable: boolean }) => [d.eventId, d.status, d.redeliverable]).sort()).toEqual([['e-failed', 'FAILED', true], ['e-ok', 'DELIVERED', true]]);
      expect((await call('POST', '/webhooks/{webhookId}/deliveries/{eventId}/redeliver', 'viewer', { webhookId: sub.id, eventId: 'e-failed' })).status).toBe(403);
      const again = await call('POST', '/webhooks/{webhookId}/deliveries/{eventId}/redeliver', 'operator', { webhookId: sub.id, eventId: 'e-failed' });
      expect(again.status, JSON.stringify(again.json)).toBe(202);
      expect(again.json).toMatchObject({ status: 'RETRYING', redelivery: { by: { kind: 'operator', username: 'operator.user' } } });
      expect(webhookQueue.sent.map((m) => JSON.parse(m.message.body))).toEqual([{ eventId: 'e-failed', eventType: 'payment.received', organizationFiscalCode: ESEMPIO.fiscalCode, subscriberId: sub.id, payload: '{"eventId":"e-failed"}' }]);
      expect((await call('POST', '/webhooks/{webhookId}/deliveries/{eventId}/redeliver', 'operator', { webhookId: sub.id, eventId: 'e-ok' })).status).toBe(409);
      expect((await call('POST', '/webhooks/{webhookId}/deliveries/{eventId}/redeliver', 'operator', { webhookId: sub.id, eventId: 'nope' })).status).toBe(404);
      expect((await call('POST', '/webhooks/{webhookId}/deliveries/{eventId}/redeliver', 'operator', { webhookId: 'other', eventId: 'e-failed' })).status).toBe(404);
    });
  });

  describe('dead-letter queues (admin)', () => {
    it("shows every DLQ's depth but only the organization's messages, and redrives only those", async () => {
      expect((await call('GET', '/deadletters', 'operator')).status).toBe(403);
      const listed = await call('GET', '/deadletters', 'admin');
      expect(listed.status, JSON.stringify(listed.json)).toBe(200);
      expect(listed.json.items).toEqual([expect.objectContaining({ queue: 'receipts', depth: 2, messages: [expect.objectContaining({ messageId: 'm-esempio' })] })]);
      expect(JSON.stringify(listed.json)).not.toContain('r2');
      const route = '/deadletters/{queue}/{messageId}/redrive';
      const as = async (role: string, queue: string, messageId: string) =>
        answerOf(consoleApi(deps)(withToken(apiRequest('POST', `${ORG}${route}`, { params: { ...params, queue, messageId }, key: null, body: {} }), await token(role)), lambdaContext));
      expect((await as('admin', 'receipts', 'm-other')).status).toBe(404);
      expect((await as('admin', 'nope', 'm-esempio')).status).toBe(404);
      expect((await as('operator', 'receipts', 'm-esempio')).status).toBe(403);
      expect(redriven).toEqual([]);
      expect((await as('admin', 'receipts', 'm-esempio')).status).toBe(202);
      expect(redriven).toEqual(['m-esempio']);
    });
  });
});
