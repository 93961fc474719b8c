/**
 * The reconciliation API's wire shapes: the queries its GET routes parse, the treasury statement
 * body, and the mapping of stored flows / lines / movements / anomalies to responses. Amounts are
 * integer euro cents, as everywhere in this API (FdR's decimal euros are converted on the way in).
 */
import * as z from 'zod';
import { defuseFormula } from './csv';
import { LINE_STATES } from '../domain/reporting-flow';
import { RECONCILIATION_ANOMALY_KINDS, type StoredFlow, type StoredLine } from '../use-cases/reconciliation/ports';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date yyyy-MM-dd');
const instantOrDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'must be a date (yyyy-MM-dd) or an ISO date-time')
  .refine((v) => !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)), 'must be a real date');
const limit = z.coerce.number().int().min(1).max(100).default(50);
const cursor = z.string().min(1).max(2000).optional();

/** [from, to] as ISO UTC bounds: a bare `to` date covers its whole day. */
export function windowOf(query: { from?: string | undefined; to?: string | undefined }): { from?: string; to?: string } {
  const iso = (v: string, end: boolean) => (v.length === 10 ? `${v}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : new Date(v).toISOString());
  return { ...(query.from ? { from: iso(query.from, false) } : {}), ...(query.to ? { to: iso(query.to, true) } : {}) };
}

export const reportingFlowListQuerySchema = z.strictObject({
  from: instantOrDay.optional().meta({ description: 'Flows whose flow date is at or after this (yyyy-MM-dd or ISO date-time).' }),
  to: instantOrDay.optional().meta({ description: 'Flows whose flow date is at or before this (a date covers its whole day).' }),
  status: z.enum(['MATCHED', 'ANOMALOUS']).optional().meta({ description: 'MATCHED: every line found its receipt transfer and the header adds up.' }),
  limit: limit.meta({ description: 'Page size, 1..100 (default 50).' }),
  cursor: cursor.meta({ description: 'The `cursor` of the previous page.' }),
});

export const reportingFlowDetailQuerySchema = z.strictObject({
  pspId: z.string().min(1).max(35).optional().meta({ description: 'The PSP, when two PSPs used the same flow name.' }),
});

export const reconciliationSummaryQuerySchema = z.strictObject({
  from: instantOrDay.optional().meta({ description: 'Receipts recorded at or after this.' }),
  to: instantOrDay.optional().meta({ description: 'Receipts recorded at or before this (a date covers its whole day).' }),
});

export const reconciliationAnomaliesQuerySchema = z.strictObject({
  kind: z.enum(RECONCILIATION_ANOMALY_KINDS).optional(),
  open: z.enum(['true', 'false']).optional().meta({ description: 'true: only those not settled since; false: only settled ones.' }),
  limit: limit.meta({ description: 'Page size, 1..100 (default 50).' }),
  cursor: cursor.meta({ description: 'The `cursor` of the previous page.' }),
});

export const treasuryMovementsQuerySchema = z.strictObject({
  from: day.optional().meta({ description: 'Value date from (yyyy-MM-dd).' }),
  to: day.optional().meta({ description: 'Value date to (yyyy-MM-dd).' }),
  status: z.enum(['CREDITED', 'AMOUNT_DIFFERS', 'OPEN', 'REVERSED']).optional(),
  limit: limit.meta({ description: 'Page size, 1..100 (default 50).' }),
  cursor: cursor.meta({ description: 'The `cursor` of the previous page.' }),
});

/**
 * 1 MB body limit: the statement text is at most ~900 KB. The same route also takes the file
 * itself as the body (text/csv, application/xml): shared/http/treasury-statement.ts.
 */
export const treasuryStatementSchema = z
  .strictObject({
    format: z.enum(['CSV', 'CAMT053', 'OPI']).meta({
      description:
        'CSV: the layout documented in the README; CAMT053: ISO 20022 camt.053 (BankToCustomerStatement, 001.02 and later); ' +
        'OPI: the SIOPE+ giornale di cassa of the treasurer (OPI_GIORNALE_DI_CASSA XSD 1.4, 1.6.1, 1.7.1, 1.8), its SOSPESO ENTRATA movements.',
    }),
    content: z.string().min(1).max(900_000).meta({ description: 'The statement file, as text.' }),
    fileName: z.string().max(200).optional(),
  })
  .meta({
    description:
      'A treasury statement. Instead of this JSON, the file itself may be the body: Content-Type text/csv (the CSV layout; charset utf-8, ' +
      'iso-8859-1 or windows-1252) or application/xml / text/xml (camt.053 or OPI giornale di cassa, told apart by the root element; UTF-8). ' +
      'Any other type is 415. A statement with any invalid movement is refused whole (400 naming every offending field); nothing of it is imported.',
  });

export const flowIdParamSchema = z.string().regex(/^[A-Za-z0-9_-]{1,35}$/);

export const flowResponseSchema = z.object({
  flowId: z.string(),
  pspId: z.string(),
  pspName: z.string().optional(),
  revision: z.number().int(),
  published: z.string(),
  flowDate: z.string(),
  regulation: z.string(),
  regulationDate: z.string(),
  bicCodePouringBank: z.string().optional(),
  totPayments: z.number().int(),
  sumPayments: z.number().int().meta({ description: 'cents' }),
  status: z.enum(['MATCHED', 'ANOMALOUS']),
  lines: z.record(z.enum(LINE_STATES), z.object({ count: z.number().int(), amount: z.number().int() })),
  headerProblems: z.array(z.string()),
  treasury: z.object({ movementId: z.string(), amount: z.number().int(), status: z.enum(['CREDITED', 'AMOUNT_DIFFERS']), at: z.string() }).optional(),
  acquiredAt: z.string(),
});

export function toFlowResponse(f: StoredFlow): z.infer<typeof flowResponseSchema> {
  const lines: Record<string, { count: number; amount: number }> = {};
  for (const s of LINE_STATES) if ((f.counts[s] ?? 0) > 0) lines[s] = { count: f.counts[s] ?? 0, amount: f.sums[s] ?? 0 };
  return {
    flowId: f.flowId,
    pspId: f.pspId,
    ...(f.pspName ? { pspName: f.pspName } : {}),
    revision: f.revision,
    published: f.published,
    flowDate: f.flowDate,
    regulation: f.regulation,
    regulationDate: f.regulationDate,
    ...(f.bicCodePouringBank ? { bicCodePouringBank: f.bicCodePouringBank } : {}),
    totPayments: f.totPayments,
    sumPayments: f.sumPayments,
    status: f.state,
    lines,
    headerProblems: [...f.headerProblems],
    ...(f.treasury ? { treasury: { movementId: f.treasury.movementId, amount: f.treasury.amount, status: f.treasury.state, at: f.treasury.at } } : {}),
    acquiredAt: f.acquiredAt,
  };
}

export function toLineResponse(l: StoredLine) {
  return {
    index: l.index,
    iuv: l.iuv,
    iur: l.iur,
    idTransfer: l.idTransfer,
    amount: l.amount,
    payStatus: l.payStatus,
    payDate: l.payDate,
    matchStatus: l.state,
    ...(l.iupd ? { iupd: l.iupd } : {}),
    ...(l.nav ? { nav: l.nav } : {}),
    ...(l.detail ? { detail: l.detail } : {}),
  };
}

/** The ragioneria's CSV: `;`-separated, amounts in euros with a decimal point, one row per accounting key and state. */
export function accountingCsv(rows: ReadonlyArray<{ category: string; metadata: string; state: string; count: number; amount: number }>): string {
  // text from the back office's metadata: never a formula when the ragioneria opens it in a spreadsheet
  const cell = (raw: string) => {
    const v = defuseFormula(raw);
    return /[;"\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  };
  const euros = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  return `${['category;metadata;state;transfers;amountEUR', ...rows.map((r) => [cell(r.category), cell(r.metadata), r.state, String(r.count), euros(r.amount)].join(';'))].join('\n')}\n`;
}
