/**
 * paDemandPaymentNotice on the local stack, over HTTP with real paForNode XML: a PSP asks for a
 * notice of the seed's canteen service (MENSA, organizations[0] of infra/local/seed.json), verifies
 * it, asks again (same notice), and the faults that change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../infra/local/cloud';
import { startLocalLayer, temporaryOutbox } from '../../infra/local/layer';
import { buildServiceData } from '../../shared/http/pagopa-soap';
import { ESEMPIO_FC, ESEMPIO_IDS, api, faultOf, soapCall } from '../fixtures/station';

let cloud: LocalCloud;
let base: string;

beforeAll(async () => {
  cloud = (await startLocalLayer({ port: 0, log: () => {}, outboxDir: temporaryOutbox() })).cloud;
  base = cloud.url;
});

afterAll(async () => {
  await cloud?.stop();
});

const payer = { type: 'F' as const, fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' };
const demand = (values: Record<string, string | number>, idServizio = 'MENSA', datiSpecificiServizio = buildServiceData({ payer, values })) =>
  soapCall(base, 'paDemandPaymentNotice', { ...ESEMPIO_IDS, idServizio, idSoggettoServizio: '00035', datiSpecificiServizio });
const spontaneousPositions = async (): Promise<string[]> => {
  const listed = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions?page=0&limit=50`);
  expect(listed.status).toBe(200);
  return listed.json.payment_position_list.map((p: { iupd: string }) => p.iupd).filter((iupd: string) => iupd.startsWith('SPONT-'));
};

describe('paDemandPaymentNotice (spontaneous payment at a PSP)', () => {
  it('OK with a notice number; verify on it answers the same amount; the same demand again gives the same notice', async () => {
    const values = { alunno: 'Giulia Rossi', scuola: 'Primaria Gianni Rodari', pasti: 8 };
    const first = await demand(values);
    expect([first.status, first.response.outcome]).toEqual([200, 'OK']);
    if (first.response.operation !== 'paDemandPaymentNotice' || !first.response.data) throw new Error('no notice');
    const { qrCode, amount } = first.response.data;
    expect(qrCode.fiscalCode).toBe(ESEMPIO_FC);
    expect(qrCode.noticeNumber).toMatch(/^312\d{15}$/);
    expect(amount).toBe(3600);

    const verify = await soapCall(base, 'paVerifyPaymentNotice', { ...ESEMPIO_IDS, qrCode });
    expect(verify.response).toMatchObject({ outcome: 'OK', data: { amount: 3600, fiscalCodePA: ESEMPIO_FC } });

    const again = await demand(values);
    expect(again.response.operation === 'paDemandPaymentNotice' && again.response.data?.qrCode).toEqual(qrCode);

    // the position is a normal one: the back office reads it through the REST API
    const positions = await spontaneousPositions();
    expect(positions.filter((iupd) => iupd.startsWith('SPONT-MENSA-'))).toHaveLength(1);
    const position = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions/${positions[0]}`);
    expect(position.json).toMatchObject({ status: 'VALID', paymentOption: [{ nav: qrCode.noticeNumber, amount: 3600 }] });
  });

  it('an unknown idServizio is PAA_SEMANTICA, malformed datiSpecificiServizio PAA_SINTASSI_XSD; nothing is created', async () => {
    const before = await spontaneousPositions();
    const unknown = await demand({ pasti: 1 }, 'XXXXX');
    expect([unknown.status, unknown.response.outcome, faultOf(unknown), unknown.response.fault?.id]).toEqual([200, 'KO', 'PAA_SEMANTICA', ESEMPIO_FC]);
    const malformed = await demand({}, 'MENSA', Buffer.from('<dati><codiceFiscalePagatore>', 'utf8').toString('base64'));
    expect([malformed.status, malformed.response.outcome, faultOf(malformed)]).toEqual([200, 'KO', 'PAA_SINTASSI_XSD']);
    const badForm = await demand({ alunno: 'Giulia Rossi', scuola: 'Altra scuola', pasti: 0 });
    expect(faultOf(badForm)).toBe('PAA_SINTASSI_XSD');
    expect(badForm.response.fault?.description).toMatch(/scuola: .*pasti: deve essere almeno 1/);
    expect(await spontaneousPositions()).toEqual(before);
  });
});
