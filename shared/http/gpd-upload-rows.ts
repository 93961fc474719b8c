/**
 * The rows of an upload file turned into positions with exactly the REST API's code: a GPD JSON
 * element is parsed with the same zod schema as POST …/debtpositions (paymentPositionSchema),
 * its cross-field rules asked the same way (positionRuleProblems) and mapped by the same
 * function (toPositionContent); the use case then checks the domain rules as createDebtPosition
 * does. A GovPay CSV row is first written as the GPD JSON it stands for, then goes the same way.
 *
 * GovPay's default CSV layout (link-it/govpay docs/cruscotto/conduzione/caricamentimassivi/
 * formatoCSV.rst): one row per pendenza, comma separated, `"` quoting, columns by header name;
 * up to five voci (idVoce1…5, importoVoce1…, descrizioneVoce1…, ibanAccreditoVoce1…, …).
 * Consecutive rows with the same idDocumento are the installments (numeroRata) of one
 * document: one debt position (iupd = idDocumento) with one payment option per row; a row
 * without idDocumento is a position of its own (iupd = idPendenza).
 */
import { MAX_TRANSFERS_PER_OPTION } from '../domain/debt-position-rules';
import type { Organization } from '../domain/organization';
import { FileRefused, type CsvHeaderCheck, type DecodedRow, type RawRow, type RowDecoder, type RowDecoderFactory, type RowOutcome } from '../use-cases/bulk-upload/ports';
import type { UploadReport } from '../use-cases/bulk-upload/uploads';
import { positionRuleProblems, toPositionContent } from './debt-position-mapping';
import { iupd as iupdSchema, paymentPositionSchema } from './debt-position-schemas';
import { csvCell } from './csv';
import { fieldProblems } from './zod-errors';

// ---- GovPay CSV columns ----

export const GOVPAY_PENDENZA_COLUMNS = [
  'idA2A', 'idPendenza', 'idDominio', 'numeroAvviso', 'tipoPendenza', 'idUnitaOperativa', 'causale', 'annoRiferimento',
  'cartellaPagamento', 'datiAllegati', 'direzione', 'divisione', 'importo', 'dataValidita', 'dataScadenza', 'tassonomiaAvviso',
  'tipoSoggettoPagatore', 'identificativoPagatore', 'anagraficaPagatore', 'indirizzoPagatore', 'civicoPagatore', 'capPagatore',
  'localitaPagatore', 'provinciaPagatore', 'nazionePagatore', 'emailPagatore', 'cellularePagatore',
] as const;
export const GOVPAY_VOCE_COLUMNS = [
  'idVoce', 'importoVoce', 'descrizioneVoce', 'ibanAccreditoVoce', 'ibanAppoggioVoce', 'tipoContabilitaVoce',
  'codiceContabilitaVoce', 'tipoEntrataVoce', 'tipoBolloVoce', 'hashBolloVoce', 'provinciaBolloVoce',
] as const;
export const GOVPAY_TAIL_COLUMNS = ['dataAvvisatura', 'idDocumento', 'descrizioneDocumento', 'numeroRata', 'linguaSecondaria'] as const;
const REQUIRED_COLUMNS = ['idA2A', 'idPendenza', 'idDominio', 'causale', 'importo', 'tipoSoggettoPagatore', 'identificativoPagatore', 'anagraficaPagatore', 'idVoce1', 'importoVoce1', 'descrizioneVoce1'];
const KNOWN_COLUMNS = new Set<string>([
  ...GOVPAY_PENDENZA_COLUMNS,
  ...Array.from({ length: MAX_TRANSFERS_PER_OPTION }, (_, i) => GOVPAY_VOCE_COLUMNS.map((c) => `${c}${i + 1}`)).flat(),
  ...GOVPAY_TAIL_COLUMNS,
]);
/** The columns GovPay's result file (esito) echoes from each row. */
const ECHOED = ['idA2A', 'idPendenza', 'idDominio', 'tipoPendenza', 'tipoSoggettoPagatore', 'identificativoPagatore', 'anagraficaPagatore', 'indirizzoPagatore', 'civicoPagatore', 'capPagatore', 'localitaPagatore', 'provinciaPagatore', 'nazionePagatore', 'emailPagatore', 'cellularePagatore'];

/** GovPay's default result header (esito), the columns in order. */
export const GOVPAY_RESULT_COLUMNS = [
  'idA2A', 'idPendenza', 'idDominio', 'tipoPendenza', 'numeroAvviso', 'pdfAvviso', 'tipoSoggettoPagatore', 'identificativoPagatore',
  'anagraficaPagatore', 'indirizzoPagatore', 'civicoPagatore', 'capPagatore', 'localitaPagatore', 'provinciaPagatore',
  'nazionePagatore', 'emailPagatore', 'cellularePagatore', 'errore',
] as const;

export const checkGovpayHeader: CsvHeaderCheck = (columns) => {
  const unknown = columns.filter((c) => !KNOWN_COLUMNS.has(c));
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const twice = columns.filter((c, i) => columns.indexOf(c) !== i);
  const problems = [
    unknown.length > 0 ? `unknown columns: ${unknown.join(', ')}` : '',
    missing.length > 0 ? `missing columns: ${missing.join(', ')}` : '',
    twice.length > 0 ? `columns named twice: ${[...new Set(twice)].join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new FileRefused(422, `the CSV header is not GovPay's layout (${problems.join('; ')})`);
};

// ---- decoders ----

export const uploadRowDecoder: RowDecoderFactory = (format, operation, organization, now) => {
  if (operation === 'DELETE') return format === 'json' ? jsonIupdDecoder() : csvDecoder(organization, now, true);
  return format === 'json' ? jsonPositionDecoder(organization, now) : csvDecoder(organization, now, false);
};

const stringAt = (value: unknown, key: string): string | undefined => {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/** A GPD PaymentPositionModel, as the REST create parses it. */
function decodePosition(value: unknown, line: number, organization: Organization, now: Date, echo?: Readonly<Record<string, string>>[], lines?: number[]): DecodedRow {
  const iupd = stringAt(value, 'iupd') ?? `(line ${line})`;
  const base = { line, iupd, ...(echo ? { echo } : {}), ...(lines && lines.length > 1 ? { lines } : {}) };
  const owner = stringAt(value, 'organizationFiscalCode');
  const tenantErrors = owner !== undefined && owner !== organization.fiscalCode ? [{ field: 'organizationFiscalCode', message: `the position is of the organization ${owner}, not of ${organization.fiscalCode}` }] : [];
  const parsed = paymentPositionSchema.safeParse(value);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error);
    const named = new Set(problems.map((p) => p.field));
    for (const p of positionRuleProblems({ organization, now, requireFutureDueDates: true })(value)) if (!named.has(p.field)) problems.push(p);
    return { ...base, errors: [...tenantErrors, ...problems] };
  }
  if (tenantErrors.length > 0) return { ...base, errors: tenantErrors };
  return { ...base, content: toPositionContent(parsed.data), errors: [] };
}

function jsonPositionDecoder(organization: Organization, now: Date): RowDecoder {
  return { push: (row) => [decodePosition(row.value, row.line, organization, now)], end: () => [] };
}

function jsonIupdDecoder(): RowDecoder {
  return {
    push: (row) => {
      const parsed = iupdSchema.safeParse(row.value);
      if (parsed.success) return [{ line: row.line, iupd: parsed.data, errors: [] }];
      return [{ line: row.line, iupd: typeof row.value === 'string' ? row.value : `(line ${row.line})`, errors: [{ field: 'paymentPositionIUPDs', message: parsed.error.issues[0]?.message ?? 'not an iupd' }] }];
    },
    end: () => [],
  };
}

type CsvRecord = Readonly<Record<string, string>>;

/** Consecutive rows of one idDocumento are one position; a document seen again later is refused. */
function csvDecoder(organization: Organization, now: Date, deleting: boolean): RowDecoder {
  let group: Array<{ line: number; record: CsvRecord }> = [];
  const closed = new Set<string>();
  const emit = (): DecodedRow[] => {
    if (group.length === 0) return [];
    const rows = group;
    group = [];
    return [csvPosition(rows, organization, now, deleting)];
  };
  return {
    push(row: RawRow) {
      const value = row.value as Record<string, unknown>;
      if (row.line === 0 && Array.isArray(value['header'])) {
        checkGovpayHeader(value['header'] as string[]);
        return [];
      }
      const record = value as CsvRecord;
      const document = (record['idDocumento'] ?? '').trim();
      const current = group[0] ? (group[0].record['idDocumento'] ?? '').trim() : undefined;
      if (document === '') {
        if (current !== undefined) closed.add(current);
        return [...emit(), csvPosition([{ line: row.line, record }], organization, now, deleting)];
      }
      if (current === document) {
        group.push({ line: row.line, record });
        return [];
      }
      const out = emit();
      if (current !== undefined) closed.add(current);
      if (closed.has(document)) {
        out.push({ line: row.line, iupd: document, errors: [{ field: 'idDocumento', message: `the installments of document ${document} must be consecutive rows` }], echo: [echoOf(record)] });
        return out;
      }
      group.push({ line: row.line, record });
      return out;
    },
    end: emit,
  };
}

function echoOf(record: CsvRecord): Record<string, string> {
  return Object.fromEntries(ECHOED.map((c) => [c, record[c] ?? '']));
}

/** "123.45" → 12345 cents; undefined when it is not an amount with at most two decimals. */
function cents(text: string | undefined): number | undefined {
  const t = (text ?? '').trim();
  if (!/^\d{1,8}(\.\d{1,2})?$/.test(t)) return undefined;
  const [units, decimals = ''] = t.split('.');
  return Number(units) * 100 + Number(decimals.padEnd(2, '0'));
}

function csvPosition(rows: ReadonlyArray<{ line: number; record: CsvRecord }>, organization: Organization, now: Date, deleting: boolean): DecodedRow {
  const first = rows[0]!;
  const r = first.record;
  const document = (r['idDocumento'] ?? '').trim();
  const iupd = document !== '' ? document : (r['idPendenza'] ?? '').trim();
  const echo = rows.map((x) => echoOf(x.record));
  const lines = rows.map((x) => x.line);
  const errors: Array<{ field: string; message: string }> = [];
  for (const { record, line } of rows) {
    const at = rows.length > 1 ? `line ${line}: ` : '';
    if ((record['idDominio'] ?? '').trim() !== organization.fiscalCode) {
      errors.push({ field: 'idDominio', message: `${at}the row is for the organization ${record['idDominio'] || '(none)'}, not for ${organization.fiscalCode}` });
    }
  }
  if (deleting || errors.length > 0) {
    const bad = !iupdSchema.safeParse(iupd).success ? [{ field: 'idPendenza', message: 'must be 1..70 characters among A-Z a-z 0-9 . _ -' }] : [];
    return { line: first.line, iupd, errors: [...errors, ...bad], echo, ...(lines.length > 1 ? { lines } : {}) };
  }
  const options = rows.map(({ record, line }) => {
    const at = rows.length > 1 ? `line ${line}: ` : '';
    const amount = cents(record['importo']);
    if (amount === 0) errors.push({ field: 'importo', message: `${at}an annulment (importo 0) is a DELETE upload` });
    else if (amount === undefined) errors.push({ field: 'importo', message: `${at}must be an amount in euro with a dot and at most two decimals (e.g. 120.50)` });
    if ((record['dataScadenza'] ?? '').trim() === '') errors.push({ field: 'dataScadenza', message: `${at}is required: a pagoPA debt position has a due date` });
    const transfers = Array.from({ length: MAX_TRANSFERS_PER_OPTION }, (_, k) => k + 1)
      .filter((i) => (record[`idVoce${i}`] ?? '').trim() !== '')
      .map((i) => {
        if ((record[`tipoEntrataVoce${i}`] ?? '').trim() !== '' && (record[`ibanAccreditoVoce${i}`] ?? '').trim() === '') {
          errors.push({ field: `tipoEntrataVoce${i}`, message: `${at}entrate configured in GovPay are not known here: give ibanAccreditoVoce${i} and codiceContabilitaVoce${i}` });
        }
        const code = (record[`codiceContabilitaVoce${i}`] ?? '').trim();
        const stamp = (record[`tipoBolloVoce${i}`] ?? '').trim();
        const voceAmount = cents(record[`importoVoce${i}`]);
        if (voceAmount === undefined) errors.push({ field: `importoVoce${i}`, message: `${at}must be an amount in euro with a dot and at most two decimals` });
        return {
          idTransfer: String(i),
          amount: voceAmount ?? 0,
          remittanceInformation: record[`descrizioneVoce${i}`] ?? '',
          // pagoPA's taxonomy code (tipologia/codice/) as GovPay's codiceContabilita carries it, or 9/<codice>/ (SPECIALE)
          category: code.includes('/') ? code : `9/${code}/`,
          ...((record[`ibanAccreditoVoce${i}`] ?? '').trim() !== '' ? { iban: record[`ibanAccreditoVoce${i}`]!.trim() } : {}),
          ...(stamp !== '' ? { stamp: { stampType: stamp, hashDocument: record[`hashBolloVoce${i}`] ?? '', provincialResidence: record[`provinciaBolloVoce${i}`] ?? '' } } : {}),
        };
      });
    const installment = (record['numeroRata'] ?? '').trim();
    const description = (record['causale'] ?? '').trim();
    return {
      ...((record['numeroAvviso'] ?? '').trim() !== '' ? { nav: record['numeroAvviso']!.trim() } : {}),
      amount: amount ?? 0,
      description,
      isPartialPayment: installment !== '',
      dueDate: (record['dataScadenza'] ?? '').trim(),
      transfer: transfers,
    };
  });
  const wire = {
    iupd,
    type: (r['tipoSoggettoPagatore'] ?? '').trim(),
    fiscalCode: (r['identificativoPagatore'] ?? '').trim(),
    fullName: (r['anagraficaPagatore'] ?? '').trim(),
    ...optional('streetName', r['indirizzoPagatore']),
    ...optional('civicNumber', r['civicoPagatore']),
    ...optional('postalCode', r['capPagatore']),
    ...optional('city', r['localitaPagatore']),
    ...optional('province', r['provinciaPagatore']),
    ...optional('country', r['nazionePagatore']),
    ...optional('email', r['emailPagatore']),
    ...optional('phone', r['cellularePagatore']),
    paymentOption: options,
  };
  const decoded = decodePosition(wire, first.line, organization, now, echo, lines);
  return errors.length > 0 ? { line: first.line, iupd, errors: [...errors, ...decoded.errors], echo, ...(lines.length > 1 ? { lines } : {}) } : decoded;
}

function optional(key: string, value: string | undefined): Record<string, string> {
  const v = (value ?? '').trim();
  return v === '' ? {} : { [key]: v };
}

// ---- result CSV ----


/** GovPay's result file: one line per row of the file, numeroAvviso for the rows accepted, errore for the others. */
export function* govpayResultLines(outcomes: Iterable<{ status: number; reasons?: readonly string[]; navs?: readonly string[]; echo?: ReadonlyArray<Readonly<Record<string, string>>> }>, organizationFiscalCode: string): Generator<string> {
  yield GOVPAY_RESULT_COLUMNS.join(',');
  for (const o of outcomes) {
    const echoes = o.echo ?? [{}];
    for (let i = 0; i < echoes.length; i++) {
      const echo = echoes[i] ?? {};
      const ok = o.status < 300;
      const nav = ok ? (o.navs?.[i] ?? o.navs?.[0] ?? '') : '';
      const row: Record<string, string> = ok
        ? { ...echo, numeroAvviso: nav, pdfAvviso: nav ? `${organizationFiscalCode}_${nav}.pdf` : '', errore: '' }
        : { errore: (o.reasons ?? []).join('; ') };
      yield GOVPAY_RESULT_COLUMNS.map((c) => csvCell(row[c] ?? '')).join(',');
    }
  }
}

/** GovPay's result file of an ended upload, its rows in file order, CRLF-terminated (UTF-8). */
export async function govpayResultFile(report: UploadReport): Promise<Buffer> {
  const outcomes: RowOutcome[] = [];
  for await (const o of report.outcomes) outcomes.push(o);
  outcomes.sort((a, b) => a.line - b.line);
  return Buffer.from([...govpayResultLines(outcomes, report.upload.organizationFiscalCode)].join('\r\n') + '\r\n', 'utf8');
}
