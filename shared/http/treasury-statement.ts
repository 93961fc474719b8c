/**
 * Treasury statements as banks and treasurers send them → the credits the reconciliation use
 * case takes (amounts in cents). Two formats:
 *
 * CSV (the layer's documented layout): UTF-8, a header line naming the columns (any order;
 * `;` or `,` separated; fields may be double-quoted), one line per movement:
 *   bookingDate (yyyy-MM-dd or dd/MM/yyyy) · valueDate (idem; default bookingDate) · amount
 *   (decimal with `.` or `,`, e.g. 1234.56 or 1.234,56) · currency (EUR; default EUR) ·
 *   creditDebit (CRDT/DBIT, C/D or +/-; default CRDT, or the amount's sign) · remittanceInformation ·
 *   bankReference (the bank's unique reference of the entry) · endToEndId (optional)
 * Only credits are kept.
 *
 * CAMT053: ISO 20022 BankToCustomerStatement (camt.053.001.02 and later versions: elements are
 * read by local name): every Stmt/Ntry with CdtDbtInd CRDT; Amt, BookgDt/Dt|DtTm, ValDt/Dt|DtTm,
 * AcctSvcrRef (else NtryRef), the TxDtls' EndToEndId and RmtInf/Ustrd (all joined), else AddtlNtryInf.
 * At most 10,000 XML elements per statement (about 600 entries): split bigger statements.
 */
import { createHash } from 'node:crypto';
import type { StatementEntry } from '../use-cases/reconciliation/treasury';
import { isXmlReadError, readXml, type XmlElement } from './pagopa-soap/xml';
import { badRequest, type FieldProblem } from './problem';

export function parseStatement(format: 'CSV' | 'CAMT053', content: string): StatementEntry[] {
  return format === 'CSV' ? parseCsvStatement(content) : parseCamt053(content);
}

const COLUMNS = ['bookingDate', 'valueDate', 'amount', 'currency', 'creditDebit', 'remittanceInformation', 'bankReference', 'endToEndId'] as const;

export function parseCsvStatement(content: string): StatementEntry[] {
  const rows = content.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (rows.length < 2) throw badRequest('the CSV statement needs a header line and at least one movement', [{ field: 'content', message: 'no movements' }]);
  const separator = (rows[0]!.match(/;/g)?.length ?? 0) >= (rows[0]!.match(/,/g)?.length ?? 0) ? ';' : ',';
  const header = splitCsv(rows[0]!, separator).map((h) => h.trim());
  const at = (name: (typeof COLUMNS)[number]) => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  const missing = (['bookingDate', 'amount', 'remittanceInformation'] as const).filter((c) => at(c) < 0);
  if (missing.length > 0) throw badRequest('the CSV header lacks required columns', missing.map((c) => ({ field: `content.header.${c}`, message: 'required column' })));
  const problems: FieldProblem[] = [];
  const entries: StatementEntry[] = [];
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const cells = splitCsv(row, separator);
    const cell = (name: (typeof COLUMNS)[number]) => (at(name) >= 0 ? (cells[at(name)] ?? '').trim() : '');
    const bookingDate = csvDate(cell('bookingDate'));
    const valueDate = cell('valueDate') ? csvDate(cell('valueDate')) : bookingDate;
    const signed = csvAmount(cell('amount'));
    const currency = cell('currency') || 'EUR';
    if (!bookingDate) problems.push({ field: `content.line${line}.bookingDate`, message: 'must be yyyy-MM-dd or dd/MM/yyyy' });
    if (!valueDate) problems.push({ field: `content.line${line}.valueDate`, message: 'must be yyyy-MM-dd or dd/MM/yyyy' });
    if (signed === undefined) problems.push({ field: `content.line${line}.amount`, message: 'must be a decimal amount with at most 2 decimals' });
    if (currency !== 'EUR') problems.push({ field: `content.line${line}.currency`, message: 'must be EUR' });
    if (!bookingDate || !valueDate || signed === undefined || currency !== 'EUR') return;
    const cd = cell('creditDebit').toUpperCase();
    const debit = cd === 'DBIT' || cd === 'D' || cd === '-' || (cd === '' && signed < 0);
    if (debit) return;
    const remittanceInformation = cell('remittanceInformation');
    const reference = cell('bankReference') || digest([bookingDate, valueDate, String(signed), remittanceInformation]);
    entries.push({
      movementId: safeId(reference),
      bookingDate,
      valueDate,
      amount: Math.abs(signed),
      remittanceInformation,
      ...(cell('endToEndId') ? { endToEndId: cell('endToEndId') } : {}),
    });
  });
  if (problems.length > 0) throw badRequest('the CSV statement has invalid movements', problems.slice(0, 50));
  return entries;
}

export function parseCamt053(content: string): StatementEntry[] {
  const root = readXml(content, 1024 * 1024);
  if (isXmlReadError(root)) throw badRequest(`the camt.053 statement cannot be read: ${root.message}`, [{ field: 'content', message: root.message }]);
  if (root.local !== 'Document' || !root.uri.startsWith('urn:iso:std:iso:20022:tech:xsd:camt.053')) {
    throw badRequest('not an ISO 20022 camt.053 document', [{ field: 'content', message: 'the root must be Document in a urn:iso:std:iso:20022:tech:xsd:camt.053.* namespace' }]);
  }
  const problems: FieldProblem[] = [];
  const entries: StatementEntry[] = [];
  const statements = all(root, 'BkToCstmrStmt').flatMap((s) => children(s, 'Stmt'));
  statements.forEach((stmt, si) => {
    const stmtId = text(child(stmt, 'Id')) ?? `S${si}`;
    children(stmt, 'Ntry').forEach((ntry, ni) => {
      const where = `content.Stmt${si + 1}.Ntry${ni + 1}`;
      if (text(child(ntry, 'CdtDbtInd')) !== 'CRDT') return;
      const amount = csvAmount(text(child(ntry, 'Amt')) ?? '');
      const bookingDate = dateOf(child(ntry, 'BookgDt'));
      const valueDate = dateOf(child(ntry, 'ValDt')) ?? bookingDate;
      if (amount === undefined || amount <= 0) problems.push({ field: `${where}.Amt`, message: 'must be a positive amount' });
      if (!bookingDate) problems.push({ field: `${where}.BookgDt`, message: 'must have Dt or DtTm' });
      if (amount === undefined || amount <= 0 || !bookingDate || !valueDate) return;
      const tx = all(ntry, 'TxDtls');
      const remittance = tx.flatMap((t) => all(t, 'Ustrd').map((u) => u.text.trim())).filter(Boolean);
      const remittanceInformation = remittance.length > 0 ? remittance.join(' ') : (text(child(ntry, 'AddtlNtryInf')) ?? '');
      const endToEndId = tx.map((t) => text(child(child(t, 'Refs'), 'EndToEndId'))).find((v) => v && v !== 'NOTPROVIDED');
      const reference = text(child(ntry, 'AcctSvcrRef')) ?? text(child(ntry, 'NtryRef')) ?? digest([stmtId, String(ni), bookingDate, String(amount), remittanceInformation]);
      entries.push({ movementId: safeId(reference), bookingDate, valueDate, amount, remittanceInformation, ...(endToEndId ? { endToEndId } : {}) });
    });
  });
  if (problems.length > 0) throw badRequest('the camt.053 statement has invalid entries', problems.slice(0, 50));
  return entries;
}

// ---- helpers ----

function splitCsv(line: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === separator) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

function csvDate(value: string): string | undefined {
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) {
    const it = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
    if (it) m = [it[0], it[3]!, it[2]!, it[1]!] as unknown as RegExpExecArray;
  }
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso ? undefined : iso;
}

/** "1234.56", "1.234,56", "-12,30", "+5" → signed cents */
function csvAmount(value: string): number | undefined {
  let v = value.replace(/\s/g, '');
  const sign = v.startsWith('-') ? -1 : 1;
  v = v.replace(/^[+-]/, '');
  if (/^\d{1,3}(\.\d{3})+,\d{1,2}$/.test(v) || /^\d+,\d{1,2}$/.test(v)) v = v.replace(/\./g, '').replace(',', '.');
  else if (/^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(v)) v = v.replace(/,/g, '');
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(v);
  if (!m) return undefined;
  return sign * (Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')));
}

const safeId = (reference: string): string => (/^[A-Za-z0-9._:-]{1,100}$/.test(reference) ? reference : digest([reference]));
const digest = (parts: string[]): string => `H${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)}`;

const children = (el: XmlElement | undefined, local: string): XmlElement[] => (el ? el.children.filter((c) => c.local === local) : []);
const child = (el: XmlElement | undefined, local: string): XmlElement | undefined => children(el, local)[0];
const text = (el: XmlElement | undefined): string | undefined => {
  const t = el?.text.trim();
  return t ? t : undefined;
};
function all(el: XmlElement, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.local === local) out.push(c);
      else walk(c);
    }
  };
  walk(el);
  return out;
}
function dateOf(el: XmlElement | undefined): string | undefined {
  const v = text(child(el, 'Dt')) ?? text(child(el, 'DtTm'))?.slice(0, 10);
  return v ? csvDate(v) : undefined;
}
