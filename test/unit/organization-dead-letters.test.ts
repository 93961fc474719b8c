/** Whose a parked message is (shared/use-cases/dead-letters/organization-dead-letters.ts): the console shows a municipality its own only. */
import { describe, expect, it } from 'vitest';
import { organizationOfMessage } from '../../shared/use-cases/dead-letters/organization-dead-letters';

describe('organizationOfMessage', () => {
  it("reads the layer's own messages and a receipt's creditor", () => {
    expect(organizationOfMessage(JSON.stringify({ organizationFiscalCode: '80001234568', eventId: 'e' }))).toBe('80001234568');
    expect(organizationOfMessage(JSON.stringify({ fiscalCode: '80001234568', receiptId: 'r' }))).toBe('80001234568');
    expect(organizationOfMessage(JSON.stringify({ receipt: { fiscalCode: '80001234568' } }))).toBe('80001234568');
  });

  it('names nobody for a body that is not JSON, names no organization, or names something that is not a fiscal code', () => {
    for (const body of ['<soap/>', '', 'null', '[]', '"80001234568"', JSON.stringify({ fiscalCode: 'RSSMRA80A01H501U' }), JSON.stringify({ organizationFiscalCode: 8000123456 }), JSON.stringify({ x: 1 })]) {
      expect(organizationOfMessage(body), body).toBeUndefined();
    }
  });
});
