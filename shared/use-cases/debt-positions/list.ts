/**
 * A page of a tenant's debt positions (GPD getOrganizationDebtPositions). The items carry the
 * status time has made; with a due-date interval each position shows only its options due in
 * the interval, as GPD returns them (PaymentPositionCRUDService: the options are loaded with the
 * same due-date filter).
 */
import { romeCalendarDay } from '../../domain/dates';
import { withCurrentStatus, type DebtPosition } from '../../domain/debt-position';
import { UseCaseError } from '../errors';
import type { ListPage, ListQuery } from '../ports';
import type { PositionDeps } from './ports';

export async function listDebtPositions(
  deps: PositionDeps,
  organizationFiscalCode: string,
  query: ListQuery,
): Promise<Extract<ListPage, { kind: 'page' | 'busy' }>> {
  const result = await deps.positions.list(organizationFiscalCode, query);
  if (result.kind === 'busy') return result;
  if (result.kind === 'too-wide') {
    const fields = query.dueDays !== undefined ? ['due_date_from', 'due_date_to'] : ['payment_date_from', 'payment_date_to'];
    throw new UseCaseError(
      'invalid',
      `the interval holds more than ${result.max} positions, more than one request reads: narrow it`,
      fields.map((field) => ({ field, message: `the interval holds more than ${result.max} positions` })),
    );
  }
  const now = deps.clock();
  const items = result.items.map((p) => onlyDueIn(withCurrentStatus(p, now), query.dueDays));
  return { kind: 'page', items, total: result.total };
}

function onlyDueIn(position: DebtPosition, days: ListQuery['dueDays']): DebtPosition {
  if (days === undefined) return position;
  const inside = position.paymentOptions.filter((o) => {
    const day = romeCalendarDay(o.dueDate);
    return day >= days.from && day <= days.to;
  });
  return inside.length === 0 || inside.length === position.paymentOptions.length ? position : { ...position, paymentOptions: inside };
}
