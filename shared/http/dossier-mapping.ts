/**
 * The citizen's dossier as GET /organizations/{ofc}/debtors/{fiscalCode}/dossier?limit=&cursor=
 * answers it: per position (newest first) its options, where its notice is served (or why there
 * is none), its receipts and the messages sent about it; `cursor` when more positions follow.
 */
import * as z from 'zod';
import { DOSSIER_PAGE_SIZE, dossierQueryProblems, type Dossier, type DossierQuery } from '../use-cases/dossier/debtor-dossier';
import { MAX_CURSOR_LENGTH } from '../use-cases/dossier/cursor';
import { invalidFields, type FieldProblem } from './problem';
import { fieldProblems } from './zod-errors';

export const dossierQuerySchema = z.strictObject({
  /** positions on the page (default 20) */
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, `must be a whole number from 1 to ${DOSSIER_PAGE_SIZE.max}`)
    .max(DOSSIER_PAGE_SIZE.max, `at most ${DOSSIER_PAGE_SIZE.max} per page`)
    .optional(),
  /** from the previous page's `cursor` */
  cursor: z.string().min(1, 'use the cursor of the previous page as is').max(MAX_CURSOR_LENGTH, 'use the cursor of the previous page as is').optional(),
});

/**
 * The path's fiscal code and the query string → the use case's query. Every offending field is
 * named in one 400: the query's (`limit`, `cursor`, any parameter the route does not take) and
 * the fiscal code's.
 */
export function dossierQuery(fiscalCode: string, query: Readonly<Record<string, string>>): DossierQuery {
  const parsed = dossierQuerySchema.safeParse(query);
  const problems: FieldProblem[] = parsed.success ? [] : queryProblems(parsed.error);
  // the fiscal code, and the cursor as sent, are checked whatever else is wrong
  const rawCursor = query['cursor'];
  for (const p of dossierQueryProblems({ fiscalCode, ...(rawCursor !== undefined && rawCursor !== '' ? { cursor: rawCursor } : {}) })) {
    if (!problems.some((q) => q.field === p.field)) problems.push(p);
  }
  if (!parsed.success || problems.length > 0) throw invalidFields(problems);
  return {
    fiscalCode,
    ...(parsed.data.limit !== undefined ? { limit: parsed.data.limit } : {}),
    ...(parsed.data.cursor !== undefined ? { cursor: parsed.data.cursor } : {}),
  };
}

function queryProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: 'is not a parameter of this route (limit, cursor)' }))
      : fieldProblems(new z.ZodError([issue])),
  );
}

export function dossierJson(dossier: Dossier) {
  const ofc = dossier.organizationFiscalCode;
  return {
    organizationFiscalCode: ofc,
    fiscalCode: dossier.fiscalCode,
    positions: dossier.positions.map(({ position: p, status, notice, receipts, messages }) => ({
      iupd: p.iupd,
      status,
      companyName: p.companyName,
      insertedDate: p.insertedDate,
      ...(p.publishDate ? { publishDate: p.publishDate } : {}),
      paymentOptions: p.paymentOptions.map((o) => ({
        nav: o.nav,
        iuv: o.iuv,
        amount: o.amount,
        description: o.description,
        dueDate: o.dueDate,
        isPartialPayment: o.isPartialPayment,
        status: o.status,
      })),
      notice: notice.available
        ? { available: true, href: `/organizations/${ofc}/debtpositions/${encodeURIComponent(p.iupd)}/notice` }
        : { available: false, reason: notice.reason },
      receipts: receipts.map((r) => ({
        receiptId: r.receiptId,
        nav: r.nav,
        iuv: r.iuv,
        state: r.state,
        amount: r.receipt.paymentAmount,
        ...(r.receipt.paymentDateTime ? { paymentDateTime: r.receipt.paymentDateTime } : {}),
        psp: r.receipt.PSPCompanyName,
        recordedAt: r.recordedAt,
      })),
      messages: messages.map((m) => ({
        nav: m.nav,
        kind: m.kind,
        state: m.state,
        attempts: m.attempts,
        ...(m.channel ? { channel: m.channel } : {}),
        ...(m.serviceId ? { serviceId: m.serviceId } : {}),
        ...(m.ioMessageId ? { ioMessageId: m.ioMessageId } : {}),
        ...(m.sentAt ? { sentAt: m.sentAt } : {}),
        ...(m.detail ? { detail: m.detail } : {}),
        updatedAt: m.updatedAt,
      })),
    })),
    ...(dossier.cursor !== undefined ? { cursor: dossier.cursor } : {}),
    truncated: dossier.truncated,
  };
}
