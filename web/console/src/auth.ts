/**
 * Sign-in with OpenID Connect, authorization code flow with PKCE (RFC 7636, S256), the console
 * being a public client (no secret in a browser). The tokens live in sessionStorage: gone when
 * the tab closes, never in a cookie the API would accept without the page asking.
 */
import { signOutUrl } from './sign-out';

export interface ConsoleConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string;
  /** the console API's base URL (…/console-api) */
  readonly apiBase: string;
  /** the resource indicator (RFC 8707) of the API, when the provider takes one */
  readonly resource?: string;
  /** where the provider sends the browser back (this page) */
  readonly redirectUri: string;
  /** a provider without end_session_endpoint (Amazon Cognito): its sign-out URL (…/logout) */
  readonly logoutUrl?: string;
}

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly end_session_endpoint?: string;
}

export interface Session {
  readonly accessToken: string;
  readonly idToken?: string;
  readonly expiresAt: number;
}

const SESSION_KEY = 'console.session';
const PENDING_KEY = 'console.pending';

const b64url = (bytes: ArrayBuffer | Uint8Array): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n: number): string => b64url(crypto.getRandomValues(new Uint8Array(n)));

async function discover(config: ConsoleConfig): Promise<Discovery> {
  const res = await fetch(`${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`il fornitore di identità non risponde (${res.status})`);
  return (await res.json()) as Discovery;
}

export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  const session = JSON.parse(raw) as Session;
  if (session.expiresAt <= Date.now() + 10_000) {
    sessionStorage.removeItem(SESSION_KEY);
    return undefined;
  }
  return session;
}

/** Sends the browser to the provider's sign-in page; `returnTo` is the page to show afterwards. */
export async function signIn(config: ConsoleConfig, returnTo: string): Promise<void> {
  const discovery = await discover(config);
  const verifier = random(48);
  const state = random(24);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(discovery.authorization_endpoint);
  const params: Record<string, string> = {
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: config.redirectUri,
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(config.resource ? { resource: config.resource } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.toString());
}

/**
 * Back from the provider with ?code&state: exchanges the code (with the PKCE verifier) for the
 * tokens. Returns the page to show, or undefined when this is not a sign-in callback.
 */
export async function completeSignIn(config: ConsoleConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return undefined;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', location.pathname + (pending?.returnTo ?? ''));
  if (error) throw new Error(`accesso non riuscito: ${params.get('error_description') ?? error}`);
  if (!pending || params.get('state') !== pending.state) throw new Error('accesso non riuscito: risposta inattesa (state), riprova');
  const discovery = await discover(config);
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: config.redirectUri,
    client_id: config.clientId,
    code_verifier: pending.verifier,
    ...(config.resource ? { resource: config.resource } : {}),
  });
  const res = await fetch(discovery.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  if (!res.ok) throw new Error(`accesso non riuscito: il fornitore di identità ha rifiutato il codice (${res.status})`);
  const tokens = (await res.json()) as { access_token: string; id_token?: string; expires_in?: number };
  const session: Session = { accessToken: tokens.access_token, idToken: tokens.id_token, expiresAt: Date.now() + (tokens.expires_in ?? 300) * 1000 };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return pending.returnTo;
}

/** Forgets the tokens and ends the provider's session too (RP-initiated logout), back to this page. */
export async function signOut(config: ConsoleConfig): Promise<void> {
  const session = currentSession();
  sessionStorage.removeItem(SESSION_KEY);
  const discovery = await discover(config).catch(() => undefined);
  location.assign(signOutUrl(config, discovery?.end_session_endpoint, session?.idToken));
}
