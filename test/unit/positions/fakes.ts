/**
 * In-memory stand-ins for the ports of the positions family, and the API Gateway events a
 * handler receives: enough to run the family's handlers through `makeHandler` with no AWS.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { DomainEvent } from '../../../events/domain-events';
import { romeCalendarDay } from '../../../shared/domain/dates';
import { firstDueDate, type DebtPosition, type PositionStatus } from '../../../shared/domain/debt-position';
import type { Organization } from '../../../shared/domain/organization';
import { forbidden, unauthorized } from '../../../shared/http/problem';
import type { TenantAuthenticator } from '../../../shared/http/tenant-auth';
import type {
  Actor,
  ApiKeyRecord,
  AuditEntry,
  DebtPositionStore,
  ListPage,
  ListQuery,
  OrganizationStore,
  WriteConflict,
} from '../../../shared/use-cases/ports';

const clone = <T>(value: T): T => structuredClone(value);

/** Positions, notice-number locks, audit lines and outbox events, kept as the table keeps them. */
export class InMemoryDebtPositionStore implements DebtPositionStore {
  readonly events: DomainEvent[] = [];
  readonly reads: string[] = [];
  /** the next write loses a race with this conflict (then the store behaves again) */
  loseNextWrite?: WriteConflict;
  private readonly positions = new Map<string, DebtPosition>();
  private readonly locks = new Map<string, { iupd: string; nav: string }>();
  private readonly audits = new Map<string, AuditEntry[]>();
  private readonly counters = new Map<string, bigint>();

  /** puts a position as if an earlier request had stored it */
  seed(position: DebtPosition): void {
    this.positions.set(key(position.organizationFiscalCode, position.iupd), clone(position));
    for (const o of position.paymentOptions) this.locks.set(key(position.organizationFiscalCode, o.iuv), { iupd: position.iupd, nav: o.nav });
  }

  async allocateIuvBases(organizationFiscalCode: string, count: number): Promise<bigint[]> {
    if (count <= 0) return [];
    const last = (this.counters.get(organizationFiscalCode) ?? 0n) + BigInt(count);
    this.counters.set(organizationFiscalCode, last);
    return Array.from({ length: count }, (_, i) => last - BigInt(count) + 1n + BigInt(i));
  }

  async create(position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<WriteConflict | undefined> {
    const lost = this.lost();
    if (lost) return lost;
    if (this.positions.has(key(position.organizationFiscalCode, position.iupd))) return { conflict: 'iupd' };
    const taken = position.paymentOptions.find((o) => this.locks.has(key(position.organizationFiscalCode, o.iuv)));
    if (taken) return { conflict: 'iuv', iuv: taken.iuv };
    this.write(position, audit, events);
    return undefined;
  }

  async replace(
    next: DebtPosition,
    expectedVersion: number,
    audit: AuditEntry,
    events: readonly DomainEvent[],
    newIuvs: readonly string[],
  ): Promise<WriteConflict | undefined> {
    const lost = this.lost();
    if (lost) return lost;
    const current = this.positions.get(key(next.organizationFiscalCode, next.iupd));
    if (!current || current.version !== expectedVersion) return { conflict: 'version' };
    const taken = newIuvs.find((iuv) => this.locks.has(key(next.organizationFiscalCode, iuv)));
    if (taken) return { conflict: 'iuv', iuv: taken };
    this.write(next, audit, events);
    return undefined;
  }

  async remove(position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): Promise<WriteConflict | undefined> {
    const lost = this.lost();
    if (lost) return lost;
    const at = key(position.organizationFiscalCode, position.iupd);
    if (this.positions.get(at)?.version !== position.version) return { conflict: 'version' };
    this.positions.delete(at);
    this.appendAudit(position, audit);
    this.events.push(...clone(events));
    return undefined;
  }

  async get(organizationFiscalCode: string, iupd: string): Promise<DebtPosition | undefined> {
    this.reads.push(iupd);
    const found = this.positions.get(key(organizationFiscalCode, iupd));
    return found && clone(found);
  }

  async findByNoticeNumber(organizationFiscalCode: string, nav: string): Promise<DebtPosition | undefined> {
    const lock = this.locks.get(key(organizationFiscalCode, nav.slice(1)));
    if (!lock || lock.nav !== nav) return undefined;
    const position = await this.get(organizationFiscalCode, lock.iupd);
    return position?.paymentOptions.some((o) => o.nav === nav) ? position : undefined;
  }

  async list(organizationFiscalCode: string, query: ListQuery): Promise<ListPage> {
    const sortKey: Record<ListQuery['orderBy'], (p: DebtPosition) => string> = {
      INSERTED_DATE: (p) => `${p.insertedDate}#${p.iupd}`,
      IUPD: (p) => p.iupd,
      STATUS: (p) => `${p.status}#${p.insertedDate}#${p.iupd}`,
      COMPANY_NAME: (p) => `${p.companyName}#${p.iupd}`,
      DUE_DATE: (p) => `${firstDueDate(p.paymentOptions) ?? '9999'}#${p.iupd}`,
    };
    const key = sortKey[query.orderBy];
    const { dueDays, paidBetween } = query;
    const matching = this.all(organizationFiscalCode)
      .filter((p) => query.status === undefined || p.status === query.status)
      .filter((p) => dueDays === undefined || p.paymentOptions.some((o) => romeCalendarDay(o.dueDate) >= dueDays.from && romeCalendarDay(o.dueDate) <= dueDays.to))
      .filter((p) => paidBetween === undefined || (p.paymentDate !== undefined && p.paymentDate >= paidBetween.from && p.paymentDate <= paidBetween.to))
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (query.descending ? -1 : 1));
    return { kind: 'page', items: matching.slice(query.page * query.limit, (query.page + 1) * query.limit), total: matching.length };
  }

  async auditTrail(organizationFiscalCode: string, iupd: string): Promise<AuditEntry[]> {
    return clone(this.audits.get(key(organizationFiscalCode, iupd)) ?? []);
  }

  async *inStatus(organizationFiscalCode: string, status: PositionStatus, dueBefore?: string): AsyncIterable<DebtPosition> {
    for (const p of this.all(organizationFiscalCode)) {
      if (p.status !== status) continue;
      if (dueBefore !== undefined && !((firstDueDate(p.paymentOptions) ?? '9999') < dueBefore)) continue;
      yield p;
    }
  }

  private all(organizationFiscalCode: string): DebtPosition[] {
    return [...this.positions.values()].filter((p) => p.organizationFiscalCode === organizationFiscalCode).map(clone);
  }

  private lost(): WriteConflict | undefined {
    const lost = this.loseNextWrite;
    this.loseNextWrite = undefined;
    return lost;
  }

  private write(position: DebtPosition, audit: AuditEntry, events: readonly DomainEvent[]): void {
    this.seed(position);
    this.appendAudit(position, audit);
    this.events.push(...clone(events));
  }

  private appendAudit(position: DebtPosition, audit: AuditEntry): void {
    const at = key(position.organizationFiscalCode, position.iupd);
    this.audits.set(at, [...(this.audits.get(at) ?? []), clone(audit)]);
  }
}

const key = (organizationFiscalCode: string, id: string) => `${organizationFiscalCode}#${id}`;

/** The tenants, for the status clock (the REST handlers get them from the authenticator). */
export function organizationsOf(...organizations: Organization[]): Pick<OrganizationStore, 'list'> {
  return { list: async () => organizations.map(clone) };
}

/** Tenants, their API keys (by hash) and webhook secrets. */
export class InMemoryOrganizationStore implements OrganizationStore {
  readonly organizations = new Map<string, Organization>();
  readonly keys = new Map<string, { record: ApiKeyRecord; hash: string }>();
  readonly secrets = new Map<string, { organizationFiscalCode: string; secretId: string; secret: string; revokedAt?: string }>();

  async get(fiscalCode: string): Promise<Organization | undefined> {
    const found = this.organizations.get(fiscalCode);
    return found && clone(found);
  }
  async create(organization: Organization): Promise<boolean> {
    if (this.organizations.has(organization.fiscalCode)) return false;
    this.organizations.set(organization.fiscalCode, clone(organization));
    return true;
  }
  async put(organization: Organization): Promise<void> {
    this.organizations.set(organization.fiscalCode, clone(organization));
  }
  async list(): Promise<Organization[]> {
    return [...this.organizations.values()].map(clone);
  }
  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return [...this.keys.values()].find((k) => k.hash === hash)?.record;
  }
  async addApiKey(record: ApiKeyRecord, hash: string): Promise<void> {
    if (this.keys.has(record.keyId)) throw new Error('ConditionalCheckFailed: the key exists');
    this.keys.set(record.keyId, { record: clone(record), hash });
  }
  async revokeApiKey(organizationFiscalCode: string, keyId: string, at: string, by?: Actor): Promise<ApiKeyRecord | undefined> {
    const key = this.keys.get(keyId);
    if (!key || key.record.organizationFiscalCode !== organizationFiscalCode) return undefined;
    if (key.record.revokedAt !== undefined) return clone(key.record);
    const record: ApiKeyRecord = { ...key.record, revokedAt: at, ...(by ? { revokedBy: by } : {}) };
    this.keys.set(keyId, { ...key, record });
    return clone(record);
  }
  async listApiKeys(organizationFiscalCode: string): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()].filter((k) => k.record.organizationFiscalCode === organizationFiscalCode).map((k) => clone(k.record));
  }
  async addWebhookSecret(organizationFiscalCode: string, secretId: string, secret: string): Promise<void> {
    this.secrets.set(`${organizationFiscalCode}#${secretId}`, { organizationFiscalCode, secretId, secret });
  }
  async revokeWebhookSecret(organizationFiscalCode: string, secretId: string, at: string): Promise<boolean> {
    const found = this.secrets.get(`${organizationFiscalCode}#${secretId}`);
    if (!found) return false;
    found.revokedAt = at;
    return true;
  }
  async activeWebhookSecrets(organizationFiscalCode: string): Promise<Array<{ secretId: string; secret: string }>> {
    return [...this.secrets.values()]
      .filter((s) => s.organizationFiscalCode === organizationFiscalCode && s.revokedAt === undefined)
      .map(({ secretId, secret }) => ({ secretId, secret }));
  }
}

/** One tenant with one API key: 401 for any other key, 403 for another tenant's path. */
export function fakeAuthenticator(organization: Organization, apiKey: string): TenantAuthenticator {
  return async (headers, organizationFiscalCode, requestId) => {
    if (headers['ocp-apim-subscription-key'] !== apiKey) throw unauthorized('unknown or revoked API key');
    if (organizationFiscalCode !== organization.fiscalCode) throw forbidden('this API key is not authorized for that organization');
    return { actor: { organizationFiscalCode, keyId: 'key-1', requestId }, organization };
  };
}

export const lambdaContext = {
  awsRequestId: 'aws-request-1',
  functionName: 'positions-test',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/** An HTTP API (payload 2.0) event for a route; `path` is the route with its parameters filled in. */
export function apiRequest(
  method: string,
  route: string,
  options: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; key?: string | null } = {},
): APIGatewayProxyEventV2 {
  const params = options.params ?? {};
  const rawPath = Object.entries(params).reduce((path, [name, value]) => path.replace(`{${name}}`, encodeURIComponent(value)), route);
  const headers: Record<string, string> = {};
  if (options.key !== null) headers['ocp-apim-subscription-key'] = options.key ?? 'test-key-0123456789abcdef';
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return {
    version: '2.0',
    routeKey: `${method} ${route}`,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers,
    pathParameters: params,
    queryStringParameters: options.query,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: { requestId: `req-${Math.random().toString(36).slice(2, 8)}`, http: { method, path: rawPath } },
  } as unknown as APIGatewayProxyEventV2;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly json: any;
}

export async function answerOf(result: Promise<unknown>): Promise<Answer> {
  const r = (await result) as APIGatewayProxyStructuredResultV2;
  return { status: r.statusCode ?? 0, headers: r.headers ?? {}, json: r.body === undefined ? undefined : JSON.parse(r.body) };
}
