/**
 * The local OpenID provider of the operator console: a real OpenID Connect provider
 * (`oidc-provider`, certified by the OpenID Foundation) mounted by `npm start` at /_sim/oidc,
 * standing in for Amazon Cognito. Authorization code flow with PKCE (S256, required) for the
 * console's public client; ID and access tokens are JWTs signed RS256, the keys published at
 * /_sim/oidc/.well-known/jwks.json (where Cognito publishes its own). The access token, for the
 * console API (audience `CONSOLE_AUDIENCE`), carries the operator's `role` and `organizations`.
 *
 * Operators come from the seed file (./operators.ts); they sign in on this provider's own login
 * form (Italian, no consent screen: the console is a first-party client). The signing key is
 * generated at every start: tokens do not survive a restart, as a local stand-in should.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { memoryAdapter } from './memory-adapter';
import { readSeedOperators, type SeedOperator } from './operators';

export const OIDC_PREFIX = '/_sim/oidc';
/** the console's client id (a public client: no secret) */
export const CONSOLE_CLIENT_ID = 'municipal-console';
/** the resource indicator (RFC 8707) and `aud` of the console API's access tokens */
export const CONSOLE_AUDIENCE = 'urn:pagopa-municipal-layer:console-api';
/** the scope the console asks for the API */
export const CONSOLE_SCOPE = 'console';

export interface LocalOidc {
  readonly mounts: Array<{ prefix: string; listener: (req: IncomingMessage, res: ServerResponse) => void }>;
  readonly operators: readonly SeedOperator[];
  issuer(cloudUrl: string): string;
  /** builds the provider once the gateway's URL is known (the issuer is on it) */
  bind(cloudUrl: string): Promise<void>;
}

const hash = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Identità operatori (simulatore locale)</title>
<link rel="stylesheet" href="/console/assets/bootstrap-italia.min.css">
</head>
<body>
<a class="visually-hidden-focusable" href="#contenuto">Vai al contenuto</a>
<header class="it-header-slim-wrapper"><div class="container"><div class="it-header-slim-wrapper-content"><span class="d-lg-block navbar-brand">Identità operatori · simulatore locale (al posto di Amazon Cognito)</span></div></div></header>
<main id="contenuto" class="container my-5" style="max-width: 32rem">
${body}
</main>
</body>
</html>`;
}

function loginPage(uid: string, error?: string, username = ''): string {
  return page(
    'Accedi',
    `<h1 class="h2 mb-4">Accedi alla console</h1>
${error ? `<div class="alert alert-danger" role="alert" id="errore-accesso">${escapeHtml(error)}</div>` : ''}
<form method="post" action="${OIDC_PREFIX}/interaction/${encodeURIComponent(uid)}/login" novalidate>
  <div class="form-group mb-4">
    <label for="username" class="active">Nome utente</label>
    <input class="form-control" id="username" name="username" autocomplete="username" required value="${escapeHtml(username)}" ${error ? 'aria-describedby="errore-accesso"' : ''} autofocus>
  </div>
  <div class="form-group mb-4">
    <label for="password" class="active">Password</label>
    <input class="form-control" type="password" id="password" name="password" autocomplete="current-password" required>
  </div>
  <button type="submit" class="btn btn-primary">Accedi</button>
</form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-frame-options', 'DENY');
  res.end(html);
}

export function createLocalOidc(options: { seedFile: string }): LocalOidc {
  const operators = readSeedOperators(options.seedFile);
  const byUsername = new Map(operators.map((o) => [o.username, o]));
  let provider: Provider | undefined;
  let callback: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

  const claimsOf = (op: SeedOperator) => ({ name: op.name, preferred_username: op.username, role: op.role, organizations: [...op.organizations] });

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
    const p = provider!;
    const details = await p.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, page('Errore', '<h1 class="h2">Richiesta di accesso non valida</h1>'));
    if (details.prompt.name === 'login') {
      if (req.method === 'GET') return send(res, 200, loginPage(uid));
      if (req.method === 'POST' && action === 'login') {
        const form = await readForm(req);
        const username = (form.get('username') ?? '').trim().toLowerCase();
        const op = byUsername.get(username);
        const ok = op !== undefined && timingSafeEqual(hash(form.get('password') ?? ''), hash(op.password));
        if (!ok) return send(res, 401, loginPage(uid, 'Nome utente o password non corretti.', username));
        await p.interactionFinished(req, res, { login: { accountId: op.username } }, { mergeWithLastSubmission: false });
        return;
      }
    }
    if (details.prompt.name === 'consent') {
      // first-party client: the grant is given without a consent screen
      const grant = details.grantId ? await p.Grant.find(details.grantId) : new p.Grant({ accountId: details.session!.accountId, clientId: String(details.params['client_id']) });
      grant!.addOIDCScope('openid profile');
      grant!.addResourceScope(CONSOLE_AUDIENCE, CONSOLE_SCOPE);
      const grantId = await grant!.save();
      await p.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    send(res, 400, page('Errore', '<h1 class="h2">Richiesta di accesso non valida</h1>'));
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!callback) {
      send(res, 503, page('Non pronto', '<h1 class="h2">Il fornitore di identità non è ancora pronto</h1>'));
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const m = /^\/interaction\/([A-Za-z0-9_-]{1,100})(?:\/(login))?$/.exec(path);
    if (m) {
      interaction(req, res, m[1]!, m[2]).catch((error: unknown) => {
        const expired = error instanceof errors.SessionNotFound || error instanceof errors.InvalidRequest;
        if (!res.headersSent) send(res, expired ? 400 : 500, page('Errore', `<h1 class="h2">${expired ? 'La richiesta di accesso è scaduta: torna alla console e riprova.' : 'Errore interno del simulatore'}</h1>`));
      });
      return;
    }
    // oidc-provider finds its mount path from originalUrl (as under Express's app.use)
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = `${OIDC_PREFIX}${req.url ?? '/'}`;
    callback(req, res);
  };

  return {
    operators,
    mounts: [{ prefix: OIDC_PREFIX, listener }],
    issuer: (cloudUrl) => `${cloudUrl}${OIDC_PREFIX}`,
    async bind(cloudUrl) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
      const jwk = { ...(await exportJWK(privateKey)), kid: `local-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
      const consoleUrl = `${cloudUrl}/console/`;
      const configuration: Configuration = {
        adapter: memoryAdapter(),
        // the console is served by the same gateway: only its origin may call the token endpoint from a browser
        clientBasedCORS: (_ctx, origin) => origin === new URL(cloudUrl).origin,
        clients: [
          {
            client_id: CONSOLE_CLIENT_ID,
            client_name: 'Console operatori',
            application_type: 'web',
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code'],
            response_types: ['code'],
            redirect_uris: [consoleUrl],
            post_logout_redirect_uris: [consoleUrl],
          },
        ],
        jwks: { keys: [jwk as never] },
        cookies: { keys: [randomBytes(32).toString('hex')] },
        routes: { jwks: '/.well-known/jwks.json' },
        scopes: ['openid', 'profile'],
        claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'role', 'organizations'] },
        pkce: { required: () => true },
        ttl: { AccessToken: 3600, IdToken: 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600, AuthorizationCode: 60 },
        async findAccount(_ctx, id) {
          const op = byUsername.get(id);
          if (!op) return undefined;
          return { accountId: id, claims: async () => ({ sub: id, ...claimsOf(op) }) };
        },
        async extraTokenClaims(_ctx, token) {
          if (token.kind !== 'AccessToken') return undefined;
          const op = byUsername.get((token as { accountId?: string }).accountId ?? '');
          return op ? claimsOf(op) : undefined;
        },
        async loadExistingGrant(ctx: KoaContextWithOIDC) {
          // a first-party client: every sign-in gets the console's scopes, no consent screen
          const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
          if (grantId) return ctx.oidc.provider.Grant.find(grantId);
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
          grant.addOIDCScope('openid profile');
          grant.addResourceScope(CONSOLE_AUDIENCE, CONSOLE_SCOPE);
          await grant.save();
          return grant;
        },
        interactions: { url: (_ctx, i) => `${OIDC_PREFIX}/interaction/${i.uid}` },
        features: {
          devInteractions: { enabled: false },
          rpInitiatedLogout: {
            enabled: true,
            async logoutSource(ctx, form) {
              ctx.body = page(
                'Esci',
                `<h1 class="h2 mb-4">Vuoi uscire dalla console?</h1>${form}
<button autofocus type="submit" class="btn btn-primary me-2" form="op.logoutForm" value="yes" name="logout">Sì, esci</button>
<button type="submit" class="btn btn-outline-primary" form="op.logoutForm">No, resta collegato</button>`,
              );
            },
            async postLogoutSuccessSource(ctx) {
              ctx.body = page('Uscito', `<h1 class="h2">Sei uscito.</h1><p><a href="${escapeHtml(consoleUrl)}">Torna alla console</a></p>`);
            },
          },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => CONSOLE_AUDIENCE,
            useGrantedResource: () => true,
            getResourceServerInfo: (_ctx, resource) => {
              if (resource !== CONSOLE_AUDIENCE) throw new errors.InvalidTarget();
              return { scope: CONSOLE_SCOPE, audience: CONSOLE_AUDIENCE, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
            },
          },
        },
        async renderError(ctx, out) {
          ctx.type = 'html';
          ctx.body = page('Errore', `<h1 class="h2">Errore di accesso</h1><p>${escapeHtml(String(out['error'] ?? ''))}: ${escapeHtml(String(out['error_description'] ?? ''))}</p>`);
        },
      };
      provider = new Provider(`${cloudUrl}${OIDC_PREFIX}`, configuration);
      // the provider's own error events would print stack traces for every bad request a test makes
      provider.on('server_error', (_ctx, error) => console.error(`oidc simulator: ${error.message}`));
      callback = provider.callback() as unknown as (req: IncomingMessage, res: ServerResponse) => void;
    },
  };
}
