/**
 * The back-office REST contract, compatible with pagoPA GPD v1 (Gestione Posizioni Debitorie):
 * the same field names and shapes, so software written for GPD can point at this layer. Written
 * from GPD's own models (pagopa/pagopa-debt-position, model/pd/PaymentPositionModel.java,
 * PaymentOptionModel.java, TransferModel.java, Stamp.java, *MetadataModel.java) and its OpenAPI
 * document (openapi/openapi_external_v1.json). These zod schemas are the single source of the
 * request validation, the TypeScript types and the OpenAPI document (shared/http/openapi.ts).
 *
 * As GPD reads a body (Jackson with Spring Boot's defaults):
 * - an explicit `null` is the same as leaving the property out, at every depth; a `null`
 *   metadata list is an empty list (GPD's setters);
 * - the read-only properties of GPD's models and responses (`status`, `fee`, `notificationFee`,
 *   `paymentDate`, dates, `nav`'s siblings, the layer's own `version`…) may be sent back as they
 *   were read: they are ignored;
 * - an empty optional text (`streetName: ""`) is taken, and stored as absent.
 * Differences, on purpose: `iuv`/`nav` are optional (the layer assigns them from the tenant's
 * counter); properties no GPD document names are refused instead of ignored (a typo must not go
 * unseen); what protects money and the node is checked more strictly (see the README).
 */
import * as z from 'zod';
import { validateDebtorFiscalCode, validatePartitaIva } from '../domain/fiscal-code';
import { validateCreditorIban } from '../domain/iban';
import { validateTaxonomyCode } from '../domain/taxonomy';
import { MAX_NOTICE_AMOUNT_CENTS } from '../domain/money';
import { IUPD_PATTERN, POSITION_STATUSES, OPTION_STATUSES } from '../domain/debt-position';
import { MAX_PAYMENT_OPTIONS, MAX_TRANSFERS_PER_OPTION } from '../domain/debt-position-rules';
import { parseApiDateTime } from '../domain/dates';

/** Wraps a `(value) => reason | null` validator as a zod refinement with that reason. */
function checkedBy(validate: (value: string) => string | null) {
  return (value: string, ctx: z.core.$RefinementCtx<string>) => {
    const reason = validate(value);
    if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
  };
}

/** GPD (Jackson): an explicit null is the same as leaving the property out. */
export function nullable<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

/** An optional text GPD takes empty: "" (or blanks) is stored as absent, null too. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .nullish()
    .transform((value) => (value === null || value === undefined || value === '' ? undefined : value));

/**
 * A read-only property of GPD's models or responses, sent back by a client that echoes what it
 * read: accepted when it has the documented type (or is null), and ignored.
 */
const readOnly = <T extends z.ZodType>(schema: T) =>
  schema.nullish().meta({ readOnly: true, description: 'Read-only: a value sent back is ignored.' });
const readOnlyText = () => readOnly(z.string().max(255));

export const apiDateTime = z
  .string()
  .max(40)
  .refine((v) => parseApiDateTime(v) !== null, {
    message:
      'must be an ISO-8601 date (yyyy-MM-dd) or date-time, with an offset from -12:00 to +14:00 if any; without an offset it is Europe/Rome time',
  })
  // not `format: date-time` (RFC 3339 wants an offset): a Java LocalDateTime without one is taken
  .meta({
    pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?)?$',
    example: '2026-12-31T23:59:59',
    description: 'yyyy-MM-dd (the end of that day in Rome) or yyyy-MM-ddTHH:mm[:ss[.SSS]] with an optional offset; without one, Europe/Rome time.',
  });

export const amountCents = z
  .number()
  .int('must be an integer number of euro cents')
  .min(1, 'must be at least 1 cent')
  .max(
    MAX_NOTICE_AMOUNT_CENTS,
    `must be at most ${MAX_NOTICE_AMOUNT_CENTS} cents (99,999,999.99 euro): the QR code and the Poste code of the printed notice carry at most 10 digits of cents`,
  );

export const organizationFiscalCode = z
  .string()
  .regex(/^\d{11}$/, 'must be the 11-digit fiscal code of the organization')
  .superRefine(checkedBy(validatePartitaIva));

export const iupd = z.string().regex(IUPD_PATTERN, 'must be 1..70 characters among A-Z a-z 0-9 . _ -');

/** GPD's reserved option metadata key (Constants.NOTIFICATION_FEE_METADATA_KEY): GPD writes it itself. */
export const RESERVED_OPTION_METADATA_KEY = 'NOTIFICATION_FEE';

/**
 * GPD's metadata lists: at most 10 key/value pairs (1..140 characters each, the paForNode
 * ctMapEntry), keys unique in one list (@UniqueMetadataKeys); null is an empty list.
 */
function metadataList(reservedKey?: string) {
  const list = z
    .array(z.strictObject({ key: text(140), value: text(140) }))
    .max(10, 'at most 10 key/value pairs')
    .superRefine(
      (entries, ctx) => {
        if (!Array.isArray(entries)) return;
        const seen = new Map<string, number>();
        entries.forEach((entry: unknown, i) => {
          const key = typeof entry === 'object' && entry !== null ? (entry as { key?: unknown }).key : undefined;
          if (typeof key !== 'string') return;
          const trimmed = key.trim();
          if (reservedKey !== undefined && trimmed === reservedKey) {
            ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `${reservedKey} is reserved: GPD writes that key itself` });
          }
          const first = seen.get(trimmed);
          if (first !== undefined) {
            ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `the key ${trimmed} is already used by entry ${first}: keys are unique in one list` });
          } else seen.set(trimmed, i);
        });
      },
      { when: () => true },
    );
  return list.nullish().transform((value) => value ?? []);
}

export const stampSchema = z
  .strictObject({
    hashDocument: text(72),
    stampType: z.string().regex(/^[A-Za-z0-9]{2}$/, 'must be 2 characters'),
    provincialResidence: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter province code'),
  })
  .meta({ id: 'Stamp' });

const creditorIban = z.string().max(35, 'at most 35 characters').superRefine(checkedBy(validateCreditorIban));

export const transferSchema = z
  .strictObject({
    idTransfer: z.enum(['1', '2', '3', '4', '5']),
    amount: amountCents,
    organizationFiscalCode: nullable(organizationFiscalCode),
    remittanceInformation: text(140),
    category: z.string().max(140).superRefine(checkedBy(validateTaxonomyCode)),
    iban: nullable(creditorIban).meta({ description: 'The account credited; with postalIban, the bank one. Not with stamp.' }),
    postalIban: nullable(creditorIban).meta({
      description: 'The postal account (Poste Italiane) credited when the payment is made at Poste; may go with iban, not with stamp.',
    }),
    stamp: nullable(stampSchema),
    companyName: optionalText(140).meta({ description: 'The name of the creditor of this transfer (sent to the node in paGetPaymentV2).' }),
    transferMetadata: metadataList(),
    // read-only, sent back by clients that echo a response; ignored
    status: readOnly(z.enum(['T_UNREPORTED', 'T_REPORTED'])),
    insertedDate: readOnlyText(),
    lastUpdatedDate: readOnlyText(),
  })
  .meta({ id: 'TransferModel' });

export const paymentOptionSchema = z
  .strictObject({
    iuv: nullable(z.string().regex(/^\d{17}$/, 'must be 17 digits')),
    nav: nullable(z.string().regex(/^\d{18}$/, 'must be 18 digits')),
    amount: amountCents,
    description: nullable(text(140)),
    isPartialPayment: z.boolean(),
    dueDate: apiDateTime,
    retentionDate: nullable(apiDateTime),
    transfer: z
      .array(transferSchema)
      .min(1, 'at least one transfer is required')
      .max(MAX_TRANSFERS_PER_OPTION, `at most ${MAX_TRANSFERS_PER_OPTION} transfers`),
    paymentOptionMetadata: metadataList(RESERVED_OPTION_METADATA_KEY),
    // read-only, ignored: GPD is their only writer (fee, notificationFee) or they echo a response
    fee: readOnly(z.number().int()),
    notificationFee: readOnly(z.number().int()),
    status: readOnly(z.enum(OPTION_STATUSES)),
    organizationFiscalCode: readOnlyText(),
    paymentDate: readOnlyText(),
    reportingDate: readOnlyText(),
    insertedDate: readOnlyText(),
    lastUpdatedDate: readOnlyText(),
    lastUpdatedDateNotificationFee: readOnlyText(),
    paymentMethod: readOnlyText(),
    pspCompany: readOnlyText(),
    idReceipt: readOnlyText(),
    idFlowReporting: readOnlyText(),
    serviceType: readOnlyText(),
  })
  .meta({ id: 'PaymentOptionModel' });

export const paymentPositionSchema = z
  .strictObject({
    iupd,
    type: z.enum(['F', 'G']),
    payStandIn: nullable(z.boolean()).meta({
      description: 'GPD stand-in flag, default true; stored and returned, it has no effect in this layer (no stand-in system is fed).',
    }),
    fiscalCode: z.string().max(16),
    // the texts the node receives (paGetPayment ctSubject) keep the paForNode limits
    fullName: text(70),
    streetName: optionalText(70),
    civicNumber: optionalText(16),
    postalCode: optionalText(16),
    city: optionalText(35),
    province: optionalText(35).meta({ description: 'Sent to the node as stateProvinceRegion (stText35).' }),
    region: optionalText(255),
    country: nullable(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code')),
    email: z
      .union([z.literal(''), z.email('must be an e-mail address').max(256)])
      .nullish()
      .transform((value) => (value === '' || value === null ? undefined : value)),
    phone: optionalText(255),
    switchToExpired: nullable(z.boolean()),
    companyName: nullable(text(140)),
    officeName: optionalText(140),
    validityDate: nullable(apiDateTime),
    paymentOption: z
      .array(paymentOptionSchema)
      .min(1, 'at least one payment option is required')
      .max(MAX_PAYMENT_OPTIONS, `at most ${MAX_PAYMENT_OPTIONS} payment options (one single payment and up to ${MAX_PAYMENT_OPTIONS - 1} installments)`),
    // read-only, ignored
    status: readOnly(z.enum(POSITION_STATUSES)),
    organizationFiscalCode: readOnlyText(),
    paymentDate: readOnlyText(),
    insertedDate: readOnlyText(),
    publishDate: readOnlyText(),
    lastUpdatedDate: readOnlyText(),
    version: readOnly(z.number().int()),
  })
  .superRefine(
    (position, ctx) => {
      // runs even when other fields failed: the type and the code are checked when both could be read
      if (typeof position !== 'object' || position === null) return;
      const { type, fiscalCode } = position as { type?: unknown; fiscalCode?: unknown };
      if ((type !== 'F' && type !== 'G') || typeof fiscalCode !== 'string' || fiscalCode.length > 16) return;
      const reason = validateDebtorFiscalCode(type, fiscalCode);
      if (reason !== null) ctx.addIssue({ code: 'custom', path: ['fiscalCode'], message: reason });
    },
    { when: () => true },
  )
  .meta({ id: 'PaymentPositionModel' });

export type PaymentPositionInput = z.infer<typeof paymentPositionSchema>;
export type PaymentOptionInput = z.infer<typeof paymentOptionSchema>;
export type TransferInput = z.infer<typeof transferSchema>;

/**
 * A boolean query parameter as Spring reads one (StringToBooleanConverter): true/false, on/off,
 * yes/no, 1/0, in any case.
 */
export const booleanQuery = z.stringbool({ truthy: ['true', 'on', 'yes', '1'], falsy: ['false', 'off', 'no', '0'] });

export const createQuerySchema = z.strictObject({
  // documented as GPD documents it (a boolean); Spring's other spellings are accepted too
  toPublish: booleanQuery.optional().meta({
    type: 'boolean',
    default: false,
    description: 'Publish the position at once: it is payable from its validity date. Also true/false as on/off, yes/no, 1/0, in any case.',
  }),
});

// ---- responses ----

/** A date-time written by the layer: ISO-8601 in UTC (`…Z`). */
const dateTime = () => z.string().meta({ format: 'date-time', example: '2026-12-31T22:59:59.999Z' });

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
    companyName: z.string().optional(),
    transferMetadata: z.array(z.object({ key: z.string(), value: z.string() })),
    status: z.enum(['T_UNREPORTED', 'T_REPORTED']),
    insertedDate: dateTime(),
    lastUpdatedDate: dateTime(),
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
    dueDate: dateTime(),
    retentionDate: dateTime().optional(),
    paymentDate: dateTime().optional(),
    /** null until a reporting flow (flusso di rendicontazione) names the payment */
    reportingDate: dateTime().nullable(),
    paymentMethod: z.string().optional(),
    pspCompany: z.string().optional(),
    idReceipt: z.string().optional(),
    idFlowReporting: z.string().nullable(),
    fee: z.number().int(),
    /** GPD's notification fee (SEND notifications); the layer sends none: always 0 */
    notificationFee: z.number().int(),
    status: z.enum(OPTION_STATUSES),
    insertedDate: dateTime(),
    lastUpdatedDate: dateTime(),
    transfer: z.array(transferResponseSchema),
    paymentOptionMetadata: z.array(z.object({ key: z.string(), value: z.string() })),
  })
  .meta({ id: 'PaymentOptionModelResponse' });

export const paymentPositionResponseSchema = z
  .object({
    iupd: z.string(),
    organizationFiscalCode: z.string(),
    type: z.enum(['F', 'G']),
    payStandIn: z.boolean(),
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
    validityDate: dateTime().optional(),
    insertedDate: dateTime(),
    publishDate: dateTime().optional(),
    paymentDate: dateTime().optional(),
    lastUpdatedDate: dateTime(),
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
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'ProblemJson' });
