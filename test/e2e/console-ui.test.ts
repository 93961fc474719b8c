/**
 * The operator console in a real browser (Debian's Chromium, headless, driven by playwright-core)
 * against the whole local stack `npm start` runs: sign-in through the local OpenID provider's own
 * login form (code flow + PKCE), a position created by form and seen VALID with its notice
 * number, its PDF notice downloaded, a paid position found by the debtor's fiscal code with its
 * receipt and audit trail, a viewer who is offered no edit and whose direct API write is
 * refused (403), an operator of another municipality who sees nothing of this one, the
 * municipality switcher, sign-out; axe-core on every screen (no serious or critical violation)
 * and the main flow by keyboard only.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { PurgeQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, seriousViolations } from '../support/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionById } from '../../infra/catalog';
import { payNotice } from '../../scripts/pay';
import { startBackOfficeReceiver } from '../../infra/local/simulators/back-office';
import { CONSOLE_ROUTES } from '../../shared/http/console-edge';
import { ALTROVE_FC, ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';

if (!hasChromium) {
  console.warn(`console-ui: SKIPPED, ${CHROMIUM} is absent (install the Debian package 'chromium')`);
}

/** a page condition, polled (the local stack on a busy machine may take seconds to answer) */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 100 });


const OPERATOR = { username: 'operatore.esempio', password: 'demo-operatore-2026', name: 'Olga Operatrice' };
const VIEWER = { username: 'lettore.esempio', password: 'demo-lettore-2026' };
const ALTROVE = { username: 'operatore.altrove', password: 'demo-altrove-2026' };
const ADMIN = { username: 'admin', password: 'demo-admin-2026' };

describe.skipIf(!hasChromium)(`operator console in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`, () => {
  let stack: LocalStack;
  let browser: Browser;
  let consoleUrl: string;
  const pageErrors: string[] = [];
  /** the position the operator creates by form; the later tests look at it */
  let created: { iupd: string; nav: string } | undefined;

  beforeAll(async () => {
    // the key cache off, so that a key revoked on the keys screen is refused at once
    stack = await startLocalStack({ env: { API_KEY_CACHE_SECONDS: '0' } });
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

  /** submits the create form and waits for the console API's answer (the local stack may be slow under load) */
  async function submitCreate(page: Page): Promise<{ status: number; text: string }> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /\/console-api\/organizations\/\d{11}\/debtpositions\?/.test(r.url()), { timeout: 60_000 }),
      page.getByRole('button', { name: 'Crea la posizione' }).click(),
    ]);
    return { status: response.status(), text: await response.text() };
  }

  async function accessToken(page: Page): Promise<string> {
    return page.evaluate(() => (JSON.parse(sessionStorage.getItem('console.session') ?? '{}') as { accessToken: string }).accessToken);
  }

  /** axe-core over the page as it is: the serious and critical violations (none expected) */
  async function axe(page: Page, screen: string): Promise<void> {
    expect(await seriousViolations(page), screen).toEqual([]);
  }

  async function consoleApi(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const res = await fetch(`${stack.url}/console-api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, text: await res.text() };
  }

  it('an operator signs in, creates a position by form (field errors first), sees it VALID with its notice number, downloads its PDF, finds it, signs out', async () => {
    const { context, page } = await freshPage();
    // the provider's own login form, checked too
    await page.goto(consoleUrl);
    await axe(page, 'sign-in page');
    await page.locator('#accedi').click();
    await page.waitForURL(/\/_sim\/oidc\/interaction\//);
    await axe(page, "the provider's login form");
    await page.getByLabel('Nome utente').fill(OPERATOR.username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await eventually(() => page.getByRole('alert').innerText()).toBe('Nome utente o password non corretti.');
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(`**/console/#/${ESEMPIO_FC}/cruscotto`);
    await eventually(() => page.locator('h1').innerText()).toBe('Cruscotto · Comune di Esempio');
    expect(await page.locator('#operatore').innerText()).toBe(`${OPERATOR.name} · Operatore`);
    await axe(page, 'dashboard');

    await page.getByRole('link', { name: 'Nuova posizione' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Nuova posizione debitoria');
    await axe(page, 'create form');
    // the API's own field-level messages, each beside its field
    await page.getByLabel('Nome e cognome o ragione sociale').fill('Maria Bianchi');
    await page.getByLabel('Descrizione del pagamento').fill('TARI 2026 - rata unica');
    await page.getByLabel('Causale del versamento').fill('TARI 2026');
    await page.getByLabel('Importo in euro').fill('abc');
    await page.getByRole('button', { name: 'Crea la posizione' }).click();
    await eventually(() => page.locator('#errori-modulo [role=alert]').count()).toBe(1);
    expect(await page.locator('#codice-fiscale').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#importo').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#codice-fiscale-errore').innerText()).not.toBe('');
    expect(await page.locator('#codice-fiscale').getAttribute('aria-describedby')).toContain('codice-fiscale-errore');
    expect(await page.locator('#nominativo').getAttribute('aria-invalid')).toBeNull();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement?: { id: string } } }).document.activeElement?.id)).toBe('errori-modulo');
    await axe(page, 'create form with errors');

    const iupd = await page.getByLabel('IUPD (identificativo della posizione)').inputValue();
    await page.getByLabel('Codice fiscale o partita IVA del debitore').fill('BNCMRA80A41H501E');
    await page.getByLabel('Importo in euro').fill('120,50');
    const answer = await submitCreate(page);
    expect(answer.status, answer.text).toBe(201);
    await page.waitForURL(`**/console/#/${ESEMPIO_FC}/posizioni/${iupd}`);
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${iupd}`);
    expect(await page.locator('#dati-posizione .badge').innerText()).toBe('Da pagare');
    const shownNav = await page.locator('[data-campo=codice-avviso]').first().innerText();
    expect(shownNav).toMatch(/^3\d \d{4} \d{4} \d{4} \d{4}$/);
    expect(await page.locator('#storico').innerText()).toContain(`${OPERATOR.name} (${OPERATOR.username}, console)`);
    await axe(page, 'position detail');

    // the same position through the back-office API: VALID, the notice number shown, audited as the operator
    const viaApi = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`);
    expect(viaApi.status).toBe(200);
    expect(viaApi.json.status).toBe('VALID');
    expect(viaApi.json.paymentOption[0].amount).toBe(12050);
    const nav = viaApi.json.paymentOption[0].nav as string;
    expect(shownNav.replace(/ /g, '')).toBe(nav);
    created = { iupd, nav };

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#scarica-avviso').click()]);
    const pdf = await readFile((await download.path())!);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // a whole PDF (header to trailer) of a real size, the same bytes the back-office API serves
    expect(pdf.subarray(-8).toString('latin1')).toContain('%%EOF');
    expect(pdf.length).toBeGreaterThan(2_000);
    const direct = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}/notice`);
    expect(direct.status).toBe(200);
    expect(pdf.length).toBe(Buffer.byteLength(direct.text, 'latin1') > 0 ? Number(direct.headers.get('content-length')) : -1);
    expect(download.suggestedFilename()).toBe(`avviso-${iupd}.pdf`);

    // search by notice number (as printed, with spaces), server side
    await page.getByRole('link', { name: 'Posizioni debitorie' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Posizioni debitorie');
    await page.getByLabel('Codice avviso').fill(shownNav);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await eventually(() => page.locator('#conteggio').innerText()).toBe('1 posizione trovata');
    expect(await page.locator('#risultati tbody tr').count()).toBe(1);
    expect(await page.locator('#risultati tbody').innerText()).toContain(iupd);
    await eventually(() => page.locator('#annunci').innerText()).toBe('1 posizione trovata');
    await axe(page, 'search results');
    // by status: the list, paginated on the server
    await page.getByLabel('Codice avviso').fill('');
    await page.getByLabel('Stato').selectOption('VALID');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await eventually(() => page.locator('#risultati tbody').innerText()).toContain(iupd);
    expect(page.url()).toContain('status=VALID');

    // sign out: the token is gone and the provider's session ended
    await page.locator('#esci').click();
    await page.getByRole('button', { name: 'Sì, esci' }).click();
    await page.waitForURL(`${consoleUrl}`);
    await eventually(() => page.locator('#accedi').isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('console.session'))).toBeNull();
    await page.locator('#accedi').click();
    await page.waitForURL(/\/_sim\/oidc\/interaction\//); // asked to sign in again
    expect(await page.getByLabel('Nome utente').isVisible()).toBe(true);
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('an operator creates a draft, publishes it and invalidates it from the detail page, each step audited with their name', async () => {
    const { context, page } = await freshPage();
    await signIn(page, OPERATOR);
    await page.getByRole('link', { name: 'Nuova posizione' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Nuova posizione debitoria');
    const iupd = await page.getByLabel('IUPD (identificativo della posizione)').inputValue();
    await page.getByLabel('Tipo di debitore').selectOption('G');
    await page.getByLabel('Codice fiscale o partita IVA del debitore').fill('00743110157');
    await page.getByLabel('Nome e cognome o ragione sociale').fill('Ditta Esempio Srl');
    await page.getByLabel('Descrizione del pagamento').fill('Canone occupazione suolo pubblico');
    await page.getByLabel('Importo in euro').fill('1.250,00');
    await page.getByLabel('Causale del versamento').fill('COSAP 2026');
    // Bootstrap Italia draws the checkbox on its label, which is what a person clicks
    await page.locator('label[for=pubblica-subito]').click();
    expect(await page.getByLabel('Pubblica subito (la posizione diventa pagabile)').isChecked()).toBe(false);
    const created201 = await submitCreate(page);
    expect(created201.status, created201.text).toBe(201);
    // the form's errors, if any, are what the assertion shows (read at once: the form goes away as the detail opens)
    await eventually(() =>
      page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { querySelector: (s: string) => { textContent: string | null } | null } }).document;
        return doc.querySelector('#errori-modulo')?.textContent || doc.querySelector('h1')?.textContent || '';
      }),
    ).toBe(`Posizione ${iupd}`);
    expect(await page.locator('#dati-posizione .badge').innerText()).toBe('Bozza');
    expect(await page.locator('#scarica-avviso').count()).toBe(0); // a draft has no notice yet

    await page.getByRole('button', { name: 'Pubblica' }).click();
    await eventually(() => page.locator('#esito').innerText()).toBe('Posizione pubblicata.');
    expect(await page.locator('#dati-posizione .badge').innerText()).toBe('Da pagare');
    await eventually(() => page.locator('#annunci').innerText()).toBe('Posizione pubblicata.');

    await page.getByRole('button', { name: 'Annulla la posizione' }).click(); // the confirm() is accepted
    await eventually(() => page.locator('#esito').innerText()).toBe('Posizione annullata.');
    expect(await page.locator('#dati-posizione .badge').innerText()).toBe('Annullata');
    expect(await page.locator('#pubblica, #annulla, #scarica-avviso').count()).toBe(0);
    const trail = await page.locator('#storico tbody tr').allInnerTexts();
    expect(trail.map((row) => row.split('\t').slice(1).join(' | '))).toEqual([
      `Creazione | Bozza | ${OPERATOR.name} (${OPERATOR.username}, console)`,
      `Pubblicazione | Bozza → Da pagare | ${OPERATOR.name} (${OPERATOR.username}, console)`,
      `Annullamento | Da pagare → Annullata | ${OPERATOR.name} (${OPERATOR.username}, console)`,
    ]);
    expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`)).json.status).toBe('INVALID');
    await context.close();
  }, 60_000);

  it('a viewer is offered no edit action, and the API refuses the edits (403) and changes nothing', async () => {
    expect(created).toBeDefined();
    const { context, page } = await freshPage();
    await signIn(page, VIEWER);
    expect(await page.locator('#operatore').innerText()).toContain('Sola lettura');
    expect(await page.getByRole('link', { name: 'Nuova posizione' }).count()).toBe(0);
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni/${created!.iupd}`);
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${created!.iupd}`);
    expect(await page.locator('#pubblica, #annulla').count()).toBe(0);
    expect(await page.locator('#scarica-avviso').count()).toBe(1); // reading is allowed
    await axe(page, 'position detail (viewer)');

    const token = await accessToken(page);
    const body = { iupd: `VIEWER-${Date.now()}`, type: 'F', fiscalCode: 'BNCMRA80A41H501E', fullName: 'X', paymentOption: [] };
    const writes = [
      await consoleApi(token, 'POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, body),
      await consoleApi(token, 'POST', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}/invalidate`),
      await consoleApi(token, 'POST', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}/publish`),
    ];
    expect(writes.map((w) => w.status)).toEqual([403, 403, 403]);
    expect(JSON.parse(writes[1]!.text).detail).toBe("the role 'viewer' does not allow this (read only)");
    expect((await consoleApi(token, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}`)).status).toBe(200);
    const after = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}`);
    expect(after.json.status).toBe('VALID');
    expect((await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${body.iupd}`)).status).toBe(404);
    await context.close();
  }, 60_000);

  it("an operator of Altrove sees nothing of Esempio: not in the page, not through the API (403)", async () => {
    expect(created).toBeDefined();
    const { context, page } = await freshPage();
    await signIn(page, ALTROVE);
    expect(await page.locator('h1').innerText()).toBe('Cruscotto · Comune di Altrove');
    expect(await page.locator('#ente').count()).toBe(0); // one municipality: no switcher
    expect(await page.locator('body').innerText()).not.toContain(created!.iupd);

    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni/${created!.iupd}`);
    await eventually(() => page.locator('h1').innerText()).toBe('Ente non disponibile');
    expect(await page.locator('body').innerText()).not.toContain('Comune di Esempio');
    // in its own municipality the position is not found either
    await page.goto(`${consoleUrl}#/${ALTROVE_FC}/posizioni?iupd=${created!.iupd}`);
    await eventually(() => page.locator('#conteggio').innerText()).toBe('0 posizioni trovate');

    const token = await accessToken(page);
    const me = JSON.parse((await consoleApi(token, 'GET', '/me')).text) as { organizations: Array<{ fiscalCode: string }> };
    expect(me.organizations.map((o) => o.fiscalCode)).toEqual([ALTROVE_FC]);
    const reads = [
      await consoleApi(token, 'GET', `/organizations/${ESEMPIO_FC}/dashboard`),
      await consoleApi(token, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions`),
      await consoleApi(token, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}`),
      await consoleApi(token, 'GET', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}/notice`),
      await consoleApi(token, 'POST', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}/invalidate`),
    ];
    expect(reads.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    for (const r of reads) expect(r.text).not.toContain(created!.iupd);
    await context.close();
  }, 60_000);

  it('every console route of the catalog: 401 without a token or with a tampered one, 403 for another municipality, for a viewer writing and for a non-admin on the admin routes', async () => {
    expect(created).toBeDefined();
    const tokens: Record<string, string> = {};
    for (const [name, who] of [['viewer', VIEWER], ['operator', OPERATOR], ['altrove', ALTROVE]] as const) {
      const { context, page } = await freshPage();
      await signIn(page, who);
      tokens[name] = await accessToken(page);
      await context.close();
    }
    const [header, payload, signature] = tokens['viewer']!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    // the viewer's token with the role raised to admin, the signature kept: must not verify
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin', organizations: [ESEMPIO_FC, ALTROVE_FC] })).toString('base64url')}.${signature}`;
    const routes = functionById('console-api').triggers.flatMap((t) => (t.kind === 'http' ? [{ method: t.method, path: t.path }] : []));
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(Object.keys(CONSOLE_ROUTES).sort());
    const wrong: string[] = [];
    const before = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}`);
    for (const route of routes) {
      const path = route.path.replace('/console-api', '').replace('{organizationFiscalCode}', ESEMPIO_FC).replace('{iupd}', created!.iupd);
      const permission = CONSOLE_ROUTES[`${route.method} ${route.path}` as keyof typeof CONSOLE_ROUTES];
      const body = route.method === 'POST' && path.endsWith('/debtpositions') ? { iupd: `MATRIX-${Date.now()}` } : undefined;
      const expectations: Array<[string, string | undefined, number]> = [
        ['no token', undefined, 401],
        ['a tampered token', tampered, 401],
        ...(permission === 'signed-in' ? [] : ([['the operator of Altrove', tokens['altrove'], 403]] as Array<[string, string, number]>)),
        ...(permission === 'write' || permission === 'admin' ? ([['the viewer', tokens['viewer'], 403]] as Array<[string, string, number]>) : []),
        ...(permission === 'admin' ? ([['the operator', tokens['operator'], 403]] as Array<[string, string, number]>) : []),
      ];
      for (const [who, token, status] of expectations) {
        const res = await fetch(`${stack.url}/console-api${path}`, {
          method: route.method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        const text = await res.text();
        if (res.status !== status || res.headers.get('content-type') !== 'application/problem+json') wrong.push(`${route.method} ${route.path} with ${who}: ${res.status} ${text.slice(0, 100)}`);
        if (text.includes(created!.iupd) || text.includes('Comune di Esempio')) wrong.push(`${route.method} ${route.path} with ${who}: the refusal shows Esempio's data`);
      }
    }
    expect(wrong).toEqual([]);
    const after = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${created!.iupd}`);
    expect(after.json).toEqual(before.json);
  }, 90_000);

  it('an administrator of both municipalities switches between them', async () => {
    const { context, page } = await freshPage();
    await signIn(page, ADMIN);
    const options = await page.locator('#ente option').allInnerTexts();
    expect(options).toEqual([`Comune di Esempio (${ESEMPIO_FC})`, `Comune di Altrove (${ALTROVE_FC})`]);
    // the administrator's dashboard reads the dead-letter queues too: nothing parked yet
    await eventually(() => page.locator('#code-di-scarto-cruscotto').innerText()).toBe('Nessun messaggio nelle code di scarto: tutto è stato elaborato.');
    await page.getByLabel('Ente').selectOption(ALTROVE_FC);
    await eventually(() => page.locator('h1').innerText()).toBe('Cruscotto · Comune di Altrove');
    expect(page.url()).toContain(`#/${ALTROVE_FC}/cruscotto`);
    await axe(page, 'dashboard with the switcher');
    await context.close();
  }, 60_000);

  it("finds a paid position by the debtor's fiscal code and opens its receipt and audit trail", async () => {
    const debtor = 'BNCGNN70A41F205Y';
    const due = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const iupd = `PAID-CONSOLE-${Date.now()}`;
    const r = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, {
      body: {
        iupd,
        type: 'F',
        fiscalCode: debtor,
        fullName: 'Giovanna Bianchi',
        paymentOption: [{ amount: 4321, description: 'Mensa scolastica', isPartialPayment: false, dueDate: due, transfer: [{ idTransfer: '1', amount: 4321, remittanceInformation: 'Mensa scolastica', category: '9/0101002IM/', iban: 'IT78L0306909606100000117002' }] }],
      },
    });
    expect(r.status, r.text).toBe(201);
    const nav: string = r.json.paymentOption[0].nav;
    // paid through the node's interface, as a PSP would: verify, get payment, paSendRTV2
    const paid = await payNotice({ noticeNumber: nav, url: stack.url, log: () => {} });
    expect(paid.outcome, JSON.stringify(paid.exchanges)).toBe('OK');
    await stack.cloud.drain({ timeoutMs: 60_000 });

    const { context, page } = await freshPage();
    await signIn(page, VIEWER);
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni`);
    await page.getByLabel('Codice fiscale del debitore').fill(debtor);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await eventually(() => page.locator('#conteggio').innerText()).toBe('1 posizione del debitore');
    await page.getByRole('link', { name: iupd }).click();
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${iupd}`);
    await eventually(() => page.locator('#dati-posizione').innerText()).toContain('Pagata');
    const receipt = await page.locator('#ricevute tbody tr').innerText();
    expect(receipt).toContain('Pagamento riuscito');
    expect(receipt).toContain('43,21');
    expect(await page.locator('#ricevute tbody th').innerText()).toMatch(/\S+/);
    const trail = await page.locator('#storico tbody').innerText();
    expect(trail).toContain('Pagamento');
    expect(trail).toContain('Creazione');
    await axe(page, 'paid position detail with its receipt');
    await context.close();
  }, 90_000);

  it('pages on the server: the list by status in pages of 20, a debtor\'s positions (by fiscal code, by name) by cursor', async () => {
    const debtor = 'VRDLGU75C12F205G';
    const due = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 22; i++) {
      const r = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, {
        body: {
          iupd: `PAGED-${i}-${Date.now()}`,
          type: 'F',
          fiscalCode: debtor,
          fullName: 'Luigi Verdi',
          paymentOption: [{ amount: 1000 + i, description: `Rata ${i}`, isPartialPayment: false, dueDate: due, transfer: [{ idTransfer: '1', amount: 1000 + i, remittanceInformation: `Rata ${i}`, category: '9/0101002IM/', iban: 'IT78L0306909606100000117002' }] }],
        },
      });
      expect(r.status, r.text).toBe(201);
    }
    const { context, page } = await freshPage();
    await signIn(page, VIEWER);
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni?status=VALID`);
    await eventually(() => page.locator('#conteggio').innerText()).toBe('23 posizioni trovate'); // 22 and the one created by form
    expect(await page.locator('#risultati tbody tr').count()).toBe(20);
    expect(await page.getByText('Pagina 1 di 2').count()).toBe(1);
    await page.getByRole('link', { name: 'Successiva' }).click();
    await eventually(() => page.getByText('Pagina 2 di 2').count()).toBe(1);
    expect(await page.locator('#risultati tbody tr').count()).toBe(3);
    // by due date and status, as GPD's list filters: the 22 due that day, not the one created by form (due earlier)
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni`);
    await page.getByLabel('Scadenza dal').fill(due);
    await page.getByLabel('Scadenza fino al').fill(due);
    await page.getByLabel('Stato').selectOption('VALID');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await eventually(() => page.locator('#conteggio').innerText()).toBe('22 posizioni trovate'); // the paid one due that day is not VALID

    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni`);
    await page.getByLabel('Codice fiscale del debitore').fill(debtor.toLowerCase());
    await page.getByRole('button', { name: 'Cerca' }).click();
    await eventually(() => page.locator('#conteggio').innerText()).toBe('20 posizioni del debitore in questa pagina');
    await axe(page, 'debtor search');
    await page.getByRole('link', { name: 'Posizioni successive' }).click();
    await eventually(() => page.locator('#conteggio').innerText()).toBe('2 posizioni del debitore');
    expect(await page.locator('#risultati tbody').innerText()).toContain('Luigi Verdi');

    // by name, surname first and in any case: the same 22, in pages of 20 by cursor
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni`);
    await page.getByLabel('Nome del debitore').fill('  verdi   LUIGI ');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await eventually(() => page.locator('#conteggio').innerText()).toBe('20 posizioni dei debitori «verdi LUIGI» in questa pagina');
    await axe(page, 'debtor name search');
    await page.getByRole('link', { name: 'Posizioni successive' }).click();
    await eventually(() => page.locator('#conteggio').innerText()).toBe('2 posizioni dei debitori «verdi LUIGI»');
    expect(await page.locator('#risultati tbody').innerText()).toContain('Luigi Verdi');
    await context.close();
  }, 90_000);

  // after the paging test, which counts the VALID positions: this one leaves one VALID (its payment was refused)
  it('the ragioneria: a wrong-amount payment is an open anomaly on the dashboard; an operator notes it handled; receipts and anomalies export as CSV', async () => {
    const due = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const run = Date.now();
    const create = async (iupd: string, amount: number) => {
      const r = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, {
        body: {
          iupd,
          type: 'F',
          fiscalCode: 'VRDLCU80A01H501G',
          fullName: 'Luca Verdi',
          paymentOption: [{ amount, description: 'Trasporto scolastico', isPartialPayment: false, dueDate: due, transfer: [{ idTransfer: '1', amount, remittanceInformation: 'Trasporto scolastico', category: '9/0101002IM/', iban: 'IT78L0306909606100000117002' }] }],
        },
      });
      expect(r.status, r.text).toBe(201);
      return r.json.paymentOption[0].nav as string;
    };
    const good = await create(`RAG-OK-${run}`, 2500);
    const wrong = await create(`RAG-KO-${run}`, 3000);
    expect((await payNotice({ noticeNumber: good, url: stack.url, log: () => {} })).outcome).toBe('OK');
    // the PSP charged 120.00 for a 30.00 notice: the node is answered OK (the money moved), the layer keeps an anomaly
    const mismatch = await payNotice({ noticeNumber: wrong, url: stack.url, log: () => {}, amount: 12000 });
    expect(mismatch.outcome).toBe('OK');
    await stack.cloud.drain({ timeoutMs: 60_000 });

    const { context, page } = await freshPage();
    await signIn(page, OPERATOR);
    expect(Number(await page.locator('#anomalie-aperte').innerText())).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#pagati-oggi').innerText()).toMatch(/^[1-9]\d* · .+€$/);
    await axe(page, 'dashboard with payments');
    await page.getByRole('link', { name: 'Anomalie da gestire' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Anomalie dei pagamenti');
    await page.getByLabel('Tipo').selectOption('AMOUNT_MISMATCH');
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.waitForURL(/kind=AMOUNT_MISMATCH/);
    await eventually(() => page.locator('#anomalie tbody').innerText()).toContain(wrong.replace(/^(\d{2})(\d{4})(\d{4})(\d{4})(\d{4})$/, '$1 $2 $3 $4 $5'));
    await axe(page, 'anomalies');
    const row = page.locator('#anomalie tbody tr', { hasText: wrong.slice(-4) });
    await row.getByRole('link').click();
    await eventually(() => page.locator('h1').innerText()).toBe('Anomalia: Importo diverso da quello dovuto');
    const details = await page.locator('#dati-anomalia').innerText();
    expect(details).toContain('Da gestire');
    expect(details).toContain('120,00');
    await axe(page, 'anomaly detail');
    await page.getByLabel(/^Nota/).fill('Verificato con il PSP: rimborso di 90,00 € disposto');
    await page.getByRole('button', { name: 'Salva la nota' }).click();
    await eventually(() => page.locator('#esito').innerText()).toBe('Nota salvata: anomalia gestita.');
    expect(await page.locator('#dati-anomalia').innerText()).toContain('Gestita');
    const notes = await page.locator('#note tbody').innerText();
    expect(notes).toContain(OPERATOR.name);
    expect(notes).toContain('rimborso di 90,00 € disposto');
    const anomalyUrl = page.url();

    // the export of the handled ones carries the note and who wrote it
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/anomalie?state=handled`);
    await eventually(() => page.locator('#conteggio').innerText()).toMatch(/anomalie in questa pagina/);
    const [anomalyCsv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Esporta in CSV' }).click()]);
    const anomalyLines = (await readFile((await anomalyCsv.path())!, 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(anomalyLines[0]).toMatch(/^registrataIl,tipo,dettaglio,/);
    const line = anomalyLines.find((l) => l.includes(wrong));
    expect(line).toBeDefined();
    expect(line).toContain('AMOUNT_MISMATCH');
    expect(line).toContain(',120.00,');
    expect(line).toContain(',sì,');
    expect(line).toContain(OPERATOR.username);

    // the receipts of today: the good payment, its position linked, and the same in the CSV
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome' }).format(new Date());
    await page.getByRole('link', { name: 'Ricevute', exact: true }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Ricevute di pagamento');
    await page.getByLabel('Registrate dal').fill(today);
    await page.getByLabel('Registrate fino al').fill(today);
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.waitForURL(new RegExp(`from=${today}&to=${today}`));
    await eventually(() => page.locator('#area-risultati').innerText()).toMatch(/ricevute in questa pagina|Pagina successiva/);
    await axe(page, 'receipts');
    const [receiptCsv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Esporta in CSV' }).click()]);
    const receiptLines = (await readFile((await receiptCsv.path())!, 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n');
    const paidLine = receiptLines.find((l) => l.includes(good));
    expect(paidLine, receiptLines.slice(0, 3).join('\n')).toContain(`RAG-OK-${run}`);
    expect(paidLine).toContain(',25.00,');
    expect(receiptLines.some((l) => l.includes(wrong))).toBe(false); // the anomaly is not a receipt that paid
    await context.close();

    // a viewer reads the anomaly, is offered no note form, and the API refuses the viewer's note (403)
    const viewer = await freshPage();
    await signIn(viewer.page, VIEWER);
    await viewer.page.goto(anomalyUrl);
    await eventually(() => viewer.page.locator('#note tbody').innerText()).toContain(OPERATOR.name);
    expect(await viewer.page.locator('#aggiungi-nota').count()).toBe(0);
    const anomalyId = decodeURIComponent(anomalyUrl.split('/').pop()!);
    const refused = await consoleApi(await accessToken(viewer.page), 'POST', `/organizations/${ESEMPIO_FC}/anomalies/${encodeURIComponent(anomalyId)}/notes`, { note: 'x', handled: false });
    expect(refused.status).toBe(403);
    await viewer.context.close();
  }, 120_000);

  it('uploads a GovPay CSV with three bad rows: the progress, then the three refused rows with their reasons and the result file', async () => {
    const [header, template] = readFileSync(new URL('../../events/examples/govpay-pendenze.csv', import.meta.url), 'utf8').split('\n') as [string, string];
    const run = Date.now().toString(36).toUpperCase();
    const row = (i: number, change: (cols: string[]) => void = () => {}) => {
      const cols = template.split(',');
      cols[1] = `CONSOLE-${run}-${i}`; // idPendenza
      cols[18] = `CONSOLE-${run}-${i}-1`; // idVoce1
      change(cols);
      return cols.join(',');
    };
    const rows = Array.from({ length: 20 }, (_, i) => row(i));
    rows.splice(4, 0, row(100, (c) => (c[9] = 'RSSMRA80A01H501X'))); // a fiscal code whose check character is wrong
    rows.splice(9, 0, row(101, (c) => (c[21] = 'IT00X0000000000000000000000'))); // not an IBAN
    rows.splice(15, 0, row(102, (c) => (c[19] = '99.00'))); // the entry's amount is not the position's
    const csv = `${header}\n${rows.join('\n')}\n`;

    const { context, page } = await freshPage();
    await signIn(page, OPERATOR);
    await page.getByRole('link', { name: 'Caricamento liste' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Caricamento di liste');
    await axe(page, 'uploads');
    // a file that is not GovPay's layout is refused at once (422), with the reason, and nothing is loaded
    await page.getByLabel(/File della lista/).setInputFiles({ name: 'sbagliato.csv', mimeType: 'text/csv', buffer: Buffer.from('codice;importo\nA;1\n') });
    await page.getByRole('button', { name: 'Carica il file' }).click();
    await eventually(() => page.locator('#errori-caricamento').innerText()).toMatch(/^Il file non è stato accettato: .+/);
    expect(page.url()).toMatch(/#\/\d{11}\/caricamenti$/);
    await page.getByLabel(/File della lista/).setInputFiles({ name: 'tari-console.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Carica il file' }).click();
    await page.waitForURL(/\/console\/#\/\d{11}\/caricamenti\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    await eventually(() => page.locator('h1').innerText()).toBe('Caricamento tari-console.csv');
    expect(await page.locator('#avanzamento').getAttribute('role')).toBe('progressbar');
    await expect.poll(() => page.locator('#avanzamento-testo').innerText(), { timeout: 90_000, interval: 250 }).toMatch(/^Completato con righe scartate: 23 di 23 righe elaborate\.$/);
    await eventually(() => page.locator('#righe-scartate tbody tr').count()).toBe(3);
    const refused = await page.locator('#righe-scartate tbody').innerText();
    for (const i of [100, 101, 102]) expect(refused).toContain(`CONSOLE-${run}-${i}`);
    expect(await page.locator('#righe-scartate tbody th').allInnerTexts()).toEqual(['6', '11', '17']); // lines of the file, the header being line 1
    expect(refused).toMatch(/check character/i);
    expect(refused).toMatch(/iban/i);
    expect(await page.locator('#riepilogo-caricamento').innerText()).toMatch(/Righe accettate\s+20\s+Righe scartate\s+3/);
    await axe(page, 'upload with refused rows');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Scarica il file di esito (CSV)' }).click()]);
    const result = (await readFile((await download.path())!, 'utf8')).trim().split(/\r?\n/);
    expect(result).toHaveLength(24);
    const errore = result[0]!.split(',').indexOf('errore');
    expect(errore).toBeGreaterThan(0);
    expect(result.slice(1).filter((line) => !line.endsWith(',')).length).toBe(3);
    // then the notices of the 20 positions it created, rendered in a batch, and their App IO messages released at a paced rate
    await expect.poll(() => page.locator('#lotto-stato').innerText(), { timeout: 90_000, interval: 500 }).toBe('Completato');
    expect(await page.locator('#lotto-generati').innerText()).toBe('20 di 20');
    expect(await page.locator('#lotto-non-generati').innerText()).toBe('0');
    // the 20 notices in one ZIP, through the console API's 303 to the stored archive (a cross-origin GET the page's fetch follows)
    const [archive] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Scarica tutti gli avvisi (ZIP)' }).click()]);
    expect(archive.suggestedFilename()).toMatch(/^avvisi-[0-9a-f-]{36}\.zip$/);
    const notices = unzipSync(new Uint8Array(await readFile((await archive.path())!)));
    expect(Object.keys(notices)).toHaveLength(20);
    for (const [name, pdf] of Object.entries(notices)) {
      expect(name).toMatch(new RegExp(`^\\d{6}-CONSOLE-${run}-\\d+\\.pdf$`));
      expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    }
    expect(await page.locator('#rilascio-da').innerText()).toBe('alla fine del caricamento');
    await expect.poll(() => page.locator('#rilascio-stato').innerText(), { timeout: 60_000, interval: 500 }).toBe('Tutti accodati per l’invio');
    expect(await page.locator('#rilascio-accodati').innerText()).toBe('20 di 20');
    await axe(page, 'upload with its notice batch and App IO release');
    // the list shows it
    await page.getByRole('link', { name: 'Torna ai caricamenti' }).click();
    await eventually(() => page.locator('#caricamenti tbody').innerText()).toContain('tari-console.csv');
    // and the dashboard, among the last uploads
    await page.getByRole('link', { name: 'Cruscotto' }).click();
    await eventually(() => page.locator('#ultimi-caricamenti').innerText()).toMatch(/tari-console\.csv · .+ · Completato con righe scartate · 23 di 23 righe/);
    await context.close();

    // a viewer sees the uploads and no upload form; the API refuses the viewer's upload (403)
    const viewer = await freshPage();
    await signIn(viewer.page, VIEWER);
    await viewer.page.goto(`${consoleUrl}#/${ESEMPIO_FC}/caricamenti`);
    await eventually(() => viewer.page.locator('#caricamenti tbody').innerText()).toContain('tari-console.csv');
    expect(await viewer.page.locator('#carica').count()).toBe(0);
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'tari.csv');
    const refusedUpload = await fetch(`${stack.url}/console-api/organizations/${ESEMPIO_FC}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${await accessToken(viewer.page)}` }, body: form });
    expect(refusedUpload.status).toBe(403);
    await viewer.context.close();
  }, 300_000);

  it('reconciliation: the receipts paid today, the flow that reports them, the treasury credit, each line matched', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const nav = await (async () => {
      const r = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, {
        body: {
          iupd: `RIC-${Date.now()}`,
          type: 'F',
          fiscalCode: 'VRDLCU80A01H501G',
          fullName: 'Luca Verdi',
          paymentOption: [{ amount: 7700, description: 'Retta nido', isPartialPayment: false, dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), transfer: [{ idTransfer: '1', amount: 7700, remittanceInformation: 'Retta nido', category: '9/0101002IM/', iban: 'IT78L0306909606100000117002' }] }],
        },
      });
      expect(r.status, r.text).toBe(201);
      return r.json.paymentOption[0].nav as string;
    })();
    expect((await payNotice({ noticeNumber: nav, url: stack.url, log: () => {} })).outcome).toBe('OK');
    await stack.cloud.drain({ timeoutMs: 60_000 });
    // the PSP's reporting flow of today's receipts (FdR simulator), acquired by the layer, then credited by the treasury
    const [flow] = await stack.layer.fdr.sim.close(today);
    expect(flow).toBeDefined();
    expect((await stack.api('POST', `/organizations/${ESEMPIO_FC}/reportingflows/sync`)).status).toBe(202);
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const amount = `${Math.floor(flow!.sumPayments / 100)},${String(flow!.sumPayments % 100).padStart(2, '0')}`;
    const statement = ['bookingDate;valueDate;amount;currency;creditDebit;remittanceInformation;bankReference', `${today.split('-').reverse().join('/')};;${amount};EUR;C;"/PUR/LGPE-RIVERSAMENTO/URI/${flow!.fdr}";TSR-CONSOLE-1`].join('\r\n');
    const imported = await stack.api('POST', `/organizations/${ESEMPIO_FC}/treasury/statements`, { body: statement, headers: { 'Content-Type': 'text/csv' } });
    expect(imported.status, imported.text).toBe(201);

    const { context, page } = await freshPage();
    await signIn(page, VIEWER);
    await page.getByRole('link', { name: 'Riconciliazione' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Riconciliazione');
    await page.getByLabel('Ricevute registrate dal').fill(today);
    await page.getByLabel('fino al').fill(today);
    await page.getByRole('button', { name: 'Filtra' }).click();
    await page.waitForURL(new RegExp(`riconciliazione\\?from=${today}&to=${today}`));
    await eventually(() => page.locator('#accreditati').innerText()).toMatch(/^[1-9]\d* · /);
    expect(await page.locator('#pagati').innerText()).toMatch(/^[1-9]\d* · /);
    await axe(page, 'reconciliation');
    await page.getByRole('link', { name: 'Flussi di rendicontazione' }).click();
    await eventually(() => page.locator('#flussi tbody').innerText()).toContain(flow!.fdr);
    expect(await page.locator('#flussi tbody tr', { hasText: flow!.fdr }).innerText()).toMatch(/Quadrato[\s\S]*Abbinato al flusso/);
    await axe(page, 'reporting flows');
    await page.getByRole('link', { name: flow!.fdr }).click();
    await eventually(() => page.locator('h1').innerText()).toBe(`Flusso ${flow!.fdr}`);
    const lines = await page.locator('#righe-flusso tbody').innerText();
    expect(lines).toContain('Abbinata alla ricevuta');
    expect(lines).toContain(nav.slice(1)); // the notice's IUV
    expect(await page.locator('#dati-flusso').innerText()).toContain('TSR-CONSOLE-1');
    await axe(page, 'reporting flow detail');
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/tesoreria`);
    await eventually(() => page.locator('#movimenti tbody').innerText()).toContain(flow!.fdr);
    await axe(page, 'treasury movements');
    await context.close();
  }, 120_000);

  it('App IO templates: a live preview refuses what IO would refuse and renders the rest; the administrator saves; a viewer only reads', async () => {
    const { context, page } = await freshPage();
    await signIn(page, ADMIN);
    await page.getByRole('link', { name: 'Messaggi IO' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Messaggi App IO');
    await eventually(() => page.locator('#anteprima-oggetto').count()).toBe(1); // the default text, rendered
    expect(await page.locator('#origine').innerText()).toContain('Testo predefinito');
    await axe(page, 'App IO templates');
    await page.getByRole('link', { name: 'Promemoria di scadenza' }).click();
    await eventually(() => page.locator('#segnaposto').innerText()).toContain('{{daysLeft}}');
    await page.getByRole('link', { name: 'Nuovo avviso' }).click();
    await eventually(() => page.locator('#segnaposto').innerText()).not.toContain('{{daysLeft}}');
    // a placeholder the kind does not have: the preview says why, nothing is saved
    await page.getByLabel(/^Oggetto del messaggio/).fill('Mancano {{daysLeft}} giorni');
    await eventually(() => page.locator('#anteprima-errori').count()).toBe(1);
    expect(await page.locator('#anteprima').innerText()).toMatch(/Oggetto: .*daysLeft/);
    expect(await page.getByLabel(/^Oggetto del messaggio/).getAttribute('aria-invalid')).toBe('true');
    // a description can be 140 characters: in the subject it could break IO's 120, so the preview refuses it
    await page.getByLabel(/^Oggetto del messaggio/).fill('Nuovo avviso: {{description}}');
    await eventually(() => page.locator('#anteprima').innerText()).toMatch(/Oggetto: .*120/);
    await page.getByLabel(/^Oggetto del messaggio/).fill('Nuovo avviso di pagamento da {{creditorName}}');
    await page.getByLabel(/^Testo \(markdown/).fill('# {{description}}\n\nIl Comune ti chiede **{{amount}} €** entro il {{dueDate}}.\n\n- codice avviso: {{noticeNumber}}\n- ente: {{creditorName}}');
    await eventually(() => page.locator('#anteprima-oggetto').innerText()).toBe('Nuovo avviso di pagamento da Comune di Esempio');
    expect(await page.locator('#anteprima-testo h3').innerText()).toBe('TARI 2026 - rata unica');
    expect(await page.locator('#anteprima-testo strong').innerText()).toBe('120,50 €');
    expect(await page.locator('#anteprima-testo li').allInnerTexts()).toEqual([expect.stringMatching(/^codice avviso: 3020 0000/), 'ente: Comune di Esempio']);
    await page.getByRole('button', { name: 'Salva il modello' }).click();
    await eventually(() => page.locator('#esito').innerText()).toContain('Modello «Nuovo avviso» salvato');
    expect(await page.locator('#origine').innerText()).toMatch(/Testo dell’ente, salvato il .+ da Anna Amministratrice/);
    await axe(page, 'App IO template saved');
    await context.close();

    const viewer = await freshPage();
    await signIn(viewer.page, VIEWER);
    await viewer.page.goto(`${consoleUrl}#/${ESEMPIO_FC}/messaggi-io`);
    await eventually(() => viewer.page.locator('#anteprima-oggetto').innerText()).toBe('Nuovo avviso di pagamento da Comune di Esempio');
    expect(await viewer.page.getByRole('button', { name: 'Salva il modello' }).count()).toBe(0);
    expect(await viewer.page.getByLabel(/^Oggetto del messaggio/).getAttribute('readonly')).not.toBeNull();
    const refused = await fetch(`${stack.url}/console-api/organizations/${ESEMPIO_FC}/io/templates/new-notice`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await accessToken(viewer.page)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Avviso di pagamento', markdown: 'x'.repeat(100) }),
    });
    expect(refused.status).toBe(403);
    await viewer.context.close();
  }, 90_000);

  it('webhooks: the admin registers the back office (secret once); a delivery it refused is delivered again by an operator once it is fixed', async () => {
    const receiver = await startBackOfficeReceiver({ port: 0, alwaysStatus: 410 });
    let cleanUp = async () => {};
    try {
      const { context, page } = await freshPage();
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: 'Webhook' }).click();
      await eventually(() => page.locator('h1').innerText()).toBe('Webhook');
      await axe(page, 'webhooks');
      await page.getByLabel(/^Indirizzo del gestionale/).fill(receiver.url);
      await page.getByLabel(/^Descrizione/).fill('Gestionale tributi');
      await page.getByRole('button', { name: 'Registra il destinatario' }).click();
      await eventually(() => page.locator('#segreto-webhook').count()).toBe(1);
      receiver.setSecret(await page.locator('#segreto-webhook').inputValue());
      await eventually(() => page.locator('#webhook tbody').innerText()).toContain(receiver.url);
      // the later tests' events must not go to a receiver that is gone: the admin removes it at the end, from the page
      cleanUp = async () => {
        await page.reload();
        await page.getByRole('button', { name: `Rimuovi il destinatario ${receiver.url}` }).click();
        await eventually(() => page.locator('#esito').innerText()).toContain('rimosso');
        await context.close();
      };

      // a payment: the back office (answering 410 Gone, a refusal for good) gets it once, and the delivery is FAILED
      const whIupd = `WH-${Date.now()}`;
      const r = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, {
        body: { iupd: whIupd, type: 'F', fiscalCode: 'VRDLCU80A01H501G', fullName: 'Luca Verdi', paymentOption: [{ amount: 1500, description: 'Diritti di segreteria', isPartialPayment: false, dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), transfer: [{ idTransfer: '1', amount: 1500, remittanceInformation: 'Diritti di segreteria', category: '9/0101002IM/', iban: 'IT78L0306909606100000117002' }] }] },
      });
      expect(r.status, r.text).toBe(201);
      expect((await payNotice({ noticeNumber: r.json.paymentOption[0].nav, url: stack.url, log: () => {} })).outcome).toBe('OK');
      await stack.cloud.drain({ timeoutMs: 60_000 });
      await receiver.waitFor((x) => x.requests.some((q) => q.status === 410 && q.signatureValid), 30_000);
      await stack.cloud.drain({ timeoutMs: 60_000 });

      const operator = await freshPage();
      await signIn(operator.page, OPERATOR);
      await operator.page.goto(`${consoleUrl}#/${ESEMPIO_FC}/webhook`);
      await operator.page.getByRole('link', { name: receiver.url }).click();
      await eventually(() => operator.page.locator('#consegne tbody').innerText()).toContain('Rifiutato dal destinatario');
      expect(await operator.page.locator('#consegne tbody').innerText()).toContain('HTTP 410');
      await axe(operator.page, 'webhook deliveries');
      // the back office is fixed: delivered again, the same event id, signed anew
      receiver.setFaults({ alwaysStatus: undefined });
      const failedRow = operator.page.locator('#consegne tbody tr', { hasText: 'Rifiutato dal destinatario' }).first();
      const eventId = (await failedRow.locator('th').innerText()).trim();
      const webhookId = decodeURIComponent(operator.page.url().split('/').pop()!);
      // the position's detail lists the same delivery (the event, the subscriber, the answer) and offers it again
      await operator.page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni/${whIupd}`);
      await eventually(() => operator.page.locator('#consegne-webhook tbody').innerText()).toContain(eventId);
      const onDetail = await operator.page.locator('#consegne-webhook tbody tr', { hasText: eventId }).innerText();
      for (const text of ['payment.received', 'Gestionale tributi', 'Rifiutato dal destinatario', 'HTTP 410']) expect(onDetail).toContain(text);
      expect(await operator.page.locator('#consegne-webhook-nota').innerText()).toMatch(/al massimo le 50 più recenti/);
      await axe(operator.page, 'position detail with its webhook deliveries');
      // a viewer reads it, gets no button, and the API refuses the viewer's redelivery (403)
      const viewer = await freshPage();
      await signIn(viewer.page, VIEWER);
      await viewer.page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni/${whIupd}`);
      await eventually(() => viewer.page.locator('#consegne-webhook tbody').innerText()).toContain('Rifiutato dal destinatario');
      expect(await viewer.page.getByRole('button', { name: /^Consegna di nuovo/ }).count()).toBe(0);
      expect((await consoleApi(await accessToken(viewer.page), 'POST', `/organizations/${ESEMPIO_FC}/webhooks/${webhookId}/deliveries/${eventId}/redeliver`)).status).toBe(403);
      await viewer.context.close();
      await operator.page.getByRole('button', { name: `Consegna di nuovo l’evento ${eventId} a ${receiver.url}` }).click();
      await eventually(() => operator.page.locator('#esito').innerText()).toContain(`Evento ${eventId} rimesso in consegna`);
      expect(await operator.page.locator('#consegne-webhook tbody tr', { hasText: eventId }).innerText()).toContain(`da ${OPERATOR.name}`);
      await stack.cloud.drain({ timeoutMs: 60_000 });
      await receiver.waitFor((x) => x.events().some((e) => e.webhookId === eventId), 30_000);
      expect(receiver.triesOf(eventId).map((t) => t.status)).toEqual([410, 200]);
      await operator.page.reload();
      await eventually(() => operator.page.locator('#consegne-webhook tbody tr', { hasText: eventId }).innerText()).toContain('Consegnato');
      await operator.page.goto(`${consoleUrl}#/${ESEMPIO_FC}/webhook/${webhookId}`);
      await eventually(() => operator.page.locator('#consegne tbody tr', { hasText: eventId }).innerText()).toContain('Consegnato');
      // delivered: nothing more to deliver again, and the API says so
      expect(await operator.page.getByRole('button', { name: `Consegna di nuovo l’evento ${eventId}` }).count()).toBe(0);
      expect((await consoleApi(await accessToken(operator.page), 'POST', `/organizations/${ESEMPIO_FC}/webhooks/${webhookId}/deliveries/${eventId}/redeliver`)).status).toBe(409);
      // an operator cannot register or remove subscribers
      expect((await consoleApi(await accessToken(operator.page), 'DELETE', `/organizations/${ESEMPIO_FC}/webhooks/${webhookId}`)).status).toBe(403);
      await operator.context.close();
    } finally {
      await cleanUp();
      await receiver.close();
    }
  }, 180_000);

  it('paid at the counter: an operator marks the notice paid outside pagoPA; the detail shows it paid, audited, and the App IO messages sent', async () => {
    const iupd = `SPORTELLO-${Date.now()}`;
    const r = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, {
      body: { iupd, type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi', // on App IO in the local simulator
         paymentOption: [{ amount: 3200, description: 'Concessione loculo', isPartialPayment: false, dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), transfer: [{ idTransfer: '1', amount: 3200, remittanceInformation: 'Concessione loculo', category: '9/0101002IM/', iban: 'IT78L0306909606100000117002' }] }] },
    });
    expect(r.status, r.text).toBe(201);
    const nav: string = r.json.paymentOption[0].nav;
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const { context, page } = await freshPage();
    await signIn(page, OPERATOR);
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni/${iupd}`);
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${iupd}`);
    await eventually(() => page.locator('#messaggi').innerText()).toMatch(/Nuovo avviso\s+App IO\s+Inviato/);
    // and today's figures on the dashboard count it
    await page.getByRole('link', { name: 'Cruscotto' }).click();
    await eventually(() => page.locator('#messaggi-oggi').locator('xpath=..').innerText()).toMatch(/Messaggi di oggi ai cittadini: [1-9]\d* in App IO/);
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni/${iupd}`);
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${iupd}`);
    await page.getByRole('button', { name: 'Segna come pagata fuori pagoPA' }).click();
    await eventually(() => page.locator('#esito').innerText()).toContain('segnato come pagato fuori pagoPA');
    expect(await page.locator('#dati-posizione').innerText()).toContain('Pagata');
    expect(await page.locator('#storico tbody').innerText()).toMatch(/Pagamento[\s\S]*Olga Operatrice/);
    expect(await page.getByRole('button', { name: 'Segna come pagata fuori pagoPA' }).count()).toBe(0);
    await axe(page, 'position paid outside pagoPA');
    // the node is told it is paid: a PSP can no longer take the payment
    const verify = await payNotice({ noticeNumber: nav, url: stack.url, log: () => {} });
    expect([verify.outcome, verify.faultCode]).toEqual(['KO', 'PAA_PAGAMENTO_DUPLICATO']);
    // a second mark is refused (409), and a viewer may not mark (403)
    expect((await consoleApi(await accessToken(page), 'POST', `/organizations/${ESEMPIO_FC}/paymentoptions/${nav}/paid`, {})).status).toBe(409);
    await context.close();
    const viewer = await freshPage();
    await signIn(viewer.page, VIEWER);
    expect((await consoleApi(await accessToken(viewer.page), 'POST', `/organizations/${ESEMPIO_FC}/paymentoptions/${nav}/paid`, {})).status).toBe(403);
    await viewer.context.close();
  }, 90_000);

  it('an operator corrects a position by form: the amount and due date change, the notice number stays, audited', async () => {
    const iupd = `MODIFICA-${Date.now()}`;
    const r = await stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, {
      body: { iupd, type: 'F', fiscalCode: 'VRDLCU80A01H501G', fullName: 'Luca Verdi', paymentOption: [{ amount: 5000, description: 'Refezione scolastica', isPartialPayment: false, dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), transfer: [{ idTransfer: '1', amount: 5000, remittanceInformation: 'Refezione scolastica', category: '9/0101002IM/', iban: 'IT78L0306909606100000117002' }] }] },
    });
    expect(r.status, r.text).toBe(201);
    const nav: string = r.json.paymentOption[0].nav;
    const { context, page } = await freshPage();
    await signIn(page, OPERATOR);
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/posizioni/${iupd}`);
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${iupd}`);
    await page.locator('#azioni').getByRole('link', { name: 'Modifica' }).click();
    await page.waitForURL(new RegExp(`/modifica/${iupd}$`));
    await eventually(() => page.locator('h1').innerText()).toBe(`Modifica della posizione ${iupd}`);
    expect(await page.getByLabel('Importo in euro').inputValue()).toBe('50,00');
    expect(await page.getByLabel('Nome e cognome o ragione sociale').inputValue()).toBe('Luca Verdi');
    await axe(page, 'edit position');
    // the API's messages beside the field, as when creating
    await page.getByLabel('Importo in euro').fill('45,001');
    await page.getByRole('button', { name: 'Salva le modifiche' }).click();
    await eventually(() => page.locator('#errori-modulo').innerText()).toMatch(/^La posizione non è stata modificata: 1 errore/);
    const due = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Importo in euro').fill('45,00');
    await page.getByLabel('Scadenza').fill(due);
    await page.getByRole('button', { name: 'Salva le modifiche' }).click();
    await page.waitForURL(new RegExp(`/posizioni/${iupd}$`));
    await eventually(() => page.locator('section').first().innerText()).toContain('45,00');
    expect((await page.locator('[data-campo=codice-avviso]').innerText()).replace(/\s/g, '')).toBe(nav);
    expect(await page.locator('#dati-posizione').innerText()).toContain('Da pagare');
    expect(await page.locator('#storico tbody').innerText()).toMatch(/Modifica[\s\S]*Olga Operatrice/);
    const stored = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`);
    expect(stored.json.paymentOption[0]).toMatchObject({ nav, amount: 4500 });
    await context.close();
  }, 90_000);

  it("dead-letter queues: the admin sees every DLQ's depth but only the municipality's messages, and sends one back to its queue", async () => {
    const sqs = new SQSClient({ region: stack.cloud.region, endpoint: stack.cloud.endpoints.sqs, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const dlq = stack.cloud.env['QUEUE_URL_WEBHOOK_DELIVERY_DLQ']!;
    // two deliveries parked after every retry: one of Esempio, one of Altrove (for subscribers since removed)
    const parked = (organizationFiscalCode: string, subscriberId: string) =>
      sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: JSON.stringify({ eventId: `dlq-${subscriberId}`, eventType: 'payment.received', organizationFiscalCode, subscriberId, payload: '{}' }) }));
    await parked(ESEMPIO_FC, 'removed-esempio-subscriber');
    await parked(ALTROVE_FC, 'removed-altrove-subscriber');
    try {
      const { context, page } = await freshPage();
      await signIn(page, ADMIN);
      // the dashboard: the queue holding messages, how many (this municipality's among them), a link to the screen
      await eventually(() => page.locator('#code-di-scarto-cruscotto li[data-coda="webhook-delivery"]').innerText()).toBe('webhook-delivery-dlq: 2 messaggi in attesa (1 di questo ente)');
      await axe(page, 'dashboard with dead letters');
      await page.locator('#code-di-scarto-cruscotto').getByRole('link', { name: 'webhook-delivery-dlq' }).click();
      await eventually(() => page.locator('h1').innerText()).toBe('Code di scarto');
      expect(await page.locator('#code-di-scarto tbody tr', { hasText: 'webhook-delivery-dlq' }).innerText()).toMatch(/webhook-delivery-dlq\s+2\s+1/);
      const shown = await page.locator('#messaggi-scartati').innerText();
      expect(shown).toContain('removed-esempio-subscriber');
      expect(shown).not.toContain('removed-altrove-subscriber');
      await axe(page, 'dead-letter queues');
      await page.getByRole('button', { name: /^Rimetti in coda il messaggio/ }).click();
      await eventually(() => page.locator('#esito').innerText()).toContain('rimesso nella coda webhook-delivery');
      await stack.cloud.drain({ timeoutMs: 60_000 });
      // the deliverer took it (its subscriber is gone: nothing sent, the message deleted); Altrove's stays parked
      await page.reload();
      await eventually(() => page.locator('#code-di-scarto tbody tr', { hasText: 'webhook-delivery-dlq' }).innerText()).toMatch(/webhook-delivery-dlq\s+1\s+0/);
      expect(await page.locator('#messaggi-scartati').innerText()).toContain('Nessun messaggio di questo ente');
      await context.close();

      // an operator has no such screen, and the API refuses (403)
      const operator = await freshPage();
      await signIn(operator.page, OPERATOR);
      expect(await operator.page.getByRole('link', { name: 'Code di scarto' }).count()).toBe(0);
      expect((await consoleApi(await accessToken(operator.page), 'GET', `/organizations/${ESEMPIO_FC}/deadletters`)).status).toBe(403);
      await operator.context.close();
    } finally {
      // Altrove's message out of the way of the tests that follow
      await sqs.send(new PurgeQueueCommand({ QueueUrl: dlq })).catch(() => undefined);
      sqs.destroy();
    }
  }, 90_000);

  it('an administrator issues an API key (shown once), the back office calls with it, then the administrator revokes it and it is refused', async () => {
    const { context, page } = await freshPage();
    await signIn(page, ADMIN);
    await page.getByRole('link', { name: 'Chiavi API' }).click();
    await eventually(() => page.locator('h1').innerText()).toBe('Chiavi API');
    await axe(page, 'API keys');
    await page.getByLabel(/A che cosa serve la chiave/).fill('Gestionale mensa scolastica');
    await page.getByRole('button', { name: 'Crea una nuova chiave' }).click();
    await eventually(() => page.locator('#chiave-nuova').count()).toBe(1);
    const key = await page.locator('#chiave-nuova').inputValue();
    expect(key).toMatch(/^plk_/);
    const keyId = (await page.locator('#esito').innerText()).match(/Chiave ([0-9a-f]{12}) creata/)?.[1];
    expect(keyId).toBeDefined();
    await axe(page, 'API key issued');
    const withKey = () => fetch(`${stack.url}/organizations/${ESEMPIO_FC}/debtpositions?limit=1`, { headers: { 'ocp-apim-subscription-key': key } }).then((r) => r.status);
    expect(await withKey()).toBe(200);
    // shown once: a reload lists the key by its id only
    await page.reload();
    await eventually(() => page.locator('#chiavi tbody').innerText()).toContain(keyId!);
    expect(await page.locator('#chiave-nuova').count()).toBe(0);
    expect(await page.content()).not.toContain(key);
    const row = page.locator('#chiavi tbody tr', { hasText: keyId! });
    expect(await row.innerText()).toContain('Anna Amministratrice');
    await row.getByRole('button', { name: `Revoca la chiave ${keyId}` }).click();
    await eventually(() => page.locator('#esito').innerText()).toContain(`Chiave ${keyId} revocata`);
    expect(await page.locator('#chiavi tbody tr', { hasText: keyId! }).innerText()).toMatch(/Revocata il .+ da Anna Amministratrice/);
    expect(await withKey()).toBe(401);
    await context.close();

    // an operator is offered no keys screen, and the API refuses the operator (403)
    const operator = await freshPage();
    await signIn(operator.page, OPERATOR);
    expect(await operator.page.getByRole('link', { name: 'Chiavi API' }).count()).toBe(0);
    expect((await consoleApi(await accessToken(operator.page), 'POST', `/organizations/${ESEMPIO_FC}/apikeys`, { label: 'x' })).status).toBe(403);
    await operator.context.close();
  }, 90_000);

  it('keyboard only: sign in, search, open the detail', async () => {
    expect(created).toBeDefined();
    const { context, page } = await freshPage();
    await page.goto(consoleUrl);
    await eventually(() => page.locator('#accedi').isVisible()).toBe(true);
    const focused = () =>
      page.evaluate(() => {
        const active = (globalThis as unknown as { document: { activeElement?: { id?: string; innerText?: string } } }).document.activeElement;
        return { id: active?.id ?? '', text: active?.innerText ?? '' };
      });
    /** Tab until the element matching `is` has the focus (at most 40 presses) */
    const tabTo = async (is: (f: { id: string; text: string }) => boolean, what: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (is(await focused())) return;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    // a new screen puts the focus on its heading; before it, the skip link, which leads to the content
    await eventually(async () => (await focused()).id).toBe('titolo-pagina');
    await page.keyboard.press('Shift+Tab');
    expect((await focused()).text).toBe('Vai al contenuto principale');
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('contenuto');
    await tabTo((f) => f.id === 'accedi', 'the sign-in button');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/_sim\/oidc\/interaction\//);
    expect((await focused()).id).toBe('username'); // the login form starts on its first field
    await page.keyboard.type(OPERATOR.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(OPERATOR.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/cruscotto$/);
    await eventually(async () => (await focused()).id).toBe('titolo-pagina'); // focus on the new page's heading
    await tabTo((f) => f.text === 'Posizioni debitorie', 'the positions link');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('h1').innerText()).toBe('Posizioni debitorie');
    await tabTo((f) => f.id === 'cerca-iupd', 'the IUPD field');
    await page.keyboard.type(created!.iupd);
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('#conteggio').innerText()).toBe('1 posizione trovata');
    await tabTo((f) => f.text === created!.iupd, 'the result link');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${created!.iupd}`);
    expect((await focused()).id).toBe('titolo-pagina');
    await context.close();
  }, 60_000);
});
