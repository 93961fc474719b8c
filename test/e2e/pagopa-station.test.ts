/**
 * The creditor station over HTTP with real paForNode XML on the local stack: every fault, the
 * answers' content, receipts through queue and processor, idempotency under duplicate and
 * concurrent deliveries, and the whole payment as the node makes it (payNotice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../infra/local/cloud';
import { startLocalLayer, temporaryOutbox } from '../../infra/local/layer';
import { payNotice, receiptFor } from '../../scripts/pay';
import { buildNodeRequest } from '../../shared/http/pagopa-soap';
import {
  ESEMPIO_FC,
  ESEMPIO_IBAN,
  ESEMPIO_IDS,
  ESEMPIO_POSTAL_IBAN,
  api,
  createPosition,
  faultOf,
  installmentsRequest,
  soapCall,
  soapRaw,
} from '../fixtures/station';

let cloud: LocalCloud;
let base: string;
const quiet = () => {};

beforeAll(async () => {
  // the layer as npm start runs it: simulators mounted, so no consumer waits on the real IO
  cloud = (await startLocalLayer({ port: 0, log: quiet, outboxDir: temporaryOutbox() })).cloud;
  base = cloud.url;
});

afterAll(async () => {
  await cloud?.stop();
});

const qr = (noticeNumber: string) => ({ fiscalCode: ESEMPIO_FC, noticeNumber });
const verify = (nav: string, ids = ESEMPIO_IDS) => soapCall(base, 'paVerifyPaymentNotice', { ...ids, qrCode: qr(nav) });
const pay = (nav: string, extra: Partial<Parameters<typeof payNotice>[0]> = {}) =>
  payNotice({ noticeNumber: nav, url: base, log: quiet, ...extra });
const positionOf = async (iupd: string) => (await api(base, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`)).json;

describe('paVerifyPaymentNotice / paGetPayment(V2)', () => {
  it('verify answers the one option with its current amount; allCCP only when every transfer is postal', async () => {
    const bank = await createPosition(base);
    const v = await verify(bank.options[0]!.nav);
    expect(v.status).toBe(200);
    expect(v.response).toMatchObject({ outcome: 'OK', data: { amount: 12050, options: 'EQ', allCCP: false, fiscalCodePA: ESEMPIO_FC, dueDate: '2099-03-31' } });

    const postal = await createPosition(base, {
      paymentOption: [
        {
          amount: 5000,
          description: 'Multa',
          isPartialPayment: false,
          dueDate: '2099-05-31',
          transfer: [
            { idTransfer: '1', amount: 3000, remittanceInformation: 'Multa', category: '9/0101108TS/', postalIban: ESEMPIO_POSTAL_IBAN },
            { idTransfer: '2', amount: 2000, remittanceInformation: 'Spese', category: '9/0101108TS/', postalIban: ESEMPIO_POSTAL_IBAN },
          ],
        },
      ],
    });
    const vp = await verify(postal.options[0]!.nav);
    expect(vp.response).toMatchObject({ outcome: 'OK', data: { amount: 5000, allCCP: true } });
  });

  it('get payment: IUV as creditorReferenceId, debtor, transfers to IBAN or postal IBAN', async () => {
    const mixed = await createPosition(base, {
      paymentOption: [
        {
          amount: 5000,
          description: 'Canone',
          isPartialPayment: false,
          dueDate: '2099-05-31',
          transfer: [
            { idTransfer: '1', amount: 3000, remittanceInformation: 'Canone', category: '9/0101108TS/', iban: ESEMPIO_IBAN },
            { idTransfer: '2', amount: 2000, remittanceInformation: 'Canone', category: '9/0101108TS/', postalIban: ESEMPIO_POSTAL_IBAN },
          ],
        },
      ],
    });
    const o = mixed.options[0]!;
    for (const operation of ['paGetPayment', 'paGetPaymentV2'] as const) {
      const g = await soapCall(base, operation, { ...ESEMPIO_IDS, qrCode: qr(o.nav), transferType: 'POSTAL' });
      expect(g.response.outcome).toBe('OK');
      if (g.response.operation !== operation || !('data' in g.response) || !g.response.data || !('creditorReferenceId' in g.response.data)) {
        throw new Error('no payment data');
      }
      const data = g.response.data;
      expect(data.creditorReferenceId).toBe(o.iuv);
      expect(data.paymentAmount).toBe(5000);
      expect(data.debtor).toMatchObject({ entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'Mario Rossi' });
      expect(data.transferList.map((t) => [t.idTransfer, t.transferAmount, t.IBAN])).toEqual([
        [1, 3000, ESEMPIO_IBAN],
        [2, 2000, ESEMPIO_POSTAL_IBAN],
      ]);
      expect(data.transferList.map((t) => t.companyName)).toEqual(operation === 'paGetPaymentV2' ? ['Comune di Esempio', 'Comune di Esempio'] : [undefined, undefined]);
    }
  });
});

describe('faults (HTTP 200, outcome KO)', () => {
  it('PAA_PAGAMENTO_SCONOSCIUTO for an unknown notice and for a DRAFT position', async () => {
    const unknown = await verify('312999999999999900');
    expect([unknown.status, unknown.response.outcome, faultOf(unknown)]).toEqual([200, 'KO', 'PAA_PAGAMENTO_SCONOSCIUTO']);
    const draft = await createPosition(base, {}, false);
    expect(faultOf(await verify(draft.options[0]!.nav))).toBe('PAA_PAGAMENTO_SCONOSCIUTO');
    const get = await soapCall(base, 'paGetPaymentV2', { ...ESEMPIO_IDS, qrCode: qr(draft.options[0]!.nav) });
    expect(faultOf(get)).toBe('PAA_PAGAMENTO_SCONOSCIUTO');
  });

  it('PAA_PAGAMENTO_ANNULLATO for an INVALID position', async () => {
    const p = await createPosition(base);
    expect((await api(base, 'POST', `/organizations/${ESEMPIO_FC}/debtpositions/${p.iupd}/invalidate`)).status).toBe(200);
    expect(faultOf(await verify(p.options[0]!.nav))).toBe('PAA_PAGAMENTO_ANNULLATO');
  });

  // "OK before the due date, SCADUTO after it" is checked with a clock the test moves in
  // test/unit/receipts/node-station.test.ts. Here the clock is the machine's: asking for "OK" right
  // after creating a position due in 2.5 s fails whenever the machine is busy, so the test only waits
  // for the due date to pass and then asks (however long creating the position took).
  it('PAA_PAGAMENTO_SCADUTO for a position past its last due date with switchToExpired', async () => {
    const due = new Date(Date.now() + 2500);
    const p = await createPosition(base, {
      switchToExpired: true,
      paymentOption: [
        { amount: 1000, description: 'Breve', isPartialPayment: false, dueDate: due.toISOString(), transfer: [{ idTransfer: '1', amount: 1000, remittanceInformation: 'Breve', category: '9/0101108TS/', iban: ESEMPIO_IBAN }] },
      ],
    });
    await new Promise((r) => setTimeout(r, Math.max(0, due.getTime() - Date.now()) + 500));
    expect(faultOf(await verify(p.options[0]!.nav))).toBe('PAA_PAGAMENTO_SCADUTO');
  });

  it('wrong caller identity: unknown idPA, wrong broker, wrong station', async () => {
    const p = await createPosition(base);
    const nav = p.options[0]!.nav;
    const dominio = await soapCall(base, 'paVerifyPaymentNotice', { ...ESEMPIO_IDS, idPA: '00743110157', qrCode: { fiscalCode: '00743110157', noticeNumber: nav } });
    expect(faultOf(dominio)).toBe('PAA_ID_DOMINIO_ERRATO');
    expect(faultOf(await verify(nav, { ...ESEMPIO_IDS, idBrokerPA: '99999999999' }))).toBe('PAA_ID_INTERMEDIARIO_ERRATO');
    expect(faultOf(await verify(nav, { ...ESEMPIO_IDS, idStation: '80001234568_99' }))).toBe('PAA_STAZIONE_INT_ERRATA');
    // another tenant's broker/station ids do not open this tenant's notices
    expect(faultOf(await verify(nav, { ...ESEMPIO_IDS, idBrokerPA: '80007654322', idStation: '80007654322_01' }))).toBe('PAA_ID_INTERMEDIARIO_ERRATO');
  });

  it('PAA_SINTASSI_EXTRAXSD for a malformed request; a request naming no operation is a SOAP Fault with 400, never 5xx', async () => {
    const good = buildNodeRequest('paVerifyPaymentNotice', { ...ESEMPIO_IDS, qrCode: qr('312000000000000100') });
    const broken = good.replace('<noticeNumber>312000000000000100</noticeNumber>', '<noticeNumber>12AB</noticeNumber>');
    const r = await soapRaw(base, 'paVerifyPaymentNotice', broken);
    expect([r.status, r.response.outcome, faultOf(r)]).toEqual([200, 'KO', 'PAA_SINTASSI_EXTRAXSD']);
    expect(r.response.fault?.description).toMatch(/noticeNumber/);

    const garbage = await fetch(`${base}/pagopa/paForNode`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<not-soap' });
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toMatch(/<faultcode>soapenv:Client<\/faultcode>/);
  });
});

describe('receipts through the queue and the processor', () => {
  it('end to end: verify → get payment → paSendRTV2 → drain → PAID, receipt listed, paying again refused', async () => {
    const p = await createPosition(base);
    const nav = p.options[0]!.nav;
    const result = await pay(nav);
    expect(result.exchanges.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['paVerifyPaymentNotice:OK', 'paGetPaymentV2:OK', 'paSendRTV2:OK']);
    await cloud.drain();

    const position = await positionOf(p.iupd);
    expect(position.status).toBe('PAID');
    expect(position.paymentOption[0]).toMatchObject({ status: 'PO_PAID', idReceipt: result.receipt!.receiptId, pspCompany: 'Intesa Sanpaolo S.p.A.' });
    // the paid position is where the positions API lists PAID positions (same GSI keys)
    const listed = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions?page=0&status=PAID&limit=50`);
    expect(listed.json.payment_position_list.map((x: { iupd: string }) => x.iupd)).toContain(p.iupd);

    const ofNotice = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/${p.options[0]!.iuv}`);
    expect(ofNotice.status).toBe(200);
    expect(ofNotice.json).toMatchObject({ iuv: p.options[0]!.iuv, paidBy: result.receipt!.receiptId });
    expect(ofNotice.json.receipts).toHaveLength(1);

    const again = await pay(nav);
    expect(again.faultCode).toBe('PAA_PAGAMENTO_DUPLICATO');
    expect(again.exchanges).toHaveLength(1);
  });

  it('an identical re-delivery answers OK and changes nothing; a different receipt is PAA_RECEIPT_DUPLICATA and kept once as ALREADY_PAID', async () => {
    const p = await createPosition(base);
    const nav = p.options[0]!.nav;
    const first = await pay(nav, { twice: true });
    expect(first.exchanges.filter((e) => e.operation === 'paSendRTV2').map((e) => e.outcome)).toEqual(['OK', 'OK']);
    await cloud.drain();
    const paid = await positionOf(p.iupd);
    expect(paid.status).toBe('PAID');

    const redelivered = await pay(nav, { receipt: first.receipt! });
    expect(redelivered.outcome).toBe('OK');
    await cloud.drain();
    expect((await positionOf(p.iupd)).version).toBe(paid.version);

    // money paid twice: refused to the sender, kept for the refund, once however often the node re-sends it
    const otherReceipt = { ...first.receipt!, receiptId: `another-receipt-${p.iupd}` };
    const other = await pay(nav, { receipt: otherReceipt });
    expect(other.faultCode).toBe('PAA_RECEIPT_DUPLICATA');
    expect((await pay(nav, { receipt: otherReceipt })).faultCode).toBe('PAA_RECEIPT_DUPLICATA');
    await cloud.drain();
    const receipts = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/${p.options[0]!.iuv}`);
    expect(receipts.json.receipts.map((r: { receiptId: string }) => r.receiptId)).toEqual([first.receipt!.receiptId]);
    const anomalies = (await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/anomalies?limit=100`)).json.anomalies as Array<{ receiptId: string }>;
    expect(anomalies.filter((a) => a.receiptId === otherReceipt.receiptId)).toMatchObject([
      { kind: 'ALREADY_PAID', iupd: p.iupd, detail: `the option was paid by receipt ${first.receipt!.receiptId}` },
    ]);
    expect((await positionOf(p.iupd)).version).toBe(paid.version);
  });

  it('refuses at intake a receipt storage cannot hold or text the layer refuses (PAA_SINTASSI_EXTRAXSD), and nothing changes', async () => {
    const p = await createPosition(base);
    const nav = p.options[0]!.nav;
    const prepared = await pay(nav, { ko: true, receiptId: `probe-${p.iupd}` });
    await cloud.drain();
    const base_ = { ...prepared.receipt!, outcome: 'OK' as const };
    for (const receipt of [
      { ...base_, receiptId: 'r'.repeat(1000) },
      { ...base_, receiptId: '€'.repeat(400) },
      { ...base_, receiptId: `bidi-${p.iupd}`, description: 'TARI \u202E00.021' },
    ]) {
      const answer = await soapCall(base, 'paSendRTV2', { ...ESEMPIO_IDS, receipt });
      expect([answer.status, faultOf(answer)]).toEqual([200, 'PAA_SINTASSI_EXTRAXSD']);
      expect(answer.response.fault?.description).toMatch(/receipt\/(receiptId|description): must/);
    }
    await cloud.drain();
    expect(await positionOf(p.iupd)).toMatchObject({ status: 'VALID', version: 1 });
    const anomalies = (await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/anomalies?limit=100`)).json.anomalies as Array<{ nav: string }>;
    expect(anomalies.filter((a) => a.nav === nav)).toEqual([]);
  });

  it('concurrent deliveries: the same receipt 6× and two different receipts at once → one payment, one anomaly', async () => {
    const p = await createPosition(base);
    const nav = p.options[0]!.nav;
    const prepared = await pay(nav, { twice: false });
    await cloud.drain(); // prepared paid it already: use a fresh position for the race
    const q = await createPosition(base);
    const qnav = q.options[0]!.nav;
    const receipt = { ...prepared.receipt!, noticeNumber: qnav, creditorReferenceId: q.options[0]!.iuv, receiptId: 'race-same-0001' };
    const same = await Promise.all(Array.from({ length: 6 }, () => pay(qnav, { receipt })));
    expect(same.every((r) => r.outcome === 'OK')).toBe(true);
    await cloud.drain();
    const afterSame = await positionOf(q.iupd);
    expect(afterSame).toMatchObject({ status: 'PAID', version: 2 });

    const r = await createPosition(base);
    const rnav = r.options[0]!.nav;
    const a = { ...receipt, noticeNumber: rnav, creditorReferenceId: r.options[0]!.iuv, receiptId: 'race-a-0001' };
    const b = { ...a, receiptId: 'race-b-0001' };
    const both = await Promise.all([pay(rnav, { receipt: a }), pay(rnav, { receipt: b })]);
    expect(both.map((x) => x.outcome)).toEqual(['OK', 'OK']); // both unpaid at intake: both queued
    await cloud.drain();
    const after = await positionOf(r.iupd);
    expect(after).toMatchObject({ status: 'PAID', version: 2 });
    const winner = after.paymentOption[0].idReceipt as string;
    const loser = winner === a.receiptId ? b.receiptId : a.receiptId;
    const anomalies = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/anomalies?limit=100`);
    expect(anomalies.json.anomalies.filter((x: { receiptId: string }) => x.receiptId === loser)).toMatchObject([{ kind: 'ALREADY_PAID', iupd: r.iupd }]);
  });

  it('installments paid at the same time: version conflicts retried, all paid, position PAID; single payment then refused', async () => {
    const p = await createPosition(base, installmentsRequest([4000, 3000, 2000], 9000));
    const rates = p.options.filter((o) => o.isPartialPayment);
    const single = p.options.find((o) => !o.isPartialPayment)!;
    // receipts sent side by side (the processor gets them in one batch and runs them concurrently)
    const template = (await pay(rates[0]!.nav, { delayMs: 0 })).receipt!;
    await cloud.drain();
    expect((await positionOf(p.iupd)).status).toBe('PARTIALLY_PAID');
    expect(faultOf(await verify(single.nav))).toBe('PAA_PAGAMENTO_DUPLICATO');

    const rest = rates.slice(1).map((o, i) => ({
      ...template,
      receiptId: `inst-${i}-${o.nav}`,
      noticeNumber: o.nav,
      creditorReferenceId: o.iuv,
      paymentAmount: o.amount,
      transferList: [{ ...template.transferList[0]!, transferAmount: o.amount }],
    }));
    await cloud.stopWorkers();
    const sent = await Promise.all(rest.map((receipt) => pay(receipt.noticeNumber, { receipt })));
    expect(sent.map((s) => s.outcome)).toEqual(['OK', 'OK']);
    cloud.startWorkers();
    await cloud.drain();
    const after = await positionOf(p.iupd);
    expect(after.status).toBe('PAID');
    expect(after.paymentOption.filter((o: { isPartialPayment: boolean }) => o.isPartialPayment).map((o: { status: string }) => o.status)).toEqual([
      'PO_PAID',
      'PO_PAID',
      'PO_PAID',
    ]);
    expect(after.version).toBe(4);
  });

  it('keeps what cannot be applied as anomalies: wrong amount, unknown notice; a KO receipt pays nothing', async () => {
    const p = await createPosition(base);
    const nav = p.options[0]!.nav;
    const wrong = await pay(nav, { amount: 12000 });
    expect(wrong.outcome).toBe('OK'); // the node is answered OK: the money has moved
    const ko = await createPosition(base);
    const koResult = await pay(ko.options[0]!.nav, { ko: true });
    expect(koResult.outcome).toBe('OK');
    const ghost = receiptFor({ fiscalCode: ESEMPIO_FC, name: 'Comune di Esempio' }, { noticeNumber: '312999999999999977' }, wrong.payment!);
    expect((await pay('312999999999999977', { receipt: { ...ghost, creditorReferenceId: '12999999999999977' } })).outcome).toBe('OK');
    await cloud.drain();

    expect((await positionOf(p.iupd)).status).toBe('VALID');
    expect((await positionOf(ko.iupd)).status).toBe('VALID');
    const koReceipts = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/${ko.options[0]!.iuv}`);
    expect(koReceipts.json.receipts).toMatchObject([{ state: 'KO' }]);
    const anomalies = (await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/anomalies?limit=100`)).json.anomalies as Array<{ receiptId: string; kind: string }>;
    expect(anomalies.find((a) => a.receiptId === wrong.receipt!.receiptId)?.kind).toBe('AMOUNT_MISMATCH');
    expect(anomalies.find((a) => a.receiptId === ghost.receiptId)?.kind).toBe('UNKNOWN_NOTICE');
  });

  it('lists receipts by time window with an opaque cursor, only for the tenant', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) {
      const p = await createPosition(base);
      expect((await pay(p.options[0]!.nav)).outcome).toBe('OK');
    }
    await cloud.drain();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts?from=${encodeURIComponent(from)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.json.receipts.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.receipts.map((r: { receiptId: string }) => r.receiptId));
      cursor = page.json.cursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);

    const future = await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts?from=2099-01-01T00:00:00Z`);
    expect(future.json.receipts).toEqual([]);
    const forged = Buffer.from(JSON.stringify(['x', 'y', 'ORG#80007654322#RECEIPTS', 'z'])).toString('base64url');
    expect((await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts?cursor=${forged}`)).status).toBe(400);
    expect((await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts?limit=101`)).status).toBe(400);
    expect((await api(base, 'GET', `/organizations/80007654322/receipts`)).status).toBe(403);
    expect((await api(base, 'GET', `/organizations/${ESEMPIO_FC}/receipts/12999999999999900`)).status).toBe(404);
  });
});
