/**
 * The operator console at /console/ on the local gateway, as CloudFront serves it from S3 on
 * AWS: the files web/console/build.ts builds (once, at start), gzip when the browser takes it,
 * and `config.json` naming this stack's OpenID provider and console API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { buildConsole, type ConsoleFile } from '../../web/console/build';

export const CONSOLE_PREFIX = '/console';

export interface ConsoleConfigJson {
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string;
  readonly resource?: string;
  readonly apiBase: string;
  readonly redirectUri: string;
  /** a provider without end_session_endpoint (Cognito): its sign-out URL, called with client_id and logout_uri */
  readonly logoutUrl?: string;
}

export interface ConsoleStatic {
  readonly mount: { prefix: string; listener: (req: IncomingMessage, res: ServerResponse) => void };
  /**
   * builds the app and sets its configuration (once the gateway's URL is known); `connectOrigins`:
   * the origins the page may also call besides its own (CSP connect-src), the S3 emulator's, where
   * the browser PUTs a large upload to its presigned URL (on AWS: the uploads bucket's origin)
   */
  bind(config: ConsoleConfigJson, options?: { readonly connectOrigins?: readonly string[] }): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function createConsoleStatic(): ConsoleStatic {
  let files: Map<string, ConsoleFile> | undefined;
  let connectSrc = "'self'";
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/+/, '');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Bad Request');
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const f = files?.get(path === '' ? 'index.html' : path);
    if (!f) {
      res.writeHead(files ? 404 : 503, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end(files ? 'Not Found' : 'console not built yet');
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? f.gzip : f.body;
    res.writeHead(200, {
      'content-type': f.contentType,
      'content-length': body.length,
      'cache-control': f.path === 'index.html' || f.path === 'config.json' ? 'no-cache' : 'public, max-age=300',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...SECURITY_HEADERS,
      ...(f.path === 'index.html'
        ? { 'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src ${connectSrc}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'` }
        : {}),
    });
    res.end(method === 'HEAD' ? undefined : body);
  };
  return {
    mount: { prefix: CONSOLE_PREFIX, listener },
    async bind(config, options) {
      connectSrc = ["'self'", ...(options?.connectOrigins ?? []).map((o) => new URL(o).origin)].join(' ');
      const built = await buildConsole();
      const json = Buffer.from(`${JSON.stringify(config, null, 2)}\n`);
      built.set('config.json', { path: 'config.json', contentType: 'application/json; charset=utf-8', body: json, gzip: gzipSync(json) });
      files = built;
    },
  };
}
