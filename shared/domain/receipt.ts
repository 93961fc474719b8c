/**
 * Payment receipts (ricevute telematiche): the receipt itself and what it does to a debt
 * position. Pure: plain data in, plain data out; the clock is an argument.
 *
 * Who may be paid (the node's paVerifyPaymentNotice / paGetPayment) and what a receipt changes
 * (paSendRT → receipt processor) are the same rules seen from two sides, so both live here:
 *
 *   position status (statusAt)      option          answer to the node       receipt arriving
 *   DRAFT / PUBLISHED               any             PAA_PAGAMENTO_SCONOSCIUTO anomaly NOT_PAYABLE
 *   INVALID                         any             PAA_PAGAMENTO_ANNULLATO   anomaly NOT_PAYABLE
 *   EXPIRED                         any             PAA_PAGAMENTO_SCADUTO     anomaly NOT_PAYABLE
 *   PAID / REPORTED                 any             PAA_PAGAMENTO_DUPLICATO   (same receipt: duplicate) anomaly ALREADY_PAID
 *   PARTIALLY_PAID                  single option   PAA_PAGAMENTO_DUPLICATO   anomaly OTHER_MODE_PAID
 *   VALID / PARTIALLY_PAID          option PO_PAID  PAA_PAGAMENTO_DUPLICATO   (same receipt: duplicate) anomaly ALREADY_PAID
 *   VALID / PARTIALLY_PAID          unpaid option   payable                   applied: option PO_PAID, position PAID or PARTIALLY_PAID
 *   any                             any             -                         paid at an implausible date: anomaly IMPLAUSIBLE_PAYMENT_DATE
 *
 * A receipt is never dropped: what cannot be applied is kept as an anomaly (the money has moved).
 */
import { parseApiDateTime } from './dates';
import { isPayable, statusAt, type DebtPosition, type KeyValue, type PaymentOption, type PositionStatus } from './debt-position';

// ---- the receipt ------------------------------------------------------------------------------

/**
 * A payment receipt (ricevuta) as the layer knows it: the normalised form of the pagoPA node's
 * paSendRT / paSendRTV2 `receipt` (ctReceipt / ctReceiptV2 in paForNode.xsd, pagoPA's
 * pagopa-api repository). Field names are the XSD's; amounts are integer euro cents; dates stay
 * as the node sent them (xsd:date / xsd:dateTime; the node usually omits the time zone: Europe/Rome
 * local time). Two shape changes from the XML: the subject's `uniqueIdentifier{type,value}` is
 * flattened and `e-mail` is `email`; `transferList{transfer[]}` and `metadata{mapEntry[]}` are
 * arrays. The queue contract (events/receipt.ts) validates exactly this shape.
 */
export interface Receipt {
  /** unique id of the receipt given by the node (the payment token) */
  readonly receiptId: string;
  /** notice number (codice avviso, NAV), 18 digits */
  readonly noticeNumber: string;
  /** creditor (ente creditore) fiscal code */
  readonly fiscalCode: string;
  readonly outcome: 'OK' | 'KO';
  /** the IUV */
  readonly creditorReferenceId: string;
  /** cents */
  readonly paymentAmount: number;
  readonly description: string;
  readonly companyName: string;
  readonly officeName?: string;
  readonly debtor: ReceiptSubject;
  readonly transferList: readonly ReceiptTransfer[];
  readonly idPSP: string;
  readonly pspFiscalCode?: string;
  readonly pspPartitaIVA?: string;
  readonly PSPCompanyName: string;
  readonly idChannel: string;
  readonly channelDescription: string;
  readonly payer?: ReceiptSubject;
  readonly paymentMethod?: string;
  readonly paymentNote?: string;
  /** cents */
  readonly fee?: number;
  /** cents */
  readonly primaryCiIncurredFee?: number;
  readonly idBundle?: string;
  readonly idCiBundle?: string;
  readonly paymentDateTime?: string;
  readonly applicationDate?: string;
  readonly transferDate?: string;
  readonly metadata?: Metadata;
  /** paid while the node ran in stand-in mode (the creditor was unreachable) */
  readonly standIn?: boolean;
}

/** Who owes (debtor) or who paid (payer). */
export interface ReceiptSubject {
  /** F = natural person (persona fisica), G = legal person (persona giuridica) */
  readonly entityUniqueIdentifierType: 'F' | 'G';
  /** codice fiscale or partita IVA ("ANONIMO" for anonymous payers) */
  readonly entityUniqueIdentifierValue: string;
  readonly fullName: string;
  readonly streetName?: string;
  readonly civicNumber?: string;
  readonly postalCode?: string;
  readonly city?: string;
  readonly stateProvinceRegion?: string;
  /** ISO 3166 alpha-2 */
  readonly country?: string;
  readonly email?: string;
}

/** One beneficiary share of the payment, as paid. */
export interface ReceiptTransfer {
  /** 1..5 */
  readonly idTransfer: number;
  /** cents */
  readonly transferAmount: number;
  readonly fiscalCodePA: string;
  readonly companyName?: string;
  /** the account credited (bank or postal IBAN); exactly one of IBAN and MBDAttachment */
  readonly IBAN?: string;
  /** the digital stamp (marca da bollo) bought, base64 of its XML (paSendRTV2 only) */
  readonly MBDAttachment?: string;
  readonly remittanceInformation: string;
  /** taxonomy code (tassonomia), e.g. 9/0101002IM/ */
  readonly transferCategory: string;
  readonly metadata?: Metadata;
}

/** Key/value pairs the creditor or the node attach (1..15 entries). */
export type Metadata = readonly KeyValue[];

// ---- what the layer can store -----------------------------------------------------------------

/**
 * The longest receiptId taken in, in UTF-8 bytes. The XSD types it xsd:string (unbounded; the
 * node's own are its 32-character payment tokens); the layer keys a receipt by it, and a DynamoDB
 * sort key holds at most 1,024 bytes: `RECEIPT#<receiptId>#KO` and the time index's
 * `<recordedAt>#<iuv>#<receiptId>` (an IUV is at most 35 characters, 140 bytes) stay far below.
 */
export const MAX_RECEIPT_ID_BYTES = 256;

/**
 * The heaviest receipt taken in, as JSON in UTF-8 bytes. It travels as one SQS message (at most
 * 262,144 bytes) and is kept in one DynamoDB item (at most 400 KB, with the record around it).
 * A receipt the XSD allows weighs at most ~120 KB of text without a stamp (15 metadata entries of
 * 2 × 140 four-byte characters on the receipt and on each of its 5 transfers).
 */
export const MAX_RECEIPT_JSON_BYTES = 192 * 1024;

/** Length of `text` in UTF-8 bytes (what storage counts; the XSD counts characters). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Length of `text` in characters as the XSD counts them (Unicode code points, not UTF-16 units). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

// ---- when a payment can have been made --------------------------------------------------------

/**
 * Clock skew tolerated between the node (or a gateway) and the layer, both ways: 10 minutes.
 * Clocks synchronised by NTP differ by far less; a time zone mistake (Rome time sent as UTC)
 * is an hour or two, and is kept as an anomaly rather than trusted.
 */
export const PAYMENT_DATE_SKEW_MS = 10 * 60_000;

export type PaymentDateCheck =
  | { readonly plausible: true; readonly paidAt?: Date }
  | { readonly plausible: false; readonly detail: string };

/**
 * Whether the receipt's paymentDateTime can be when the citizen paid this position. The node takes
 * a payment only after paVerifyPaymentNotice / paGetPayment found the option payable, so:
 * - not before the position existed (its insertedDate, which no update changes; publishDate is
 *   cleared when a position is replaced, so it is not a bound that holds) minus the skew;
 * - not after `now` plus the skew (a receipt is about a payment made, not one to come);
 * - a real date-time (the contract checks only its shape; no offset means Europe/Rome time).
 * A receipt without paymentDateTime is judged at `now`.
 */
export function checkPaymentDate(position: Pick<DebtPosition, 'insertedDate'>, receipt: Pick<Receipt, 'paymentDateTime'>, now: Date): PaymentDateCheck {
  if (receipt.paymentDateTime === undefined) return { plausible: true };
  const iso = parseApiDateTime(receipt.paymentDateTime);
  if (iso === null) return { plausible: false, detail: `paymentDateTime ${receipt.paymentDateTime} is not a real date-time` };
  const paidAt = new Date(iso);
  const earliest = Date.parse(position.insertedDate) - PAYMENT_DATE_SKEW_MS;
  if (paidAt.getTime() < earliest) {
    return { plausible: false, detail: `paid at ${iso}, before the position existed (created ${position.insertedDate})` };
  }
  if (paidAt.getTime() > now.getTime() + PAYMENT_DATE_SKEW_MS) {
    return { plausible: false, detail: `paid at ${iso}, in the future (received ${now.toISOString()})` };
  }
  return { plausible: true, paidAt };
}

// ---- what the node may pay and what a receipt does --------------------------------------------

/** Why the node may not take a payment for a notice (or `payable`). */
export type Payability = 'PAYABLE' | 'UNKNOWN' | 'PAID' | 'EXPIRED' | 'INVALID';

/**
 * Whether `option` of `position` can be paid now. Once the single payment (rata unica) is paid
 * installments are no longer payable, and once an installment is paid the single payment is not.
 */
export function payabilityOf(position: DebtPosition, option: PaymentOption, now: Date): Payability {
  const status = statusAt(position, now);
  switch (status) {
    case 'DRAFT':
    case 'PUBLISHED':
      return 'UNKNOWN';
    case 'INVALID':
      return 'INVALID';
    case 'EXPIRED':
      return 'EXPIRED';
    case 'PAID':
    case 'REPORTED':
      return 'PAID';
    case 'VALID':
    case 'PARTIALLY_PAID':
      if (option.status !== 'PO_UNPAID') return 'PAID';
      if (otherModePaid(position, option)) return 'PAID';
      return 'PAYABLE';
  }
}

/** true when a payment of the other mode (single ↔ installments) has already been made. */
function otherModePaid(position: DebtPosition, option: PaymentOption): boolean {
  return position.paymentOptions.some((o) => o.isPartialPayment !== option.isPartialPayment && o.status !== 'PO_UNPAID');
}

/** true only if every transfer of the option can be credited to a postal account (allCCP). */
export function allTransfersPostal(option: PaymentOption): boolean {
  return option.transfers.length > 0 && option.transfers.every((t) => t.postalIban !== undefined && t.postalIban !== '');
}

export const ANOMALY_KINDS = [
  /** no payment option with that notice number for that creditor */
  'UNKNOWN_NOTICE',
  /** the receipt's amount differs from the option's, or its transfers do not add up to it */
  'AMOUNT_MISMATCH',
  /** the position was not payable (DRAFT, PUBLISHED, INVALID, EXPIRED) */
  'NOT_PAYABLE',
  /** the option was already paid by another receipt */
  'ALREADY_PAID',
  /** the other mode was paid already (single payment after an installment, or vice versa) */
  'OTHER_MODE_PAID',
  /** paid before the position existed or in the future (checkPaymentDate) */
  'IMPLAUSIBLE_PAYMENT_DATE',
  /**
   * the receipt could not be processed at all (it breaks the queue contract, or processing kept
   * failing): recorded on its last receive, before SQS parks it in the receipts DLQ
   */
  'UNPROCESSABLE',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export type ReceiptDecision =
  /** write `position` (version +1) with the option paid */
  | {
      readonly kind: 'apply';
      readonly position: DebtPosition;
      readonly option: PaymentOption;
      readonly previousStatus: PositionStatus;
    }
  /** this very receipt was applied already: nothing to do */
  | { readonly kind: 'duplicate' }
  /** an outcome KO receipt: recorded, nothing is paid */
  | { readonly kind: 'record-ko' }
  /** money moved but cannot be applied: keep it for a human */
  | { readonly kind: 'anomaly'; readonly anomaly: AnomalyKind; readonly detail: string; readonly iupd?: string };

/**
 * What `receipt` does to `position` (undefined when the notice is unknown). The status that
 * matters is the one the position had when the citizen paid: the receipt's paymentDateTime when
 * it is given and plausible (a payment made on the due date may be delivered after midnight),
 * else `now`; an implausible one (checkPaymentDate) is kept as an anomaly.
 */
export function decideReceipt(position: DebtPosition | undefined, receipt: Receipt, now: Date): ReceiptDecision {
  const option = position?.paymentOptions.find((o) => o.nav === receipt.noticeNumber);
  if (receipt.outcome === 'KO') return { kind: 'record-ko' };
  if (!position || !option) {
    return { kind: 'anomaly', anomaly: 'UNKNOWN_NOTICE', detail: `no payment option with notice number ${receipt.noticeNumber}` };
  }
  const iupd = position.iupd;
  if (option.payment?.receiptId === receipt.receiptId) return { kind: 'duplicate' };
  if (option.status !== 'PO_UNPAID') {
    return { kind: 'anomaly', anomaly: 'ALREADY_PAID', detail: `the option was paid by receipt ${option.payment?.receiptId ?? '?'}`, iupd };
  }
  if (otherModePaid(position, option)) {
    const other = option.isPartialPayment ? 'the single payment' : 'an installment';
    return { kind: 'anomaly', anomaly: 'OTHER_MODE_PAID', detail: `${other} of this position was paid already`, iupd };
  }
  const date = checkPaymentDate(position, receipt, now);
  if (!date.plausible) return { kind: 'anomaly', anomaly: 'IMPLAUSIBLE_PAYMENT_DATE', detail: date.detail, iupd };
  const paidAt = date.paidAt;
  const at = paidAt !== undefined && paidAt.getTime() < now.getTime() ? paidAt : now;
  const status = statusAt(position, at);
  if (!isPayable(status)) {
    return { kind: 'anomaly', anomaly: status === 'PAID' || status === 'REPORTED' ? 'ALREADY_PAID' : 'NOT_PAYABLE', detail: `the position was ${status}`, iupd };
  }
  if (receipt.paymentAmount !== option.amount) {
    return {
      kind: 'anomaly',
      anomaly: 'AMOUNT_MISMATCH',
      detail: `paid ${receipt.paymentAmount} cents, the option is ${option.amount} cents`,
      iupd,
    };
  }
  const transfers = receipt.transferList.reduce((sum, t) => sum + t.transferAmount, 0);
  if (transfers !== receipt.paymentAmount) {
    return {
      kind: 'anomaly',
      anomaly: 'AMOUNT_MISMATCH',
      detail: `the transfers add up to ${transfers} cents, the payment is ${receipt.paymentAmount} cents`,
      iupd,
    };
  }
  const { position: next, option: paid } = markPaid(position, option, receipt, now);
  return { kind: 'apply', position: next, option: paid, previousStatus: statusAt(position, now) };
}

/**
 * The position after `option` is paid by `receipt`: the option PO_PAID with its payment record;
 * the position PAID when the single payment or the last installment is paid, else PARTIALLY_PAID.
 */
export function markPaid(
  position: DebtPosition,
  option: PaymentOption,
  receipt: Receipt,
  now: Date,
): { position: DebtPosition; option: PaymentOption } {
  const iso = now.toISOString();
  const paid: PaymentOption = {
    ...option,
    status: 'PO_PAID',
    payment: {
      receiptId: receipt.receiptId,
      paymentDate: receipt.paymentDateTime ?? iso,
      ...(receipt.PSPCompanyName !== undefined ? { pspCompany: receipt.PSPCompanyName } : {}),
      ...(receipt.paymentMethod !== undefined ? { paymentMethod: receipt.paymentMethod } : {}),
      ...(receipt.fee !== undefined ? { fee: receipt.fee } : {}),
    },
  };
  const options = position.paymentOptions.map((o) => (o.nav === option.nav ? paid : o));
  const status = statusAfterPayment(options, paid);
  return {
    position: {
      ...position,
      status,
      paymentOptions: options,
      lastUpdatedDate: iso,
      ...(status === 'PAID' ? { paymentDate: paid.payment?.paymentDate ?? iso } : {}),
      version: position.version + 1,
    },
    option: paid,
  };
}

/** Single option paid → PAID; every installment paid → PAID; some installments → PARTIALLY_PAID. */
export function statusAfterPayment(options: readonly PaymentOption[], paid: PaymentOption): PositionStatus {
  if (!paid.isPartialPayment) return 'PAID';
  const installments = options.filter((o) => o.isPartialPayment);
  return installments.every((o) => o.status !== 'PO_UNPAID') ? 'PAID' : 'PARTIALLY_PAID';
}
