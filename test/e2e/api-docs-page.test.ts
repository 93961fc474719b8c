/**
 * The API reference page (GET /docs) in headless Chromium (Debian `chromium`, driven by
 * playwright-core), served by the api-docs handler behind a bare HTTP server: Redoc renders the
 * committed OpenAPI document from the files the layer serves, and the page asks nothing of any
 * other site (every request leaving this origin is recorded and refused).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/api-docs/handler';
import { apiDocs } from '../../shared/http/api-docs';
import { lambdaContext, quietLogger } from '../unit/webhooks/fakes';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)(`API reference page in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`, () => {
  const document = JSON.parse(readFileSync(new URL('../../shared/http/openapi.json', import.meta.url), 'utf8'));
  const handler = makeHandler({ logger: quietLogger(), docs: apiDocs(document) });
  let server: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/docs' && url.pathname !== '/docs/redoc.standalone.js') {
        res.writeHead(404).end();
        return;
      }
      const event = {
        version: '2.0',
        routeKey: `GET ${url.pathname}`,
        rawPath: url.pathname,
        rawQueryString: '',
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        isBase64Encoded: false,
        requestContext: { requestId: 'req-browser', http: { method: 'GET', path: url.pathname } },
      } as unknown as APIGatewayProxyEventV2;
      const r = (await handler(event, lambdaContext('api-docs'))) as APIGatewayProxyStructuredResultV2;
      res.writeHead(r.statusCode ?? 500, r.headers as Record<string, string>);
      res.end(r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64') : (r.body ?? ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('renders the document from this origin only (a third-party request is refused by the page\'s own CSP)', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sent: string[] = [];
    const answered: string[] = [];
    const errors: string[] = [];
    const local = (url: string) => url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:');
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (local(url)) return route.continue();
      sent.push(url);
      return route.abort();
    });
    page.on('response', (r) => {
      if (!local(r.url())) answered.push(r.url());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    const response = await page.goto(`${origin}/docs`);
    expect(response?.status()).toBe(200);
    // rendered by Redoc from the document: its title, every tag, the first operations of the first tag
    await page.getByText('/organizations/{organizationFiscalCode}/debtpositions/{iupd}').first().waitFor({ timeout: 30_000 });
    const text = await page.locator('#redoc').innerText();
    expect(text).toContain(document.info.title);
    for (const tag of document.tags as Array<{ name: string }>) expect(text, tag.name).toContain(tag.name);
    // an operation's own section: its summary, its body schema
    await page.goto(`${origin}/docs#tag/Debt-positions/operation/createPosition`);
    await page.getByText('Create a debt position').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('#redoc').innerText()).toContain('paymentOption');
    expect(sent).toEqual([]);
    expect(answered).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
