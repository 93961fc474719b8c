/**
 * Treasury statements through the real HTTP route of the local stack, the file itself as the body:
 * text/csv (the CSV layout), application/xml (camt.053, and the SIOPE+ OPI giornale di cassa, told
 * apart by the root element), next to the JSON {format, content}. The flows they credit are
 * published by the FdR simulator and acquired by the layer first. A refused statement (415, 400)
 * writes nothing; the API key is checked before the body is read.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFlow } from '../../infra/local/simulators/fdr/simulator';
import { ALTROVE_FC, ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';

let stack: LocalStack;
const ORG = `/organizations/${ESEMPIO_FC}`;
const STATEMENTS = `${ORG}/treasury/statements`;
const today = () => new Date().toISOString().slice(0, 10);
const EXAMPLE = readFileSync(new URL('../../events/examples/opi-giornale-di-cassa.xml', import.meta.url), 'utf8');
/** cents → the Italian decimal a bank writes ("1.234,56") */
const italian = (cents: number) => `${Math.floor(cents / 100).toLocaleString('it-IT')},${String(cents % 100).padStart(2, '0')}`;
const euros = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

const flows: Record<string, SimFlow> = {};

const post = (contentType: string, body: string, key?: string | null) => stack.api('POST', STATEMENTS, { body, headers: { 'Content-Type': contentType }, ...(key === undefined ? {} : { key }) });
const movements = async () => (await stack.api('GET', `${ORG}/treasury/movements?limit=100`)).json.movements as Array<{ movementId: string; state: string }>;

beforeAll(async () => {
  stack = await startLocalStack();
  // three flows of three PSPs, published by FdR and acquired by the layer
  const now = new Date().toISOString();
  const receipts = [
    { psp: 'BCITITMM', amount: 17050 },
    { psp: 'UNCRITMM', amount: 123456 },
    { psp: 'BPPIITRR', amount: 4999 },
  ];
  stack.layer.fdr.sim.addReceipts(
    receipts.map((r, i) => ({
      organizationFiscalCode: ESEMPIO_FC,
      iuv: `0${String(i + 1).padStart(16, '7')}`,
      receiptId: `tsr-${r.psp}-${i}`,
      pspId: r.psp,
      paymentDateTime: now,
      transfers: [{ idTransfer: 1, amount: r.amount, fiscalCodePA: ESEMPIO_FC }],
    })),
  );
  const published = await stack.layer.fdr.sim.close(today(), { organizationId: ESEMPIO_FC });
  for (const f of published) flows[f.pspId] = f;
  expect(Object.keys(flows).sort()).toEqual(['BCITITMM', 'BPPIITRR', 'UNCRITMM']);
  expect((await stack.api('POST', `${ORG}/reportingflows/sync`)).status).toBe(202);
  await stack.cloud.drain({ timeoutMs: 60_000 });
  const list = await stack.api('GET', `${ORG}/reportingflows?from=${today()}&to=${today()}`);
  expect(list.json.reportingFlows.map((f: any) => f.flowId).sort()).toEqual(Object.values(flows).map((f) => f.fdr).sort());
}, 120_000);

afterAll(async () => {
  await stack?.layer.stop();
});

describe('the statement file as the body', () => {
  it('text/csv: the CSV layout, Italian amounts, debits ignored, the bank breaking the flow id', async () => {
    const flow = flows['BCITITMM']!;
    const broken = `${flow.fdr.slice(0, 8)} ${flow.fdr.slice(8)}`;
    const csv = [
      'bookingDate;valueDate;amount;currency;creditDebit;remittanceInformation;bankReference',
      `${today().split('-').reverse().join('/')};;${italian(flow.sumPayments)};EUR;C;"ACCREDITO /PUR/LGPE-RIVERSAMENTO/TXT/2/URI/ ${broken}";TSR-CSV-1`,
      `${today()};;12,00;EUR;D;COMMISSIONI;TSR-CSV-2`,
    ].join('\r\n');
    const r = await post('text/csv; charset=utf-8', csv);
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ imported: 1, duplicates: 0, movements: [{ movementId: 'TSR-CSV-1', source: 'CSV', state: 'CREDITED', flowId: flow.fdr, amount: flow.sumPayments }] });
    const again = await post('text/csv', csv);
    expect(again.json).toMatchObject({ imported: 0, duplicates: 1 });
    expect((await stack.api('GET', `${ORG}/reportingflows/${flow.fdr}`)).json.treasury).toMatchObject({ movementId: 'TSR-CSV-1', status: 'CREDITED' });
  });

  it('application/xml: a camt.053 statement, sniffed by its root', async () => {
    const flow = flows['UNCRITMM']!;
    const camt = stack.layer.fdr.sim.statement(ESEMPIO_FC, 'camt053', { flows: [flow.fdr] });
    const r = await post('application/xml', camt);
    expect(r.status, r.text).toBe(201);
    expect(r.json.movements).toEqual([expect.objectContaining({ source: 'CAMT053', state: 'CREDITED', flowId: flow.fdr, amount: 123456 })]);
  });

  it('application/xml: the OPI giornale di cassa, its SOSPESO ENTRATA credits only; a credit off by a cent differs', async () => {
    const flow = flows['BPPIITRR']!;
    // the committed example, its first credit naming this flow, one cent short
    const xml = EXAMPLE.replace('/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001', `/PUR/LGPE-RIVERSAMENTO/URI/${flow.fdr}`).replace('<importo>170.50</importo>', `<importo>${euros(flow.sumPayments - 1)}</importo>`);
    const r = await post('text/xml; charset=UTF-8', xml);
    expect(r.status, r.text).toBe(201);
    expect(r.json.imported).toBe(3);
    expect(r.json.movements.map((m: any) => [m.movementId, m.source, m.state, m.flowId, m.amount])).toEqual([
      ['GDC-2026-4711', 'OPI', 'AMOUNT_DIFFERS', flow.fdr, flow.sumPayments - 1],
      ['GDC-2026-4712', 'OPI', 'OPEN', '2026-12-01UNCRITMM-0002', 123456],
      ['GDC-2026-4713', 'OPI', 'OPEN', undefined, 45000],
    ]);
    const anomalies = (await stack.api('GET', `${ORG}/reconciliation/anomalies?kind=TREASURY_AMOUNT_MISMATCH`)).json.anomalies as any[];
    expect(anomalies.some((a) => a.movementId === 'GDC-2026-4711' && a.flowId === flow.fdr)).toBe(true);
    // the same journal again: every movement a duplicate; as JSON {format: OPI} too
    expect((await post('application/xml', xml)).json).toMatchObject({ imported: 0, duplicates: 3 });
    const asJson = await stack.api('POST', STATEMENTS, { body: { format: 'OPI', content: xml } });
    expect(asJson.status, asJson.text).toBe(201);
    expect(asJson.json).toMatchObject({ imported: 0, duplicates: 3 });
  });
});

describe('a credit taken back (OPI STORNATO)', () => {
  it('the reversed movement credits its flow no more, its anomaly is settled, and neither the reversal nor the credit counts twice', async () => {
    const flow = flows['BPPIITRR']!;
    // the journal of the test above, now with bolletta 4711 STORNATO by the treasurer
    const credited = EXAMPLE.replace('/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001', `/PUR/LGPE-RIVERSAMENTO/URI/${flow.fdr}`).replace('<importo>170.50</importo>', `<importo>${euros(flow.sumPayments - 1)}</importo>`);
    const reversal = credited.replace('<tipo_operazione>ESEGUITO</tipo_operazione>', '<tipo_operazione>STORNATO</tipo_operazione>');
    expect((await stack.api('GET', `${ORG}/reportingflows/${flow.fdr}`)).json.treasury).toMatchObject({ movementId: 'GDC-2026-4711' });
    const r = await post('application/xml', reversal);
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ imported: 0, reversed: 1, duplicates: 2 });
    expect(r.json.movements).toEqual([expect.objectContaining({ movementId: 'GDC-2026-4711', state: 'REVERSED', flowId: flow.fdr, detail: expect.stringContaining('was AMOUNT_DIFFERS') })]);
    expect((await stack.api('GET', `${ORG}/reportingflows/${flow.fdr}`)).json.treasury).toBeUndefined();
    const open = (await stack.api('GET', `${ORG}/reconciliation/anomalies?kind=TREASURY_AMOUNT_MISMATCH&open=true`)).json.anomalies as any[];
    expect(open.some((a) => a.movementId === 'GDC-2026-4711')).toBe(false);
    expect((await stack.api('GET', `${ORG}/treasury/movements?status=REVERSED`)).json.movements.map((m: any) => m.movementId)).toEqual(['GDC-2026-4711']);
    // the reversal again, and the credit again: nothing moves
    expect((await post('application/xml', reversal)).json).toMatchObject({ imported: 0, reversed: 0, duplicates: 3 });
    expect((await post('application/xml', credited)).json).toMatchObject({ imported: 0, reversed: 0, duplicates: 3 });
    expect((await stack.api('GET', `${ORG}/reportingflows/${flow.fdr}`)).json.treasury).toBeUndefined();
  });

  it('a reversal of a credit never imported is kept REVERSED: the credit arriving later is not money', async () => {
    const reversal = EXAMPLE.replace(/<numero_bolletta_quietanza>0004711</, '<numero_bolletta_quietanza>0005811<').replace('<tipo_operazione>ESEGUITO</tipo_operazione>', '<tipo_operazione>STORNATO</tipo_operazione>');
    const r = await post('application/xml', reversal);
    expect(r.status, r.text).toBe(201);
    expect(r.json.movements.find((m: any) => m.movementId === 'GDC-2026-5811')).toMatchObject({ state: 'REVERSED' });
    const credit = EXAMPLE.replace(/<numero_bolletta_quietanza>0004711</, '<numero_bolletta_quietanza>0005811<');
    const later = await post('application/xml', credit);
    expect(later.json.movements.some((m: any) => m.movementId === 'GDC-2026-5811')).toBe(false);
    expect((await movements()).find((m) => m.movementId === 'GDC-2026-5811')).toMatchObject({ state: 'REVERSED' });
  });
});

describe('refused statements change nothing', () => {
  it('415 for another media type; 401 without a key, before the body is read', async () => {
    const before = await movements();
    const plain = await post('text/plain', 'bookingDate;amount;remittanceInformation\n2026-12-02;1,00;x');
    expect(plain.status).toBe(415);
    expect(plain.headers.get('content-type')).toBe('application/problem+json');
    expect(plain.json).toMatchObject({ status: 415, title: 'Unsupported Media Type', detail: expect.stringContaining('text/csv') });
    expect((await post('application/pdf', '%PDF-1.7')).status).toBe(415);
    expect((await post('text/plain', 'x', null)).status).toBe(401);
    expect((await post('text/csv', 'x', null)).status).toBe(401);
    expect(await movements()).toEqual(before);
  });

  it('400 naming every bad line of a partly bad CSV; none of its good lines is imported', async () => {
    const before = await movements();
    const csv = [
      'bookingDate;amount;creditDebit;remittanceInformation;bankReference',
      `${today()};5,00;C;/PUR/LGPE-RIVERSAMENTO/URI/${flows['BCITITMM']!.fdr};TSR-BAD-1`,
      `32/12/2026;5,00;C;x;TSR-BAD-2`,
      `${today()};5.000,001;C;x;TSR-BAD-3`,
      `${today()};5,00;C;x;TSR-BAD-1`,
    ].join('\n');
    const r = await post('text/csv', csv);
    expect(r.status).toBe(400);
    expect(r.json.errors.map((e: any) => e.field)).toEqual(['content.line3.bookingDate', 'content.line3.valueDate', 'content.line4.amount', 'content.line5.bankReference']);
    expect(await movements()).toEqual(before);
  });

  it('400 for XML that is neither camt.053 nor OPI, for malformed XML, for a journal of another ente', async () => {
    const before = await movements();
    const other = await post('application/xml', '<?xml version="1.0"?><FatturaElettronica versione="FPR12"/>');
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({ detail: expect.stringMatching(/neither .*camt\.053.* nor an OPI giornale di cassa/), errors: [{ field: 'content' }] });
    const broken = await post('application/xml', EXAMPLE.slice(0, 2000));
    expect(broken.status).toBe(400);
    expect(broken.json.detail).toMatch(/cannot be read/);
    const csvAsXml = await post('application/xml', 'bookingDate;amount\n2026-12-02;1,00');
    expect(csvAsXml.status).toBe(400);
    const foreign = await post('application/xml', EXAMPLE.replace('<codice_fiscale_ente>80001234568</codice_fiscale_ente>', `<codice_fiscale_ente>${ALTROVE_FC}</codice_fiscale_ente>`));
    expect(foreign.status).toBe(400);
    expect(foreign.json.errors).toEqual([{ field: 'content.testata_messaggio.codice_fiscale_ente', message: `is ${ALTROVE_FC}, not ${ESEMPIO_FC}` }]);
    const badMovement = await post('application/xml', EXAMPLE.replace('<importo>450.00</importo>', '<importo>450,00</importo>'));
    expect(badMovement.status).toBe(400);
    expect(badMovement.json.errors).toEqual([{ field: 'content.informazioni_conto_evidenza1.movimento_conto_evidenza3.importo', message: 'must be a positive amount with at most 2 decimals' }]);
    expect(await movements()).toEqual(before);
  });
});
