/**
 * The treasury statement parsers (CSV layout, camt.053, SIOPE+ OPI giornale di cassa), how the
 * route reads a body by its Content-Type, and the rule that a refused statement writes nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { flowIdFromRemittance } from '../../../shared/domain/reporting-flow';
import { HttpProblem } from '../../../shared/http/problem';
import { parseCamt053, parseCsvStatement, parseOpiGiornaleDiCassa, parseStatement, parseXmlStatement, readStatement } from '../../../shared/http/treasury-statement';
import { UseCaseError } from '../../../shared/use-cases/errors';
import { importStatement, type StatementEntry, type TreasuryDeps } from '../../../shared/use-cases/reconciliation/treasury';

const FLOW = '2026-12-01BCITITMM-0001';
const EXAMPLE = readFileSync(new URL('../../../events/examples/opi-giornale-di-cassa.xml', import.meta.url), 'utf8');
const CSV_EXAMPLE = readFileSync(new URL('../../../events/examples/treasury-statement.csv', import.meta.url), 'utf8');

/** the problem a parser throws: its status and the fields it names */
function problemOf(run: () => unknown): { status: number; detail: string; fields: string[]; messages: string[] } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    return { status: error.status, detail: error.detail, fields: (error.errors ?? []).map((e) => e.field), messages: (error.errors ?? []).map((e) => e.message) };
  }
  throw new Error('expected a problem');
}

const request = (contentType: string | undefined, body: string | Buffer) => ({
  headers: contentType === undefined ? {} : { 'content-type': contentType },
  rawBody: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
});

/** one OPI movement, the schema's element order; `over` replaces or (undefined) drops elements */
function movement(over: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    identificativo_flusso: '03069202612020000004711',
    numero_movimento: '211',
    tipo_movimento: 'ENTRATA',
    tipo_documento: 'SOSPESO ENTRATA',
    tipo_operazione: 'ESEGUITO',
    numero_documento: '0001201',
    progressivo_documento: '0',
    importo: '170.50',
    numero_bolletta_quietanza: '0004711',
    data_movimento: '2026-12-02',
    data_movimento_siope: '2026-12-02',
    data_valuta_ente: '2026-12-02',
    tipo_esecuzione: 'SEPA CREDIT TRANSFER',
    end_to_end_id: undefined,
    assoggettamento_bollo: 'ESENTE BOLLO',
    cliente: '<anagrafica_cliente>PSP</anagrafica_cliente>',
    causale: `/PUR/LGPE-RIVERSAMENTO/URI/${FLOW}`,
    ...over,
  };
  return `<movimento_conto_evidenza>${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('')}</movimento_conto_evidenza>`;
}

const journal = (movements: string[], fiscalCode = '80001234568') => `<?xml version="1.0" encoding="UTF-8"?>
<flusso_giornale_di_cassa>
  <testata_messaggio><codice_ABI_BT>03069</codice_ABI_BT><data_ora_creazione_flusso>2026-12-03T02:00:00</data_ora_creazione_flusso><codice_ente>EX4MPL</codice_ente>
  <descrizione_ente>COMUNE</descrizione_ente><codice_istat_ente>000812345</codice_istat_ente><codice_fiscale_ente>${fiscalCode}</codice_fiscale_ente>
  <codice_tramite_ente>A2A-12345678</codice_tramite_ente><codice_tramite_BT>A2A-87654321</codice_tramite_BT><codice_ente_BT>1</codice_ente_BT></testata_messaggio>
  <identificativo_flusso_BT>GDC-20261203EX4MPL20261202#001#001</identificativo_flusso_BT><pagina>1</pagina><pagine_totali>1</pagine_totali>
  <esercizio>2026</esercizio><data_riferimento_GdC>2026-12-02</data_riferimento_GdC>
  <informazioni_conto_evidenza><conto_evidenza>0000001</conto_evidenza>${movements.join('\n')}</informazioni_conto_evidenza>
</flusso_giornale_di_cassa>`;

const camt = (entries: string) => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S1</Id>${entries}</Stmt></BkToCstmrStmt></Document>`;

describe('CSV layout', () => {
  it('amounts to the cent in Italian and international notation, either separator', () => {
    const csv = ['bookingDate;amount;remittanceInformation;bankReference', '02/12/2026;1.234,56;a;R1', '2026-12-02;1234.5;b;R2', '2026-12-02;0,01;c;R3', '2026-12-02;"1,234.56";d;R4'].join('\n');
    expect(parseCsvStatement(csv).map((e) => e.amount)).toEqual([123456, 123450, 1, 123456]);
  });

  it('keeps credits only: DBIT, D, -, a negative amount without a sign column, and zero lines are skipped', () => {
    const csv = [
      'bookingDate,amount,creditDebit,remittanceInformation,bankReference',
      '2026-12-02,10.00,CRDT,in,R1',
      '2026-12-02,10.00,DBIT,out,R2',
      '2026-12-02,10.00,D,out,R3',
      '2026-12-02,10.00,-,out,R4',
      '2026-12-02,-10.00,,out,R5',
      '2026-12-02,0.00,C,note,R6',
      '2026-12-02,+7.00,,in,R7',
    ].join('\n');
    expect(parseCsvStatement(csv).map((e) => [e.movementId, e.amount])).toEqual([
      ['R1', 1000],
      ['R7', 700],
    ]);
  });

  it('names every offending line and column at once, by its line in the file', () => {
    const csv = ['bookingDate;valueDate;amount;currency;creditDebit;remittanceInformation;bankReference', '', '31/02/2026;;10,00;EUR;C;x;R1', '2026-12-02;2026-12-02;1,2,3;USD;C;x;R2', '2026-12-02;2026-12-02;1;EUR;Z;x;R3', '2026-12-02;2026-12-02;1;EUR;C;x;R4', '2026-12-02;2026-12-02;2;EUR;C;y;R4'].join('\n');
    const p = problemOf(() => parseCsvStatement(csv));
    expect(p.status).toBe(400);
    expect(p.fields).toEqual(['content.line3.bookingDate', 'content.line3.valueDate', 'content.line4.amount', 'content.line4.currency', 'content.line5.creditDebit', 'content.line7.bankReference']);
    expect(p.messages.at(-1)).toBe('repeats the reference of line 6');
  });

  it('two identical movements without a bank reference cannot be told apart: refused, naming the line', () => {
    const csv = ['bookingDate;amount;remittanceInformation', '2026-12-02;5,00;x', '2026-12-02;5,00;x'].join('\n');
    expect(problemOf(() => parseCsvStatement(csv)).fields).toEqual(['content.line3.bankReference']);
  });

  it('lists at most 100 problems, then how many more', () => {
    const csv = ['bookingDate;amount;remittanceInformation', ...Array.from({ length: 150 }, () => 'x;1;a')].join('\n');
    const p = problemOf(() => parseCsvStatement(csv));
    expect(p.fields).toHaveLength(100);
    expect(p.messages.at(-1)).toBe('and 201 more problems');
  });

  it('the committed example parses: its credits, the flow ids in their remittance', () => {
    const entries = parseCsvStatement(CSV_EXAMPLE);
    expect(entries.map((e) => [e.movementId, e.amount, flowIdFromRemittance(e.remittanceInformation)])).toEqual([
      ['TRN-20261202-0001', 17050, FLOW],
      ['TRN-20261202-0002', 123456, '2026-12-01UNCRITMM-0002'],
      ['TRN-20261202-0003', 45000, undefined],
    ]);
  });
});

describe('camt.053', () => {
  it('credits with reference, value date and joined remittance lines; debits skipped', () => {
    const xml = camt(`
<Ntry><Amt Ccy="EUR">1234.56</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-02</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt><AcctSvcrRef>A1</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>/PUR/LGPE-RIVERSAMENTO/TXT/2</Ustrd><Ustrd>/URI/2026-12-01 BCITITMM-0001</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">3.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-12-02</Dt></BookgDt><AcctSvcrRef>A2</AcctSvcrRef></Ntry>`);
    const entries = parseCamt053(xml);
    expect(entries).toEqual([{ movementId: 'A1', bookingDate: '2026-12-02', valueDate: '2026-12-01', amount: 123456, remittanceInformation: '/PUR/LGPE-RIVERSAMENTO/TXT/2 /URI/2026-12-01 BCITITMM-0001' }]);
    expect(flowIdFromRemittance(entries[0]!.remittanceInformation)).toBe(FLOW);
  });

  it('names every bad entry: amount, dates, indicator, a repeated reference', () => {
    const xml = camt(`
<Ntry><Amt Ccy="EUR">1.234,56</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-02</Dt></BookgDt></Ntry>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt></BookgDt></Ntry>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CR</CdtDbtInd><BookgDt><Dt>2026-12-02</Dt></BookgDt></Ntry>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-02</Dt></BookgDt><AcctSvcrRef>X</AcctSvcrRef></Ntry>
<Ntry><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-02</Dt></BookgDt><AcctSvcrRef>X</AcctSvcrRef></Ntry>`);
    expect(problemOf(() => parseCamt053(xml)).fields).toEqual([
      'content.Stmt1.Ntry1.Amt',
      'content.Stmt1.Ntry2.BookgDt',
      'content.Stmt1.Ntry2.ValDt',
      'content.Stmt1.Ntry3.CdtDbtInd',
      'content.Stmt1.Ntry5.AcctSvcrRef',
    ]);
  });

  it('a Document without a statement is named', () => {
    expect(problemOf(() => parseCamt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>')).fields).toEqual(['content.BkToCstmrStmt']);
  });
});

describe('OPI giornale di cassa (SIOPE+)', () => {
  it('the committed example: its SOSPESO ENTRATA credits; the mandate and the regularizing reversale are not credits', () => {
    const statement = parseOpiGiornaleDiCassa(EXAMPLE);
    expect(statement.format).toBe('OPI');
    expect(statement.holder).toEqual({ fiscalCode: '80001234568', field: 'content.testata_messaggio.codice_fiscale_ente' });
    expect(statement.entries).toEqual([
      { movementId: 'GDC-2026-4711', bookingDate: '2026-12-02', valueDate: '2026-12-02', amount: 17050, remittanceInformation: `/PUR/LGPE-RIVERSAMENTO/URI/${FLOW}` },
      {
        movementId: 'GDC-2026-4712',
        bookingDate: '2026-12-02',
        valueDate: '2026-12-01',
        amount: 123456,
        remittanceInformation: expect.stringContaining('/PUR/LGPE-RIVERSAMENTO/TXT/2/URI/2026-12-01 UNCRITMM-0002'),
        endToEndId: '2026-12-01UNCRITMM-0002',
      },
      { movementId: 'GDC-2026-4713', bookingDate: '2026-12-02', valueDate: '2026-12-02', amount: 45000, remittanceInformation: 'CANONE LOCAZIONE LOCALI COMUNALI NOVEMBRE 2026' },
    ]);
    // the causale broken over two lines, with /TXT/2/ and a space in the flow id's date
    expect(statement.entries.map((e) => flowIdFromRemittance(e.remittanceInformation))).toEqual([FLOW, '2026-12-01UNCRITMM-0002', undefined]);
  });

  it('sniffed from the XML root, like camt.053', () => {
    expect(parseXmlStatement(EXAMPLE).format).toBe('OPI');
    expect(parseXmlStatement(camt('')).format).toBe('CAMT053');
    expect(parseStatement('OPI', EXAMPLE).entries).toHaveLength(3);
  });

  it('only ENTRATA · SOSPESO ENTRATA movements count: ESEGUITO a credit, STORNATO its reversal', () => {
    const statement = parseOpiGiornaleDiCassa(
      journal([
        movement({ numero_bolletta_quietanza: '1' }),
        movement({ numero_bolletta_quietanza: '2', tipo_movimento: 'USCITA', tipo_documento: 'SOSPESO USCITA' }),
        movement({ numero_bolletta_quietanza: '3', tipo_documento: 'REVERSALE' }),
        movement({ numero_bolletta_quietanza: '4', tipo_operazione: 'STORNATO' }),
        movement({ numero_bolletta_quietanza: '5', tipo_operazione: 'REGOLARIZZATO' }),
        movement({ numero_bolletta_quietanza: '6', tipo_operazione: 'RIPRISTINATO' }),
      ]),
    );
    expect(statement.entries.map((e) => [e.movementId, e.reversal ?? false])).toEqual([
      ['GDC-2026-1', false],
      ['GDC-2026-4', true],
    ]);
  });

  it('a bolletta credited and reversed in the same journal is two entries; twice the same operation is refused', () => {
    const statement = parseOpiGiornaleDiCassa(journal([movement({ numero_bolletta_quietanza: '8' }), movement({ numero_bolletta_quietanza: '8', tipo_operazione: 'STORNATO' })]));
    expect(statement.entries.map((e) => [e.movementId, e.reversal ?? false])).toEqual([
      ['GDC-2026-8', false],
      ['GDC-2026-8', true],
    ]);
    const twice = journal([movement({ numero_bolletta_quietanza: '9', tipo_operazione: 'STORNATO' }), movement({ numero_bolletta_quietanza: '9', tipo_operazione: 'STORNATO' })]);
    expect(problemOf(() => parseOpiGiornaleDiCassa(twice)).fields).toEqual(['content.informazioni_conto_evidenza1.movimento_conto_evidenza2.numero_bolletta_quietanza']);
  });

  it('amounts to the cent, the value date defaulting to the movement date, the document number when there is no bolletta', () => {
    const statement = parseOpiGiornaleDiCassa(
      journal([
        movement({ importo: '0001234.5', data_valuta_ente: undefined, numero_bolletta_quietanza: undefined }),
        movement({ importo: '0.01', numero_bolletta_quietanza: '0000000', numero_documento: '77' }),
        movement({ importo: '+12', numero_bolletta_quietanza: '99', end_to_end_id: 'E2E-1', causale: '/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001\n   /TXT/ accredito' }),
      ]),
    );
    expect(statement.entries.map((e) => [e.movementId, e.amount, e.valueDate, e.endToEndId])).toEqual([
      ['GDC-2026-SE1201', 123450, '2026-12-02', undefined],
      ['GDC-2026-SE77', 1, '2026-12-02', undefined],
      ['GDC-2026-99', 1200, '2026-12-02', 'E2E-1'],
    ]);
    expect(flowIdFromRemittance(statement.entries[2]!.remittanceInformation)).toBe(FLOW);
  });

  it('refused whole, naming every offending element', () => {
    const xml = journal([
      movement({ numero_bolletta_quietanza: '1', importo: '12,50' }),
      movement({ numero_bolletta_quietanza: '2', data_movimento: '2026-13-01' }),
      movement({ numero_bolletta_quietanza: '3', causale: undefined, data_valuta_ente: '02/12/2026' }),
      movement({ numero_bolletta_quietanza: '4', tipo_movimento: 'IN' }),
      movement({ numero_bolletta_quietanza: undefined, numero_documento: '0' }),
      movement({ numero_bolletta_quietanza: '5' }),
      movement({ numero_bolletta_quietanza: '005' }),
    ]);
    const p = problemOf(() => parseOpiGiornaleDiCassa(xml));
    const at = (n: number, field: string) => `content.informazioni_conto_evidenza1.movimento_conto_evidenza${n}.${field}`;
    expect(p.status).toBe(400);
    expect(p.fields).toEqual([
      at(1, 'importo'),
      at(2, 'data_movimento'),
      at(3, 'data_valuta_ente'),
      at(3, 'causale'),
      at(4, 'tipo_movimento'),
      at(5, 'numero_bolletta_quietanza'),
      at(7, 'numero_bolletta_quietanza'),
    ]);
    expect(p.messages.at(-1)).toBe(`repeats the bolletta of ${at(6, '').slice(0, -1)}`);
  });

  it('a journal without esercizio or the ente is refused; a foreign XML is named', () => {
    const noYear = journal([movement()]).replace('<esercizio>2026</esercizio>', '');
    expect(problemOf(() => parseOpiGiornaleDiCassa(noYear)).fields).toEqual(['content.esercizio']);
    expect(problemOf(() => parseXmlStatement('<fattura/>'))).toMatchObject({ status: 400, fields: ['content'] });
    expect(problemOf(() => parseXmlStatement('<flusso_giornale_di_cassa xmlns="urn:x"/>')).messages[0]).toMatch(/namespace urn:x/);
    expect(problemOf(() => parseXmlStatement('<flusso_giornale_di_cassa>'))).toMatchObject({ status: 400, detail: expect.stringMatching(/cannot be read/) });
  });
});

describe('the body, by Content-Type', () => {
  const csv = 'bookingDate;amount;remittanceInformation;bankReference\n2026-12-02;170,50;/PUR/LGPE-RIVERSAMENTO/URI/2026-12-01BCITITMM-0001;R1\n';

  it('JSON {format, content}, the CSV file, the XML file (camt.053 or OPI by its root)', () => {
    expect(readStatement(request('application/json', JSON.stringify({ format: 'OPI', content: EXAMPLE }))).format).toBe('OPI');
    expect(readStatement(request('text/csv; charset=utf-8', csv))).toMatchObject({ format: 'CSV', entries: [{ movementId: 'R1', amount: 17050 }] });
    expect(readStatement(request('application/xml', EXAMPLE)).format).toBe('OPI');
    expect(readStatement(request('text/xml; charset=UTF-8', camt('<Ntry><Amt>1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-02</Dt></BookgDt></Ntry>'))).format).toBe('CAMT053');
  });

  it('a Latin-1 CSV when the charset says so', () => {
    const latin1 = Buffer.from('bookingDate;amount;remittanceInformation\n2026-12-02;5,00;CANONE PERIODO GIÙ\n', 'latin1');
    expect(readStatement(request('text/csv; charset=ISO-8859-1', latin1)).entries[0]!.remittanceInformation).toBe('CANONE PERIODO GIÙ');
    expect(problemOf(() => readStatement(request('text/csv', latin1)))).toMatchObject({ status: 400, fields: ['content'] });
  });

  it('415 for another type or charset; 400 for an empty body or a body not of its format', () => {
    expect(problemOf(() => readStatement(request('text/plain', csv))).status).toBe(415);
    expect(problemOf(() => readStatement(request(undefined, csv))).status).toBe(415);
    expect(problemOf(() => readStatement(request('multipart/form-data; boundary=x', csv))).status).toBe(415);
    expect(problemOf(() => readStatement(request('application/xml; charset=iso-8859-1', EXAMPLE))).status).toBe(415);
    expect(problemOf(() => readStatement(request('text/csv', '')))).toMatchObject({ status: 400, fields: ['content'] });
    expect(problemOf(() => readStatement(request('application/xml', csv)))).toMatchObject({ status: 400, detail: expect.stringMatching(/cannot be read/) });
    expect(problemOf(() => readStatement(request('text/csv', EXAMPLE)))).toMatchObject({ status: 400, fields: ['content.header.bookingDate', 'content.header.amount', 'content.header.remittanceInformation'] });
    expect(problemOf(() => readStatement(request('application/json', '{"format":"PDF","content":"x"}')))).toMatchObject({ status: 400, fields: ['format'] });
    expect(problemOf(() => readStatement(request('text/csv', `${csv}2026-12-02;1,00;bad\u0007;R2\n`)))).toMatchObject({ status: 400, fields: ['content'] });
  });
});

describe('a refused statement writes nothing', () => {
  const deps = () => {
    const putMovement = vi.fn(async () => true);
    return {
      putMovement,
      deps: { treasury: { putMovement, updateMovement: vi.fn(), creditFlow: vi.fn() }, store: {}, clock: () => new Date('2026-12-03T08:00:00Z') } as unknown as TreasuryDeps,
    };
  };
  const entry = (over: Partial<StatementEntry> = {}): StatementEntry => ({ movementId: 'M1', bookingDate: '2026-12-02', valueDate: '2026-12-02', amount: 100, remittanceInformation: 'x', ...over });

  it('an entry the use case cannot take refuses the whole statement before the first write', async () => {
    const { deps: d, putMovement } = deps();
    const error = await importStatement(d, '80001234568', 'OPI', [entry(), entry({ movementId: 'M2', amount: 0 }), entry({ movementId: 'M1' })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UseCaseError);
    expect((error as UseCaseError).fields.map((f) => f.field)).toEqual(['entries.1.amount', 'entries.2.movementId']);
    expect(putMovement).not.toHaveBeenCalled();
  });

  it('a statement without credits is refused', async () => {
    const { deps: d, putMovement } = deps();
    await expect(importStatement(d, '80001234568', 'CSV', [])).rejects.toThrow(/no credit entries/);
    expect(putMovement).not.toHaveBeenCalled();
  });
});
