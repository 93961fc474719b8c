/**
 * The hostile-input campaign: every request is built to be refused (never a valid write), with
 * the precise answer it must get. Seeded, so `HOSTILE_SEED=<n>` replays a failing run exactly.
 *
 *  - REST: ProblemJson (application/problem+json), the expected 4xx and, where a field is at
 *    fault, its name in `errors[].field` (or in the message of an unknown-key error).
 *  - SOAP: HTTP 200 + outcome KO + one of the expected PAA fault codes, or HTTP 400 + SOAP Fault
 *    when no operation can be told.
 */
import { buildNodeRequest, buildServiceData, soapActionFor, type Operation } from '../../../shared/http/pagopa-soap';
import type { Receipt } from '../../../shared/domain/receipt';
import { signReceiptRequest, receiptSignature } from '../../../shared/http/receipt-signature';
import { toJsonReceipt } from '../../../scripts/pay';
import { positionRequest } from '../../fixtures/positions';
import type { RawRequest } from './http';
import type { Rng } from './prng';
import { ALL_INJECTIONS, BAD_AMOUNTS, BAD_CHECK, HUGE, PATH_TRAVERSAL, PATH_VALUES, SCRIPT_INJECTION, SQL_INJECTION, NOSQL_INJECTION } from './strings';

export interface Tenant {
  readonly fc: string;
  readonly key: string;
  readonly secret: string;
  readonly brokerId: string;
  readonly stationId: string;
}

/** What exists in the table before the campaign (so hostile requests can aim at real items). */
export interface HostileContext {
  readonly esempio: Tenant;
  readonly altrove: Tenant;
  /** ESEMPIO: a VALID (published) position and one of its options */
  readonly validIupd: string;
  readonly validNav: string;
  readonly validIuv: string;
  /** ESEMPIO: a DRAFT position */
  readonly draftIupd: string;
  /** ALTROVE: a VALID position */
  readonly altroveIupd: string;
  readonly altroveNav: string;
  /** ESEMPIO: a webhook subscriber and a notice batch */
  readonly webhookId: string;
  readonly batchId: string;
  readonly nowSeconds: () => number;
}

export type Expectation =
  | { readonly kind: 'problem'; readonly status: readonly number[]; readonly fields?: readonly string[] }
  | { readonly kind: 'soap'; readonly faults: readonly string[]; readonly allow400?: boolean };

export interface HostileCase {
  readonly family: string;
  /** the route as the catalog names it, e.g. "POST /organizations/{ofc}/debtpositions" */
  readonly endpoint: string;
  readonly what: string;
  readonly request: RawRequest;
  readonly expect: Expectation;
}

const problem = (status: number | readonly number[], fields?: readonly string[]): Expectation => ({
  kind: 'problem',
  status: typeof status === 'number' ? [status] : status,
  ...(fields ? { fields } : {}),
});

const enc = encodeURIComponent;
const safeEnc = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    // a lone surrogate: send its (invalid) UTF-8 bytes percent-encoded by hand
    return '%ED%A0%80';
  }
};

const ORG = (fc: string) => `/organizations/${fc}`;
const GPD_V1 = '/gpd/debt-positions-service/v1';
const GPD_V2 = '/gpd/debt-positions-service/v2';
const JSON_HEADERS = { 'content-type': 'application/json' };

type Route = {
  readonly method: string;
  readonly template: string;
  readonly path: (c: HostileContext, fc: string) => string;
  readonly body?: (c: HostileContext) => unknown;
};

/** Every tenant route with a request that would succeed for its own tenant (used with the wrong key). */
export function tenantRoutes(): Route[] {
  return [
    { method: 'POST', template: 'POST /organizations/{ofc}/debtpositions', path: (_c, fc) => `${ORG(fc)}/debtpositions`, body: () => positionRequest() },
    { method: 'GET', template: 'GET /organizations/{ofc}/debtpositions', path: (_c, fc) => `${ORG(fc)}/debtpositions?page=0&limit=5` },
    { method: 'GET', template: 'GET /organizations/{ofc}/debtpositions/{iupd}', path: (c, fc) => `${ORG(fc)}/debtpositions/${c.validIupd}` },
    {
      method: 'PUT',
      template: 'PUT /organizations/{ofc}/debtpositions/{iupd}',
      path: (c, fc) => `${ORG(fc)}/debtpositions/${c.draftIupd}`,
      body: (c) => positionRequest({ iupd: c.draftIupd, fullName: 'Hostile Change' }),
    },
    { method: 'DELETE', template: 'DELETE /organizations/{ofc}/debtpositions/{iupd}', path: (c, fc) => `${ORG(fc)}/debtpositions/${c.draftIupd}` },
    { method: 'POST', template: 'POST /organizations/{ofc}/debtpositions/{iupd}/publish', path: (c, fc) => `${ORG(fc)}/debtpositions/${c.draftIupd}/publish` },
    { method: 'POST', template: 'POST /organizations/{ofc}/debtpositions/{iupd}/invalidate', path: (c, fc) => `${ORG(fc)}/debtpositions/${c.validIupd}/invalidate` },
    { method: 'GET', template: 'GET /organizations/{ofc}/debtpositions/{iupd}/notice', path: (c, fc) => `${ORG(fc)}/debtpositions/${c.validIupd}/notice` },
    { method: 'GET', template: 'GET /organizations/{ofc}/paymentoptions/{nav}', path: (c, fc) => `${ORG(fc)}/paymentoptions/${c.validNav}` },
    { method: 'GET', template: 'GET /organizations/{ofc}/receipts', path: (_c, fc) => `${ORG(fc)}/receipts` },
    { method: 'GET', template: 'GET /organizations/{ofc}/receipts/anomalies', path: (_c, fc) => `${ORG(fc)}/receipts/anomalies` },
    { method: 'GET', template: 'GET /organizations/{ofc}/receipts/{iuv}', path: (c, fc) => `${ORG(fc)}/receipts/${c.validIuv}` },
    {
      method: 'POST',
      template: 'POST /organizations/{ofc}/webhooks',
      path: (_c, fc) => `${ORG(fc)}/webhooks`,
      body: () => ({ url: 'https://backoffice.example.org/hook', eventTypes: ['payment.received'] }),
    },
    { method: 'GET', template: 'GET /organizations/{ofc}/webhooks', path: (_c, fc) => `${ORG(fc)}/webhooks` },
    { method: 'DELETE', template: 'DELETE /organizations/{ofc}/webhooks/{webhookId}', path: (c, fc) => `${ORG(fc)}/webhooks/${c.webhookId}` },
    { method: 'GET', template: 'GET /organizations/{ofc}/webhooks/{webhookId}/deliveries', path: (c, fc) => `${ORG(fc)}/webhooks/${c.webhookId}/deliveries` },
    { method: 'POST', template: 'POST /organizations/{ofc}/notices/batches', path: (_c, fc) => `${ORG(fc)}/notices/batches`, body: (c) => ({ iupds: [c.validIupd] }) },
    { method: 'GET', template: 'GET /organizations/{ofc}/notices/batches/{batchId}', path: (c, fc) => `${ORG(fc)}/notices/batches/${c.batchId}` },
    {
      method: 'PUT',
      template: 'PUT /organizations/{ofc}/io/templates/{kind}',
      path: (_c, fc) => `${ORG(fc)}/io/templates/reminder`,
      body: () => ({ subject: 'Promemoria: avviso in scadenza', markdown: `Gentile contribuente, ricordiamo il pagamento di {{amount}} euro entro il {{dueDate}}. ${'Dettagli del pagamento. '.repeat(4)}` }),
    },
    { method: 'GET', template: 'GET /organizations/{ofc}/debtors/{fiscalCode}/dossier', path: (_c, fc) => `${ORG(fc)}/debtors/RCCMNL83S18D969H/dossier` },
    { method: 'POST', template: 'POST /organizations/{ofc}/paymentoptions/paids/{nav}', path: (c, fc) => `${ORG(fc)}/paymentoptions/paids/${c.validNav}`, body: () => ({}) },
    {
      method: 'PATCH',
      template: 'PATCH /organizations/{ofc}/debtpositions/transfers',
      path: (c, fc) => `${ORG(fc)}/debtpositions/transfers?oldIban=IT78L0306909606100000117002`,
      body: () => ({ newIban: 'IT78L0306909606100000117002' }),
    },
    { method: 'POST', template: 'POST /gpd/debt-positions-service/v2/organizations/{ofc}/debtpositions', path: (_c, fc) => `${GPD_V2}${ORG(fc)}/debtpositions`, body: () => ({ paymentPositions: [positionRequest()] }) },
    {
      method: 'PUT',
      template: 'PUT /gpd/debt-positions-service/v2/organizations/{ofc}/debtpositions',
      path: (_c, fc) => `${GPD_V2}${ORG(fc)}/debtpositions`,
      body: (c) => ({ paymentPositions: [positionRequest({ iupd: c.draftIupd })] }),
    },
    { method: 'DELETE', template: 'DELETE /gpd/debt-positions-service/v2/organizations/{ofc}/debtpositions', path: (_c, fc) => `${GPD_V2}${ORG(fc)}/debtpositions`, body: (c) => ({ paymentPositionIUPDs: [c.draftIupd] }) },
    { method: 'GET', template: 'GET /gpd/debt-positions-service/v1/organizations/{ofc}/debtpositions/{iupd}', path: (c, fc) => `${GPD_V1}${ORG(fc)}/debtpositions/${c.validIupd}` },
  ];
}

function withKey(key: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return key === undefined ? { ...extra } : { 'ocp-apim-subscription-key': key, ...extra };
}

function jsonRequest(method: string, path: string, key: string | undefined, body: unknown): RawRequest {
  return { method, path, headers: withKey(key, JSON_HEADERS), body: typeof body === 'string' ? body : JSON.stringify(body) };
}

// ---- 1. authentication: every tenant route × wrong credentials ---------------------------------

function authCases(c: HostileContext): HostileCase[] {
  const variants: Array<{ what: string; headers: Record<string, string>; status: number; fc?: string }> = [
    { what: 'no key', headers: {}, status: 401 },
    { what: 'empty key', headers: { 'ocp-apim-subscription-key': '' }, status: 401 },
    { what: 'blank key', headers: { 'ocp-apim-subscription-key': '   ' }, status: 401 },
    { what: 'unknown key', headers: { 'ocp-apim-subscription-key': 'not-a-real-key-0123456789abcdef' }, status: 401 },
    { what: 'other tenant key', headers: { 'ocp-apim-subscription-key': c.altrove.key }, status: 403 },
    { what: 'key as bearer token', headers: { authorization: `Bearer ${c.esempio.key}` }, status: 401 },
    { what: 'key with a suffix', headers: { 'ocp-apim-subscription-key': `${c.esempio.key}x` }, status: 401 },
    { what: 'key prefix', headers: { 'ocp-apim-subscription-key': c.esempio.key.slice(0, -1) }, status: 401 },
    { what: 'key upper-cased', headers: { 'ocp-apim-subscription-key': c.esempio.key.toUpperCase() }, status: 401 },
    { what: 'SQL in key', headers: { 'ocp-apim-subscription-key': "' OR '1'='1" }, status: 401 },
    { what: 'NoSQL in key', headers: { 'ocp-apim-subscription-key': '{"$ne":null}' }, status: 401 },
    { what: 'huge key', headers: { 'ocp-apim-subscription-key': 'k'.repeat(6000) }, status: 401 },
    { what: 'two keys (own, other)', headers: { 'ocp-apim-subscription-key': `${c.esempio.key},${c.altrove.key}` }, status: 401 },
    { what: 'own key, other tenant path', headers: { 'ocp-apim-subscription-key': c.esempio.key }, status: 403, fc: c.altrove.fc },
  ];
  const cases: HostileCase[] = [];
  for (const route of tenantRoutes()) {
    for (const v of variants) {
      const fc = v.fc ?? c.esempio.fc;
      const body = route.body?.(c);
      cases.push({
        family: 'auth',
        endpoint: route.template,
        what: v.what,
        request: {
          method: route.method,
          path: route.path(c, fc),
          headers: { ...v.headers, ...(body !== undefined ? JSON_HEADERS : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        },
        expect: problem(v.status),
      });
    }
  }
  return cases;
}

// ---- 2. the organization path segment and raw paths -------------------------------------------

function organizationPathCases(c: HostileContext, rng: Rng): HostileCase[] {
  const cases: HostileCase[] = [];
  const routes = tenantRoutes();
  const values = [...PATH_VALUES.filter((v) => v !== HUGE.key), BAD_CHECK.partitaIva, BAD_CHECK.partitaIvaZeros, `${c.esempio.fc} `, `0${c.esempio.fc}`];
  for (const value of values) {
    const route = rng.pick(routes);
    const body = route.body?.(c);
    const fc = safeEnc(value);
    cases.push({
      family: 'org-path',
      endpoint: route.template,
      what: `organization ${JSON.stringify(value).slice(0, 40)} with own key`,
      request: {
        method: route.method,
        path: route.path(c, fc),
        headers: withKey(c.esempio.key, body !== undefined ? JSON_HEADERS : {}),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      // the key names its tenant: any other organization in the path is forbidden (or no route at all)
      expect: problem([403, 404]),
    });
  }
  // raw traversal on the wire (no URL normalisation): no route, or the other tenant forbidden
  const raw = [
    `${ORG(c.esempio.fc)}/debtpositions/../../${c.altrove.fc}/debtpositions?page=0`,
    `${ORG(c.esempio.fc)}/../${c.altrove.fc}/debtpositions/${c.altroveIupd}`,
    `/organizations/${c.esempio.fc}/%2e%2e/${c.altrove.fc}/debtpositions/${c.altroveIupd}`,
    `//organizations//${c.altrove.fc}//debtpositions//${c.altroveIupd}`,
    `/organizations/${c.altrove.fc}%2F..%2F${c.esempio.fc}/debtpositions/${c.validIupd}`,
    `/organizations/${c.esempio.fc}/debtpositions/${c.validIupd}/../../../../etc/passwd`,
    `/organizations/${c.esempio.fc}/debtpositions/%2e%2e%2f%2e%2e%2f${c.altrove.fc}`,
    `/ORGANIZATIONS/${c.esempio.fc}/debtpositions/${c.validIupd}`,
    `/organizations/${c.esempio.fc}/debtpositions/${c.validIupd}/notice/../../..`,
    `/organizations/${c.esempio.fc}/debtpositions/${c.validIupd}%00`,
    `/organizations/${c.esempio.fc}/debtpositions/${c.validIupd}%0d%0aX-Injected:%201`,
    `/${'a/'.repeat(400)}`,
    `/organizations/${c.esempio.fc}/receipts/${enc('../anomalies')}`,
    `/_sim/../organizations/${c.altrove.fc}/debtpositions/${c.altroveIupd}`,
  ];
  for (const path of raw) {
    cases.push({ family: 'traversal', endpoint: 'raw path', what: path.slice(0, 60), request: { method: 'GET', path, headers: withKey(c.esempio.key) }, expect: problem([400, 403, 404]) });
  }
  for (const method of ['PATCH', 'TRACE', 'OPTIONS', 'PROPFIND']) {
    cases.push({
      family: 'method',
      endpoint: 'wrong method',
      what: `${method} on a position`,
      request: { method, path: `${ORG(c.esempio.fc)}/debtpositions/${c.validIupd}`, headers: withKey(c.esempio.key) },
      expect: problem([404, 405]),
    });
  }
  return cases;
}

// ---- 3. hostile path parameters -------------------------------------------------------------

function pathParamCases(c: HostileContext): HostileCase[] {
  const cases: HostileCase[] = [];
  const o = ORG(c.esempio.fc);
  const k = c.esempio.key;
  const add = (endpoint: string, what: string, request: RawRequest, expect: Expectation) =>
    cases.push({ family: 'path-param', endpoint, what, request, expect });
  const values = [...PATH_VALUES, c.altroveIupd];
  for (const raw of values) {
    const v = safeEnc(raw);
    const label = JSON.stringify(raw).slice(0, 40);
    add('GET /organizations/{ofc}/debtpositions/{iupd}', `iupd ${label}`, { method: 'GET', path: `${o}/debtpositions/${v}`, headers: withKey(k) }, problem(404));
    add('DELETE /organizations/{ofc}/debtpositions/{iupd}', `iupd ${label}`, { method: 'DELETE', path: `${o}/debtpositions/${v}`, headers: withKey(k) }, problem(404));
    add('POST /organizations/{ofc}/debtpositions/{iupd}/publish', `iupd ${label}`, { method: 'POST', path: `${o}/debtpositions/${v}/publish`, headers: withKey(k) }, problem(404));
    add('POST /organizations/{ofc}/debtpositions/{iupd}/invalidate', `iupd ${label}`, { method: 'POST', path: `${o}/debtpositions/${v}/invalidate`, headers: withKey(k) }, problem(404));
    add('GET /organizations/{ofc}/debtpositions/{iupd}/notice', `iupd ${label}`, { method: 'GET', path: `${o}/debtpositions/${v}/notice`, headers: withKey(k) }, problem(404));
    // a valid body whose iupd is not the path's: refused before anything is read or written
    add(
      'PUT /organizations/{ofc}/debtpositions/{iupd}',
      `iupd ${label}`,
      jsonRequest('PUT', `${o}/debtpositions/${v}`, k, positionRequest({ iupd: c.draftIupd })),
      problem([400, 404], raw === c.draftIupd ? undefined : ['iupd']),
    );
    add('GET /organizations/{ofc}/paymentoptions/{nav}', `nav ${label}`, { method: 'GET', path: `${o}/paymentoptions/${v}`, headers: withKey(k) }, problem(404));
    add('GET /organizations/{ofc}/receipts/{iuv}', `iuv ${label}`, { method: 'GET', path: `${o}/receipts/${v}`, headers: withKey(k) }, problem(400, ['iuv']));
    add('DELETE /organizations/{ofc}/webhooks/{webhookId}', `webhookId ${label}`, { method: 'DELETE', path: `${o}/webhooks/${v}`, headers: withKey(k) }, problem(404));
    add('GET /organizations/{ofc}/webhooks/{webhookId}/deliveries', `webhookId ${label}`, { method: 'GET', path: `${o}/webhooks/${v}/deliveries`, headers: withKey(k) }, problem(404));
    add('GET /organizations/{ofc}/notices/batches/{batchId}', `batchId ${label}`, { method: 'GET', path: `${o}/notices/batches/${v}`, headers: withKey(k) }, problem(404));
    add(
      'PUT /organizations/{ofc}/io/templates/{kind}',
      `kind ${label}`,
      jsonRequest('PUT', `${o}/io/templates/${v}`, k, { subject: 'Un avviso di pagamento per te', markdown: 'x'.repeat(120) }),
      problem(404),
    );
    add('GET /organizations/{ofc}/debtors/{fiscalCode}/dossier', `fiscalCode ${label}`, { method: 'GET', path: `${o}/debtors/${v}/dossier`, headers: withKey(k) }, problem(400, ['fiscalCode']));
  }
  // identifiers of the right shape with wrong check digits, and the other tenant's
  for (const nav of [BAD_CHECK.noticeNumber, BAD_CHECK.noticeNumberOtherTenant, BAD_CHECK.noticeNumberAux0, c.altroveNav, '000000000000000000', '1'.repeat(18)]) {
    add('GET /organizations/{ofc}/paymentoptions/{nav}', `nav ${nav}`, { method: 'GET', path: `${o}/paymentoptions/${nav}`, headers: withKey(k) }, problem(404));
    add('GET /organizations/{ofc}/receipts/{iuv}', `iuv of nav ${nav}`, { method: 'GET', path: `${o}/receipts/${nav}`, headers: withKey(k) }, problem(400, ['iuv']));
  }
  for (const fc of [BAD_CHECK.codiceFiscale, BAD_CHECK.codiceFiscaleBadDay, BAD_CHECK.partitaIva, BAD_CHECK.partitaIvaZeros, 'AAAAAAAAAAAAAAAA', '0000000000000000', 'RCCMNL83S18D969HX']) {
    add('GET /organizations/{ofc}/debtors/{fiscalCode}/dossier', `fiscalCode ${fc}`, { method: 'GET', path: `${o}/debtors/${fc}/dossier`, headers: withKey(k) }, problem(400, ['fiscalCode']));
  }
  return cases;
}

// ---- 4. hostile query strings ---------------------------------------------------------------

function queryCases(c: HostileContext, rng: Rng): HostileCase[] {
  const cases: HostileCase[] = [];
  const o = ORG(c.esempio.fc);
  const k = c.esempio.key;
  const inj = () => safeEnc(rng.pick(ALL_INJECTIONS.filter((v) => v !== '')));
  const forgedCursor = (partition: string, pk = '', sk = '', gsk = '') => Buffer.from(JSON.stringify([pk, sk, partition, gsk])).toString('base64url');
  const forgedKeyCursor = (gsi1pk: string) => Buffer.from(JSON.stringify({ pk: '', sk: '', gsi1pk, gsi1sk: '' })).toString('base64url');
  const list = `${o}/debtpositions`;
  const listQueries: Array<[string, string[]]> = [
    // GPD: page defaults to 0, orderby takes INSERTED_DATE, IUPD, STATUS, COMPANY_NAME (valid, so not here)
    ['page=-1', ['page']],
    ['page=abc', ['page']],
    ['page=1.5', ['page']],
    ['page=1e400', ['page']],
    ['page=0&limit=0', ['limit']],
    ['page=0&limit=51', ['limit']],
    ['page=0&limit=-5', ['limit']],
    ['page=0&limit=99999999999999999999', ['limit']],
    [`page=0&status=${inj()}`, ['status']],
    ['page=0&status=valid', ['status']],
    [`page=0&due_date_from=${inj()}`, ['due_date_from']],
    ['page=0&due_date_to=2026-02-30', ['due_date_to']],
    ['page=0&orderby=AMOUNT', ['orderby']],
    [`page=0&orderby=${inj()}`, ['orderby']],
    [`page=0&ordering=${inj()}`, ['ordering']],
    [`page=0&${enc('$where')}=1`, ['$where']],
    [`page=0&${enc('__proto__[admin]')}=1`, ['__proto__[admin]']],
    ['page=0&page=1', ['page']],
    [`page=${enc(HUGE.medium)}`, ['page']],
  ];
  for (const [q, fields] of listQueries) {
    cases.push({ family: 'query', endpoint: 'GET /organizations/{ofc}/debtpositions', what: q.slice(0, 60), request: { method: 'GET', path: `${list}?${q}`, headers: withKey(k) }, expect: problem(400, fields) });
  }
  // toPublish takes Spring's spellings (true/false, on/off, yes/no, 1/0, any case): not these
  for (const q of [['toPublish=maybe', 'toPublish'], ['toPublish=2', 'toPublish'], [`toPublish=${inj()}`, 'toPublish'], ['debug=true', 'debug']] as const) {
    cases.push({
      family: 'query',
      endpoint: 'POST /organizations/{ofc}/debtpositions',
      what: q[0],
      request: jsonRequest('POST', `${list}?${q[0]}`, k, positionRequest()),
      expect: problem(400, [q[1]]),
    });
  }
  const windowQueries: Array<[string, string[]]> = [
    [`from=${inj()}`, ['from']],
    ['from=2026-01-01', ['from']],
    ['to=yesterday', ['to']],
    ['limit=0', ['limit']],
    ['limit=101', ['limit']],
    ['limit=abc', ['limit']],
    [`cursor=${inj()}`, ['cursor']],
    [`cursor=${enc(HUGE.key)}`, ['cursor']],
    ['cursor=', ['cursor']],
    [`cursor=${forgedCursor(`ORG#${c.altrove.fc}#RECEIPTS`)}`, ['cursor']],
    [`cursor=${forgedCursor(`ORG#${c.esempio.fc}#RECEIPTS`)}`, ['cursor']],
    [`cursor=${forgedCursor(`ORG#${c.esempio.fc}#RECEIPTS`, `RCPT#${c.altrove.fc}#x`, 'RECEIPT#x', '2026')}`, ['cursor']],
    [`cursor=${forgedCursor(`ORG#${c.esempio.fc}#RECEIPT_ANOMALIES`)}`, ['cursor']],
    [`${enc('$where')}=1`, ['$where']],
  ];
  for (const endpoint of ['receipts', 'receipts/anomalies']) {
    for (const [q, fields] of windowQueries) {
      cases.push({ family: 'query', endpoint: `GET /organizations/{ofc}/${endpoint}`, what: q.slice(0, 60), request: { method: 'GET', path: `${o}/${endpoint}?${q}`, headers: withKey(k) }, expect: problem(400, fields) });
    }
  }
  const deliveryQueries: Array<[string, string[]]> = [
    ['limit=0', ['limit']],
    ['limit=1000', ['limit']],
    [`limit=${inj()}`, ['limit']],
    [`cursor=${inj()}`, ['cursor']],
    [`cursor=${forgedKeyCursor(`ORG#${c.altrove.fc}#WEBHOOK#${c.webhookId}#DELIVERIES`)}`, ['cursor']],
    [`cursor=${forgedKeyCursor(`ORG#${c.esempio.fc}#WEBHOOK#${c.webhookId}#DELIVERIES`)}`, ['cursor']],
    ['extra=1', ['extra']],
  ];
  for (const [q, fields] of deliveryQueries) {
    cases.push({
      family: 'query',
      endpoint: 'GET /organizations/{ofc}/webhooks/{webhookId}/deliveries',
      what: q.slice(0, 60),
      request: { method: 'GET', path: `${o}/webhooks/${c.webhookId}/deliveries?${q}`, headers: withKey(k) },
      expect: problem(400, fields),
    });
  }
  return cases;
}

// ---- 5. hostile JSON bodies -------------------------------------------------------------------

type Mutation = { what: string; apply: (body: Record<string, any>) => void; fields: string[] };

const set = (path: string, value: unknown): ((b: Record<string, any>) => void) => (b) => {
  const parts = path.split('.');
  let at: any = b;
  for (const p of parts.slice(0, -1)) {
    at = at?.[/^\d+$/.test(p) ? Number(p) : p];
    if (at === null || typeof at !== 'object') return; // an earlier mutation of a combination replaced the parent
  }
  at[parts[parts.length - 1]!] = value;
};
const del = (path: string): ((b: Record<string, any>) => void) => (b) => {
  const parts = path.split('.');
  let at: any = b;
  for (const p of parts.slice(0, -1)) {
    at = at?.[/^\d+$/.test(p) ? Number(p) : p];
    if (at === null || typeof at !== 'object') return;
  }
  delete at[parts[parts.length - 1]!];
};

/** Mutations of a valid position body, each breaking a named field (GPD path syntax). */
function positionMutations(rng: Rng, c: HostileContext): Mutation[] {
  const injections = ALL_INJECTIONS.filter((v) => !/^[A-Za-z0-9._-]{1,70}$/.test(v));
  const m: Mutation[] = [];
  const inj = () => rng.pick(injections);
  const O = 'paymentOption.0';
  const T = `${O}.transfer.0`;
  const f = (p: string) => p.replace(/\.(\d+)/g, '[$1]');
  const field = (p: string, value: unknown, what?: string) => m.push({ what: what ?? `${f(p)}=${JSON.stringify(value)?.slice(0, 30)}`, apply: set(p, value), fields: [f(p)] });
  field('iupd', inj());
  field('iupd', HUGE.key.slice(0, 71));
  field('iupd', 12345);
  field('iupd', null);
  field('type', 'X');
  field('type', inj());
  field('fiscalCode', BAD_CHECK.codiceFiscale, 'codice fiscale with a wrong check letter');
  field('fiscalCode', BAD_CHECK.codiceFiscaleLower, 'codice fiscale in lower case');
  field('fiscalCode', BAD_CHECK.codiceFiscaleBadDay, 'codice fiscale with day 98');
  field('fiscalCode', inj());
  field('fiscalCode', 'RCCMNL83S18D969H'.repeat(2));
  m.push({ what: 'type G with a wrong partita IVA check digit', apply: (b) => Object.assign(b, { type: 'G', fiscalCode: BAD_CHECK.partitaIva }), fields: ['fiscalCode'] });
  m.push({ what: 'type G with partita IVA all zeros', apply: (b) => Object.assign(b, { type: 'G', fiscalCode: BAD_CHECK.partitaIvaZeros }), fields: ['fiscalCode'] });
  m.push({ what: 'type G with ANONIMO', apply: (b) => Object.assign(b, { type: 'G', fiscalCode: 'ANONIMO' }), fields: ['fiscalCode'] });
  field('fullName', '');
  field('fullName', '   ');
  field('fullName', `${inj()}${'x'.repeat(80)}`);
  field('fullName', 'x'.repeat(100_000));
  field('fullName', ['Mario']);
  field('email', 'not-an-email');
  field('email', `${inj()}@`);
  field('email', '<script>alert(1)</script>@example.org');
  // province is free text as in GPD, within paForNode's stText35 (stateProvinceRegion)
  field('province', 'p'.repeat(36));
  field('province', ['RM']);
  field('country', 'ITA');
  // phone is free text as in GPD, within GPD's 255 characters
  field('phone', '3'.repeat(256));
  field('phone', 3391234567);
  field('postalCode', 'x'.repeat(17));
  field('switchToExpired', 'true');
  field('validityDate', inj());
  field('validityDate', '2026-02-30');
  field('companyName', '');
  field('paymentOption', []);
  field('paymentOption', 'all');
  field('paymentOption', null);
  m.push({ what: '101 payment options', apply: (b) => (b['paymentOption'] = Array.from({ length: 101 }, () => structuredClone(positionRequest()['paymentOption'] as unknown[])[0])), fields: ['paymentOption'] });
  for (const amount of BAD_AMOUNTS) {
    field(`${O}.amount`, amount);
    field(`${T}.amount`, amount);
  }
  // fee is read-only (GPD writes it): a number sent back is ignored, anything else refused
  field(`${O}.fee`, 'free');
  field(`${O}.dueDate`, inj());
  field(`${O}.dueDate`, '2026-13-45');
  field(`${O}.dueDate`, 20991231);
  field(`${O}.retentionDate`, 'tomorrow');
  field(`${O}.isPartialPayment`, 'false');
  field(`${O}.description`, 'd'.repeat(141));
  field(`${O}.nav`, BAD_CHECK.noticeNumber, 'notice number with wrong check digits');
  field(`${O}.nav`, BAD_CHECK.noticeNumberOtherTenant, "notice number with the other tenant's segregation code");
  field(`${O}.nav`, BAD_CHECK.noticeNumberAux0, 'notice number with aux digit 0');
  field(`${O}.nav`, inj());
  field(`${O}.nav`, '3'.repeat(19));
  field(`${O}.iuv`, '1'.repeat(16));
  field(`${O}.iuv`, BAD_CHECK.noticeNumber.slice(1), 'IUV with wrong check digits');
  field(`${O}.iuv`, inj());
  field(`${O}.transfer`, []);
  m.push({ what: '6 transfers', apply: set(`${O}.transfer`, Array.from({ length: 6 }, (_, i) => ({ ...(positionRequest()['paymentOption'] as any[])[0].transfer[0], idTransfer: String((i % 5) + 1) }))), fields: [`${f(O)}.transfer`] });
  field(`${T}.idTransfer`, '6');
  field(`${T}.idTransfer`, 1);
  field(`${T}.iban`, BAD_CHECK.iban, 'IBAN with wrong check digits');
  field(`${T}.iban`, BAD_CHECK.ibanShort, 'IBAN too short');
  field(`${T}.iban`, BAD_CHECK.ibanLetters, 'IBAN with letters in the account');
  field(`${T}.iban`, BAD_CHECK.ibanForeign, 'foreign IBAN');
  field(`${T}.iban`, inj());
  field(`${T}.iban`, 'IT78 L030 6909 6061 0000 0117 002 ');
  field(`${T}.postalIban`, BAD_CHECK.iban);
  field(`${T}.organizationFiscalCode`, BAD_CHECK.partitaIva, 'transfer organization with a wrong partita IVA check digit');
  field(`${T}.organizationFiscalCode`, inj());
  field(`${T}.organizationFiscalCode`, c.altrove.fc, "first transfer to the other tenant");
  field(`${T}.category`, inj());
  field(`${T}.category`, '9/XXXX/');
  field(`${T}.remittanceInformation`, '');
  field(`${T}.stamp`, { hashDocument: inj(), stampType: '!!', provincialResidence: 'rm' });
  field(`${T}.transferMetadata`, Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: 'v' })));
  field(`${T}.transferMetadata`, [{ key: '', value: inj() }]);
  field(`${O}.paymentOptionMetadata`, [{ key: 'a', value: 'b', $where: '1' }]);
  m.push({ what: 'missing iupd', apply: del('iupd'), fields: ['iupd'] });
  m.push({ what: 'missing type', apply: del('type'), fields: ['type'] });
  m.push({ what: 'missing fiscalCode', apply: del('fiscalCode'), fields: ['fiscalCode'] });
  m.push({ what: 'missing fullName', apply: del('fullName'), fields: ['fullName'] });
  m.push({ what: 'missing paymentOption', apply: del('paymentOption'), fields: ['paymentOption'] });
  m.push({ what: 'missing amount', apply: del(`${O}.amount`), fields: [`${f(O)}.amount`] });
  m.push({ what: 'missing dueDate', apply: del(`${O}.dueDate`), fields: [`${f(O)}.dueDate`] });
  m.push({ what: 'missing transfer', apply: del(`${O}.transfer`), fields: [`${f(O)}.transfer`] });
  m.push({ what: 'missing transfer category', apply: del(`${T}.category`), fields: [`${f(T)}.category`] });
  for (const extra of ['$where', '__proto__', 'constructor', 'pk', 'sk', 'organizationFiscalCode_', 'isAdmin']) {
    m.push({ what: `extra field ${extra}`, apply: (b) => Object.defineProperty(b, extra, { value: { $ne: null }, enumerable: true, configurable: true, writable: true }), fields: [extra] });
  }
  m.push({ what: 'extra field in an option', apply: set(`${O}.hack`, 1), fields: ['hack'] });
  m.push({ what: 'extra field in a transfer', apply: set(`${T}.hack`, 1), fields: ['hack'] });
  m.push({ what: 'transfers do not add up to the amount', apply: set(`${T}.amount`, 1), fields: [] });
  return m;
}

/** Raw bodies that are not the JSON the route wants. */
function rawBodyVariants(valid: string): Array<{ what: string; headers: Record<string, string>; body: string | Buffer; status: number }> {
  const invalidUtf8 = Buffer.concat([Buffer.from('{"iupd":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('"}')]);
  return [
    { what: 'truncated JSON', headers: JSON_HEADERS, body: valid.slice(0, Math.floor(valid.length / 2)), status: 400 },
    { what: 'trailing comma', headers: JSON_HEADERS, body: valid.replace(/}$/, ',}'), status: 400 },
    { what: 'single quotes', headers: JSON_HEADERS, body: valid.replace(/"/g, "'"), status: 400 },
    { what: 'NaN literal', headers: JSON_HEADERS, body: '{"amount":NaN}', status: 400 },
    { what: 'comment', headers: JSON_HEADERS, body: `/* hi */${valid}`, status: 400 },
    // RFC 8259 §8.1 lets a parser ignore a BOM (the layer does): it must not smuggle an invalid body through
    { what: 'BOM before an empty object', headers: JSON_HEADERS, body: '\ufeff{}', status: 400 },
    { what: 'two BOMs', headers: JSON_HEADERS, body: `\ufeff\ufeff${valid}`, status: 400 },
    { what: 'two documents', headers: JSON_HEADERS, body: `${valid}${valid}`, status: 400 },
    { what: 'deep nesting', headers: JSON_HEADERS, body: `${'['.repeat(200_000)}${']'.repeat(200_000)}`, status: 400 },
    { what: 'null', headers: JSON_HEADERS, body: 'null', status: 400 },
    { what: 'array', headers: JSON_HEADERS, body: '[]', status: 400 },
    { what: 'string', headers: JSON_HEADERS, body: '"hello"', status: 400 },
    { what: 'number', headers: JSON_HEADERS, body: '1e400', status: 400 },
    { what: 'empty object', headers: JSON_HEADERS, body: '{}', status: 400 },
    { what: 'invalid UTF-8 in JSON', headers: JSON_HEADERS, body: invalidUtf8, status: 400 },
    { what: 'invalid UTF-8 as octet-stream', headers: { 'content-type': 'application/octet-stream' }, body: invalidUtf8, status: 415 },
    { what: 'text/plain', headers: { 'content-type': 'text/plain' }, body: valid, status: 415 },
    { what: 'form-urlencoded', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'iupd=x&amount=1', status: 415 },
    { what: 'multipart', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: `--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n${valid}\r\n--x--`, status: 415 },
    { what: 'XML', headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', status: 415 },
    { what: 'no content type', headers: {}, body: valid, status: 415 },
    { what: 'json with charset latin1 and bad bytes', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: Buffer.from('{"iupd":"\xe9\xe8"}', 'latin1'), status: 400 },
    { what: 'body over 1 MiB', headers: JSON_HEADERS, body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }), status: 413 },
    { what: 'body over 10 MiB (gateway quota)', headers: JSON_HEADERS, body: Buffer.alloc(10 * 1024 * 1024 + 10, 0x20), status: 413 },
  ];
}

function bodyCases(c: HostileContext, rng: Rng, perRoute: number): HostileCase[] {
  const cases: HostileCase[] = [];
  const o = ORG(c.esempio.fc);
  const k = c.esempio.key;
  // positions: create and update (the update aims at the real DRAFT position)
  const mutations = positionMutations(rng, c);
  const targets = [
    { endpoint: 'POST /organizations/{ofc}/debtpositions', method: 'POST', path: `${o}/debtpositions?toPublish=true`, iupd: () => undefined as string | undefined },
    { endpoint: 'PUT /organizations/{ofc}/debtpositions/{iupd}', method: 'PUT', path: `${o}/debtpositions/${c.draftIupd}?toPublish=true`, iupd: () => c.draftIupd },
  ];
  for (const target of targets) {
    const list = [...mutations];
    // every mutation once, then random pairs and triples until perRoute
    const plan: Mutation[][] = list.map((m) => [m]);
    while (plan.length < perRoute) {
      const n = 2 + rng.int(2);
      const combo: Mutation[] = [];
      for (let i = 0; i < n; i++) combo.push(rng.pick(list));
      plan.push(combo);
    }
    for (const combo of plan) {
      const iupd = target.iupd();
      const body = positionRequest(iupd ? { iupd } : {}) as Record<string, any>;
      for (const mutation of combo) mutation.apply(body);
      // a combination can delete a field another one set: expect only fields still at fault
      const fields = combo.length === 1 ? combo[0]!.fields : [];
      // an update whose iupd was mutated differs from the path: 400 naming iupd either way
      cases.push({
        family: combo.length === 1 ? 'body' : 'body-combo',
        endpoint: target.endpoint,
        what: combo.map((x) => x.what).join(' + '),
        request: jsonRequest(target.method, target.path, k, body),
        expect: problem(400, target.method === 'PUT' && fields.includes('iupd') ? ['iupd'] : fields),
      });
    }
    for (const v of rawBodyVariants(JSON.stringify(positionRequest(target.iupd() ? { iupd: target.iupd() } : {})))) {
      cases.push({ family: 'raw-body', endpoint: target.endpoint, what: v.what, request: { method: target.method, path: target.path, headers: withKey(k, v.headers), body: v.body }, expect: problem(v.status) });
    }
    cases.push({ family: 'raw-body', endpoint: target.endpoint, what: 'no body', request: { method: target.method, path: target.path, headers: withKey(k) }, expect: problem(400) });
  }

  // webhook subscribers
  const webhook = `${o}/webhooks`;
  const urls = [
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]/',
    'https://metadata.google.internal/',
    'https://10.0.0.1/hook',
    'https://192.168.1.1/hook',
    // 10.0.0.1 and 169.254.169.254 in hex, decimal and octal (loopback is allowed on the local cloud only)
    'https://0x0a000001/hook',
    'https://167772161/hook',
    'https://0251.0376.0251.0376/latest/meta-data/',
    'https://[::ffff:10.0.0.1]/',
    'https://user:pass@backoffice.example.org/hook',
    'https://backoffice.example.org/hook#frag',
    'http://backoffice.example.org/hook',
    'file:///etc/passwd',
    'gopher://backoffice.example.org:25/_HELO',
    'javascript:alert(1)',
    'ftp://backoffice.example.org/',
    'https://intranet/hook',
    'https://printer.local/hook',
    'not a url',
    '',
    `https://${'a'.repeat(2100)}.example.org/`,
    ...SQL_INJECTION,
    ...SCRIPT_INJECTION,
  ];
  for (const url of urls) {
    cases.push({ family: 'body', endpoint: 'POST /organizations/{ofc}/webhooks', what: `url ${url.slice(0, 50)}`, request: jsonRequest('POST', webhook, k, { url, eventTypes: ['payment.received'] }), expect: problem(400, ['url']) });
  }
  const goodUrl = 'https://backoffice.example.org/hook';
  const webhookBodies: Array<[string, unknown, string[]]> = [
    ['no event types', { url: goodUrl, eventTypes: [] }, ['eventTypes']],
    ['unknown event type', { url: goodUrl, eventTypes: ['*'] }, ['eventTypes[0]']],
    ['injected event type', { url: goodUrl, eventTypes: [rng.pick(NOSQL_INJECTION)] }, ['eventTypes[0]']],
    ['repeated event type', { url: goodUrl, eventTypes: ['payment.received', 'payment.received'] }, ['eventTypes']],
    ['event types as string', { url: goodUrl, eventTypes: 'payment.received' }, ['eventTypes']],
    ['description too long', { url: goodUrl, eventTypes: ['payment.received'], description: 'd'.repeat(141) }, ['description']],
    ['own secret', { url: goodUrl, eventTypes: ['payment.received'], secret: 'whsec_mine' }, ['secret']],
    ['status ACTIVE forced', { url: goodUrl, eventTypes: ['payment.received'], organizationFiscalCode: c.altrove.fc }, ['organizationFiscalCode']],
    ['url number', { url: 42, eventTypes: ['payment.received'] }, ['url']],
    ['missing url', { eventTypes: ['payment.received'] }, ['url']],
  ];
  for (const [what, body, fields] of webhookBodies) {
    cases.push({ family: 'body', endpoint: 'POST /organizations/{ofc}/webhooks', what, request: jsonRequest('POST', webhook, k, body), expect: problem(400, fields) });
  }
  for (const v of rawBodyVariants(JSON.stringify({ url: goodUrl, eventTypes: ['payment.received'] }))) {
    cases.push({ family: 'raw-body', endpoint: 'POST /organizations/{ofc}/webhooks', what: v.what, request: { method: 'POST', path: webhook, headers: withKey(k, v.headers), body: v.body }, expect: problem(v.status) });
  }

  // notice batches
  const batches = `${o}/notices/batches`;
  const batchBodies: Array<[string, unknown, string[]]> = [
    ['empty iupds', { iupds: [] }, ['iupds']],
    ['injected iupd', { iupds: [rng.pick(SCRIPT_INJECTION)] }, ['iupds[0]']],
    ['traversal iupd', { iupds: [rng.pick(PATH_TRAVERSAL)] }, ['iupds[0]']],
    ['huge iupd', { iupds: [HUGE.key] }, ['iupds[0]']],
    ['5001 iupds', { iupds: Array.from({ length: 5001 }, (_, i) => `P-${i}`) }, ['iupds']],
    ['iupds and filter', { iupds: [c.validIupd], filter: {} }, ['iupds']],
    ['neither', {}, ['iupds']],
    ['filter status PAID', { filter: { status: 'PAID' } }, ['filter.status']],
    ['filter status injected', { filter: { status: rng.pick(NOSQL_INJECTION) } }, ['filter.status']],
    ['filter dueFrom garbage', { filter: { dueFrom: rng.pick(SQL_INJECTION) } }, ['filter.dueFrom']],
    ['filter extra', { filter: { organizationFiscalCode: c.altrove.fc } }, ['organizationFiscalCode']],
    ['organization in body', { iupds: [c.validIupd], organizationFiscalCode: c.altrove.fc }, ['organizationFiscalCode']],
    ['iupds not an array', { iupds: c.validIupd }, ['iupds']],
    ['filter matching nothing', { filter: { dueFrom: '1990-01-01', dueTo: '1990-01-02' } }, ['filter']],
  ];
  for (const [what, body, fields] of batchBodies) {
    cases.push({ family: 'body', endpoint: 'POST /organizations/{ofc}/notices/batches', what, request: jsonRequest('POST', batches, k, body), expect: problem(400, fields) });
  }
  for (const v of rawBodyVariants(JSON.stringify({ iupds: [c.validIupd] }))) {
    cases.push({ family: 'raw-body', endpoint: 'POST /organizations/{ofc}/notices/batches', what: v.what, request: { method: 'POST', path: batches, headers: withKey(k, v.headers), body: v.body }, expect: problem(v.status) });
  }

  // IO templates: every body here breaks a rule (types, IO lengths, unknown placeholders)
  const templates = `${o}/io/templates/reminder`;
  const templateBodies: Array<[string, unknown, string[]]> = [
    ['subject number', { subject: 42, markdown: 'x'.repeat(120) }, ['subject']],
    ['markdown too long', { subject: 'Promemoria di pagamento', markdown: 'x'.repeat(20_001) }, ['markdown']],
    ['missing markdown', { subject: 'Promemoria di pagamento' }, ['markdown']],
    ['subject too short, script in markdown', { subject: 'Hi', markdown: `<script>alert(1)</script> <img src=x onerror=alert(1)> ${'x'.repeat(100)}` }, ['subject']],
    ['unknown placeholder', { subject: 'Promemoria di pagamento', markdown: `{{secret}} {{process.env}} ${'x'.repeat(100)}` }, ['markdown']],
    ['template injection', { subject: '{{constructor.constructor("return process")()}}', markdown: 'x'.repeat(100) }, ['subject']],
    ['markdown too short', { subject: 'Promemoria di pagamento', markdown: 'corto' }, ['markdown']],
    ['null', null, []],
  ];
  for (const [what, body, fields] of templateBodies) {
    cases.push({ family: 'body', endpoint: 'PUT /organizations/{ofc}/io/templates/{kind}', what, request: jsonRequest('PUT', templates, k, body === null ? 'null' : body), expect: problem(400, fields) });
  }
  for (const v of rawBodyVariants(JSON.stringify({ subject: 'x', markdown: 'y' }))) {
    cases.push({ family: 'raw-body', endpoint: 'PUT /organizations/{ofc}/io/templates/{kind}', what: v.what, request: { method: 'PUT', path: templates, headers: withKey(k, v.headers), body: v.body }, expect: problem(v.status) });
  }
  return cases;
}

// ---- 6. the signed JSON receipt webhook -----------------------------------------------------

export function sampleReceipt(c: HostileContext, overrides: Partial<Receipt> = {}): Receipt {
  return {
    receiptId: 'hostile-receipt-0001',
    noticeNumber: c.validNav,
    fiscalCode: c.esempio.fc,
    outcome: 'OK',
    creditorReferenceId: c.validIuv,
    paymentAmount: 12050,
    description: 'TARI 2026 - rata unica',
    companyName: 'Comune di Esempio',
    debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'Mario Rossi' },
    transferList: [
      { idTransfer: 1, transferAmount: 12050, fiscalCodePA: c.esempio.fc, IBAN: 'IT78L0306909606100000117002', remittanceInformation: 'TARI 2026', transferCategory: '9/0101108TS/' },
    ],
    idPSP: 'BCITITMM',
    PSPCompanyName: 'Intesa Sanpaolo S.p.A.',
    idChannel: '00799960158_01',
    channelDescription: 'app',
    fee: 150,
    paymentDateTime: '2026-05-01T10:00:00',
    ...overrides,
  };
}

function receiptWebhookCases(c: HostileContext, rng: Rng): HostileCase[] {
  const cases: HostileCase[] = [];
  const endpoint = 'POST /receipts';
  const valid = JSON.stringify(toJsonReceipt(sampleReceipt(c)));
  /** a fixed header, or one signed when the request is sent (a campaign is generated minutes before it is sent) */
  type Signature = string | undefined | ((nowSeconds: number) => string);
  const post = (what: string, body: string | Buffer, signature: Signature, expect: Expectation, headers: Record<string, string> = JSON_HEADERS) => {
    const all: Record<string, string> = { ...headers };
    if (typeof signature === 'string') all['x-receipt-signature'] = signature;
    // read by the raw client when it sends ({ ...headers }): the timestamp is the clock's at that moment
    else if (signature) Object.defineProperty(all, 'x-receipt-signature', { enumerable: true, get: () => signature(c.nowSeconds()) });
    cases.push({ family: 'webhook', endpoint, what, request: { method: 'POST', path: '/receipts', headers: all, body }, expect });
  };
  const t = c.nowSeconds();
  /** signed when sent, `offset` seconds from the clock then */
  const sign =
    (body: string | Buffer, secret = c.esempio.secret, offset = 0) =>
    (now: number) =>
      signReceiptRequest(secret, body, now + offset);
  // signatures: missing, malformed, forged, other tenant's secret, stale, future, replayed over another body
  post('no signature', valid, undefined, problem(401));
  post('empty signature', valid, '', problem(401));
  post('v1 only', valid, `v1=${'a'.repeat(64)}`, problem(401));
  post('t only', valid, `t=${t}`, problem(401));
  post('short hex', valid, `t=${t},v1=abcd`, problem(401));
  post('non-hex', valid, `t=${t},v1=${'z'.repeat(64)}`, problem(401));
  post('huge header', valid, `t=${t},${'v1=' + 'a'.repeat(64) + ','}`.repeat(30), problem(401));
  post('negative timestamp', valid, `t=-1,v1=${receiptSignature(c.esempio.secret, -1, valid)}`, problem(401));
  post('timestamp in ms', valid, (now) => signReceiptRequest(c.esempio.secret, valid, now * 1000), problem(401));
  post('forged (random hex)', valid, `t=${t},v1=${'0123456789abcdef'.repeat(4)}`, problem(401));
  post('forged (wrong secret)', valid, sign(valid, 'not-the-secret-at-all-0000'), problem(401));
  post("other tenant's secret, this tenant's fiscal code", valid, sign(valid, c.altrove.secret), problem(401));
  post("this tenant's API key as secret", valid, sign(valid, c.esempio.key), problem(401));
  post('stale (301 s)', valid, sign(valid, c.esempio.secret, -301), problem(401));
  post('stale (a day)', valid, sign(valid, c.esempio.secret, -86_400), problem(401));
  post('future (15 min)', valid, sign(valid, c.esempio.secret, 900), problem(401));
  const tampered = JSON.stringify({ ...JSON.parse(valid), paymentAmount: 0.01 });
  post('replayed signature, tampered amount', tampered, sign(valid), problem(401));
  post('replayed signature, other receipt id', JSON.stringify({ ...JSON.parse(valid), receiptId: 'another' }), sign(valid), problem(401));
  post('replayed signature, whitespace added', `${valid} `, sign(valid), problem(401));
  post('signature over the body without timestamp', valid, `t=${t},v1=${receiptSignature(c.esempio.secret, 0, valid).replace(/./, 'f')}`, problem(401));
  post('replayed signature, other tenant', JSON.stringify({ ...JSON.parse(valid), fiscalCode: c.altrove.fc }), sign(valid), problem(401));
  post('fiscalCode injected', JSON.stringify({ ...JSON.parse(valid), fiscalCode: { $ne: null } }), sign(JSON.stringify({ ...JSON.parse(valid), fiscalCode: { $ne: null } })), problem(401));
  // signed, but not a receipt (the signature is right: the body is what is refused, 400 with fields)
  const invalid: Array<[string, Record<string, unknown>, string]> = [];
  for (const amount of [-1, 12.345, 'a lot', null, 1e20, 0.001]) invalid.push([`paymentAmount ${JSON.stringify(amount)}`, { paymentAmount: amount }, 'paymentAmount']);
  for (const nav of ['abc', '1'.repeat(17), rng.pick(SQL_INJECTION), BAD_CHECK.noticeNumber.slice(0, 17)]) invalid.push([`noticeNumber ${nav}`, { noticeNumber: nav }, 'noticeNumber']);
  invalid.push(['outcome MAYBE', { outcome: 'MAYBE' }, 'outcome']);
  invalid.push(['no transfers', { transferList: [] }, 'transferList']);
  invalid.push(['6 transfers', { transferList: Array.from({ length: 6 }, () => JSON.parse(valid).transferList[0]) }, 'transferList']);
  invalid.push(['idTransfer 9', { transferList: [{ ...JSON.parse(valid).transferList[0], idTransfer: 9 }] }, 'transferList[0].idTransfer']);
  invalid.push(['transfer negative', { transferList: [{ ...JSON.parse(valid).transferList[0], transferAmount: -5 }] }, 'transferList[0].transferAmount']);
  invalid.push(['transfer fiscalCodePA injected', { transferList: [{ ...JSON.parse(valid).transferList[0], fiscalCodePA: rng.pick(NOSQL_INJECTION) }] }, 'transferList[0].fiscalCodePA']);
  invalid.push(['debtor missing', { debtor: undefined }, 'debtor']);
  invalid.push(['debtor type X', { debtor: { entityUniqueIdentifierType: 'X', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'Mario Rossi' } }, 'debtor.entityUniqueIdentifierType']);
  invalid.push(['debtor name huge', { debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'x'.repeat(71) } }, 'debtor.fullName']);
  invalid.push(['receiptId empty', { receiptId: '' }, 'receiptId']);
  invalid.push(['receiptId number', { receiptId: 7 }, 'receiptId']);
  invalid.push(['description huge', { description: 'd'.repeat(141) }, 'description']);
  invalid.push(['paymentDateTime injected', { paymentDateTime: rng.pick(SCRIPT_INJECTION) }, 'paymentDateTime']);
  invalid.push(['fee negative', { fee: -1 }, 'fee']);
  // what the XSD allows but storage cannot hold, and text the layer refuses: 400, never 202 and then lost
  invalid.push(['receiptId of 1000 bytes', { receiptId: 'r'.repeat(1000) }, 'receiptId']);
  invalid.push(['receiptId of 400 multi-byte characters', { receiptId: '€'.repeat(400) }, 'receiptId']);
  invalid.push(['description with a bidi override', { description: 'TARI \u202E00.021' }, 'description']);
  invalid.push(['companyName with U+FFFF', { companyName: 'Comune\uFFFF' }, 'companyName']);
  invalid.push(['debtor name with NUL', { debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'Mario\u0000Rossi' } }, 'debtor.fullName']);
  invalid.push(['transfer remittance with a lone surrogate', { transferList: [{ ...JSON.parse(valid).transferList[0], remittanceInformation: 'TARI \uD800' }] }, 'transferList[0].remittanceInformation']);
  for (const [what, patch, field] of invalid) {
    const body = JSON.stringify({ ...JSON.parse(valid), ...patch });
    post(`signed, ${what}`, body, sign(body), problem(400, [field]));
  }
  for (const raw of ['[]', 'null', '"x"', `{"fiscalCode":"${c.esempio.fc}"`]) {
    post(`signed non-receipt ${raw.slice(0, 20)}`, raw, sign(raw), problem(raw.startsWith('{') ? 401 : 401));
  }
  const notObject = `{"fiscalCode":"${c.esempio.fc}"}`;
  post('signed, only the fiscal code', notObject, sign(notObject), problem(400));
  const bad = Buffer.concat([Buffer.from(`{"fiscalCode":"${c.esempio.fc}","receiptId":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  post('signed, invalid UTF-8 (octet-stream)', bad, sign(bad), problem([400, 401]), { 'content-type': 'application/octet-stream' });
  post('signed, XML body', '<receipt/>', sign('<receipt/>'), problem(401), { 'content-type': 'application/xml' });
  const big = JSON.stringify({ ...JSON.parse(valid), paymentNote: 'x'.repeat(300 * 1024) });
  post('signed, 300 KiB body', big, sign(big), problem(413));
  post('unsigned 11 MiB body', Buffer.alloc(10 * 1024 * 1024 + 10, 0x7b), undefined, problem(413));
  return cases;
}

// ---- 7. SOAP: the node interface ------------------------------------------------------------

const SINTASSI = ['PAA_SINTASSI_EXTRAXSD', 'PAA_SINTASSI_XSD'];

function soapCases(c: HostileContext, rng: Rng): HostileCase[] {
  const cases: HostileCase[] = [];
  const endpoint = 'POST /pagopa/paForNode';
  const ids = { idPA: c.esempio.fc, idBrokerPA: c.esempio.brokerId, idStation: c.esempio.stationId };
  const qr = (noticeNumber: string) => ({ fiscalCode: c.esempio.fc, noticeNumber });
  const base: Record<Operation, string> = {
    paVerifyPaymentNotice: buildNodeRequest('paVerifyPaymentNotice', { ...ids, qrCode: qr(c.validNav) }),
    paGetPayment: buildNodeRequest('paGetPayment', { ...ids, qrCode: qr(c.validNav) }),
    paGetPaymentV2: buildNodeRequest('paGetPaymentV2', { ...ids, qrCode: qr(c.validNav) }),
    paSendRT: buildNodeRequest('paSendRT', { ...ids, receipt: sampleReceipt(c) }),
    paSendRTV2: buildNodeRequest('paSendRTV2', { ...ids, receipt: sampleReceipt(c) }),
    paDemandPaymentNotice: buildNodeRequest('paDemandPaymentNotice', {
      ...ids,
      idServizio: 'MENSA',
      idSoggettoServizio: '00035',
      datiSpecificiServizio: buildServiceData({ payer: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' }, values: { alunno: 'Giulia Rossi', scuola: 'Primaria Gianni Rodari', pasti: 1 } }),
    }),
  };
  const ops = Object.keys(base) as Operation[];
  const readOps: Operation[] = ['paVerifyPaymentNotice', 'paGetPayment', 'paGetPaymentV2'];
  const send = (what: string, op: Operation | undefined, body: string | Buffer, expect: Expectation, headers: Record<string, string> = {}) =>
    cases.push({
      family: 'soap',
      endpoint,
      what: `${op ?? 'no action'}: ${what}`,
      request: { method: 'POST', path: '/pagopa/paForNode', headers: { 'content-type': 'text/xml; charset=utf-8', ...(op ? { soapaction: soapActionFor(op) } : {}), ...headers }, body },
      expect,
    });
  const soap = (faults: readonly string[], allow400 = false): Expectation => ({ kind: 'soap', faults, ...(allow400 ? { allow400 } : {}) });
  const replaceTag = (xml: string, tag: string, value: string) => xml.replace(new RegExp(`<${tag}>[^<]*</${tag}>`), `<${tag}>${value}</${tag}>`);
  const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

  for (const op of ops) {
    const xml = base[op];
    // paDemandPaymentNotice names its creditor only in idPA (no qrCode, no receipt): when idPA is
    // unreadable no fault bean can name the creditor, so a SOAP Fault (HTTP 400) is the answer
    const idPaOnly = op === 'paDemandPaymentNotice';
    const afterDecl = xml.replace(/^<\?xml[^>]*\?>/, '');
    const decl = '<?xml version="1.0" encoding="UTF-8"?>';
    // XXE, billion laughs, external DTD, parameter entities
    const doctypes = [
      `<!DOCTYPE soapenv:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`,
      `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>`,
      `<!DOCTYPE x SYSTEM "http://127.0.0.1:1/evil.dtd">`,
      `<!DOCTYPE x [<!ENTITY % p SYSTEM "http://169.254.169.254/latest/meta-data/"> %p;]>`,
      `<!DOCTYPE x [<!ELEMENT x ANY>]>`,
    ];
    for (const dt of doctypes) {
      const withEntity = afterDecl.replace(/<idPA>[^<]*<\/idPA>/, '<idPA>&xxe;&lol9;</idPA>');
      send(`DOCTYPE ${dt.slice(10, 40)}`, op, `${decl}${dt}${withEntity}`, soap(SINTASSI, idPaOnly));
      send(`DOCTYPE without action ${dt.slice(10, 30)}`, undefined, `${decl}${dt}${afterDecl}`, soap(SINTASSI, true));
    }
    send('undeclared entity', op, xml.replace(/<idStation>[^<]*<\/idStation>/, '<idStation>&xxe;</idStation>'), soap(SINTASSI));
    send('processing instruction, other broker', op, replaceTag(xml.replace(/(<soapenv:Body[^>]*>)/, '$1<?php system("id"); ?>'), 'idBrokerPA', c.altrove.brokerId), soap([...SINTASSI, 'PAA_ID_INTERMEDIARIO_ERRATO']));
    // the other tenant's broker / station; an unknown creditor
    send("other tenant's broker", op, replaceTag(xml, 'idBrokerPA', c.altrove.brokerId), soap(['PAA_ID_INTERMEDIARIO_ERRATO']));
    send("other tenant's station", op, replaceTag(xml, 'idStation', c.altrove.stationId), soap(['PAA_STAZIONE_INT_ERRATA']));
    send("other tenant's broker and station", op, replaceTag(replaceTag(xml, 'idBrokerPA', c.altrove.brokerId), 'idStation', c.altrove.stationId), soap(['PAA_ID_INTERMEDIARIO_ERRATO']));
    send('unknown creditor (bad check digit)', op, replaceTag(xml, 'idPA', BAD_CHECK.partitaIva), soap(['PAA_ID_DOMINIO_ERRATO', ...SINTASSI]));
    for (const v of [...SQL_INJECTION, ...NOSQL_INJECTION.slice(0, 4), ...SCRIPT_INJECTION.slice(0, 3)]) {
      const tag = rng.pick(['idPA', 'idBrokerPA', 'idStation']);
      send(`${tag} ${v}`, op, replaceTag(xml, tag, escapeXml(v)), soap(['PAA_ID_DOMINIO_ERRATO', 'PAA_ID_INTERMEDIARIO_ERRATO', 'PAA_STAZIONE_INT_ERRATA', ...SINTASSI]));
    }
    send('idPA in CDATA with injection', op, replaceTag(xml, 'idPA', "<![CDATA[' OR 1=1--]]>"), soap(['PAA_ID_DOMINIO_ERRATO', ...SINTASSI]));
    send('huge idStation', op, replaceTag(xml, 'idStation', 'S'.repeat(100_000)), soap(SINTASSI));
    send('idPA missing', op, xml.replace(/<idPA>[^<]*<\/idPA>/, ''), soap(SINTASSI, idPaOnly));
    send('idPA twice', op, xml.replace(/(<idPA>[^<]*<\/idPA>)/, '$1$1'), soap(SINTASSI));
    send('extra element', op, xml.replace(/(<idPA>[^<]*<\/idPA>)/, '$1<admin>true</admin>'), soap(SINTASSI));
    send('wrong namespace', op, xml.replace(/xmlns:(\w+)="http:\/\/pagopa-api\.pagopa\.gov\.it\/pa\/paForNode\.xsd"/, 'xmlns:$1="urn:evil"'), soap(SINTASSI, true));
    // a fault bean names the creditor (its id is the identificativoDominio): a request whose idPA
    // (or qrCode / receipt fiscalCode) cannot be found at all gets a SOAP Fault instead
    send('truncated', op, xml.slice(0, Math.floor(xml.length * 0.6)), soap(SINTASSI, true));
    send('not XML (JSON)', op, JSON.stringify({ idPA: c.esempio.fc }), soap(SINTASSI, true));
    send('empty body', op, '', soap(SINTASSI, true));
    send('binary garbage (octet-stream)', op, Buffer.from(Array.from({ length: 512 }, () => rng.int(256))), soap(SINTASSI, true), { 'content-type': 'application/octet-stream' });
    send('invalid UTF-8 (octet-stream)', op, Buffer.concat([Buffer.from(xml.slice(0, 200)), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from(xml.slice(200))]), soap(SINTASSI), { 'content-type': 'application/octet-stream' });
    // a parser that ignored the declaration must still refuse: the broker is the other tenant's
    send('declared UTF-16, sent UTF-8, other broker', op, replaceTag(xml.replace(/encoding="UTF-8"/i, 'encoding="UTF-16"'), 'idBrokerPA', c.altrove.brokerId), soap([...SINTASSI, 'PAA_ID_INTERMEDIARIO_ERRATO']));
    send('over the size limit', op, xml.replace('</soapenv:Body>', `<!--${'x'.repeat(3 * 1024 * 1024)}--></soapenv:Body>`), soap(SINTASSI, true));
    send('SOAP 1.2 envelope', op, xml.replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope'), soap(SINTASSI, true));
    const other = ops.find((x) => x !== op)!;
    send(`SOAPAction of ${other}`, other, xml, soap(SINTASSI));
    send('unknown SOAPAction', op, xml, soap(SINTASSI), { soapaction: '"paDropTables"' });
  }
  for (const op of readOps) {
    const xml = base[op];
    for (const nav of ['12AB', '1'.repeat(17), '1'.repeat(19), ' ', ...SQL_INJECTION.slice(0, 3), ...SCRIPT_INJECTION.slice(0, 2), '-00000000000000001']) {
      send(`noticeNumber ${nav}`, op, replaceTag(xml, 'noticeNumber', escapeXml(nav)), soap(SINTASSI));
    }
    for (const nav of [BAD_CHECK.noticeNumber, BAD_CHECK.noticeNumberOtherTenant, c.altroveNav, '000000000000000000']) {
      send(`noticeNumber ${nav} (unknown here)`, op, replaceTag(xml, 'noticeNumber', nav), soap(['PAA_PAGAMENTO_SCONOSCIUTO']));
    }
    send("qrCode of the other tenant's notice", op, xml.replace(/(<qrCode>\s*<fiscalCode>)[^<]*/, `$1${c.altrove.fc}`).replace(/(<noticeNumber>)[^<]*/, `$1${c.altroveNav}`), soap(['PAA_SEMANTICA']));
    send('qrCode fiscalCode injected', op, xml.replace(/(<qrCode>\s*<fiscalCode>)[^<]*/, "$1' OR 1=1"), soap(SINTASSI));
  }
  for (const op of ['paGetPayment', 'paGetPaymentV2'] as const) {
    for (const amount of ['-1', '1e20', 'abc', '12.345', '99999999999999.99', 'NaN']) {
      const xml = buildNodeRequest(op, { ...ids, qrCode: qr(c.validNav), amount: 12050 }).replace(/<amount>[^<]*<\/amount>/, `<amount>${amount}</amount>`);
      send(`amount ${amount}`, op, xml, soap(SINTASSI));
    }
    send('transferType injected', op, buildNodeRequest(op, { ...ids, qrCode: qr(c.validNav), transferType: 'POSTAL' }).replace('POSTAL', "POSTAL' OR 1=1"), soap(SINTASSI));
  }
  // receipts: only refused ones (bad shape, wrong caller, or another creditor) - nothing may be queued
  for (const op of ['paSendRT', 'paSendRTV2'] as const) {
    const xml = base[op];
    const receiptTags: Array<[string, string]> = [
      ['paymentAmount', '-1.00'],
      ['paymentAmount', '1e20'],
      ['paymentAmount', 'abc'],
      ['noticeNumber', '12AB'],
      ['noticeNumber', "' OR 1=1"],
      ['outcome', 'MAYBE'],
      ['receiptId', ''],
      ['transferAmount', '-5.00'],
      ['idTransfer', '9'],
      ['entityUniqueIdentifierType', 'X'],
      ['fullName', 'x'.repeat(71)],
      ['paymentDateTime', '<script>'],
      ['fiscalCodePA', '{"$ne":null}'],
      // beyond the XSD: what storage cannot hold, text the layer refuses
      ['receiptId', 'r'.repeat(1000)],
      ['receiptId', '€'.repeat(400)],
      ['receiptId', 'r-\u202E1'],
      ['description', 'TARI \u202E00.021'],
      ['fullName', 'Mario\u0085Rossi'],
    ];
    for (const [tag, value] of receiptTags) {
      send(`receipt ${tag}=${value.slice(0, 20)}`, op, replaceTag(xml, tag, escapeXml(value)), soap(SINTASSI));
    }
    send('receipt of the other tenant', op, replaceTag(xml, 'fiscalCode', c.altrove.fc), soap(['PAA_SEMANTICA']));
    send('receipt with injected description, other broker', op, replaceTag(replaceTag(xml, 'description', escapeXml(rng.pick(SCRIPT_INJECTION))), 'idBrokerPA', c.altrove.brokerId), soap(['PAA_ID_INTERMEDIARIO_ERRATO']));
    send('transferList emptied', op, xml.replace(/<transferList>[\s\S]*<\/transferList>/, '<transferList></transferList>'), soap(SINTASSI));
  }
  // not SOAP at all, no SOAPAction: a SOAP Fault with 400
  for (const body of ['<not-soap', 'hello', '{"a":1}', '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x/></soapenv:Body></soapenv:Envelope>', '<html><body>hi</body></html>']) {
    send(`not a paForNode request: ${body.slice(0, 20)}`, undefined, body, soap(SINTASSI, true));
  }
  return cases;
}

// ---- the whole campaign ---------------------------------------------------------------------

export function generateCampaign(c: HostileContext, rng: Rng, options: { bodyCasesPerRoute?: number } = {}): HostileCase[] {
  return [
    ...authCases(c),
    ...organizationPathCases(c, rng),
    ...pathParamCases(c),
    ...queryCases(c, rng),
    ...bodyCases(c, rng, options.bodyCasesPerRoute ?? 300),
    ...receiptWebhookCases(c, rng),
    ...soapCases(c, rng),
  ];
}
