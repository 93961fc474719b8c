/**
 * Tenant isolation: every tenant route × {own key, other tenant's key, no key,
 * revoked key}. Another tenant's key, no key and a revoked key read, change, pay or list nothing
 * of this tenant's (positions, receipts, anomalies, dossiers, notices, webhooks, templates) and
 * leave the table and the queues exactly as they were; the other tenant's own routes do not
 * reach this tenant's items by id either; the SOAP station refuses another tenant's broker and
 * station ids. No response carries an API key or a seeded webhook secret.
 * The key cache is off (API_KEY_CACHE_SECONDS=0) so a revocation takes effect at once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../infra/catalog';
import { buildNodeRequest, parseStationResponse, soapActionFor, type Operation } from '../../shared/http/pagopa-soap';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoOrganizationStore } from '../../shared/adapters/dynamo/organization-store';
import { signReceiptRequest } from '../../shared/http/receipt-signature';
import { issueApiKey, revokeApiKey } from '../../shared/use-cases/organizations/credentials';
import { payNotice, toJsonReceipt } from '../../scripts/pay';
import { positionRequest } from '../fixtures/positions';
import { ALTROVE_FC, ALTROVE_KEY, ESEMPIO_FC, ESEMPIO_KEY, startLocalStack, type ApiResponse, type LocalStack } from '../support/local-stack';
import { ALTROVE, ESEMPIO } from '../support/hostile/fixtures';
import { sampleReceipt, type HostileContext } from '../support/hostile/cases';
import { diffSnapshots, snapshotLayer } from '../support/hostile/snapshot';

const REVOKED_KEY = 'isolation-revoked-key-0123456789abcdef';
const SEEDED_SECRETS = [ESEMPIO_KEY, ALTROVE_KEY, ESEMPIO.secret, ALTROVE.secret, REVOKED_KEY, 'demo-esempio-io-key-0123456789abcdef'];
const quiet = () => {};

let stack: LocalStack;
/** every response of the run, scanned for secrets at the end */
const seen: ApiResponse[] = [];
const call = async (method: string, path: string, options: Parameters<LocalStack['api']>[2] & { form?: FormData } = {}) => {
  let r: ApiResponse;
  if (options.form) {
    // a multipart upload (GPD massive upload's file part), sent as it is
    const key = options.key === undefined ? ESEMPIO_KEY : options.key;
    const response = await fetch(`${stack.url}${path}`, { method, headers: key === null ? {} : { 'Ocp-Apim-Subscription-Key': key }, body: options.form });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    r = { status: response.status, headers: response.headers, json, text };
  } else {
    r = await stack.api(method, path, options);
  }
  seen.push(r);
  return r;
};
/**
 * The layer's own background work done: the queues drained, and the upload follow-up (a schedule,
 * every 5 s locally: it files uploads under their next check and releases their App IO messages
 * at a pace) with nothing left to change, so that a snapshot sees only what the requests do.
 */
async function settled(): Promise<void> {
  const background = async (): Promise<string> => {
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const snapshot = await snapshotLayer(stack.cloud);
    return JSON.stringify([[...snapshot.items].filter(([key]) => /^(UPLOAD|IOMSG|IORATE)#/.test(key)), snapshot.queues]);
  };
  let last = await background();
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((r) => setTimeout(r, 6_000));
    const now = await background();
    if (now === last) return;
    last = now;
  }
  throw new Error('the upload follow-up kept changing the table for 2 minutes');
}

/** A GPD upload file (a ZIP of one JSON) in the multipart part `file`. */
const uploadForm = (json: unknown): FormData => {
  const form = new FormData();
  form.append('file', new Blob([zipSync({ 'p.json': strToU8(JSON.stringify(json)) })]), 'p.zip');
  return form;
};

interface Esempio {
  paid: { iupd: string; nav: string; iuv: string };
  valid: { iupd: string; nav: string };
  draft: string;
  doomed: string;
  anomalyIuv: string;
  webhookId: string;
  batchId: string;
  debtor: string;
  /** a payable option kept for the paid-elsewhere route */
  markableNav: string;
  bulkDraft: string;
  bulkDoomed: string;
  /** a presigned upload awaiting its file (status, cancel) and a cancelled one (its report) */
  uploadId: string;
  endedUploadId: string;
}
let e: Esempio;
let altroveIupd: string;

async function created(path: string, body: unknown, key = ESEMPIO_KEY, status = 201): Promise<any> {
  const r = await call('POST', path, { body, key });
  if (r.status !== status) throw new Error(`${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

beforeAll(async () => {
  // webhook retries within a second: a delivery to the seeded subscriber's unreachable URL that
  // races its deletion must not hold the own-key pass's drain for the default 44 s backoff
  stack = await startLocalStack({ env: { API_KEY_CACHE_SECONDS: '0', WEBHOOK_BACKOFF_BASE_SECONDS: '1', WEBHOOK_BACKOFF_MAX_SECONDS: '1' } });
  const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
  const paid = await created(`${positions}?toPublish=true`, positionRequest());
  const valid = await created(`${positions}?toPublish=true`, positionRequest());
  const anomaly = await created(`${positions}?toPublish=true`, positionRequest());
  const draft = await created(positions, positionRequest());
  const doomed = await created(positions, positionRequest());
  const markable = await created(`${positions}?toPublish=true`, positionRequest());
  const bulkDraft = await created(positions, positionRequest());
  const bulkDoomed = await created(positions, positionRequest());
  const webhook = await created(`/organizations/${ESEMPIO_FC}/webhooks`, { url: 'https://backoffice.example.org/hook', eventTypes: ['debt-position.deleted'] });
  const batch = await created(`/organizations/${ESEMPIO_FC}/notices/batches`, { iupds: [valid.iupd] }, ESEMPIO_KEY, 202);
  const upload = await created(`${files(ESEMPIO_FC)}/file/uploads`, { fileName: 'tari.zip', size: 1000 });
  const ended = await created(`${files(ESEMPIO_FC)}/file/uploads`, { fileName: 'tari.zip', size: 1000 });
  expect((await call('DELETE', `${files(ESEMPIO_FC)}/file/${ended.fileId}`)).status).toBe(200);
  const altrove = await created(`/organizations/${ALTROVE_FC}/debtpositions?toPublish=true`, positionRequest({
    paymentOption: [{ amount: 5000, description: 'Canone', isPartialPayment: false, dueDate: '2099-06-30', transfer: [{ idTransfer: '1', amount: 5000, remittanceInformation: 'Canone', category: '9/0101108TS/', iban: 'IT47K0503401633000000012345' }] }],
  }), ALTROVE_KEY);
  altroveIupd = altrove.iupd;
  // a receipt (paid in full) and an anomaly (a receipt for a different amount)
  const payment = await payNotice({ noticeNumber: paid.paymentOption[0].nav, url: stack.url, log: quiet });
  expect(payment.outcome).toBe('OK');
  const short = await payNotice({ noticeNumber: anomaly.paymentOption[0].nav, url: stack.url, log: quiet, amount: 1 });
  expect(short.exchanges.map((x) => x.outcome)).toContain('OK');
  await stack.cloud.drain({ timeoutMs: 60_000 });
  expect((await call('PUT', `/organizations/${ESEMPIO_FC}/io/templates/reminder`, { body: { subject: 'Promemoria: avviso in scadenza', markdown: `Gentile contribuente, ricordiamo il pagamento di {{amount}} euro entro il {{dueDate}}. ${'Dettagli. '.repeat(8)}` } })).status).toBe(200);
  e = {
    paid: { iupd: paid.iupd, nav: paid.paymentOption[0].nav, iuv: paid.paymentOption[0].iuv },
    valid: { iupd: valid.iupd, nav: valid.paymentOption[0].nav },
    draft: draft.iupd,
    doomed: doomed.iupd,
    anomalyIuv: anomaly.paymentOption[0].iuv,
    webhookId: webhook.id,
    batchId: batch.batchId,
    debtor: 'RCCMNL83S18D969H',
    markableNav: markable.paymentOption[0].nav,
    bulkDraft: bulkDraft.iupd,
    bulkDoomed: bulkDoomed.iupd,
    uploadId: upload.fileId,
    endedUploadId: ended.fileId,
  };
  // a second key of this tenant, working, then revoked through the admin path
  const store = new DynamoOrganizationStore(
    createDocumentClient(new DynamoDBClient({ region: stack.cloud.region, endpoint: stack.cloud.endpoints.dynamodb, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })),
    stack.cloud.env['TABLE_NAME_MAIN']!,
  );
  const record = await issueApiKey(store, ESEMPIO_FC, REVOKED_KEY, 'isolation test', new Date());
  expect((await call('GET', `${positions}/${e.valid.iupd}`, { key: REVOKED_KEY })).status).toBe(200);
  expect((await revokeApiKey(store, ESEMPIO_FC, record.keyId, new Date())).revokedAt).toBeDefined();
  await stack.cloud.drain({ timeoutMs: 60_000 });
  await settled();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

interface MatrixRoute {
  readonly name: string;
  readonly method: string;
  readonly path: (fc: string) => string;
  readonly body?: () => unknown;
  /** the answer to this tenant's own key */
  readonly own: number;
  /** what the own key's answer must show (the route really served this tenant's item) */
  readonly check?: (r: ApiResponse) => void;
  /** let every earlier event reach its subscribers first (the own-key pass) */
  readonly settleFirst?: boolean;
  /** a multipart body instead of JSON */
  readonly form?: () => FormData;
}

const org = (fc: string) => `/organizations/${fc}`;
const GPD_V1 = '/gpd/debt-positions-service/v1';
const GPD_V2 = '/gpd/debt-positions-service/v2';
const TENANT_IBAN = 'IT78L0306909606100000117002';
/** GPD massive upload's paths; ESEMPIO's broker is itself (seed.json) */
const files = (fc: string) => `/brokers/${ESEMPIO_FC}/organizations/${fc}/debtpositions`;
const routes = (): MatrixRoute[] => [
  { name: 'list positions', method: 'GET', path: (fc) => `${org(fc)}/debtpositions?page=0&limit=50`, own: 200, check: (r) => expect(r.json.payment_position_list.map((p: any) => p.iupd)).toContain(e.valid.iupd) },
  { name: 'read position', method: 'GET', path: (fc) => `${org(fc)}/debtpositions/${e.valid.iupd}`, own: 200, check: (r) => expect(r.json.iupd).toBe(e.valid.iupd) },
  { name: 'read payment option', method: 'GET', path: (fc) => `${org(fc)}/paymentoptions/${e.valid.nav}`, own: 200, check: (r) => expect(r.json.paymentOption.nav).toBe(e.valid.nav) },
  { name: 'notice PDF', method: 'GET', path: (fc) => `${org(fc)}/debtpositions/${e.valid.iupd}/notice`, own: 200, check: (r) => expect(r.headers.get('content-type')).toBe('application/pdf') },
  { name: 'list receipts', method: 'GET', path: (fc) => `${org(fc)}/receipts`, own: 200, check: (r) => expect(r.json.receipts.map((x: any) => x.iuv)).toContain(e.paid.iuv) },
  { name: 'receipts of a notice', method: 'GET', path: (fc) => `${org(fc)}/receipts/${e.paid.iuv}`, own: 200, check: (r) => expect(r.json.receipts).toHaveLength(1) },
  { name: 'list anomalies', method: 'GET', path: (fc) => `${org(fc)}/receipts/anomalies`, own: 200, check: (r) => expect(r.json.anomalies.map((x: any) => x.iuv)).toContain(e.anomalyIuv) },
  { name: 'debtor dossier', method: 'GET', path: (fc) => `${org(fc)}/debtors/${e.debtor}/dossier`, own: 200, check: (r) => expect(JSON.stringify(r.json)).toContain(e.paid.iupd) },
  { name: 'list webhooks', method: 'GET', path: (fc) => `${org(fc)}/webhooks`, own: 200, check: (r) => expect(r.json.webhooks.map((w: any) => w.id)).toContain(e.webhookId) },
  { name: 'webhook deliveries', method: 'GET', path: (fc) => `${org(fc)}/webhooks/${e.webhookId}/deliveries`, own: 200 },
  { name: 'notice batch', method: 'GET', path: (fc) => `${org(fc)}/notices/batches/${e.batchId}`, own: 200, check: (r) => expect(r.json.batchId).toBe(e.batchId) },
  // a 303 to the archive's presigned GET, which fetch follows: the own key gets the ZIP itself
  { name: 'notice batch archive', method: 'GET', path: (fc) => `${org(fc)}/notices/batches/${e.batchId}/archive?part=1`, own: 200, check: (r) => expect(r.headers.get('content-type')).toBe('application/zip') },
  { name: 'upload status', method: 'GET', path: (fc) => `${files(fc)}/file/${e.uploadId}/status`, own: 200, check: (r) => expect(r.json).toMatchObject({ fileId: e.uploadId, state: 'AWAITING_FILE' }) },
  { name: 'upload report', method: 'GET', path: (fc) => `${files(fc)}/file/${e.endedUploadId}/report`, own: 200, check: (r) => expect(r.json.fileId).toBe(e.endedUploadId) },
  { name: 'list uploads', method: 'GET', path: (fc) => `${files(fc)}/files`, own: 200, check: (r) => expect(r.json.fileIds).toContain(e.uploadId) },
  { name: 'upload status under GPD upload v2', method: 'GET', path: (fc) => `/upload/gpd/debt-positions-service/v2${files(fc)}/file/${e.uploadId}/status`, own: 200, check: (r) => expect(r.json.fileId).toBe(e.uploadId) },
  { name: 'read position under GPD base path', method: 'GET', path: (fc) => `${GPD_V1}${org(fc)}/debtpositions/${e.valid.iupd}`, own: 200, check: (r) => expect(r.json.iupd).toBe(e.valid.iupd) },
  { name: 'reporting flows', method: 'GET', path: (fc) => `${org(fc)}/reportingflows`, own: 200, check: (r) => expect(r.json.reportingFlows).toEqual([]) },
  { name: 'one reporting flow (none acquired: 404 past the key check)', method: 'GET', path: (fc) => `${org(fc)}/reportingflows/2026-12-01BCITITMM-0001`, own: 404 },
  { name: 'reconciliation summary', method: 'GET', path: (fc) => `${org(fc)}/reconciliation`, own: 200 },
  { name: 'reconciliation anomalies', method: 'GET', path: (fc) => `${org(fc)}/reconciliation/anomalies`, own: 200 },
  { name: 'ragioneria export', method: 'GET', path: (fc) => `${org(fc)}/reconciliation/export`, own: 200 },
  { name: 'treasury movements', method: 'GET', path: (fc) => `${org(fc)}/treasury/movements`, own: 200 },
  // writes (own key last, in this order, on items kept for it)
  { name: 'create position', method: 'POST', path: (fc) => `${org(fc)}/debtpositions`, body: () => positionRequest(), own: 201 },
  { name: 'update position', method: 'PUT', path: (fc) => `${org(fc)}/debtpositions/${e.draft}`, body: () => positionRequest({ iupd: e.draft, fullName: 'Changed Name' }), own: 200 },
  { name: 'publish position', method: 'POST', path: (fc) => `${org(fc)}/debtpositions/${e.draft}/publish`, own: 200 },
  { name: 'invalidate position', method: 'POST', path: (fc) => `${org(fc)}/debtpositions/${e.valid.iupd}/invalidate`, own: 200 },
  { name: 'delete position', method: 'DELETE', path: (fc) => `${org(fc)}/debtpositions/${e.doomed}`, own: 200 },
  { name: 'paid outside pagoPA', method: 'POST', path: (fc) => `${org(fc)}/paymentoptions/paids/${e.markableNav}`, body: () => ({}), own: 200, check: (r) => expect(r.json.nav).toBe(e.markableNav) },
  { name: 'delete webhook', method: 'DELETE', path: (fc) => `${org(fc)}/webhooks/${e.webhookId}`, own: 204 },
  // settled first: the paid-elsewhere event must not reach this subscriber (its URL is not served)
  { name: 'register webhook', settleFirst: true, method: 'POST', path: (fc) => `${org(fc)}/webhooks`, body: () => ({ url: 'https://backoffice.example.org/other', eventTypes: ['payment.received'] }), own: 201 },
  { name: 'notice batch', method: 'POST', path: (fc) => `${org(fc)}/notices/batches`, body: () => ({ iupds: [e.paid.iupd] }), own: 202 },
  { name: 'replace transfer IBAN', method: 'PATCH', path: (fc) => `${org(fc)}/debtpositions/transfers?oldIban=${TENANT_IBAN}`, body: () => ({ newIban: TENANT_IBAN }), own: 200 },
  { name: 'v2 bulk create', method: 'POST', path: (fc) => `${GPD_V2}${org(fc)}/debtpositions`, body: () => ({ paymentPositions: [positionRequest()] }), own: 201 },
  { name: 'v2 bulk update', method: 'PUT', path: (fc) => `${GPD_V2}${org(fc)}/debtpositions`, body: () => ({ paymentPositions: [positionRequest({ iupd: e.bulkDraft, fullName: 'Bulk Changed' })] }), own: 200 },
  { name: 'v2 bulk delete', method: 'DELETE', path: (fc) => `${GPD_V2}${org(fc)}/debtpositions`, body: () => ({ paymentPositionIUPDs: [e.bulkDoomed] }), own: 200 },
  { name: 'upload a file (create)', method: 'POST', path: (fc) => `${files(fc)}/file`, form: () => uploadForm({ paymentPositions: [positionRequest()] }), own: 202 },
  { name: 'upload a file (update)', method: 'PUT', path: (fc) => `${files(fc)}/file`, form: () => uploadForm({ paymentPositions: [positionRequest({ iupd: e.valid.iupd })] }), own: 202 },
  { name: 'upload a file (delete)', method: 'DELETE', path: (fc) => `${files(fc)}/file`, form: () => uploadForm({ paymentPositionIUPDs: [e.bulkDraft] }), own: 202 },
  { name: 'presigned upload', method: 'POST', path: (fc) => `${files(fc)}/file/uploads`, body: () => ({ fileName: 'tari.zip', size: 1000 }), own: 201, check: (r) => expect(r.json.uploadUrl).toContain(`/uploads/${ESEMPIO_FC}/${r.json.fileId}`) },
  { name: 'cancel upload', method: 'DELETE', path: (fc) => `${files(fc)}/file/${e.uploadId}`, own: 200, check: (r) => expect(r.json.state).toBe('CANCELLED') },
  { name: 'reporting flow sync', method: 'POST', path: (fc) => `${org(fc)}/reportingflows/sync`, own: 202 },
  {
    name: 'treasury statement',
    method: 'POST',
    path: (fc) => `${org(fc)}/treasury/statements`,
    body: () => ({ format: 'CSV', content: 'bookingDate;amount;remittanceInformation\n2026-12-01;10,00;/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001\n' }),
    own: 201,
  },
  { name: 'save template', method: 'PUT', path: (fc) => `${org(fc)}/io/templates/receipt`, body: () => ({ subject: 'Pagamento ricevuto, grazie', markdown: `Abbiamo ricevuto il pagamento di {{amount}} euro. ${'Grazie. '.repeat(12)}` }), own: 200 },
];

const strangers = [
  { who: "other tenant's key", key: ALTROVE_KEY as string | null, status: 403 },
  { who: 'no key', key: null, status: 401 },
  { who: 'revoked key', key: REVOKED_KEY, status: 401 },
];

describe('tenant isolation matrix (every tenant route × own / other / none / revoked key)', () => {
  it('refuses every route to another tenant, no key and a revoked key, and changes nothing', async () => {
    await settled();
    const before = await snapshotLayer(stack.cloud);
    const wrong: string[] = [];
    for (const route of routes()) {
      for (const s of strangers) {
        const r = await call(route.method, route.path(ESEMPIO_FC), { key: s.key, ...(route.body ? { body: route.body() } : {}), ...(route.form ? { form: route.form() } : {}) });
        if (r.status !== s.status || r.headers.get('content-type') !== 'application/problem+json') wrong.push(`${route.name} with ${s.who}: ${r.status} ${r.text.slice(0, 120)}`);
        // nothing of this tenant's in a refusal
        for (const id of [e.valid.iupd, e.paid.iuv, e.webhookId, 'Mario Rossi', e.debtor]) if (r.text.includes(id)) wrong.push(`${route.name} with ${s.who}: the refusal shows ${id}`);
      }
    }
    await stack.cloud.drain({ timeoutMs: 30_000 });
    const after = await snapshotLayer(stack.cloud);
    expect(wrong).toEqual([]);
    expect(diffSnapshots(before, after)).toEqual({ added: [], removed: [], changed: [], queues: [] });
  }, 90_000);

  it("does not reach this tenant's items through the other tenant's own routes", async () => {
    await settled();
    const before = await snapshotLayer(stack.cloud);
    const a = (path: string, method = 'GET', body?: unknown) => call(method, `${org(ALTROVE_FC)}${path}`, { key: ALTROVE_KEY, ...(body ? { body } : {}) });
    expect((await a(`/debtpositions/${e.valid.iupd}`)).status).toBe(404);
    expect((await a(`/debtpositions/${e.valid.iupd}/notice`)).status).toBe(404);
    expect((await a(`/debtpositions/${e.draft}`, 'PUT', positionRequest({ iupd: e.draft }))).status).toBe(404);
    expect((await a(`/debtpositions/${e.draft}/publish`, 'POST')).status).toBe(404);
    expect((await a(`/debtpositions/${e.valid.iupd}/invalidate`, 'POST')).status).toBe(404);
    expect((await a(`/debtpositions/${e.doomed}`, 'DELETE')).status).toBe(404);
    expect((await a(`/paymentoptions/${e.valid.nav}`)).status).toBe(404);
    expect((await a(`/webhooks/${e.webhookId}`, 'DELETE')).status).toBe(404);
    expect((await a(`/webhooks/${e.webhookId}/deliveries`)).status).toBe(404);
    expect((await a(`/notices/batches/${e.batchId}`)).status).toBe(404);
    expect((await a(`/receipts/${e.paid.iuv}`)).status).toBe(404);
    expect((await a(`/receipts/${e.anomalyIuv}`)).status).toBe(404);
    const lists = [await a('/debtpositions?page=0&limit=50'), await a('/receipts'), await a('/receipts/anomalies'), await a('/webhooks'), await a(`/debtors/${e.debtor}/dossier`)];
    for (const list of lists) {
      expect(list.status).toBe(200);
      for (const id of [e.valid.iupd, e.paid.iupd, e.draft, e.paid.iuv, e.anomalyIuv, e.webhookId]) expect(list.text, list.text.slice(0, 200)).not.toContain(id);
    }
    // ...while they do list the other tenant's own position
    expect(lists[0]!.text).toContain(altroveIupd);
    expect(lists[4]!.text).toContain(altroveIupd);
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(diffSnapshots(before, await snapshotLayer(stack.cloud))).toEqual({ added: [], removed: [], changed: [], queues: [] });
  }, 60_000);

  it('lets the own key do every one of them (so the refusals above are not a broken route)', async () => {
    for (const route of routes()) {
      if (route.settleFirst) await stack.cloud.drain({ timeoutMs: 30_000 });
      const r = await call(route.method, route.path(ESEMPIO_FC), { ...(route.body ? { body: route.body() } : {}), ...(route.form ? { form: route.form() } : {}) });
      expect(r.status, `${route.name}: ${r.text.slice(0, 200)}`).toBe(route.own);
      route.check?.(r);
    }
    await stack.cloud.drain({ timeoutMs: 60_000 });
  }, 120_000);
});

describe('the matrix covers the catalog', () => {
  it('has a row for every authenticated tenant route of the catalog (GPD base-path aliases: one row proves them)', () => {
    const rows = routes();
    const missing: string[] = [];
    for (const fn of catalog.functions) {
      for (const t of fn.triggers) {
        if (t.kind !== 'http' || !t.authenticated || !t.path.includes('{organizationFiscalCode}')) continue;
        const root = t.path.replace(/^(\/upload)?\/gpd\/debt-positions-service\/v[12]/, '');
        const alias = root !== t.path && catalog.functions.some((f) => f.triggers.some((x) => x.kind === 'http' && x.method === t.method && x.path === root));
        if (alias) continue;
        const shape = new RegExp(`^${t.path.replace(/\{[^}]+\}/g, '[^/?]+')}(\\?.*)?$`);
        if (!rows.some((r) => r.method === t.method && shape.test(r.path(ESEMPIO_FC)))) missing.push(`${t.method} ${t.path} (${fn.id})`);
      }
    }
    expect(missing).toEqual([]);
    expect(rows.some((r) => r.path(ESEMPIO_FC).startsWith(`${GPD_V1}/`))).toBe(true);
  });

  it('GET /info takes any tenant key, and no or a revoked key gets 401', async () => {
    for (const [key, status] of [[ESEMPIO_KEY, 200], [ALTROVE_KEY, 200], [null, 401], [REVOKED_KEY, 401]] as const) {
      expect((await call('GET', '/info', { key })).status).toBe(status);
    }
  });
});

describe('the node interface (SOAP) and the receipt webhook across tenants', () => {
  const soap = async (operation: Operation, xml: string) => {
    const res = await fetch(`${stack.url}/pagopa/paForNode`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapActionFor(operation) }, body: xml });
    const text = await res.text();
    seen.push({ status: res.status, headers: res.headers, json: undefined, text });
    const parsed = parseStationResponse(text);
    if (parsed.kind !== 'response') throw new Error(`not a station response: ${text.slice(0, 300)}`);
    return `${res.status} ${parsed.outcome} ${parsed.fault?.faultCode ?? ''}`.trim();
  };
  const context = (): HostileContext => ({
    esempio: ESEMPIO, altrove: ALTROVE, validIupd: e.valid.iupd, validNav: e.valid.nav, validIuv: e.valid.nav.slice(1), draftIupd: e.draft,
    altroveIupd, altroveNav: '', webhookId: e.webhookId, batchId: e.batchId, nowSeconds: () => Math.floor(Date.now() / 1000),
  });

  it("refuses another tenant's broker and station ids for every operation, and queues nothing", async () => {
    await settled();
    const before = await snapshotLayer(stack.cloud);
    // a payable notice of this tenant (the paid one would answer DUPLICATO whoever asks)
    const { nav, iupd } = await (async () => {
      const p = await created(`${org(ESEMPIO_FC)}/debtpositions?toPublish=true`, positionRequest());
      return { nav: p.paymentOption[0].nav as string, iupd: p.iupd as string };
    })();
    await stack.cloud.drain({ timeoutMs: 30_000 });
    const mid = await snapshotLayer(stack.cloud);
    const qr = { fiscalCode: ESEMPIO_FC, noticeNumber: nav };
    const receipt = sampleReceipt({ ...context(), validNav: nav, validIuv: nav.slice(1) });
    const variants: Array<[string, { idPA: string; idBrokerPA: string; idStation: string }, string]> = [
      ["other tenant's broker and station", { idPA: ESEMPIO_FC, idBrokerPA: ALTROVE.brokerId, idStation: ALTROVE.stationId }, 'PAA_ID_INTERMEDIARIO_ERRATO'],
      ["own broker, other tenant's station", { idPA: ESEMPIO_FC, idBrokerPA: ESEMPIO.brokerId, idStation: ALTROVE.stationId }, 'PAA_STAZIONE_INT_ERRATA'],
      ["other tenant's broker, own station", { idPA: ESEMPIO_FC, idBrokerPA: ALTROVE.brokerId, idStation: ESEMPIO.stationId }, 'PAA_ID_INTERMEDIARIO_ERRATO'],
      ["the other tenant's own ids on this tenant's notice", { idPA: ALTROVE_FC, idBrokerPA: ALTROVE.brokerId, idStation: ALTROVE.stationId }, 'PAA_SEMANTICA'],
    ];
    const answers: string[] = [];
    const expected: string[] = [];
    for (const [what, ids, fault] of variants) {
      for (const op of ['paVerifyPaymentNotice', 'paGetPayment', 'paGetPaymentV2'] as const) {
        answers.push(`${what} ${op}: ${await soap(op, buildNodeRequest(op, { ...ids, qrCode: qr }))}`);
        expected.push(`${what} ${op}: 200 KO ${fault}`);
      }
      for (const op of ['paSendRT', 'paSendRTV2'] as const) {
        answers.push(`${what} ${op}: ${await soap(op, buildNodeRequest(op, { ...ids, receipt }))}`);
        expected.push(`${what} ${op}: 200 KO ${fault}`);
      }
    }
    // the other tenant, with its own ids and its own creditor code, asking for this tenant's notice number
    const own = { idPA: ALTROVE_FC, idBrokerPA: ALTROVE.brokerId, idStation: ALTROVE.stationId };
    answers.push(`altrove asks for esempio's nav: ${await soap('paGetPaymentV2', buildNodeRequest('paGetPaymentV2', { ...own, qrCode: { fiscalCode: ALTROVE_FC, noticeNumber: nav } }))}`);
    expected.push('altrove asks for esempio\'s nav: 200 KO PAA_PAGAMENTO_SCONOSCIUTO');
    // the receipt webhook: the other tenant's secret over a receipt naming this tenant
    const body = JSON.stringify(toJsonReceipt(receipt));
    const forged = await fetch(`${stack.url}/receipts`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-receipt-signature': signReceiptRequest(ALTROVE.secret, body, Math.floor(Date.now() / 1000)) }, body });
    answers.push(`webhook signed by altrove: ${forged.status}`);
    expected.push('webhook signed by altrove: 401');
    seen.push({ status: forged.status, headers: forged.headers, json: undefined, text: await forged.text() });
    expect(answers).toEqual(expected);
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(diffSnapshots(mid, await snapshotLayer(stack.cloud))).toEqual({ added: [], removed: [], changed: [], queues: [] });
    expect(before.items.size).toBeLessThan(mid.items.size);
    const position = await call('GET', `${org(ESEMPIO_FC)}/debtpositions/${iupd}`);
    expect(position.json.status).toBe('VALID');
  }, 60_000);
});

describe('secrets in responses', () => {
  it('no response of the run carried an API key or a seeded webhook secret', () => {
    expect(seen.length).toBeGreaterThan(100);
    const leaks = seen.flatMap((r) => SEEDED_SECRETS.filter((s) => r.text.includes(s)).map((s) => `${r.status}: ${s.slice(0, 8)}…`));
    expect(leaks).toEqual([]);
  });
});
