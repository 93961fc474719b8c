/**
 * A payment made outside pagoPA (GPD setPaymentOptionAsAlreadyPaid, PaymentsService): the option
 * is PO_PAID, the position PAID (or PARTIALLY_PAID for an installment) with its payment date, in
 * one transaction with the audit line and a payment.received event, as a receipt would: the node
 * then gets PAA_PAGAMENTO_DUPLICATO for that notice, its notice is withdrawn, the back office's
 * webhooks are told. Its receipt id and PSP are GPD's placeholder CLOSED_AS_ALREADY_PAID_BY_EC.
 *
 *   404  no option with that notice number
 *   409  already paid (the option, the position, or the other mode: the single payment after an
 *        installment or the other way round)
 *   422  the position is not payable (DRAFT, PUBLISHED before its validity date, INVALID,
 *        EXPIRED): marking it paid would hide a mistake (GPD documents 422 "not in payable state")
 */
import type { PaymentReceivedEvent } from '../../../events/domain-events';
import { statusAt, type DebtPosition, type PaymentOption } from '../../domain/debt-position';
import { payabilityOf, statusAfterPayment } from '../../domain/receipt';
import { UseCaseError } from '../errors';
import type { Actor } from '../ports';
import type { PaidOutsideStore } from './gpd/ports';
import type { PositionDeps } from './ports';
import { conflictError } from './position-writes';
import { findOption } from './queries';

/** GPD's receipt id and PSP of a payment made outside pagoPA. */
export const PAID_OUTSIDE_PAGOPA = 'CLOSED_AS_ALREADY_PAID_BY_EC';

/** A 422: the option exists and is unpaid, but its position cannot be paid in its status. */
export class NotPayableError extends UseCaseError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'NotPayableError';
  }
}

export interface MarkPaidDeps extends PositionDeps {
  readonly paidOutside: PaidOutsideStore;
}

export interface MarkOptionPaid {
  readonly organizationFiscalCode: string;
  readonly actor: Actor;
  readonly nav: string;
  /** ISO UTC; the time of the call when the back office gives none */
  readonly paymentDate?: string;
}

export async function markOptionPaid(deps: MarkPaidDeps, command: MarkOptionPaid): Promise<{ position: DebtPosition; option: PaymentOption }> {
  const now = deps.clock();
  const { position: found, option } = await findOption(deps, command.organizationFiscalCode, command.nav);
  const { nav } = option;
  const status = statusAt(found, now);
  switch (payabilityOf(found, option, now)) {
    case 'PAID':
      throw new UseCaseError('conflict', `the payment option ${nav} is already paid (or another payment mode of its position is)`);
    case 'UNKNOWN':
    case 'INVALID':
    case 'EXPIRED':
      throw new NotPayableError(`the payment option ${nav} is not in a payable state: its position is ${status}`);
    case 'PAYABLE':
      break;
  }
  const iso = now.toISOString();
  const paymentDate = command.paymentDate ?? iso;
  const paid: PaymentOption = {
    ...option,
    status: 'PO_PAID',
    payment: { receiptId: PAID_OUTSIDE_PAGOPA, paymentDate, pspCompany: PAID_OUTSIDE_PAGOPA, fee: 0 },
  };
  const options = found.paymentOptions.map((o) => (o.nav === nav ? paid : o));
  const next: DebtPosition = {
    ...found,
    status: statusAfterPayment(options, paid),
    paymentOptions: options,
    lastUpdatedDate: iso,
    version: found.version + 1,
  };
  const position: DebtPosition = next.status === 'PAID' ? { ...next, paymentDate } : next;
  const event: PaymentReceivedEvent = {
    eventId: deps.newId(),
    eventType: 'payment.received',
    occurredAt: iso,
    organizationFiscalCode: position.organizationFiscalCode,
    iupd: position.iupd,
    nav,
    iuv: option.iuv,
    receiptId: PAID_OUTSIDE_PAGOPA,
    amount: option.amount,
    status: position.status,
    previousStatus: status,
    version: position.version,
    paymentDateTime: paymentDate,
  };
  const conflict = await deps.paidOutside.recordPaid(
    position,
    found.version,
    {
      at: iso,
      action: 'payment',
      actor: command.actor,
      version: position.version,
      fromStatus: status,
      toStatus: position.status,
      changedFields: [`paymentOption[${nav}].status`],
    },
    event,
  );
  if (conflict) throw conflictError(conflict, found.iupd);
  return { position, option: paid };
}
