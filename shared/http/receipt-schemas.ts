/**
 * The receipts edge: the JSON receipt webhook body (pagoPA's JSON receipt model: the paSendRTV2
 * field names, amounts as euro numbers such as 123.45) and the back-office receipt queries.
 * Amounts become integer cents here and nowhere else.
 */
import * as z from 'zod';
import { receiptSchema } from '../../events/receipt';
import { euroNumberToCents } from '../domain/money';
import { ANOMALY_KINDS, type AnomalyKind, type Receipt } from '../domain/receipt';
import type { AnomalyFilter } from '../use-cases/receipts/ports';

const euro = z.number().transform((value, ctx) => {
  const cents = euroNumberToCents(value);
  if (cents === null) {
    ctx.addIssue({ code: 'custom', message: 'must be an amount in euro with at most two decimals, e.g. 123.45' });
    return z.NEVER;
  }
  return cents;
});

const jsonTransferSchema = z.looseObject({ transferAmount: euro, idTransfer: z.union([z.number(), z.string().regex(/^[1-5]$/).transform(Number)]) });

/** The webhook body: pagoPA JSON receipt → the normalised receipt (cents), validated by receiptSchema. */
export const jsonReceiptSchema = z
  .looseObject({
    paymentAmount: euro,
    fee: euro.optional(),
    primaryCiIncurredFee: euro.optional(),
    transferList: z.array(jsonTransferSchema).min(1).max(5),
  })
  .pipe(receiptSchema) as unknown as z.ZodType<Receipt>;

const isoInstant = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());

export const receiptWindowQuerySchema = z.strictObject({
  /** inclusive lower bound on when the layer recorded the receipt (ISO-8601 with offset) */
  from: isoInstant.optional(),
  /** inclusive upper bound */
  to: isoInstant.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** from the previous page's `cursor` */
  cursor: z.string().min(1).max(2048).optional(),
});

/** Which anomalies a list shows, beside its window: the back office's list and the console's alike. */
export const anomalyFilterShape = {
  kind: z.enum(ANOMALY_KINDS).optional().meta({ description: 'Only the anomalies of this kind.' }),
  state: z.enum(['open', 'handled']).optional().meta({ description: 'open: no note closed it (or the last reopened it); handled: closed by a note.' }),
};

/** The store's filter of a parsed query (its `kind` and `state`). */
export const toAnomalyFilter = (q: { kind?: AnomalyKind | undefined; state?: 'open' | 'handled' | undefined }): AnomalyFilter => ({
  ...(q.kind ? { kind: q.kind } : {}),
  ...(q.state ? { state: q.state } : {}),
});

/** The anomalies list: the same window, and which anomalies. */
export const receiptAnomalyQuerySchema = receiptWindowQuerySchema.extend(anomalyFilterShape);

export const iuvParamSchema = z.string().regex(/^\d{15,17}$/, 'must be the IUV: 15 to 17 digits');
/** The path parameters of GET .../receipts/{iuv}, so a refusal names the `iuv` field. */
export const iuvPathSchema = z.object({ iuv: iuvParamSchema });

export const storedReceiptSchema = z.object({
  organizationFiscalCode: z.string(),
  iuv: z.string(),
  nav: z.string(),
  receiptId: z.string(),
  state: z.enum(['APPLIED', 'KO']),
  iupd: z.string().optional(),
  recordedAt: z.string(),
  receipt: receiptSchema,
});

export const receiptAnomalySchema = z.object({
  organizationFiscalCode: z.string(),
  iuv: z.string(),
  nav: z.string(),
  receiptId: z.string(),
  kind: z.enum(ANOMALY_KINDS),
  detail: z.string(),
  iupd: z.string().optional(),
  recordedAt: z.string(),
  /** the receipt, when it could be read (every kind but an UNPROCESSABLE message that breaks the contract) */
  receipt: receiptSchema.optional(),
  /** UNPROCESSABLE: the queue message's id */
  messageId: z.string().optional(),
  /** UNPROCESSABLE, when the message could not be read as a receipt: its body as queued */
  received: z.string().optional(),
  /** the notes the staff added (console), oldest first; the last says whether it is handled */
  notes: z
    .array(
      z.object({
        at: z.string(),
        by: z.looseObject({ keyId: z.string(), operator: z.looseObject({ username: z.string(), name: z.string() }).optional() }),
        text: z.string(),
        handled: z.boolean(),
      }),
    )
    .optional(),
});

export const receiptListSchema = z.object({ receipts: z.array(storedReceiptSchema), cursor: z.string().optional() });
export const receiptAnomalyListSchema = z.object({ anomalies: z.array(receiptAnomalySchema), cursor: z.string().optional() });
