/**
 * The upload file formats without a cloud: the streaming JSON element scanner (however the bytes
 * are cut), the ZIP inspection, and GovPay CSV rows decoded with the REST API's rules.
 */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { JsonElements, uploadFileInspector } from '../../shared/adapters/upload-files';
import { govpayResultLines, uploadRowDecoder } from '../../shared/http/gpd-upload-rows';
import { FileRefused } from '../../shared/use-cases/bulk-upload/ports';
import { ESEMPIO } from '../fixtures/positions';

function scan(text: string, root = 'paymentPositions', piece = text.length) {
  const scanner = new JsonElements(root);
  const out: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < text.length; i += piece) out.push(...scanner.feed(text.slice(i, i + piece)));
  scanner.end();
  return out.map((e) => ({ line: e.line, value: JSON.parse(e.text) as unknown }));
}

const refusal = (run: () => unknown): FileRefused => {
  try {
    run();
  } catch (error) {
    if (error instanceof FileRefused) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('JSON elements, streamed', () => {
  const text = '\uFEFF{ "paymentPositions" :\n [\n  {"iupd":"A","s":"}{\\"[]"},\n  {"iupd":"B",\n   "x":[1,{"y":2}]}\n ,{"iupd":"C"}]\n}\n';
  const expected = [
    { line: 3, value: { iupd: 'A', s: '}{"[]' } },
    { line: 4, value: { iupd: 'B', x: [1, { y: 2 }] } },
    { line: 6, value: { iupd: 'C' } },
  ];

  it.each([1, 2, 3, 7, 1000])('yields each element with its first line, cut every %i characters', (piece) => {
    expect(scan(text, 'paymentPositions', piece)).toEqual(expected);
  });

  it('reads a delete file of iupds (strings)', () => {
    expect(scan('{"paymentPositionIUPDs":["A", "B\\"x",\n"C"]}', 'paymentPositionIUPDs', 2).map((e) => e.value)).toEqual(['A', 'B"x', 'C']);
    expect(scan('{"paymentPositionIUPDs":[]}', 'paymentPositionIUPDs')).toEqual([]);
  });

  it.each([
    ['[]', /line 1: not a JSON object/],
    ['{"positions":[]}', /unexpected field "positions"/],
    ['{"paymentPositions":{}}', /must be an array/],
    ['{"paymentPositions":[{}]} x', /text after the end/],
    ['{"paymentPositions":[{}], "other": 1}', /only the field "paymentPositions"/],
    ['{"paymentPositions":[{}', /ends too early/],
    ['{"paymentPositions":[{} {}]}', /"," or "]" expected/],
  ])('refuses %s with 422 and the line', (bad, reason) => {
    const error = refusal(() => scan(bad));
    expect(error.status).toBe(422);
    expect(error.message).toMatch(reason);
  });
});

describe('ZIP inspection at upload', () => {
  it('takes one .json or one .csv, or a bare .csv; refuses the rest precisely', () => {
    expect(uploadFileInspector.inspect(zipSync({ 'a.json': strToU8('{"paymentPositions":[]}') }), 'a.zip', 'CREATE')).toEqual({ format: 'json' });
    expect(uploadFileInspector.inspect(zipSync({ 'a.csv': strToU8('idA2A,idPendenza\r\nx,y\r\n') }), 'a.zip', 'CREATE')).toEqual({ format: 'csv', csvHeader: 'idA2A,idPendenza' });
    expect(uploadFileInspector.inspect(strToU8('\uFEFFidA2A,idPendenza\nx,y\n'), 'a.csv', 'CREATE')).toEqual({ format: 'csv', csvHeader: 'idA2A,idPendenza' });
    expect(refusal(() => uploadFileInspector.inspect(zipSync({}), 'a.zip', 'CREATE')).message).toMatch(/exactly one file; it holds 0/);
    expect(refusal(() => uploadFileInspector.inspect(zipSync({ 'a.json': strToU8('{"paymentPositionIUPDs":[]}') }), 'a.zip', 'CREATE')).status).toBe(422);
    expect(uploadFileInspector.inspect(zipSync({ 'a.json': strToU8('{"paymentPositionIUPDs":[]}') }), 'a.zip', 'DELETE')).toEqual({ format: 'json' });
  });
});

describe('GovPay CSV rows', () => {
  const header = ['idA2A', 'idPendenza', 'idDominio', 'causale', 'importo', 'dataScadenza', 'tipoSoggettoPagatore', 'identificativoPagatore', 'anagraficaPagatore', 'idVoce1', 'importoVoce1', 'descrizioneVoce1', 'ibanAccreditoVoce1', 'codiceContabilitaVoce1', 'idDocumento', 'numeroRata'];
  const row = (over: Record<string, string>) => ({
    idA2A: 'A2A', idPendenza: 'P1', idDominio: ESEMPIO.fiscalCode, causale: 'TARI', importo: '10.50', dataScadenza: '2099-01-31', tipoSoggettoPagatore: 'F',
    identificativoPagatore: 'RCCMNL83S18D969H', anagraficaPagatore: 'Mario Rossi', idVoce1: 'V1', importoVoce1: '10.50', descrizioneVoce1: 'TARI',
    ibanAccreditoVoce1: ESEMPIO.ibans[0]!, codiceContabilitaVoce1: '0101108TS', idDocumento: '', numeroRata: '', ...over,
  });

  it('groups consecutive installments of a document and refuses a document split across the file', () => {
    const decoder = uploadRowDecoder('csv', 'CREATE', ESEMPIO, new Date('2026-01-01T00:00:00Z'));
    const out = [
      ...decoder.push({ line: 0, value: { header } }),
      ...decoder.push({ line: 2, value: row({ idPendenza: 'R1', idDocumento: 'DOC', numeroRata: '1' }) }),
      ...decoder.push({ line: 3, value: row({ idPendenza: 'R2', idDocumento: 'DOC', numeroRata: '2', dataScadenza: '2099-02-28' }) }),
      ...decoder.push({ line: 4, value: row({ idPendenza: 'P9', importo: '1,50' }) }),
      ...decoder.push({ line: 5, value: row({ idPendenza: 'R3', idDocumento: 'DOC', numeroRata: '3' }) }),
      ...decoder.end(),
    ];
    expect(out.map((d) => [d.line, d.iupd, d.errors.map((e) => e.field)])).toEqual([
      [2, 'DOC', []],
      [4, 'P9', ['importo', 'paymentOption[0].amount']],
      [5, 'DOC', ['idDocumento']],
    ]);
    expect(out[0]!.lines).toEqual([2, 3]);
    expect(out[0]!.content!.paymentOptions.map((o) => [o.amount, o.isPartialPayment])).toEqual([[1050, true], [1050, true]]);
    expect(out[0]!.content!.paymentOptions[0]!.transfers[0]!.category).toBe('9/0101108TS/');
  });

  it('refuses a header that is not GovPay\u2019s, naming the columns', () => {
    const decoder = uploadRowDecoder('csv', 'CREATE', ESEMPIO, new Date());
    const error = refusal(() => decoder.push({ line: 0, value: { header: ['idA2A', 'idPendenza', 'colour'] } }));
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/unknown columns: colour; missing columns: idDominio, causale/);
  });

  it('writes GovPay\u2019s result file: one line per row, numeroAvviso for the accepted, errore for the refused', () => {
    const lines = [
      ...govpayResultLines(
        [
          { status: 201, navs: ['312000000000000119', '312000000000000216'], echo: [{ idA2A: 'A', idPendenza: 'R1' }, { idA2A: 'A', idPendenza: 'R2' }] },
          { status: 400, reasons: ['importo: bad', 'x: "quoted"'], echo: [{ idA2A: 'A', idPendenza: 'P9' }] },
        ],
        ESEMPIO.fiscalCode,
      ),
    ];
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(`A,R1,,,312000000000000119,${ESEMPIO.fiscalCode}_312000000000000119.pdf,,,,,,,,,,,,`);
    expect(lines[2]).toBe(`A,R2,,,312000000000000216,${ESEMPIO.fiscalCode}_312000000000000216.pdf,,,,,,,,,,,,`);
    expect(lines[3]).toBe(',,,,,,,,,,,,,,,,,"importo: bad; x: ""quoted"""');
  });
});

describe('inspectHead: the checks of an inline upload on the first 64 KB of a presigned upload', () => {
  const big = (root: string) => {
    const rows = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ iupd: `I-${i}-${crypto.randomUUID()}`, note: crypto.randomUUID().repeat(4) }));
    return zipSync({ 'tari.json': strToU8(`{"${root}": [\n${rows.join(',\n')}\n]}`) });
  };

  it('reads the entry name and the JSON head from the local header of a ZIP larger than the head', () => {
    const zip = big('paymentPositions');
    expect(zip.length).toBeGreaterThan(200_000);
    const head = zip.subarray(0, 64 * 1024);
    expect(uploadFileInspector.inspectHead(head, zip.length, 'tari.zip', 'CREATE')).toEqual({ format: 'json', zipped: true });
    expect(() => uploadFileInspector.inspectHead(head, zip.length, 'tari.zip', 'DELETE')).toThrow(/paymentPositionIUPDs|unexpected field/);
  });

  it('refuses what the inline upload refuses: empty, not a ZIP, the wrong entry type; reads a CSV header', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error instanceof FileRefused ? `${error.status} ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refusal(() => uploadFileInspector.inspectHead(new Uint8Array(0), 0, 'a.zip', 'CREATE'))).toBe('400 the file is empty');
    expect(refusal(() => uploadFileInspector.inspectHead(strToU8('hello'), 5, 'a.zip', 'CREATE'))).toMatch(/^400 the file is not a ZIP archive/);
    expect(refusal(() => uploadFileInspector.inspectHead(zipSync({ 'a.txt': strToU8('x') }), 100, 'a.zip', 'CREATE'))).toBe('400 the file in the ZIP must be .json or .csv, not a.txt');
    expect(uploadFileInspector.inspectHead(strToU8('idA2A,idPendenza\r\nA,B\r\n'), 20, 'a.csv', 'CREATE')).toEqual({ format: 'csv', zipped: false, csvHeader: 'idA2A,idPendenza' });
    expect(uploadFileInspector.inspectHead(zipSync({ 'p.csv': strToU8('idA2A,idPendenza\nA,B\n') }), 100, 'a.zip', 'CREATE')).toEqual({ format: 'csv', zipped: true, csvHeader: 'idA2A,idPendenza' });
  });
});
