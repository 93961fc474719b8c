/**
 * What the pagoPA node asks the creditor station and what the station answers, in the layer's
 * own terms: the commands and answers of the station use case (station.ts). The SOAP edge
 * (shared/http/soap-edge.ts) reads them from and writes them into paForNode messages
 * (paVerifyPaymentNotice, paGetPayment/V2, paSendRT/V2, paDemandPaymentNotice) and turns a refusal into
 * its PAA fault.
 */
import type { Debtor } from '../../domain/debt-position';
import type { Metadata, Receipt } from '../../domain/receipt';

/** Who the node says it is calling: the creditor, and the broker and station pagoPA knows it by. */
export interface StationCaller {
  /** idPA */
  readonly creditorFiscalCode: string;
  /** idBrokerPA */
  readonly brokerId: string;
  /** idStation */
  readonly stationId: string;
}

/** A notice as printed on the avviso (the QR code's content). */
export interface NoticeReference {
  readonly creditorFiscalCode: string;
  /** the notice number (codice avviso, NAV), 18 digits */
  readonly noticeNumber: string;
}

export type StationCommand =
  /** may this notice be paid, and how much? (paVerifyPaymentNotice) */
  | { readonly kind: 'verify-notice'; readonly caller: StationCaller; readonly notice: NoticeReference }
  /** the payment's details, the PSP is about to take the money (paGetPayment, paGetPaymentV2) */
  | {
      readonly kind: 'get-payment';
      readonly caller: StationCaller;
      readonly notice: NoticeReference;
      /** the PSP can credit postal accounts: prefer a transfer's postal IBAN */
      readonly postalAccounts: boolean;
      /** the request can carry a digital stamp instead of an account (paGetPaymentV2 only) */
      readonly stampsAllowed: boolean;
    }
  /** the receipt of a payment made (paSendRT, paSendRTV2) */
  | { readonly kind: 'take-receipt'; readonly caller: StationCaller; readonly receipt: Receipt }
  /** a PSP asks for a notice of one of the creditor's spontaneous services (paDemandPaymentNotice) */
  | {
      readonly kind: 'demand-notice';
      readonly caller: StationCaller;
      /** idServizio: the service's id (shared/domain/spontaneous-service.ts) */
      readonly serviceId: string;
      /** idSoggettoServizio: the service's provider in pagoPA's service catalogue (not checked, part of the request's identity) */
      readonly providerId: string;
      /** what the PSP collected (datiSpecificiServizio), or why it could not be read */
      readonly serviceData: DemandedServiceData | { readonly unreadable: string };
    };

/** The payer and the form's values (as text) a PSP sent for a spontaneous service. */
export interface DemandedServiceData {
  readonly payer: { readonly type: 'F' | 'G'; readonly fiscalCode: string; readonly fullName: string; readonly email?: string };
  readonly values: Readonly<Record<string, string>>;
}

/** The payable notice, as the node shows it to the citizen before paying. */
export interface PayableNotice {
  /** cents, the amount due now (exactly this: no other amount is accepted) */
  readonly amount: number;
  /** YYYY-MM-DD, Europe/Rome */
  readonly dueDate: string;
  readonly description: string;
  /** every transfer can be credited to a postal account */
  readonly allPostal: boolean;
  readonly creditorFiscalCode: string;
  readonly companyName: string;
  readonly officeName?: string;
}

export interface PaymentTransferDetails {
  /** 1..5 */
  readonly idTransfer: number;
  /** cents */
  readonly amount: number;
  /** the creditor receiving the transfer */
  readonly creditorFiscalCode: string;
  /** the creditor's name: the transfer's own companyName, else the position's for its own transfers */
  readonly companyName?: string;
  /** the account credited (bank or postal IBAN); absent when a digital stamp is sold instead */
  readonly iban?: string;
  /** a digital stamp (marca da bollo) instead of an account */
  readonly stamp?: { readonly hashDocument: string; readonly provincialResidence: string };
  readonly remittanceInformation: string;
  /** taxonomy code (tassonomia) */
  readonly category: string;
  readonly metadata?: Metadata;
}

/** Everything the node needs to take the payment. */
export interface PaymentDetails {
  readonly iuv: string;
  /** cents; the transfers add up to it */
  readonly amount: number;
  /** YYYY-MM-DD, Europe/Rome */
  readonly dueDate: string;
  readonly retentionDate?: string;
  /** installments only: this is the last unpaid one */
  readonly lastPayment?: boolean;
  readonly description: string;
  readonly companyName: string;
  readonly officeName?: string;
  readonly debtor: Debtor;
  readonly transfers: readonly PaymentTransferDetails[];
  readonly metadata?: Metadata;
}

/** Why the station refuses (each is one PAA fault of pagoPA's creditor interface). */
export type StationRefusal =
  /** idPA is not an active creditor served here */
  | 'UNKNOWN_CREDITOR'
  /** idBrokerPA is not the creditor's broker */
  | 'WRONG_BROKER'
  /** idStation is not the creditor's station */
  | 'WRONG_STATION'
  /** the request contradicts itself or asks what it cannot (e.g. a stamp in paGetPayment V1) */
  | 'INCONSISTENT_REQUEST'
  /** no such notice, or not payable yet (DRAFT, PUBLISHED) */
  | 'UNKNOWN_NOTICE'
  | 'ALREADY_PAID'
  | 'EXPIRED'
  /** invalidated by the creditor */
  | 'CANCELLED'
  /** a different receipt for an option another receipt paid (kept as an anomaly all the same) */
  | 'DUPLICATE_RECEIPT'
  /** a receipt the layer cannot take in: beyond what it can store, or text it refuses */
  | 'INVALID_RECEIPT'
  /** paDemandPaymentNotice: the creditor offers no spontaneous service with that idServizio */
  | 'UNKNOWN_SERVICE'
  /** paDemandPaymentNotice: datiSpecificiServizio unreadable, or not what the service's form asks */
  | 'INVALID_SERVICE_DATA';

export type StationAnswer =
  | { readonly kind: 'notice'; readonly notice: PayableNotice }
  | { readonly kind: 'payment'; readonly payment: PaymentDetails }
  | { readonly kind: 'receipt-taken' }
  /** the notice a spontaneous payment created (or the one the same request created before) */
  | { readonly kind: 'demanded-notice'; readonly noticeNumber: string; readonly notice: PayableNotice }
  | { readonly kind: 'refused'; readonly reason: StationRefusal; readonly detail: string };
