import { describe, expect, it } from 'vitest';
import { parseNodeRequest, type CodecFault, type ParsedRequest } from '../../../shared/http/pagopa-soap';
import { envelope, getPaymentXml, IDS, QR, receiptXml, transferXml, verifyXml } from './fixtures';

function ok(result: ParsedRequest | CodecFault): ParsedRequest {
  if (result.kind === 'fault') throw new Error(`unexpected fault: ${result.description}`);
  return result;
}
function fault(result: ParsedRequest | CodecFault): CodecFault {
  if (result.kind !== 'fault') throw new Error(`expected a fault, got ${result.operation}`);
  expect(result.faultCode).toBe('PAA_SINTASSI_EXTRAXSD');
  return result;
}

describe('parseNodeRequest: operations', () => {
  it('reads paVerifyPaymentNotice with ids and qrCode', () => {
    const r = ok(parseNodeRequest(verifyXml(), '"paVerifyPaymentNotice"'));
    expect(r).toEqual({
      kind: 'request',
      operation: 'paVerifyPaymentNotice',
      idPA: '00743110157',
      idBrokerPA: '15376371009',
      idStation: '15376371009_01',
      qrCode: { fiscalCode: '00743110157', noticeNumber: '302000000000000184' },
    });
  });

  it('reads paGetPayment with amount in cents, transferType and dueDate', () => {
    const r = ok(parseNodeRequest(getPaymentXml('\n      <transferType>POSTAL</transferType>\n      <dueDate>2026-09-30</dueDate>'), 'paGetPayment'));
    expect(r).toMatchObject({ operation: 'paGetPayment', amount: 12050, transferType: 'POSTAL', dueDate: '2026-09-30' });
  });

  it('reads paGetPaymentV2Request (the XSD element name) from the body alone', () => {
    const r = ok(parseNodeRequest(getPaymentXml('', 'paGetPaymentV2Request')));
    expect(r.operation).toBe('paGetPaymentV2');
    expect(r.idStation).toBe('15376371009_01');
  });

  it('reads paSendRT into a Receipt with cents, flattened debtor and CDATA text', () => {
    const r = ok(parseNodeRequest(Buffer.from(receiptXml(), 'utf8'), 'paSendRT'));
    if (r.operation !== 'paSendRT') throw new Error(r.operation);
    expect(r.receipt.paymentAmount).toBe(12050);
    expect(r.receipt.fee).toBe(150);
    expect(r.receipt.description).toBe('TARI 2026 <rata unica> & saldo');
    expect(r.receipt.debtor).toEqual({
      entityUniqueIdentifierType: 'F',
      entityUniqueIdentifierValue: 'RCCMNL83S18D969H',
      fullName: 'Emanuele Rossi',
      streetName: 'Via Roma',
      civicNumber: '12',
      postalCode: '20121',
      city: 'Milano',
      stateProvinceRegion: 'MI',
      country: 'IT',
      email: 'emanuele.rossi@example.it',
    });
    expect(r.receipt.transferList.map((t) => [t.idTransfer, t.transferAmount, t.IBAN])).toEqual([
      [1, 11000, 'IT60X0542811101000000123456'],
      [2, 1050, 'IT60X0542811101000000123456'],
    ]);
    expect(r.receipt.paymentDateTime).toBe('2026-03-14T10:32:05');
  });

  it('reads paSendRTV2 with V2 fields and a stamp (MBDAttachment) transfer', () => {
    const transfers = transferXml(1, '104.50') + transferXml(2, '16.00', '<MBDAttachment>PG1hcmNhRGFCb2xsbz4=</MBDAttachment>');
    const r = ok(parseNodeRequest(receiptXml({ v2: true, transfers }), 'paSendRTV2'));
    if (r.operation !== 'paSendRTV2') throw new Error(r.operation);
    expect(r.receipt).toMatchObject({ paymentNote: 'nota', primaryCiIncurredFee: 0, idBundle: 'b1' });
    expect(r.receipt.transferList[1]).toMatchObject({ MBDAttachment: 'PG1hcmNhRGFCb2xsbz4=', transferAmount: 1600 });
    expect(r.receipt.transferList[1]?.IBAN).toBeUndefined();
  });

  it('accepts any prefix, a default namespace and no Header', () => {
    const xml = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <paVerifyPaymentNoticeReq xmlns="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">${IDS}${QR}</paVerifyPaymentNoticeReq>
    </s:Body></s:Envelope>`;
    expect(ok(parseNodeRequest(xml)).operation).toBe('paVerifyPaymentNotice');
  });
});

describe('parseNodeRequest: SOAPAction', () => {
  it.each(['paVerifyPaymentNotice', '"paVerifyPaymentNotice"', ' "paVerifyPaymentNotice" ', '""', ''])(
    'accepts %j',
    (action) => {
      expect(ok(parseNodeRequest(verifyXml(), action)).operation).toBe('paVerifyPaymentNotice');
    },
  );

  it('refuses a SOAPAction that disagrees with the body', () => {
    const f = fault(parseNodeRequest(verifyXml(), '"paGetPayment"'));
    expect(f.failure).toBe('operation-mismatch');
    expect(f.operation).toBe('paGetPayment');
    expect(f.idPA).toBe('00743110157');
  });

  it('refuses an unknown SOAPAction and an unknown body element', () => {
    // (paDemandPaymentNotice is answered since spontaneous payments: the old SANP 2 primitives are not)
    expect(fault(parseNodeRequest(verifyXml(), 'paaVerificaRPT')).failure).toBe('unknown-operation');
    const other = envelope('<nod:paaVerificaRPTReq>' + IDS + '</nod:paaVerificaRPTReq>');
    const f = fault(parseNodeRequest(other));
    expect(f.failure).toBe('unknown-operation');
    expect(f.description).toContain('paaVerificaRPTReq');
  });

  it('refuses a request element in another namespace', () => {
    const xml = verifyXml().replace('xmlns:nod="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"', 'xmlns:nod="urn:other"');
    expect(fault(parseNodeRequest(xml)).failure).toBe('unknown-operation');
  });
});

describe('parseNodeRequest: validation names the offending element', () => {
  const cases: Array<[string, string, string | undefined, RegExp]> = [
    ['missing idStation', verifyXml(`\n<idPA>00743110157</idPA><idBrokerPA>15376371009</idBrokerPA>${QR}`), undefined, /idStation: is required/],
    ['short notice number', verifyXml(`${IDS}<qrCode><fiscalCode>00743110157</fiscalCode><noticeNumber>30200000000000018</noticeNumber></qrCode>`), undefined, /qrCode\/noticeNumber: must be 18 digits/],
    ['bad creditor fiscal code', verifyXml(`${IDS}<qrCode><fiscalCode>0074311015A</fiscalCode><noticeNumber>302000000000000184</noticeNumber></qrCode>`), undefined, /qrCode\/fiscalCode: must be 11 digits/],
    ['idPA over 35', verifyXml(`<idPA>${'1'.repeat(36)}</idPA><idBrokerPA>1</idBrokerPA><idStation>1</idStation>${QR}`), undefined, /idPA: must be 1\.\.35 characters/],
    ['empty idBrokerPA', verifyXml(`<idPA>1</idPA><idBrokerPA/><idStation>1</idStation>${QR}`), undefined, /idBrokerPA: must be 1\.\.35 characters/],
    ['out-of-order elements', verifyXml(`<idBrokerPA>1</idBrokerPA><idPA>1</idPA><idStation>1</idStation>${QR}`), undefined, /idPA: is out of order/],
    ['unknown element', verifyXml(`${IDS}${QR}<password>x</password>`), undefined, /password: is not an element allowed here/],
    ['repeated element', verifyXml(`${IDS}<idStation>2</idStation>${QR}`), undefined, /idStation: appears more than once/],
    ['text in a complex element', verifyXml(`${IDS}<qrCode>oops</qrCode>`), undefined, /qrCode: must contain elements/],
    ['amount with one decimal', getPaymentXml().replace('<amount>120.50</amount>', '<amount>120.5</amount>'), undefined, /amount: must be an amount/],
    ['amount too large', getPaymentXml().replace('<amount>120.50</amount>', '<amount>1000000000.00</amount>'), undefined, /amount: must be an amount/],
    ['bad transferType', getPaymentXml('<transferType>BANK</transferType>'), undefined, /transferType/],
    ['bad dueDate', getPaymentXml('<dueDate>2026-02-30</dueDate>'), undefined, /dueDate: must be a real calendar date/],
    ['receipt outcome', receiptXml().replace('<outcome>OK</outcome>', '<outcome>MAYBE</outcome>'), undefined, /receipt\/outcome/],
    ['zero transfer amount', receiptXml({ transfers: transferXml(1, '0.00') }), undefined, /receipt\/transferList\/transfer\[1\]\/transferAmount: must be at least 0\.01/],
    ['six transfers', receiptXml({ transfers: [1, 2, 3, 4, 5, 5].map((i) => transferXml(i, '1.00')).join('') }), undefined, /receipt\/transferList\/transfer/],
    ['idTransfer 6', receiptXml({ transfers: transferXml(6, '120.50') }), undefined, /transfer\[1\]\/idTransfer/],
    ['V1 transfer without IBAN', receiptXml({ transfers: transferXml(1, '120.50', '') }), undefined, /transfer\[1\]\/IBAN: is required/],
    ['V1 transfer with MBDAttachment', receiptXml({ transfers: transferXml(1, '120.50', '<MBDAttachment>AAAA</MBDAttachment>') }), undefined, /transfer\[1\]\/MBDAttachment: is not an element allowed here/],
    ['V2 transfer with IBAN and stamp', receiptXml({ v2: true, transfers: transferXml(1, '120.50', '<IBAN>IT60X0542811101000000123456</IBAN><MBDAttachment>AAAA</MBDAttachment>') }), undefined, /transfer\[1\]\/IBAN: exactly one of IBAN or MBDAttachment/],
    ['bad e-mail', receiptXml().replace('emanuele.rossi@example.it', 'not an email'), undefined, /receipt\/debtor\/e-mail: must be an e-mail/],
    ['debtor type', receiptXml().replace('<entityUniqueIdentifierType>F</', '<entityUniqueIdentifierType>X</'), undefined, /debtor\/uniqueIdentifier\/entityUniqueIdentifierType/],
    ['description over 140', receiptXml({ description: 'x'.repeat(141) }), undefined, /receipt\/description: must be 1\.\.140 characters/],
    ['V2 field on V1', receiptXml({ tail: '<paymentNote>n</paymentNote>' }), undefined, /receipt\/paymentNote: is not an element allowed here/],
    ['standIn not boolean', receiptXml({ tail: '<standIn>yes</standIn>' }), undefined, /receipt\/standIn/],
    ['child in a foreign namespace', verifyXml(`${IDS}<x:qrCode xmlns:x="urn:x"><fiscalCode>00743110157</fiscalCode><noticeNumber>302000000000000184</noticeNumber></x:qrCode>`), undefined, /qrCode: is in an unexpected namespace/],
  ];
  it.each(cases)('%s', (_name, xml, action, expected) => {
    const f = fault(parseNodeRequest(xml, action));
    expect(f.failure).toBe('invalid');
    expect(f.description).toMatch(expected);
  });

  it('reports every offending element, and the ids it could read', () => {
    const f = fault(parseNodeRequest(verifyXml(`${IDS}<qrCode><fiscalCode>1</fiscalCode><noticeNumber>2</noticeNumber></qrCode>`)));
    expect(f.description).toContain('qrCode/fiscalCode');
    expect(f.description).toContain('qrCode/noticeNumber');
    expect(f).toMatchObject({ operation: 'paVerifyPaymentNotice', idPA: '00743110157', idStation: '15376371009_01' });
  });

  it('trims whitespace around values', () => {
    const r = ok(parseNodeRequest(verifyXml(`<idPA>\n 00743110157 \n</idPA><idBrokerPA> b </idBrokerPA><idStation>s</idStation>${QR}`)));
    expect(r.idPA).toBe('00743110157');
    expect(r.idBrokerPA).toBe('b');
  });
});
