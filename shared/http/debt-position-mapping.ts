/**
 * Between the GPD wire shapes and the domain: a validated create/replace body becomes the
 * position content the use cases take (dates become ISO UTC on the way in, wire defaults are
 * applied here); positions become GPD responses on the way out (the list's own mapping is in
 * ./debt-position-list.ts). `positionRuleProblems` reads what
 * it can of a body that failed its schema, so that the cross-field rules are reported with the
 * schema's problems in one answer (shared/http/rest-edge.ts, `parseWith`).
 */
import type * as z from 'zod';
import { compact } from '../domain/compact';
import type { DebtPosition, PaymentOption, PositionContent } from '../domain/debt-position';
import { parseApiDateTime } from '../domain/dates';
import type { Organization } from '../domain/organization';
import { MAX_NOTICE_AMOUNT_CENTS } from '../domain/money';
import { optionReporting } from '../domain/reporting-flow';
import { checkPositionContent, type RuleContent, type RuleOption, type RuleTransfer } from '../domain/debt-position-rules';
import type {
  PaymentPositionInput,
  paymentOptionResponseSchema,
  paymentPositionResponseSchema,
} from './debt-position-schemas';
import { badRequest, type FieldProblem } from './problem';

type PositionResponse = z.infer<typeof paymentPositionResponseSchema>;
type OptionResponse = z.infer<typeof paymentOptionResponseSchema>;

const utc = (value: string): string => {
  const parsed = parseApiDateTime(value);
  if (parsed === null) throw new RangeError('date was not validated');
  return parsed;
};
const utcOptional = (value: string | undefined): string | undefined => (value === undefined ? undefined : utc(value));

/**
 * A validated create/replace body as the domain sees it: dates in UTC, identifiers as sent, the
 * read-only properties a client echoed back left out (GPD ignores them: `fee` and
 * `notificationFee` are written by GPD only, here always 0).
 */
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
    // GPD's default (PaymentPositionModel: payStandIn = true)
    payStandIn: input.payStandIn ?? true,
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
        fee: 0,
        metadata: o.paymentOptionMetadata,
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
            companyName: t.companyName,
            metadata: t.transferMetadata,
          }),
        ),
      }),
    ),
  });
}

/**
 * The cross-field rules of a create/replace body (shared/domain/debt-position-rules.ts) asked of
 * a body that failed its schema: what can be read of it is read (a value of the wrong shape is
 * left out, and the rules that need it are not checked), so that one 400 names the transfers
 * that do not add up together with the malformed country. A valid body is checked by the use case.
 */
export function positionRuleProblems(
  context: { readonly organization: Organization; readonly now: Date; readonly requireFutureDueDates: boolean },
): (raw: unknown) => FieldProblem[] {
  // a body that is no JSON object has no fields to relate: the schema's one problem says it all
  return (raw) => (record(raw) === undefined ? [] : checkPositionContent(readRuleContent(raw), context));
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const present = (value: unknown): boolean => value !== undefined && value !== null;
const dateOf = (value: unknown): string | undefined => (typeof value === 'string' ? (parseApiDateTime(value) ?? undefined) : undefined);
const amountOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_NOTICE_AMOUNT_CENTS ? value : undefined;
const digits = (value: unknown, length: number): string | undefined =>
  typeof value === 'string' && value.length === length && /^\d+$/.test(value) ? value : undefined;

function readRuleContent(raw: unknown): RuleContent {
  const body = record(raw) ?? {};
  const options = Array.isArray(body['paymentOption']) ? body['paymentOption'] : [];
  return compact({ validityDate: dateOf(body['validityDate']), paymentOptions: options.map(readRuleOption) });
}

function readRuleOption(raw: unknown): RuleOption {
  const o = record(raw) ?? {};
  const transfers = Array.isArray(o['transfer']) ? o['transfer'] : [];
  return compact({
    iuv: digits(o['iuv'], 17),
    nav: digits(o['nav'], 18),
    amount: amountOf(o['amount']),
    isPartialPayment: typeof o['isPartialPayment'] === 'boolean' ? o['isPartialPayment'] : undefined,
    dueDate: dateOf(o['dueDate']),
    retentionDate: dateOf(o['retentionDate']),
    transfers: transfers.map(readRuleTransfer),
  });
}

function readRuleTransfer(raw: unknown): RuleTransfer {
  const t = record(raw) ?? {};
  // accounts count as given when present at all: a malformed IBAN is the schema's to name
  return compact({
    idTransfer: typeof t['idTransfer'] === 'string' && /^[1-5]$/.test(t['idTransfer']) ? t['idTransfer'] : undefined,
    amount: amountOf(t['amount']),
    organizationFiscalCode: present(t['organizationFiscalCode']) ? String(t['organizationFiscalCode']) : undefined,
    iban: present(t['iban']) ? String(t['iban']) : undefined,
    postalIban: present(t['postalIban']) ? String(t['postalIban']) : undefined,
    stamp: present(t['stamp']) ? t['stamp'] : undefined,
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

export function toPositionResponse(position: DebtPosition): PositionResponse {
  const { debtor } = position;
  return compact({
    iupd: position.iupd,
    organizationFiscalCode: position.organizationFiscalCode,
    type: debtor.type,
    payStandIn: position.payStandIn ?? true,
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

/**
 * An option as GPD returns it (PaymentOptionModelResponse). Options and transfers are written
 * with their position, in the same item: their insertedDate and lastUpdatedDate are the
 * position's (GPD sets them so on every create and update, checkDebtPositionToUpdate).
 * `reportingDate` / `idFlowReporting` stay null until a reporting flow is matched to the payment
 * (then: the latest flow that reported one of its transfers, shared/domain/reporting-flow.ts).
 */
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
    reportingDate: optionReporting(option)?.reportingDate ?? null,
    paymentMethod: option.payment?.paymentMethod,
    pspCompany: option.payment?.pspCompany,
    idReceipt: option.payment?.receiptId,
    idFlowReporting: optionReporting(option)?.idFlowReporting ?? null,
    fee: option.fee,
    notificationFee: 0,
    status: option.status,
    insertedDate: position.insertedDate,
    lastUpdatedDate: position.lastUpdatedDate,
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
        companyName: t.companyName,
        transferMetadata: [...t.metadata],
        status: t.reporting !== undefined || option.status === 'PO_REPORTED' ? ('T_REPORTED' as const) : ('T_UNREPORTED' as const),
        insertedDate: position.insertedDate,
        lastUpdatedDate: position.lastUpdatedDate,
      }),
    ),
  });
}
