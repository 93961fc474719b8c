/**
 * The console API's edge (shared/http/console-edge.ts) with in-memory stores and a real token
 * verifier over a local key set: every route dispatches and demands a token; the operator's write
 * reaches the SAME create use case and its audit line names the operator; a viewer's write is
 * refused before any use case runs; an unknown route is a 404, and a deployment without sign-in
 * configured refuses with 503.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ROUTES, consoleApi, type ConsoleEdgeDeps } from '../../shared/http/console-edge';
import { makeConsoleAuthorizer, makeOperatorVerifier } from '../../shared/http/operator-auth';
import { HttpProblem } from '../../shared/http/problem';
import { createLogger } from '../../shared/observability/logger';
import type { StoredReceipt } from '../../shared/use-cases/receipts/ports';
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
    bulk: {} as ConsoleEdgeDeps['bulk'],
    receipts: { receiptsOf: async (ofc, iuv) => receipts.filter((r) => r.organizationFiscalCode === ofc && r.iuv === iuv) },
    debtorPositions: { ofDebtor: async () => ({ positions: [], more: false }) },
    verify,
    authorize: makeConsoleAuthorizer({ verify, organizations }),
  };
});

const receipts: StoredReceipt[] = [];

const withToken = (event: ReturnType<typeof apiRequest>, bearer?: string) => ({ ...event, headers: { ...event.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });
const params = { organizationFiscalCode: ESEMPIO.fiscalCode, iupd: 'IUPD-1' };

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
    receipts.push(stored(receipt, 'rcpt-console-1'), stored({ ...receipt, creditorReferenceId: '12000000000000078' }, 'rcpt-other'));
    const event = withToken(apiRequest('GET', '/console-api/organizations/{organizationFiscalCode}/debtpositions/{iupd}', { params: { ...params, iupd: 'CONSOLE-PAID-1' }, key: null }), await token('viewer'));
    const answer = await answerOf(consoleApi(deps)(event, lambdaContext));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.receipts).toEqual([
      expect.objectContaining({ receiptId: 'rcpt-console-1', iuv, state: 'APPLIED', outcome: 'OK', paymentAmount: 12_345, idPSP: receipt.idPSP, transfers: [expect.objectContaining({ idTransfer: 1, amount: 12_345 })] }),
    ]);
  });

  it('the same field-level messages as the back-office API', async () => {
    const handler = consoleApi(deps);
    const body = positionRequest({ iupd: 'CONSOLE-EDGE-2', fiscalCode: 'NOT-A-CODE' });
    const event = withToken(apiRequest('POST', '/console-api/organizations/{organizationFiscalCode}/debtpositions', { params, key: null, body }), await token('admin'));
    const answer = await answerOf(handler(event, lambdaContext));
    expect(answer.status).toBe(400);
    expect(answer.json.errors.map((e: { field: string }) => e.field)).toContain('fiscalCode');
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
});
