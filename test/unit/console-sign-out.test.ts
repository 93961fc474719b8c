/**
 * Where the console's sign-out goes (web/console/src/sign-out.ts, used by auth.ts): the provider's
 * RP-initiated logout when it has one (the local provider), Cognito's managed-login /logout when
 * the configuration names it (Cognito has no end_session_endpoint), else back to the console.
 */
import { describe, expect, it } from 'vitest';
import { signOutUrl } from '../../web/console/src/sign-out';

const config = { clientId: 'municipal-console', redirectUri: 'https://console.comune.example.it/console/' };

describe('console sign-out', () => {
  it("OpenID Connect RP-initiated logout: the provider's end_session_endpoint with the id token as hint", () => {
    const url = new URL(signOutUrl(config, 'http://127.0.0.1:3000/_sim/oidc/session/end', 'id.token'));
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:3000/_sim/oidc/session/end');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'municipal-console', post_logout_redirect_uri: config.redirectUri, id_token_hint: 'id.token' });
  });

  it("Cognito: its /logout with client_id and logout_uri, ending the managed login's session", () => {
    const url = new URL(signOutUrl({ ...config, logoutUrl: 'https://pagopa-layer-prod.auth.eu-south-1.amazoncognito.com/logout' }));
    expect(url.host).toBe('pagopa-layer-prod.auth.eu-south-1.amazoncognito.com');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'municipal-console', logout_uri: config.redirectUri });
  });

  it('neither: back to the console (the tokens are gone from the tab)', () => {
    expect(signOutUrl(config)).toBe(config.redirectUri);
  });
});
