/**
 * A citizen signs in with SPID or CIE (SAML 2, Web Browser SSO): the counter sends a signed
 * AuthnRequest to the chosen identity provider and keeps it as pending under a random RelayState;
 * the IdP posts its answer to the ACS, which takes the pending request ONCE (a second answer to
 * the same request finds nothing), has the answer verified against it (signature, issuer,
 * audience, destination, InResponseTo, validity window, level, attributes), accepts each
 * assertion ONCE (a replay of a captured answer is refused even within its validity), and opens
 * a short session. The cookie carries a random token; the table keeps only its digest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { UseCaseError } from '../errors';
import {
  SignInRefused,
  type AssertionLedger,
  type CitizenSession,
  type CitizenSessions,
  type IdentityGateway,
  type PendingLogouts,
  type PendingSignIn,
  type SignInRequests,
} from './ports';

/** how long an IdP may take to answer (the citizen types their credentials, maybe an OTP) */
export const SIGN_IN_WINDOW_MS = 10 * 60_000;

export interface SignInDeps {
  readonly gateway: IdentityGateway;
  readonly logouts: PendingLogouts;
  readonly requests: SignInRequests;
  readonly assertions: AssertionLedger;
  readonly sessions: CitizenSessions;
  readonly clock: () => Date;
  /** minutes a session lasts from sign-in (absolute, not sliding) */
  readonly sessionMinutes: number;
}

export interface SessionDeps {
  readonly sessions: CitizenSessions;
  readonly clock: () => Date;
}

/** Where a signed-in citizen may be sent back: a path of the counter, nothing else (no open redirect). */
export function safeReturnPath(value: string | undefined): string {
  if (value === undefined) return '/cittadino/';
  return /^\/cittadino\/[A-Za-z0-9/_.\-]*$/.test(value) && !value.includes('//') && !value.includes('..') ? value : '/cittadino/';
}

export const sessionKey = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The URL of the IdP to send the browser to (302). */
export async function startSignIn(deps: SignInDeps, identityProvider: string, returnTo: string | undefined): Promise<string> {
  const now = deps.clock();
  const trusted = await deps.gateway.identityProviders();
  if (!trusted.some((p) => p.entityId === identityProvider)) {
    throw new UseCaseError('not-found', 'unknown identity provider', [{ field: 'idp', message: 'choose one of the identity providers listed' }]);
  }
  const relayState = randomBytes(24).toString('base64url');
  const { url, requestId } = await deps.gateway.authnRequest(identityProvider, relayState, now);
  const pending: PendingSignIn = { requestId, identityProvider, issuedAt: now.toISOString(), returnTo: safeReturnPath(returnTo) };
  await deps.requests.save(relayState, pending, new Date(now.getTime() + SIGN_IN_WINDOW_MS));
  return url;
}

export interface SignedIn {
  /** the cookie's value */
  readonly token: string;
  readonly session: CitizenSession;
  readonly returnTo: string;
}

/** The ACS: the IdP's answer → a session, or SignInRefused. */
export async function completeSignIn(deps: SignInDeps, samlResponse: string | undefined, relayState: string | undefined): Promise<SignedIn> {
  if (!samlResponse || !relayState) throw new SignInRefused('malformed', 'the identity provider sent no SAMLResponse or RelayState');
  const pending = await deps.requests.consume(relayState);
  if (!pending) throw new SignInRefused('unknown-request', 'the sign-in request is unknown, expired or already answered');
  const now = deps.clock();
  const identity = await deps.gateway.verify(samlResponse, pending, now);
  if (!(await deps.assertions.firstUse(identity.identityProvider, identity.assertionId, new Date(Math.max(Date.parse(identity.notOnOrAfter), now.getTime()) + 60_000)))) {
    throw new SignInRefused('replay', 'this assertion has been used already');
  }
  const token = randomBytes(32).toString('base64url');
  const session: CitizenSession = {
    fiscalNumber: identity.fiscalNumber,
    name: identity.name,
    familyName: identity.familyName,
    ...(identity.email ? { email: identity.email } : {}),
    spidLevel: identity.spidLevel,
    identityProvider: identity.identityProvider,
    scheme: identity.scheme,
    nameId: identity.nameId,
    ...(identity.sessionIndex ? { sessionIndex: identity.sessionIndex } : {}),
    formToken: randomBytes(24).toString('base64url'),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.sessionMinutes * 60_000).toISOString(),
  };
  await deps.sessions.create(sessionKey(token), session);
  return { token, session, returnTo: pending.returnTo };
}

/** The session the cookie's token opens, or undefined (none, unknown, expired). */
export async function sessionOf(deps: SessionDeps, token: string | undefined): Promise<CitizenSession | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const session = await deps.sessions.get(sessionKey(token));
  if (!session || Date.parse(session.expiresAt) <= deps.clock().getTime()) return undefined;
  return session;
}

// ---- Single Logout (SPID technical rules, single-logout.rst) ----------------------------------

export interface SignOutDeps extends SessionDeps {
  readonly gateway: IdentityGateway;
  readonly logouts: PendingLogouts;
}

/**
 * **Esci**: the counter's session ends at once (the rules ask the SP to end its own first); then,
 * when the IdP publishes a SingleLogoutService, the URL of a signed LogoutRequest for the IdP
 * session that opened it, so that the IdP ends its own too. Undefined: nothing more to do.
 */
export async function signOut(deps: SignOutDeps, token: string | undefined): Promise<string | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const session = await deps.sessions.get(sessionKey(token));
  await deps.sessions.delete(sessionKey(token));
  if (!session) return undefined;
  const now = deps.clock();
  const relayState = randomBytes(24).toString('base64url');
  const logout = await deps.gateway.logoutRequest(session.identityProvider, { nameId: session.nameId, ...(session.sessionIndex ? { sessionIndex: session.sessionIndex } : {}) }, relayState, now);
  if (!logout) return undefined;
  await deps.logouts.save(relayState, { requestId: logout.requestId, identityProvider: session.identityProvider, issuedAt: now.toISOString() }, new Date(now.getTime() + SIGN_IN_WINDOW_MS));
  return logout.url;
}

/** The IdP's LogoutResponse to our LogoutRequest: checked (signature, issuer, InResponseTo), taken once. */
export async function completeSignOut(deps: SignOutDeps, rawQuery: string, relayState: string | undefined): Promise<void> {
  const pending = relayState ? await deps.logouts.consume(relayState) : undefined;
  if (!pending) throw new SignInRefused('unknown-request', 'the logout request is unknown, expired or already answered');
  await deps.gateway.verifyLogoutResponse(rawQuery, pending, deps.clock());
}

/**
 * An IdP-initiated LogoutRequest (the citizen left another service of the same IdP session): every
 * counter session that IdP session opened ends, and the URL of our signed LogoutResponse is answered.
 */
export async function idpSignOut(deps: SignOutDeps, rawQuery: string): Promise<{ url: string; ended: number }> {
  const now = deps.clock();
  const request = await deps.gateway.verifyLogoutRequest(rawQuery, now);
  const ended = await deps.sessions.deleteByNameId(request.identityProvider, request.nameId);
  const url = await deps.gateway.logoutResponse(request.identityProvider, request.requestId, request.relayState, now);
  return { url, ended };
}
