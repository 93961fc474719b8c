/**
 * The business rules of a debt position's content that a schema cannot express alone: sums,
 * dates against the clock, the tenant's own accounts and segregation code, uniqueness inside the
 * request. Each violation names the field as the back office sent it (GPD wire names:
 * paymentOption[i].transfer[j]), though the content is the domain's (shared/domain/debt-position.ts).
 */
import type { PaymentOptionContent, PositionContent } from './debt-position';
import type { Organization } from './organization';
import { postalAccountOfIban } from './organization';
import { parseNoticeNumber } from './notice-number';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export const MAX_TRANSFERS_PER_OPTION = 5;
export const MAX_PAYMENT_OPTIONS = 100;

export function checkPositionContent(
  content: Pick<PositionContent, 'validityDate' | 'paymentOptions'>,
  context: { readonly organization: Organization; readonly now: Date; readonly requireFutureDueDates: boolean },
): FieldError[] {
  const errors: FieldError[] = [];
  const { organization, now } = context;
  const nowIso = now.toISOString();
  const options = content.paymentOptions;

  if (options.length === 0) {
    errors.push({ field: 'paymentOption', message: 'at least one payment option is required' });
  }
  if (options.length > MAX_PAYMENT_OPTIONS) {
    errors.push({ field: 'paymentOption', message: `at most ${MAX_PAYMENT_OPTIONS} payment options are allowed` });
  }
  const singles = options.filter((o) => !o.isPartialPayment);
  if (singles.length > 1) {
    errors.push({
      field: 'paymentOption',
      message: 'at most one option may be the single payment (isPartialPayment=false); installments have isPartialPayment=true',
    });
  }
  const installments = options.filter((o) => o.isPartialPayment);
  if (installments.length === 1) {
    errors.push({ field: 'paymentOption', message: 'installments come at least in two (a single installment is a single payment)' });
  }

  const seenIuv = new Map<string, number>();
  options.forEach((option, i) => {
    const at = `paymentOption[${i}]`;
    if (context.requireFutureDueDates && option.dueDate < nowIso) {
      errors.push({ field: `${at}.dueDate`, message: 'the due date is in the past' });
    }
    if (content.validityDate !== undefined && content.validityDate > option.dueDate) {
      errors.push({ field: `${at}.dueDate`, message: 'the due date is before the position validityDate' });
    }
    if (option.retentionDate !== undefined && option.retentionDate < option.dueDate) {
      errors.push({ field: `${at}.retentionDate`, message: 'the retention date is before the due date' });
    }
    checkIdentifiers(option, at, organization, errors);
    const iuv = option.iuv ?? (option.nav !== undefined ? option.nav.slice(1) : undefined);
    if (iuv !== undefined) {
      const first = seenIuv.get(iuv);
      if (first !== undefined) {
        errors.push({ field: `${at}.iuv`, message: `the same IUV is used by paymentOption[${first}]` });
      } else seenIuv.set(iuv, i);
    }

    const transfers = option.transfers;
    if (transfers.length === 0) errors.push({ field: `${at}.transfer`, message: 'at least one transfer is required' });
    if (transfers.length > MAX_TRANSFERS_PER_OPTION) {
      errors.push({ field: `${at}.transfer`, message: `at most ${MAX_TRANSFERS_PER_OPTION} transfers are allowed` });
    }
    const sum = transfers.reduce((s, t) => s + t.amount, 0);
    if (transfers.length > 0 && sum !== option.amount) {
      errors.push({
        field: `${at}.transfer`,
        message: `the transfers sum to ${sum} cents but the option amount is ${option.amount} cents`,
      });
    }
    const ids = new Set<string>();
    transfers.forEach((transfer, j) => {
      const tat = `${at}.transfer[${j}]`;
      if (ids.has(transfer.idTransfer)) errors.push({ field: `${tat}.idTransfer`, message: 'idTransfer is repeated' });
      ids.add(transfer.idTransfer);
      const targets = [transfer.iban, transfer.postalIban, transfer.stamp].filter((x) => x !== undefined).length;
      if (targets !== 1) {
        errors.push({ field: tat, message: 'exactly one of iban, postalIban or stamp is required' });
      }
      const toSelf =
        transfer.organizationFiscalCode === undefined || transfer.organizationFiscalCode === organization.fiscalCode;
      if (toSelf && transfer.iban !== undefined && !organization.ibans.includes(transfer.iban)) {
        errors.push({ field: `${tat}.iban`, message: 'the IBAN is not one of the organization registered IBANs' });
      }
      if (toSelf && transfer.postalIban !== undefined) {
        const account = postalAccountOfIban(transfer.postalIban);
        if (account === undefined) {
          errors.push({ field: `${tat}.postalIban`, message: 'a postal IBAN is an Italian IBAN of Poste Italiane (ABI 07601)' });
        } else if (organization.postalAccount?.number !== account) {
          errors.push({ field: `${tat}.postalIban`, message: 'the postal IBAN is not the organization registered postal account' });
        }
      }
    });
    if (transfers[0] !== undefined && transfers[0].organizationFiscalCode !== undefined) {
      if (transfers[0].organizationFiscalCode !== organization.fiscalCode) {
        errors.push({
          field: `${at}.transfer[0].organizationFiscalCode`,
          message: 'the first transfer goes to the organization that owns the position',
        });
      }
    }
  });
  return errors;
}

function checkIdentifiers(
  option: Pick<PaymentOptionContent, 'iuv' | 'nav'>,
  at: string,
  organization: Organization,
  errors: FieldError[],
): void {
  if (option.nav !== undefined) {
    const parsed = parseNoticeNumber(option.nav);
    if (!parsed.ok) {
      errors.push({ field: `${at}.nav`, message: parsed.error.message });
    } else if (parsed.value.auxDigit !== 3) {
      errors.push({ field: `${at}.nav`, message: 'new notice numbers use aux digit 3 (SACI 3.x)' });
    } else if (parsed.value.segregationCode !== organization.segregationCode) {
      errors.push({
        field: `${at}.nav`,
        message: `the segregation code is ${parsed.value.segregationCode}, the organization's is ${organization.segregationCode}`,
      });
    }
    if (option.iuv !== undefined && `3${option.iuv}` !== option.nav) {
      errors.push({ field: `${at}.iuv`, message: 'the IUV is not the notice number without its aux digit' });
    }
    return;
  }
  if (option.iuv !== undefined) {
    const parsed = parseNoticeNumber(`3${option.iuv}`);
    if (!/^\d{17}$/.test(option.iuv)) {
      errors.push({ field: `${at}.iuv`, message: 'an IUV is 17 digits: segregation code, 13-digit base, 2 check digits' });
    } else if (!parsed.ok) {
      errors.push({ field: `${at}.iuv`, message: parsed.error.message });
    } else if (parsed.value.segregationCode !== organization.segregationCode) {
      errors.push({
        field: `${at}.iuv`,
        message: `the segregation code is ${parsed.value.segregationCode}, the organization's is ${organization.segregationCode}`,
      });
    }
  }
}
