/**
 * Request and response schemas of the GPD operations beyond one position at a time (GPD OpenAPI
 * v1 and v2, pagopa/pagopa-debt-position openapi/openapi_external_v1.json, _v2.json; internal v1
 * for the payment option by notice number):
 *   POST  …/paymentoptions/paids/{nav}          AlreadyPaidPaymentOptionModel → PaymentsModelResponse
 *   PATCH …/debtpositions/transfers?oldIban=     UpdateTransferIbanMassiveModel → UpdateTransferIbanMassiveResponse
 *   GET   /info                                  AppInfo
 *   v2 POST / PUT / DELETE …/debtpositions       MultiplePaymentPositionModel, MultipleIUPDModel
 *   GET   …/paymentoptions/{nav}                 PaymentsWithDebtorInfoModelResponse (openapi_internal_v1.json)
 * Limits as GPD configures them: 1..100 positions per bulk create/update (ValidMaxDebtPositions,
 * max.massive.debt.positions = 100), 1..20 iupds per bulk delete (MultipleIUPDModel @Size(max = 20)),
 * at most 1000 transfers per IBAN replacement (IDebtPositionController: limit @Max(1000), default 1000).
 */
import * as z from 'zod';
import { validateCreditorIban } from '../domain/iban';
import {
  apiDateTime,
  createQuerySchema,
  iupd,
  nullable,
  paymentOptionResponseSchema,
  paymentPositionResponseSchema,
  paymentPositionSchema,
} from './debt-position-schemas';

/** GPD's base paths (openapi_external_v1.json / _v2.json `servers`): the same as infra/catalog.ts GPD_BASE_V1 / _V2. */
export const GPD_BASE_V1 = '/gpd/debt-positions-service/v1';
export const GPD_BASE_V2 = '/gpd/debt-positions-service/v2';

export const MAX_BULK_POSITIONS = 100;
export const MAX_BULK_DELETE = 20;
export const MAX_IBAN_TRANSFERS = 1000;

/** A GPD query string: only its parameters, each unknown one named in the 400. */
function queryOf<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.object(shape).catchall(z.unknown().refine(() => false, { message: 'is not a parameter of this operation' }));
}

// ---- POST …/paymentoptions/paids/{nav} ----

export const alreadyPaidSchema = z
  .strictObject({
    paymentDate: nullable(apiDateTime).meta({ description: 'When it was paid (absent or null: now).' }),
  })
  .meta({ id: 'AlreadyPaidPaymentOptionModel' });

export const paymentsModelResponseSchema = paymentOptionResponseSchema
  .extend({
    serviceType: z.string(),
    lastUpdatedDateNotificationFee: z.string().nullable(),
  })
  .meta({ id: 'PaymentsModelResponse' });

// ---- PATCH …/debtpositions/transfers?oldIban=&limit= ----

export const ibanReplacementQuerySchema = queryOf({
  oldIban: z.string().trim().min(1, 'is required').max(35).meta({ description: 'The IBAN to replace.' }),
  limit: z
    .string()
    .regex(/^\d{1,9}$/, `must be an integer from 1 to ${MAX_IBAN_TRANSFERS}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_IBAN_TRANSFERS, { message: `must be from 1 to ${MAX_IBAN_TRANSFERS}` })
    .optional()
    .meta({ description: `Transfers to update at most (default and maximum ${MAX_IBAN_TRANSFERS}).` }),
});

export const ibanReplacementSchema = z
  .strictObject({
    newIban: z
      .string()
      .max(34)
      .superRefine((value, ctx) => {
        const reason = validateCreditorIban(value);
        if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
      })
      .meta({ description: 'The new IBAN: one of the organization registered IBANs.' }),
  })
  .meta({ id: 'UpdateTransferIbanMassiveModel' });

export const ibanReplacementResponseSchema = z
  .object({ description: z.string(), updatedTransfers: z.number().int() })
  .meta({ id: 'UpdateTransferIbanMassiveResponse' });

// ---- GET /info ----

export const appInfoSchema = z.object({ name: z.string(), version: z.string(), environment: z.string() }).meta({ id: 'AppInfo' });

// ---- v2 bulk ----

export const bulkQuerySchema = createQuerySchema;

export const multiplePositionsSchema = z
  .strictObject({
    paymentPositions: z
      .array(paymentPositionSchema)
      .min(1, 'at least one position is required')
      .max(MAX_BULK_POSITIONS, `at most ${MAX_BULK_POSITIONS} positions per call`),
  })
  .meta({ id: 'MultiplePaymentPositionModel' });

export const multipleIupdsSchema = z
  .strictObject({
    paymentPositionIUPDs: z
      .array(iupd)
      .min(1, 'at least one iupd is required')
      .max(MAX_BULK_DELETE, `at most ${MAX_BULK_DELETE} iupds per call`),
  })
  .meta({ id: 'MultipleIUPDModel' });

// ---- GET …/paymentoptions/{nav} ----

const debtor = paymentPositionResponseSchema.pick({
  iupd: true,
  type: true,
  fiscalCode: true,
  fullName: true,
  streetName: true,
  civicNumber: true,
  postalCode: true,
  city: true,
  province: true,
  region: true,
  country: true,
  email: true,
  phone: true,
  companyName: true,
  officeName: true,
  payStandIn: true,
});

export const paymentWithDebtorSchema = paymentOptionResponseSchema
  .extend(debtor.shape)
  .extend({
    serviceType: z.string(),
    debtPositionStatus: paymentPositionResponseSchema.shape.status,
    /** the layer's earlier shape, kept for its existing clients */
    paymentOption: paymentOptionResponseSchema.optional(),
    debtPosition: paymentPositionResponseSchema.optional(),
  })
  .meta({ id: 'PaymentsWithDebtorInfoModelResponse' });
