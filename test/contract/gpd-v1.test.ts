/**
 * Contract of pagoPA GPD v1 (openapi/openapi_external_v1.json, pagopa-debt-position 1.1.37, and
 * the behaviour of its Java sources) over HTTP on the local stack: what back-office software
 * written for GPD sends, and what it reads back. Bodies come from test/fixtures/gpd/bodies.ts,
 * which is written from the official schemas only; the field-by-field comparison behind each
 * test is in the GPD contract analysis (gpd-contract.md).
 *
 * The operations are called at the layer's root (the GPD paths relative to the base URL), and
 * once each under GPD's own base path /gpd/debt-positions-service/v1 at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OPTIONAL_FIELDS,
  alreadyPaid,
  asJacksonSerializes,
  everyField,
  newIbanBody,
  officialExample,
  planWithInstallments,
  requiredOnly,
  requiredTransfer,
  withNullEverywhere,
  type Json,
} from '../fixtures/gpd/bodies';
import { GPD_V1, GpdClient, describeReply, startGpdStack, type GpdStack, type Reply } from '../fixtures/gpd/client';
import {
  expectAppInfo,
  expectBaseResponse,
  expectJsonReply,
  expectPageInfo,
  expectPaidOption,
  expectPositionModel,
  expectProblem,
  isDateTime,
  problemText,
  sameMoment,
} from '../fixtures/gpd/expect';
import { payThroughNode, verifyNotice } from '../fixtures/gpd/node';
import { DEBTOR_G, ESEMPIO, LISTA, OTHER_CREDITOR, isoDay, localDateTime, navOf, newIupd, newIuv, utcLocalDateTime } from '../fixtures/gpd/tenants';

const ORG = ESEMPIO.fiscalCode;
let stack: GpdStack;
let gpd: GpdClient;

beforeAll(async () => {
  stack = await startGpdStack();
  gpd = new GpdClient(stack.url, ESEMPIO.key);
});
afterAll(async () => {
  await stack?.stop();
});

/** Setup through an operation the layer already has; a failure here is not the contract point. */
async function setup(reply: Promise<Reply>, status: number, what: string): Promise<Json> {
  const r = await reply;
  if (r.status !== status) throw new Error(`setup (${what}) failed: ${describeReply(r)}`);
  return r.json as Json;
}
const created = (body: Json, toPublish = false) => setup(gpd.create(ORG, body, toPublish ? { toPublish: true } : {}), 201, `create ${body['iupd']}`);
const option0 = (body: Json): Json => (body['paymentOption'] as Json[])[0]!;
const nav0 = (body: Json): string => option0(body)['nav'] ?? navOf(option0(body)['iuv']);

describe('GET /info (healthCheck)', () => {
  it('answers 200 AppInfo {name, version, environment} as application/json, and 401 without a key', async () => {
    expectAppInfo(await gpd.info());
    expect((await gpd.info({ key: null })).status).toBe(401);
  });
});

describe('POST /organizations/{organizationfiscalcode}/debtpositions (createPosition)', () => {
  it('accepts a body with only the fields GPD requires and answers 201 PaymentPositionModel', async () => {
    const body = requiredOnly();
    const reply = await gpd.create(ORG, body);
    expectJsonReply(reply, 201);
    expectPositionModel(reply.json, body, { organizationFiscalCode: ORG, status: 'DRAFT' });
  });

  it('accepts the body as the official Java client serializes it (Jackson: every unset property null)', async () => {
    const body = asJacksonSerializes(requiredOnly());
    const reply = await gpd.create(ORG, body);
    expectJsonReply(reply, 201);
    expectPositionModel(reply.json, body, { organizationFiscalCode: ORG, status: 'DRAFT' });
  });

  it('accepts explicit null in every optional field, at every depth (metadata lists, stamp, nav included)', async () => {
    const body = withNullEverywhere(requiredOnly());
    const sent = JSON.stringify(body);
    for (const f of [...OPTIONAL_FIELDS.position, ...OPTIONAL_FIELDS.option, ...OPTIONAL_FIELDS.transfer]) expect(sent).toContain(`"${f}":null`);
    const reply = await gpd.create(ORG, body);
    expectJsonReply(reply, 201);
    expectPositionModel(reply.json, body, { organizationFiscalCode: ORG, status: 'DRAFT' });
    expect(reply.json?.paymentOption?.[0]?.paymentOptionMetadata, 'null metadata is an empty list (GPD setter)').toEqual([]);
    expect(reply.json?.paymentOption?.[0]?.transfer?.[0]?.transferMetadata, 'null metadata is an empty list (GPD setter)').toEqual([]);
  });

  it('accepts every optional field (payStandIn, transfer companyName, iban with postalIban, stamp, metadata…), stores and returns each', async () => {
    const body = everyField();
    const reply = await gpd.create(ORG, body);
    expectJsonReply(reply, 201);
    expectPositionModel(reply.json, body, { organizationFiscalCode: ORG, status: 'DRAFT' });
    const read = await gpd.get(ORG, body['iupd']);
    expectJsonReply(read, 200);
    expectBaseResponse(read.json, body, { organizationFiscalCode: ORG, status: 'DRAFT' });
  });

  it('accepts the official example body (openapi_external_v1.json, adjusted to this tenant)', async () => {
    const body = officialExample();
    const reply = await gpd.create(ORG, body);
    expectJsonReply(reply, 201);
    expectPositionModel(reply.json, body, { organizationFiscalCode: ORG, status: 'DRAFT' });
  });

  it('toPublish=true publishes at once: VALID without a validity date, PUBLISHED with a future one', async () => {
    const now = requiredOnly();
    const a = await gpd.create(ORG, now, { toPublish: true });
    expectJsonReply(a, 201);
    expect(a.json?.status).toBe('VALID');
    const read = await gpd.get(ORG, now['iupd']);
    expect(isDateTime(read.json?.publishDate), `publishDate after publication: ${JSON.stringify(read.json?.publishDate)}`).toBe(true);

    const later = { ...requiredOnly(), validityDate: localDateTime(10, '08:00:00') };
    const b = await gpd.create(ORG, later, { toPublish: true });
    expectJsonReply(b, 201);
    expect(b.json?.status).toBe('PUBLISHED');
    expect(sameMoment(later['validityDate'], b.json?.validityDate), `validityDate ${JSON.stringify(b.json?.validityDate)}`).toBe(true);
  });

  it('reads the date-time shapes Java clients write (LocalDateTime with or without seconds and fraction, OffsetDateTime in UTC)', async () => {
    const day = isoDay(100);
    const shapes = [`${day}T23:59`, `${day}T23:59:59`, `${day}T23:59:59.999`, `${day}T21:59:59Z`, `${day}T21:59:59.123Z`];
    const replies = await Promise.all(shapes.map((dueDate) => gpd.create(ORG, requiredOnly({ options: [{ dueDate }] }))));
    shapes.forEach((dueDate, i) => {
      const reply = replies[i]!;
      expectJsonReply(reply, 201);
      expect(sameMoment(dueDate, reply.json?.paymentOption?.[0]?.dueDate), `dueDate ${dueDate} read back as ${reply.json?.paymentOption?.[0]?.dueDate}`).toBe(true);
    });
  });

  it('takes both debtor types, a transfer to a second creditor and installments', async () => {
    const legal = requiredOnly({
      debtor: DEBTOR_G,
      options: [{ amount: 5000, transfer: [requiredTransfer(3000), { ...requiredTransfer(2000, OTHER_CREDITOR.iban, '2'), organizationFiscalCode: OTHER_CREDITOR.fiscalCode }] }],
    });
    const a = await gpd.create(ORG, legal);
    expectJsonReply(a, 201);
    expectPositionModel(a.json, legal, { organizationFiscalCode: ORG, status: 'DRAFT' });
    const plan = planWithInstallments();
    const b = await gpd.create(ORG, plan);
    expectJsonReply(b, 201);
    expectPositionModel(b.json, plan, { organizationFiscalCode: ORG, status: 'DRAFT' });
  });

  it('409 ProblemJson for an iupd that exists and for an IUV another position uses; nothing stored', async () => {
    const first = await created(requiredOnly());
    expectProblem(await gpd.create(ORG, requiredOnly({ iupd: first['iupd'] })), 409);
    const second = requiredOnly({ options: [{ iuv: first['paymentOption'][0].iuv }] });
    expectProblem(await gpd.create(ORG, second), 409);
    expect((await gpd.get(ORG, second['iupd'])).status).toBe(404);
  });

  it('400 ProblemJson naming every offending field at once: field errors and cross-field ones (transfers not adding up) in one answer', async () => {
    const body = requiredOnly({ options: [{ amount: 12050, transfer: [requiredTransfer(12000)] }] });
    body['country'] = 'italy';
    const reply = await gpd.create(ORG, body);
    expectProblem(reply, 400);
    const text = problemText(reply);
    expect(text, 'names the country').toContain('country');
    expect(text, 'names the transfers that do not add up to the option amount').toMatch(/paymentOption\[0\]\.(transfer|amount)/);
    expect((await gpd.get(ORG, body['iupd'])).status).toBe(404);

    const missing = requiredOnly();
    delete missing['fullName'];
    option0(missing)['amount'] = 0;
    const both = await gpd.create(ORG, missing);
    expectProblem(both, 400);
    expect(problemText(both)).toContain('fullName');
    expect(problemText(both)).toContain('paymentOption[0].amount');
  });

  it('400 ProblemJson for a body that is not JSON', async () => {
    expectProblem(await gpd.call('POST', `/organizations/${ORG}/debtpositions`, { body: undefined, headers: { 'Content-Type': 'application/json' } }), 400);
    const broken = await fetch(`${stack.url}/organizations/${ORG}/debtpositions`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': ESEMPIO.key, 'Content-Type': 'application/json' },
      body: '{"iupd":',
    });
    expect(broken.status).toBe(400);
  });
});

describe('GET /organizations/{organizationfiscalcode}/debtpositions/{iupd} (getOrganizationDebtPositionByIUPD)', () => {
  it('answers 200 PaymentPositionModelBaseResponse with every field GPD returns (option and transfer dates, notificationFee, statuses)', async () => {
    const body = requiredOnly();
    await created(body);
    const reply = await gpd.get(ORG, body['iupd']);
    expectJsonReply(reply, 200);
    expectBaseResponse(reply.json, body, { organizationFiscalCode: ORG, status: 'DRAFT' });
  });

  it('404 ProblemJson for an unknown iupd', async () => {
    expectProblem(await gpd.get(ORG, newIupd()), 404);
  });
});

/** A GET response as a GPD client holds it, with every read-only property of GPD's response schemas. */
function echoOfRead(read: Json): Json {
  return {
    ...read,
    paymentOption: (read['paymentOption'] as Json[]).map((o) => ({
      reportingDate: null,
      insertedDate: o['insertedDate'] ?? localDateTime(-1),
      lastUpdatedDate: o['lastUpdatedDate'] ?? localDateTime(-1),
      paymentMethod: null,
      pspCompany: null,
      idReceipt: null,
      idFlowReporting: null,
      notificationFee: 0,
      ...o,
      transfer: (o['transfer'] as Json[]).map((t) => ({
        companyName: null,
        insertedDate: t['insertedDate'] ?? localDateTime(-1),
        lastUpdatedDate: t['lastUpdatedDate'] ?? localDateTime(-1),
        ...t,
      })),
    })),
  };
}

describe('PUT /organizations/{organizationfiscalcode}/debtpositions/{iupd} (updatePosition)', () => {
  it('accepts the create response sent back with one change (read-only fields echoed: status, fee, nav, version…)', async () => {
    const body = requiredOnly();
    const response = await created(body, true);
    const reply = await gpd.update(ORG, body['iupd'], { ...response, fullName: 'Maria Rossi' }, { toPublish: true });
    expectJsonReply(reply, 200);
    expectPositionModel(reply.json, { ...body, fullName: 'Maria Rossi' }, { organizationFiscalCode: ORG, status: 'VALID' });
  });

  it('accepts a GET response sent back with one change (version, dates, statuses, nav, receipt fields echoed)', async () => {
    const body = requiredOnly();
    await created(body, true);
    const read = await setup(gpd.get(ORG, body['iupd']), 200, 'read');
    const echo = echoOfRead(read);
    echo['paymentOption'][0].description = 'TARI 2026 - rata unica (rettifica)';
    const reply = await gpd.update(ORG, body['iupd'], echo, { toPublish: true });
    expectJsonReply(reply, 200);
    expect(reply.json?.paymentOption?.[0]?.description).toBe('TARI 2026 - rata unica (rettifica)');
    expect(reply.json?.paymentOption?.[0]?.nav).toBe(nav0(body));
  });

  it('accepts the Java-serialized body (nulls) and explicit nulls everywhere on update', async () => {
    const body = requiredOnly();
    await created(body);
    const a = await gpd.update(ORG, body['iupd'], asJacksonSerializes({ ...body, fullName: 'Maria Rossi' }));
    expectJsonReply(a, 200);
    expectPositionModel(a.json, asJacksonSerializes({ ...body, fullName: 'Maria Rossi' }), { organizationFiscalCode: ORG, status: 'DRAFT' });
    const b = await gpd.update(ORG, body['iupd'], withNullEverywhere(body));
    expectJsonReply(b, 200);
  });

  it('accepts every optional field on update and returns each', async () => {
    const body = everyField();
    const start = requiredOnly({ iupd: body['iupd'], options: [{ iuv: body['paymentOption'][0].iuv }] });
    await created(start);
    const reply = await gpd.update(ORG, body['iupd'], body);
    expectJsonReply(reply, 200);
    expectPositionModel(reply.json, body, { organizationFiscalCode: ORG });
  });

  it('supports the GPD flow "update, then publish": PUT without toPublish, then POST …/publish answers 200 VALID', async () => {
    const body = requiredOnly();
    await created(body, true);
    const updated = await gpd.update(ORG, body['iupd'], { ...body, fullName: 'Maria Rossi' });
    expectJsonReply(updated, 200);
    const published = await gpd.publish(ORG, body['iupd']);
    expectJsonReply(published, 200);
    expect(published.json?.status).toBe('VALID');
  });

  it('toPublish=true on update publishes a DRAFT', async () => {
    const body = requiredOnly();
    await created(body);
    const reply = await gpd.update(ORG, body['iupd'], body, { toPublish: true });
    expectJsonReply(reply, 200);
    expect(reply.json?.status).toBe('VALID');
  });

  it('400 when the body iupd differs from the path, 404 for an unknown iupd, 409 for an INVALID position', async () => {
    const body = requiredOnly();
    await created(body, true);
    expectProblem(await gpd.update(ORG, body['iupd'], { ...body, iupd: newIupd() }), 400);
    const unknown = requiredOnly();
    expectProblem(await gpd.update(ORG, unknown['iupd'], unknown), 404);
    await setup(gpd.invalidate(ORG, body['iupd']), 200, 'invalidate');
    expectProblem(await gpd.update(ORG, body['iupd'], body), 409);
  });
});

describe('POST …/{iupd}/publish and …/{iupd}/invalidate (publishPosition, invalidatePosition)', () => {
  it('publish: 200 PaymentPositionModel VALID; again 409; unknown 404', async () => {
    const body = requiredOnly();
    await created(body);
    const reply = await gpd.publish(ORG, body['iupd']);
    expectJsonReply(reply, 200);
    expectPositionModel(reply.json, body, { organizationFiscalCode: ORG, status: 'VALID' });
    expectProblem(await gpd.publish(ORG, body['iupd']), 409);
    expectProblem(await gpd.publish(ORG, newIupd()), 404);
  });

  it('publish with a future validityDate: 200 PUBLISHED', async () => {
    const body: Json = { ...requiredOnly(), validityDate: localDateTime(15, '06:00:00') };
    await created(body);
    const reply = await gpd.publish(ORG, body['iupd']);
    expectJsonReply(reply, 200);
    expect(reply.json?.status).toBe('PUBLISHED');
  });

  it('invalidate: 200 PaymentPositionModel INVALID; a DRAFT 409; unknown 404', async () => {
    const body = requiredOnly();
    await created(body, true);
    const reply = await gpd.invalidate(ORG, body['iupd']);
    expectJsonReply(reply, 200);
    expectPositionModel(reply.json, body, { organizationFiscalCode: ORG, status: 'INVALID' });
    const draft = requiredOnly();
    await created(draft);
    expectProblem(await gpd.invalidate(ORG, draft['iupd']), 409);
    expectProblem(await gpd.invalidate(ORG, newIupd()), 404);
  });
});

describe('DELETE /organizations/{organizationfiscalcode}/debtpositions/{iupd} (deletePosition)', () => {
  it('200 with a JSON string; then GET 404; DELETE again 404', async () => {
    const body = requiredOnly();
    await created(body, true);
    const reply = await gpd.remove(ORG, body['iupd']);
    expectJsonReply(reply, 200);
    expect(typeof reply.json, `the body is a JSON string: ${reply.text}`).toBe('string');
    expectProblem(await gpd.get(ORG, body['iupd']), 404);
    expectProblem(await gpd.remove(ORG, body['iupd']), 404);
  });

  it('409 ProblemJson for a position on which a payment was made', async () => {
    const body = requiredOnly();
    await created(body, true);
    await payThroughNode(gpd, ESEMPIO, body['iupd'], nav0(body));
    expectProblem(await gpd.remove(ORG, body['iupd']), 409);
    expect((await gpd.get(ORG, body['iupd'])).status).toBe(200);
  });
});

describe('GET /organizations/{organizationfiscalcode}/debtpositions (getOrganizationDebtPositions)', () => {
  // Seven positions of a tenant nobody else uses, created in this order (insertedDate ascending):
  const tag = Math.random().toString(36).slice(2, 7).toUpperCase();
  const letters = ['D', 'G', 'A', 'F', 'C', 'E', 'B'];
  const companies = ['Comune C', 'Comune A', 'Comune G', 'Comune E', 'Comune B', 'Comune F', 'Comune D'];
  const dueDays = [90, 60, 130, 75, 120, 70, 105];
  const statuses = ['DRAFT', 'VALID', 'VALID', 'INVALID', 'PUBLISHED', 'PAID', 'DRAFT'];
  const bodies: Json[] = [];
  let lista: GpdClient;
  const iupds = () => bodies.map((b) => b['iupd'] as string);
  const listed = (r: Reply): string[] => (r.json?.payment_position_list ?? []).map((p: Json) => p['iupd']);
  const sorted = (values: string[], desc = false) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0) * (desc ? -1 : 1));
  const byIndex = (...ks: number[]) => ks.map((k) => iupds()[k]!);

  beforeAll(async () => {
    lista = new GpdClient(stack.url, LISTA.key);
    for (let k = 0; k < 7; k++) {
      const body = requiredOnly({
        iupd: `LIST-${tag}-${letters[k]}`,
        companyName: companies[k],
        segregationCode: LISTA.segregationCode,
        iban: LISTA.iban,
        options: [{ dueDate: localDateTime(dueDays[k]!, '12:00:00') }],
      });
      if (k === 4) body['validityDate'] = localDateTime(20, '08:00:00');
      bodies.push(body);
      await setup(lista.create(LISTA.fiscalCode, body, statuses[k] === 'DRAFT' ? {} : { toPublish: true }), 201, `list position ${k}`);
    }
    await setup(lista.invalidate(LISTA.fiscalCode, iupds()[3]!), 200, 'invalidate list position 3');
    await payThroughNode(lista, LISTA, iupds()[5]!, nav0(bodies[5]!));
  }, 120_000);

  it('without parameters: page 0, limit 10 (GPD defaults), ordered by INSERTED_DATE DESC (GPD default)', async () => {
    const reply = await lista.list(LISTA.fiscalCode);
    expectJsonReply(reply, 200);
    expectPageInfo(reply.json?.page_info, { page: 0, limit: 10, items_found: 7, total_pages: 1 });
    expect(listed(reply)).toEqual([...iupds()].reverse());
  });

  it('each item is a PaymentPositionModelBaseResponse with its current status', async () => {
    const reply = await lista.list(LISTA.fiscalCode, { page: 0, limit: 10 });
    expectJsonReply(reply, 200);
    for (let k = 0; k < 7; k++) {
      const item = (reply.json?.payment_position_list ?? []).find((p: Json) => p['iupd'] === iupds()[k]);
      expect(item, `position ${k} listed`).toBeDefined();
      expectBaseResponse(item, bodies[k]!, { organizationFiscalCode: LISTA.fiscalCode, status: statuses[k] });
    }
  });

  it('page and limit: page_info exact on every page (items_found counts the page), and pages do not overlap', async () => {
    const seen: string[] = [];
    for (const [page, items] of [[0, 3], [1, 3], [2, 1], [3, 0]] as const) {
      const reply = await lista.list(LISTA.fiscalCode, { page, limit: 3 });
      expectJsonReply(reply, 200);
      expectPageInfo(reply.json?.page_info, { page, limit: 3, items_found: items, total_pages: 3 });
      expect(listed(reply)).toHaveLength(items);
      seen.push(...listed(reply));
    }
    expect(sorted(seen)).toEqual(sorted(iupds()));
  });

  it('limit is at most 50, at least 1; page starts at 0 (400 ProblemJson otherwise)', async () => {
    expectJsonReply(await lista.list(LISTA.fiscalCode, { page: 0, limit: 50 }), 200);
    expectProblem(await lista.list(LISTA.fiscalCode, { page: 0, limit: 51 }), 400);
    expectProblem(await lista.list(LISTA.fiscalCode, { page: 0, limit: 0 }), 400);
    expectProblem(await lista.list(LISTA.fiscalCode, { page: -1 }), 400);
  });

  it('orderby=INSERTED_DATE, ordering ASC and DESC (and DESC when ordering is omitted)', async () => {
    const asc = await lista.list(LISTA.fiscalCode, { page: 0, orderby: 'INSERTED_DATE', ordering: 'ASC' });
    expectJsonReply(asc, 200);
    expect(listed(asc)).toEqual(iupds());
    const desc = await lista.list(LISTA.fiscalCode, { page: 0, orderby: 'INSERTED_DATE', ordering: 'DESC' });
    expectJsonReply(desc, 200);
    expect(listed(desc)).toEqual([...iupds()].reverse());
    const implicit = await lista.list(LISTA.fiscalCode, { page: 0, orderby: 'INSERTED_DATE' });
    expect(listed(implicit)).toEqual([...iupds()].reverse());
  });

  it('ordering=ASC alone orders by INSERTED_DATE (the default orderby)', async () => {
    const reply = await lista.list(LISTA.fiscalCode, { page: 0, ordering: 'ASC' });
    expectJsonReply(reply, 200);
    expect(listed(reply)).toEqual(iupds());
  });

  it('orderby=IUPD, ASC and DESC', async () => {
    for (const ordering of ['ASC', 'DESC'] as const) {
      const reply = await lista.list(LISTA.fiscalCode, { page: 0, orderby: 'IUPD', ordering });
      expectJsonReply(reply, 200);
      expect(listed(reply)).toEqual(sorted(iupds(), ordering === 'DESC'));
    }
  });

  it('orderby=COMPANY_NAME, ASC and DESC', async () => {
    for (const ordering of ['ASC', 'DESC'] as const) {
      const reply = await lista.list(LISTA.fiscalCode, { page: 0, orderby: 'COMPANY_NAME', ordering });
      expectJsonReply(reply, 200);
      const names = (reply.json?.payment_position_list ?? []).map((p: Json) => p['companyName']);
      expect(names).toEqual(sorted(companies, ordering === 'DESC'));
    }
  });

  it('orderby=STATUS, ASC and DESC', async () => {
    for (const ordering of ['ASC', 'DESC'] as const) {
      const reply = await lista.list(LISTA.fiscalCode, { page: 0, orderby: 'STATUS', ordering });
      expectJsonReply(reply, 200);
      const got = (reply.json?.payment_position_list ?? []).map((p: Json) => p['status']);
      expect(got).toEqual(sorted(statuses, ordering === 'DESC'));
    }
  });

  it('status filters on the current status, every value', async () => {
    for (const status of ['DRAFT', 'PUBLISHED', 'VALID', 'INVALID', 'EXPIRED', 'PARTIALLY_PAID', 'PAID', 'REPORTED']) {
      const reply = await lista.list(LISTA.fiscalCode, { page: 0, limit: 10, status });
      expectJsonReply(reply, 200);
      const expected = iupds().filter((_, k) => statuses[k] === status);
      expect(sorted(listed(reply)), status).toEqual(sorted(expected));
      expectPageInfo(reply.json?.page_info, { page: 0, limit: 10, items_found: expected.length, total_pages: expected.length === 0 ? 0 : 1 });
    }
  });

  it('due_date_from and due_date_to (yyyy-MM-dd): positions with an option due in [from 00:00, to 23:59:59]', async () => {
    const reply = await lista.list(LISTA.fiscalCode, { page: 0, due_date_from: isoDay(70), due_date_to: isoDay(100) });
    expectJsonReply(reply, 200);
    expect(sorted(listed(reply))).toEqual(sorted(byIndex(0, 3, 5)));
  });

  it('an interval of more than max.days.interval = 30 days is a 400 (DebtPositionValidation.checkDatesInterval)', async () => {
    const reply = await lista.list(LISTA.fiscalCode, { page: 0, due_date_from: isoDay(65), due_date_to: isoDay(100) });
    expect(reply.status).toBe(400);
  });

  it('due_date_from alone: the interval ends 30 days later (GPD)', async () => {
    const reply = await lista.list(LISTA.fiscalCode, { page: 0, due_date_from: isoDay(85) });
    expectJsonReply(reply, 200);
    expect(sorted(listed(reply))).toEqual(sorted(byIndex(0, 6)));
  });

  it('due_date_to alone: the interval starts 30 days earlier (GPD)', async () => {
    const reply = await lista.list(LISTA.fiscalCode, { page: 0, due_date_to: isoDay(100) });
    expectJsonReply(reply, 200);
    expect(sorted(listed(reply))).toEqual(sorted(byIndex(0, 3, 5)));
  });

  it('payment_date_from and payment_date_to (yyyy-MM-dd): the positions paid in the interval', async () => {
    const reply = await lista.list(LISTA.fiscalCode, { page: 0, payment_date_from: isoDay(-1), payment_date_to: isoDay(1) });
    expectJsonReply(reply, 200);
    expect(listed(reply)).toEqual(byIndex(5));
    expect(isDateTime(reply.json?.payment_position_list?.[0]?.paymentDate)).toBe(true);
    const none = await lista.list(LISTA.fiscalCode, { page: 0, payment_date_from: isoDay(2) });
    expectJsonReply(none, 200);
    expectPageInfo(none.json?.page_info, { page: 0, limit: 10, items_found: 0, total_pages: 0 });
  });

  it('payment_date_time_from and payment_date_time_to (yyyy-MM-ddTHH:mm:ss)', async () => {
    const reply = await lista.list(LISTA.fiscalCode, { page: 0, payment_date_time_from: utcLocalDateTime(-3), payment_date_time_to: utcLocalDateTime(3) });
    expectJsonReply(reply, 200);
    expect(listed(reply)).toEqual(byIndex(5));
    const before = await lista.list(LISTA.fiscalCode, { page: 0, payment_date_time_to: utcLocalDateTime(-3) });
    expectJsonReply(before, 200);
    expect(listed(before)).toEqual([]);
  });

  it('every parameter at once (due-date interval)', async () => {
    const reply = await lista.list(LISTA.fiscalCode, {
      page: 0,
      limit: 2,
      orderby: 'IUPD',
      ordering: 'ASC',
      due_date_from: isoDay(55),
      due_date_to: isoDay(80),
      status: 'VALID',
    });
    expectJsonReply(reply, 200);
    expect(listed(reply)).toEqual(byIndex(1));
    expectPageInfo(reply.json?.page_info, { page: 0, limit: 2, items_found: 1, total_pages: 1 });
  });

  it('every parameter at once (payment-date interval)', async () => {
    const reply = await lista.list(LISTA.fiscalCode, {
      page: 0,
      limit: 5,
      orderby: 'COMPANY_NAME',
      ordering: 'DESC',
      payment_date_from: isoDay(-2),
      payment_date_to: isoDay(2),
      status: 'PAID',
    });
    expectJsonReply(reply, 200);
    expect(listed(reply)).toEqual(byIndex(5));
    expectPageInfo(reply.json?.page_info, { page: 0, limit: 5, items_found: 1, total_pages: 1 });
  });

  it('400 ProblemJson: due dates with payment dates (mutually exclusive), a malformed date, an unknown status, orderby or ordering', async () => {
    expectProblem(await lista.list(LISTA.fiscalCode, { due_date_from: isoDay(60), payment_date_from: isoDay(-1) }), 400);
    expectProblem(await lista.list(LISTA.fiscalCode, { due_date_from: '31/12/2026' }), 400);
    expectProblem(await lista.list(LISTA.fiscalCode, { status: 'PAGATA' }), 400);
    expectProblem(await lista.list(LISTA.fiscalCode, { orderby: 'AMOUNT' }), 400);
    expectProblem(await lista.list(LISTA.fiscalCode, { ordering: 'UP' }), 400);
  });
});

describe('POST /organizations/{organizationfiscalcode}/paymentoptions/paids/{nav} (setPaymentOptionAsAlreadyPaid)', () => {
  it('marks the option paid: 200 PaymentsModelResponse; the position is PAID; the node then gets PAA_PAGAMENTO_DUPLICATO', async () => {
    const body = requiredOnly();
    await created(body, true);
    const nav = nav0(body);
    expect((await verifyNotice(stack.url, ESEMPIO.ids, nav)).outcome, 'payable before').toBe('OK');
    const paymentDate = localDateTime(-1, '10:30:00');
    const reply = await gpd.markPaid(ORG, nav, alreadyPaid(paymentDate));
    expectJsonReply(reply, 200);
    expectPaidOption(reply.json, option0(body), { organizationFiscalCode: ORG, paymentDate });
    const read = await gpd.get(ORG, body['iupd']);
    expect(read.json?.status).toBe('PAID');
    expect(read.json?.paymentOption?.[0]?.status).toBe('PO_PAID');
    expect(sameMoment(paymentDate, read.json?.paymentOption?.[0]?.paymentDate), `option paymentDate ${read.json?.paymentOption?.[0]?.paymentDate}`).toBe(true);
    expect(isDateTime(read.json?.paymentDate), 'position paymentDate').toBe(true);
    const verify = await verifyNotice(stack.url, ESEMPIO.ids, nav);
    expect([verify.httpStatus, verify.outcome, verify.faultCode]).toEqual([200, 'KO', 'PAA_PAGAMENTO_DUPLICATO']);
  });

  it('a second call 409 ProblemJson; an unknown notice number 404', async () => {
    const body = requiredOnly();
    await created(body, true);
    expectJsonReply(await gpd.markPaid(ORG, nav0(body), alreadyPaid(localDateTime(0, '09:00:00'))), 200);
    expectProblem(await gpd.markPaid(ORG, nav0(body), alreadyPaid(localDateTime(0, '09:00:00'))), 409);
    expectProblem(await gpd.markPaid(ORG, navOf(newIuv()), alreadyPaid(localDateTime(0, '09:00:00'))), 404);
  });

  it('accepts paymentDate null (as the Java client sends an unset date)', async () => {
    const body = requiredOnly();
    await created(body, true);
    const reply = await gpd.markPaid(ORG, nav0(body), alreadyPaid(null));
    expectJsonReply(reply, 200);
    expect(reply.json?.status).toBe('PO_PAID');
  });

  it('one installment of a plan: 200, the position becomes PARTIALLY_PAID', async () => {
    const plan = planWithInstallments();
    await created(plan, true);
    const installment = (plan['paymentOption'] as Json[])[1]!;
    const reply = await gpd.markPaid(ORG, navOf(installment['iuv']), alreadyPaid(localDateTime(0, '09:00:00')));
    expectJsonReply(reply, 200);
    expect((await gpd.get(ORG, plan['iupd'])).json?.status).toBe('PARTIALLY_PAID');
  });

  it('422 ProblemJson for an option whose position is not payable (INVALID)', async () => {
    const body = requiredOnly();
    await created(body, true);
    await setup(gpd.invalidate(ORG, body['iupd']), 200, 'invalidate');
    expectProblem(await gpd.markPaid(ORG, nav0(body), alreadyPaid(localDateTime(0, '09:00:00'))), 422);
  });
});

describe('PATCH /organizations/{organizationfiscalcode}/debtpositions/transfers?oldIban= (updateTransferIbanMassive)', () => {
  it('replaces oldIban on the transfers of updatable, unpaid positions: 200 {description, updatedTransfers}, limit honoured', async () => {
    const old = ESEMPIO.thirdIban;
    const draft = requiredOnly({ iban: old });
    const valid = requiredOnly({ options: [{ amount: 9000, transfer: [requiredTransfer(6000, old), requiredTransfer(3000, old, '2')] }] });
    const invalid = requiredOnly({ iban: old });
    const paid = requiredOnly({ iban: old });
    await created(draft);
    await created(valid, true);
    await created(invalid, true);
    await setup(gpd.invalidate(ORG, invalid['iupd']), 200, 'invalidate');
    await created(paid, true);
    await payThroughNode(gpd, ESEMPIO, paid['iupd'], nav0(paid));

    const one = await gpd.replaceIban(ORG, newIbanBody(ESEMPIO.secondIban), { oldIban: old, limit: 1 });
    expectJsonReply(one, 200);
    expect(one.json?.updatedTransfers).toBe(1);
    expect(typeof one.json?.description).toBe('string');
    const rest = await gpd.replaceIban(ORG, newIbanBody(ESEMPIO.secondIban), { oldIban: old });
    expectJsonReply(rest, 200);
    expect(rest.json?.updatedTransfers).toBe(2);
    expect((await gpd.replaceIban(ORG, newIbanBody(ESEMPIO.secondIban), { oldIban: old })).json?.updatedTransfers).toBe(0);

    const ibans = async (b: Json) => ((await gpd.get(ORG, b['iupd'])).json?.paymentOption?.[0]?.transfer ?? []).map((t: Json) => t['iban']);
    expect(await ibans(draft)).toEqual([ESEMPIO.secondIban]);
    expect(await ibans(valid)).toEqual([ESEMPIO.secondIban, ESEMPIO.secondIban]);
    expect(await ibans(invalid)).toEqual([old]);
    expect(await ibans(paid)).toEqual([old]);
  });

  it('400 ProblemJson without oldIban, without newIban, with limit above 1000', async () => {
    expectProblem(await gpd.replaceIban(ORG, newIbanBody(ESEMPIO.secondIban), {}), 400);
    expectProblem(await gpd.replaceIban(ORG, {}, { oldIban: ESEMPIO.thirdIban }), 400);
    expectProblem(await gpd.replaceIban(ORG, newIbanBody(ESEMPIO.secondIban), { oldIban: ESEMPIO.thirdIban, limit: 1001 }), 400);
  });

  it('stricter than GPD, on purpose: a newIban with wrong check digits, or not an IBAN of the tenant, 400', async () => {
    expectProblem(await gpd.replaceIban(ORG, newIbanBody('IT79L0306909606100000117002'), { oldIban: ESEMPIO.thirdIban }), 400);
    expectProblem(await gpd.replaceIban(ORG, newIbanBody(OTHER_CREDITOR.iban), { oldIban: ESEMPIO.thirdIban }), 400);
  });
});

describe('responses: headers, authentication', () => {
  it('X-Request-Id: the one sent comes back; without one a fresh id comes back', async () => {
    const mine = `gpd-contract-${Math.random().toString(36).slice(2)}`;
    const a = await gpd.call('GET', `/organizations/${ORG}/debtpositions/${newIupd()}`, { headers: { 'X-Request-Id': mine } });
    expect(a.headers.get('x-request-id')).toBe(mine);
    const b = await gpd.list(ORG, { page: 0 });
    expect(b.headers.get('x-request-id')?.length ?? 0).toBeGreaterThan(0);
  });

  it('401 without or with an unknown Ocp-Apim-Subscription-Key, 403 with another tenant key', async () => {
    const path = `/organizations/${ORG}/debtpositions`;
    expect((await gpd.call('GET', path, { key: null, query: { page: 0 } })).status).toBe(401);
    expect((await gpd.call('GET', path, { key: 'not-a-key-of-anyone-0000000000', query: { page: 0 } })).status).toBe(401);
    expect((await gpd.call('GET', path, { key: LISTA.key, query: { page: 0 } })).status).toBe(403);
  });
});

describe('stricter than GPD, on purpose (money and the node): 400 ProblemJson naming the field', () => {
  const refused = async (body: Json, field: string) => {
    const reply = await gpd.create(ORG, body);
    expectProblem(reply, 400);
    expect(problemText(reply)).toContain(field);
    expect((await gpd.get(ORG, body['iupd'])).status).toBe(404);
  };

  it('IBAN check digits (mod 97) and the Italian CIN', async () => {
    await refused(requiredOnly({ iban: 'IT79L0306909606100000117002' }), 'paymentOption[0].transfer[0].iban');
    // right mod 97, wrong CIN letter
    await refused(requiredOnly({ iban: 'IT34A0306909606100000117002' }), 'paymentOption[0].transfer[0].iban');
  });

  it('a transfer to the tenant goes to one of its registered IBANs', async () => {
    await refused(requiredOnly({ iban: OTHER_CREDITOR.iban }), 'paymentOption[0].transfer[0].iban');
  });

  it('fiscal-code check characters (debtor codice fiscale, creditor partita IVA)', async () => {
    await refused({ ...requiredOnly(), fiscalCode: 'RSSMRA80A01H501A' }, 'fiscalCode');
    const body = requiredOnly({ options: [{ amount: 5000, transfer: [requiredTransfer(3000), { ...requiredTransfer(2000, OTHER_CREDITOR.iban, '2'), organizationFiscalCode: '01020304058' }] }] });
    await refused(body, 'paymentOption[0].transfer[1].organizationFiscalCode');
  });

  it('notice-number check digits of the IUV, and its segregation code', async () => {
    const iuv = newIuv();
    const wrong = `${iuv.slice(0, 15)}${String((Number(iuv.slice(15)) + 1) % 93).padStart(2, '0')}`;
    await refused(requiredOnly({ options: [{ iuv: wrong }] }), 'paymentOption[0].iuv');
    await refused(requiredOnly({ options: [{ iuv: newIuv(LISTA.segregationCode) }] }), 'paymentOption[0].iuv');
  });

  it('the taxonomy code format of the category', async () => {
    const body = requiredOnly();
    option0(body)['transfer'][0].category = 'string';
    await refused(body, 'paymentOption[0].transfer[0].category');
  });

  it('amounts: at most 999,999,999.99 euro (paForNode stAmount)', async () => {
    await refused(requiredOnly({ options: [{ amount: 100_000_000_000 }] }), 'paymentOption[0].amount');
  });

  it('texts that reach the node: paForNode stText70 / stText140', async () => {
    await refused({ ...requiredOnly(), fullName: 'M'.repeat(71) }, 'fullName');
    const body = requiredOnly();
    option0(body)['transfer'][0].remittanceInformation = 'R'.repeat(141);
    await refused(body, 'paymentOption[0].transfer[0].remittanceInformation');
  });
});

describe(`GPD base path ${GPD_V1}`, () => {
  let v1: GpdClient;
  beforeAll(() => {
    v1 = gpd.at(GPD_V1);
  });

  it('GET /info', async () => {
    expectAppInfo(await v1.info());
  });

  it('POST /debtpositions creates, GET /debtpositions/{iupd} reads it', async () => {
    const body = requiredOnly();
    expectJsonReply(await v1.create(ORG, body), 201);
    const read = await v1.get(ORG, body['iupd']);
    expectJsonReply(read, 200);
    expect(read.json?.iupd).toBe(body['iupd']);
  });

  it('GET /debtpositions lists', async () => {
    const reply = await v1.list(ORG);
    expectJsonReply(reply, 200);
    expect(reply.json?.page_info?.page).toBe(0);
  });

  it('PUT /debtpositions/{iupd} updates', async () => {
    const body = requiredOnly();
    await created(body);
    expectJsonReply(await v1.update(ORG, body['iupd'], { ...body, fullName: 'Maria Rossi' }), 200);
  });

  it('POST …/publish and …/invalidate', async () => {
    const body = requiredOnly();
    await created(body);
    expectJsonReply(await v1.publish(ORG, body['iupd']), 200);
    expectJsonReply(await v1.invalidate(ORG, body['iupd']), 200);
  });

  it('DELETE /debtpositions/{iupd}', async () => {
    const body = requiredOnly();
    await created(body);
    expectJsonReply(await v1.remove(ORG, body['iupd']), 200);
  });

  it('POST /paymentoptions/paids/{nav}', async () => {
    const body = requiredOnly();
    await created(body, true);
    expectJsonReply(await v1.markPaid(ORG, nav0(body), alreadyPaid(localDateTime(0, '09:00:00'))), 200);
  });

  it('PATCH /debtpositions/transfers?oldIban=', async () => {
    const reply = await v1.replaceIban(ORG, newIbanBody(ESEMPIO.iban), { oldIban: 'IT60X0542811101000000123456' });
    expectJsonReply(reply, 200);
    expect(reply.json?.updatedTransfers).toBe(0);
  });

  it('errors are ProblemJson there too (404 naming the unknown iupd)', async () => {
    const iupd = newIupd();
    const reply = await v1.get(ORG, iupd);
    expectProblem(reply, 404);
    expect(problemText(reply)).toContain(iupd);
    expect(problemText(reply), 'a 404 about the position, not about the route').not.toContain(GPD_V1);
  });
});
