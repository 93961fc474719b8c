/**
 * From what the creditor sent to what is stored: every option gets its notice number (the one
 * the creditor chose, checked by the rules, or a fresh one from the tenant's counter) and the
 * defaults of the organization (company name, beneficiary of the transfers).
 */
import { compact } from '../../domain/compact';
import type { DebtPosition, PaymentOption, PaymentOptionContent, PositionContent, Transfer } from '../../domain/debt-position';
import { makeNoticeNumber } from '../../domain/notice-number';
import type { Organization } from '../../domain/organization';
import type { PositionDeps } from './ports';

export type PositionFields = Pick<
  DebtPosition,
  'debtor' | 'companyName' | 'officeName' | 'switchToExpired' | 'payStandIn' | 'validityDate' | 'paymentOptions'
>;

/** The IUV/NAV of each option: checked ones the back office sent, fresh ones for the rest. */
export async function assignNoticeNumbers(
  deps: PositionDeps,
  organization: Organization,
  options: readonly PaymentOptionContent[],
): Promise<Array<{ iuv: string; nav: string }>> {
  const missing = options.filter((o) => o.iuv === undefined && o.nav === undefined).length;
  const bases = await deps.positions.allocateIuvBases(organization.fiscalCode, missing);
  let next = 0;
  return options.map((o) => {
    if (o.nav !== undefined) return { iuv: o.nav.slice(1), nav: o.nav };
    if (o.iuv !== undefined) return { iuv: o.iuv, nav: `3${o.iuv}` };
    const base = bases[next++];
    if (base === undefined) throw new Error('IUV allocation returned too few bases');
    return makeNoticeNumber(organization.segregationCode, base);
  });
}

/**
 * The stored fields of a position; `identifiers[i]` is the IUV/NAV of option i. Every field is
 * present (undefined when absent), so a replacement clears what the new content leaves out.
 */
export function positionFields(
  content: PositionContent,
  organization: Pick<Organization, 'fiscalCode' | 'name'>,
  identifiers: ReadonlyArray<{ iuv: string; nav: string }>,
): PositionFields {
  return {
    debtor: content.debtor,
    companyName: content.companyName ?? organization.name,
    officeName: content.officeName,
    switchToExpired: content.switchToExpired,
    payStandIn: content.payStandIn,
    validityDate: content.validityDate,
    paymentOptions: content.paymentOptions.map((o, i): PaymentOption => {
      const id = identifiers[i];
      if (id === undefined) throw new RangeError(`no identifiers for payment option ${i}`);
      return compact({
        iuv: id.iuv,
        nav: id.nav,
        amount: o.amount,
        description: o.description,
        isPartialPayment: o.isPartialPayment,
        dueDate: o.dueDate,
        retentionDate: o.retentionDate,
        fee: o.fee,
        status: 'PO_UNPAID',
        metadata: o.metadata,
        transfers: o.transfers.map(
          (t): Transfer =>
            compact({
              idTransfer: t.idTransfer,
              amount: t.amount,
              organizationFiscalCode: t.organizationFiscalCode ?? organization.fiscalCode,
              remittanceInformation: t.remittanceInformation,
              category: t.category,
              iban: t.iban,
              postalIban: t.postalIban,
              stamp: t.stamp,
              companyName: t.companyName,
              metadata: t.metadata,
            }),
        ),
      });
    }),
  };
}
