/**
 * The console's own reads (shared/use-cases/operators): the dashboard's counts from the list
 * read, the debtor search's pages, and the audit trail's "who".
 */
import { describe, expect, it } from 'vitest';
import { positionAuditTrail } from '../../shared/use-cases/operators/audit-trail';
import { positionsDashboard } from '../../shared/use-cases/operators/dashboard';
import { positionsOfDebtor } from '../../shared/use-cases/operators/debtor-search';
import type { AuditEntry, DebtPositionStore, ListPage, ListQuery } from '../../shared/use-cases/ports';
import { position } from '../fixtures/positions';

const clock = () => new Date('2026-12-02T10:00:00Z');
const ofc = '80001234568';

function storeListing(totals: Record<string, number>, busy: string[] = []) {
  const queries: ListQuery[] = [];
  const store = {
    list: async (_ofc: string, q: ListQuery): Promise<ListPage> => {
      queries.push(q);
      const key = q.status ?? 'ALL';
      if (busy.includes(key)) return { kind: 'busy', retryAfterSeconds: 1 };
      return { kind: 'page', items: Array.from({ length: Math.min(q.limit, totals[key] ?? 0) }, (_, i) => position({ iupd: `P-${key}-${i}` })), total: totals[key] ?? 0 };
    },
  } as unknown as DebtPositionStore;
  return { store, queries };
}

describe('dashboard', () => {
  it('counts every status with one read each, and the latest five give the total', async () => {
    const { store, queries } = storeListing({ ALL: 12, DRAFT: 2, VALID: 7, PAID: 3 });
    const d = await positionsDashboard({ positions: store, clock, newId: () => 'x' }, ofc);
    expect(d.total).toBe(12);
    expect(d.byStatus).toEqual({ DRAFT: 2, PUBLISHED: 0, VALID: 7, INVALID: 0, EXPIRED: 0, PARTIALLY_PAID: 0, PAID: 3, REPORTED: 0 });
    expect(d.recent.map((p) => p.iupd)).toEqual(['P-ALL-0', 'P-ALL-1', 'P-ALL-2', 'P-ALL-3', 'P-ALL-4']);
    expect(d.complete).toBe(true);
    expect(queries).toHaveLength(9);
    expect(queries.filter((q) => q.status !== undefined).every((q) => q.limit === 1)).toBe(true);
  });

  it('says when a count could not be read (an index being rebuilt) instead of showing 0 as a fact', async () => {
    const { store } = storeListing({ ALL: 3, VALID: 3 }, ['VALID']);
    const d = await positionsDashboard({ positions: store, clock, newId: () => 'x' }, ofc);
    expect(d.complete).toBe(false);
  });
});

describe('debtor search', () => {
  const all = Array.from({ length: 5 }, (_, i) => position({ iupd: `D-${i}`, insertedDate: `2026-11-0${5 - i}T10:00:00.000Z` }));
  const debtorPositions = {
    ofDebtor: async (_o: string, fc: string, page: { limit: number; after?: { iupd: string } }) => {
      expect(fc).toBe('RCCMNL83S18D969H');
      const from = page.after ? all.findIndex((p) => p.iupd === page.after!.iupd) + 1 : 0;
      const slice = all.slice(from, from + page.limit);
      return { positions: slice, more: from + page.limit < all.length };
    },
  };

  it('pages newest first with a cursor, upper-casing the fiscal code; the last page has none', async () => {
    const first = await positionsOfDebtor({ debtorPositions, clock }, ofc, { fiscalCode: 'rccmnl83s18d969h', limit: 2 });
    expect(first.items.map((p) => p.iupd)).toEqual(['D-0', 'D-1']);
    const second = await positionsOfDebtor({ debtorPositions, clock }, ofc, { fiscalCode: 'RCCMNL83S18D969H', limit: 2, cursor: first.cursor! });
    expect(second.items.map((p) => p.iupd)).toEqual(['D-2', 'D-3']);
    const last = await positionsOfDebtor({ debtorPositions, clock }, ofc, { fiscalCode: 'RCCMNL83S18D969H', limit: 2, cursor: second.cursor! });
    expect(last.items.map((p) => p.iupd)).toEqual(['D-4']);
    expect(last.cursor).toBeUndefined();
  });

  it('refuses a cursor it did not hand out', async () => {
    await expect(positionsOfDebtor({ debtorPositions, clock }, ofc, { fiscalCode: 'RCCMNL83S18D969H', limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow('the cursor is not one this search handed out');
  });
});

describe('audit trail', () => {
  it('names the operator for console writes, the key for API writes and the layer for its own, oldest first', async () => {
    const entry = (at: string, actor: AuditEntry['actor'], action: AuditEntry['action']): AuditEntry => ({ at, action, actor, version: 1 });
    const entries = [
      entry('2026-12-02T10:05:00Z', { organizationFiscalCode: ofc, keyId: 'console', requestId: 'r2', operator: { subject: 's', username: 'olga', name: 'Olga', role: 'operator' } }, 'invalidate'),
      entry('2026-12-02T10:00:00Z', { organizationFiscalCode: ofc, keyId: 'k-123', requestId: 'r1' }, 'create'),
      entry('2026-12-02T10:10:00Z', { organizationFiscalCode: ofc, keyId: 'system:status-clock', requestId: 'r3' }, 'expire'),
    ];
    const trail = await positionAuditTrail({ positions: { auditTrail: async () => entries } }, ofc, 'IUPD-1');
    expect(trail.map((t) => [t.action, t.by])).toEqual([
      ['create', { kind: 'api-key', id: 'k-123' }],
      ['invalidate', { kind: 'operator', username: 'olga', name: 'Olga', role: 'operator' }],
      ['expire', { kind: 'system', id: 'system:status-clock' }],
    ]);
  });
});
