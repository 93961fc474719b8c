/** The CSV the ragioneria opens in a spreadsheet: no cell from outside becomes a formula (OWASP "CSV injection"). */
import { describe, expect, it } from 'vitest';
import { defuseFormula, spreadsheetCsv } from '../../shared/http/csv';
import { accountingCsv } from '../../shared/http/reconciliation-schemas';

describe('spreadsheet-safe CSV', () => {
  it('prefixes what a spreadsheet would run, leaves the rest', () => {
    for (const v of ['=1+1', '+39 333', '-2', '@SUM(A1)', '\tx', '\rx']) expect(defuseFormula(v)).toBe(`'${v}`);
    for (const v of ['Mario Rossi', '120.50', 'capitolo=1234', '']) expect(defuseFormula(v)).toBe(v);
  });

  it('the exports: quoting and defusing together, BOM and CRLF', () => {
    const file = spreadsheetCsv(['a', 'b'], [{ a: '=HYPERLINK("x")', b: 'ok, fine' }]).toString('utf8');
    expect(file).toBe('\uFEFFa,b\r\n"\'=HYPERLINK(""x"")","ok, fine"\r\n');
    const recon = accountingCsv([{ category: '9/0101002IM/', metadata: '=cmd|x', state: 'OPEN', count: 1, amount: 12_050 }]);
    expect(recon).toBe("category;metadata;state;transfers;amountEUR\n9/0101002IM/;'=cmd|x;OPEN;1;120.50\n");
  });
});
