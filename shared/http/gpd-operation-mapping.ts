/**
 * Between the wire shapes of the GPD operations beyond one position (gpd-operation-schemas.ts)
 * and the use cases: bulk bodies become position contents (each through the single-position
 * mapping), positions become GPD's PaymentsModelResponse and PaymentsWithDebtorInfoModelResponse.
 */
import type * as z from 'zod';
import { parseApiDateTime } from '../domain/dates';
import type { DebtPosition, PaymentOption } from '../domain/debt-position';
import type { BulkPosition } from '../use-cases/debt-positions/bulk';
import { positionRuleProblems, toOptionResponse, toPositionContent, toPositionResponse } from './debt-position-mapping';
import type { alreadyPaidSchema, multiplePositionsSchema, paymentWithDebtorSchema, paymentsModelResponseSchema } from './gpd-operation-schemas';
import type { FieldProblem } from './problem';

/** GPD's serviceType of positions created through its API (ServiceType.GPD). */
const SERVICE_TYPE = 'GPD';

export function toBulkPositions(body: z.infer<typeof multiplePositionsSchema>): BulkPosition[] {
  return body.paymentPositions.map((p) => ({ iupd: p.iupd, content: toPositionContent(p) }));
}

/** The cross-field rules of every position of a bulk body, named paymentPositions[i].…, with its schema errors. */
export function bulkRuleProblems(context: Parameters<typeof positionRuleProblems>[0]): (raw: unknown) => FieldProblem[] {
  const rules = positionRuleProblems(context);
  return (raw) => {
    const list = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['paymentPositions'] : undefined;
    if (!Array.isArray(list)) return [];
    return list.flatMap((item, i) => rules(item).map((p) => ({ field: `paymentPositions[${i}].${p.field}`, message: p.message })));
  };
}

/** The payment date of a paids body in ISO UTC (without an offset it is Europe/Rome time); undefined: now. */
export function paidDateOf(body: z.infer<typeof alreadyPaidSchema>): string | undefined {
  return body.paymentDate === undefined ? undefined : (parseApiDateTime(body.paymentDate) ?? undefined);
}

export function toPaymentsModel(position: DebtPosition, option: PaymentOption): z.infer<typeof paymentsModelResponseSchema> {
  return { ...toOptionResponse(position, option), serviceType: SERVICE_TYPE, lastUpdatedDateNotificationFee: null };
}

/** GPD getOrganizationPaymentOptionByNAV: the option, flat, with its position's debtor and status. */
export function toPaymentWithDebtor(position: DebtPosition, option: PaymentOption): z.infer<typeof paymentWithDebtorSchema> {
  const p = toPositionResponse(position);
  return {
    ...toOptionResponse(position, option),
    serviceType: SERVICE_TYPE,
    iupd: p.iupd,
    type: p.type,
    payStandIn: p.payStandIn,
    fiscalCode: p.fiscalCode,
    fullName: p.fullName,
    ...(p.streetName !== undefined ? { streetName: p.streetName } : {}),
    ...(p.civicNumber !== undefined ? { civicNumber: p.civicNumber } : {}),
    ...(p.postalCode !== undefined ? { postalCode: p.postalCode } : {}),
    ...(p.city !== undefined ? { city: p.city } : {}),
    ...(p.province !== undefined ? { province: p.province } : {}),
    ...(p.region !== undefined ? { region: p.region } : {}),
    ...(p.country !== undefined ? { country: p.country } : {}),
    ...(p.email !== undefined ? { email: p.email } : {}),
    ...(p.phone !== undefined ? { phone: p.phone } : {}),
    companyName: p.companyName,
    ...(p.officeName !== undefined ? { officeName: p.officeName } : {}),
    debtPositionStatus: p.status,
    paymentOption: toOptionResponse(position, option),
    debtPosition: p,
  };
}

/** GPD UpdateTransferIbanMassiveResponse. */
export function ibanReplacementAnswer(updated: number): { description: string; updatedTransfers: number } {
  return { description: `Updated IBAN on ${updated} Transfers`, updatedTransfers: updated };
}


/** What GPD answers a delete, single or bulk (Constants.DEBT_POSITION_DELETED, as a JSON string). */
export const DEBT_POSITION_DELETED = 'The debt position was successfully deleted';
