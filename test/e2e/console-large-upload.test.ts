/**
 * A tax list over the console's inline limit (4 MiB), in a real browser (Debian's Chromium,
 * headless, driven by playwright-core) against the whole local stack `npm start` runs, set up as
 * console-ui.test.ts is: the operator signs in through the local OpenID provider, picks a GovPay
 * CSV of a bit over 4 MiB (rows like events/examples/govpay-pendenze.csv, three of them bad); the
 * console announces it (POST /console-api/…/uploads/presigned) and the browser PUTs the bytes
 * straight to the S3 emulator's presigned URL, another origin (CORS), with the transfer's progress
 * shown (a progress bar with its accessible name, the polite text "Invio del file: 35 %"); then
 * the upload's screen follows the processing to its end: the exact refused rows with their lines
 * and the accepted count. axe-core finds no serious or critical violation while the file is
 * going, while it is processed, or after. The failures say what happened, in Italian: a refused
 * announcement, an expired URL (the emulator's own 403), a transfer cut short; each announced
 * upload that got no file is cancelled. A viewer's announcement is refused by the API (403).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, launchChromium, seriousViolations } from '../support/browser';
import { ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';

if (!hasChromium) {
  console.warn(`console-large-upload: SKIPPED, ${CHROMIUM} is absent (install the Debian package 'chromium')`);
}

/** a page condition, polled (the local stack on a busy machine may take seconds to answer) */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 100 });

const OPERATOR = { username: 'operatore.esempio', password: 'demo-operatore-2026', name: 'Olga Operatrice' };
const VIEWER = { username: 'lettore.esempio', password: 'demo-lettore-2026' };

/** the console's inline limit (MAX_INLINE_FILE_BYTES): the file must be over it to take the presigned path */
const INLINE_LIMIT = 4 * 1024 * 1024;
/** the upload's rate while the progress is looked at (CDP network emulation): about 8 s for the file */
const UPLOAD_BYTES_PER_SECOND = 560 * 1024;
/** the result file's inline limit for this stack (the real one is 4 MiB less the answer's overhead) */
const RESULT_INLINE_LIMIT = 64 * 1024;

/**
 * A GovPay CSV of at least `minBytes`: the rows of events/examples/govpay-pendenze.csv (its first
 * one, each with its own idPendenza and idVoce1), with GovPay's free `datiAllegati` column (this
 * layer reads and ignores it) carrying the property data a TARI roll attaches, so that ~4.4 MB is
 * ~3,000 rows rather than ~17,000. Three rows are bad, at known indexes.
 */
function largeGovpayCsv(run: string, minBytes: number): { csv: Buffer; rows: number; bad: Array<{ iupd: string; line: number; reason: RegExp }> } {
  // the example's lines end in CRLF, as GovPay writes them
  const [header, template] = readFileSync(new URL('../../events/examples/govpay-pendenze.csv', import.meta.url), 'utf8').split(/\r?\n/) as [string, string];
  const allegati = (i: number) => {
    const immobili = Array.from({ length: 5 }, (_, k) => ({
      foglio: 10 + k,
      particella: 300 + (i % 97),
      subalterno: k + 1,
      categoria: k === 0 ? 'A/2' : 'C/6',
      superficieMq: 40 + ((i + k) % 80),
      indirizzo: `Via dei Tributi ${1 + (i % 150)}, interno ${k + 1}`,
      occupanti: 1 + (i % 5),
      tariffaFissa: '1.2345',
      tariffaVariabile: '67.8900',
      riduzione: k === 4 ? 'compostaggio domestico' : '',
    }));
    return `"${JSON.stringify({ tributo: 'TARI', anno: 2099, utenza: 'domestica', immobili }).replace(/"/g, '""')}"`;
  };
  const row = (i: number, change: (cols: string[]) => void = () => {}) => {
    const cols = template.split(',');
    cols[1] = `LARGE-${run}-${i}`; // idPendenza
    cols[18] = `LARGE-${run}-${i}-1`; // idVoce1
    change(cols);
    return `${cols.join(',')},${allegati(i)}`;
  };
  const lines: string[] = [`${header},datiAllegati`];
  let bytes = lines[0]!.length + 2;
  for (let i = 0; bytes < minBytes; i++) {
    lines.push(row(i));
    bytes += Buffer.byteLength(lines.at(-1)!) + 2;
  }
  // the bad rows replace good ones at fixed places: line = index + 1 (the header is line 1)
  const bad = [
    { index: 7, change: (c: string[]) => (c[9] = 'RSSMRA80A01H501X'), reason: /check character/i }, // a fiscal code whose check character is wrong
    { index: 1500, change: (c: string[]) => (c[21] = 'IT00X0000000000000000000000'), reason: /iban/i }, // not an IBAN
    { index: lines.length - 2, change: (c: string[]) => (c[19] = '99.00'), reason: /amount|importo|sum/i }, // the entry's amount is not the position's
  ].map(({ index, change, reason }) => {
    lines[index] = row(100_000 + index, change);
    return { iupd: `LARGE-${run}-${100_000 + index}`, line: index + 1, reason };
  });
  return { csv: Buffer.from(`${lines.join('\r\n')}\r\n`), rows: lines.length - 1, bad };
}

describe.skipIf(!hasChromium)(`operator console: a tax list over 4 MiB, presigned, in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`, () => {
  let stack: LocalStack;
  let browser: Browser;
  let consoleUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // a result file over a few KiB is stored and served by a presigned GET (303), as the result of a
    // 100,000-row list is with the real limit: the page's download follows it across origins
    stack = await startLocalStack({ env: { UPLOAD_RESULT_INLINE_MAX_BYTES: String(RESULT_INLINE_LIMIT) } });
    consoleUrl = stack.layer.consoleUrl;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** a fresh browser profile (no provider session, no sessionStorage) */
  async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ acceptDownloads: true, locale: 'it-IT' });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    return { context, page };
  }

  async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
    await page.goto(consoleUrl);
    await page.locator('#accedi').click();
    await page.waitForURL(/\/_sim\/oidc\/interaction\//);
    await page.getByLabel('Nome utente').fill(who.username);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(/\/console\/#\/\d{11}\/cruscotto/);
    await eventually(() => page.locator('h1').innerText()).toMatch(/^Cruscotto · /);
  }

  async function accessToken(page: Page): Promise<string> {
    return page.evaluate(() => (JSON.parse(sessionStorage.getItem('console.session') ?? '{}') as { accessToken: string }).accessToken);
  }

  /** axe-core over the page as it is: the serious and critical violations (none expected) */
  async function axe(page: Page, screen: string): Promise<void> {
    expect(await seriousViolations(page), screen).toEqual([]);
  }

  async function consoleApi(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${stack.url}/console-api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  /** the texts the transfer's live region said, in order (recorded in the page as they change) */
  async function recordTransferTexts(page: Page): Promise<() => Promise<Array<{ at: number; text: string }>>> {
    await page.evaluate(() => {
      const w = globalThis as unknown as { __invio: Array<{ at: number; text: string }>; document: any; MutationObserver: any; performance: { now(): number } };
      w.__invio = [];
      const seen = () => {
        const text = w.document.getElementById('invio-testo')?.textContent as string | undefined;
        if (text && w.__invio.at(-1)?.text !== text) w.__invio.push({ at: w.performance.now(), text });
      };
      new w.MutationObserver(seen).observe(w.document.getElementById('contenuto'), { subtree: true, childList: true, characterData: true });
    });
    return () => page.evaluate(() => (globalThis as unknown as { __invio: Array<{ at: number; text: string }> }).__invio);
  }

  const run = Date.now().toString(36).toUpperCase();
  const large = largeGovpayCsv(run, INLINE_LIMIT + 200 * 1024);

  it('the form names the real limits; a refused announcement, an expired URL and a cut transfer each say why, and leave no upload waiting', async () => {
    expect(large.csv.length).toBeGreaterThan(INLINE_LIMIT);
    const { context, page } = await freshPage();
    await signIn(page, OPERATOR);
    await page.getByRole('link', { name: 'Caricamento liste' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Caricamento di liste');
    const input = page.getByLabel(/File della lista/);
    expect(await page.locator('label[for=file-lista]').innerText()).toBe('File della lista (CSV nel tracciato GovPay, o ZIP con il JSON di GPD; fino a 200 MB)');
    expect(await page.locator('#file-lista-aiuto').innerText()).toBe('Oltre 4 MB il file è inviato direttamente all’archivio dei file, con l’avanzamento dell’invio.');
    await axe(page, 'uploads, with the limits');

    // not a .csv nor a .zip: the announcement is refused (400) before any byte is sent
    await input.setInputFiles({ name: 'lista-grande.txt', mimeType: 'text/plain', buffer: large.csv });
    await page.getByRole('button', { name: 'Carica il file' }).click();
    await eventually(() => page.locator('#errori-caricamento').innerText()).toBe('Il file non è stato accettato: deve essere un CSV nel tracciato GovPay (.csv) o uno ZIP con il JSON di GPD (.zip).');
    expect(await page.locator('#invio-file').count()).toBe(0);
    await axe(page, 'uploads, announcement refused');

    // an expired URL: the PUT goes to the same URL signed an hour earlier, which the emulator refuses as S3 does (403 AccessDenied, "Request has expired")
    const s3 = new URL(stack.layer.cloud.endpoints.s3).origin;
    await page.route(`${s3}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (route.request().method() === 'PUT') url.searchParams.set('X-Amz-Date', '20200101T000000Z');
      await route.continue({ url: url.toString() });
    });
    await input.setInputFiles({ name: 'tari-scaduto.csv', mimeType: 'text/csv', buffer: large.csv });
    const storageAnswer = page.waitForResponse((r) => r.request().method() === 'PUT', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Carica il file' }).click();
    const refusal = await storageAnswer;
    expect([refusal.status(), await refusal.text()]).toEqual([403, expect.stringContaining('<Code>AccessDenied</Code><Message>Request has expired</Message>')]);
    await eventually(() => page.locator('#errori-caricamento').innerText()).toBe(
      'Invio del file non riuscito: il collegamento per l’invio è scaduto prima della fine del trasferimento. Nessuna riga è stata caricata: carica di nuovo il file.',
    );
    expect(page.url()).toMatch(/#\/\d{11}\/caricamenti$/);
    await page.unroute(`${s3}/**`);

    // the transfer cut short (the connection drops): said so, nothing loaded
    await page.route(`${s3}/**`, (route) => route.abort('connectionreset'));
    await input.setInputFiles({ name: 'tari-interrotto.csv', mimeType: 'text/csv', buffer: large.csv });
    await page.getByRole('button', { name: 'Carica il file' }).click();
    await eventually(() => page.locator('#errori-caricamento').innerText()).toBe(
      'Invio del file non riuscito: la connessione con l’archivio dei file si è interrotta. Nessuna riga è stata caricata: controlla la connessione e carica di nuovo il file.',
    );
    await page.unroute(`${s3}/**`);
    await axe(page, 'uploads, transfer failed');

    // both announced uploads got no file: the console cancelled them (else they would wait for it until the URL expired)
    const listed = await consoleApi(await accessToken(page), 'GET', `/organizations/${ESEMPIO_FC}/uploads`);
    const mine = (listed.json.items as Array<{ fileName: string; state: string }>).filter((u) => u.fileName === 'tari-scaduto.csv' || u.fileName === 'tari-interrotto.csv');
    expect(mine.map((u) => [u.fileName, u.state]).sort()).toEqual([['tari-interrotto.csv', 'CANCELLED'], ['tari-scaduto.csv', 'CANCELLED']]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('an operator uploads a GovPay CSV of a bit over 4 MiB: the transfer\u2019s progress, then the processing to its end, the exact refused rows and the accepted count', async () => {
    const { context, page } = await freshPage();
    await signIn(page, OPERATOR);
    await page.getByRole('link', { name: 'Caricamento liste' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Caricamento di liste');
    const texts = await recordTransferTexts(page);
    // a slower link, so that the transfer can be looked at while it goes
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: UPLOAD_BYTES_PER_SECOND });
    const puts: Array<{ url: string; status: number }> = [];
    page.on('response', (r) => {
      if (r.request().method() === 'PUT') puts.push({ url: r.url(), status: r.status() });
    });

    await page.getByLabel(/File della lista/).setInputFiles({ name: 'tari-grande.csv', mimeType: 'text/csv', buffer: large.csv });
    await page.getByRole('button', { name: 'Carica il file' }).click();
    // while the file goes: the bar with its accessible name, the text, the form held
    const bar = page.getByRole('progressbar', { name: /^Invio del file tari-grande\.csv \(4,\d MB\)$/ });
    await eventually(() => bar.count()).toBe(1);
    await expect.poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 20_000, interval: 50 }).toBeGreaterThan(0);
    expect(await page.locator('#invio-testo').getAttribute('aria-live')).toBe('polite');
    expect(await page.locator('#invia-lista').isDisabled()).toBe(true);
    expect(await page.locator('#invio-testo').innerText()).toMatch(/^Invio del file: \d{1,3} %$/);
    await axe(page, 'uploads, while the file goes');

    await page.waitForURL(/\/console\/#\/\d{11}\/caricamenti\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const said = (await texts()).map((t) => t.text);
    expect(said[0]).toBe('Invio del file: 0 %');
    expect(said.at(-1)).toBe('Invio del file: 100 %');
    const shares = said.map((t) => Number(/(\d+) %$/.exec(t)![1]));
    expect(shares).toEqual([...shares].sort((a, b) => a - b));
    expect(shares.every((s) => s % 5 === 0)).toBe(true);
    expect(shares.filter((s) => s > 0 && s < 100).length).toBeGreaterThanOrEqual(3);
    // one PUT, straight to the S3 emulator (not through the console API), stored
    expect(puts).toEqual([{ url: expect.stringMatching(new RegExp(`^${new URL(stack.layer.cloud.endpoints.s3).origin}/[^/]+/uploads/${ESEMPIO_FC}/[0-9a-f-]{36}\\?X-Amz-`)), status: 200 }]);
    const fileId = page.url().split('/').at(-1)!;

    // the upload's screen: the processing's progress bar to completion
    await eventually(() => page.locator('h1').innerText()).toBe('Caricamento tari-grande.csv');
    expect(await page.locator('#avanzamento').getAttribute('role')).toBe('progressbar');
    await expect.poll(() => page.locator('#avanzamento-testo').innerText(), { timeout: 60_000, interval: 250 }).toMatch(/^In corso: \d+ di \d+ righe elaborate\.$/);
    await axe(page, 'upload being processed');
    const total = large.rows;
    await expect.poll(() => page.locator('#avanzamento-testo').innerText(), { timeout: 400_000, interval: 500 }).toBe(`Completato con righe scartate: ${total} di ${total} righe elaborate.`);
    expect(await page.locator('#avanzamento').getAttribute('aria-valuenow')).toBe(String(total));
    // exactly the three bad rows, at their lines, each with its reason; the others accepted
    await eventually(() => page.locator('#righe-scartate tbody tr').count()).toBe(3);
    expect(await page.locator('#righe-scartate tbody th').allInnerTexts()).toEqual(large.bad.map((b) => String(b.line)));
    const cells = await page.locator('#righe-scartate tbody tr').allInnerTexts();
    large.bad.forEach((b, i) => {
      expect(cells[i]).toContain(b.iupd);
      expect(cells[i]).toMatch(b.reason);
    });
    expect(await page.locator('#riepilogo-caricamento').innerText()).toMatch(new RegExp(`Righe accettate\\s+${total - 3}\\s+Righe scartate\\s+3`));
    await axe(page, 'upload completed, with its refused rows');
    // the result file, larger than the inline limit: the console API answers 303 to a presigned GET
    // of the stored file, which the page's fetch follows to the S3 emulator (CORS) and saves
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#scarica-esito').click()]);
    const result = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
    expect(result.length).toBeGreaterThan(RESULT_INLINE_LIMIT);
    const resultLines = result.trim().split(/\r?\n/);
    expect(resultLines).toHaveLength(total + 1);
    expect(resultLines[0]).toMatch(/numeroAvviso.*errore/);
    // a refused row, at its own line, as GovPay writes it: every column empty but errore, which gives the reason
    for (const b of large.bad) {
      expect(resultLines[b.line - 1]).toMatch(/^,{17}\S/);
      expect(resultLines[b.line - 1]).toMatch(b.reason);
    }
    expect(resultLines.filter((l) => l.startsWith(',,'))).toHaveLength(3);
    expect(resultLines[1]).toContain(`LARGE-${run}-0,`);

    // the positions it created are the operator's: the audit names her
    const token = await accessToken(page);
    const good = `LARGE-${run}-0`;
    const detail = await consoleApi(token, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions/${good}`);
    expect(detail.status).toBe(200);
    expect(detail.json.audit[0]).toMatchObject({ action: 'create', by: { kind: 'operator', username: OPERATOR.username, name: OPERATOR.name } });
    expect((await consoleApi(token, 'GET', `/organizations/${ESEMPIO_FC}/uploads/${fileId}`)).json.status).toMatchObject({ state: 'COMPLETED', submittedItem: total, acceptedItem: total - 3 });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 600_000);

  it('the announcement answers what the GPD route answers for a bad body; a viewer is refused (403) and offered no form; the storage allows the console\u2019s origin only', async () => {
    const operator = await freshPage();
    await signIn(operator.page, OPERATOR);
    const operatorToken = await accessToken(operator.page);
    await operator.context.close();
    for (const body of [{ fileName: 'tari.pdf', size: 10 }, { fileName: 'tari.csv', size: 200 * 1024 * 1024 + 1 }, { fileName: 'tari.csv' }]) {
      const ours = await consoleApi(operatorToken, 'POST', `/organizations/${ESEMPIO_FC}/uploads/presigned`, body);
      const gpd = await stack.api('POST', `/brokers/${ESEMPIO_FC}/organizations/${ESEMPIO_FC}/debtpositions/file/uploads`, { body });
      expect([ours.status, ours.json]).toEqual([gpd.status, gpd.json]);
      expect(ours.status).toBe(400);
    }

    const viewer = await freshPage();
    await signIn(viewer.page, VIEWER);
    await viewer.page.goto(`${consoleUrl}#/${ESEMPIO_FC}/caricamenti`);
    await eventually(() => viewer.page.locator('h1').innerText()).toBe('Caricamento di liste');
    expect(await viewer.page.locator('#carica').count()).toBe(0);
    const refused = await consoleApi(await accessToken(viewer.page), 'POST', `/organizations/${ESEMPIO_FC}/uploads/presigned`, { fileName: 'tari.csv', size: large.csv.length });
    expect([refused.status, refused.json.detail]).toEqual([403, "the role 'viewer' does not allow this (read only)"]);
    await viewer.context.close();

    // CORS of the S3 emulator: the console's origin may PUT with Content-Type; another origin, another method or header may not
    const s3 = stack.layer.cloud.endpoints.s3;
    const origin = new URL(consoleUrl).origin;
    const preflight = (o: string, method: string, headers = 'content-type') =>
      fetch(`${s3}/any-bucket/uploads/${ESEMPIO_FC}/x`, { method: 'OPTIONS', headers: { origin: o, 'access-control-request-method': method, 'access-control-request-headers': headers } });
    const allowed = await preflight(origin, 'PUT');
    expect([allowed.status, allowed.headers.get('access-control-allow-origin'), allowed.headers.get('access-control-allow-methods'), allowed.headers.get('access-control-allow-headers')]).toEqual([200, origin, 'PUT, GET', 'content-type']);
    for (const [o, method, headers] of [['https://evil.example', 'PUT', 'content-type'], [origin, 'DELETE', 'content-type'], [origin, 'PUT', 'content-type, x-amz-acl']] as const) {
      const denied = await preflight(o, method, headers);
      expect([o, method, headers, denied.status, denied.headers.get('access-control-allow-origin')]).toEqual([o, method, headers, 403, null]);
    }
  }, 120_000);
});
