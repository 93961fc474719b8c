/**
 * Requests as the pagoPA node sends them: SOAP 1.1 envelope, the paForNode namespace on a prefix
 * of the sender's choosing, unqualified children, pretty-printed.
 */
export const ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const PAF_NS = 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd';

export function envelope(body: string, prefix = 'nod'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="${ENV_NS}" xmlns:${prefix}="${PAF_NS}">
  <soapenv:Header/>
  <soapenv:Body>
${body}
  </soapenv:Body>
</soapenv:Envelope>
`;
}

export const IDS = `
      <idPA>00743110157</idPA>
      <idBrokerPA>15376371009</idBrokerPA>
      <idStation>15376371009_01</idStation>`;

export const QR = `
      <qrCode>
        <fiscalCode>00743110157</fiscalCode>
        <noticeNumber>302000000000000184</noticeNumber>
      </qrCode>`;

export const verifyXml = (inner = `${IDS}${QR}`) =>
  envelope(`    <nod:paVerifyPaymentNoticeReq>${inner}
    </nod:paVerifyPaymentNoticeReq>`);

export const getPaymentXml = (extra = '', element = 'paGetPaymentReq') =>
  envelope(`    <nod:${element}>${IDS}${QR}
      <amount>120.50</amount>${extra}
    </nod:${element}>`);

export const DEBTOR = `
        <debtor>
          <uniqueIdentifier>
            <entityUniqueIdentifierType>F</entityUniqueIdentifierType>
            <entityUniqueIdentifierValue>RCCMNL83S18D969H</entityUniqueIdentifierValue>
          </uniqueIdentifier>
          <fullName>Emanuele Rossi</fullName>
          <streetName>Via Roma</streetName>
          <civicNumber>12</civicNumber>
          <postalCode>20121</postalCode>
          <city>Milano</city>
          <stateProvinceRegion>MI</stateProvinceRegion>
          <country>IT</country>
          <e-mail>emanuele.rossi@example.it</e-mail>
        </debtor>`;

export const transferXml = (id: number, amount: string, account = '<IBAN>IT60X0542811101000000123456</IBAN>') => `
          <transfer>
            <idTransfer>${id}</idTransfer>
            <transferAmount>${amount}</transferAmount>
            <fiscalCodePA>00743110157</fiscalCodePA>
            ${account}
            <remittanceInformation>TARI 2026 quota ${id}</remittanceInformation>
            <transferCategory>9/0101100IM/</transferCategory>
          </transfer>`;

export const receiptXml = (
  options: { v2?: boolean; transfers?: string; description?: string; tail?: string } = {},
) => {
  const element = options.v2 ? 'paSendRTV2Request' : 'paSendRTReq';
  const transfers = options.transfers ?? transferXml(1, '110.00') + transferXml(2, '10.50');
  return envelope(`    <nod:${element}>${IDS}
      <receipt>
        <receiptId>c110729d258c4ab1b765fe902ae67cb3</receiptId>
        <noticeNumber>302000000000000184</noticeNumber>
        <fiscalCode>00743110157</fiscalCode>
        <outcome>OK</outcome>
        <creditorReferenceId>02000000000000184</creditorReferenceId>
        <paymentAmount>120.50</paymentAmount>
        <description>${options.description ?? '<![CDATA[TARI 2026 <rata unica> & saldo]]>'}</description>
        <companyName>Comune di Esempio</companyName>
        <officeName>Ufficio Tributi</officeName>${DEBTOR}
        <transferList>${transfers}
        </transferList>
        <idPSP>BCITITMM</idPSP>
        <pspFiscalCode>00799960158</pspFiscalCode>
        <PSPCompanyName>Intesa Sanpaolo S.p.A.</PSPCompanyName>
        <idChannel>00799960158_01</idChannel>
        <channelDescription>app</channelDescription>
        <paymentMethod>creditCard</paymentMethod>${options.v2 ? '\n        <paymentNote>nota</paymentNote>' : ''}
        <fee>1.50</fee>${options.v2 ? '\n        <primaryCiIncurredFee>0.00</primaryCiIncurredFee>\n        <idBundle>b1</idBundle>' : ''}
        <paymentDateTime>2026-03-14T10:32:05</paymentDateTime>
        <applicationDate>2026-03-14</applicationDate>
        <transferDate>2026-03-15</transferDate>${options.tail ?? ''}
      </receipt>
    </nod:${element}>`);
};
