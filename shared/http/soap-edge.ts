/**
 * The SOAP edge, the one way the node-facing function is built (the JSON `tenantRoute` does not
 * fit XML): raw body and SOAPAction in, `text/xml` out, instrumented like every Lambda of the
 * layer (shared/observability/lambda.ts). The paForNode request is read by the codec
 * (./pagopa-soap), turned into a station command, and the station's answer written back.
 *
 * Every business or validation problem is answered as pagoPA stations do: HTTP 200, the
 * operation's response with outcome KO and a PAA fault. Only a request whose operation cannot be
 * told, or that names no creditor at all, gets a SOAP Fault, with HTTP 400 (a wrong request is
 * never a 5xx); an internal failure is PAA_SYSTEM_ERROR (the node retries).
 *
 * The fault bean's `id` (ctFaultBean, sac-common-types-1.0.xsd) names who raises the fault: the
 * station answers as the creditor, so it is always a creditor's fiscal code (identificativoDominio)
 * as the request gave it: the idPA, also when that idPA is not a creditor served here
 * (PAA_ID_DOMINIO_ERRATO) and when the rest of the request cannot be parsed.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Debtor } from '../domain/debt-position';
import { instrument } from '../observability/lambda';
import type { PaymentDetails, PayableNotice, StationAnswer, StationCommand, StationRefusal } from '../use-cases/receipts/station-messages';
import {
  buildCodecFaultResponse,
  buildFaultResponse,
  creditorOfUnreadableRequest,
  buildGetPaymentResponse,
  buildSendRTResponse,
  buildSoapFault,
  buildVerifyResponse,
  buildDemandResponse,
  DEFAULT_MAX_BODY_BYTES,
  readServiceData,
  parseNodeRequest,
  SoapBuildError,
  type Operation,
  type PaaFaultCode,
  type ParsedRequest,
  type PaymentData,
  type Subject,
  type VerifyNoticeData,
} from './pagopa-soap';

const XML_HEADERS = { 'content-type': 'text/xml; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

/** The PAA fault of each refusal (pagoPA "faultCode e faultString", creditor side). */
const FAULT_OF: Record<StationRefusal, PaaFaultCode> = {
  UNKNOWN_CREDITOR: 'PAA_ID_DOMINIO_ERRATO',
  WRONG_BROKER: 'PAA_ID_INTERMEDIARIO_ERRATO',
  WRONG_STATION: 'PAA_STAZIONE_INT_ERRATA',
  INCONSISTENT_REQUEST: 'PAA_SEMANTICA',
  UNKNOWN_NOTICE: 'PAA_PAGAMENTO_SCONOSCIUTO',
  ALREADY_PAID: 'PAA_PAGAMENTO_DUPLICATO',
  EXPIRED: 'PAA_PAGAMENTO_SCADUTO',
  CANCELLED: 'PAA_PAGAMENTO_ANNULLATO',
  DUPLICATE_RECEIPT: 'PAA_RECEIPT_DUPLICATA',
  // what the XSD allows but the layer cannot store: a syntax rule beyond the XSD
  INVALID_RECEIPT: 'PAA_SINTASSI_EXTRAXSD',
  // paDemandPaymentNotice ("Gestione degli errori", Nodo -> EC, docs.pagopa.it/gestionedeglierrori/
  // ente-creditore/nodo-greater-than-ec: its syntax faults are PAA_SINTASSI_EXTRAXSD and, for this
  // primitive only, PAA_SINTASSI_XSD). No code names an unknown service: PAA_SEMANTICA, the generic
  // semantic fault of every primitive (…/struttura-degli-errori/fault-code). datiSpecificiServizio
  // that breaks the service's own schema (the catalogue's xsdRiferimento): PAA_SINTASSI_XSD.
  UNKNOWN_SERVICE: 'PAA_SEMANTICA',
  INVALID_SERVICE_DATA: 'PAA_SINTASSI_XSD',
};

export function soapRoute(logger: Logger, answer: (command: StationCommand) => Promise<StationAnswer>) {
  const base = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const reply = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
      statusCode,
      headers: { ...XML_HEADERS, 'x-request-id': requestId },
      body,
    });
    const raw = event.body ?? '';
    const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    const parsed = parseNodeRequest(bytes, headerOf(event, 'soapaction'), { maxBytes: DEFAULT_MAX_BODY_BYTES });
    if (parsed.kind === 'fault') {
      logger.info('node request refused', { failure: parsed.failure, operation: parsed.operation, detail: parsed.description });
      const creditor = parsed.idPA ?? creditorOfUnreadableRequest(bytes);
      if (parsed.operation === undefined) return reply(400, buildSoapFault(parsed.description));
      if (creditor === undefined) return reply(400, buildSoapFault(`${parsed.description}; the request names no creditor (idPA)`));
      return reply(200, buildCodecFaultResponse({ ...parsed, operation: parsed.operation }, creditor));
    }
    logger.appendKeys({ operation: parsed.operation, idPA: parsed.idPA });
    let result: StationAnswer;
    try {
      result = await answer(commandOf(parsed));
    } catch (error) {
      logger.error('node request failed', { error: error as Error });
      return reply(200, systemError(parsed.operation, parsed.idPA, requestId));
    }
    try {
      const xml = toXml(parsed, result);
      logger.info('node request answered', {
        outcome: result.kind === 'refused' ? 'KO' : 'OK',
        ...(result.kind === 'refused' ? { faultCode: FAULT_OF[result.reason] } : {}),
      });
      return reply(200, xml);
    } catch (error) {
      // our own data does not fit the XSD (e.g. a description the codec cannot carry): a bug here
      logger.error('cannot build the station response', { error: error as Error });
      return reply(200, systemError(parsed.operation, parsed.idPA, requestId));
    }
  };
  return instrument(base);
}

// ---- paForNode request → station command ----------------------------------------------------

function commandOf(request: ParsedRequest): StationCommand {
  const caller = { creditorFiscalCode: request.idPA, brokerId: request.idBrokerPA, stationId: request.idStation };
  switch (request.operation) {
    case 'paVerifyPaymentNotice':
      return { kind: 'verify-notice', caller, notice: { creditorFiscalCode: request.qrCode.fiscalCode, noticeNumber: request.qrCode.noticeNumber } };
    case 'paGetPayment':
    case 'paGetPaymentV2':
      return {
        kind: 'get-payment',
        caller,
        notice: { creditorFiscalCode: request.qrCode.fiscalCode, noticeNumber: request.qrCode.noticeNumber },
        postalAccounts: request.transferType === 'POSTAL',
        stampsAllowed: request.operation === 'paGetPaymentV2',
      };
    case 'paSendRT':
    case 'paSendRTV2':
      return { kind: 'take-receipt', caller, receipt: request.receipt };
    case 'paDemandPaymentNotice': {
      const data = readServiceData(request.datiSpecificiServizio);
      return {
        kind: 'demand-notice',
        caller,
        serviceId: request.idServizio,
        providerId: request.idSoggettoServizio,
        serviceData: 'problem' in data ? { unreadable: data.problem } : data,
      };
    }
  }
}

// ---- station answer → paForNode response ----------------------------------------------------

function toXml(request: ParsedRequest, result: StationAnswer): string {
  const operation = request.operation;
  switch (result.kind) {
    case 'notice':
      if (operation !== 'paVerifyPaymentNotice') break;
      return buildVerifyResponse(verifyDataOf(result.notice));
    case 'payment':
      if (operation !== 'paGetPayment' && operation !== 'paGetPaymentV2') break;
      return buildGetPaymentResponse(operation, paymentDataOf(result.payment));
    case 'receipt-taken':
      if (operation !== 'paSendRT' && operation !== 'paSendRTV2') break;
      return buildSendRTResponse(operation);
    case 'demanded-notice':
      if (operation !== 'paDemandPaymentNotice') break;
      return buildDemandResponse({ ...verifyDataOf(result.notice), qrCode: { fiscalCode: result.notice.creditorFiscalCode, noticeNumber: result.noticeNumber } });
    case 'refused':
      return buildFaultResponse(operation, {
        faultCode: FAULT_OF[result.reason],
        description: result.detail,
        // the creditor the node asked about, whether or not it is one served here
        id: request.idPA,
      });
  }
  throw new SoapBuildError(`a '${result.kind}' answer does not fit ${operation}`);
}

function verifyDataOf(notice: PayableNotice): VerifyNoticeData {
  return {
    amount: notice.amount,
    // the amount due is exactly this one
    options: 'EQ',
    dueDate: notice.dueDate,
    detailDescription: notice.description,
    allCCP: notice.allPostal,
    paymentDescription: notice.description,
    fiscalCodePA: notice.creditorFiscalCode,
    companyName: notice.companyName,
    ...(notice.officeName !== undefined ? { officeName: notice.officeName } : {}),
  };
}

function paymentDataOf(payment: PaymentDetails): PaymentData {
  return {
    creditorReferenceId: payment.iuv,
    paymentAmount: payment.amount,
    dueDate: payment.dueDate,
    ...(payment.retentionDate !== undefined ? { retentionDate: payment.retentionDate } : {}),
    ...(payment.lastPayment !== undefined ? { lastPayment: payment.lastPayment } : {}),
    description: payment.description,
    companyName: payment.companyName,
    ...(payment.officeName !== undefined ? { officeName: payment.officeName } : {}),
    debtor: subjectOf(payment.debtor),
    transferList: payment.transfers.map((t) => ({
      idTransfer: t.idTransfer,
      transferAmount: t.amount,
      fiscalCodePA: t.creditorFiscalCode,
      // V1 has no companyName on a transfer: the codec leaves it out of paGetPayment
      ...(t.companyName !== undefined ? { companyName: t.companyName } : {}),
      ...(t.iban !== undefined
        ? { IBAN: t.iban }
        : t.stamp
          ? { richiestaMarcaDaBollo: { hashDocumento: t.stamp.hashDocument, tipoBollo: '01' as const, provinciaResidenza: t.stamp.provincialResidence } }
          : {}),
      remittanceInformation: t.remittanceInformation,
      transferCategory: t.category,
      ...(t.metadata !== undefined ? { metadata: t.metadata } : {}),
    })),
    ...(payment.metadata !== undefined ? { metadata: payment.metadata } : {}),
  };
}

const EMAIL = /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/;

/** The debtor as ctSubject: fields that would break the XSD are cut (16 characters) or left out. */
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

function systemError(operation: Operation, idPA: string, requestId: string): string {
  return buildFaultResponse(operation, {
    faultCode: 'PAA_SYSTEM_ERROR',
    description: `internal error; request id ${requestId}`,
    id: idPA,
  });
}

function headerOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}
