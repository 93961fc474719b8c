/**
 * What the use cases need from the outside world, as plain interfaces. Adapters in
 * shared/adapters implement them; tests hand in their own.
 */
import type { DebtPosition, PositionStatus } from '../domain/debt-position';
import type { Organization } from '../domain/organization';
import type { DomainEvent } from '../../events/domain-events';

/**
 * A person signed in to the operator console (OpenID Connect): who, as the identity provider
 * names them. Audit lines of console writes carry it, so the trail says which operator acted.
 */
export interface OperatorIdentity {
  /** the token's `sub` (the identity provider's stable id of the person) */
  readonly subject: string;
  readonly username: string;
  readonly name: string;
  readonly role: 'admin' | 'operator' | 'viewer';
}

/**
 * Who asked: the tenant and which of its API keys (never the key itself), or, for the console,
 * `keyId` 'console' and the signed-in operator.
 */
export interface Actor {
  readonly organizationFiscalCode: string;
  readonly keyId: string;
  readonly requestId: string;
  /** present when an operator acted through the console (shared/http/operator-auth.ts) */
  readonly operator?: OperatorIdentity;
}

/** One line of the append-only audit trail: who did what, when. */
export interface AuditEntry {
  readonly at: string;
  /**
   * 'activate' / 'expire': the status clock persisting a change that time made; 'report': a
   * reporting flow (FdR) reported transfers of the position
   */
  readonly action: 'create' | 'update' | 'publish' | 'invalidate' | 'delete' | 'payment' | 'activate' | 'expire' | 'report';
  readonly actor: Actor;
  readonly version: number;
  readonly fromStatus?: PositionStatus;
  readonly toStatus?: PositionStatus;
  readonly changedFields?: readonly string[];
}

/** A message for a queue (SQS on AWS, the emulator locally). */
export interface OutgoingMessage {
  /** unique within one call; echoed back in `failed` */
  readonly id: string;
  readonly body: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly delaySeconds?: number;
}

export interface QueuePublisher {
  /** Sends in batches; returns the ids of the messages that were NOT accepted (retry exactly those). */
  send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<string[]>;
}

export type WriteConflict =
  | { readonly conflict: 'iupd' }
  | { readonly conflict: 'iuv'; readonly iuv: string }
  | { readonly conflict: 'version' };

/** GPD's list orderings (PaymentPositionOrder) and this layer's DUE_DATE (the first due date). */
export const LIST_ORDERS = ['INSERTED_DATE', 'IUPD', 'STATUS', 'COMPANY_NAME', 'DUE_DATE'] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];

/** One page of a tenant's positions, GPD style (page number and size, not a cursor). */
export interface ListQuery {
  readonly page: number;
  readonly limit: number;
  readonly orderBy: ListOrder;
  readonly descending: boolean;
  /** the stored status (the status clock persists what time does within 15 minutes) */
  readonly status?: PositionStatus;
  /** positions with an option due on a Europe/Rome calendar day in [from, to] (yyyy-MM-dd, inclusive) */
  readonly dueDays?: { readonly from: string; readonly to: string };
  /** positions whose paymentDate is in [from, to] (ISO UTC instants, inclusive) */
  readonly paidBetween?: { readonly from: string; readonly to: string };
}

/**
 * What a list read gives: a page and the number of positions matching in all; or, when the
 * work would exceed what one request may do, why not:
 *   too-wide  the date interval holds more positions than one request reads (narrow it)
 *   busy      a deep page of a list whose bookmarks are being rebuilt: retry after a moment
 */
export type ListPage =
  | { readonly kind: 'page'; readonly items: DebtPosition[]; readonly total: number }
  | { readonly kind: 'too-wide'; readonly atLeast: number; readonly max: number }
  | { readonly kind: 'busy'; readonly retryAfterSeconds: number };

export interface DebtPositionStore {
  /** Reserves `count` consecutive 13-digit IUV bases for the tenant; never hands one out twice. */
  allocateIuvBases(organizationFiscalCode: string, count: number): Promise<bigint[]>;
  create(position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<WriteConflict | undefined>;
  /** Writes `next` if the stored version is still `expectedVersion`; `newIuvs` are reserved too. */
  replace(
    next: DebtPosition,
    expectedVersion: number,
    audit: AuditEntry,
    events: readonly DomainEvent[],
    newIuvs: readonly string[],
  ): Promise<WriteConflict | undefined>;
  remove(position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<WriteConflict | undefined>;
  get(organizationFiscalCode: string, iupd: string): Promise<DebtPosition | undefined>;
  findByNoticeNumber(organizationFiscalCode: string, nav: string): Promise<DebtPosition | undefined>;
  list(organizationFiscalCode: string, query: ListQuery): Promise<ListPage>;
  auditTrail(organizationFiscalCode: string, iupd: string): Promise<AuditEntry[]>;
  /** Every position stored in `status`, optionally only those whose first due date is before `dueBefore`. */
  inStatus(organizationFiscalCode: string, status: PositionStatus, dueBefore?: string): AsyncIterable<DebtPosition>;
}

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly organizationFiscalCode: string;
  readonly label: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
  /** who issued it: an operator of the console, the admin CLI (absent on keys issued before this was kept) */
  readonly issuedBy?: Actor;
  readonly revokedBy?: Actor;
}

export interface OrganizationStore {
  get(fiscalCode: string): Promise<Organization | undefined>;
  /** false when an organization with that fiscal code exists already */
  create(organization: Organization): Promise<boolean>;
  put(organization: Organization): Promise<void>;
  list(): Promise<Organization[]>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  addApiKey(record: ApiKeyRecord, hash: string): Promise<void>;
  /** the key as revoked (the first revocation stays when it was revoked already); undefined when the tenant has no such key */
  revokeApiKey(organizationFiscalCode: string, keyId: string, at: string, by?: Actor): Promise<ApiKeyRecord | undefined>;
  listApiKeys(organizationFiscalCode: string): Promise<ApiKeyRecord[]>;
  addWebhookSecret(organizationFiscalCode: string, secretId: string, secret: string, at: string): Promise<void>;
  revokeWebhookSecret(organizationFiscalCode: string, secretId: string, at: string): Promise<boolean>;
  activeWebhookSecrets(organizationFiscalCode: string): Promise<Array<{ secretId: string; secret: string }>>;
}
