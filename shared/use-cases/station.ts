/**
 * The layer as a pagoPA creditor station (stazione dell'ente creditore): answers the node's
 * paVerifyPaymentNotice, paGetPayment(V2) and paSendRT(V2). Transport-free: a parsed request
 * in, the data of the answer (or the PAA fault) out; shared/http/soap-handler.ts does the XML.
 */
import type {
  GetPaymentRequest,
  NodeRequest,
  PaaFaultCode,
  PaymentData,
  PaymentTransfer,
  SendRTRequest,
  Subject,
  VerifyNoticeData,
  VerifyRequest,
} from '../adapters/pagopa-soap';
import type { Debtor, DebtPosition, PaymentOption, Transfer } from '../domain/debt-position';
import { romeCalendarDay } from '../domain/dates';
import type { Organization } from '../domain/organization';
import { allTransfersPostal, payabilityOf, type Payability } from '../domain/receipt';
import type { DebtPositionStore } from './ports';
import { intakeReceipt, type IntakeDeps } from './receipts';

export interface StationDeps extends IntakeDeps {
  readonly organizations: { get(fiscalCode: string): Promise<Organization | undefined> };
  readonly positions: Pick<DebtPositionStore, 'findByNoticeNumber'>;
  readonly clock: () => Date;
}

export type StationAnswer =
  | { readonly kind: 'verify'; readonly data: VerifyNoticeData }
  | { readonly kind: 'payment'; readonly operation: GetPaymentRequest['operation']; readonly data: PaymentData }
  | { readonly kind: 'receipt-taken'; readonly operation: SendRTRequest['operation'] }
  | { readonly kind: 'fault'; readonly faultCode: PaaFaultCode; readonly description: string; readonly id: string };

type Fault = Extract<StationAnswer, { kind: 'fault' }>;
const fault = (faultCode: PaaFaultCode, description: string, id: string): Fault => ({ kind: 'fault', faultCode, description, id });

const PAYABILITY_FAULT: Record<Exclude<Payability, 'PAYABLE'>, PaaFaultCode> = {
  UNKNOWN: 'PAA_PAGAMENTO_SCONOSCIUTO',
  PAID: 'PAA_PAGAMENTO_DUPLICATO',
  EXPIRED: 'PAA_PAGAMENTO_SCADUTO',
  INVALID: 'PAA_PAGAMENTO_ANNULLATO',
};

export async function answerNode(deps: StationDeps, request: NodeRequest): Promise<StationAnswer> {
  const caller = await checkCaller(deps, request);
  if ('kind' in caller) return caller;
  switch (request.operation) {
    case 'paVerifyPaymentNotice':
      return verify(deps, request);
    case 'paGetPayment':
    case 'paGetPaymentV2':
      return getPayment(deps, request);
    case 'paSendRT':
    case 'paSendRTV2':
      return sendReceipt(deps, request);
  }
}

/** idPA must be an active tenant, and idBrokerPA / idStation the ones pagoPA knows it by. */
async function checkCaller(deps: StationDeps, request: NodeRequest): Promise<Organization | Fault> {
  const organization = await deps.organizations.get(request.idPA);
  if (!organization || organization.status !== 'ACTIVE') {
    return fault('PAA_ID_DOMINIO_ERRATO', `idPA ${request.idPA} is not a creditor served by this station`, request.idStation);
  }
  if (request.idBrokerPA !== organization.brokerId) {
    return fault('PAA_ID_INTERMEDIARIO_ERRATO', `idBrokerPA ${request.idBrokerPA} is not the broker of ${request.idPA}`, request.idPA);
  }
  if (request.idStation !== organization.stationId) {
    return fault('PAA_STAZIONE_INT_ERRATA', `idStation ${request.idStation} is not the station of ${request.idPA}`, request.idPA);
  }
  return organization;
}

type Found = { position: DebtPosition; option: PaymentOption };

async function payableOption(deps: StationDeps, request: VerifyRequest | GetPaymentRequest): Promise<Found | StationAnswer> {
  const { fiscalCode, noticeNumber } = request.qrCode;
  if (fiscalCode !== request.idPA) {
    return fault('PAA_SEMANTICA', `qrCode/fiscalCode ${fiscalCode} differs from idPA ${request.idPA}`, request.idPA);
  }
  const position = await deps.positions.findByNoticeNumber(fiscalCode, noticeNumber);
  const option = position?.paymentOptions.find((o) => o.nav === noticeNumber);
  if (!position || !option) {
    return fault('PAA_PAGAMENTO_SCONOSCIUTO', `no payment option with notice number ${noticeNumber}`, request.idPA);
  }
  const payability = payabilityOf(position, option, deps.clock());
  if (payability !== 'PAYABLE') {
    return fault(PAYABILITY_FAULT[payability], `notice ${noticeNumber}: ${payability.toLowerCase()}`, request.idPA);
  }
  return { position, option };
}

async function verify(deps: StationDeps, request: VerifyRequest): Promise<StationAnswer> {
  const found = await payableOption(deps, request);
  if ('kind' in found) return found;
  const { position, option } = found;
  const description = describeOption(position, option);
  return {
    kind: 'verify',
    data: {
      amount: option.amount,
      options: 'EQ',
      dueDate: romeCalendarDay(option.dueDate),
      detailDescription: description,
      allCCP: allTransfersPostal(option),
      paymentDescription: description,
      fiscalCodePA: position.organizationFiscalCode,
      companyName: position.companyName,
      ...(position.officeName !== undefined ? { officeName: position.officeName } : {}),
    },
  };
}

async function getPayment(deps: StationDeps, request: GetPaymentRequest): Promise<StationAnswer> {
  const found = await payableOption(deps, request);
  if ('kind' in found) return found;
  const { position, option } = found;
  const v2 = request.operation === 'paGetPaymentV2';
  const stamped = option.transfers.find((t) => t.stamp !== undefined && t.iban === undefined && t.postalIban === undefined);
  if (!v2 && stamped) {
    return fault('PAA_SEMANTICA', `transfer ${stamped.idTransfer} is a digital stamp: only paGetPaymentV2 can carry it`, request.idPA);
  }
  const unpaidInstallments = position.paymentOptions.filter((o) => o.isPartialPayment && o.status === 'PO_UNPAID');
  return {
    kind: 'payment',
    operation: request.operation,
    data: {
      creditorReferenceId: option.iuv,
      paymentAmount: option.amount,
      dueDate: romeCalendarDay(option.dueDate),
      ...(option.retentionDate !== undefined ? { retentionDate: option.retentionDate.replace(/\.\d+Z$/, 'Z') } : {}),
      ...(option.isPartialPayment ? { lastPayment: unpaidInstallments.length === 1 } : {}),
      description: describeOption(position, option),
      companyName: position.companyName,
      ...(position.officeName !== undefined ? { officeName: position.officeName } : {}),
      debtor: subjectOf(position.debtor),
      transferList: option.transfers.map((t) => transferOf(t, position, request.transferType, v2)),
      ...(option.metadata.length > 0 ? { metadata: option.metadata.map((m) => ({ key: m.key, value: m.value })) } : {}),
    },
  };
}

async function sendReceipt(deps: StationDeps, request: SendRTRequest): Promise<StationAnswer> {
  const { receipt } = request;
  if (receipt.fiscalCode !== request.idPA) {
    return fault('PAA_SEMANTICA', `receipt/fiscalCode ${receipt.fiscalCode} differs from idPA ${request.idPA}`, request.idPA);
  }
  const outcome = await intakeReceipt(deps, receipt);
  if (outcome === 'duplicate-receipt') {
    return fault('PAA_RECEIPT_DUPLICATA', `notice ${receipt.noticeNumber} was paid by another receipt`, request.idPA);
  }
  return { kind: 'receipt-taken', operation: request.operation };
}

/** An option's description, never empty (the XSD wants 1..140 characters). */
function describeOption(position: DebtPosition, option: PaymentOption): string {
  const text = option.description.trim() || option.transfers[0]?.remittanceInformation.trim() || position.companyName;
  return text;
}

const EMAIL = /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/;

function subjectOf(debtor: Debtor): Subject {
  return {
    entityUniqueIdentifierType: debtor.type,
    entityUniqueIdentifierValue: debtor.fiscalCode,
    fullName: debtor.fullName,
    ...(debtor.streetName ? { streetName: debtor.streetName } : {}),
    ...(debtor.civicNumber ? { civicNumber: debtor.civicNumber.slice(0, 16) } : {}),
    ...(debtor.postalCode ? { postalCode: debtor.postalCode.slice(0, 16) } : {}),
    ...(debtor.city ? { city: debtor.city } : {}),
    ...(debtor.province ? { stateProvinceRegion: debtor.province } : {}),
    ...(debtor.country && /^[A-Z]{2}$/.test(debtor.country) ? { country: debtor.country } : {}),
    ...(debtor.email && EMAIL.test(debtor.email) ? { email: debtor.email } : {}),
  };
}

/**
 * One transfer as the node wants it: to the postal IBAN when the PSP can credit postal accounts
 * (transferType POSTAL) and the transfer has one, otherwise to the bank IBAN; a digital stamp
 * (V2 only) instead of an account.
 */
function transferOf(t: Transfer, position: DebtPosition, transferType: GetPaymentRequest['transferType'], v2: boolean): PaymentTransfer {
  const iban = transferType === 'POSTAL' && t.postalIban ? t.postalIban : (t.iban ?? t.postalIban);
  return {
    idTransfer: Number(t.idTransfer),
    transferAmount: t.amount,
    fiscalCodePA: t.organizationFiscalCode,
    ...(v2 && t.organizationFiscalCode === position.organizationFiscalCode ? { companyName: position.companyName } : {}),
    ...(iban !== undefined
      ? { IBAN: iban }
      : t.stamp
        ? { richiestaMarcaDaBollo: { hashDocumento: t.stamp.hashDocument, tipoBollo: '01' as const, provinciaResidenza: t.stamp.provincialResidence } }
        : {}),
    remittanceInformation: t.remittanceInformation,
    transferCategory: t.category,
    ...(t.metadata.length > 0 ? { metadata: t.metadata.map((m) => ({ key: m.key, value: m.value })) } : {}),
  };
}
