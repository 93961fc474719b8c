/**
 * The back-office REST contract, compatible with pagoPA GPD v1 (Gestione Posizioni Debitorie):
 * the same field names and shapes, so software written for GPD can point at this layer.
 * These zod schemas are the single source of the request validation, the TypeScript types and
 * the OpenAPI document (shared/http/openapi.ts).
 *
 * Differences from GPD, on purpose: `iuv`/`nav` are optional (the layer assigns them from the
 * tenant's counter); unknown fields are refused instead of ignored (a typo must not go unseen).
 */
import * as z from 'zod';
import { validateDebtorFiscalCode, validatePartitaIva } from '../domain/fiscal-code';
import { validateCreditorIban } from '../domain/iban';
import { validateTaxonomyCode } from '../domain/taxonomy';
import { MAX_AMOUNT_CENTS } from '../domain/money';
import { IUPD_PATTERN, POSITION_STATUSES, OPTION_STATUSES } from '../domain/debt-position';
import { parseApiDateTime } from '../domain/dates';

/** Wraps a `(value) => reason | null` validator as a zod refinement with that reason. */
function checkedBy(validate: (value: string) => string | null) {
  return (value: string, ctx: z.core.$RefinementCtx<string>) => {
    const reason = validate(value);
    if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
  };
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

export const apiDateTime = z
  .string()
  .max(40)
  .refine((v) => parseApiDateTime(v) !== null, {
    message: 'must be an ISO-8601 date (yyyy-MM-dd) or date-time; without an offset it is Europe/Rome time',
  })
  .meta({ format: 'date-time', example: '2026-12-31T23:59:59' });

export const amountCents = z
  .number()
  .int('must be an integer number of euro cents')
  .min(1, 'must be at least 1 cent')
  .max(MAX_AMOUNT_CENTS, `must be at most ${MAX_AMOUNT_CENTS} cents`);

export const organizationFiscalCode = z
  .string()
  .regex(/^\d{11}$/, 'must be the 11-digit fiscal code of the organization')
  .superRefine(checkedBy(validatePartitaIva));

export const iupd = z.string().regex(IUPD_PATTERN, 'must be 1..70 characters among A-Z a-z 0-9 . _ -');

export const keyValueList = z
  .array(z.strictObject({ key: text(140), value: text(140) }))
  .max(10, 'at most 10 key/value pairs');

export const stampSchema = z
  .strictObject({
    hashDocument: text(72),
    stampType: z.string().regex(/^[A-Za-z0-9]{2}$/, 'must be 2 characters'),
    provincialResidence: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter province code'),
  })
  .meta({ id: 'Stamp' });

export const transferSchema = z
  .strictObject({
    idTransfer: z.enum(['1', '2', '3', '4', '5']),
    amount: amountCents,
    organizationFiscalCode: organizationFiscalCode.optional(),
    remittanceInformation: text(140),
    category: z.string().max(140).superRefine(checkedBy(validateTaxonomyCode)),
    iban: z.string().max(34).superRefine(checkedBy(validateCreditorIban)).optional(),
    postalIban: z.string().max(34).superRefine(checkedBy(validateCreditorIban)).optional(),
    stamp: stampSchema.optional(),
    transferMetadata: keyValueList.optional(),
    // read-only fields a GPD client may send back unchanged; ignored
    status: z.string().max(40).optional(),
    insertedDate: z.string().max(40).optional(),
    lastUpdatedDate: z.string().max(40).optional(),
  })
  .meta({ id: 'TransferModel' });

export const paymentOptionSchema = z
  .strictObject({
    iuv: z.string().regex(/^\d{17}$/, 'must be 17 digits').optional(),
    nav: z.string().regex(/^\d{18}$/, 'must be 18 digits').optional(),
    amount: amountCents,
    description: text(140).optional(),
    isPartialPayment: z.boolean(),
    dueDate: apiDateTime,
    retentionDate: apiDateTime.optional(),
    fee: z.number().int().min(0).max(MAX_AMOUNT_CENTS).optional(),
    transfer: z.array(transferSchema).min(1, 'at least one transfer is required').max(5, 'at most 5 transfers'),
    paymentOptionMetadata: keyValueList.optional(),
    // read-only, ignored
    status: z.string().max(40).optional(),
    organizationFiscalCode: z.string().max(40).optional(),
    notificationFee: z.number().optional(),
    paymentDate: z.string().max(40).optional(),
    insertedDate: z.string().max(40).optional(),
    lastUpdatedDate: z.string().max(40).optional(),
  })
  .meta({ id: 'PaymentOptionModel' });

export const paymentPositionSchema = z
  .strictObject({
    iupd,
    type: z.enum(['F', 'G']),
    fiscalCode: z.string().max(16),
    fullName: text(70),
    streetName: text(70).optional(),
    civicNumber: text(16).optional(),
    postalCode: text(16).optional(),
    city: text(35).optional(),
    province: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter province code').optional(),
    region: text(35).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code').optional(),
    email: z.email('must be an e-mail address').max(256).optional(),
    phone: z.string().regex(/^\+?[0-9 ]{4,19}$/, 'must be a phone number').optional(),
    switchToExpired: z.boolean().optional(),
    companyName: text(140).optional(),
    officeName: text(140).optional(),
    validityDate: apiDateTime.optional(),
    paymentOption: z
      .array(paymentOptionSchema)
      .min(1, 'at least one payment option is required')
      .max(100, 'at most 100 payment options'),
    // read-only, ignored
    status: z.string().max(40).optional(),
    organizationFiscalCode: z.string().max(40).optional(),
    paymentDate: z.string().max(40).optional(),
    insertedDate: z.string().max(40).optional(),
    publishDate: z.string().max(40).optional(),
    lastUpdatedDate: z.string().max(40).optional(),
  })
  .superRefine((position, ctx) => {
    const reason = validateDebtorFiscalCode(position.type, position.fiscalCode);
    if (reason !== null) ctx.addIssue({ code: 'custom', path: ['fiscalCode'], message: reason });
  })
  .meta({ id: 'PaymentPositionModel' });

export type PaymentPositionInput = z.infer<typeof paymentPositionSchema>;
export type PaymentOptionInput = z.infer<typeof paymentOptionSchema>;

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const createQuerySchema = z.strictObject({ toPublish: booleanQuery.optional() });

export const listQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(0, 'pages start from 0'),
  limit: z.coerce.number().int().min(1).max(50, 'at most 50 per page').optional(),
  status: z.enum(POSITION_STATUSES).optional(),
  due_date_from: z.iso.date('must be yyyy-MM-dd').optional(),
  due_date_to: z.iso.date('must be yyyy-MM-dd').optional(),
  orderby: z.enum(['DUE_DATE', 'INSERTED_DATE', 'IUPD', 'STATUS', 'COMPANY_NAME']).optional(),
  ordering: z.enum(['ASC', 'DESC']).optional(),
});

// ---- responses ----

export const transferResponseSchema = z
  .object({
    organizationFiscalCode: z.string(),
    idTransfer: z.string(),
    amount: z.number().int(),
    remittanceInformation: z.string(),
    category: z.string(),
    iban: z.string().optional(),
    postalIban: z.string().optional(),
    stamp: stampSchema.optional(),
    transferMetadata: keyValueList,
    status: z.enum(['T_UNREPORTED', 'T_REPORTED']),
  })
  .meta({ id: 'TransferModelResponse' });

export const paymentOptionResponseSchema = z
  .object({
    iuv: z.string(),
    nav: z.string(),
    organizationFiscalCode: z.string(),
    amount: z.number().int(),
    description: z.string(),
    isPartialPayment: z.boolean(),
    dueDate: z.string(),
    retentionDate: z.string().optional(),
    paymentDate: z.string().optional(),
    paymentMethod: z.string().optional(),
    pspCompany: z.string().optional(),
    idReceipt: z.string().optional(),
    fee: z.number().int(),
    status: z.enum(OPTION_STATUSES),
    transfer: z.array(transferResponseSchema),
    paymentOptionMetadata: keyValueList,
  })
  .meta({ id: 'PaymentOptionModelResponse' });

export const paymentPositionResponseSchema = z
  .object({
    iupd: z.string(),
    organizationFiscalCode: z.string(),
    type: z.enum(['F', 'G']),
    fiscalCode: z.string(),
    fullName: z.string(),
    streetName: z.string().optional(),
    civicNumber: z.string().optional(),
    postalCode: z.string().optional(),
    city: z.string().optional(),
    province: z.string().optional(),
    region: z.string().optional(),
    country: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    switchToExpired: z.boolean(),
    companyName: z.string(),
    officeName: z.string().optional(),
    validityDate: z.string().optional(),
    insertedDate: z.string(),
    publishDate: z.string().optional(),
    paymentDate: z.string().optional(),
    lastUpdatedDate: z.string(),
    status: z.enum(POSITION_STATUSES),
    version: z.number().int(),
    paymentOption: z.array(paymentOptionResponseSchema),
  })
  .meta({ id: 'PaymentPositionModelResponse' });

export const pageInfoSchema = z
  .object({
    page: z.number().int(),
    limit: z.number().int(),
    items_found: z.number().int(),
    total_pages: z.number().int(),
  })
  .meta({ id: 'PageInfo' });

export const paymentPositionsInfoSchema = z
  .object({ payment_position_list: z.array(paymentPositionResponseSchema), page_info: pageInfoSchema })
  .meta({ id: 'PaymentPositionsInfo' });

export const paymentOptionWithPositionSchema = z
  .object({ paymentOption: paymentOptionResponseSchema, debtPosition: paymentPositionResponseSchema })
  .meta({ id: 'PaymentOptionWithDebtPosition' });

export const problemJsonSchema = z
  .object({
    type: z.string().optional(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'ProblemJson' });
