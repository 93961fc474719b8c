/**
 * The pure side of lists (shared/adapters/dynamo/position-listing.ts): which listing entries a
 * position has, what a change writes, and which counters and list generations it moves.
 */
import { describe, expect, it } from 'vitest';
import { counterDeltas, listingChanges, listingItems, listingStateOf, MAX_DUE_DAYS } from '../../../shared/adapters/dynamo/position-listing';
import { option, position } from '../../fixtures/positions';

const ofc = '80001234568';
const state = (overrides: Parameters<typeof position>[0] = {}) => listingStateOf(position(overrides));

describe('listing entries', () => {
  it('one per ordering, one per distinct Rome due day (at most MAX_DUE_DAYS), one when paid, one per IBAN of the tenant on an unpaid option', () => {
    const days = Array.from({ length: 12 }, (_, i) => option({ dueDate: `2027-0${(i % 9) + 1}-1${i % 10}T10:00:00.000Z` }, BigInt(i + 1)));
    const s = state({ status: 'VALID', paymentOptions: days, paymentDate: '2026-12-01T10:00:00.000Z' });
    const sks = [...listingItems(ofc, s).keys()];
    expect(sks.filter((k) => k.startsWith('LIST#DAY#'))).toHaveLength(MAX_DUE_DAYS);
    expect(sks).toEqual(expect.arrayContaining(['LIST#INS', 'LIST#IUPD', 'LIST#COMPANY', 'LIST#DUE', 'LIST#PAY', 'LIST#IBAN#IT78L0306909606100000117002']));
    // a PAID position's IBAN is not changed by the IBAN replacement: no IBAN entry
    expect([...listingItems(ofc, state({ status: 'PAID' })).keys()].some((k) => k.startsWith('LIST#IBAN#'))).toBe(false);
  });

  it('a new position appends to the inserted-date lists and moves the others; a count per status', () => {
    const deltas = counterDeltas(undefined, state({ status: 'DRAFT' }));
    expect(Object.fromEntries(deltas)).toEqual({ n_DRAFT: 1, a_INS_ALL: 1, a_INS_DRAFT: 1, g_IUPD_ALL: 1, g_IUPD_DRAFT: 1, g_COMPANY_ALL: 1, g_COMPANY_DRAFT: 1, g_DUE_ALL: 1, g_DUE_DRAFT: 1 });
  });

  it('a status change moves both status lists of every ordering, not the whole-tenant lists', () => {
    const deltas = Object.fromEntries(counterDeltas(state({ status: 'VALID' }), state({ status: 'PAID', version: 2 })));
    expect(deltas).toMatchObject({ n_VALID: -1, n_PAID: 1, g_INS_VALID: 1, g_INS_PAID: 1, g_IUPD_VALID: 1, g_IUPD_PAID: 1 });
    expect(Object.keys(deltas).some((k) => k.endsWith('_ALL'))).toBe(false);
  });

  it('a write that changes nothing listed moves no counter and rewrites only LIST#INS (its version)', () => {
    const before = state({ status: 'VALID' });
    const after = { ...before, version: 2 };
    expect(counterDeltas(before, after).size).toBe(0);
    const items = listingChanges('t', ofc, before, after);
    expect(items).toHaveLength(1);
    expect(items[0]!.Put?.Item?.['sk']).toBe('LIST#INS');
    expect(items[0]!.Put?.ConditionExpression).toBe('#listing.#version = :listed');
  });

  it('a delete removes every entry and the count', () => {
    const before = state({ status: 'DRAFT' });
    const items = listingChanges('t', ofc, before, undefined);
    expect(items.filter((i) => i.Delete).map((i) => i.Delete!.Key!['sk'])).toEqual([...listingItems(ofc, before).keys()]);
    expect(items.at(-1)!.Update!.ExpressionAttributeValues).toMatchObject({ ':c0': -1 });
  });
});
