/**
 * The receipts queue's contract (events/receipt.ts) against the domain's receipt
 * (shared/domain/receipt.ts): the same fields (checked when the contract compiles), what the
 * contract yields is a domain receipt, and the committed example passes it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import { receiptSchema, type ReceiptContractHasTheDomainFields } from '../../../events/receipt';
import type { Receipt } from '../../../shared/domain/receipt';
import { option } from '../../fixtures/positions';
import { receiptFor } from './fakes';

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
    const parsed = receiptSchema.safeParse({ ...receipt, noticeNumber: '123', paymentAmount: 1.5 });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.')).sort()).toEqual(['noticeNumber', 'paymentAmount']);
  });
});
