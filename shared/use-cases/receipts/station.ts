/**
 * The layer as a pagoPA creditor station (stazione dell'ente creditore): answers whether a notice
 * may be paid and for how much, gives the payment's details, takes the receipt in, and creates the
 * notice of a spontaneous payment a PSP asks for (paDemandPaymentNotice). Transport
 * free: a command in, an answer (or a refusal) out (station-messages.ts); the SOAP edge
 * (shared/http/soap-edge.ts) does the XML and the PAA fault codes.
 */
import { createHash } from 'node:crypto';
import type { DebtPosition, PaymentOption, Transfer } from '../../domain/debt-position';
import { isPayable } from '../../domain/debt-position';
import { romeCalendarDay } from '../../domain/dates';
import type { Organization } from '../../domain/organization';
import { allTransfersPostal, payabilityOf, type Payability } from '../../domain/receipt';
import { UseCaseError } from '../errors';
import { requestSpontaneousPayment, serviceOf, type SpontaneousPaymentDeps } from '../spontaneous-payments';
import { intakeReceipt, type IntakeDeps } from './intake';
import type { CreditorDirectory } from './ports';
import type { NoticeReference, PaymentTransferDetails, StationAnswer, StationCaller, StationCommand, StationRefusal } from './station-messages';

export interface StationDeps extends IntakeDeps {
  readonly organizations: CreditorDirectory;
  readonly clock: () => Date;
  /** paDemandPaymentNotice creates positions (absent: the station offers no spontaneous service) */
  readonly spontaneous?: SpontaneousPaymentDeps;
}

/** How many positions one PSP request may make in a Rome day once the previous one is no longer payable. */
const MAX_DEMANDS_PER_DAY = 20;

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
    case 'demand-notice':
      return demandNotice(deps, command);
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

/** What the node is told of a payable notice (paVerifyPaymentNotice, paDemandPaymentNotice). */
function noticeOf(position: DebtPosition, option: PaymentOption) {
  return {
    amount: option.amount,
    dueDate: romeCalendarDay(option.dueDate),
    description: describeOption(position, option),
    allPostal: allTransfersPostal(option),
    creditorFiscalCode: position.organizationFiscalCode,
    companyName: position.companyName,
    ...(position.officeName !== undefined ? { officeName: position.officeName } : {}),
  };
}

async function verify(deps: StationDeps, command: Extract<StationCommand, { kind: 'verify-notice' }>): Promise<StationAnswer> {
  const found = await payableOption(deps, command.caller, command.notice);
  if ('kind' in found) return found;
  const { position, option } = found;
  return {
    kind: 'notice',
    notice: noticeOf(position, option),
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

/**
 * paDemandPaymentNotice: a spontaneous payment asked for at a PSP. The position is created through
 * requestSpontaneousPayment (the counter's use case, channel 'psp'). The request key is the
 * request's content and the Rome day, so the node retrying gets the same notice; once that notice
 * is paid (or expired, cancelled), the same request makes the next one.
 */
async function demandNotice(deps: StationDeps, command: Extract<StationCommand, { kind: 'demand-notice' }>): Promise<StationAnswer> {
  const organization = await deps.organizations.get(command.caller.creditorFiscalCode);
  const service = organization ? serviceOf(organization, command.serviceId) : undefined;
  if (!organization || !service || !deps.spontaneous) {
    return refuse('UNKNOWN_SERVICE', `idServizio ${command.serviceId} is not a spontaneous service of ${command.caller.creditorFiscalCode}`);
  }
  const data = command.serviceData;
  if ('unreadable' in data) return refuse('INVALID_SERVICE_DATA', data.unreadable);
  const day = romeCalendarDay(deps.clock().toISOString());
  const identity = JSON.stringify([
    command.caller.creditorFiscalCode,
    command.serviceId,
    command.providerId,
    data.payer.type,
    data.payer.fiscalCode,
    data.payer.fullName,
    data.payer.email ?? '',
    Object.entries(data.values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
  const base = `psp:${day}:${createHash('sha256').update(identity, 'utf8').digest('hex')}`;
  for (let generation = 1; generation <= MAX_DEMANDS_PER_DAY; generation++) {
    let result;
    try {
      result = await requestSpontaneousPayment(deps.spontaneous, organization, {
        serviceId: service.id,
        debtor: data.payer,
        values: data.values,
        requestKey: generation === 1 ? base : `${base}#${generation}`,
        channel: 'psp',
      });
    } catch (error) {
      if (error instanceof UseCaseError && error.kind === 'invalid') {
        const detail = error.fields.length > 0 ? error.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : error.message;
        return refuse('INVALID_SERVICE_DATA', `datiSpecificiServizioRequest: ${detail}`);
      }
      if (error instanceof UseCaseError && error.kind === 'not-found') return refuse('UNKNOWN_SERVICE', error.message);
      throw error;
    }
    const { position } = result;
    const option = position.paymentOptions[0];
    if (!option) throw new Error(`spontaneous position ${position.iupd} has no option`);
    if (!isPayable(position.status) || option.status !== 'PO_UNPAID') continue;
    return {
      kind: 'demanded-notice',
      noticeNumber: option.nav,
      notice: noticeOf(position, option),
    };
  }
  return refuse('INVALID_SERVICE_DATA', `the same request has made ${MAX_DEMANDS_PER_DAY} notices today`);
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
