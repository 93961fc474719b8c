/**
 * The console's roles, modelled on GovPay's operators (an operator has a set of creditor
 * organizations, "Domini", and roles granting Lettura/Scrittura per area; GovPay docs,
 * docs/cruscotto/configurazione/operatori and configurazione/ruoli). This layer keeps three fixed
 * roles, enforced by the console API, not by hiding buttons:
 *   viewer    reads the organizations of the token
 *   operator  reads and writes them (create, publish, invalidate positions)
 *   admin     also their keys and configuration
 */
import type { OperatorIdentity } from '../ports';

export const OPERATOR_ROLES = ['viewer', 'operator', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** What a console route needs of its caller. */
export type Permission = 'read' | 'write' | 'admin';

const RANK: Record<OperatorRole, number> = { viewer: 0, operator: 1, admin: 2 };
const NEEDS: Record<Permission, number> = { read: 0, write: 1, admin: 2 };

export function isOperatorRole(value: unknown): value is OperatorRole {
  return typeof value === 'string' && (OPERATOR_ROLES as readonly string[]).includes(value);
}

/** true when the role grants the permission */
export function roleAllows(role: OperatorRole, permission: Permission): boolean {
  return RANK[role] >= NEEDS[permission];
}

/** A signed-in operator: their identity and the organizations (fiscal codes) they serve. */
export interface Operator extends OperatorIdentity {
  readonly organizations: readonly string[];
}

export type AccessDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** May `operator` do what needs `permission` on the organization `organizationFiscalCode`? */
export function decideAccess(operator: Operator, organizationFiscalCode: string, permission: Permission): AccessDecision {
  if (!operator.organizations.includes(organizationFiscalCode)) {
    return { allowed: false, reason: 'this operator is not authorized for that organization' };
  }
  if (!roleAllows(operator.role, permission)) {
    return { allowed: false, reason: `the role '${operator.role}' does not allow this (${permission === 'write' ? 'read only' : 'administrators only'})` };
  }
  return { allowed: true };
}
