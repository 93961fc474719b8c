/**
 * The receipts queue's contract (events/receipt.ts) against the domain's receipt
 * (shared/domain/receipt.ts): the same fields (checked when the contract compiles), what the
 * contract yields is a domain receipt, the committed example passes it; and it takes in nothing
 * the layer cannot store: fields bounded as the XSD counts (characters), receiptId and the whole
 * receipt bounded in bytes, every string under the text rules.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import { receiptSchema, type ReceiptContractHasTheDomainFields } from '../../../events/receipt';
import { RECEIPT_SK, receiptGsi, receiptPk } from '../../../shared/adapters/dynamo/keys';
import { MAX_RECEIPT_ID_BYTES, MAX_RECEIPT_JSON_BYTES, utf8Length, type Receipt } from '../../../shared/domain/receipt';
import { option } from '../../fixtures/positions';
import { receiptFor } from './fakes';
import { WIDE, largestReceipt } from './largest-receipt';

const refused = (receipt: unknown): string[] => {
  const parsed = receiptSchema.safeParse(receipt);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
};

describe('receipt contract', () => {
  it('yields a domain receipt, with exactly its fields', () => {
    expectTypeOf<z.output<typeof receiptSchema>>().toExtend<Receipt>();
    expectTypeOf<ReceiptContractHasTheDomainFields>().toEqualTypeOf<[true, true, true]>();
  });

  it('accepts the example and a receipt the node writes, refuses one that breaks the XSD limits', () => {
    const example: unknown = JSON.parse(readFileSync(new URL('../../../events/examples/receipt.json', import.meta.url), 'utf8'));
    expect(receiptSchema.safeParse(example).success).toBe(true);
    const receipt = receiptFor(option());
    expect(receiptSchema.parse(JSON.parse(JSON.stringify(receipt)))).toEqual(receipt);
    expect(refused({ ...receipt, noticeNumber: '123', paymentAmount: 1.5 }).sort()).toEqual(['noticeNumber', 'paymentAmount']);
  });

  it('bounds receiptId in bytes (a key of the layer): about a thousand bytes, or 400 multi-byte characters, are refused', () => {
    const receipt = receiptFor(option());
    expect(refused({ ...receipt, receiptId: 'r'.repeat(1000) })).toEqual(['receiptId']);
    expect(refused({ ...receipt, receiptId: '€'.repeat(400) })).toEqual(['receiptId']);
    expect(refused({ ...receipt, receiptId: 'é'.repeat(MAX_RECEIPT_ID_BYTES / 2) })).toEqual([]);
    expect(refused({ ...receipt, receiptId: `${'é'.repeat(MAX_RECEIPT_ID_BYTES / 2)}x` })).toEqual(['receiptId']);
  });

  it('counts text fields in characters as the XSD does (a four-byte character is one)', () => {
    const receipt = receiptFor(option());
    expect(refused({ ...receipt, description: WIDE.repeat(140) })).toEqual([]);
    expect(refused({ ...receipt, description: WIDE.repeat(141) })).toEqual(['description']);
    expect(refused({ ...receipt, debtor: { ...receipt.debtor, email: 'not an e-mail' } })).toEqual(['debtor.email']);
  });

  it('applies the text rules to every string: control characters, unpaired surrogates, bidi overrides, U+FFFF', () => {
    const receipt = receiptFor(option());
    const transfer = receipt.transferList[0]!;
    expect(
      refused({
        ...receipt,
        description: 'TARI \u202E10.00',
        debtor: { ...receipt.debtor, fullName: 'Mario\u0000Rossi' },
        transferList: [{ ...transfer, remittanceInformation: 'quota \uD800', metadata: [{ key: 'k', value: 'v\uFFFF' }] }],
        receiptId: 'r-\u0007',
      }).sort(),
    ).toEqual(['debtor.fullName', 'description', 'receiptId', 'transferList.0.metadata.0.value', 'transferList.0.remittanceInformation']);
    expect(refused({ ...receipt, description: 'Tassa sull’àrea\nrata 1', debtor: { ...receipt.debtor, fullName: 'דוד \u200Fכהן' } })).toEqual([]);
  });

  it('bounds the whole receipt in bytes: one SQS message and one DynamoDB item must hold it', () => {
    const receipt = receiptFor(option());
    const stamp = { ...receipt.transferList[0]!, IBAN: undefined, MBDAttachment: 'QUFB'.repeat(60_000) };
    const { IBAN: _none, ...stamped } = stamp;
    expect(refused({ ...receipt, transferList: [stamped] })).toEqual(['']);
    expect(MAX_RECEIPT_JSON_BYTES).toBeLessThan(256 * 1024 - 4096);
  });

  it('takes in the heaviest receipt the XSD allows, and its keys fit DynamoDB (1,024-byte sort keys, 2,048-byte partition keys)', () => {
    const largest = largestReceipt();
    expect(refused(largest)).toEqual([]);
    expect(utf8Length(JSON.stringify(largest))).toBeLessThanOrEqual(MAX_RECEIPT_JSON_BYTES);
    const recordedAt = '2026-12-01T10:00:00.000Z';
    const { fiscalCode: ofc, creditorReferenceId: iuv, receiptId: id } = largest;
    expect(utf8Length(receiptPk(ofc, iuv))).toBeLessThanOrEqual(2048);
    expect(utf8Length(receiptGsi.receipts(ofc))).toBeLessThanOrEqual(2048);
    for (const sortKey of [RECEIPT_SK.receipt(id, 'OK'), RECEIPT_SK.receipt(id, 'KO'), RECEIPT_SK.anomaly(id), `${recordedAt}#${iuv}#${id}`]) {
      expect(utf8Length(sortKey)).toBeLessThanOrEqual(1024);
    }
  });
});
