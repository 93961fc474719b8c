/**
 * GET /docs and GET /docs/redoc.standalone.js through their seam (makeHandler): the reference page
 * of the committed OpenAPI document and the Redoc bundle it runs, both served by the layer.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/api-docs/handler';
import { apiDocs, chooseEncoding } from '../../shared/http/api-docs';
import { REDOC_BROTLI_BASE64, REDOC_BYTES, REDOC_SHA256, REDOC_VERSION } from '../../shared/http/redoc-standalone';
import { installedRedoc, sha256 } from '../../scripts/redoc-bundle';
import { lambdaContext, quietLogger } from './webhooks/fakes';

const committed = JSON.parse(readFileSync(new URL('../../shared/http/openapi.json', import.meta.url), 'utf8'));
const handler = makeHandler({ logger: quietLogger(), docs: apiDocs(committed) });

async function get(path: string, acceptEncoding?: string) {
  const event = {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    isBase64Encoded: false,
    requestContext: { requestId: 'req-docs', http: { method: 'GET', path } },
  } as unknown as APIGatewayProxyEventV2;
  const r = (await handler(event, lambdaContext('api-docs'))) as APIGatewayProxyStructuredResultV2;
  const raw = r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64') : Buffer.from(r.body ?? '', 'utf8');
  const encoding = r.headers?.['content-encoding'];
  const bytes = encoding === 'br' ? brotliDecompressSync(raw) : encoding === 'gzip' ? gunzipSync(raw) : raw;
  return { status: r.statusCode, headers: r.headers ?? {}, raw, bytes };
}

describe('the API reference (GET /docs)', () => {
  it('the committed Redoc bundle is the one the pinned @redocly/cli ships (run `npm run openapi` after upgrading it)', () => {
    const installed = installedRedoc();
    expect(REDOC_VERSION).toBe(installed.redocVersion);
    expect(REDOC_SHA256).toBe(sha256(installed.bytes));
    const decoded = brotliDecompressSync(Buffer.from(REDOC_BROTLI_BASE64, 'base64'));
    expect(decoded.length).toBe(REDOC_BYTES);
    expect(sha256(decoded)).toBe(REDOC_SHA256);
  });

  it('serves an HTML page holding the committed document, that loads Redoc from this API only (CSP)', async () => {
    const page = await get('/docs', 'gzip, deflate, br');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-encoding']).toBe('gzip');
    const html = page.bytes.toString('utf8');
    const block = /<script type="application\/json" id="openapi-document">([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(block!)).toEqual(committed);
    expect(html).toContain("import { init } from './docs/redoc.standalone.js'");
    expect(html).not.toMatch(/<script[^>]+src=/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("connect-src 'self'");
    const plain = await get('/docs');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.bytes.toString('utf8')).toBe(html);
  });

  it('serves the Redoc bundle brotli-compressed, gzip-compressed or plain, byte for byte the same', async () => {
    for (const [accept, encoding] of [['br', 'br'], ['gzip', 'gzip'], [undefined, undefined], ['br;q=0, gzip', 'gzip']] as const) {
      const script = await get('/docs/redoc.standalone.js', accept);
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.headers['content-encoding']).toBe(encoding);
      expect(sha256(script.bytes)).toBe(REDOC_SHA256);
      expect(script.headers['cache-control']).toBe('public, max-age=86400');
    }
    const br = await get('/docs/redoc.standalone.js', 'br');
    // what travels: ~0.5 MB instead of ~2.3 MB
    expect(br.raw.length).toBeLessThan(600_000);
    expect(REDOC_BYTES).toBeGreaterThan(2_000_000);
  });

  it('chooses the encoding from Accept-Encoding', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd', true)).toBe('br');
    expect(chooseEncoding('gzip, deflate, br', false)).toBe('gzip');
    expect(chooseEncoding('*', true)).toBe('br');
    expect(chooseEncoding('identity', true)).toBe('identity');
    expect(chooseEncoding('gzip;q=0', true)).toBe('identity');
    expect(chooseEncoding(undefined, true)).toBe('identity');
  });
});
