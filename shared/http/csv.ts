/** CSV as the layer writes it (RFC 4180: comma-separated, CRLF lines, a cell quoted when it holds a comma, a quote or a line break). */

export const csvCell = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * A cell of an export a person opens in a spreadsheet: text that a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a carriage return; OWASP "CSV Injection") is prefixed
 * with an apostrophe. A payer's name comes from outside and must not become a formula.
 */
export const defuseFormula = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
export const spreadsheetCell = (value: string): string => csvCell(defuseFormula(value));

/** A whole file: the header, then one line per row (its cells by column), CRLF-terminated, UTF-8 with a BOM so spreadsheets read the accents. */
export function spreadsheetCsv(columns: readonly string[], rows: Iterable<Readonly<Record<string, string>>>): Buffer {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(columns.map((c) => spreadsheetCell(row[c] ?? '')).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}
