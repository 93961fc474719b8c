/**
 * Contract of pagoPA GPD v2 (openapi/openapi_external_v2.json, pagopa-debt-position 1.1.37) over
 * HTTP on the local stack, under GPD's base path /gpd/debt-positions-service/v2: the bulk
 * operations (POST, PUT and DELETE on …/debtpositions, MultiplePaymentPositionModel and
 * MultipleIUPDModel), paids, info.
 *
 * What GPD really does, from its sources: bulk create/update take 1..100 positions
 * (ValidMaxDebtPositions, max.massive.debt.positions = 100 in every environment) and are one
 * transaction (saveAllAndFlush: a unique violation fails the whole list with 409); bulk delete
 * takes 1..20 iupds (MultipleIUPDModel @Size(max = 20)), 404 when one is unknown, 409 when one
 * was paid, and deletes nothing then. The results are read back through v1 reads at the root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alreadyPaid, asJacksonSerializes, multipleIupds, multiplePositions, requiredOnly, requiredTransfer, type Json } from '../fixtures/gpd/bodies';
import { GPD_V2, GpdClient, describeReply, startGpdStack, type GpdStack, type Reply } from '../fixtures/gpd/client';
import { expectAppInfo, expectJsonReply, expectPaidOption, expectProblem, problemText } from '../fixtures/gpd/expect';
import { payThroughNode, verifyNotice } from '../fixtures/gpd/node';
import { ESEMPIO, LISTA, localDateTime, navOf } from '../fixtures/gpd/tenants';

const ORG = ESEMPIO.fiscalCode;
let stack: GpdStack;
/** v1 at the root: the layer's existing reads, to look at what the bulk calls did */
let root: GpdClient;
let v2: GpdClient;

beforeAll(async () => {
  stack = await startGpdStack();
  root = new GpdClient(stack.url, ESEMPIO.key);
  v2 = root.at(GPD_V2);
});
afterAll(async () => {
  await stack?.stop();
});

async function setup(reply: Promise<Reply>, status: number, what: string): Promise<Json> {
  const r = await reply;
  if (r.status !== status) throw new Error(`setup (${what}) failed: ${describeReply(r)}`);
  return r.json as Json;
}
const created = (body: Json, toPublish = false) => setup(root.create(ORG, body, toPublish ? { toPublish: true } : {}), 201, `create ${body['iupd']}`);
const nav0 = (body: Json): string => navOf((body['paymentOption'] as Json[])[0]!['iuv']);
const statusOf = async (iupd: string): Promise<number> => (await root.get(ORG, iupd)).status;
const statusesOf = (bodies: Json[]) => Promise.all(bodies.map((b) => statusOf(b['iupd'])));
const many = (n: number) => Array.from({ length: n }, () => requiredOnly());

describe(`GET ${GPD_V2}/info (healthCheck)`, () => {
  it('answers 200 AppInfo', async () => {
    expectAppInfo(await v2.info());
  });
});

describe(`POST ${GPD_V2}/organizations/{organizationfiscalcode}/debtpositions (createMultiplePositions)`, () => {
  it('creates every position of the list: 201; each is then readable, DRAFT', async () => {
    const bodies = [requiredOnly(), asJacksonSerializes(requiredOnly()), requiredOnly()];
    const reply = await v2.createMany(ORG, multiplePositions(bodies));
    expect(reply.status, describeReply(reply)).toBe(201);
    for (const body of bodies) {
      const read = await root.get(ORG, body['iupd']);
      expect(read.status, describeReply(read)).toBe(200);
      expect(read.json?.status).toBe('DRAFT');
      expect(read.json?.paymentOption?.[0]?.iuv).toBe(body['paymentOption'][0].iuv);
    }
  });

  it('toPublish=true publishes every position of the list', async () => {
    const bodies = many(2);
    const reply = await v2.createMany(ORG, multiplePositions(bodies), { toPublish: true });
    expect(reply.status, describeReply(reply)).toBe(201);
    for (const body of bodies) expect((await root.get(ORG, body['iupd'])).json?.status).toBe('VALID');
  });

  // GPD answers these 409s without saying which position (DEBT_POSITION_UNIQUE_VIOLATION); naming it
  // is this layer's promise (README: errors name every offending field), asserted here too.
  it('all or nothing: an iupd that exists already → 409 ProblemJson naming it, and no position of the list is created', async () => {
    const existing = requiredOnly();
    await created(existing);
    const fresh = many(2);
    const reply = await v2.createMany(ORG, multiplePositions([fresh[0]!, requiredOnly({ iupd: existing['iupd'] }), fresh[1]!]));
    expectProblem(reply, 409);
    expect(problemText(reply)).toContain(existing['iupd']);
    expect(await statusesOf(fresh)).toEqual([404, 404]);
  });

  it('all or nothing: the same iupd twice in the list → 409 naming it, nothing created', async () => {
    const a = requiredOnly();
    const twin = requiredOnly({ iupd: a['iupd'] });
    const other = requiredOnly();
    const reply = await v2.createMany(ORG, multiplePositions([a, other, twin]));
    expectProblem(reply, 409);
    expect(problemText(reply)).toContain(a['iupd']);
    expect(await statusesOf([a, other])).toEqual([404, 404]);
  });

  it('all or nothing: one IUV in two positions of the list → 409 naming it, nothing created', async () => {
    const a = requiredOnly();
    const b = requiredOnly({ options: [{ iuv: a['paymentOption'][0].iuv }] });
    const reply = await v2.createMany(ORG, multiplePositions([a, b]));
    expectProblem(reply, 409);
    expect(problemText(reply)).toContain(a['paymentOption'][0].iuv);
    expect(await statusesOf([a, b])).toEqual([404, 404]);
  });

  // GPD reports a cross-field error without the list index; the layer names paymentPositions[i]
  it('all or nothing: one invalid position (transfers not adding up) → 400 naming it, nothing created', async () => {
    const good = requiredOnly();
    const bad = requiredOnly({ options: [{ amount: 10000, transfer: [requiredTransfer(9000)] }] });
    const reply = await v2.createMany(ORG, multiplePositions([good, bad]));
    expectProblem(reply, 400);
    expect(problemText(reply)).toContain('paymentPositions[1]');
    expect(await statusesOf([good, bad])).toEqual([404, 404]);
  });

  it('takes up to 100 positions in one call', { timeout: 120_000 }, async () => {
    const bodies = many(100);
    const reply = await v2.createMany(ORG, multiplePositions(bodies));
    expect(reply.status, describeReply(reply)).toBe(201);
    expect(await statusesOf([bodies[0]!, bodies[49]!, bodies[99]!])).toEqual([200, 200, 200]);
  });

  it('400 ProblemJson for 101 positions, an empty list, no paymentPositions; nothing created', async () => {
    const bodies = many(101);
    expectProblem(await v2.createMany(ORG, multiplePositions(bodies)), 400);
    expect(await statusesOf([bodies[0]!, bodies[100]!])).toEqual([404, 404]);
    expectProblem(await v2.createMany(ORG, multiplePositions([])), 400);
    expectProblem(await v2.createMany(ORG, {}), 400);
  });
});

describe(`PUT ${GPD_V2}/organizations/{organizationfiscalcode}/debtpositions (updateMultiplePositions)`, () => {
  const changed = (body: Json, description: string): Json => ({
    ...body,
    paymentOption: (body['paymentOption'] as Json[]).map((o) => ({ ...o, description })),
  });

  it('updates every listed position: 200; the changes are visible', async () => {
    const bodies = many(2);
    await Promise.all(bodies.map((b) => created(b)));
    const reply = await v2.updateMany(ORG, multiplePositions(bodies.map((b) => changed(b, 'TARI 2026 - rettifica'))));
    expect(reply.status, describeReply(reply)).toBe(200);
    for (const b of bodies) expect((await root.get(ORG, b['iupd'])).json?.paymentOption?.[0]?.description).toBe('TARI 2026 - rettifica');
  });

  it('accepts the Java-serialized bodies (nulls), and toPublish=true publishes', async () => {
    const bodies = many(2);
    await Promise.all(bodies.map((b) => created(b)));
    const reply = await v2.updateMany(ORG, multiplePositions(bodies.map((b) => asJacksonSerializes(changed(b, 'TARI 2026 - definitivo')))), { toPublish: true });
    expect(reply.status, describeReply(reply)).toBe(200);
    for (const b of bodies) expect((await root.get(ORG, b['iupd'])).json?.status).toBe('VALID');
  });

  it('all or nothing: an unknown iupd → 404 ProblemJson, nothing changed', async () => {
    const known = requiredOnly();
    await created(known);
    const unknown = requiredOnly();
    const reply = await v2.updateMany(ORG, multiplePositions([changed(known, 'mai applicata'), unknown]));
    expectProblem(reply, 404);
    expect(problemText(reply), 'the 404 names the unknown iupd').toContain(unknown['iupd']);
    expect((await root.get(ORG, known['iupd'])).json?.paymentOption?.[0]?.description).toBe(known['paymentOption'][0].description);
  });

  it('all or nothing: a position that cannot be updated (INVALID) → 409 ProblemJson naming it, nothing changed', async () => {
    const fine = requiredOnly();
    const invalid = requiredOnly();
    await Promise.all([created(fine), created(invalid, true)]);
    await setup(root.invalidate(ORG, invalid['iupd']), 200, 'invalidate');
    const reply = await v2.updateMany(ORG, multiplePositions([changed(fine, 'mai applicata'), changed(invalid, 'mai applicata')]));
    expectProblem(reply, 409);
    expect(problemText(reply)).toContain(invalid['iupd']);
    expect((await root.get(ORG, fine['iupd'])).json?.paymentOption?.[0]?.description).toBe(fine['paymentOption'][0].description);
  });

  it('400 ProblemJson for 101 positions and for an empty list', async () => {
    expectProblem(await v2.updateMany(ORG, multiplePositions(many(101))), 400);
    expectProblem(await v2.updateMany(ORG, multiplePositions([])), 400);
  });
});

describe(`DELETE ${GPD_V2}/organizations/{organizationfiscalcode}/debtpositions (deleteMultipleDebtPositions)`, () => {
  it('deletes every listed position: 200; each is then 404', async () => {
    const bodies = many(3);
    await Promise.all(bodies.map((b) => created(b, true)));
    const reply = await v2.deleteMany(ORG, multipleIupds(bodies.map((b) => b['iupd'])));
    expect(reply.status, describeReply(reply)).toBe(200);
    expect(await statusesOf(bodies)).toEqual([404, 404, 404]);
  });

  it('all or nothing: an unknown iupd → 404 ProblemJson, nothing deleted', async () => {
    const known = requiredOnly();
    await created(known);
    const unknown = requiredOnly()['iupd'] as string;
    const reply = await v2.deleteMany(ORG, multipleIupds([known['iupd'], unknown]));
    expectProblem(reply, 404);
    expect(problemText(reply), 'the 404 names the unknown iupd').toContain(unknown);
    expect(await statusOf(known['iupd'])).toBe(200);
  });

  it('all or nothing: a position with a payment → 409 ProblemJson naming it, nothing deleted', async () => {
    const unpaid = requiredOnly();
    const paid = requiredOnly();
    await Promise.all([created(unpaid, true), created(paid, true)]);
    await payThroughNode(root, ESEMPIO, paid['iupd'], nav0(paid));
    const reply = await v2.deleteMany(ORG, multipleIupds([unpaid['iupd'], paid['iupd']]));
    expectProblem(reply, 409);
    expect(problemText(reply)).toContain(paid['iupd']);
    expect(await statusesOf([unpaid, paid])).toEqual([200, 200]);
  });

  it('takes up to 20 iupds; 21 or none → 400 ProblemJson, nothing deleted', { timeout: 60_000 }, async () => {
    const bodies = many(21);
    await Promise.all(bodies.map((b) => created(b)));
    expectProblem(await v2.deleteMany(ORG, multipleIupds(bodies.map((b) => b['iupd']))), 400);
    expect(await statusOf(bodies[20]!['iupd'])).toBe(200);
    expectProblem(await v2.deleteMany(ORG, multipleIupds([])), 400);
    const reply = await v2.deleteMany(ORG, multipleIupds(bodies.slice(0, 20).map((b) => b['iupd'])));
    expect(reply.status, describeReply(reply)).toBe(200);
    expect(await statusesOf([bodies[0]!, bodies[19]!, bodies[20]!])).toEqual([404, 404, 200]);
  });
});

describe(`POST ${GPD_V2}/organizations/{organizationfiscalcode}/paymentoptions/paids/{nav} (setPaymentOptionAsAlreadyPaid)`, () => {
  it('200 PaymentsModelResponse; the node then gets PAA_PAGAMENTO_DUPLICATO; again 409', async () => {
    const body = requiredOnly();
    await created(body, true);
    const paymentDate = localDateTime(-2, '16:45:00');
    const reply = await v2.markPaid(ORG, nav0(body), alreadyPaid(paymentDate));
    expectJsonReply(reply, 200);
    expectPaidOption(reply.json, body['paymentOption'][0], { organizationFiscalCode: ORG, paymentDate });
    const verify = await verifyNotice(stack.url, ESEMPIO.ids, nav0(body));
    expect([verify.outcome, verify.faultCode]).toEqual(['KO', 'PAA_PAGAMENTO_DUPLICATO']);
    expectProblem(await v2.markPaid(ORG, nav0(body), alreadyPaid(paymentDate)), 409);
  });
});

describe(`responses under ${GPD_V2}`, () => {
  it('a body that is not JSON: 400 ProblemJson; an unknown route is still 404 ProblemJson', async () => {
    const broken = await fetch(`${stack.url}${GPD_V2}/organizations/${ORG}/debtpositions`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO.key, 'Content-Type': 'application/json' },
      body: '{"paymentPositions":[',
    });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type') ?? '').toMatch(/^application\/(problem\+)?json/);
    expectProblem(await v2.call('GET', `/organizations/${ORG}/nothing-here`), 404);
  });

  it('401 without a key, 403 with another tenant key', async () => {
    const path = `/organizations/${ORG}/debtpositions`;
    expect((await v2.call('POST', path, { key: null, body: multiplePositions([requiredOnly()]) })).status).toBe(401);
    expect((await v2.call('POST', path, { key: LISTA.key, body: multiplePositions([requiredOnly()]) })).status).toBe(403);
  });
});
