/**
 * The notice document: the data printed on a pagoPA payment notice (avviso di pagamento), as
 * pagoPA's notice guide and its official templates (pagopa/pagopa-template-notice-pdf) lay it
 * out: subject, creditor (with optional logo, CBILL code and postal account), debtor, the single
 * payment (rata unica) and/or the installments (rate), each with its 18-digit notice number.
 * Money is integer cents; dates are ISO calendar dates (YYYY-MM-DD) already expressed in
 * Europe/Rome (a due date is a day, not an instant).
 *
 * The domain owns this model: the position → document mapping (./from-position.ts) builds it,
 * the PDF renderer (shared/notice) prints it.
 */
import * as z from 'zod';
import { MAX_AMOUNT_CENTS } from '../money';

/** Any characters Helvetica/WinAnsiEncoding cannot draw are replaced by '?' when printed. */
const printable = (max: number) => z.string().trim().min(1).max(max);

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const dt = new Date(Date.UTC(y, m - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  }, 'not a calendar date');

const nav = z.string().regex(/^[0-3]\d{17}$/, 'notice number (codice avviso) must be 18 digits');
/**
 * pagoPA allows up to 999.999.999,99 € (MAX_AMOUNT_CENTS), but the QR code and the Poste codeline
 * carry the cents in at most 10 digits: a printable notice stops at 99.999.999,99 €.
 */
export const MAX_PRINTABLE_AMOUNT_CENTS = Math.min(MAX_AMOUNT_CENTS, 9_999_999_999);
const amountCents = z
  .number()
  .int('amount must be an integer number of cents')
  .min(1, 'amount must be at least 1 cent')
  .max(MAX_PRINTABLE_AMOUNT_CENTS, 'amount above 99.999.999,99 euro cannot be printed (10-digit cents in QR and Poste codes)');

export const creditorFiscalCodeSchema = z.string().regex(/^\d{11}$/, 'creditor fiscal code must be 11 digits');

export const logoSchema = z.object({
  bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'logo bytes must be a Uint8Array').refine((b) => b.length > 0 && b.length <= 512 * 1024, 'logo must be 1 byte..512 KB'),
  type: z.enum(['png', 'jpeg']),
});

export const postalAccountSchema = z.object({
  /** conto corrente postale, up to 12 digits (zero-padded in the Data Matrix) */
  number: z.string().regex(/^\d{1,12}$/, 'postal account number must be 1..12 digits'),
  /** intestatario del conto */
  holder: printable(140),
  /** Poste's authorisation line printed under the bollettino, e.g. "AUT. 008/..." */
  authorizationCode: z.string().trim().max(100).optional(),
});

export const creditorSchema = z.object({
  fiscalCode: creditorFiscalCodeSchema,
  name: printable(140),
  /** settore / ufficio, e.g. "Servizio Tributi" */
  sector: z.string().trim().max(140).optional(),
  /** CBILL code of the creditor (5 alphanumerics) */
  cbill: z.string().regex(/^[A-Z0-9]{5}$/, 'CBILL code must be 5 upper-case letters or digits').optional(),
  logo: logoSchema.optional(),
  postalAccount: postalAccountSchema.optional(),
  /** free contact text, e.g. "www.comune.example.it - tel. 0123 456789" */
  info: z.string().trim().max(200).optional(),
});

export const addressSchema = z.object({
  streetName: z.string().trim().max(70).optional(),
  civicNumber: z.string().trim().max(16).optional(),
  postalCode: z.string().trim().max(16).optional(),
  city: z.string().trim().max(70).optional(),
  province: z.string().trim().max(4).optional(),
});

export const debtorSchema = z
  .object({
    type: z.enum(['F', 'G']),
    /** codice fiscale (16) for a person, partita IVA / fiscal code (11) for a legal entity */
    // ANONIMO: a debtor without a fiscal code (GPD accepts it for natural persons)
    fiscalCode: z.string().regex(/^([A-Za-z0-9]{16}|\d{11}|ANONIMO)$/, 'debtor fiscal code must be 16 characters, 11 digits or ANONIMO'),
    fullName: printable(70),
    address: addressSchema.optional(),
  })
  .refine((d) => formatAddressLines(d.address).join(' ').length <= 140, {
    message: 'debtor address must be at most 140 characters',
    path: ['address'],
  });

export const singlePaymentSchema = z.object({
  nav,
  amountCents,
  dueDate: isoDate.optional(),
  description: z.string().trim().max(140).optional(),
});

export const installmentSchema = z.object({
  nav,
  amountCents,
  dueDate: isoDate,
});

export const noticeDocumentSchema = z
  .object({
    /** oggetto dell'avviso */
    subject: printable(90),
    creditor: creditorSchema,
    debtor: debtorSchema,
    /** rata unica */
    singlePayment: singlePaymentSchema.optional(),
    /** rate, in order */
    installments: z.array(installmentSchema).max(36).default([]),
  })
  .superRefine((doc, ctx) => {
    if (!doc.singlePayment && doc.installments.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'a notice needs a single payment or at least one installment', path: [] });
    }
    if (!doc.singlePayment && doc.installments.length === 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'a single installment without a single payment is a single payment: pass it as singlePayment',
        path: ['installments'],
      });
    }
    const seen = new Set<string>();
    const navs = [doc.singlePayment?.nav, ...doc.installments.map((i) => i.nav)];
    navs.forEach((n, i) => {
      if (n === undefined) return;
      if (seen.has(n)) {
        ctx.addIssue({ code: 'custom', message: `notice number ${n} appears twice`, path: i === 0 ? ['singlePayment', 'nav'] : ['installments', i - 1, 'nav'] });
      }
      seen.add(n);
    });
  });

export type NoticeDocument = z.input<typeof noticeDocumentSchema>;
export type ValidNoticeDocument = z.output<typeof noticeDocumentSchema>;
export type NoticeAddress = z.infer<typeof addressSchema>;

/** Address as printed: "Via Roma 1" / "00100 Roma (RM)". Empty parts are left out. */
export function formatAddressLines(address: NoticeAddress | undefined): string[] {
  if (!address) return [];
  const line1 = [address.streetName, address.civicNumber].filter((s) => s && s.length > 0).join(' ');
  const province = address.province ? `(${address.province})` : '';
  const line2 = [address.postalCode, address.city, province].filter((s) => s && s.length > 0).join(' ');
  return [line1, line2].filter((l) => l.length > 0);
}

export class NoticeValidationError extends Error {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(`invalid notice: ${issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('; ')}`);
    this.name = 'NoticeValidationError';
  }
}

export function parseNoticeDocument(doc: NoticeDocument): ValidNoticeDocument {
  const result = noticeDocumentSchema.safeParse(doc);
  if (!result.success) {
    throw new NoticeValidationError(
      result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return result.data;
}
