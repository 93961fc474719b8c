/**
 * The receipts queue's contract: a message body is one payment receipt (the domain's `Receipt`,
 * shared/domain/receipt.ts) as JSON, validated here with the XSD's limits (lengths, patterns,
 * amounts as integer cents) before the receipt processor trusts it. The schema is checked against
 * the domain type at compile time: it yields a `Receipt` and has exactly its fields.
 */
import * as z from 'zod';
import type { Metadata, Receipt, ReceiptSubject, ReceiptTransfer } from '../shared/domain/receipt';

const MAX_CENTS = 99_999_999_999;
const text = (max: number, min = 1) => z.string().min(min).max(max);
const cents = z.number().int().min(0).max(MAX_CENTS);
const positiveCents = cents.min(1);
const fiscalCodePA = z.string().regex(/^[0-9]{11}$/);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?$/);
const isoDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/);

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
  country: z.string().regex(/^[A-Z]{2}$/).optional(),
  email: z.string().max(256).optional(),
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
    MBDAttachment: z.string().min(4).optional(),
    remittanceInformation: text(140),
    /** taxonomy code (tassonomia), e.g. 9/0101002IM/ */
    transferCategory: text(140),
    metadata: metadataSchema.optional(),
  })
  .refine((t) => (t.IBAN === undefined) !== (t.MBDAttachment === undefined), {
    message: 'a transfer has exactly one of IBAN or MBDAttachment',
    path: ['IBAN'],
  }) satisfies z.ZodType<ReceiptTransfer>;

export const receiptSchema = z.object({
  /** unique id of the receipt given by the node (the payment token) */
  receiptId: z.string().min(1),
  noticeNumber: z.string().regex(/^[0-9]{18}$/),
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
}) satisfies z.ZodType<Receipt>;
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
