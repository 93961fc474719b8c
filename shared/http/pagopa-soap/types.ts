/**
 * The data the codec reads from and writes into paForNode messages: XSD names, integer cents,
 * no XML wrappers (`transferList` and `metadata` are arrays, the debtor's unique identifier is
 * flattened, `e-mail` is `email`). The receipt is the domain's (shared/domain/receipt.ts), which
 * keeps the XSD's names; the SOAP edge (shared/http/soap-edge.ts) maps the rest to and from the
 * station's commands and answers.
 */
import type { Metadata, Receipt, ReceiptSubject } from '../../domain/receipt';
import type { PaaFaultCode } from './fault-codes';
import type { Operation } from './wire';

export type { Metadata, Receipt, ReceiptSubject as Subject, ReceiptTransfer } from '../../domain/receipt';
export type { Operation } from './wire';

export type GetPaymentOperation = 'paGetPayment' | 'paGetPaymentV2';
export type SendRTOperation = 'paSendRT' | 'paSendRTV2';

export interface CallerIds {
  /** creditor fiscal code (ente creditore) */
  readonly idPA: string;
  /** the intermediary (intermediario / partner tecnologico) */
  readonly idBrokerPA: string;
  readonly idStation: string;
}

export interface QrCode {
  /** creditor fiscal code, 11 digits */
  readonly fiscalCode: string;
  /** notice number (codice avviso, NAV), 18 digits */
  readonly noticeNumber: string;
}

export interface VerifyRequest extends CallerIds {
  readonly operation: 'paVerifyPaymentNotice';
  readonly qrCode: QrCode;
}

export interface GetPaymentRequest extends CallerIds {
  readonly operation: GetPaymentOperation;
  readonly qrCode: QrCode;
  /** cents, the amount the PSP is about to charge */
  readonly amount?: number;
  readonly paymentNote?: string;
  /** POSTAL: the PSP can credit postal accounts; PAGOPA: ordinary */
  readonly transferType?: 'POSTAL' | 'PAGOPA';
  readonly dueDate?: string;
}

export interface SendRTRequest extends CallerIds {
  readonly operation: SendRTOperation;
  readonly receipt: Receipt;
}

/** paDemandPaymentNotice: create a position for a spontaneous service (pagamento spontaneo presso PSP). */
export interface DemandRequest extends CallerIds {
  readonly operation: 'paDemandPaymentNotice';
  /** the service (catalogo servizi idServizio), 5 characters */
  readonly idServizio: string;
  /** the service's provider in the catalogue (idSoggettoServizio), 5 characters */
  readonly idSoggettoServizio: string;
  /** datiSpecificiServizioRequest as received, base64 (whitespace removed); read it with `readServiceData` */
  readonly datiSpecificiServizio: string;
}

export type NodeRequest = VerifyRequest | GetPaymentRequest | SendRTRequest | DemandRequest;

/** A request the station parsed successfully. */
export type ParsedRequest = NodeRequest & { readonly kind: 'request' };

export type CodecFailure =
  | 'too-large'
  | 'encoding'
  | 'doctype'
  | 'not-well-formed'
  | 'not-soap'
  | 'unknown-operation'
  | 'operation-mismatch'
  | 'invalid';

/** A request (or response) the codec refused: answer PAA_SINTASSI_EXTRAXSD. */
export interface CodecFault {
  readonly kind: 'fault';
  readonly faultCode: 'PAA_SINTASSI_EXTRAXSD';
  readonly faultString: string;
  /** names the offending element(s), e.g. `qrCode/noticeNumber: must be 18 digits` */
  readonly description: string;
  readonly failure: CodecFailure;
  /** known when the SOAPAction or the body said which operation it was */
  readonly operation?: Operation;
  /** the caller's ids when they could be read even though the request is invalid */
  readonly idPA?: string;
  readonly idBrokerPA?: string;
  readonly idStation?: string;
}

export interface VerifyNoticeData {
  /** cents, the amount due now */
  readonly amount: number;
  /** EQ unless the creditor allows a different amount */
  readonly options?: 'EQ' | 'LS' | 'GT' | 'ANY';
  readonly dueDate?: string;
  readonly detailDescription?: string;
  /** true only if every transfer can be credited to a postal account */
  readonly allCCP: boolean;
  readonly paymentDescription?: string;
  readonly fiscalCodePA?: string;
  readonly companyName?: string;
  readonly officeName?: string;
}

/** What paDemandPaymentNotice answers: the notice created (qrCode) and what verify would answer for it. */
export interface DemandNoticeData extends VerifyNoticeData {
  readonly qrCode: QrCode;
}

export interface StampRequest {
  /** base64 of the SHA-256 of the document the stamp is for */
  readonly hashDocumento: string;
  /** '01' (the only value defined) */
  readonly tipoBollo: '01';
  /** province of residence, 2 capital letters */
  readonly provinciaResidenza: string;
}

export interface PaymentTransfer {
  readonly idTransfer: number;
  /** cents */
  readonly transferAmount: number;
  readonly fiscalCodePA: string;
  /** V2 only */
  readonly companyName?: string;
  /** bank or postal IBAN; V1 always has one */
  readonly IBAN?: string;
  /** V2 only, instead of IBAN: a digital stamp (marca da bollo) */
  readonly richiestaMarcaDaBollo?: StampRequest;
  readonly remittanceInformation: string;
  readonly transferCategory: string;
  readonly metadata?: Metadata;
}

export interface PaymentData {
  /** the IUV */
  readonly creditorReferenceId: string;
  /** cents; the transfers must add up to it */
  readonly paymentAmount: number;
  readonly dueDate: string;
  readonly retentionDate?: string;
  readonly lastPayment?: boolean;
  readonly description: string;
  /** required by V2 */
  readonly companyName?: string;
  readonly officeName?: string;
  readonly debtor: ReceiptSubject;
  readonly transferList: readonly PaymentTransfer[];
  readonly metadata?: Metadata;
}

export interface FaultInput {
  readonly faultCode: PaaFaultCode;
  /** defaults to the standard text of faultCode */
  readonly faultString?: string;
  readonly description?: string;
  /** who raises the fault: the creditor's fiscal code (idPA) or the station id */
  readonly id: string;
}

export interface FaultBean {
  readonly faultCode: string;
  readonly faultString: string;
  readonly id: string;
  readonly description?: string;
  readonly serial?: number;
  readonly originalFaultCode?: string;
  readonly originalFaultString?: string;
  readonly originalDescription?: string;
}

/** What the node reads back from a station's answer. */
export type StationResponse =
  | {
      readonly kind: 'response';
      readonly operation: 'paVerifyPaymentNotice';
      readonly outcome: 'OK' | 'KO';
      readonly fault?: FaultBean;
      readonly data?: VerifyNoticeData;
    }
  | {
      readonly kind: 'response';
      readonly operation: GetPaymentOperation;
      readonly outcome: 'OK' | 'KO';
      readonly fault?: FaultBean;
      readonly data?: PaymentData;
    }
  | {
      readonly kind: 'response';
      readonly operation: SendRTOperation;
      readonly outcome: 'OK' | 'KO';
      readonly fault?: FaultBean;
    }
  | {
      readonly kind: 'response';
      readonly operation: 'paDemandPaymentNotice';
      readonly outcome: 'OK' | 'KO';
      readonly fault?: FaultBean;
      readonly data?: DemandNoticeData;
    };
