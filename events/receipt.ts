/**
 * The receipts queue's contract: a message body is one payment receipt (the domain's `Receipt`,
 * shared/domain/receipt.ts) as JSON, validated here before the receipt processor trusts it, and by
 * both intakes (the node station and the JSON webhook) before a receipt is queued, so nothing is
 * answered OK that the processor could not read or store:
 * - the XSD's limits (paForNode.xsd ctReceiptV2, sac-common-types-1.0.xsd: stText35 and friends
 *   count characters, i.e. code points; patterns; amounts as integer cents);
 * - what storage can hold, counted in UTF-8 bytes: receiptId (a key part, MAX_RECEIPT_ID_BYTES)
 *   and the whole receipt (one SQS message and one DynamoDB item, MAX_RECEIPT_JSON_BYTES);
 * - the layer's text rules on every string (shared/domain/text.ts: no control characters, unpaired
 *   surrogates or bidirectional overrides), and none of U+FFFE / U+FFFF, which an SQS message
 *   cannot carry.
 * The schema is checked against the domain type at compile time: it yields a `Receipt` and has
 * exactly its fields.
 */
import * as z from 'zod';
import { MAX_RECEIPT_ID_BYTES, MAX_RECEIPT_JSON_BYTES, codePointLength, utf8Length, type Metadata, type Receipt, type ReceiptSubject, type ReceiptTransfer } from '../shared/domain/receipt';
import { unsafeTextReason } from '../shared/domain/text';

const MAX_CENTS = 99_999_999_999;
/** characters outside what an SQS message may contain (#x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF, tab, LF, CR) */
const NOT_SQS_TEXT = /[\uFFFE\uFFFF]/;

/** Why a receipt's string is refused by the text rules, or undefined. */
export function receiptTextProblem(value: string): string | undefined {
  return unsafeTextReason(value) ?? (NOT_SQS_TEXT.test(value) ? 'must not contain the non-characters U+FFFE or U+FFFF' : undefined);
}

const safe = <S extends z.ZodString>(schema: S) =>
  schema.superRefine((value, ctx) => {
    const problem = receiptTextProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** common:stTextN: min..max characters (code points, as the XSD counts them), safe text */
const text = (max: number, min = 1) =>
  safe(z.string()).refine((s) => {
    const n = codePointLength(s);
    return n >= min && n <= max;
  }, `must be ${min}..${max} characters`);
const cents = z.number().int().min(0).max(MAX_CENTS);
const positiveCents = cents.min(1);
const fiscalCodePA = z.string().regex(/^[0-9]{11}$/, 'must be 11 digits');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?$/, 'must be a date YYYY-MM-DD');
const isoDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/, 'must be a date-time YYYY-MM-DDThh:mm:ss');
/** common:stEMail */
const email = z
  .string()
  .max(256, 'must be at most 256 characters')
  .regex(/^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/, 'must be an e-mail address');
/** xsd:base64Binary (the stamp, MBDAttachment) */
const base64 = z
  .string()
  .min(4, 'must be base64')
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
/** xsd:string in the XSD; a key of the layer's receipts, so bounded in bytes (MAX_RECEIPT_ID_BYTES) */
export const receiptIdSchema = safe(z.string().min(1, 'must not be empty')).refine(
  (s) => utf8Length(s) <= MAX_RECEIPT_ID_BYTES,
  `must be at most ${MAX_RECEIPT_ID_BYTES} bytes (UTF-8)`,
);

export const metadataSchema = z.array(z.object({ key: text(140), value: text(140) })).min(1).max(15) satisfies z.ZodType<Metadata>;

export const subjectSchema = z.object({
  /** F = natural person (persona fisica), G = legal person (persona giuridica) */
  entityUniqueIdentifierType: z.enum(['F', 'G']),
  /** codice fiscale or partita IVA ("ANONIMO" for anonymous payers) */
  entityUniqueIdentifierValue: text(16, 2),
  fullName: text(70),
  streetName: text(70).optional(),
  civicNumber: text(16).optional(),
  postalCode: text(16).optional(),
  city: text(35).optional(),
  stateProvinceRegion: text(35).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be 2 capital letters').optional(),
  email: email.optional(),
}) satisfies z.ZodType<ReceiptSubject>;

export const receiptTransferSchema = z
  .object({
    idTransfer: z.number().int().min(1).max(5),
    transferAmount: positiveCents,
    fiscalCodePA,
    companyName: text(140).optional(),
    /** the account credited (bank or postal IBAN) */
    IBAN: text(35).optional(),
    /** V2 only: the digital stamp (marca da bollo) bought, base64 of its XML */
    MBDAttachment: base64.optional(),
    remittanceInformation: text(140),
    /** taxonomy code (tassonomia), e.g. 9/0101002IM/ */
    transferCategory: text(140),
    metadata: metadataSchema.optional(),
  })
  .refine((t) => (t.IBAN === undefined) !== (t.MBDAttachment === undefined), {
    message: 'a transfer has exactly one of IBAN or MBDAttachment',
    path: ['IBAN'],
  }) satisfies z.ZodType<ReceiptTransfer>;

export const receiptSchema = z
  .object({
    /** unique id of the receipt given by the node (the payment token) */
    receiptId: receiptIdSchema,
    noticeNumber: z.string().regex(/^[0-9]{18}$/, 'must be 18 digits'),
    /** creditor (ente creditore) fiscal code */
    fiscalCode: fiscalCodePA,
    outcome: z.enum(['OK', 'KO']),
    /** the IUV */
    creditorReferenceId: text(35),
    paymentAmount: cents,
    description: text(140),
    companyName: text(140),
    officeName: text(140).optional(),
    debtor: subjectSchema,
    transferList: z.array(receiptTransferSchema).min(1).max(5),
    idPSP: text(35),
    pspFiscalCode: text(70).optional(),
    pspPartitaIVA: text(20).optional(),
    PSPCompanyName: text(70),
    idChannel: text(35),
    channelDescription: text(35),
    payer: subjectSchema.optional(),
    paymentMethod: text(35).optional(),
    paymentNote: text(210).optional(),
    fee: cents.optional(),
    primaryCiIncurredFee: cents.optional(),
    idBundle: text(70).optional(),
    idCiBundle: text(70).optional(),
    paymentDateTime: isoDateTime.optional(),
    applicationDate: isoDate.optional(),
    transferDate: isoDate.optional(),
    metadata: metadataSchema.optional(),
    /** paid while the node ran in stand-in mode (the creditor was unreachable) */
    standIn: z.boolean().optional(),
  })
  .superRefine((receipt, ctx) => {
    const bytes = utf8Length(JSON.stringify(receipt));
    if (bytes > MAX_RECEIPT_JSON_BYTES) {
      ctx.addIssue({ code: 'custom', path: [], message: `the receipt is ${bytes} bytes as JSON, more than the ${MAX_RECEIPT_JSON_BYTES} a receipt may weigh` });
    }
  }) satisfies z.ZodType<Receipt>;
/**
 * The least a receipts-queue message must show for the processor to keep it as an UNPROCESSABLE
 * anomaly when it cannot be processed: a JSON object naming its creditor. A message without even
 * that is only logged (with its message id) on its way to the DLQ, whose depth is alarmed.
 */
export const receiptCreditorSchema = z.looseObject({ fiscalCode: fiscalCodePA });
export type ReceiptCreditor = z.output<typeof receiptCreditorSchema>;

// Whether the transfers add up to paymentAmount is a business rule (receipt processor), not a
// shape rule: the XSD does not require it and a receipt must never be lost on the queue for it.

// `satisfies` above: what the contract yields is a domain receipt. And no field is missing from
// either side (a field added to the domain type must be added to the contract, and back):
type SameFields<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type Holds<T extends true> = T;
export type ReceiptContractHasTheDomainFields = [
  Holds<SameFields<z.output<typeof receiptSchema>, Receipt>>,
  Holds<SameFields<z.output<typeof subjectSchema>, ReceiptSubject>>,
  Holds<SameFields<z.output<typeof receiptTransferSchema>, ReceiptTransfer>>,
];
