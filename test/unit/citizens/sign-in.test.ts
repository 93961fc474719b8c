import { describe, expect, it } from 'vitest';
import {
  SignInRefused,
  type AssertionLedger,
  type CitizenIdentity,
  type CitizenSession,
  type CitizenSessions,
  type IdentityGateway,
  type PendingLogout,
  type PendingSignIn,
  type SignInRequests,
} from '../../../shared/use-cases/citizens/ports';
import { completeSignIn, completeSignOut, idpSignOut, safeReturnPath, sessionKey, sessionOf, signOut, startSignIn, type SignInDeps } from '../../../shared/use-cases/citizens/sign-in';

const IDP = 'https://idp.example/spid';
const identity = (over: Partial<CitizenIdentity> = {}): CitizenIdentity => ({
  fiscalNumber: 'RSSMRA80A01H501U',
  name: 'Mario',
  familyName: 'Rossi',
  email: 'mario@example.com',
  spidLevel: 'SpidL2',
  identityProvider: IDP,
  scheme: 'spid',
  assertionId: '_a1',
  notOnOrAfter: '2027-01-01T10:05:00.000Z',
  nameId: '_n1',
  ...over,
});

function deps(now = new Date('2027-01-01T10:00:00.000Z')) {
  const pending = new Map<string, { request: PendingSignIn; expiresAt: Date }>();
  const seen = new Set<string>();
  const sessions = new Map<string, CitizenSession>();
  let answer: CitizenIdentity | Error = identity();
  const verified: PendingSignIn[] = [];
  const loggedOut: Array<{ idp: string; nameId: string; sessionIndex?: string }> = [];
  const clock = { now };
  const gateway: IdentityGateway = {
    identityProviders: async () => [{ entityId: IDP, displayName: 'Test', scheme: 'spid' }],
    authnRequest: async (idp, relayState) => ({ url: `${idp}/sso?RelayState=${relayState}`, requestId: `_req-${pending.size}` }),
    verify: async (_response, expected) => {
      verified.push(expected);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    metadata: async () => '<md/>',
    logoutRequest: async (idp, subject, relayState) => (loggedOut.push({ idp, ...subject }), { url: `${idp}/slo?RelayState=${relayState}`, requestId: '_lo1' }),
    verifyLogoutResponse: async () => undefined,
    verifyLogoutRequest: async () => ({ identityProvider: IDP, requestId: '_idplo', nameId: '_n1' }),
    logoutResponse: async (idp, inResponseTo) => `${idp}/slo?InResponseTo=${inResponseTo}`,
  };
  const logouts = new Map<string, PendingLogout>();
  const requests: SignInRequests = {
    save: async (relayState, request, expiresAt) => void pending.set(relayState, { request, expiresAt }),
    consume: async (relayState) => {
      const p = pending.get(relayState);
      pending.delete(relayState);
      return p && p.expiresAt > clock.now ? p.request : undefined;
    },
  };
  const assertions: AssertionLedger = {
    firstUse: async (idp, id) => (seen.has(`${idp} ${id}`) ? false : (seen.add(`${idp} ${id}`), true)),
  };
  const store: CitizenSessions = {
    create: async (key, s) => void sessions.set(key, s),
    get: async (key) => sessions.get(key),
    delete: async (key) => void sessions.delete(key),
    deleteByNameId: async (idp, nameId) => {
      let n = 0;
      for (const [k, v] of sessions) if (v.identityProvider === idp && v.nameId === nameId) (sessions.delete(k), n++);
      return n;
    },
  };
  const d: SignInDeps = {
    gateway,
    requests,
    logouts: { save: async (relay, l) => void logouts.set(relay, l), consume: async (relay) => { const l = logouts.get(relay); logouts.delete(relay); return l; } },
    assertions,
    sessions: store,
    clock: () => clock.now,
    sessionMinutes: 30,
  };
  return { d, pending, sessions, verified, clock, loggedOut, logouts, setAnswer: (a: CitizenIdentity | Error) => (answer = a) };
}

const relayOf = (url: string) => new URL(url).searchParams.get('RelayState')!;

describe('citizen sign-in', () => {
  it('opens a 30-minute session for the identity the IdP asserted, keyed by a digest of the token', async () => {
    const t = deps();
    const url = await startSignIn(t.d, IDP, '/cittadino/servizi');
    const done = await completeSignIn(t.d, 'PHJlc3BvbnNlLz4=', relayOf(url));
    expect(done.returnTo).toBe('/cittadino/servizi');
    expect(done.session).toMatchObject({ fiscalNumber: 'RSSMRA80A01H501U', spidLevel: 'SpidL2', expiresAt: '2027-01-01T10:30:00.000Z' });
    expect(t.verified[0]).toMatchObject({ identityProvider: IDP, requestId: '_req-0' });
    expect([...t.sessions.keys()]).toEqual([sessionKey(done.token)]);
    expect(t.sessions.has(done.token)).toBe(false);
    expect(await sessionOf(t.d, done.token)).toMatchObject({ name: 'Mario' });
  });

  it('refuses an IdP it does not trust and never saves a request for it', async () => {
    const t = deps();
    await expect(startSignIn(t.d, 'https://evil.example', undefined)).rejects.toMatchObject({ kind: 'not-found' });
    expect(t.pending.size).toBe(0);
  });

  it('answers each request once: the same answer posted twice is refused the second time', async () => {
    const t = deps();
    const relay = relayOf(await startSignIn(t.d, IDP, undefined));
    await completeSignIn(t.d, 'x', relay);
    await expect(completeSignIn(t.d, 'x', relay)).rejects.toMatchObject({ reason: 'unknown-request' });
  });

  it('refuses a replayed assertion under a new request, and an expired pending request', async () => {
    const t = deps();
    await completeSignIn(t.d, 'x', relayOf(await startSignIn(t.d, IDP, undefined)));
    await expect(completeSignIn(t.d, 'x', relayOf(await startSignIn(t.d, IDP, undefined)))).rejects.toMatchObject({ reason: 'replay' });
    const late = relayOf(await startSignIn(t.d, IDP, undefined));
    t.clock.now = new Date(t.clock.now.getTime() + 11 * 60_000);
    await expect(completeSignIn(t.d, 'x', late)).rejects.toMatchObject({ reason: 'unknown-request' });
  });

  it("passes the verifier's refusal on and opens no session", async () => {
    const t = deps();
    t.setAnswer(new SignInRefused('bad-signature', 'the assertion signature does not verify'));
    await expect(completeSignIn(t.d, 'x', relayOf(await startSignIn(t.d, IDP, undefined)))).rejects.toMatchObject({ reason: 'bad-signature' });
    expect(t.sessions.size).toBe(0);
    await expect(completeSignIn(t.d, undefined, 'r')).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('an expired session, a malformed token and a signed-out one open nothing', async () => {
    const t = deps();
    const done = await completeSignIn(t.d, 'x', relayOf(await startSignIn(t.d, IDP, undefined)));
    expect(await sessionOf(t.d, 'short')).toBeUndefined();
    t.clock.now = new Date(t.clock.now.getTime() + 31 * 60_000);
    expect(await sessionOf(t.d, done.token)).toBeUndefined();
    t.clock.now = new Date(t.clock.now.getTime() - 31 * 60_000);
    await signOut(t.d, done.token);
    expect(await sessionOf(t.d, done.token)).toBeUndefined();
  });

  it('signing out ends the session first, then asks the IdP to end its own (once: the answer is taken once)', async () => {
    const t = deps();
    const done = await completeSignIn(t.d, 'x', relayOf(await startSignIn(t.d, IDP, undefined)));
    const url = await signOut(t.d, done.token);
    expect(await sessionOf(t.d, done.token)).toBeUndefined();
    expect(t.loggedOut).toEqual([{ idp: IDP, nameId: '_n1' }]);
    const relay = new URL(url!).searchParams.get('RelayState')!;
    await completeSignOut(t.d, 'SAMLResponse=x', relay);
    await expect(completeSignOut(t.d, 'SAMLResponse=x', relay)).rejects.toMatchObject({ reason: 'unknown-request' });
    expect(await signOut(t.d, done.token)).toBeUndefined();
  });

  it("an IdP-initiated logout ends every session of that IdP session and answers the IdP", async () => {
    const t = deps();
    const a = await completeSignIn(t.d, 'x', relayOf(await startSignIn(t.d, IDP, undefined)));
    t.setAnswer(identity({ assertionId: '_a2' }));
    const b = await completeSignIn(t.d, 'x', relayOf(await startSignIn(t.d, IDP, undefined)));
    t.setAnswer(identity({ assertionId: '_a3', nameId: '_other' }));
    const c = await completeSignIn(t.d, 'x', relayOf(await startSignIn(t.d, IDP, undefined)));
    const { url, ended } = await idpSignOut(t.d, 'SAMLRequest=x');
    expect(ended).toBe(2);
    expect(url).toContain('InResponseTo=_idplo');
    expect(await sessionOf(t.d, a.token)).toBeUndefined();
    expect(await sessionOf(t.d, b.token)).toBeUndefined();
    expect(await sessionOf(t.d, c.token)).toBeDefined();
  });

  it('sends a citizen back only to a page of the counter', () => {
    expect(safeReturnPath('/cittadino/posizioni/80001234568/ABC-1')).toBe('/cittadino/posizioni/80001234568/ABC-1');
    for (const bad of ['https://evil.example/', '//evil.example/cittadino/', '/cittadino/../console/', '/cittadino//x', '/altro', undefined]) {
      expect(safeReturnPath(bad)).toBe('/cittadino/');
    }
  });
});
