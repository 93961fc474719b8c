/**
 * The browsable API reference next to /openapi.json: GET /docs is a small HTML page holding the
 * OpenAPI document, rendered in the browser by Redoc; GET /docs/redoc.standalone.js is Redoc's
 * standalone bundle (./redoc-standalone.ts, taken from the pinned @redocly/cli by
 * `npm run openapi`). Both are served by this layer: the page needs no CDN and contacts no
 * third-party site (its Content-Security-Policy allows only this origin; Redoc's telemetry is off).
 *
 * Sizes (Redoc 3.0.1): the bundle is 2,290,276 bytes, 519,455 with brotli (sent to browsers that
 * accept br), about 650 KB with gzip; the page is the document's size plus a few hundred bytes.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResult } from './rest-edge';
import { REDOC_BROTLI_BASE64, REDOC_SHA256, REDOC_VERSION } from './redoc-standalone';

export const API_DOCS_PATH = '/docs';
export const REDOC_SCRIPT_PATH = '/docs/redoc.standalone.js';

type Encoding = 'br' | 'gzip' | 'identity';

interface Encoded {
  readonly identity: () => Buffer;
  readonly gzip: () => Buffer;
  readonly br?: () => Buffer;
}

export interface ApiDocs {
  /** the answer to GET /docs or GET /docs/redoc.standalone.js */
  answer(request: Pick<HttpRequest, 'path' | 'headers'>): HttpResult;
  /** the inline script of the page, whose hash the page's CSP allows */
  readonly pageScript: string;
}

/** The reference page of `document` and the script it runs; everything is computed once, lazily. */
export function apiDocs(document: { readonly info?: { readonly title?: string } }): ApiDocs {
  const title = document.info?.title ?? 'API reference';
  // the script loads Redoc from this same path, relative to /docs (so a stage prefix is kept)
  const pageScript = [
    "import { init } from './docs/redoc.standalone.js';",
    "const spec = JSON.parse(document.getElementById('openapi-document').textContent);",
    "init(spec, { disableTelemetry: true, hideDownloadButtons: false, expandResponses: '200,201' }, document.getElementById('redoc'));",
  ].join('\n');
  const scriptHash = createHash('sha256').update(pageScript).digest('base64');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<style>body{margin:0;padding:0}</style>',
    '</head>',
    '<body>',
    '<div id="redoc"></div>',
    // JSON in a data block: every '<' escaped, so nothing in the document can end the element
    `<script type="application/json" id="openapi-document">${JSON.stringify(document).replace(/</g, '\\u003c')}</script>`,
    `<script type="module">${pageScript}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');

  const page = encodings(() => Buffer.from(html, 'utf8'));
  let brotli: Buffer | undefined;
  const script = encodings(
    () => brotliDecompressSync(redocBrotli()),
    () => redocBrotli(),
  );
  function redocBrotli(): Buffer {
    return (brotli ??= Buffer.from(REDOC_BROTLI_BASE64, 'base64'));
  }

  const csp = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${scriptHash}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

  return {
    pageScript,
    answer(request) {
      const isScript = request.path.endsWith(REDOC_SCRIPT_PATH);
      const encoding = chooseEncoding(request.headers['accept-encoding'], isScript);
      const asset = isScript ? script : page;
      const bytes = encoding === 'br' ? asset.br!() : encoding === 'gzip' ? asset.gzip() : asset.identity();
      return {
        status: 200,
        bytes,
        headers: {
          'content-type': isScript ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
          ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
          vary: 'Accept-Encoding',
          'cache-control': isScript ? 'public, max-age=86400' : 'public, max-age=300',
          ...(isScript ? { etag: `"redoc-${REDOC_VERSION}-${REDOC_SHA256.slice(0, 16)}"` } : { 'content-security-policy': csp }),
          'referrer-policy': 'no-referrer',
        },
      };
    },
  };
}

function encodings(identity: () => Buffer, br?: () => Buffer): Encoded {
  let plain: Buffer | undefined;
  let gzipped: Buffer | undefined;
  const once = () => (plain ??= identity());
  return { identity: once, gzip: () => (gzipped ??= gzipSync(once(), { level: 9 })), ...(br ? { br } : {}) };
}

/** br when offered (and the asset has it), else gzip when offered, else identity. */
export function chooseEncoding(acceptEncoding: string | undefined, brotliAvailable: boolean): Encoding {
  const offered = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    offered.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const accepts = (name: string) => (offered.get(name) ?? offered.get('*') ?? 0) > 0;
  if (brotliAvailable && accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
