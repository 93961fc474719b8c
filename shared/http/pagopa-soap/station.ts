/**
 * The creditor station's side of paForNode: read what the pagoPA node sends, write what the
 * station answers. Pure: strings/bytes in, data or strings out.
 *
 * Business and validation faults are answered as pagoPA stations do: HTTP 200 with the normal
 * response element, `outcome` KO and a `fault` bean (not a SOAP Fault).
 */
import { codecFault, decodeElement, describe, encodeElement, envelope, openEnvelope, SoapBuildError, type CodecOptions } from './envelope';
import { PAA_FAULTS } from './fault-codes';
import { paymentToWire, receiptFromWire, verifyToWire } from './mapping';
import { receiptBeyondXsdIssues } from './receipt-bounds';
import type {
  CodecFault,
  DemandNoticeData,
  FaultInput,
  GetPaymentOperation,
  ParsedRequest,
  PaymentData,
  SendRTOperation,
  VerifyNoticeData,
} from './types';
import { OPERATIONS, OPERATION_NAMES, PA_FOR_NODE_NS, operationByRequestElement, type Operation } from './wire';
import { truncateText, xmlLength, type XmlElement } from './xml';

/** the prefix the station's responses bind to the paForNode namespace */
const RESPONSE_PREFIX = 'paf';

/**
 * `"paGetPayment"`, `paGetPayment`, `urn:x/paGetPayment` → 'paGetPayment'; '' or '""' → undefined.
 * Returns null for an action that names no paForNode operation.
 */
export function operationFromSoapAction(soapAction: string | undefined): Operation | undefined | null {
  if (soapAction === undefined) return undefined;
  const unquoted = soapAction.trim().replace(/^"(.*)"$/, '$1').trim();
  if (unquoted === '') return undefined;
  const name = unquoted.split(/[/#]/).pop() ?? '';
  return (OPERATION_NAMES as string[]).includes(name) ? (name as Operation) : null;
}

function callerIdsOf(element: XmlElement): Pick<CodecFault, 'idPA' | 'idBrokerPA' | 'idStation'> {
  const ids: Record<string, string> = {};
  for (const child of element.children) {
    if (
      (child.local === 'idPA' || child.local === 'idBrokerPA' || child.local === 'idStation') &&
      child.children.length === 0
    ) {
      const value = child.text.trim();
      if (value !== '' && xmlLength(value) <= 35 && ids[child.local] === undefined) ids[child.local] = value;
    }
  }
  return ids;
}

/**
 * Reads a paForNode request. The operation comes from the SOAPAction header (quoted or not)
 * and from the body's element; when both are given they must agree. Anything malformed, too
 * large, not UTF-8, with a DOCTYPE/ENTITY, breaking the XSD, or a receipt beyond what the layer
 * can store (receipt-bounds.ts) → a CodecFault (answer it with
 * PAA_SINTASSI_EXTRAXSD via `buildFaultResponse`, or `buildSoapFault` when no operation is known).
 */
export function parseNodeRequest(
  body: string | Uint8Array,
  soapAction?: string,
  options: CodecOptions = {},
): ParsedRequest | CodecFault {
  const fromAction = operationFromSoapAction(soapAction);
  const actionOp = fromAction ?? undefined;
  const element = openEnvelope(body, options);
  if ('kind' in element) return actionOp ? { ...element, operation: actionOp } : element;

  const bodyOp = element.uri === PA_FOR_NODE_NS ? operationByRequestElement(element.local) : undefined;
  if (fromAction === null) {
    return codecFault('unknown-operation', `SOAPAction ${soapAction} names no paForNode operation`, {
      ...(bodyOp ? { operation: bodyOp } : {}),
      ...callerIdsOf(element),
    });
  }
  if (!bodyOp) {
    return codecFault(
      'unknown-operation',
      `the SOAP Body holds {${element.uri}}${element.local}, not a paForNode request`,
      actionOp ? { operation: actionOp } : {},
    );
  }
  if (actionOp && actionOp !== bodyOp) {
    return codecFault(
      'operation-mismatch',
      `SOAPAction ${actionOp} does not match the body element ${element.local}`,
      { operation: actionOp, ...callerIdsOf(element) },
    );
  }

  const operation = bodyOp;
  const spec = OPERATIONS[operation];
  const decoded = decodeElement(spec.request, element);
  if (!decoded.ok) {
    return codecFault('invalid', describe(spec.requestElement, decoded.issues), { operation, ...callerIdsOf(element) });
  }
  const value = decoded.value;
  const ids = { idPA: value.idPA, idBrokerPA: value.idBrokerPA, idStation: value.idStation };
  if ('receipt' in value) {
    const receipt = receiptFromWire(value.receipt);
    // what the XSD allows but the layer could not store or would not show (receipt-bounds.ts)
    const beyond = receiptBeyondXsdIssues(value.receipt as Record<string, unknown>, receipt);
    if (beyond.length > 0) return codecFault('invalid', describe(spec.requestElement, beyond), { operation, ...ids });
    return { kind: 'request', operation: operation as SendRTOperation, ...ids, receipt };
  }
  if ('datiSpecificiServizioRequest' in value) {
    return {
      kind: 'request',
      operation: 'paDemandPaymentNotice',
      ...ids,
      idServizio: value.idServizio,
      idSoggettoServizio: value.idSoggettoServizio,
      datiSpecificiServizio: value.datiSpecificiServizioRequest,
    };
  }
  if (operation === 'paVerifyPaymentNotice') {
    return { kind: 'request', operation, ...ids, qrCode: { ...value.qrCode } };
  }
  const request = value as typeof value & {
    amount?: number;
    paymentNote?: string;
    transferType?: 'POSTAL' | 'PAGOPA';
    dueDate?: string;
  };
  return {
    kind: 'request',
    operation: operation as GetPaymentOperation,
    ...ids,
    qrCode: { ...request.qrCode },
    ...(request.amount !== undefined ? { amount: request.amount } : {}),
    ...(request.paymentNote !== undefined ? { paymentNote: request.paymentNote } : {}),
    ...(request.transferType !== undefined ? { transferType: request.transferType } : {}),
    ...(request.dueDate !== undefined ? { dueDate: request.dueDate } : {}),
  };
}

// ---- responses ----------------------------------------------------------------------------

const fit = (value: string | undefined, max: number): string | undefined =>
  value === undefined ? undefined : truncateText(value, max);

function fitSubject<T extends PaymentData['debtor']>(s: T): T {
  return {
    ...s,
    fullName: fit(s.fullName, 70) as string,
    streetName: fit(s.streetName, 70),
    city: fit(s.city, 35),
    stateProvinceRegion: fit(s.stateProvinceRegion, 35),
  };
}

/** Descriptions and names are cut to their XSD maximum; ids, codes and amounts never are. */
function fitPayment(data: PaymentData): PaymentData {
  return {
    ...data,
    description: fit(data.description, 140) as string,
    companyName: fit(data.companyName, 140),
    officeName: fit(data.officeName, 140),
    debtor: fitSubject(data.debtor),
    transferList: data.transferList.map((t) => ({
      ...t,
      companyName: fit(t.companyName, 140),
      remittanceInformation: fit(t.remittanceInformation, 140) as string,
      metadata: t.metadata?.map((m) => ({ key: m.key, value: truncateText(m.value, 140) })),
    })),
    metadata: data.metadata?.map((m) => ({ key: m.key, value: truncateText(m.value, 140) })),
  };
}

/** paVerifyPaymentNoticeRes, outcome OK, with the one payment option and its current amount. */
export function buildVerifyResponse(data: VerifyNoticeData): string {
  const spec = OPERATIONS.paVerifyPaymentNotice;
  const fitted: VerifyNoticeData = {
    ...data,
    detailDescription: fit(data.detailDescription, 140),
    paymentDescription: fit(data.paymentDescription, 140),
    companyName: fit(data.companyName, 140),
    officeName: fit(data.officeName, 140),
  };
  const wire = { outcome: 'OK' as const, ...verifyToWire(fitted) };
  return envelope(RESPONSE_PREFIX, encodeElement(spec.response, wire, spec.responseElement, RESPONSE_PREFIX));
}

/** paDemandPaymentNoticeResponse, outcome OK: the notice created and its one payment option. */
export function buildDemandResponse(data: DemandNoticeData): string {
  const spec = OPERATIONS.paDemandPaymentNotice;
  const { qrCode, ...notice } = data;
  const fitted: VerifyNoticeData = {
    ...notice,
    detailDescription: fit(notice.detailDescription, 140),
    paymentDescription: fit(notice.paymentDescription, 140),
    companyName: fit(notice.companyName, 140),
    officeName: fit(notice.officeName, 140),
  };
  const wire = { outcome: 'OK' as const, qrCode: { ...qrCode }, ...verifyToWire(fitted) };
  return envelope(RESPONSE_PREFIX, encodeElement(spec.response, wire, spec.responseElement, RESPONSE_PREFIX));
}

/**
 * paGetPaymentRes / paGetPaymentV2Response, outcome OK. The transfers must add up to
 * paymentAmount. V1 transfers need an IBAN (a stamp exists only in V2) and carry no companyName.
 */
export function buildGetPaymentResponse(operation: GetPaymentOperation, data: PaymentData): string {
  const total = data.transferList.reduce((sum, t) => sum + t.transferAmount, 0);
  if (total !== data.paymentAmount) {
    throw new SoapBuildError(`transfers add up to ${total} cents, paymentAmount is ${data.paymentAmount}`);
  }
  let fitted = fitPayment(data);
  if (operation === 'paGetPayment') {
    const stamped = fitted.transferList.find((t) => t.richiestaMarcaDaBollo !== undefined || t.IBAN === undefined);
    if (stamped) {
      throw new SoapBuildError(`transfer ${stamped.idTransfer} has no IBAN: paGetPayment (V1) cannot carry a stamp`);
    }
    fitted = { ...fitted, transferList: fitted.transferList.map(({ companyName: _dropped, ...t }) => t) };
  }
  const spec = OPERATIONS[operation];
  const wire = { outcome: 'OK' as const, data: paymentToWire(fitted) };
  return envelope(
    RESPONSE_PREFIX,
    encodeElement(spec.response, wire as never, spec.responseElement, RESPONSE_PREFIX),
  );
}

/** paSendRTRes / paSendRTV2Response, outcome OK (the receipt was taken in). */
export function buildSendRTResponse(operation: SendRTOperation): string {
  const spec = OPERATIONS[operation];
  return envelope(
    RESPONSE_PREFIX,
    encodeElement(spec.response, { outcome: 'OK' }, spec.responseElement, RESPONSE_PREFIX),
  );
}

/** The operation's normal response element with outcome KO and the fault bean. */
export function buildFaultResponse(operation: Operation, fault: FaultInput): string {
  if (fault.id === '') throw new SoapBuildError('a fault needs the id of who raises it');
  const spec = OPERATIONS[operation];
  const bean = {
    faultCode: fault.faultCode,
    faultString: fault.faultString ?? PAA_FAULTS[fault.faultCode],
    id: fault.id,
    ...(fault.description !== undefined ? { description: truncateText(fault.description, 1024) } : {}),
  };
  return envelope(
    RESPONSE_PREFIX,
    encodeElement(spec.response, { outcome: 'KO', fault: bean } as never, spec.responseElement, RESPONSE_PREFIX),
  );
}

/**
 * A CodecFault from `parseNodeRequest` → the KO response for its operation. The fault bean's `id`
 * names who raises the fault: this station answers for a creditor, so it is the creditor's fiscal
 * code (identificativoDominio), the request's idPA or, when that could not be read,
 * `creditorFiscalCode` (see `creditorOfUnreadableRequest`).
 */
export function buildCodecFaultResponse(fault: CodecFault & { operation: Operation }, creditorFiscalCode: string): string {
  return buildFaultResponse(fault.operation, {
    faultCode: fault.faultCode,
    faultString: fault.faultString,
    description: fault.description,
    id: fault.idPA ?? creditorFiscalCode,
  });
}

/** How much of a request is searched for the creditor's fiscal code when it cannot be parsed. */
const CREDITOR_SCAN_BYTES = 64 * 1024;

/**
 * The creditor a request that could not be parsed (malformed XML, a DOCTYPE, an idPA that is no
 * text) was meant for: the first 11-digit idPA, else the first 11-digit fiscalCode (qrCode or
 * receipt), found in its first 64 KB. Undefined when none is there: no fault bean can then name
 * the creditor.
 */
export function creditorOfUnreadableRequest(body: string | Uint8Array): string | undefined {
  const text = typeof body === 'string' ? body.slice(0, CREDITOR_SCAN_BYTES) : Buffer.from(body.subarray(0, CREDITOR_SCAN_BYTES)).toString('latin1');
  for (const tag of ['idPA', 'fiscalCode']) {
    const match = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${tag}>\\s*(\\d{11})\\s*</(?:[A-Za-z_][\\w.-]*:)?${tag}>`).exec(text);
    if (match) return match[1];
  }
  return undefined;
}
