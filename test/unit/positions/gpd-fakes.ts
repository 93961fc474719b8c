/**
 * In-memory stand-ins for the ports of GPD's operations beyond one position (bulk calls, the
 * IBAN look-up, payments outside pagoPA), over the in-memory position store of fakes.ts, with
 * failure injection: `crashAt(method, n)` makes the n-th call of a method throw, and every call
 * after it (the process died there).
 */
import type { DomainEvent, PaymentReceivedEvent } from '../../../events/domain-events';
import type { DebtPosition } from '../../../shared/domain/debt-position';
import type { AuditEntry, WriteConflict } from '../../../shared/use-cases/ports';
import type { BulkKind, BulkPositionStore, BulkRecord, HeldPosition, PaidOutsideStore, PositionsByIban } from '../../../shared/use-cases/debt-positions/gpd/ports';
import type { InMemoryDebtPositionStore } from './fakes';

const key = (ofc: string, iupd: string) => `${ofc}#${iupd}`;

export class InMemoryGpdStore implements BulkPositionStore, PositionsByIban, PaidOutsideStore {
  readonly records = new Map<string, BulkRecord>();
  readonly pending = new Map<string, { batchId: string; position: DebtPosition }>();
  readonly locks = new Map<string, string>();
  readonly stagedContent = new Map<string, DebtPosition>();
  private crash?: { method: string; nth: number; calls: number; dead: boolean };

  constructor(readonly positions: InMemoryDebtPositionStore) {}

  crashAt(method: keyof BulkPositionStore, nth: number): void {
    this.crash = { method, nth, calls: 0, dead: false };
  }

  private step(method: string): void {
    const c = this.crash;
    if (!c) return;
    if (method === c.method && ++c.calls === c.nth) c.dead = true;
    if (c.dead) throw new Error(`crash in ${method}`);
  }

  async begin(record: BulkRecord): Promise<void> {
    this.step('begin');
    this.records.set(record.batchId, record);
  }
  async markCommitting(record: BulkRecord): Promise<void> {
    this.step('markCommitting');
    this.records.set(record.batchId, { ...record, state: 'committing' });
  }
  async end(record: BulkRecord): Promise<void> {
    this.step('end');
    this.records.delete(record.batchId);
  }
  async open(ofc: string): Promise<BulkRecord[]> {
    return [...this.records.values()].filter((r) => r.organizationFiscalCode === ofc);
  }

  async existingIupds(ofc: string, iupds: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const iupd of iupds) if (this.pending.has(key(ofc, iupd)) || (await this.positions.get(ofc, iupd))) out.push(iupd);
    return out;
  }
  async takenIuvs(ofc: string, iuvs: readonly string[]): Promise<string[]> {
    const reserved = new Set([...this.pending.values()].flatMap((p) => p.position.paymentOptions.map((o) => o.iuv)));
    const out: string[] = [];
    for (const iuv of iuvs) if (reserved.has(iuv) || (await this.positions.findByNoticeNumber(ofc, `3${iuv}`))) out.push(iuv);
    return out;
  }
  async held(ofc: string, iupds: readonly string[]): Promise<HeldPosition[]> {
    const out: HeldPosition[] = [];
    for (const iupd of iupds) {
      const reserved = this.pending.get(key(ofc, iupd));
      if (reserved) {
        out.push({ position: reserved.position, pending: reserved.batchId });
        continue;
      }
      const position = await this.positions.get(ofc, iupd);
      const lockedBy = this.locks.get(key(ofc, iupd));
      if (position) out.push({ position, ...(lockedBy ? { lockedBy } : {}) });
    }
    return out;
  }
  async staged(batchId: string, ofc: string, iupd: string): Promise<DebtPosition | undefined> {
    return this.stagedContent.get(`${batchId}#${key(ofc, iupd)}`);
  }

  async reserve(batchId: string, position: DebtPosition): Promise<WriteConflict | undefined> {
    this.step('reserve');
    const ofc = position.organizationFiscalCode;
    if ((await this.existingIupds(ofc, [position.iupd])).length > 0) return { conflict: 'iupd' };
    const [taken] = await this.takenIuvs(ofc, position.paymentOptions.map((o) => o.iuv));
    if (taken) return { conflict: 'iuv', iuv: taken };
    this.pending.set(key(ofc, position.iupd), { batchId, position });
    return undefined;
  }
  async lock(batchId: string, current: DebtPosition, staged: DebtPosition | undefined): Promise<WriteConflict | undefined> {
    this.step('lock');
    const at = key(current.organizationFiscalCode, current.iupd);
    const stored = await this.positions.get(current.organizationFiscalCode, current.iupd);
    if (!stored || stored.version !== current.version || this.locks.has(at)) return { conflict: 'version' };
    this.locks.set(at, batchId);
    if (staged) this.stagedContent.set(`${batchId}#${at}`, staged);
    return undefined;
  }

  async commitCreate(batchId: string, position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean> {
    this.step('commitCreate');
    const at = key(position.organizationFiscalCode, position.iupd);
    if (this.pending.get(at)?.batchId !== batchId) return false;
    this.pending.delete(at);
    return (await this.positions.create(position, audit, events)) === undefined;
  }
  async commitUpdate(batchId: string, current: DebtPosition, next: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean> {
    this.step('commitUpdate');
    const at = key(current.organizationFiscalCode, current.iupd);
    if (this.locks.get(at) !== batchId) return false;
    this.locks.delete(at);
    this.stagedContent.delete(`${batchId}#${at}`);
    const known = new Set(current.paymentOptions.map((o) => o.iuv));
    return (await this.positions.replace(next, current.version, audit, events, next.paymentOptions.map((o) => o.iuv).filter((i) => !known.has(i)))) === undefined;
  }
  async commitDelete(batchId: string, current: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean> {
    this.step('commitDelete');
    const at = key(current.organizationFiscalCode, current.iupd);
    if (this.locks.get(at) !== batchId) return false;
    this.locks.delete(at);
    return (await this.positions.remove(current, audit, events)) === undefined;
  }
  async release(batchId: string, ofc: string, iupd: string, kind: BulkKind): Promise<void> {
    this.step('release');
    const at = key(ofc, iupd);
    if (kind === 'create' && this.pending.get(at)?.batchId === batchId) this.pending.delete(at);
    if (kind !== 'create' && this.locks.get(at) === batchId) this.locks.delete(at);
    this.stagedContent.delete(`${batchId}#${at}`);
  }

  async withIban(ofc: string, iban: string, page: { readonly limit: number; readonly after?: string }): Promise<{ iupds: string[]; after?: string }> {
    const all = await this.positions.list(ofc, { page: 0, limit: 1_000_000, orderBy: 'IUPD', descending: false });
    const iupds = (all.kind === 'page' ? all.items : [])
      .filter((p) => p.paymentOptions.some((o) => o.transfers.some((t) => t.iban === iban)))
      .map((p) => p.iupd)
      .filter((iupd) => page.after === undefined || iupd > page.after);
    const slice = iupds.slice(0, page.limit);
    return iupds.length > page.limit ? { iupds: slice, after: slice[slice.length - 1] } : { iupds: slice };
  }

  async recordPaid(next: DebtPosition, expectedVersion: number, audit: AuditEntry, event: PaymentReceivedEvent): Promise<WriteConflict | undefined> {
    return this.positions.replace(next, expectedVersion, audit, [event as unknown as DomainEvent], []);
  }
}
