/**
 * The layer as a pagoPA creditor station (stazione dell'ente creditore): answers whether a notice
 * may be paid and for how much, gives the payment's details, and takes the receipt in. Transport
 * free: a command in, an answer (or a refusal) out (station-messages.ts); the SOAP edge
 * (shared/http/soap-edge.ts) does the XML and the PAA fault codes.
 */
import type { DebtPosition, PaymentOption, Transfer } from '../../domain/debt-position';
import { romeCalendarDay } from '../../domain/dates';
import type { Organization } from '../../domain/organization';
import { allTransfersPostal, payabilityOf, type Payability } from '../../domain/receipt';
import { UseCaseError } from '../errors';
import { intakeReceipt, type IntakeDeps } from './intake';
import type { CreditorDirectory } from './ports';
import type { NoticeReference, PaymentTransferDetails, StationAnswer, StationCaller, StationCommand, StationRefusal } from './station-messages';

export interface StationDeps extends IntakeDeps {
  readonly organizations: CreditorDirectory;
  readonly clock: () => Date;
}

type Refusal = Extract<StationAnswer, { kind: 'refused' }>;
const refuse = (reason: StationRefusal, detail: string): Refusal => ({ kind: 'refused', reason, detail });

const PAYABILITY_REFUSAL: Record<Exclude<Payability, 'PAYABLE'>, StationRefusal> = {
  UNKNOWN: 'UNKNOWN_NOTICE',
  PAID: 'ALREADY_PAID',
  EXPIRED: 'EXPIRED',
  INVALID: 'CANCELLED',
};

export async function answerNode(deps: StationDeps, command: StationCommand): Promise<StationAnswer> {
  const refused = await checkCaller(deps, command.caller);
  if (refused) return refused;
  switch (command.kind) {
    case 'verify-notice':
      return verify(deps, command);
    case 'get-payment':
      return getPayment(deps, command);
    case 'take-receipt':
      return takeReceipt(deps, command);
  }
}

/** idPA must be an active tenant, and idBrokerPA / idStation the ones pagoPA knows it by. */
async function checkCaller(deps: StationDeps, caller: StationCaller): Promise<Refusal | undefined> {
  const organization: Organization | undefined = await deps.organizations.get(caller.creditorFiscalCode);
  if (!organization || organization.status !== 'ACTIVE') {
    return refuse('UNKNOWN_CREDITOR', `idPA ${caller.creditorFiscalCode} is not a creditor served by this station`);
  }
  if (caller.brokerId !== organization.brokerId) {
    return refuse('WRONG_BROKER', `idBrokerPA ${caller.brokerId} is not the broker of ${caller.creditorFiscalCode}`);
  }
  if (caller.stationId !== organization.stationId) {
    return refuse('WRONG_STATION', `idStation ${caller.stationId} is not the station of ${caller.creditorFiscalCode}`);
  }
  return undefined;
}

type Found = { position: DebtPosition; option: PaymentOption };

async function payableOption(deps: StationDeps, caller: StationCaller, notice: NoticeReference): Promise<Found | Refusal> {
  const { creditorFiscalCode, noticeNumber } = notice;
  if (creditorFiscalCode !== caller.creditorFiscalCode) {
    return refuse('INCONSISTENT_REQUEST', `qrCode/fiscalCode ${creditorFiscalCode} differs from idPA ${caller.creditorFiscalCode}`);
  }
  const position = await deps.positions.findByNoticeNumber(creditorFiscalCode, noticeNumber);
  const option = position?.paymentOptions.find((o) => o.nav === noticeNumber);
  if (!position || !option) return refuse('UNKNOWN_NOTICE', `no payment option with notice number ${noticeNumber}`);
  const payability = payabilityOf(position, option, deps.clock());
  if (payability !== 'PAYABLE') return refuse(PAYABILITY_REFUSAL[payability], `notice ${noticeNumber}: ${payability.toLowerCase()}`);
  return { position, option };
}

async function verify(deps: StationDeps, command: Extract<StationCommand, { kind: 'verify-notice' }>): Promise<StationAnswer> {
  const found = await payableOption(deps, command.caller, command.notice);
  if ('kind' in found) return found;
  const { position, option } = found;
  return {
    kind: 'notice',
    notice: {
      amount: option.amount,
      dueDate: romeCalendarDay(option.dueDate),
      description: describeOption(position, option),
      allPostal: allTransfersPostal(option),
      creditorFiscalCode: position.organizationFiscalCode,
      companyName: position.companyName,
      ...(position.officeName !== undefined ? { officeName: position.officeName } : {}),
    },
  };
}

async function getPayment(deps: StationDeps, command: Extract<StationCommand, { kind: 'get-payment' }>): Promise<StationAnswer> {
  const found = await payableOption(deps, command.caller, command.notice);
  if ('kind' in found) return found;
  const { position, option } = found;
  const stamped = option.transfers.find((t) => t.stamp !== undefined && t.iban === undefined && t.postalIban === undefined);
  if (!command.stampsAllowed && stamped) {
    return refuse('INCONSISTENT_REQUEST', `transfer ${stamped.idTransfer} is a digital stamp: only paGetPaymentV2 can carry it`);
  }
  const unpaidInstallments = position.paymentOptions.filter((o) => o.isPartialPayment && o.status === 'PO_UNPAID');
  return {
    kind: 'payment',
    payment: {
      iuv: option.iuv,
      amount: option.amount,
      dueDate: romeCalendarDay(option.dueDate),
      ...(option.retentionDate !== undefined ? { retentionDate: option.retentionDate.replace(/\.\d+Z$/, 'Z') } : {}),
      ...(option.isPartialPayment ? { lastPayment: unpaidInstallments.length === 1 } : {}),
      description: describeOption(position, option),
      companyName: position.companyName,
      ...(position.officeName !== undefined ? { officeName: position.officeName } : {}),
      debtor: position.debtor,
      transfers: option.transfers.map((t) => transferOf(t, position, command.postalAccounts)),
      ...(option.metadata.length > 0 ? { metadata: option.metadata.map((m) => ({ key: m.key, value: m.value })) } : {}),
    },
  };
}

async function takeReceipt(deps: StationDeps, command: Extract<StationCommand, { kind: 'take-receipt' }>): Promise<StationAnswer> {
  const { receipt, caller } = command;
  if (receipt.fiscalCode !== caller.creditorFiscalCode) {
    return refuse('INCONSISTENT_REQUEST', `receipt/fiscalCode ${receipt.fiscalCode} differs from idPA ${caller.creditorFiscalCode}`);
  }
  let outcome;
  try {
    outcome = await intakeReceipt(deps, receipt);
  } catch (error) {
    if (error instanceof UseCaseError && error.kind === 'invalid') return refuse('INVALID_RECEIPT', error.message);
    throw error;
  }
  if (outcome === 'duplicate-receipt') {
    return refuse('DUPLICATE_RECEIPT', `notice ${receipt.noticeNumber} was paid by another receipt; this one is kept as an anomaly`);
  }
  return { kind: 'receipt-taken' };
}

/** An option's description, never empty (the node shows it: 1..140 characters). */
function describeOption(position: DebtPosition, option: PaymentOption): string {
  return option.description.trim() || option.transfers[0]?.remittanceInformation.trim() || position.companyName;
}

/**
 * One transfer as the node wants it: to the postal IBAN when the PSP can credit postal accounts
 * and the transfer has one, otherwise to the bank IBAN; a digital stamp instead of an account.
 */
function transferOf(t: Transfer, position: DebtPosition, postalAccounts: boolean): PaymentTransferDetails {
  const iban = postalAccounts && t.postalIban ? t.postalIban : (t.iban ?? t.postalIban);
  return {
    idTransfer: Number(t.idTransfer),
    amount: t.amount,
    creditorFiscalCode: t.organizationFiscalCode,
    ...(t.companyName !== undefined
      ? { companyName: t.companyName }
      : t.organizationFiscalCode === position.organizationFiscalCode
        ? { companyName: position.companyName }
        : {}),
    ...(iban !== undefined
      ? { iban }
      : t.stamp
        ? { stamp: { hashDocument: t.stamp.hashDocument, provincialResidence: t.stamp.provincialResidence } }
        : {}),
    remittanceInformation: t.remittanceInformation,
    category: t.category,
    ...(t.metadata.length > 0 ? { metadata: t.metadata.map((m) => ({ key: m.key, value: m.value })) } : {}),
  };
}
