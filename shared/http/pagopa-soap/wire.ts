/**
 * The paForNode wire model, written once as zod schemas that mirror pagopa-api's
 * `paForNode.xsd` + `sac-common-types-1.0.xsd`:
 * - every complex type is a `z.strictObject` whose keys are the XSD element names **in the XSD's
 *   sequence order** (the parser checks order against it, the writer emits in it);
 * - optional elements (`minOccurs=0`) are `.optional()`, repeated ones are `z.array`;
 * - simple types are strings on the wire; amounts, booleans and idTransfer are `z.codec`s, so
 *   `decode` gives integer cents / booleans / numbers and `encode` gives the XSD text back.
 * Local elements are unqualified (the schemas set no elementFormDefault), so only the wrapper
 * element (e.g. `paGetPaymentReq`) carries the paForNode namespace.
 */
import * as z from 'zod';
import { MAX_AMOUNT_CENTS, centsToDecimalString, decimalStringToCents } from '../../domain/money';
import { xmlLength } from './xml';

export const PA_FOR_NODE_NS = 'http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd';
export const SOAP11_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

// ---- simple types -------------------------------------------------------------------------

/** common:stText16/35/70/140, tns:stText20/210: 1..max characters. */
export const stText = (max: number, min = 1) =>
  z.string().refine((s) => xmlLength(s) >= min && xmlLength(s) <= max, {
    message: `must be ${min}..${max} characters`,
  });

export const stText16 = stText(16);
export const stText35 = stText(35);
export const stText70 = stText(70);
export const stText140 = stText(140);
export const stText20 = stText(20);
export const stText210 = stText(210);

/** common:stFiscalCodePA */
export const stFiscalCodePA = z.string().regex(/^[0-9]{11}$/, 'must be 11 digits');
/** common:stNoticeNumber */
export const stNoticeNumber = z.string().regex(/^[0-9]{18}$/, 'must be 18 digits');
/** common:stOutcome */
export const stOutcome = z.enum(['OK', 'KO']);
/** tns:stTransferType */
export const stTransferType = z.enum(['POSTAL', 'PAGOPA']);
/** tns:stAmountOption */
export const stAmountOption = z.enum(['EQ', 'LS', 'GT', 'ANY']);
/** tns:stEntityUniqueIdentifierType: F natural person, G legal person */
export const stEntityUniqueIdentifierType = z.enum(['F', 'G']);
/** tns:stEntityUniqueIdentifierValue */
export const stEntityUniqueIdentifierValue = stText(16, 2);
/** common:stNazioneProvincia */
export const stNazioneProvincia = z.string().regex(/^[A-Z]{2}$/, 'must be 2 capital letters');
/** common:stEMail */
export const stEMail = z
  .string()
  .max(256, 'must be at most 256 characters')
  .regex(/^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/, 'must be an e-mail address');
/** tns:stIBAN (any account, postal ones included: they are IBANs too) */
export const stIBAN = stText(35);
/** base64Binary (MBDAttachment); common:stBase64Binary72 for hashDocumento */
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const stBase64Binary = z.string().min(4, 'must be base64').regex(base64, 'must be base64');
export const stBase64Binary72 = stBase64Binary.refine((s) => s.length <= 72, { message: 'must be 4..72 characters' });

/**
 * xsd:base64Binary as a whole element (datiSpecificiServizioRequest): its lexical space allows
 * whitespace between the characters (line-wrapped base64), which decoding drops.
 */
export const xsBase64Binary = z.codec(
  z.string().regex(/^[A-Za-z0-9+/=\s]+$/, 'must be base64'),
  stBase64Binary,
  { decode: (text) => text.replace(/\s+/g, ''), encode: (value) => value },
);

/** tns:stIdentificativoServizio / tns:stIdentificativoSoggettoServizio: exactly 5 characters */
export const stIdentificativo5 = z.string().refine((s) => xmlLength(s) === 5, { message: 'must be 5 characters' });

/** common:stISODate (xsd:date, optional time zone) */
export const stISODate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?$/, 'must be a date YYYY-MM-DD')
  .refine((s) => isCalendarDate(s.slice(0, 10)), { message: 'must be a real calendar date' });
/** common:stISODateTime (xsd:dateTime, optional fraction and time zone) */
export const stISODateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/,
    'must be a date-time YYYY-MM-DDThh:mm:ss',
  )
  .refine((s) => isCalendarDate(s.slice(0, 10)), { message: 'must be a real calendar date' });

function isCalendarDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const AMOUNT_TEXT = /^\d{1,9}\.\d{2}$/;

function amountCodec(minCents: 0 | 1) {
  return z.codec(
    z.string().regex(AMOUNT_TEXT, 'must be an amount in euro with 2 decimals (\\d{1,9}.\\d{2})'),
    z
      .number()
      .int()
      .min(minCents, minCents === 1 ? 'must be at least 0.01' : 'must not be negative')
      .max(MAX_AMOUNT_CENTS, 'must be at most 999999999.99'),
    {
      decode: (text) => decimalStringToCents(text) ?? Number.NaN,
      encode: (cents) => centsToDecimalString(cents),
    },
  );
}

/** common:stAmount: 0.00..999999999.99, decoded to integer cents */
export const stAmount = amountCodec(0);
/** tns:stAmountNotZero: 0.01..999999999.99, decoded to integer cents */
export const stAmountNotZero = amountCodec(1);

/** xsd:boolean */
export const xsBoolean = z.codec(z.enum(['true', 'false', '1', '0']), z.boolean(), {
  decode: (text) => text === 'true' || text === '1',
  encode: (value) => (value ? 'true' : 'false'),
});

/** xsd:int (fault bean serial) */
export const xsInt = z.codec(z.string().regex(/^[+-]?\d{1,10}$/, 'must be an integer'), z.number().int(), {
  decode: (text) => Number(text),
  encode: (value) => String(value),
});

/** tns:stIdTransfer: 1..5 */
const ID_TRANSFER = ['1', '2', '3', '4', '5'] as const;
export const stIdTransfer = z.codec(z.enum(ID_TRANSFER), z.number().int().min(1).max(5), {
  decode: (text) => Number(text),
  encode: (value) => String(value) as (typeof ID_TRANSFER)[number],
});

// ---- complex types (keys in XSD sequence order) -------------------------------------------

export const ctMapEntry = z.strictObject({ key: stText140, value: stText140 });
export const ctMetadata = z.strictObject({ mapEntry: z.array(ctMapEntry).min(1).max(15) });

export const ctEntityUniqueIdentifier = z.strictObject({
  entityUniqueIdentifierType: stEntityUniqueIdentifierType,
  entityUniqueIdentifierValue: stEntityUniqueIdentifierValue,
});

export const ctSubject = z.strictObject({
  uniqueIdentifier: ctEntityUniqueIdentifier,
  fullName: stText70,
  streetName: stText70.optional(),
  civicNumber: stText16.optional(),
  postalCode: stText16.optional(),
  city: stText35.optional(),
  stateProvinceRegion: stText35.optional(),
  country: stNazioneProvincia.optional(),
  'e-mail': stEMail.optional(),
});

export const ctQrCode = z.strictObject({ fiscalCode: stFiscalCodePA, noticeNumber: stNoticeNumber });

export const ctRichiestaMarcaDaBollo = z.strictObject({
  hashDocumento: stBase64Binary72,
  tipoBollo: z.literal('01'),
  provinciaResidenza: stNazioneProvincia,
});

/** ctTransferPA (paGetPayment and paSendRT): always an IBAN. */
export const ctTransferPA = z.strictObject({
  idTransfer: stIdTransfer,
  transferAmount: stAmountNotZero,
  fiscalCodePA: stFiscalCodePA,
  IBAN: stIBAN,
  remittanceInformation: stText140,
  transferCategory: stText140,
  metadata: ctMetadata.optional(),
});
export const ctTransferListPA = z.strictObject({ transfer: z.array(ctTransferPA).min(1).max(5) });

function exactlyOne(a: string, b: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const count = (value[a] !== undefined ? 1 : 0) + (value[b] !== undefined ? 1 : 0);
    if (count !== 1) ctx.addIssue({ code: 'custom', path: [a], message: `exactly one of ${a} or ${b} is required` });
  };
}

/** ctTransferPAV2 (paGetPaymentV2): IBAN or a digital stamp request (marca da bollo). */
export const ctTransferPAV2 = z
  .strictObject({
    idTransfer: stIdTransfer,
    transferAmount: stAmountNotZero,
    fiscalCodePA: stFiscalCodePA,
    companyName: stText140.optional(),
    IBAN: stIBAN.optional(), // xsd:choice ┐
    richiestaMarcaDaBollo: ctRichiestaMarcaDaBollo.optional(), //            ┘
    remittanceInformation: stText140,
    transferCategory: stText140,
    metadata: ctMetadata.optional(),
  })
  .superRefine(exactlyOne('IBAN', 'richiestaMarcaDaBollo'));
export const ctTransferListPAV2 = z.strictObject({ transfer: z.array(ctTransferPAV2).min(1).max(5) });

/** ctTransferPAReceiptV2 (paSendRTV2): IBAN or the stamp itself (MBDAttachment, base64 XML). */
export const ctTransferPAReceiptV2 = z
  .strictObject({
    idTransfer: stIdTransfer,
    transferAmount: stAmountNotZero,
    fiscalCodePA: stFiscalCodePA,
    companyName: stText140.optional(),
    IBAN: stIBAN.optional(), // xsd:choice ┐
    MBDAttachment: stBase64Binary.optional(), //  ┘
    remittanceInformation: stText140,
    transferCategory: stText140,
    metadata: ctMetadata.optional(),
  })
  .superRefine(exactlyOne('IBAN', 'MBDAttachment'));
export const ctTransferListPAReceiptV2 = z.strictObject({ transfer: z.array(ctTransferPAReceiptV2).min(1).max(5) });

const paymentPAShape = {
  creditorReferenceId: stText35,
  paymentAmount: stAmountNotZero,
  dueDate: stISODate,
  retentionDate: stISODateTime.optional(),
  lastPayment: xsBoolean.optional(),
  description: stText140,
  companyName: stText140.optional(),
  officeName: stText140.optional(),
  debtor: ctSubject,
  transferList: ctTransferListPA,
  metadata: ctMetadata.optional(),
};
export const ctPaymentPA = z.strictObject(paymentPAShape);
export const ctPaymentPAV2 = z.strictObject({
  ...paymentPAShape,
  companyName: stText140, // required in V2
  transferList: ctTransferListPAV2,
});

export const ctReceipt = z.strictObject({
  receiptId: z.string().min(1, 'must not be empty'),
  noticeNumber: stNoticeNumber,
  fiscalCode: stFiscalCodePA,
  outcome: stOutcome,
  creditorReferenceId: stText35,
  paymentAmount: stAmount,
  description: stText140,
  companyName: stText140,
  officeName: stText140.optional(),
  debtor: ctSubject,
  transferList: ctTransferListPA,
  idPSP: stText35,
  pspFiscalCode: stText70.optional(),
  pspPartitaIVA: stText20.optional(),
  PSPCompanyName: stText70,
  idChannel: stText35,
  channelDescription: stText35,
  payer: ctSubject.optional(),
  paymentMethod: stText35.optional(),
  fee: stAmount.optional(),
  paymentDateTime: stISODateTime.optional(),
  applicationDate: stISODate.optional(),
  transferDate: stISODate.optional(),
  metadata: ctMetadata.optional(),
  standIn: xsBoolean.optional(),
});

export const ctReceiptV2 = z.strictObject({
  receiptId: z.string().min(1, 'must not be empty'),
  noticeNumber: stNoticeNumber,
  fiscalCode: stFiscalCodePA,
  outcome: stOutcome,
  creditorReferenceId: stText35,
  paymentAmount: stAmount,
  description: stText140,
  companyName: stText140,
  officeName: stText140.optional(),
  debtor: ctSubject,
  transferList: ctTransferListPAReceiptV2,
  idPSP: stText35,
  pspFiscalCode: stText70.optional(),
  pspPartitaIVA: stText20.optional(),
  PSPCompanyName: stText70,
  idChannel: stText35,
  channelDescription: stText35,
  payer: ctSubject.optional(),
  paymentMethod: stText35.optional(),
  paymentNote: stText210.optional(),
  fee: stAmount.optional(),
  primaryCiIncurredFee: stAmount.optional(),
  idBundle: stText70.optional(),
  idCiBundle: stText70.optional(),
  paymentDateTime: stISODateTime.optional(),
  applicationDate: stISODate.optional(),
  transferDate: stISODate.optional(),
  metadata: ctMetadata.optional(),
  standIn: xsBoolean.optional(),
});

export const ctFaultBean = z.strictObject({
  faultCode: z.string().min(1, 'must not be empty'),
  faultString: z.string(),
  id: z.string(),
  description: z.string().optional(),
  serial: xsInt.optional(),
  originalFaultCode: z.string().optional(),
  originalFaultString: z.string().optional(),
  originalDescription: z.string().optional(),
});

const idsShape = { idPA: stText35, idBrokerPA: stText35, idStation: stText35 };

// ---- requests -----------------------------------------------------------------------------

export const paVerifyPaymentNoticeReq = z.strictObject({ ...idsShape, qrCode: ctQrCode });

const getPaymentReqShape = {
  ...idsShape,
  qrCode: ctQrCode,
  amount: stAmount.optional(),
  paymentNote: stText210.optional(),
  transferType: stTransferType.optional(),
  dueDate: stISODate.optional(),
};
export const paGetPaymentReq = z.strictObject(getPaymentReqShape);
export const paGetPaymentV2Request = z.strictObject(getPaymentReqShape);
export const paSendRTReq = z.strictObject({ ...idsShape, receipt: ctReceipt });
export const paSendRTV2Request = z.strictObject({ ...idsShape, receipt: ctReceiptV2 });
export const paDemandPaymentNoticeRequest = z.strictObject({
  ...idsShape,
  idServizio: stIdentificativo5,
  idSoggettoServizio: stIdentificativo5,
  datiSpecificiServizioRequest: xsBase64Binary,
});

// ---- responses (extensions of common:ctResponse: outcome, fault?, then their own) ---------

function koHasFault(value: { outcome: 'OK' | 'KO'; fault?: unknown }, ctx: z.RefinementCtx): void {
  if (value.outcome === 'KO' && value.fault === undefined) {
    ctx.addIssue({ code: 'custom', path: ['fault'], message: 'is required when outcome is KO' });
  }
}

export const ctPaymentOptionDescriptionPA = z.strictObject({
  amount: stAmountNotZero,
  options: stAmountOption,
  dueDate: stISODate.optional(),
  detailDescription: stText140.optional(),
  allCCP: xsBoolean,
});

export const paVerifyPaymentNoticeRes = z
  .strictObject({
    outcome: stOutcome,
    fault: ctFaultBean.optional(),
    paymentList: z.strictObject({ paymentOptionDescription: ctPaymentOptionDescriptionPA }).optional(),
    paymentDescription: stText140.optional(),
    fiscalCodePA: stFiscalCodePA.optional(),
    companyName: stText140.optional(),
    officeName: stText140.optional(),
  })
  .superRefine(koHasFault);

export const paGetPaymentRes = z
  .strictObject({ outcome: stOutcome, fault: ctFaultBean.optional(), data: ctPaymentPA.optional() })
  .superRefine(koHasFault);
export const paGetPaymentV2Response = z
  .strictObject({ outcome: stOutcome, fault: ctFaultBean.optional(), data: ctPaymentPAV2.optional() })
  .superRefine(koHasFault);
export const paSendRTRes = z.strictObject({ outcome: stOutcome, fault: ctFaultBean.optional() }).superRefine(koHasFault);
export const paSendRTV2Response = paSendRTRes;
export const paDemandPaymentNoticeResponse = z
  .strictObject({
    outcome: stOutcome,
    fault: ctFaultBean.optional(),
    qrCode: ctQrCode.optional(),
    paymentList: z.strictObject({ paymentOptionDescription: ctPaymentOptionDescriptionPA }).optional(),
    paymentDescription: stText140.optional(),
    fiscalCodePA: stFiscalCodePA.optional(),
    companyName: stText140.optional(),
    officeName: stText140.optional(),
  })
  .superRefine(koHasFault);

// ---- the operations -----------------------------------------------------------------------

export const OPERATIONS = {
  paVerifyPaymentNotice: {
    requestElement: 'paVerifyPaymentNoticeReq',
    responseElement: 'paVerifyPaymentNoticeRes',
    request: paVerifyPaymentNoticeReq,
    response: paVerifyPaymentNoticeRes,
  },
  paGetPayment: {
    requestElement: 'paGetPaymentReq',
    responseElement: 'paGetPaymentRes',
    request: paGetPaymentReq,
    response: paGetPaymentRes,
  },
  paGetPaymentV2: {
    requestElement: 'paGetPaymentV2Request',
    responseElement: 'paGetPaymentV2Response',
    request: paGetPaymentV2Request,
    response: paGetPaymentV2Response,
  },
  paSendRT: {
    requestElement: 'paSendRTReq',
    responseElement: 'paSendRTRes',
    request: paSendRTReq,
    response: paSendRTRes,
  },
  paSendRTV2: {
    requestElement: 'paSendRTV2Request',
    responseElement: 'paSendRTV2Response',
    request: paSendRTV2Request,
    response: paSendRTV2Response,
  },
  paDemandPaymentNotice: {
    requestElement: 'paDemandPaymentNoticeRequest',
    responseElement: 'paDemandPaymentNoticeResponse',
    request: paDemandPaymentNoticeRequest,
    response: paDemandPaymentNoticeResponse,
  },
} as const;

export type Operation = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as Operation[];

export function operationByRequestElement(local: string): Operation | undefined {
  return OPERATION_NAMES.find((op) => OPERATIONS[op].requestElement === local);
}
export function operationByResponseElement(local: string): Operation | undefined {
  return OPERATION_NAMES.find((op) => OPERATIONS[op].responseElement === local);
}
