/**
 * pagoPA "paForNode" SOAP 1.1 codec (SANP), the wire format of the node interface: the layer as
 * a creditor station (parse the node's requests, build the station's responses; used by
 * shared/http/soap-edge.ts) and the node side (the simulator scripts/pay.ts and tests).
 * No I/O, no clock.
 */
export {
  parseNodeRequest,
  buildVerifyResponse,
  buildDemandResponse,
  buildGetPaymentResponse,
  buildSendRTResponse,
  buildFaultResponse,
  buildCodecFaultResponse,
  creditorOfUnreadableRequest,
  operationFromSoapAction,
} from './station';
export { buildNodeRequest, parseStationResponse, soapActionFor, type NodeRequestData } from './node';
export { buildSoapFault, isCodecFault, SoapBuildError, type CodecOptions } from './envelope';
export { PAA_FAULTS, PAA_FAULT_CODES, isPaaFaultCode, standardFaultString, type PaaFaultCode } from './fault-codes';
export { PA_FOR_NODE_NS, SOAP11_ENVELOPE_NS, OPERATIONS, OPERATION_NAMES, type Operation } from './wire';
export { DEFAULT_MAX_BODY_BYTES } from './xml';
export { readServiceData, buildServiceData, MAX_SERVICE_DATA_BYTES, type ServiceData, type ServicePayer } from './service-data';
export type * from './types';
