/**
 * Between the GPD wire shapes and the domain: a validated request becomes the position content
 * and the list query the use cases take (dates become ISO UTC on the way in, wire defaults are
 * applied here); positions become GPD responses on the way out.
 */
import type * as z from 'zod';
import { compact } from '../domain/compact';
import type { DebtPosition, PaymentOption, PositionContent } from '../domain/debt-position';
import { parseApiDateTime } from '../domain/dates';
import type { ListQuery } from '../use-cases/ports';
import type {
  PaymentPositionInput,
  listQuerySchema,
  paymentOptionResponseSchema,
  paymentPositionResponseSchema,
  paymentPositionsInfoSchema,
} from './debt-position-schemas';
import { badRequest } from './problem';

type PositionResponse = z.infer<typeof paymentPositionResponseSchema>;
type OptionResponse = z.infer<typeof paymentOptionResponseSchema>;
type PositionsPage = z.infer<typeof paymentPositionsInfoSchema>;
type ListQueryInput = z.infer<typeof listQuerySchema>;

/** GPD's page size when the client gives none (also the largest it may ask for). */
export const DEFAULT_PAGE_LIMIT = 50;

const utc = (value: string): string => {
  const parsed = parseApiDateTime(value);
  if (parsed === null) throw new RangeError('date was not validated');
  return parsed;
};
const utcOptional = (value: string | undefined): string | undefined => (value === undefined ? undefined : utc(value));

/** A validated create/replace body as the domain sees it: dates in UTC, identifiers as sent. */
export function toPositionContent(input: PaymentPositionInput): PositionContent {
  return compact({
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
    companyName: input.companyName,
    officeName: input.officeName,
    switchToExpired: input.switchToExpired ?? false,
    validityDate: utcOptional(input.validityDate),
    paymentOptions: input.paymentOption.map((o) =>
      compact({
        iuv: o.iuv,
        nav: o.nav,
        amount: o.amount,
        description: o.description ?? '',
        isPartialPayment: o.isPartialPayment,
        dueDate: utc(o.dueDate),
        retentionDate: utcOptional(o.retentionDate),
        fee: o.fee ?? 0,
        metadata: o.paymentOptionMetadata ?? [],
        transfers: o.transfer.map((t) =>
          compact({
            idTransfer: t.idTransfer,
            amount: t.amount,
            organizationFiscalCode: t.organizationFiscalCode,
            remittanceInformation: t.remittanceInformation,
            category: t.category,
            iban: t.iban,
            postalIban: t.postalIban,
            stamp: t.stamp,
            metadata: t.transferMetadata ?? [],
          }),
        ),
      }),
    ),
  });
}

/** PUT names the position twice, in the path and in the body: they must agree. */
export function requireSameIupd(pathIupd: string, body: PaymentPositionInput): void {
  if (body.iupd !== pathIupd) {
    throw badRequest('the iupd in the body differs from the one in the path', [
      { field: 'iupd', message: `must be ${pathIupd}, as in the path` },
    ]);
  }
}

/** The GPD list query as the store's query: positions are ordered by first due date only. */
export function toListQuery(query: ListQueryInput): ListQuery {
  if (query.orderby !== undefined && query.orderby !== 'DUE_DATE') {
    throw badRequest('positions are listed by due date (orderby=DUE_DATE); other orderings are not supported', [
      { field: 'orderby', message: 'only DUE_DATE is supported' },
    ]);
  }
  return {
    page: query.page,
    limit: query.limit ?? DEFAULT_PAGE_LIMIT,
    status: query.status,
    // a day filter covers the whole Rome calendar day
    dueFrom: query.due_date_from ? (parseApiDateTime(`${query.due_date_from}T00:00:00`) ?? undefined) : undefined,
    dueTo: query.due_date_to ? (parseApiDateTime(query.due_date_to) ?? undefined) : undefined,
    descending: query.ordering === 'DESC',
  };
}

/** One GPD page: the positions and `page_info`. */
export function toPositionsPage(query: ListQuery, result: { items: readonly DebtPosition[]; total: number }): PositionsPage {
  return {
    payment_position_list: result.items.map(toPositionResponse),
    page_info: {
      page: query.page,
      limit: query.limit,
      items_found: result.items.length,
      total_pages: Math.ceil(result.total / query.limit),
    },
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
