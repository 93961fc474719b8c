import { describe, expect, it } from 'vitest';
import {
  PAA_FAULTS,
  PAA_FAULT_CODES,
  SoapBuildError,
  buildFaultResponse,
  buildGetPaymentResponse,
  buildSendRTResponse,
  buildVerifyResponse,
  parseStationResponse,
  type PaymentData,
} from '../../../shared/http/pagopa-soap';
import { SaxesParser } from 'saxes';

/** child element local names of the first element called `name` (own minimal reader, not the codec's) */
function childOrder(xml: string, name: string): string[] {
  const parser = new SaxesParser({ xmlns: true });
  const stack: string[] = [];
  let depth = -1;
  const order: string[] = [];
  parser.on('opentag', (t) => {
    if (depth === -1 && t.local === name && order.length === 0) depth = stack.length;
    else if (depth !== -1 && stack.length === depth + 1) order.push(t.local ?? '');
    stack.push(t.local ?? '');
  });
  parser.on('closetag', () => {
    stack.pop();
    if (stack.length === depth) depth = -2;
  });
  parser.write(xml).close();
  return order;
}

/** true when `actual` is a subsequence of `xsdOrder` (elements in XSD order, optional ones may be absent) */
function inXsdOrder(actual: string[], xsdOrder: string[]): boolean {
  let i = 0;
  for (const name of actual) {
    while (i < xsdOrder.length && xsdOrder[i] !== name) i += 1;
    if (i === xsdOrder.length) return false;
    i += 1;
  }
  return true;
}

// Sequences copied from paForNode.xsd / sac-common-types-1.0.xsd by hand.
const XSD = {
  paVerifyPaymentNoticeRes: ['outcome', 'fault', 'paymentList', 'paymentDescription', 'fiscalCodePA', 'companyName', 'officeName'],
  ctPaymentOptionDescriptionPA: ['amount', 'options', 'dueDate', 'detailDescription', 'allCCP'],
  ctPaymentPA: ['creditorReferenceId', 'paymentAmount', 'dueDate', 'retentionDate', 'lastPayment', 'description', 'companyName', 'officeName', 'debtor', 'transferList', 'metadata'],
  ctTransferPAV2: ['idTransfer', 'transferAmount', 'fiscalCodePA', 'companyName', 'IBAN', 'richiestaMarcaDaBollo', 'remittanceInformation', 'transferCategory', 'metadata'],
  ctSubject: ['uniqueIdentifier', 'fullName', 'streetName', 'civicNumber', 'postalCode', 'city', 'stateProvinceRegion', 'country', 'e-mail'],
  ctFaultBean: ['faultCode', 'faultString', 'id', 'description', 'serial', 'originalFaultCode', 'originalFaultString', 'originalDescription'],
  ctRichiestaMarcaDaBollo: ['hashDocumento', 'tipoBollo', 'provinciaResidenza'],
};

const payment: PaymentData = {
  creditorReferenceId: '02000000000000184',
  paymentAmount: 13650,
  dueDate: '2026-09-30',
  retentionDate: '2026-12-31T23:59:59',
  lastPayment: true,
  description: 'TARI 2026 rata unica',
  companyName: 'Comune di Esempio',
  officeName: 'Ufficio Tributi',
  debtor: {
    entityUniqueIdentifierType: 'F',
    entityUniqueIdentifierValue: 'RCCMNL83S18D969H',
    fullName: 'Emanuele Rossi',
    city: 'Milano',
    country: 'IT',
    email: 'emanuele.rossi@example.it',
  },
  transferList: [
    {
      idTransfer: 1,
      transferAmount: 12050,
      fiscalCodePA: '00743110157',
      companyName: 'Comune di Esempio',
      IBAN: 'IT60X0542811101000000123456',
      remittanceInformation: 'TARI 2026',
      transferCategory: '9/0101100IM/',
      metadata: [{ key: 'capitolo', value: '1010' }],
    },
    {
      idTransfer: 2,
      transferAmount: 1600,
      fiscalCodePA: '00743110157',
      richiestaMarcaDaBollo: { hashDocumento: 'wHpFSLCGZjIvNSXxqtGbxg7275t446DRTk5ZrsdUQ6E=', tipoBollo: '01', provinciaResidenza: 'MI' },
      remittanceInformation: 'Marca da bollo',
      transferCategory: '9/0301116TS/9/24B0060000000017',
    },
  ],
  metadata: [{ key: 'anno', value: '2026' }],
};

describe('station responses', () => {
  it('verify: OK with the option, elements in XSD order, amount as decimal euro', () => {
    const xml = buildVerifyResponse({ amount: 102099, allCCP: true, dueDate: '2026-09-30', detailDescription: 'x', paymentDescription: 'TARI', fiscalCodePA: '00743110157', companyName: 'Comune', officeName: 'Tributi' });
    expect(xml).toContain('<amount>1020.99</amount>');
    expect(xml).toContain('<allCCP>true</allCCP>');
    expect(childOrder(xml, 'paVerifyPaymentNoticeRes')).toEqual(['outcome', 'paymentList', 'paymentDescription', 'fiscalCodePA', 'companyName', 'officeName']);
    expect(childOrder(xml, 'paymentOptionDescription')).toEqual(XSD.ctPaymentOptionDescriptionPA);
  });

  it('getPaymentV2: stamp, metadata, companyName per transfer, in XSD order', () => {
    const xml = buildGetPaymentResponse('paGetPaymentV2', payment);
    expect(xml).toContain('<paf:paGetPaymentV2Response>');
    expect(childOrder(xml, 'data')).toEqual(XSD.ctPaymentPA);
    expect(inXsdOrder(childOrder(xml, 'transfer'), XSD.ctTransferPAV2)).toBe(true);
    expect(childOrder(xml, 'richiestaMarcaDaBollo')).toEqual(XSD.ctRichiestaMarcaDaBollo);
    expect(inXsdOrder(childOrder(xml, 'debtor'), XSD.ctSubject)).toBe(true);
    expect(childOrder(xml, 'uniqueIdentifier')).toEqual(['entityUniqueIdentifierType', 'entityUniqueIdentifierValue']);
    expect(xml).toContain('<paymentAmount>136.50</paymentAmount>');
    expect(xml).toContain('<e-mail>emanuele.rossi@example.it</e-mail>');
  });

  it('getPayment V1: only IBAN transfers, transfer companyName dropped, a stamp refused', () => {
    const v1: PaymentData = { ...payment, paymentAmount: 12050, transferList: [payment.transferList[0]!] };
    const xml = buildGetPaymentResponse('paGetPayment', v1);
    expect(xml).toContain('<paf:paGetPaymentRes>');
    expect(childOrder(xml, 'transfer')).toEqual(['idTransfer', 'transferAmount', 'fiscalCodePA', 'IBAN', 'remittanceInformation', 'transferCategory', 'metadata']);
    expect(() => buildGetPaymentResponse('paGetPayment', payment)).toThrow(/cannot carry a stamp/);
  });

  it('refuses transfers that do not add up to paymentAmount', () => {
    expect(() => buildGetPaymentResponse('paGetPaymentV2', { ...payment, paymentAmount: 13651 })).toThrow(SoapBuildError);
  });

  it('escapes text: a description with < & " \' survives a round trip', () => {
    const nasty = `Rata <1> & "saldo" l'anno ]]> </paf:x>`;
    const xml = buildGetPaymentResponse('paGetPaymentV2', { ...payment, description: nasty });
    expect(xml).not.toContain('<1>');
    const read = parseStationResponse(xml);
    if (read.kind !== 'response' || read.operation !== 'paGetPaymentV2') throw new Error(JSON.stringify(read));
    expect(read.data?.description).toBe(nasty);
  });

  it('truncates descriptions to their XSD maximum but never ids', () => {
    const long = 'è'.repeat(200);
    const xml = buildGetPaymentResponse('paGetPaymentV2', { ...payment, description: long, debtor: { ...payment.debtor, fullName: 'N'.repeat(90) } });
    const read = parseStationResponse(xml);
    if (read.kind !== 'response' || read.operation !== 'paGetPaymentV2') throw new Error(JSON.stringify(read));
    expect([...(read.data?.description ?? '')]).toHaveLength(140);
    expect(read.data?.debtor.fullName).toHaveLength(70);
    expect(() => buildGetPaymentResponse('paGetPaymentV2', { ...payment, creditorReferenceId: '1'.repeat(36) })).toThrow(/creditorReferenceId/);
    expect(() => buildGetPaymentResponse('paGetPaymentV2', { ...payment, transferList: [{ ...payment.transferList[0]!, IBAN: 'I'.repeat(36) }, payment.transferList[1]!] })).toThrow(/IBAN/);
    expect(() => buildVerifyResponse({ amount: 0, allCCP: false })).toThrow(/amount/);
  });

  it('sendRT: OK for both versions', () => {
    expect(buildSendRTResponse('paSendRT')).toMatch(/<paf:paSendRTRes><outcome>OK<\/outcome><\/paf:paSendRTRes>/);
    expect(buildSendRTResponse('paSendRTV2')).toMatch(/<paf:paSendRTV2Response><outcome>OK<\/outcome><\/paf:paSendRTV2Response>/);
  });

  it('fault: KO with the fault bean in XSD order and the standard faultString', () => {
    const xml = buildFaultResponse('paSendRTV2', { faultCode: 'PAA_RECEIPT_DUPLICATA', id: '00743110157', description: 'a <different> receipt & more' });
    expect(childOrder(xml, 'paSendRTV2Response')).toEqual(['outcome', 'fault']);
    expect(childOrder(xml, 'fault')).toEqual(['faultCode', 'faultString', 'id', 'description']);
    const read = parseStationResponse(xml);
    if (read.kind !== 'response') throw new Error(read.description);
    expect(read.outcome).toBe('KO');
    expect(read.fault).toEqual({ faultCode: 'PAA_RECEIPT_DUPLICATA', faultString: PAA_FAULTS.PAA_RECEIPT_DUPLICATA, id: '00743110157', description: 'a <different> receipt & more' });
    expect(() => buildFaultResponse('paVerifyPaymentNotice', { faultCode: 'PAA_SYSTEM_ERROR', id: '' })).toThrow(SoapBuildError);
  });

  it('lists the PAA fault codes of pagoPA\'s creditor interface ("faultCode e faultString", Dominio EC), each with its text', () => {
    for (const code of ['PAA_PAGAMENTO_SCONOSCIUTO', 'PAA_PAGAMENTO_DUPLICATO', 'PAA_PAGAMENTO_SCADUTO', 'PAA_PAGAMENTO_ANNULLATO', 'PAA_PAGAMENTO_IN_CORSO', 'PAA_SEMANTICA', 'PAA_SINTASSI_EXTRAXSD', 'PAA_ID_DOMINIO_ERRATO', 'PAA_ID_INTERMEDIARIO_ERRATO', 'PAA_STAZIONE_INT_ERRATA', 'PAA_RECEIPT_DUPLICATA', 'PAA_SYSTEM_ERROR']) {
      expect(PAA_FAULT_CODES).toContain(code);
    }
    expect(PAA_FAULTS.PAA_PAGAMENTO_SCADUTO).toBe('Pagamento in attesa risulta scaduto all’Ente Creditore');
  });

  it('bean order check is not vacuous', () => {
    expect(inXsdOrder(['id', 'faultCode'], XSD.ctFaultBean)).toBe(false);
  });
});
