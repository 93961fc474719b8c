/**
 * What the GPD operations beyond one position at a time need from storage: the v2 bulk calls
 * (all or nothing over several transactions), the IBAN replacement (positions by IBAN) and the
 * health answer. The DynamoDB side is shared/adapters/dynamo/bulk-position-writes.ts.
 */
import type { DomainEvent, PaymentReceivedEvent } from '../../../../events/domain-events';
import type { DebtPosition } from '../../../domain/debt-position';
import type { Actor, AuditEntry, WriteConflict } from '../../ports';

export type BulkKind = 'create' | 'update' | 'delete';

/**
 * A v2 bulk call while it runs: written before the first position is touched, deleted when every
 * position is committed or rolled back. `preparing` → positions are reserved (create) or locked
 * (update, delete) and nobody sees a change; `committing` → every reservation succeeded, the call
 * is decided and each position is committed. A record older than a call can live is repaired:
 * rolled back while preparing, rolled forward while committing.
 */
export interface BulkRecord {
  readonly organizationFiscalCode: string;
  readonly batchId: string;
  readonly kind: BulkKind;
  readonly state: 'preparing' | 'committing';
  readonly iupds: readonly string[];
  readonly startedAt: string;
  readonly actor: Actor;
  readonly toPublish: boolean;
}

/** A stored position as the bulk protocol sees it: content, and who holds it. */
export interface HeldPosition {
  readonly position: DebtPosition;
  /** the batch that reserved it (a bulk create not committed) */
  readonly pending?: string;
  /** the batch that locked it (a bulk update or delete not committed) */
  readonly lockedBy?: string;
}

export interface BulkPositionStore {
  begin(record: BulkRecord): Promise<void>;
  /** the decision: from here the call is rolled forward, never back */
  markCommitting(record: BulkRecord): Promise<void>;
  end(record: BulkRecord): Promise<void>;
  /** unfinished bulk calls of a tenant, oldest first */
  open(organizationFiscalCode: string): Promise<BulkRecord[]>;

  /** which of these iupds exist (committed or reserved) */
  existingIupds(organizationFiscalCode: string, iupds: readonly string[]): Promise<string[]>;
  /** which of these IUVs are taken (their notice numbers are never handed out again) */
  takenIuvs(organizationFiscalCode: string, iuvs: readonly string[]): Promise<string[]>;
  /** the positions stored under these iupds, however held */
  held(organizationFiscalCode: string, iupds: readonly string[]): Promise<HeldPosition[]>;
  /** the content a bulk update staged for a position */
  staged(batchId: string, organizationFiscalCode: string, iupd: string): Promise<DebtPosition | undefined>;

  /** create: the position and its IUV locks, invisible to every read until committed */
  reserve(batchId: string, position: DebtPosition): Promise<WriteConflict | undefined>;
  /** update, delete: the position held at its version (other writers get a conflict), and for an update the content staged */
  lock(batchId: string, current: DebtPosition, staged: DebtPosition | undefined, newIuvs: readonly string[]): Promise<WriteConflict | undefined>;

  /** false when the position is no longer held by the batch (already committed, or taken over) */
  commitCreate(batchId: string, position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean>;
  commitUpdate(batchId: string, current: DebtPosition, next: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean>;
  commitDelete(batchId: string, current: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<boolean>;

  /** undo a reservation or a lock (idempotent; IUV locks written by the batch go too) */
  release(batchId: string, organizationFiscalCode: string, iupd: string, kind: BulkKind): Promise<void>;
}

/** The positions holding an IBAN of the tenant on an unpaid transfer (the listing's IBAN entries). */
export interface PositionsByIban {
  withIban(organizationFiscalCode: string, iban: string, page: { readonly limit: number; readonly after?: string }): Promise<{ iupds: string[]; after?: string }>;
}

/** A payment made outside pagoPA, written like a receipt's: position, audit and payment event together. */
export interface PaidOutsideStore {
  recordPaid(next: DebtPosition, expectedVersion: number, audit: AuditEntry, event: PaymentReceivedEvent): Promise<WriteConflict | undefined>;
}

/** GPD's AppInfo. */
export interface AppInfo {
  readonly name: string;
  readonly version: string;
  readonly environment: string;
}
