/**
 * The GPD bodies end to end on the local stack (gateway → handlers → DynamoDB Local → stream →
 * queues → workers), where a body's consequences show: an update puts a published position back
 * to DRAFT and it stops being payable everywhere until it is published again; the limits every
 * later step honours are refused with a 400 (never a 500, never a poison message); the caller's
 * X-Request-Id comes back; the station answers the postal IBAN to Poste and names the creditor in
 * its fault beans; the API reference is served.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeKey } from '../../shared/use-cases/notices/stored-notices';
import { MAX_INSTALLMENTS } from '../../shared/domain/debt-position-rules';
import { buildNodeRequest } from '../../shared/http/pagopa-soap';
import { positionRequest } from '../fixtures/positions';
import { ESEMPIO_IBAN, ESEMPIO_IDS, ESEMPIO_POSTAL_IBAN, faultOf, soapCall, soapRaw } from '../fixtures/station';
import { ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';

const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
let stack: LocalStack;
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  stack = await startLocalStack();
  s3 = new S3Client({
    endpoint: stack.cloud.endpoints.s3,
    region: stack.cloud.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  bucket = stack.cloud.env['BUCKET_NAME_NOTICES'] ?? '';
}, 180_000);
afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

async function stored(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

const verify = (nav: string) => soapCall(stack.url, 'paVerifyPaymentNotice', { ...ESEMPIO_IDS, qrCode: { fiscalCode: ESEMPIO_FC, noticeNumber: nav } });

describe('update like GPD: back to DRAFT, then publish', () => {
  it('a published position replaced without toPublish is a DRAFT: no notice, unknown to the node; publish makes it payable again', { timeout: 120_000 }, async () => {
    const body = positionRequest();
    const iupd = String(body['iupd']);
    const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(created.status, created.text).toBe(201);
    const nav: string = created.json.paymentOption[0].nav;
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(await stored(noticeKey(ESEMPIO_FC, iupd, 1)), 'the published position has its notice').toBe(true);
    expect((await verify(nav)).response.outcome).toBe('OK');

    // the GET response sent back with one change, as a GPD client does
    const read = await stack.api('GET', `${positions}/${iupd}`);
    const updated = await stack.api('PUT', `${positions}/${iupd}`, { body: { ...read.json, fullName: 'Maria Rossi' } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({ status: 'DRAFT', fullName: 'Maria Rossi', version: 2 });
    expect(updated.json.publishDate).toBeUndefined();
    expect(updated.json.paymentOption[0].nav).toBe(nav);
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(await stored(noticeKey(ESEMPIO_FC, iupd, 1)), 'the stored notice is removed').toBe(false);
    expect((await stack.api('GET', `${positions}/${iupd}/notice`)).status, 'no notice is served').toBe(409);
    expect(faultOf(await verify(nav)), 'the node cannot take a payment for it').toBe('PAA_PAGAMENTO_SCONOSCIUTO');

    const published = await stack.api('POST', `${positions}/${iupd}/publish`);
    expect(published.status, published.text).toBe(200);
    expect(published.json.status).toBe('VALID');
    await stack.cloud.drain({ timeoutMs: 30_000 });
    expect(await stored(noticeKey(ESEMPIO_FC, iupd, 3)), 'the new version has its notice').toBe(true);
    expect((await verify(nav)).response.outcome).toBe('OK');

    // toPublish=1 (a Spring spelling) keeps it published through the update
    const again = await stack.api('PUT', `${positions}/${iupd}?toPublish=1`, { body: { ...read.json, fullName: 'Maria Bianchi' } });
    expect(again.status, again.text).toBe(200);
    expect(again.json.status).toBe('VALID');
  });
});

describe('limits every later step honours: a 400 that says so, nothing stored', () => {
  const many = (n: number, isPartialPayment = true) => {
    const body = positionRequest();
    const [option] = body['paymentOption'] as Array<Record<string, unknown>>;
    body['paymentOption'] = Array.from({ length: n }, () => ({ ...option, isPartialPayment }));
    return body;
  };

  it(`more installments than a notice lays out (${MAX_INSTALLMENTS}), and 100 options (a DynamoDB transaction holds 100 items): 400`, async () => {
    for (const n of [MAX_INSTALLMENTS + 1, 97, 100]) {
      const body = many(n);
      const r = await stack.api('POST', `${positions}?toPublish=true`, { body });
      expect(r.status, `${n} options: ${r.text.slice(0, 200)}`).toBe(400);
      expect(r.json.errors.map((e: { field: string }) => e.field)).toContain('paymentOption');
      expect((await stack.api('GET', `${positions}/${body['iupd']}`)).status).toBe(404);
    }
  });

  it('the largest position accepted (one single payment, 36 installments, 5 transfers each) is stored, published and read back', { timeout: 60_000 }, async () => {
    const body = positionRequest();
    const [option] = body['paymentOption'] as Array<Record<string, any>>;
    const transfer = { ...option!['transfer'][0], amount: 1000, remittanceInformation: 'r'.repeat(140), companyName: 'c'.repeat(140), transferMetadata: [{ key: 'capitolo', value: 'v'.repeat(140) }] };
    const five = ['1', '2', '3', '4', '5'].map((idTransfer) => ({ ...transfer, idTransfer }));
    body['paymentOption'] = [
      { ...option, amount: 5000, isPartialPayment: false, transfer: five },
      ...Array.from({ length: MAX_INSTALLMENTS }, () => ({ ...option, amount: 5000, isPartialPayment: true, transfer: five })),
    ];
    const r = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect(r.json.paymentOption).toHaveLength(MAX_INSTALLMENTS + 1);
    const read = await stack.api('GET', `${positions}/${body['iupd']}`);
    expect(read.json.paymentOption[36].transfer[4].companyName).toBe('c'.repeat(140));
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(await stored(noticeKey(ESEMPIO_FC, String(body['iupd']), 1)), 'its notice rendered').toBe(true);
  });

  it('a position of ~770 KB (under the 1 MiB body limit, over the 400 KB item limit) is a 400 naming the size, not a 500', async () => {
    const body = positionRequest();
    const [option] = body['paymentOption'] as Array<Record<string, any>>;
    const metadata = Array.from({ length: 10 }, (_, i) => ({ key: `chiave-${i}-${'k'.repeat(128)}`, value: 'v'.repeat(140) }));
    const transfer = { ...option!['transfer'][0], amount: 1000, remittanceInformation: 'r'.repeat(140), companyName: 'c'.repeat(140), transferMetadata: metadata };
    const five = ['1', '2', '3', '4', '5'].map((idTransfer) => ({ ...transfer, idTransfer }));
    body['paymentOption'] = Array.from({ length: MAX_INSTALLMENTS }, () => ({ ...option, amount: 5000, isPartialPayment: true, transfer: five, paymentOptionMetadata: metadata }));
    const size = Buffer.byteLength(JSON.stringify(body));
    expect(size).toBeGreaterThan(700_000);
    expect(size).toBeLessThan(1024 * 1024);
    const r = await stack.api('POST', positions, { body });
    expect(r.status, r.text.slice(0, 300)).toBe(400);
    expect(r.json.errors).toEqual([{ field: '(body)', message: expect.stringMatching(/bytes/) }]);
    expect((await stack.api('GET', `${positions}/${body['iupd']}`)).status).toBe(404);
  });

  it('an amount a notice cannot print (more than 10 digits of cents) and an impossible UTC offset: 400, named', async () => {
    const huge = positionRequest();
    const [option] = huge['paymentOption'] as Array<Record<string, any>>;
    huge['paymentOption'] = [{ ...option, amount: 10_000_000_000, transfer: [{ ...option!['transfer'][0], amount: 10_000_000_000 }] }];
    const r = await stack.api('POST', positions, { body: huge });
    expect(r.status).toBe(400);
    expect(r.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['paymentOption[0].amount', 'paymentOption[0].transfer[0].amount']);
    const offset = positionRequest();
    (offset['paymentOption'] as any[])[0].dueDate = '2099-03-31T23:59:59+24:00';
    const o = await stack.api('POST', positions, { body: offset });
    expect(o.status).toBe(400);
    expect(o.json.errors.map((e: { field: string }) => e.field)).toEqual(['paymentOption[0].dueDate']);
  });
});

describe('responses', () => {
  it('echoes a well-formed X-Request-Id, on success and on errors; a malformed one is not echoed', async () => {
    const mine = `bo-${Date.now().toString(36)}:batch/42`;
    const ok = await stack.api('GET', `${positions}/NOT-THERE-${Date.now()}`, { headers: { 'X-Request-Id': mine } });
    expect(ok.status).toBe(404);
    expect(ok.headers.get('x-request-id')).toBe(mine);
    const bad = await stack.api('GET', `${positions}/NOT-THERE`, { headers: { 'X-Request-Id': 'two words' } });
    expect(bad.headers.get('x-request-id')).not.toBe('two words');
    expect(bad.headers.get('x-request-id')?.length ?? 0).toBeGreaterThan(0);
  });

  it('serves the API reference page and its Redoc script, without a key', async () => {
    const page = await stack.api('GET', '/docs', { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('id="openapi-document"');
    const script = await fetch(`${stack.url}/docs/redoc.standalone.js`, { headers: { 'accept-encoding': 'br' } });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-encoding')).toBe('br');
    // fetch decodes it: the script is Redoc's
    expect(await script.text()).toContain('RedocStandalone');
  });
});

describe('the station: postal IBAN to Poste, and fault beans naming the creditor', () => {
  it('a transfer with iban and postalIban: the bank IBAN for any PSP, the postal one when the node asks POSTAL; allCCP', async () => {
    const body = positionRequest();
    const [option] = body['paymentOption'] as Array<Record<string, any>>;
    option!['transfer'][0] = { ...option!['transfer'][0], iban: ESEMPIO_IBAN, postalIban: ESEMPIO_POSTAL_IBAN };
    const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(created.status, created.text).toBe(201);
    expect(created.json.paymentOption[0].transfer[0]).toMatchObject({ iban: ESEMPIO_IBAN, postalIban: ESEMPIO_POSTAL_IBAN });
    const nav: string = created.json.paymentOption[0].nav;
    const qrCode = { fiscalCode: ESEMPIO_FC, noticeNumber: nav };
    const v = await verify(nav);
    expect(v.response.kind === 'response' && v.response.operation === 'paVerifyPaymentNotice' && v.response.data?.allCCP).toBe(true);
    for (const [transferType, iban] of [[undefined, ESEMPIO_IBAN], ['PAGOPA', ESEMPIO_IBAN], ['POSTAL', ESEMPIO_POSTAL_IBAN]] as const) {
      const g = await soapCall(stack.url, 'paGetPaymentV2', { ...ESEMPIO_IDS, qrCode, ...(transferType ? { transferType } : {}) });
      const data = g.response.kind === 'response' && g.response.operation === 'paGetPaymentV2' ? g.response.data : undefined;
      expect(data?.transferList[0]?.IBAN, `transferType ${transferType}`).toBe(iban);
    }
  });

  // the transfer's own companyName, else the creditor's for its own transfers
  it('paGetPaymentV2 carries each transfer\u2019s companyName (ctTransferPAV2); paGetPayment (V1) has none', async () => {
    const body = positionRequest();
    const [option] = body['paymentOption'] as Array<Record<string, any>>;
    option!['transfer'][0] = { ...option!['transfer'][0], companyName: 'Comune di Esempio - Servizio Tributi' };
    const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
    const qrCode = { fiscalCode: ESEMPIO_FC, noticeNumber: created.json.paymentOption[0].nav };
    const v2 = await soapCall(stack.url, 'paGetPaymentV2', { ...ESEMPIO_IDS, qrCode });
    const data = v2.response.kind === 'response' && v2.response.operation === 'paGetPaymentV2' ? v2.response.data : undefined;
    expect(data?.transferList[0]?.companyName).toBe('Comune di Esempio - Servizio Tributi');
  });

  it('the fault id is the creditor fiscal code: for an unknown idPA, a wrong broker, a malformed request', async () => {
    const nav = '312000000000000100';
    const unknown = await soapCall(stack.url, 'paVerifyPaymentNotice', { ...ESEMPIO_IDS, idPA: '00743110157', qrCode: { fiscalCode: '00743110157', noticeNumber: nav } });
    expect([faultOf(unknown), unknown.response.fault?.id]).toEqual(['PAA_ID_DOMINIO_ERRATO', '00743110157']);
    const broker = await soapCall(stack.url, 'paVerifyPaymentNotice', { ...ESEMPIO_IDS, idBrokerPA: '99999999999', qrCode: { fiscalCode: ESEMPIO_FC, noticeNumber: nav } });
    expect([faultOf(broker), broker.response.fault?.id]).toEqual(['PAA_ID_INTERMEDIARIO_ERRATO', ESEMPIO_FC]);
    const good = buildNodeRequest('paVerifyPaymentNotice', { ...ESEMPIO_IDS, qrCode: { fiscalCode: ESEMPIO_FC, noticeNumber: nav } });
    const malformed = await soapRaw(stack.url, 'paVerifyPaymentNotice', good.replace(`<noticeNumber>${nav}</noticeNumber>`, '<noticeNumber>12AB</noticeNumber>'));
    expect([malformed.status, faultOf(malformed), malformed.response.fault?.id]).toEqual([200, 'PAA_SINTASSI_EXTRAXSD', ESEMPIO_FC]);
    // an idPA that is no text (an entity): the creditor of the qrCode
    const doctype = good.replace(/^<\?xml[^>]*\?>/, '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY e "x">]>').replace(/<idPA>[^<]*<\/idPA>/, '<idPA>&e;</idPA>');
    const entity = await soapRaw(stack.url, 'paVerifyPaymentNotice', doctype);
    expect([entity.status, faultOf(entity), entity.response.fault?.id]).toEqual([200, 'PAA_SINTASSI_EXTRAXSD', ESEMPIO_FC]);
    // no creditor anywhere in it: no fault bean can name one, a SOAP Fault
    const empty = await fetch(`${stack.url}/pagopa/paForNode`, { method: 'POST', headers: { 'content-type': 'text/xml', soapaction: '"paVerifyPaymentNotice"' }, body: '' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toMatch(/<faultcode>soapenv:Client<\/faultcode>/);
  });
});

