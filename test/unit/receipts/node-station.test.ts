/**
 * The node station (functions/pagopa-node-station) through its makeHandler: real paForNode XML
 * in (written by the codec's node side) and out (read back the way the node reads it), with
 * in-memory ports and a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import type { DebtPosition } from '../../../shared/domain/debt-position';
import type { Organization } from '../../../shared/domain/organization';
import { buildNodeRequest, parseStationResponse, soapActionFor, type NodeRequestData, type Operation, type StationResponse } from '../../../shared/http/pagopa-soap';
import { option, position } from '../../fixtures/positions';
import { ESEMPIO, InMemoryPositions, InMemoryPublisher, RECEIPTS_QUEUE, call, clockAt, creditors, httpEvent, logger, receiptFor, setHandlerSettings } from './fakes';

setHandlerSettings();
const { makeHandler } = await import('../../../functions/pagopa-node-station/handler');
const { answerNode } = await import('../../../shared/use-cases/receipts/station');

const IDS = { idPA: ESEMPIO.fiscalCode, idBrokerPA: ESEMPIO.brokerId, idStation: ESEMPIO.stationId };

function station(positions: DebtPosition[] = [position({ status: 'VALID' })], organizations: Organization[] = [ESEMPIO]) {
  const store = new InMemoryPositions(...positions);
  const publisher = new InMemoryPublisher();
  const clock = clockAt('2026-12-01T10:00:00.000Z');
  const handler = makeHandler({ logger, organizations: creditors(...organizations), positions: store, publisher, receiptsQueueUrl: RECEIPTS_QUEUE, clock });
  const soap = async <O extends Operation>(operation: O, data: NodeRequestData<O>): Promise<{ status: number; response: StationResponse }> => {
    const answer = await call(
      handler,
      httpEvent({ method: 'POST', path: '/pagopa/paForNode', headers: { 'content-type': 'text/xml', soapaction: soapActionFor(operation) }, body: buildNodeRequest(operation, data) }),
    );
    const response = parseStationResponse(answer.body as string, { expected: operation });
    if (response.kind !== 'response') throw new Error(`the node cannot read the answer: ${response.description}`);
    return { status: answer.statusCode ?? 0, response };
  };
  const qrCode = (nav: string) => ({ fiscalCode: ESEMPIO.fiscalCode, noticeNumber: nav });
  return { soap, store, publisher, clock, qrCode };
}

describe('paForNode station (makeHandler)', () => {
  it('verify: OK with the option, its amount and Rome due date', async () => {
    const s = station();
    const o = s.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    const v = await s.soap('paVerifyPaymentNotice', { ...IDS, qrCode: s.qrCode(o.nav) });
    expect(v.status).toBe(200);
    expect(v.response).toEqual({
      kind: 'response',
      operation: 'paVerifyPaymentNotice',
      outcome: 'OK',
      data: {
        amount: 10000,
        options: 'EQ',
        dueDate: '2027-03-31',
        detailDescription: 'TARI 2026',
        allCCP: false,
        paymentDescription: 'TARI 2026',
        fiscalCodePA: ESEMPIO.fiscalCode,
        companyName: ESEMPIO.name,
      },
    });
  });

  it('faults name the creditor the node asked about (its idPA): an unknown creditor, a wrong broker (HTTP 200, outcome KO)', async () => {
    const s = station();
    const nav = s.store.get('TARI-2026-0001')!.paymentOptions[0]!.nav;
    const unknown = await s.soap('paVerifyPaymentNotice', { ...IDS, idPA: '00743110157', qrCode: { fiscalCode: '00743110157', noticeNumber: nav } });
    expect([unknown.status, unknown.response.outcome]).toEqual([200, 'KO']);
    expect(unknown.response.fault).toMatchObject({ faultCode: 'PAA_ID_DOMINIO_ERRATO', id: '00743110157', description: 'idPA 00743110157 is not a creditor served by this station' });
    const broker = await s.soap('paVerifyPaymentNotice', { ...IDS, idBrokerPA: '99999999999', qrCode: s.qrCode(nav) });
    expect(broker.response.fault).toMatchObject({ faultCode: 'PAA_ID_INTERMEDIARIO_ERRATO', id: ESEMPIO.fiscalCode });
  });

  it('PAA_PAGAMENTO_SCADUTO once the clock passes the last due date of a switchToExpired position', async () => {
    const s = station([position({ status: 'VALID', switchToExpired: true, paymentOptions: [option({ dueDate: '2026-12-01T10:00:02.500Z' })] })]);
    const nav = s.store.get('TARI-2026-0001')!.paymentOptions[0]!.nav;
    expect((await s.soap('paVerifyPaymentNotice', { ...IDS, qrCode: s.qrCode(nav) })).response.outcome).toBe('OK');
    s.clock.set('2026-12-01T10:00:03.000Z');
    expect((await s.soap('paVerifyPaymentNotice', { ...IDS, qrCode: s.qrCode(nav) })).response.fault?.faultCode).toBe('PAA_PAGAMENTO_SCADUTO');
  });

  it('get payment: the transfers to the postal IBAN when the PSP asks POSTAL; V1 refuses a stamp (PAA_SEMANTICA)', async () => {
    const postalIban = 'IT60X0542811101000000123456';
    const base = option();
    const stamped = option(
      {
        transfers: [{ ...base.transfers[0]!, iban: undefined, stamp: { hashDocument: 'aGFzaA==', stampType: '01', provincialResidence: 'RM' } }],
      },
      2n,
    );
    const s = station([
      position({ status: 'VALID', paymentOptions: [option({ transfers: [{ ...base.transfers[0]!, postalIban }] })] }),
      position({ iupd: 'BOLLO', status: 'VALID', paymentOptions: [stamped] }),
    ]);
    const nav = s.store.get('TARI-2026-0001')!.paymentOptions[0]!.nav;
    const got = await s.soap('paGetPaymentV2', { ...IDS, qrCode: s.qrCode(nav), transferType: 'POSTAL' });
    if (got.response.operation !== 'paGetPaymentV2' || !got.response.data) throw new Error('no payment data');
    expect(got.response.data.transferList.map((t) => [t.IBAN, t.companyName])).toEqual([[postalIban, ESEMPIO.name]]);
    const v1 = await s.soap('paGetPayment', { ...IDS, qrCode: s.qrCode(stamped.nav) });
    expect(v1.response.fault?.faultCode).toBe('PAA_SEMANTICA');
    const v2 = await s.soap('paGetPaymentV2', { ...IDS, qrCode: s.qrCode(stamped.nav) });
    if (v2.response.operation !== 'paGetPaymentV2' || !v2.response.data) throw new Error('no payment data');
    expect(v2.response.data.transferList[0]!.richiestaMarcaDaBollo).toEqual({ hashDocumento: 'aGFzaA==', tipoBollo: '01', provinciaResidenza: 'RM' });
  });

  it('send receipt: queued (OK); a different receipt for a paid option is PAA_RECEIPT_DUPLICATA, and queued all the same (kept as an anomaly)', async () => {
    const s = station();
    const o = s.store.get('TARI-2026-0001')!.paymentOptions[0]!;
    const receipt = receiptFor(o, { receiptId: 'r-node' });
    expect((await s.soap('paSendRTV2', { ...IDS, receipt })).response.outcome).toBe('OK');
    expect(s.publisher.receipts()).toEqual([receipt]);
    s.store.put(position({ status: 'PAID', paymentOptions: [{ ...o, status: 'PO_PAID', payment: { receiptId: 'r-node', paymentDate: '2026-12-01T10:00:00.000Z' } }] }));
    const other = await s.soap('paSendRTV2', { ...IDS, receipt: { ...receipt, receiptId: 'r-other' } });
    expect(other.response.fault).toMatchObject({ faultCode: 'PAA_RECEIPT_DUPLICATA', id: ESEMPIO.fiscalCode });
    expect(s.publisher.receipts().map((r) => r.receiptId)).toEqual(['r-node', 'r-other']);
    // the re-delivery of the applied receipt is answered OK and not queued again
    expect((await s.soap('paSendRTV2', { ...IDS, receipt })).response.outcome).toBe('OK');
    expect(s.publisher.sent).toHaveLength(2);
  });

  it('an internal failure is PAA_SYSTEM_ERROR with the request id (the node retries)', async () => {
    const s = station();
    s.store.failWith = new Error('DynamoDB is down');
    const nav = s.store.get('TARI-2026-0001')!.paymentOptions[0]!.nav;
    const v = await s.soap('paVerifyPaymentNotice', { ...IDS, qrCode: s.qrCode(nav) });
    expect(v.status).toBe(200);
    expect(v.response.fault).toMatchObject({ faultCode: 'PAA_SYSTEM_ERROR', description: 'internal error; request id request-1' });
  });

  it('the station takes in nothing the queue contract refuses, whatever reached it (INVALID_RECEIPT → PAA_SINTASSI_EXTRAXSD), and queues nothing', async () => {
    const store = new InMemoryPositions(position({ status: 'VALID' }));
    const publisher = new InMemoryPublisher();
    const deps = { organizations: creditors(ESEMPIO), positions: store, publisher, receiptsQueueUrl: RECEIPTS_QUEUE, clock: clockAt('2026-12-01T10:00:00.000Z') };
    const caller = { creditorFiscalCode: ESEMPIO.fiscalCode, brokerId: ESEMPIO.brokerId, stationId: ESEMPIO.stationId };
    const receipt = receiptFor(store.get('TARI-2026-0001')!.paymentOptions[0]!, { receiptId: 'r'.repeat(1000) });
    const answer = await answerNode(deps, { kind: 'take-receipt', caller, receipt });
    expect(answer).toMatchObject({ kind: 'refused', reason: 'INVALID_RECEIPT' });
    expect(answer.kind === 'refused' ? answer.detail : '').toContain('receiptId: must be at most 256 bytes (UTF-8)');
    expect(publisher.sent).toEqual([]);
  });
});
