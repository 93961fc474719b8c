/**
 * paDemandPaymentNotice (spontaneous payment at a PSP): the request as the node sends it, the
 * datiSpecificiServizio layout and its hardening, the response (element order of paForNode.xsd),
 * and the station through its makeHandler with in-memory ports: OK, the same demand again, verify
 * on the notice, and the faults (nothing created by a refused request).
 */
import { describe, expect, it } from 'vitest';
import {
  buildDemandResponse,
  buildNodeRequest,
  buildServiceData,
  parseNodeRequest,
  parseStationResponse,
  readServiceData,
  soapActionFor,
  type NodeRequestData,
  type Operation,
  type StationResponse,
} from '../../../shared/http/pagopa-soap';
import { InMemoryDebtPositionStore } from '../positions/fakes';
import { InMemoryPublisher, RECEIPTS_QUEUE, call, clockAt, creditors, httpEvent, logger, setHandlerSettings } from '../receipts/fakes';
import { PAYER, TENANT } from '../spontaneous/fixtures';
import { ENV_NS, PAF_NS } from './fixtures';

setHandlerSettings();
const { makeHandler } = await import('../../../functions/pagopa-node-station/handler');

const IDS = { idPA: TENANT.fiscalCode, idBrokerPA: TENANT.brokerId, idStation: TENANT.stationId };
const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
const dati = `<?xml version="1.0" encoding="UTF-8"?>
<datiSpecificiServizio>
  <pagatore>
    <codiceFiscalePagatore>rccmnl83s18d969h</codiceFiscalePagatore>
    <denominazionePagatore>Emanuele Rocca</denominazionePagatore>
  </pagatore>
  <alunno>Anna Rossi</alunno>
  <pasti>4</pasti>
</datiSpecificiServizio>`;

const demandXml = (idServizio = 'MENSA', base64 = b64(dati)) => `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="${ENV_NS}" xmlns:nod="${PAF_NS}">
  <soapenv:Header/>
  <soapenv:Body>
    <nod:paDemandPaymentNoticeRequest>
      <idPA>${IDS.idPA}</idPA>
      <idBrokerPA>${IDS.idBrokerPA}</idBrokerPA>
      <idStation>${IDS.idStation}</idStation>
      <idServizio>${idServizio}</idServizio>
      <idSoggettoServizio>00035</idSoggettoServizio>
      <datiSpecificiServizioRequest>${base64.replace(/(.{76})/g, '$1\n')}</datiSpecificiServizioRequest>
    </nod:paDemandPaymentNoticeRequest>
  </soapenv:Body>
</soapenv:Envelope>`;

describe('paDemandPaymentNoticeRequest', () => {
  it('parses the request as the node sends it (line-wrapped base64), SOAPAction paDemandPaymentNotice', () => {
    const parsed = parseNodeRequest(demandXml(), '"paDemandPaymentNotice"');
    expect(parsed).toEqual({
      kind: 'request',
      operation: 'paDemandPaymentNotice',
      ...IDS,
      idServizio: 'MENSA',
      idSoggettoServizio: '00035',
      datiSpecificiServizio: b64(dati),
    });
  });

  it('an idServizio that is not 5 characters, or data that is not base64, breaks paForNode.xsd (PAA_SINTASSI_EXTRAXSD naming it)', () => {
    const short = parseNodeRequest(demandXml('MENS'), 'paDemandPaymentNotice');
    expect(short).toMatchObject({ kind: 'fault', faultCode: 'PAA_SINTASSI_EXTRAXSD', operation: 'paDemandPaymentNotice', idPA: IDS.idPA });
    expect((short as { description: string }).description).toMatch(/idServizio: must be 5 characters/);
    const notBase64 = parseNodeRequest(demandXml('MENSA', '<<not base64>>'.replace(/[<>]/g, '*')), 'paDemandPaymentNotice');
    expect((notBase64 as { description: string }).description).toMatch(/datiSpecificiServizioRequest: must be base64/);
  });

  it('the node side writes what the station reads', () => {
    const xml = buildNodeRequest('paDemandPaymentNotice', { ...IDS, idServizio: 'CERT1', idSoggettoServizio: '00001', datiSpecificiServizio: buildServiceData({ payer: PAYER, values: { certificato: 'residenza' } }) });
    const parsed = parseNodeRequest(xml, soapActionFor('paDemandPaymentNotice'));
    if (parsed.kind !== 'request' || parsed.operation !== 'paDemandPaymentNotice') throw new Error('not parsed');
    expect(readServiceData(parsed.datiSpecificiServizio)).toEqual({ payer: PAYER, values: { certificato: 'residenza' } });
  });
});

describe('datiSpecificiServizio', () => {
  it('reads the payer (flat or in <pagatore>, type from the code) and the form values as text', () => {
    expect(readServiceData(b64(dati))).toEqual({
      payer: { type: 'F', fiscalCode: 'RCCMNL83S18D969H', fullName: 'Emanuele Rocca' },
      values: { alunno: 'Anna Rossi', pasti: '4' },
    });
    const flat = '<x:dati xmlns:x="urn:any"><x:codiceFiscalePagatore>80001234568</x:codiceFiscalePagatore><x:denominazionePagatore>Ditta</x:denominazionePagatore><x:emailPagatore>a@b.it</x:emailPagatore><x:note> n </x:note></x:dati>';
    expect(readServiceData(b64(flat))).toEqual({ payer: { type: 'G', fiscalCode: '80001234568', fullName: 'Ditta', email: 'a@b.it' }, values: { note: 'n' } });
  });

  it('refuses what is not base64, not XML, a DOCTYPE/entity, no payer, repeated or nested fields — naming the element', () => {
    const problem = (value: string) => (readServiceData(value) as { problem?: string }).problem;
    expect(problem('###')).toMatch(/not base64/);
    expect(problem(b64('<a><b></a>'))).toMatch(/malformed XML/);
    expect(problem(b64('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'))).toMatch(/DOCTYPE and ENTITY declarations are not accepted/);
    expect(problem(b64('<a><alunno>x</alunno></a>'))).toMatch(/a\/codiceFiscalePagatore is required.*a\/denominazionePagatore is required/);
    expect(problem(b64('<a><codiceFiscalePagatore>X</codiceFiscalePagatore><denominazionePagatore>Y</denominazionePagatore><p>1</p><p>2</p></a>'))).toMatch(/a\/p appears more than once/);
    expect(problem(b64('<a><codiceFiscalePagatore>X</codiceFiscalePagatore><denominazionePagatore>Y</denominazionePagatore><p><q>1</q></p></a>'))).toMatch(/a\/p must contain text/);
    expect(problem(b64('<a><codiceFiscalePagatore>X</codiceFiscalePagatore><denominazionePagatore>Y</denominazionePagatore><tipoPagatore>Z</tipoPagatore></a>'))).toMatch(/tipoPagatore must be F or G/);
    expect(problem(b64(`<a>${'<p>1</p>'.repeat(1)}${'x'.repeat(70 * 1024)}</a>`))).toMatch(/larger than 65536 bytes/);
  });
});

describe('paDemandPaymentNoticeResponse', () => {
  const data = {
    qrCode: { fiscalCode: TENANT.fiscalCode, noticeNumber: '312000000000000123' },
    amount: 1800,
    options: 'EQ' as const,
    dueDate: '2026-12-13',
    detailDescription: 'Ricarica mensa scolastica',
    allCCP: false,
    paymentDescription: 'Ricarica mensa scolastica',
    fiscalCodePA: TENANT.fiscalCode,
    companyName: TENANT.name,
  };

  it('elements in the XSD order (ctResponse, then qrCode, paymentList, paymentDescription, fiscalCodePA, companyName, officeName), amounts in euros', () => {
    const xml = buildDemandResponse(data);
    expect(xml).toMatch(
      /<paf:paDemandPaymentNoticeResponse><outcome>OK<\/outcome><qrCode><fiscalCode>80001234568<\/fiscalCode><noticeNumber>312000000000000123<\/noticeNumber><\/qrCode><paymentList><paymentOptionDescription><amount>18\.00<\/amount><options>EQ<\/options><dueDate>2026-12-13<\/dueDate><detailDescription>Ricarica mensa scolastica<\/detailDescription><allCCP>false<\/allCCP><\/paymentOptionDescription><\/paymentList><paymentDescription>Ricarica mensa scolastica<\/paymentDescription><fiscalCodePA>80001234568<\/fiscalCodePA><companyName>Comune di Esempio<\/companyName><\/paf:paDemandPaymentNoticeResponse>/,
    );
    expect(parseStationResponse(xml, { expected: 'paDemandPaymentNotice' })).toEqual({ kind: 'response', operation: 'paDemandPaymentNotice', outcome: 'OK', data });
  });
});

function station() {
  const positions = new InMemoryDebtPositionStore();
  const clock = clockAt('2026-12-03T10:00:00.000Z');
  let id = 0;
  const handler = makeHandler({
    logger,
    organizations: creditors(TENANT),
    positions,
    publisher: new InMemoryPublisher(),
    receiptsQueueUrl: RECEIPTS_QUEUE,
    clock,
    spontaneous: { positions, clock, newId: () => `e-${++id}`, onCreated: () => {} },
  });
  const raw = async (operation: Operation, body: string): Promise<StationResponse> => {
    const answer = await call(handler, httpEvent({ method: 'POST', path: '/pagopa/paForNode', headers: { 'content-type': 'text/xml', soapaction: soapActionFor(operation) }, body }));
    expect(answer.statusCode).toBe(200);
    const response = parseStationResponse(answer.body as string, { expected: operation });
    if (response.kind !== 'response') throw new Error(response.description);
    return response;
  };
  const soap = <O extends Operation>(operation: O, request: NodeRequestData<O>) => raw(operation, buildNodeRequest(operation, request));
  return { positions, clock, raw, soap };
}

const faultOf = (r: StationResponse) => [r.outcome, r.fault?.faultCode, r.fault?.id];

describe('the station answers paDemandPaymentNotice', () => {
  it('OK with a new notice, verify on it answers the same amount; the same demand again gives the same notice', async () => {
    const s = station();
    const first = await s.raw('paDemandPaymentNotice', demandXml());
    expect(first.outcome).toBe('OK');
    if (first.operation !== 'paDemandPaymentNotice' || !first.data) throw new Error('no data');
    expect(first.data).toMatchObject({ amount: 1800, options: 'EQ', dueDate: '2026-12-13', allCCP: false, fiscalCodePA: TENANT.fiscalCode, companyName: TENANT.name });
    const nav = first.data.qrCode.noticeNumber;
    expect(nav).toMatch(/^312\d{15}$/);

    const verify = await s.soap('paVerifyPaymentNotice', { ...IDS, qrCode: first.data.qrCode });
    expect(verify).toMatchObject({ outcome: 'OK', data: { amount: 1800 } });

    const again = await s.raw('paDemandPaymentNotice', demandXml());
    expect(again.operation === 'paDemandPaymentNotice' && again.data?.qrCode.noticeNumber).toBe(nav);
    expect(s.positions.events.filter((e) => e.eventType === 'debt-position.created')).toHaveLength(1);

    // the next Rome day the same demand is a new purchase
    s.clock.set('2026-12-03T23:30:00.000Z');
    const tomorrow = await s.raw('paDemandPaymentNotice', demandXml());
    expect(tomorrow.operation === 'paDemandPaymentNotice' && tomorrow.data?.qrCode.noticeNumber).not.toBe(nav);
  });

  it('faults: unknown service PAA_SEMANTICA, bad datiSpecificiServizio PAA_SINTASSI_XSD, wrong ids as for every primitive; nothing created', async () => {
    const s = station();
    expect(faultOf(await s.raw('paDemandPaymentNotice', demandXml('NOPE1')))).toEqual(['KO', 'PAA_SEMANTICA', IDS.idPA]);
    expect(faultOf(await s.raw('paDemandPaymentNotice', demandXml('MENSA', b64('<a><b></a>'))))).toEqual(['KO', 'PAA_SINTASSI_XSD', IDS.idPA]);
    const badForm = await s.raw('paDemandPaymentNotice', demandXml('MENSA', b64(dati.replace('<pasti>4</pasti>', '<pasti>quattro</pasti><colore>blu</colore>'))));
    expect(faultOf(badForm)).toEqual(['KO', 'PAA_SINTASSI_XSD', IDS.idPA]);
    expect(badForm.fault?.description).toMatch(/colore: .*pasti: deve essere un numero intero/);
    expect(faultOf(await s.raw('paDemandPaymentNotice', demandXml('MENS')))).toEqual(['KO', 'PAA_SINTASSI_EXTRAXSD', IDS.idPA]);
    const wrongBroker = demandXml().replace(`<idBrokerPA>${IDS.idBrokerPA}</idBrokerPA>`, '<idBrokerPA>99999999999</idBrokerPA>');
    expect(faultOf(await s.raw('paDemandPaymentNotice', wrongBroker))).toEqual(['KO', 'PAA_ID_INTERMEDIARIO_ERRATO', IDS.idPA]);
    const wrongStation = demandXml().replace(`<idStation>${IDS.idStation}</idStation>`, '<idStation>80001234568_99</idStation>');
    expect(faultOf(await s.raw('paDemandPaymentNotice', wrongStation))).toEqual(['KO', 'PAA_STAZIONE_INT_ERRATA', IDS.idPA]);
    const otherPa = demandXml().replace(`<idPA>${IDS.idPA}</idPA>`, '<idPA>00743110157</idPA>');
    expect(faultOf(await s.raw('paDemandPaymentNotice', otherPa))).toEqual(['KO', 'PAA_ID_DOMINIO_ERRATO', '00743110157']);
    expect(s.positions.events).toEqual([]);
  });
});
