/**
 * The fault beans of the SOAP edge (shared/http/soap-edge.ts): ctFaultBean's `id` names who raises
 * the fault, and this station answers as the creditor, so it is the creditor's fiscal code
 * (identificativoDominio) the request gave: for a creditor not served here
 * (PAA_ID_DOMINIO_ERRATO), for any refusal, and for a request the codec could not parse.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { soapRoute } from '../../../shared/http/soap-edge';
import { buildNodeRequest, creditorOfUnreadableRequest, parseStationResponse, soapActionFor, type Operation } from '../../../shared/http/pagopa-soap';
import { createLogger } from '../../../shared/observability/logger';
import type { StationAnswer, StationCommand } from '../../../shared/use-cases/receipts/station-messages';

const IDS = { idPA: '80001234568', idBrokerPA: '80001234568', idStation: '80001234568_01' };
const NAV = '312000000000000100';
const context = { awsRequestId: 'aws-1', functionName: 'station', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

function station(answer: (command: StationCommand) => StationAnswer) {
  const route = soapRoute(createLogger(), async (command) => answer(command));
  return async (body: string, operation?: Operation) => {
    const event = {
      version: '2.0',
      routeKey: 'POST /pagopa/paForNode',
      rawPath: '/pagopa/paForNode',
      rawQueryString: '',
      headers: { 'content-type': 'text/xml', ...(operation ? { soapaction: soapActionFor(operation) } : {}) },
      body,
      isBase64Encoded: false,
      requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/pagopa/paForNode' } },
    } as unknown as APIGatewayProxyEventV2;
    const r = (await route(event, context)) as APIGatewayProxyStructuredResultV2;
    const parsed = parseStationResponse(r.body ?? '');
    return { status: r.statusCode, body: r.body ?? '', fault: parsed.kind === 'response' ? parsed.fault : undefined };
  };
}

const refuse = (reason: Extract<StationAnswer, { kind: 'refused' }>['reason']) => station(() => ({ kind: 'refused', reason, detail: 'no' }));
const verifyXml = (ids = IDS, fiscalCode = IDS.idPA) => buildNodeRequest('paVerifyPaymentNotice', { ...ids, qrCode: { fiscalCode, noticeNumber: NAV } });

describe('fault ids', () => {
  it('PAA_ID_DOMINIO_ERRATO names the idPA the node asked about (not the station)', async () => {
    const r = await refuse('UNKNOWN_CREDITOR')(verifyXml({ ...IDS, idPA: '00743110157' }, '00743110157'), 'paVerifyPaymentNotice');
    expect([r.status, r.fault?.faultCode, r.fault?.id]).toEqual([200, 'PAA_ID_DOMINIO_ERRATO', '00743110157']);
  });

  it('every other refusal names the creditor too', async () => {
    for (const reason of ['WRONG_BROKER', 'WRONG_STATION', 'UNKNOWN_NOTICE', 'ALREADY_PAID', 'EXPIRED', 'CANCELLED'] as const) {
      const r = await refuse(reason)(verifyXml(), 'paVerifyPaymentNotice');
      expect(r.fault?.id, reason).toBe(IDS.idPA);
    }
  });

  it('a request that breaks the XSD: the idPA it carries', async () => {
    const r = await refuse('UNKNOWN_NOTICE')(verifyXml().replace(`<noticeNumber>${NAV}</noticeNumber>`, '<noticeNumber>12AB</noticeNumber>'), 'paVerifyPaymentNotice');
    expect([r.status, r.fault?.faultCode, r.fault?.id]).toEqual([200, 'PAA_SINTASSI_EXTRAXSD', IDS.idPA]);
  });

  it('a request whose idPA cannot be read: the creditor of its qrCode (or receipt); none at all: a SOAP Fault', async () => {
    const ask = refuse('UNKNOWN_NOTICE');
    const withoutIdPA = verifyXml().replace(/<idPA>[^<]*<\/idPA>/, '');
    const a = await ask(withoutIdPA, 'paVerifyPaymentNotice');
    expect([a.status, a.fault?.faultCode, a.fault?.id]).toEqual([200, 'PAA_SINTASSI_EXTRAXSD', IDS.idPA]);
    const doctype = verifyXml().replace(/^<\?xml[^>]*\?>/, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]>');
    const b = await ask(doctype, 'paVerifyPaymentNotice');
    expect([b.status, b.fault?.faultCode, b.fault?.id]).toEqual([200, 'PAA_SINTASSI_EXTRAXSD', IDS.idPA]);
    const c = await ask(verifyXml().slice(0, 300), 'paVerifyPaymentNotice');
    expect(c.fault?.id ?? 'SOAP Fault').toMatch(/^(80001234568|SOAP Fault)$/);
    for (const body of ['', '{"idPA":"80001234568"}', 'garbage']) {
      const d = await ask(body, 'paVerifyPaymentNotice');
      expect(d.status, body).toBe(400);
      expect(d.body).toMatch(/<faultcode>soapenv:Client<\/faultcode>/);
      expect(d.body).toMatch(/names no creditor/);
    }
  });

  it('creditorOfUnreadableRequest reads only an 11-digit idPA or fiscalCode, prefixed or not', () => {
    expect(creditorOfUnreadableRequest('<x><ns:idPA> 80001234568 </ns:idPA></x>')).toBe('80001234568');
    expect(creditorOfUnreadableRequest(Buffer.from('<qrCode><fiscalCode>80001234568</fiscalCode>'))).toBe('80001234568');
    expect(creditorOfUnreadableRequest('<idPA>&xxe;</idPA><fiscalCode>80007654322</fiscalCode>')).toBe('80007654322');
    expect(creditorOfUnreadableRequest("<idPA>' OR 1=1</idPA>")).toBeUndefined();
    expect(creditorOfUnreadableRequest('<idPA>800012345680</idPA>')).toBeUndefined();
    expect(creditorOfUnreadableRequest('')).toBeUndefined();
  });
});
