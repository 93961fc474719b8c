/**
 * The heaviest receipt the receipts contract (events/receipt.ts) takes in without a stamp: every
 * field present and at its XSD maximum in four-byte characters (U+1D11E), a receiptId of
 * MAX_RECEIPT_ID_BYTES, 5 transfers, 15 metadata entries everywhere. Tests show it fits the
 * contract's size bound and that its keys fit DynamoDB (unit: by length; integration: DynamoDB Local).
 */
import type { Receipt, ReceiptSubject } from '../../../shared/domain/receipt';
import { MAX_RECEIPT_ID_BYTES } from '../../../shared/domain/receipt';

/** a character of 4 UTF-8 bytes (2 UTF-16 units, 1 code point as the XSD counts) */
export const WIDE = '\u{1D11E}';
const wide = (n: number) => WIDE.repeat(n);
const metadata = Array.from({ length: 15 }, () => ({ key: wide(140), value: wide(140) }));

const subject: ReceiptSubject = {
  entityUniqueIdentifierType: 'G',
  entityUniqueIdentifierValue: wide(16),
  fullName: wide(70),
  streetName: wide(70),
  civicNumber: wide(16),
  postalCode: wide(16),
  city: wide(35),
  stateProvinceRegion: wide(35),
  country: 'IT',
  email: `${'a'.repeat(240)}@example.it`,
};

export function largestReceipt(overrides: Partial<Receipt> = {}): Receipt {
  return {
    receiptId: 'r'.repeat(MAX_RECEIPT_ID_BYTES),
    noticeNumber: '312000000000000119',
    fiscalCode: '80001234568',
    outcome: 'OK',
    creditorReferenceId: wide(35),
    paymentAmount: 500,
    description: wide(140),
    companyName: wide(140),
    officeName: wide(140),
    debtor: subject,
    transferList: [1, 2, 3, 4, 5].map((idTransfer) => ({
      idTransfer,
      transferAmount: 100,
      fiscalCodePA: '80001234568',
      companyName: wide(140),
      IBAN: wide(35),
      remittanceInformation: wide(140),
      transferCategory: wide(140),
      metadata,
    })),
    idPSP: wide(35),
    pspFiscalCode: wide(70),
    pspPartitaIVA: wide(20),
    PSPCompanyName: wide(70),
    idChannel: wide(35),
    channelDescription: wide(35),
    payer: subject,
    paymentMethod: wide(35),
    paymentNote: wide(210),
    fee: 150,
    primaryCiIncurredFee: 0,
    idBundle: wide(70),
    idCiBundle: wide(70),
    paymentDateTime: '2026-12-01T11:00:00',
    applicationDate: '2026-12-01',
    transferDate: '2026-12-02',
    metadata,
    standIn: false,
    ...overrides,
  };
}
