/**
 * The console's own formatting (web/console/src/format.ts): amounts, notice numbers, and instants in
 * Rome's time, a receipt's offset-less paymentDateTime being Rome's wall clock already.
 */
import { describe, expect, it } from 'vitest';
import { formatActedBy, formatCents, formatOwnDeadLetters, formatDate, formatDateTime, formatNoticeNumber } from '../../web/console/src/format';

describe('console formats', () => {
  it('an instant with an offset is shown in Rome (winter UTC+1, summer UTC+2)', () => {
    expect(formatDateTime('2026-12-03T09:59:00.000Z')).toBe('03/12/26, 10:59');
    expect(formatDateTime('2026-07-03T09:59:00Z')).toBe('03/07/26, 11:59');
    expect(formatDateTime('2026-07-03T09:59:00+02:00')).toBe('03/07/26, 09:59');
  });

  it("a date-time without an offset (pagoPA's paymentDateTime) reads as it is: Rome's wall clock", () => {
    expect(formatDateTime('2026-12-03T10:59:00')).toBe('03/12/26, 10:59');
    expect(formatDateTime('2026-12-03T10:59:07.123')).toBe('03/12/26, 10:59');
    expect(formatDateTime(undefined)).toBe('—');
  });

  it('amounts in euro, notice numbers grouped as printed, who acted', () => {
    expect(formatCents(12_345_678).replace(/\s/g, ' ')).toBe('123.456,78 €');
    expect(formatNoticeNumber('302000000000000184')).toBe('30 2000 0000 0000 0184');
    expect(formatDate('2026-03-31T21:59:59.999Z')).toBe('31/03/26');
    expect(formatActedBy({ kind: 'operator', name: 'Olga', username: 'olga' })).toBe('Olga (olga, console)');
    expect(formatActedBy({ kind: 'api-key', id: 'k1' })).toBe('API, chiave k1');
  });

  it("a dead-letter queue's messages of this organization say when only the queue's first 100 were read", () => {
    expect(formatOwnDeadLetters(3, false)).toBe('3');
    expect(formatOwnDeadLetters(7, true)).toBe('7 tra i primi 100');
  });
});
