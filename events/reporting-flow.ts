/**
 * The contract of the reporting-flows queue: a request to acquire a tenant's reporting flows now
 * (the schedule, POST …/reportingflows/sync, `npm run admin -- fdr-sync`), or a payment.received
 * domain event copied by the event dispatcher (the flow lines waiting for that receipt are matched).
 */
import * as z from 'zod';
import { POSITION_STATUSES } from '../shared/domain/debt-position';
import { paymentReceivedEventSchema } from './domain-events';

export const reportingFlowSyncSchema = z.object({
  kind: z.literal('fdr-sync'),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  requestedAt: z.string(),
  /** who asked: 'schedule', 'api:<keyId>', 'admin' */
  requestedBy: z.string().max(100),
});
export type ReportingFlowSync = z.infer<typeof reportingFlowSyncSchema>;

export const reportingFlowMessageSchema = z.union([reportingFlowSyncSchema, paymentReceivedEventSchema]);
export type ReportingFlowMessage = z.infer<typeof reportingFlowMessageSchema>;

// ---- domain events of reconciliation (outbox → event dispatcher → webhook-fanout) ----

export const RECONCILIATION_EVENT_TYPES = ['payment.reported', 'reportingflow.reconciled', 'reconciliation.anomaly'] as const;

/** A reporting flow reported transfers of a position (GPD: T_REPORTED; the position may now be REPORTED). */
export const paymentReportedEventSchema = z.object({
  eventId: z.uuid(),
  eventType: z.literal('payment.reported'),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  iupd: z.string().min(1).max(70),
  /** the options whose transfers the flow reported */
  navs: z.array(z.string().regex(/^\d{18}$/)).min(1),
  flowId: z.string().min(1).max(35),
  pspId: z.string().min(1).max(35),
  revision: z.number().int().min(1),
  status: z.enum(POSITION_STATUSES),
  version: z.number().int().min(1),
});
export type PaymentReportedEvent = z.infer<typeof paymentReportedEventSchema>;

/** A revision of a reporting flow was acquired and matched. */
export const reportingFlowReconciledEventSchema = z.object({
  eventId: z.uuid(),
  eventType: z.literal('reportingflow.reconciled'),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  flowId: z.string().min(1).max(35),
  pspId: z.string().min(1).max(35),
  revision: z.number().int().min(1),
  /** MATCHED: every line found its receipt transfer and the header adds up */
  status: z.enum(['MATCHED', 'ANOMALOUS']),
  totPayments: z.number().int(),
  /** cents */
  sumPayments: z.number().int(),
  matchedPayments: z.number().int(),
  /** cents */
  matchedAmount: z.number().int(),
});
export type ReportingFlowReconciledEvent = z.infer<typeof reportingFlowReconciledEventSchema>;

/** A reconciliation anomaly was kept (once per anomaly): what an accountant acts on. */
export const reconciliationAnomalyEventSchema = z.object({
  eventId: z.uuid(),
  eventType: z.literal('reconciliation.anomaly'),
  occurredAt: z.iso.datetime(),
  organizationFiscalCode: z.string().regex(/^\d{11}$/),
  /** LINE_WITHOUT_RECEIPT, AMOUNT_MISMATCH, HEADER_MISMATCH, OTHER_INTERMEDIARY, TREASURY_AMOUNT_MISMATCH, TREASURY_UNKNOWN_FLOW, RECEIPT_NOT_REPORTED */
  kind: z.string().min(1).max(40),
  ref: z.string().min(1).max(300),
  detail: z.string().max(2000),
  flowId: z.string().optional(),
  iuv: z.string().optional(),
  iur: z.string().optional(),
  /** cents */
  amount: z.number().int().optional(),
  movementId: z.string().optional(),
});
export type ReconciliationAnomalyEvent = z.infer<typeof reconciliationAnomalyEventSchema>;
