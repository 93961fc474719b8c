/**
 * Between the GPD wire shapes and the domain model. Dates become ISO UTC on the way in.
 */
import type * as z from 'zod';
import type { DebtPosition, PaymentOption, Transfer } from '../domain/debt-position';
import type { PositionContent } from '../domain/debt-position-rules';
import { parseApiDateTime } from '../domain/dates';
import type {
  PaymentPositionInput,
  paymentOptionResponseSchema,
  paymentPositionResponseSchema,
} from './debt-position-schemas';

type PositionResponse = z.infer<typeof paymentPositionResponseSchema>;
type OptionResponse = z.infer<typeof paymentOptionResponseSchema>;

const utc = (value: string): string => {
  const parsed = parseApiDateTime(value);
  if (parsed === null) throw new RangeError('date was not validated');
  return parsed;
};
const utcOptional = (value: string | undefined): string | undefined => (value === undefined ? undefined : utc(value));

/** The request as the domain rules see it: dates in UTC, identifiers as sent. */
export function toPositionContent(input: PaymentPositionInput): PositionContent {
  return {
    validityDate: utcOptional(input.validityDate),
    paymentOption: input.paymentOption.map((o) => ({
      iuv: o.iuv,
      nav: o.nav,
      amount: o.amount,
      isPartialPayment: o.isPartialPayment,
      dueDate: utc(o.dueDate),
      retentionDate: utcOptional(o.retentionDate),
      transfer: o.transfer.map((t) => ({
        idTransfer: t.idTransfer,
        amount: t.amount,
        organizationFiscalCode: t.organizationFiscalCode,
        iban: t.iban,
        postalIban: t.postalIban,
        stamp: t.stamp,
      })),
    })),
  };
}

/**
 * The domain fields of a position from a validated request; `identifiers[i]` is the IUV/NAV of
 * option i (sent by the back office or assigned by the layer).
 */
export function toPositionFields(
  input: PaymentPositionInput,
  organization: { fiscalCode: string; name: string },
  identifiers: ReadonlyArray<{ iuv: string; nav: string }>,
): Pick<DebtPosition, 'debtor' | 'companyName' | 'officeName' | 'switchToExpired' | 'validityDate' | 'paymentOptions'> {
  return {
    debtor: compact({
      type: input.type,
      fiscalCode: input.fiscalCode,
      fullName: input.fullName,
      streetName: input.streetName,
      civicNumber: input.civicNumber,
      postalCode: input.postalCode,
      city: input.city,
      province: input.province,
      region: input.region,
      country: input.country,
      email: input.email,
      phone: input.phone,
    }),
    companyName: input.companyName ?? organization.name,
    officeName: input.officeName,
    switchToExpired: input.switchToExpired ?? false,
    validityDate: utcOptional(input.validityDate),
    paymentOptions: input.paymentOption.map((o, i): PaymentOption => {
      const id = identifiers[i];
      if (id === undefined) throw new RangeError(`no identifiers for payment option ${i}`);
      return compact({
        iuv: id.iuv,
        nav: id.nav,
        amount: o.amount,
        description: o.description ?? '',
        isPartialPayment: o.isPartialPayment,
        dueDate: utc(o.dueDate),
        retentionDate: utcOptional(o.retentionDate),
        fee: o.fee ?? 0,
        status: 'PO_UNPAID',
        metadata: o.paymentOptionMetadata ?? [],
        transfers: o.transfer.map(
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
              metadata: t.transferMetadata ?? [],
            }),
        ),
      });
    }),
  };
}

export function toPositionResponse(position: DebtPosition): PositionResponse {
  const { debtor } = position;
  return compact({
    iupd: position.iupd,
    organizationFiscalCode: position.organizationFiscalCode,
    type: debtor.type,
    fiscalCode: debtor.fiscalCode,
    fullName: debtor.fullName,
    streetName: debtor.streetName,
    civicNumber: debtor.civicNumber,
    postalCode: debtor.postalCode,
    city: debtor.city,
    province: debtor.province,
    region: debtor.region,
    country: debtor.country,
    email: debtor.email,
    phone: debtor.phone,
    switchToExpired: position.switchToExpired,
    companyName: position.companyName,
    officeName: position.officeName,
    validityDate: position.validityDate,
    insertedDate: position.insertedDate,
    publishDate: position.publishDate,
    paymentDate: position.paymentDate,
    lastUpdatedDate: position.lastUpdatedDate,
    status: position.status,
    version: position.version,
    paymentOption: position.paymentOptions.map((o) => toOptionResponse(position, o)),
  });
}

export function toOptionResponse(position: DebtPosition, option: PaymentOption): OptionResponse {
  return compact({
    iuv: option.iuv,
    nav: option.nav,
    organizationFiscalCode: position.organizationFiscalCode,
    amount: option.amount,
    description: option.description,
    isPartialPayment: option.isPartialPayment,
    dueDate: option.dueDate,
    retentionDate: option.retentionDate,
    paymentDate: option.payment?.paymentDate,
    paymentMethod: option.payment?.paymentMethod,
    pspCompany: option.payment?.pspCompany,
    idReceipt: option.payment?.receiptId,
    fee: option.fee,
    status: option.status,
    paymentOptionMetadata: [...option.metadata],
    transfer: option.transfers.map((t) =>
      compact({
        organizationFiscalCode: t.organizationFiscalCode,
        idTransfer: t.idTransfer,
        amount: t.amount,
        remittanceInformation: t.remittanceInformation,
        category: t.category,
        iban: t.iban,
        postalIban: t.postalIban,
        stamp: t.stamp,
        transferMetadata: [...t.metadata],
        status: option.status === 'PO_REPORTED' ? ('T_REPORTED' as const) : ('T_UNREPORTED' as const),
      }),
    ),
  });
}

/** Drops undefined members so stored items and responses carry no empty keys. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
