/**
 * Treasury statements as banks and treasurers send them → the credits the reconciliation use
 * case takes (amounts in cents). Three formats:
 *
 * CSV (the layer's documented layout): UTF-8, a header line naming the columns (any order;
 * `;` or `,` separated; fields may be double-quoted), one line per movement:
 *   bookingDate (yyyy-MM-dd or dd/MM/yyyy) · valueDate (idem; default bookingDate) · amount
 *   (decimal with `.` or `,`, e.g. 1234.56 or 1.234,56) · currency (EUR; default EUR) ·
 *   creditDebit (CRDT/DBIT, C/D or +/-; default CRDT, or the amount's sign) · remittanceInformation ·
 *   bankReference (the bank's unique reference of the entry) · endToEndId (optional)
 * Only credits are kept (debits and zero lines are skipped).
 *
 * CAMT053: ISO 20022 BankToCustomerStatement (camt.053.001.02 and later versions: elements are
 * read by local name): every Stmt/Ntry with CdtDbtInd CRDT; Amt, BookgDt/Dt|DtTm, ValDt/Dt|DtTm,
 * AcctSvcrRef (else NtryRef), the TxDtls' EndToEndId and RmtInf/Ustrd (all joined), else AddtlNtryInf.
 *
 * OPI: the treasurer's daily cash journal, the SIOPE+ "Giornale di Cassa" (root
 * `flusso_giornale_di_cassa`, no namespace), in the XSD of the OPI standard issued by AgID with
 * Banca d'Italia and MEF-RGS (Regole tecniche OPI; schemas OPI_GIORNALE_DI_CASSA_V_1_4,
 * _V_1_6_1, _V_1_7_1 and _V_1_8, with OPI_GLOBAL_V_1_3_1 / _V_1_6_1; published by AgID at
 * agid.gov.it/it/piattaforme/siope; the same files are vendored by PagoPA's own Piattaforma Unitaria,
 * github.com/pagopa/p4pa-payhub-activities src/main/resources/xsd). The schema has no version
 * attribute; the elements read here are the same in all four versions. Read: every
 * informazioni_conto_evidenza/movimento_conto_evidenza with tipo_movimento ENTRATA, tipo_documento
 * SOSPESO ENTRATA and tipo_operazione ESEGUITO (a credit the treasurer received before any
 * ordinativo: how a PSP's riversamento arrives) or STORNATO (that credit taken back: the same
 * bolletta, applied as a reversal), as PagoPA's platform reads it (ESEGUITO inserts, STORNATO
 * deletes by esercizio + bolletta: p4pa-payhub-activities, TreasuryMapperOpi161Service): importo,
 * data_movimento, data_valuta_ente (default data_movimento), causale (the remittance text),
 * end_to_end_id; movement id `GDC-<esercizio>-<numero_bolletta_quietanza>` (else
 * `GDC-<esercizio>-SE<numero_documento>`). Not imported: USCITA; REVERSALE (the ente's ordinativi,
 * which regularize sospesi already counted); movements REGOLARIZZATO, RIPRISTINATO.
 * The journal's ds:Signature is not verified here (SIOPE+ carries it); a journal whose
 * testata_messaggio/codice_fiscale_ente is another organization's is refused.
 *
 * At most 10,000 XML elements per statement (about 600 camt.053 entries, 300 OPI movements):
 * split bigger ones. Every problem of a statement is listed in one 400 (up to 100, then a count),
 * and a statement with any problem is refused whole: nothing of it is imported.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { unsafeTextFields, unsafeTextReason } from '../domain/text';
import type { TreasuryMovement } from '../use-cases/reconciliation/ports';
import type { StatementEntry } from '../use-cases/reconciliation/treasury';
import { isXmlReadError, readXml, type XmlElement } from './pagopa-soap/xml';
import { badRequest, invalidFields, unsupportedMediaType, type FieldProblem } from './problem';
import { treasuryStatementSchema } from './reconciliation-schemas';
import { parseWith, tenantRoute, type HttpRequest, type HttpResult } from './rest-edge';
import type { TenantAuthenticator } from './tenant-auth';

export type StatementFormat = TreasuryMovement['source'];

export interface Statement {
  readonly format: StatementFormat;
  readonly entries: StatementEntry[];
  /** the organization the statement says it is of, when it says (OPI: codice_fiscale_ente) */
  readonly holder?: { readonly fiscalCode: string; readonly field: string };
}

const MAX_PROBLEMS = 100;
const CAMT_NS = 'urn:iso:std:iso:20022:tech:xsd:camt.053';
const OPI_ROOT = 'flusso_giornale_di_cassa';

/**
 * POST …/treasury/statements on the tenant route with the raw body: the tenant's API key is checked
 * first, as on every tenant route, then the body is read by its Content-Type (readStatement).
 */
export function treasuryStatementRoute(
  logger: Logger,
  authenticate: TenantAuthenticator,
  route: (organizationFiscalCode: string, statement: Statement) => Promise<HttpResult>,
) {
  return tenantRoute(
    logger,
    authenticate,
    async (request) => {
      const statement = readStatement(request);
      if (statement.holder && statement.holder.fiscalCode !== request.caller.organization.fiscalCode) {
        throw badRequest('the statement is of another organization', [
          { field: statement.holder.field, message: `is ${statement.holder.fiscalCode}, not ${request.caller.organization.fiscalCode}` },
        ]);
      }
      return route(request.caller.organization.fiscalCode, statement);
    },
    { rawBody: true },
  );
}

/**
 * The statement of a request, by its Content-Type:
 * - application/json: {format: CSV|CAMT053|OPI, content, fileName?};
 * - text/csv: the CSV layout (charset utf-8 by default, or iso-8859-1 / windows-1252);
 * - application/xml or text/xml: camt.053 (root Document in a camt.053 namespace) or an OPI
 *   giornale di cassa (root flusso_giornale_di_cassa), told apart by the root element (UTF-8).
 * 415 for any other type or charset; 400, naming the problem, for a body that is not its format.
 */
export function readStatement(request: Pick<HttpRequest, 'headers' | 'rawBody'>): Statement {
  const [type = '', ...params] = (request.headers['content-type'] ?? '').split(';');
  const mediaType = type.trim().toLowerCase();
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?\s*$/i.exec(p)?.[1]?.toLowerCase()).find((c) => c !== undefined);
  const bytes = request.rawBody;
  const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
  const isCsv = mediaType === 'text/csv';
  const isXml = mediaType === 'application/xml' || mediaType === 'text/xml';
  if (!isJson && !isCsv && !isXml) {
    throw unsupportedMediaType(`the body must be application/json ({format, content}), text/csv (the CSV layout) or application/xml (camt.053 or OPI giornale di cassa), not ${mediaType || 'without a Content-Type'}`);
  }
  if (bytes.length === 0) throw badRequest('the statement is missing: the body is empty', [{ field: 'content', message: 'required' }]);
  if (isJson) {
    const body = parseWith(treasuryStatementSchema, readJson(bytes, charset), 'body');
    return parseStatement(body.format, body.content);
  }
  const content = decodeText(bytes, charset, isCsv ? ['utf-8', 'utf8', 'us-ascii', 'iso-8859-1', 'latin1', 'windows-1252'] : ['utf-8', 'utf8']);
  return isCsv ? { format: 'CSV', entries: parseCsvStatement(content) } : parseXmlStatement(content);
}

export function parseStatement(format: StatementFormat, content: string): Statement {
  if (format === 'CSV') return { format, entries: parseCsvStatement(content) };
  const root = xmlRoot(content, format === 'OPI' ? 'the OPI giornale di cassa' : 'the camt.053 statement');
  if (format === 'CAMT053') return { format, entries: camtEntries(root) };
  return opiStatement(root);
}

/** An XML statement, camt.053 or OPI giornale di cassa by its root element. */
export function parseXmlStatement(content: string): Statement {
  const root = xmlRoot(content, 'the XML statement');
  if (root.local === 'Document' && root.uri.startsWith(CAMT_NS)) return { format: 'CAMT053', entries: camtEntries(root) };
  if (root.local === OPI_ROOT && root.uri === '') return opiStatement(root);
  throw badRequest('the XML is neither an ISO 20022 camt.053 statement nor an OPI giornale di cassa', [
    {
      field: 'content',
      message: `the root element is ${clip(root.local)}${root.uri ? ` in namespace ${clip(root.uri)}` : ''}; expected Document in a ${CAMT_NS}.* namespace, or ${OPI_ROOT} (no namespace)`,
    },
  ]);
}

const COLUMNS = ['bookingDate', 'valueDate', 'amount', 'currency', 'creditDebit', 'remittanceInformation', 'bankReference', 'endToEndId'] as const;

export function parseCsvStatement(content: string): StatementEntry[] {
  const rows = content.replace(/^\uFEFF/, '').split(/\r?\n/).map((text, i) => ({ text, line: i + 1 })).filter((r) => r.text.trim() !== '');
  if (rows.length < 2) throw badRequest('the CSV statement needs a header line and at least one movement', [{ field: 'content', message: 'no movements' }]);
  const separator = (rows[0]!.text.match(/;/g)?.length ?? 0) >= (rows[0]!.text.match(/,/g)?.length ?? 0) ? ';' : ',';
  const header = splitCsv(rows[0]!.text, separator).map((h) => h.trim());
  const at = (name: (typeof COLUMNS)[number]) => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  const missing = (['bookingDate', 'amount', 'remittanceInformation'] as const).filter((c) => at(c) < 0);
  if (missing.length > 0) throw badRequest('the CSV header lacks required columns', missing.map((c) => ({ field: `content.header.${c}`, message: 'required column' })));
  const problems: FieldProblem[] = [];
  const entries: StatementEntry[] = [];
  const references = new Map<string, number>();
  for (const { text: row, line } of rows.slice(1)) {
    const cells = splitCsv(row, separator);
    const cell = (name: (typeof COLUMNS)[number]) => (at(name) >= 0 ? (cells[at(name)] ?? '').trim() : '');
    const bookingDate = csvDate(cell('bookingDate'));
    const valueDate = cell('valueDate') ? csvDate(cell('valueDate')) : bookingDate;
    const signed = csvAmount(cell('amount'));
    const currency = cell('currency') || 'EUR';
    const cd = cell('creditDebit').toUpperCase();
    const knownCd = ['', 'CRDT', 'DBIT', 'C', 'D', '+', '-'].includes(cd);
    if (!bookingDate) problems.push({ field: `content.line${line}.bookingDate`, message: 'must be yyyy-MM-dd or dd/MM/yyyy' });
    if (!valueDate) problems.push({ field: `content.line${line}.valueDate`, message: 'must be yyyy-MM-dd or dd/MM/yyyy' });
    if (signed === undefined) problems.push({ field: `content.line${line}.amount`, message: 'must be a decimal amount with at most 2 decimals' });
    if (currency !== 'EUR') problems.push({ field: `content.line${line}.currency`, message: 'must be EUR' });
    if (!knownCd) problems.push({ field: `content.line${line}.creditDebit`, message: 'must be CRDT or DBIT (C/D, +/-)' });
    if (!bookingDate || !valueDate || signed === undefined || currency !== 'EUR' || !knownCd) continue;
    const debit = cd === 'DBIT' || cd === 'D' || cd === '-' || (cd === '' && signed < 0);
    // a debit, or a zero line (a balance, a note), is no credit
    if (debit || signed === 0) continue;
    const remittanceInformation = cell('remittanceInformation');
    const bankReference = cell('bankReference');
    const reference = bankReference || digest([bookingDate, valueDate, String(signed), remittanceInformation]);
    const first = references.get(safeId(reference));
    if (first !== undefined) {
      problems.push(
        bankReference
          ? { field: `content.line${line}.bankReference`, message: `repeats the reference of line ${first}` }
          : { field: `content.line${line}.bankReference`, message: `line ${first} has the same dates, amount and remittance: give each movement its bankReference` },
      );
      continue;
    }
    references.set(safeId(reference), line);
    entries.push({
      movementId: safeId(reference),
      bookingDate,
      valueDate,
      amount: Math.abs(signed),
      remittanceInformation,
      ...(cell('endToEndId') ? { endToEndId: cell('endToEndId') } : {}),
    });
  }
  if (problems.length > 0) throw refused('the CSV statement has invalid movements', problems);
  return entries;
}

export function parseCamt053(content: string): StatementEntry[] {
  return camtEntries(xmlRoot(content, 'the camt.053 statement'));
}

function camtEntries(root: XmlElement): StatementEntry[] {
  if (root.local !== 'Document' || !root.uri.startsWith(CAMT_NS)) {
    throw badRequest('not an ISO 20022 camt.053 document', [{ field: 'content', message: `the root must be Document in a ${CAMT_NS}.* namespace` }]);
  }
  const reports = children(root, 'BkToCstmrStmt');
  if (reports.length === 0) throw badRequest('the camt.053 document holds no statement', [{ field: 'content.BkToCstmrStmt', message: 'required' }]);
  const problems: FieldProblem[] = [];
  const entries: StatementEntry[] = [];
  const references = new Map<string, string>();
  const statements = reports.flatMap((s) => children(s, 'Stmt'));
  statements.forEach((stmt, si) => {
    const stmtId = text(child(stmt, 'Id')) ?? `S${si}`;
    children(stmt, 'Ntry').forEach((ntry, ni) => {
      const where = `content.Stmt${si + 1}.Ntry${ni + 1}`;
      const cdtDbt = text(child(ntry, 'CdtDbtInd'));
      if (cdtDbt !== 'CRDT' && cdtDbt !== 'DBIT') problems.push({ field: `${where}.CdtDbtInd`, message: 'must be CRDT or DBIT' });
      if (cdtDbt !== 'CRDT') return;
      const amount = decimalCents(text(child(ntry, 'Amt')) ?? '');
      const bookingDate = dateOf(child(ntry, 'BookgDt'));
      const valueDate = child(ntry, 'ValDt') ? dateOf(child(ntry, 'ValDt')) : bookingDate;
      if (amount === undefined || amount <= 0) problems.push({ field: `${where}.Amt`, message: 'must be a positive amount with at most 2 decimals' });
      if (!bookingDate) problems.push({ field: `${where}.BookgDt`, message: 'must have Dt or DtTm' });
      if (!valueDate) problems.push({ field: `${where}.ValDt`, message: 'must have Dt or DtTm' });
      if (amount === undefined || amount <= 0 || !bookingDate || !valueDate) return;
      const tx = all(ntry, 'TxDtls');
      const remittance = tx.flatMap((t) => all(t, 'Ustrd').map((u) => u.text.trim())).filter(Boolean);
      const remittanceInformation = remittance.length > 0 ? remittance.join(' ') : (text(child(ntry, 'AddtlNtryInf')) ?? '');
      const endToEndId = tx.map((t) => text(child(child(t, 'Refs'), 'EndToEndId'))).find((v) => v && v !== 'NOTPROVIDED');
      const bankReference = text(child(ntry, 'AcctSvcrRef')) ?? text(child(ntry, 'NtryRef'));
      if (bankReference) {
        const first = references.get(bankReference);
        if (first !== undefined) {
          problems.push({ field: `${where}.AcctSvcrRef`, message: `repeats the reference of ${first}` });
          return;
        }
        references.set(bankReference, where);
      }
      const reference = bankReference ?? digest([stmtId, String(ni), bookingDate, String(amount), remittanceInformation]);
      entries.push({ movementId: safeId(reference), bookingDate, valueDate, amount, remittanceInformation, ...(endToEndId ? { endToEndId } : {}) });
    });
  });
  if (problems.length > 0) throw refused('the camt.053 statement has invalid entries', problems);
  return entries;
}

/** The OPI giornale di cassa (SIOPE+): its SOSPESO ENTRATA credits, executed (see the module's comment). */
export function parseOpiGiornaleDiCassa(content: string): Statement {
  return opiStatement(xmlRoot(content, 'the OPI giornale di cassa'));
}

function opiStatement(root: XmlElement): Statement {
  if (root.local !== OPI_ROOT || root.uri !== '') {
    throw badRequest('not an OPI giornale di cassa', [{ field: 'content', message: `the root must be ${OPI_ROOT} (no namespace)` }]);
  }
  const problems: FieldProblem[] = [];
  const esercizio = text(child(root, 'esercizio'));
  if (!esercizio || !/^\d{4}$/.test(esercizio)) problems.push({ field: 'content.esercizio', message: 'must be the year (yyyy)' });
  const holder = text(child(child(root, 'testata_messaggio'), 'codice_fiscale_ente'));
  if (!holder) problems.push({ field: 'content.testata_messaggio.codice_fiscale_ente', message: 'required' });
  const accounts = children(root, 'informazioni_conto_evidenza');
  if (accounts.length === 0) problems.push({ field: 'content.informazioni_conto_evidenza', message: 'required' });
  const entries: StatementEntry[] = [];
  const references = new Map<string, string>();
  accounts.forEach((account, ai) => {
    children(account, 'movimento_conto_evidenza').forEach((movement, mi) => {
      const where = `content.informazioni_conto_evidenza${ai + 1}.movimento_conto_evidenza${mi + 1}`;
      const value = (name: string) => text(child(movement, name));
      const kind = value('tipo_movimento');
      if (kind !== 'ENTRATA' && kind !== 'USCITA') problems.push({ field: `${where}.tipo_movimento`, message: 'must be ENTRATA or USCITA' });
      const operation = value('tipo_operazione');
      if (kind !== 'ENTRATA' || value('tipo_documento') !== 'SOSPESO ENTRATA' || (operation !== 'ESEGUITO' && operation !== 'STORNATO')) return;
      const reversal = operation === 'STORNATO';
      const amount = decimalCents(value('importo') ?? '');
      const bookingDate = xmlDate(value('data_movimento'));
      const valueDate = value('data_valuta_ente') !== undefined ? xmlDate(value('data_valuta_ente')) : bookingDate;
      const causale = value('causale');
      const bolletta = positiveInteger(value('numero_bolletta_quietanza'));
      const documento = positiveInteger(value('numero_documento'));
      if (amount === undefined || amount <= 0) problems.push({ field: `${where}.importo`, message: 'must be a positive amount with at most 2 decimals' });
      if (!bookingDate) problems.push({ field: `${where}.data_movimento`, message: 'must be a date yyyy-MM-dd' });
      if (!valueDate) problems.push({ field: `${where}.data_valuta_ente`, message: 'must be a date yyyy-MM-dd' });
      if (causale === undefined) problems.push({ field: `${where}.causale`, message: 'required' });
      if (bolletta === undefined && documento === undefined) problems.push({ field: `${where}.numero_bolletta_quietanza`, message: 'required (or numero_documento)' });
      if (amount === undefined || amount <= 0 || !bookingDate || !valueDate || causale === undefined || !esercizio) return;
      if (bolletta === undefined && documento === undefined) return;
      const movementId = bolletta !== undefined ? `GDC-${esercizio}-${bolletta}` : `GDC-${esercizio}-SE${documento}`;
      // a bolletta once as ESEGUITO and at most once as STORNATO (its reversal, later in the journal)
      const first = references.get(`${operation}|${movementId}`);
      if (first !== undefined) {
        problems.push({ field: `${where}.numero_bolletta_quietanza`, message: `repeats the bolletta of ${first}` });
        return;
      }
      references.set(`${operation}|${movementId}`, where);
      const endToEndId = value('end_to_end_id');
      entries.push({
        movementId, bookingDate, valueDate, amount, remittanceInformation: causale,
        ...(endToEndId && endToEndId !== 'NOTPROVIDED' ? { endToEndId } : {}),
        ...(reversal ? { reversal: true as const } : {}),
      });
    });
  });
  if (problems.length > 0) throw refused('the OPI giornale di cassa has invalid movements', problems);
  return { format: 'OPI', entries, ...(holder ? { holder: { fiscalCode: holder, field: 'content.testata_messaggio.codice_fiscale_ente' } } : {}) };
}

// ---- reading ----

function xmlRoot(content: string, what: string): XmlElement {
  const root = readXml(content, 1024 * 1024);
  if (isXmlReadError(root)) throw badRequest(`${what} cannot be read: ${root.message}`, [{ field: 'content', message: root.message }]);
  return root;
}

function readJson(bytes: Buffer, charset: string | undefined): unknown {
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw unsupportedMediaType(`a JSON body is UTF-8, not ${charset}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw badRequest('the body is not valid UTF-8 JSON');
  }
  const unsafe = unsafeTextFields(value);
  if (unsafe.length > 0) throw invalidFields(unsafe);
  return value;
}

function decodeText(bytes: Buffer, charset: string | undefined, accepted: readonly string[]): string {
  const encoding = charset ?? 'utf-8';
  if (!accepted.includes(encoding)) throw unsupportedMediaType(`the charset ${encoding} is not accepted here: ${accepted.join(', ')}`);
  let content: string;
  try {
    content = new TextDecoder(encoding === 'utf8' ? 'utf-8' : encoding, { fatal: true }).decode(bytes);
  } catch {
    throw badRequest(`the body is not valid ${encoding}`, [{ field: 'content', message: `must be ${encoding} text` }]);
  }
  const unsafe = unsafeTextReason(content);
  if (unsafe) throw badRequest('the statement holds characters the layer does not accept', [{ field: 'content', message: unsafe }]);
  return content;
}

/** The statement is refused whole: every problem listed (the first MAX_PROBLEMS, then how many more). */
function refused(detail: string, problems: FieldProblem[]): Error {
  if (problems.length <= MAX_PROBLEMS) return badRequest(detail, problems);
  return badRequest(detail, [...problems.slice(0, MAX_PROBLEMS - 1), { field: 'content', message: `and ${problems.length - MAX_PROBLEMS + 1} more problems` }]);
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

/** An xs:decimal of at most 2 decimals ("1234.5", "0001234.56", "+12") → cents; undefined otherwise. */
function decimalCents(value: string): number | undefined {
  const m = /^\+?(\d{1,13})(?:\.(\d{0,2}))?$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** A positive xs:nonNegativeInteger, without its leading zeros ("0074056" → "74056"); 0 and absent → undefined. */
function positiveInteger(value: string | undefined): string | undefined {
  if (value === undefined || !/^\+?\d{1,18}$/.test(value)) return undefined;
  const digits = value.replace(/^\+?0*/, '');
  return digits === '' ? undefined : digits;
}

/** caller text quoted in a problem, kept short */
const clip = (value: string): string => (value.length > 80 ? `${value.slice(0, 80)}…` : value);

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
  const dt = text(child(el, 'Dt'));
  if (dt !== undefined) return xmlDate(dt);
  const dtTm = text(child(el, 'DtTm'));
  return dtTm !== undefined && /^\d{4}-\d{2}-\d{2}T/.test(dtTm) ? xmlDate(dtTm.slice(0, 10)) : undefined;
}

/** An xs:date (yyyy-MM-dd, maybe with a time zone) → yyyy-MM-dd; anything else undefined. */
function xmlDate(value: string | undefined): string | undefined {
  return value !== undefined && /^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/.test(value) ? csvDate(value) : undefined;
}
