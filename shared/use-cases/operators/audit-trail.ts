/**
 * The audit trail of one position, oldest first, as the console shows it: each line says who
 * acted (an operator through the console, an API key, or the layer itself: the status clock, the
 * pagoPA node, reconciliation).
 */
import { isIupd } from '../../domain/debt-position';
import type { AuditEntry, DebtPositionStore } from '../ports';

export interface AuditLine {
  readonly at: string;
  readonly action: AuditEntry['action'];
  readonly version: number;
  readonly fromStatus?: string;
  readonly toStatus?: string;
  readonly changedFields?: readonly string[];
  readonly by: { readonly kind: 'operator'; readonly username: string; readonly name: string; readonly role: string } | { readonly kind: 'api-key' | 'system'; readonly id: string };
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
      by: e.actor.operator
        ? { kind: 'operator', username: e.actor.operator.username, name: e.actor.operator.name, role: e.actor.operator.role }
        : { kind: e.actor.keyId.startsWith('system:') || e.actor.keyId === 'pagopa-node' ? 'system' : 'api-key', id: e.actor.keyId },
    }));
}
