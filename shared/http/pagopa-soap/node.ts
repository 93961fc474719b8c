/**
 * The pagoPA node's side of paForNode, for the node simulator and for tests: write the requests
 * the node sends to a creditor station, read what the station answers.
 */
import { codecFault, decodeElement, describe, encodeElement, envelope, openEnvelope, type CodecOptions } from './envelope';
import { compact, paymentFromWire, receiptToWire, verifyFromWire } from './mapping';
import type {
  CodecFault,
  DemandNoticeData,
  DemandRequest,
  FaultBean,
  GetPaymentOperation,
  GetPaymentRequest,
  SendRTOperation,
  SendRTRequest,
  StationResponse,
  VerifyRequest,
} from './types';
import { OPERATIONS, PA_FOR_NODE_NS, SOAP11_ENVELOPE_NS, operationByResponseElement, type Operation } from './wire';

/** the prefix the node's requests bind to the paForNode namespace (the WSDL's own) */
const REQUEST_PREFIX = 'pafn';

export type NodeRequestData<O extends Operation> = O extends 'paVerifyPaymentNotice'
  ? Omit<VerifyRequest, 'operation'>
  : O extends 'paDemandPaymentNotice'
    ? Omit<DemandRequest, 'operation'>
    : O extends GetPaymentOperation
    ? Omit<GetPaymentRequest, 'operation'>
    : Omit<SendRTRequest, 'operation'>;

/** The SOAPAction header the node sends with an operation (the WSDL's soapAction, quoted). */
export function soapActionFor(operation: Operation): string {
  return `"${operation}"`;
}

/**
 * The XML the node POSTs to the station for `operation`. Throws SoapBuildError when the data
 * breaks the XSD (e.g. a V2-only receipt field on paSendRT).
 */
export function buildNodeRequest<O extends Operation>(operation: O, data: NodeRequestData<O>): string {
  const spec = OPERATIONS[operation];
  const { idPA, idBrokerPA, idStation } = data;
  let wire: Record<string, unknown>;
  if ('receipt' in data) {
    wire = { idPA, idBrokerPA, idStation, receipt: receiptToWire(data.receipt) };
  } else if ('datiSpecificiServizio' in data) {
    wire = {
      idPA,
      idBrokerPA,
      idStation,
      idServizio: data.idServizio,
      idSoggettoServizio: data.idSoggettoServizio,
      datiSpecificiServizioRequest: data.datiSpecificiServizio,
    };
  } else if (operation === 'paVerifyPaymentNotice') {
    wire = { idPA, idBrokerPA, idStation, qrCode: { ...(data as Omit<VerifyRequest, 'operation'>).qrCode } };
  } else {
    const get = data as Omit<GetPaymentRequest, 'operation'>;
    wire = compact({
      idPA,
      idBrokerPA,
      idStation,
      qrCode: { ...get.qrCode },
      amount: get.amount,
      paymentNote: get.paymentNote,
      transferType: get.transferType,
      dueDate: get.dueDate,
    });
  }
  return envelope(REQUEST_PREFIX, encodeElement(spec.request, wire as never, spec.requestElement, REQUEST_PREFIX));
}

/**
 * Reads a station's answer: which operation, OK/KO, the fault bean, and the data (verify or
 * payment). A SOAP Fault, a body that is not a paForNode response, or one that breaks the XSD
 * → a CodecFault describing why (a real node then treats the station as faulty).
 */
export function parseStationResponse(
  xml: string | Uint8Array,
  options: CodecOptions & { expected?: Operation } = {},
): StationResponse | CodecFault {
  const element = openEnvelope(xml, options);
  if ('kind' in element) return element;
  if (element.uri === SOAP11_ENVELOPE_NS && element.local === 'Fault') {
    const text = (name: string) => element.children.find((c) => c.local === name)?.text.trim() ?? '';
    return codecFault('not-soap', `SOAP Fault ${text('faultcode')}: ${text('faultstring')}`);
  }
  const operation = element.uri === PA_FOR_NODE_NS ? operationByResponseElement(element.local) : undefined;
  if (!operation) {
    return codecFault('unknown-operation', `the SOAP Body holds {${element.uri}}${element.local}, not a paForNode response`);
  }
  if (options.expected && options.expected !== operation) {
    return codecFault('operation-mismatch', `expected a ${options.expected} response, got ${element.local}`, {
      operation,
    });
  }
  const spec = OPERATIONS[operation];
  const decoded = decodeElement(spec.response, element);
  if (!decoded.ok) return codecFault('invalid', describe(spec.responseElement, decoded.issues), { operation });
  const value = decoded.value as {
    outcome: 'OK' | 'KO';
    fault?: FaultBean;
    data?: Parameters<typeof paymentFromWire>[0];
  } & Parameters<typeof verifyFromWire>[0];
  const base = compact({ kind: 'response' as const, outcome: value.outcome, fault: value.fault });
  if (operation === 'paVerifyPaymentNotice') {
    return compact({ ...base, operation, data: verifyFromWire(value) });
  }
  if (operation === 'paDemandPaymentNotice') {
    const qrCode = (value as { qrCode?: DemandNoticeData['qrCode'] }).qrCode;
    const verify = verifyFromWire(value);
    return compact({ ...base, operation, data: qrCode && verify ? { ...verify, qrCode: { ...qrCode } } : undefined });
  }
  if (operation === 'paGetPayment' || operation === 'paGetPaymentV2') {
    return compact({ ...base, operation, data: value.data ? paymentFromWire(value.data) : undefined });
  }
  return { ...base, operation: operation as SendRTOperation };
}
