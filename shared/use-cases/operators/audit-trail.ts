/**
 * The audit trail of one position, oldest first, as the console shows it: each line says who
 * acted (an operator through the console, an API key, or the layer itself: the status clock, the
 * pagoPA node, reconciliation).
 */
import { isIupd } from '../../domain/debt-position';
import type { Actor, AuditEntry, DebtPositionStore } from '../ports';

/** Who acted, as the console shows it. */
export type ActedBy = { readonly kind: 'operator'; readonly username: string; readonly name: string; readonly role: string } | { readonly kind: 'api-key' | 'system'; readonly id: string };

export function actedBy(actor: Actor): ActedBy {
  return actor.operator
    ? { kind: 'operator', username: actor.operator.username, name: actor.operator.name, role: actor.operator.role }
    : { kind: actor.keyId.startsWith('system:') || actor.keyId === 'pagopa-node' ? 'system' : 'api-key', id: actor.keyId };
}

export interface AuditLine {
  readonly at: string;
  readonly action: AuditEntry['action'];
  readonly version: number;
  readonly fromStatus?: string;
  readonly toStatus?: string;
  readonly changedFields?: readonly string[];
  readonly by: ActedBy;
}

export async function positionAuditTrail(deps: { positions: Pick<DebtPositionStore, 'auditTrail'> }, organizationFiscalCode: string, iupd: string): Promise<AuditLine[]> {
  if (!isIupd(iupd)) return [];
  const entries = await deps.positions.auditTrail(organizationFiscalCode, iupd);
  return [...entries]
    .sort((a, b) => (a.at === b.at ? a.version - b.version : a.at < b.at ? -1 : 1))
    .map((e) => ({
      at: e.at,
      action: e.action,
      version: e.version,
      ...(e.fromStatus ? { fromStatus: e.fromStatus } : {}),
      ...(e.toStatus ? { toStatus: e.toStatus } : {}),
      ...(e.changedFields ? { changedFields: e.changedFields } : {}),
      by: actedBy(e.actor),
    }));
}
