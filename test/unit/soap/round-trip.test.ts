import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { receiptSchema } from '../../../events/receipt';
import type { Receipt } from '../../../shared/domain/receipt';
import {
  buildFaultResponse,
  buildGetPaymentResponse,
  buildNodeRequest,
  buildSendRTResponse,
  buildVerifyResponse,
  parseNodeRequest,
  parseStationResponse,
  soapActionFor,
  SoapBuildError,
  type PaymentData,
} from '../../../shared/http/pagopa-soap';

const example = receiptSchema.parse(JSON.parse(readFileSync(new URL('../../../events/examples/receipt.json', import.meta.url), 'utf8')));
const ids = { idPA: '00743110157', idBrokerPA: '15376371009', idStation: '15376371009_01' };
const qrCode = { fiscalCode: '00743110157', noticeNumber: '302000000000000184' };

function station(xml: string, action: string) {
  const parsed = parseNodeRequest(xml, action);
  if (parsed.kind === 'fault') throw new Error(parsed.description);
  return parsed;
}

describe('node request → station parse → station response → node parse', () => {
  it('paVerifyPaymentNotice', () => {
    const request = station(buildNodeRequest('paVerifyPaymentNotice', { ...ids, qrCode }), soapActionFor('paVerifyPaymentNotice'));
    expect(request).toEqual({ kind: 'request', operation: 'paVerifyPaymentNotice', ...ids, qrCode });
    const answer = parseStationResponse(buildVerifyResponse({ amount: 12050, allCCP: false, paymentDescription: 'TARI', fiscalCodePA: qrCode.fiscalCode, companyName: 'Comune di Esempio' }), { expected: 'paVerifyPaymentNotice' });
    expect(answer).toEqual({
      kind: 'response',
      operation: 'paVerifyPaymentNotice',
      outcome: 'OK',
      data: { amount: 12050, options: 'EQ', allCCP: false, paymentDescription: 'TARI', fiscalCodePA: '00743110157', companyName: 'Comune di Esempio' },
    });
  });

  it.each(['paGetPayment', 'paGetPaymentV2'] as const)('%s', (operation) => {
    const xml = buildNodeRequest(operation, { ...ids, qrCode, amount: 12050, transferType: 'PAGOPA', dueDate: '2026-09-30' });
    expect(xml).toContain(operation === 'paGetPayment' ? '<pafn:paGetPaymentReq>' : '<pafn:paGetPaymentV2Request>');
    expect(xml).toContain('<amount>120.50</amount>');
    const request = station(xml, soapActionFor(operation));
    expect(request).toEqual({ kind: 'request', operation, ...ids, qrCode, amount: 12050, transferType: 'PAGOPA', dueDate: '2026-09-30' });

    const data: PaymentData = {
      creditorReferenceId: '02000000000000184',
      paymentAmount: 12050,
      dueDate: '2026-09-30',
      description: 'TARI 2026',
      companyName: 'Comune di Esempio',
      debtor: { entityUniqueIdentifierType: 'G', entityUniqueIdentifierValue: '00743110157', fullName: 'ACME S.r.l.' },
      transferList: [
        { idTransfer: 1, transferAmount: 11000, fiscalCodePA: '00743110157', IBAN: 'IT60X0542811101000000123456', remittanceInformation: 'TARI', transferCategory: '9/0101100IM/' },
        { idTransfer: 2, transferAmount: 1050, fiscalCodePA: '01199250158', IBAN: 'IT60X0542811101000000654321', remittanceInformation: 'TEFA', transferCategory: '9/0101100IM/', metadata: [{ key: 'k', value: 'v' }] },
      ],
    };
    const answer = parseStationResponse(buildGetPaymentResponse(operation, data), { expected: operation });
    expect(answer).toEqual({ kind: 'response', operation, outcome: 'OK', data });
  });

  it.each(['paSendRT', 'paSendRTV2'] as const)('%s carries the example receipt unchanged', (operation) => {
    const receipt: Receipt =
      operation === 'paSendRT'
        ? (({ paymentNote: _a, primaryCiIncurredFee: _b, idBundle: _c, idCiBundle: _d, ...r }) => r)(example)
        : { ...example, transferList: [...example.transferList.slice(0, 1), { ...example.transferList[1]!, IBAN: undefined, MBDAttachment: 'PG1hcmNhRGFCb2xsbz4=', companyName: 'Comune' }].map((t) => JSON.parse(JSON.stringify(t))) };
    const request = station(buildNodeRequest(operation, { ...ids, receipt }), soapActionFor(operation));
    if (request.operation !== operation || !('receipt' in request)) throw new Error('wrong operation');
    expect(request.receipt).toEqual(receipt);
    expect(receiptSchema.safeParse(request.receipt).success).toBe(true);

    expect(parseStationResponse(buildSendRTResponse(operation), { expected: operation })).toEqual({ kind: 'response', operation, outcome: 'OK' });
  });

  it('a KO from the station reaches the node with its fault', () => {
    const answer = parseStationResponse(buildFaultResponse('paGetPayment', { faultCode: 'PAA_PAGAMENTO_SCADUTO', id: ids.idPA }));
    expect(answer).toMatchObject({ kind: 'response', operation: 'paGetPayment', outcome: 'KO', fault: { faultCode: 'PAA_PAGAMENTO_SCADUTO', id: ids.idPA } });
    expect(answer).not.toHaveProperty('data');
  });

  it('the node refuses a response for another operation, a KO without fault and a SOAP Fault', () => {
    expect(parseStationResponse(buildSendRTResponse('paSendRT'), { expected: 'paSendRTV2' })).toMatchObject({ kind: 'fault', failure: 'operation-mismatch' });
    const noFault = buildSendRTResponse('paSendRT').replace('<outcome>OK</outcome>', '<outcome>KO</outcome>');
    expect(parseStationResponse(noFault)).toMatchObject({ kind: 'fault', failure: 'invalid', description: expect.stringContaining('fault: is required when outcome is KO') });
    const soapFault = '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault><faultcode>e:Server</faultcode><faultstring>boom</faultstring></e:Fault></e:Body></e:Envelope>';
    expect(parseStationResponse(soapFault)).toMatchObject({ kind: 'fault', description: expect.stringContaining('boom') });
  });

  it('the node cannot send V2-only receipt data on paSendRT', () => {
    expect(() => buildNodeRequest('paSendRT', { ...ids, receipt: example })).toThrow(SoapBuildError);
  });
});

describe('receipt queue contract', () => {
  it('the example passes and a broken receipt does not', () => {
    expect(example.paymentAmount).toBe(12050);
    expect(receiptSchema.safeParse({ ...example, paymentAmount: 120.5 }).success).toBe(false);
    expect(receiptSchema.safeParse({ ...example, transferList: [{ ...example.transferList[0]!, IBAN: undefined }] }).success).toBe(false);
    expect(receiptSchema.safeParse({ ...example, noticeNumber: '123' }).success).toBe(false);
  });
});
