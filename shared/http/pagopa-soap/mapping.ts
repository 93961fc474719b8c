/**
 * Decoded wire objects (wire.ts, still shaped like the XML) ↔ the layer's DTOs (types.ts).
 * Only three reshapings: subject (uniqueIdentifier flattened, e-mail → email), lists
 * (transferList.transfer / metadata.mapEntry → arrays), and dropping absent optionals.
 */
import type * as z from 'zod';
import type { Metadata, Receipt, ReceiptSubject } from '../../domain/receipt';
import type { PaymentData, PaymentTransfer, VerifyNoticeData } from './types';
import type {
  ctMetadata,
  ctPaymentOptionDescriptionPA,
  ctPaymentPAV2,
  ctReceiptV2,
  ctSubject,
  ctTransferPAReceiptV2,
  ctTransferPAV2,
} from './wire';

type WireSubject = z.output<typeof ctSubject>;
type WireMetadata = z.output<typeof ctMetadata>;
// V2 shapes are supersets of V1 ones (the extra fields optional): one mapping serves both.
type WireReceipt = z.output<typeof ctReceiptV2>;
type WireReceiptTransfer = z.output<typeof ctTransferPAReceiptV2>;
type WirePayment = Omit<z.output<typeof ctPaymentPAV2>, 'companyName'> & { companyName?: string };
type WirePaymentTransfer = z.output<typeof ctTransferPAV2>;

/** Drops keys whose value is undefined (strict wire objects refuse present-but-undefined keys). */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}

export function subjectFromWire(s: WireSubject): ReceiptSubject {
  const { uniqueIdentifier, 'e-mail': email, ...rest } = s;
  return compact({ ...uniqueIdentifier, ...rest, email });
}

export function subjectToWire(s: ReceiptSubject): WireSubject {
  const { entityUniqueIdentifierType, entityUniqueIdentifierValue, email, ...rest } = s;
  return compact({
    uniqueIdentifier: { entityUniqueIdentifierType, entityUniqueIdentifierValue },
    fullName: rest.fullName,
    streetName: rest.streetName,
    civicNumber: rest.civicNumber,
    postalCode: rest.postalCode,
    city: rest.city,
    stateProvinceRegion: rest.stateProvinceRegion,
    country: rest.country,
    'e-mail': email,
  });
}

export function metadataFromWire(m: WireMetadata | undefined): Metadata | undefined {
  return m ? m.mapEntry.map(({ key, value }) => ({ key, value })) : undefined;
}

export function metadataToWire(m: Metadata | undefined): WireMetadata | undefined {
  return m ? { mapEntry: m.map(({ key, value }) => ({ key, value })) } : undefined;
}

function receiptTransferFromWire(t: WireReceiptTransfer): Receipt['transferList'][number] {
  return compact({ ...t, metadata: metadataFromWire(t.metadata) });
}

function receiptTransferToWire(t: Receipt['transferList'][number]): WireReceiptTransfer {
  return compact({ ...t, metadata: metadataToWire(t.metadata) });
}

export function receiptFromWire(r: WireReceipt | Omit<WireReceipt, never>): Receipt {
  return compact({
    ...r,
    debtor: subjectFromWire(r.debtor),
    payer: r.payer ? subjectFromWire(r.payer) : undefined,
    transferList: r.transferList.transfer.map(receiptTransferFromWire),
    metadata: metadataFromWire(r.metadata),
  });
}

export function receiptToWire(r: Receipt): WireReceipt {
  return compact({
    ...r,
    debtor: subjectToWire(r.debtor),
    payer: r.payer ? subjectToWire(r.payer) : undefined,
    transferList: { transfer: r.transferList.map(receiptTransferToWire) },
    metadata: metadataToWire(r.metadata),
  });
}

function paymentTransferFromWire(t: WirePaymentTransfer): PaymentTransfer {
  return compact({ ...t, metadata: metadataFromWire(t.metadata) });
}

function paymentTransferToWire(t: PaymentTransfer): WirePaymentTransfer {
  return compact({ ...t, metadata: metadataToWire(t.metadata) });
}

export function paymentFromWire(p: WirePayment): PaymentData {
  return compact({
    ...p,
    debtor: subjectFromWire(p.debtor),
    transferList: p.transferList.transfer.map(paymentTransferFromWire),
    metadata: metadataFromWire(p.metadata),
  });
}

export function paymentToWire(p: PaymentData): WirePayment {
  return compact({
    ...p,
    debtor: subjectToWire(p.debtor),
    transferList: { transfer: p.transferList.map(paymentTransferToWire) },
    metadata: metadataToWire(p.metadata),
  });
}

type WireVerify = {
  paymentList?: { paymentOptionDescription: z.output<typeof ctPaymentOptionDescriptionPA> };
  paymentDescription?: string;
  fiscalCodePA?: string;
  companyName?: string;
  officeName?: string;
};

export function verifyFromWire(v: WireVerify): VerifyNoticeData | undefined {
  const option = v.paymentList?.paymentOptionDescription;
  if (!option) return undefined;
  return compact({
    ...option,
    paymentDescription: v.paymentDescription,
    fiscalCodePA: v.fiscalCodePA,
    companyName: v.companyName,
    officeName: v.officeName,
  });
}

export function verifyToWire(v: VerifyNoticeData): WireVerify {
  return compact({
    paymentList: {
      paymentOptionDescription: compact({
        amount: v.amount,
        options: v.options ?? 'EQ',
        dueDate: v.dueDate,
        detailDescription: v.detailDescription,
        allCCP: v.allCCP,
      }),
    },
    paymentDescription: v.paymentDescription,
    fiscalCodePA: v.fiscalCodePA,
    companyName: v.companyName,
    officeName: v.officeName,
  });
}
