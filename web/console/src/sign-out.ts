/** The console's sign-out URL, without the DOM (unit-tested in Node). */
/**
 * Where sign-out goes: the provider's RP-initiated logout (OpenID Connect: end_session_endpoint,
 * post_logout_redirect_uri, id_token_hint); Cognito's managed login, which has none, at its
 * /logout (client_id, logout_uri: one of the app client's sign-out URLs); else back to the console
 * (the tokens are gone, the provider's session is not).
 */
export function signOutUrl(config: { readonly clientId: string; readonly redirectUri: string; readonly logoutUrl?: string | undefined }, endSessionEndpoint?: string, idToken?: string): string {
  if (endSessionEndpoint) {
    const url = new URL(endSessionEndpoint);
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('post_logout_redirect_uri', config.redirectUri);
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    return url.toString();
  }
  if (config.logoutUrl) {
    const url = new URL(config.logoutUrl);
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('logout_uri', config.redirectUri);
    return url.toString();
  }
  return config.redirectUri;
}
