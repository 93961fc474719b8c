/**
 * Who is calling the console API: an operator signed in with OpenID Connect, whose bearer token
 * (a JWT) is verified here, on every request, against the identity provider's published keys
 * (JWKS): signature (RS256 or ES256), issuer, audience, expiry. The same code verifies the local
 * OpenID provider's tokens (infra/local/simulators/oidc) and Amazon Cognito's on AWS; only the
 * issuer, the audience and the JWKS URL differ (configuration, shared/composition/console.ts).
 *
 * Claims read (the local provider's; Cognito's custom attributes, in ID tokens or added to access
 * tokens by a pre-token-generation trigger; or Cognito's groups, which its access tokens carry
 * without any trigger, `cognito:groups`):
 *   role           `role` | `custom:role` | the highest of the groups `admin`, `operator`, `viewer`
 *   organizations  `organizations` (array) | `custom:organizations` (a string, comma or space
 *                  separated) | the groups `org:<fiscal code>`
 *   username       `preferred_username` | `username` | `cognito:username` | `sub`
 * Audience: `aud` must contain the configured audience; a token without `aud` passes only when
 * its `client_id` is the audience (Cognito access tokens carry `client_id`, not `aud`; Cognito
 * developer guide, "Understanding the access token").
 *
 * 401: no bearer token, or it fails any check; 403: a valid operator without that organization
 * or whose role does not allow the action (shared/use-cases/operators/roles.ts).
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Organization } from '../domain/organization';
import { decideAccess, isOperatorRole, type Operator, type Permission } from '../use-cases/operators/roles';
import type { Actor, OrganizationStore } from '../use-cases/ports';
import { HttpProblem, forbidden } from './problem';

/** 401 with the challenge RFC 6750 asks for. */
const unauthorized = (detail: string): HttpProblem =>
  new HttpProblem(401, 'Unauthorized', detail, undefined, { 'www-authenticate': 'Bearer realm="console"' });

/** The algorithms an operator token may be signed with (asymmetric only: never `none`, never HS*). */
export const OPERATOR_TOKEN_ALGORITHMS = ['RS256', 'ES256'] as const;

export interface OperatorTokenSettings {
  readonly issuer: string;
  readonly audience: string;
  /** the issuer's public keys (see `remoteKeys`; tests pass a local key set) */
  readonly keys: JWTVerifyGetKey;
  /** seconds of clock skew tolerated on exp/nbf/iat (default 30) */
  readonly clockToleranceSeconds?: number;
  /** default: now */
  readonly clock?: () => Date;
}

/** The issuer's JWKS, fetched on first use and cached (jose refetches on an unknown `kid`). */
export function remoteKeys(jwksUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
}

export type OperatorVerifier = (authorization: string | undefined) => Promise<Operator>;

const FISCAL_CODE = /^\d{11}$/;

export function makeOperatorVerifier(settings: OperatorTokenSettings): OperatorVerifier {
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization?.trim() ?? '');
    if (!match) throw unauthorized('a bearer token (Authorization: Bearer <JWT>) is required');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, settings.keys, {
        issuer: settings.issuer,
        algorithms: [...OPERATOR_TOKEN_ALGORITHMS],
        clockTolerance: settings.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
        ...(settings.clock ? { currentDate: settings.clock() } : {}),
      }));
    } catch (error) {
      // the issuer's keys unreachable is no fault of the token: retry later, do not sign out
      if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
        throw new HttpProblem(503, 'Service Unavailable', "the identity provider's keys could not be read; retry", undefined, { 'retry-after': '5' });
      }
      throw unauthorized(`invalid bearer token: ${reasonOf(error)}`);
    }
    if (!hasAudience(payload, settings.audience)) throw unauthorized('invalid bearer token: not issued for this API (audience)');
    // Cognito's ID tokens carry the client id as `aud` too: only its access tokens are bearer tokens for an API
    if (payload['token_use'] !== undefined && payload['token_use'] !== 'access') throw unauthorized('invalid bearer token: not an access token');
    return operatorOf(payload);
  };
}

function hasAudience(payload: JWTPayload, audience: string): boolean {
  if (payload.aud !== undefined) return (Array.isArray(payload.aud) ? payload.aud : [payload.aud]).includes(audience);
  return payload['client_id'] === audience;
}

function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} is not valid`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'signed with a key the issuer does not publish';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  return 'malformed';
}

const ROLES_BY_RANK = ['admin', 'operator', 'viewer'] as const;

function operatorOf(payload: JWTPayload): Operator {
  const groups = Array.isArray(payload['cognito:groups']) ? (payload['cognito:groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
  const role = payload['role'] ?? payload['custom:role'] ?? ROLES_BY_RANK.find((r) => groups.includes(r));
  if (!isOperatorRole(role)) throw unauthorized('invalid bearer token: no console role (admin, operator, viewer)');
  const raw = payload['organizations'] ?? payload['custom:organizations'];
  const fromGroups = groups.filter((g) => g.startsWith('org:')).map((g) => g.slice(4));
  const organizations = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/).filter(Boolean) : fromGroups;
  if (!organizations.every((o): o is string => typeof o === 'string' && FISCAL_CODE.test(o))) {
    throw unauthorized('invalid bearer token: organizations must be 11-digit fiscal codes');
  }
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : undefined);
  const subject = payload.sub as string;
  const username = text(payload['preferred_username']) ?? text(payload['username']) ?? text(payload['cognito:username']) ?? subject;
  return { subject, username, name: text(payload['name']) ?? username, role, organizations: [...new Set(organizations)] };
}

/** A verified operator acting on one organization, as the use cases take it. */
export interface OperatorCaller {
  readonly operator: Operator;
  readonly actor: Actor;
  readonly organization: Organization;
}

export type ConsoleAuthorizer = (
  headers: Readonly<Record<string, string | undefined>>,
  organizationFiscalCode: string,
  requestId: string,
  permission: Permission,
) => Promise<OperatorCaller>;

/** keyId of the audit lines written through the console (the operator is in `actor.operator`). */
export const CONSOLE_KEY_ID = 'console';

export function makeConsoleAuthorizer(deps: { verify: OperatorVerifier; organizations: Pick<OrganizationStore, 'get'> }): ConsoleAuthorizer {
  return async (headers, organizationFiscalCode, requestId, permission) => {
    const operator = await deps.verify(headers['authorization']);
    const decision = decideAccess(operator, organizationFiscalCode, permission);
    if (!decision.allowed) throw forbidden(decision.reason);
    const organization = await deps.organizations.get(organizationFiscalCode);
    if (!organization || organization.status !== 'ACTIVE') throw forbidden('the organization is not active');
    const { organizations: _organizations, ...identity } = operator;
    return { operator, organization, actor: { organizationFiscalCode, keyId: CONSOLE_KEY_ID, requestId, operator: identity } };
  };
}
