/**
 * The citizen's counter in a real browser (Debian's Chromium, headless, playwright-core) against
 * the whole local stack `npm start` runs: sign-in with SPID through the local test identity
 * provider (signed AuthnRequest, signed assertion posted to the ACS), the citizen's positions of
 * two municipalities, two notices paid in one pagoPA Checkout cart through the Checkout and node
 * simulators and seen PAID once the receipts are applied, the PDF notice and the PDF receipt
 * downloaded, a spontaneous payment (form errors first), sign-out; another citizen who sees none of
 * it; a replayed answer, a cart without the form token and somebody else's notice refused; axe-core
 * on every page (no serious or critical violation).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, seriousViolations } from '../support/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNoticeNumberForPrint } from '../../shared/domain/notice-number';
import { DEMO_PASSWORD } from '../../infra/local/simulators/spid-idp';
import { signInAsCitizen } from '../support/citizen-sign-in';
import { ALTROVE_FC, ALTROVE_KEY, ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';

if (!hasChromium) console.warn(`citizen-counter: SKIPPED, ${CHROMIUM} is absent (install the Debian package 'chromium')`);

const eventually = <T>(read: () => Promise<T> | T, timeout = 20_000) => expect.poll(read, { timeout, interval: 200 });

const MARIO = { fiscalNumber: 'RSSMRA80A01H501U', name: 'Mario Rossi' };
const LUCIA = { fiscalNumber: 'BNCLCU85M52F205Z', name: 'Lucia Bianchi' };

describe.skipIf(!hasChromium)('citizen counter in headless Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;
  let counterUrl: string;
  const pageErrors: string[] = [];
  const positions: Array<{ ofc: string; iupd: string; nav: string; amount: number }> = [];
  /** the first sign-in's ACS post, replayed later */
  let capturedAcsBody: string | undefined;

  async function createPosition(ofc: string, key: string | undefined, debtor: { fiscalNumber: string; name: string }, amount: number, description: string) {
    const iupd = `CIT-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const due = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const org = JSON.parse(readFileSync(stack.layer.seedFile, 'utf8')).organizations.find((o: { fiscalCode: string }) => o.fiscalCode === ofc);
    const res = await stack.api('POST', `/organizations/${ofc}/debtpositions?toPublish=true`, {
      ...(key ? { key } : {}),
      body: {
        iupd,
        type: 'F',
        fiscalCode: debtor.fiscalNumber,
        fullName: debtor.name,
        paymentOption: [{ amount, description, isPartialPayment: false, dueDate: due, transfer: [{ idTransfer: '1', amount, remittanceInformation: description, category: '9/0101002IM/', iban: org.iban }] }],
      },
    });
    expect(res.status, res.text).toBe(201);
    const nav = res.json.paymentOption[0].nav as string;
    return { ofc, iupd, nav, amount };
  }

  beforeAll(async () => {
    stack = await startLocalStack();
    counterUrl = `${stack.url}/cittadino/`;
    positions.push(await createPosition(ESEMPIO_FC, undefined, MARIO, 12050, 'TARI 2026 - rata unica'));
    positions.push(await createPosition(ESEMPIO_FC, undefined, MARIO, 4500, 'Mensa scolastica - ottobre'));
    positions.push(await createPosition(ALTROVE_FC, ALTROVE_KEY, MARIO, 9800, 'IMU 2026 - acconto'));
    positions.push(await createPosition(ESEMPIO_FC, undefined, LUCIA, 3000, 'Trasporto scolastico'));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.layer.stop();
  });

  async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ acceptDownloads: true, locale: 'it-IT' });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return { context, page };
  }

  async function axe(page: Page, screen: string): Promise<void> {
    expect(await seriousViolations(page), screen).toEqual([]);
  }

  /** from the counter's sign-in page through the test IdP back to the counter */
  async function signIn(page: Page, citizen: { fiscalNumber: string }, options: { capture?: boolean; checkA11y?: boolean } = {}): Promise<void> {
    await page.goto(counterUrl);
    await eventually(() => page.locator('h1').innerText()).toBe('Accedi allo sportello');
    if (options.checkA11y) await axe(page, 'sign-in');
    await page.locator('#accesso-spid').locator('xpath=..').getByRole('link').first().click();
    await page.waitForURL(/\/_sim\/spid\//);
    if (options.checkA11y) await axe(page, 'identity provider login');
    await idpLogin(page, citizen.fiscalNumber);
    if (options.capture) {
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith('/cittadino/spid/acs')) capturedAcsBody = request.postData() ?? undefined;
      });
    }
    await idpConsent(page);
    await page.waitForURL((u) => u.pathname === '/cittadino/' || u.pathname === '/cittadino', { timeout: 20_000 });
    await eventually(() => page.locator('h1').innerText()).toBe('I miei pagamenti');
  }

  it('a citizen signs in with SPID and sees their positions of two municipalities, nobody else\'s', async () => {
    const { context, page } = await freshPage();
    await signIn(page, MARIO, { capture: true, checkA11y: true });
    const text = await page.locator('main').innerText();
    expect(text).toContain('Comune di Esempio');
    expect(text).toContain('Comune di Altrove');
    expect(text).toContain('TARI 2026 - rata unica');
    expect(text).toContain('IMU 2026 - acconto');
    expect(text).toContain(formatNoticeNumberForPrint(positions[0]!.nav));
    expect(text).not.toContain('Trasporto scolastico');
    await axe(page, 'counter');
    // the App IO message of the new notice links to the position's page on the counter
    const tari = positions[0]!;
    await eventually(() => stack.layer.io.sim.inbox(MARIO.fiscalNumber).map((m) => m.content.markdown).join('\n'), 30_000).toContain(
      `(${stack.url}/cittadino/posizioni/${tari.ofc}/${tari.iupd})`,
    );
    // the session cookie is http-only and SameSite=Lax
    const cookie = (await context.cookies()).find((c) => c.name === 'sportello');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    await context.close();
  });

  it('a replayed answer of the identity provider, or one posted from another browser, is refused and opens no session', async () => {
    const acs = (body: string, cookie?: string) =>
      fetch(`${stack.url}/cittadino/spid/acs`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }, body });
    // the browser's answer posted from elsewhere (no binding cookie of that sign-in): login CSRF refused
    expect(capturedAcsBody).toBeDefined();
    const elsewhere = await acs(capturedAcsBody!);
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get('set-cookie')).toBeNull();
    expect(await elsewhere.text()).toContain('avviato da un altro browser');
    // the same browser replaying an answer already used
    const { acsBody, binding } = await signInAsCitizen(stack.url, MARIO.fiscalNumber);
    const replay = await acs(acsBody, binding);
    expect(replay.status).toBe(401);
    expect(replay.headers.getSetCookie().some((c) => c.startsWith('sportello=') && !c.startsWith('sportello=;'))).toBe(false);
    expect(await replay.text()).toContain('già stata usata');
  });

  it('pays two notices in one Checkout cart and sees them PAID, then downloads the notice and the receipt', async () => {
    const { context, page } = await freshPage();
    await signIn(page, MARIO);
    const [tari, mensa] = positions;
    await page.locator(`label[for="avviso-${tari!.nav}"]`).click();
    await page.locator(`label[for="avviso-${mensa!.nav}"]`).click();
    expect(await page.locator(`#avviso-${mensa!.nav}`).isChecked()).toBe(true);
    await page.locator(`#ente-${ESEMPIO_FC}`).locator('xpath=..').getByRole('button', { name: 'Paga con pagoPA' }).click();
    await page.waitForURL(/\/_sim\/checkout\/carts\/[^/]+\/redirect/);
    await axe(page, 'checkout simulator');
    const checkoutText = await page.locator('body').innerText();
    expect(checkoutText).toContain('120,50');
    expect(checkoutText).toContain('45,00');
    await page.getByRole('button', { name: 'Paga', exact: true }).click();
    await page.waitForURL(/\/cittadino\/pagamenti\/esito\?esito=ok/, { timeout: 60_000 });
    await eventually(() => page.locator('h1').innerText()).toBe('Esito del pagamento');
    await axe(page, 'payment outcome');
    // the receipts go through the queue: the page shows them once applied
    await eventually(async () => {
      await page.reload();
      return (await page.locator('main').innerText()).match(/Pagato: ricevuta arrivata/g)?.length ?? 0;
    }, 60_000).toBe(2);
    for (const p of [tari!, mensa!]) {
      const gpd = await stack.api('GET', `/organizations/${p.ofc}/debtpositions/${p.iupd}`);
      expect(gpd.json.status).toBe('PAID');
    }
    // the position page: paid, with its receipt as PDF
    await page.goto(`${stack.url}/cittadino/posizioni/${tari!.ofc}/${tari!.iupd}`);
    await eventually(() => page.locator('.lead').innerText()).toContain('Pagata');
    await axe(page, 'position paid');
    const [receiptDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Scarica la ricevuta (PDF)' }).click()]);
    const dir = mkdtempSync(join(tmpdir(), 'citizen-receipt-'));
    const receiptFile = join(dir, 'ricevuta.pdf');
    await receiptDownload.saveAs(receiptFile);
    expect(readFileSync(receiptFile).subarray(0, 5).toString()).toBe('%PDF-');
    const receiptText = execFileSync('pdftotext', ['-layout', receiptFile, '-'], { encoding: 'utf8' });
    expect(receiptText).toContain('120,50');
    expect(receiptText).toContain(formatNoticeNumberForPrint(tari!.nav));
    expect(receiptText).toContain('Mario Rossi');
    // an unpaid one: its PDF notice
    const imu = positions[2]!;
    await page.goto(`${stack.url}/cittadino/posizioni/${imu.ofc}/${imu.iupd}`);
    const [noticeDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: "Scarica l'avviso di pagamento (PDF)" }).click()]);
    const noticeFile = join(dir, 'avviso.pdf');
    await noticeDownload.saveAs(noticeFile);
    expect(execFileSync('pdftotext', [noticeFile, '-'], { encoding: 'utf8' })).toContain(formatNoticeNumberForPrint(imu.nav));
    await context.close();
  }, 180_000);

  it('makes a spontaneous payment: the form says what is wrong, then creates the position to pay', async () => {
    const { context, page } = await freshPage();
    await signIn(page, MARIO);
    await page.getByRole('link', { name: 'Paga un servizio' }).first().click();
    await eventually(() => page.locator('h1').innerText()).toBe('Paga un servizio');
    await axe(page, 'services');
    await page.locator('main a.h5').first().click();
    await axe(page, 'service form');
    await page.getByRole('button', { name: "Crea l'avviso" }).click();
    await eventually(() => page.locator('.alert-danger').innerText()).toContain('Controlla il modulo');
    await axe(page, 'service form with errors');
    // fill every required control with a valid value
    for (const select of await page.locator('main select[required]').all()) await select.selectOption({ index: 1 });
    for (const input of await page.locator('main input[required]:not([type=hidden]):not([type=checkbox])').all()) {
      const type = await input.getAttribute('type');
      const min = await input.getAttribute('min');
      await input.fill(type === 'number' ? (min ?? '1') : type === 'date' ? '2027-01-15' : 'Giulia Rossi');
    }
    for (const box of await page.locator('main input[required][type=checkbox]').all()) await box.check();
    await page.getByRole('button', { name: "Crea l'avviso" }).click();
    await page.waitForURL(/\/cittadino\/posizioni\/\d{11}\/SPONT-/);
    await eventually(() => page.locator('.lead').innerText()).toContain('Da pagare');
    await axe(page, 'spontaneous position');
    const iupd = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    const gpd = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`);
    expect(gpd.status).toBe(200);
    expect(gpd.json.status).toBe('VALID');
    expect(gpd.json.fiscalCode).toBe(MARIO.fiscalNumber);
    await context.close();
  }, 120_000);

  it('refuses a cart without the form token and somebody else\'s notice, and changes nothing', async () => {
    const { context, page } = await freshPage();
    await signIn(page, MARIO);
    const cookie = (await context.cookies()).find((c) => c.name === 'sportello')!;
    const lucia = positions[3]!;
    const post = (body: string) =>
      fetch(`${stack.url}/cittadino/pagamenti`, { method: 'POST', redirect: 'manual', headers: { cookie: `sportello=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect((await post(`ente=${ESEMPIO_FC}&avviso=${lucia.nav}`)).status).toBe(403);
    const token = await page.locator('input[name=_token]').first().getAttribute('value');
    const foreign = await post(`_token=${encodeURIComponent(token!)}&ente=${ESEMPIO_FC}&avviso=${lucia.nav}`);
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain('non è tra quelli che puoi pagare');
    // nor can Mario open Lucia's position
    const res = await page.goto(`${stack.url}/cittadino/posizioni/${lucia.ofc}/${lucia.iupd}`);
    expect(res?.status()).toBe(404);
    const gpd = await stack.api('GET', `/organizations/${lucia.ofc}/debtpositions/${lucia.iupd}`);
    expect(gpd.json.status).toBe('VALID');
    await context.close();
  }, 60_000);

  it('an IdP-initiated logout (the citizen left another service) ends the counter\'s session and is answered, signed', async () => {
    const { cookie } = await signInAsCitizen(stack.url, MARIO.fiscalNumber);
    const idpSession = stack.layer.spid.sessions('spid').filter((x) => x.fiscalNumber === MARIO.fiscalNumber).at(-1)!;
    const { url } = stack.layer.spid.idpInitiatedLogout({ nameId: idpSession.nameId, sessionIndex: idpSession.sessionIndex });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/\/_sim\/spid\/slo\?SAMLResponse=.*&Signature=/);
    expect((await fetch(`${stack.url}${new URL(res.headers.get('location')!).pathname}${new URL(res.headers.get('location')!).search}`)).status).toBe(200);
    const after = await fetch(counterUrl, { headers: { cookie } });
    expect(await after.text()).toContain('Accedi allo sportello');
    // a LogoutRequest that is not signed by the IdP is refused and ends nothing
    const other = await signInAsCitizen(stack.url, MARIO.fiscalNumber);
    const forged = new URL(url);
    forged.searchParams.set('Signature', Buffer.from('forged').toString('base64'));
    expect((await fetch(`${stack.url}/cittadino/spid/slo${forged.search}`, { redirect: 'manual' })).status).toBe(400);
    expect(await (await fetch(counterUrl, { headers: { cookie: other.cookie } })).text()).toContain('I miei pagamenti');
  });

  it('signs in with CIE too (no e-mail released): the counter greets the citizen, who owes nothing here', async () => {
    const { cookie } = await signInAsCitizen(stack.url, 'VRDGPP70T10L219Z', 'cie');
    const res = await fetch(counterUrl, { headers: { cookie } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Giuseppe Verdi');
    expect(html).toContain('Non risultano pagamenti a tuo nome');
    expect(html).not.toContain('TARI 2026');
    // the SP's metadata in both profiles, signed; SPID's with its Single Logout endpoint
    const spidMd = await (await fetch(`${stack.url}/cittadino/spid/metadata`)).text();
    expect(spidMd).toContain(`<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${stack.url}/cittadino/spid/slo"`);
    const cieMd = await fetch(`${stack.url}/cittadino/cie/metadata`);
    const cieText = await cieMd.text();
    expect(cieMd.headers.get('content-type')).toContain('application/samlmetadata+xml');
    expect(cieText).toMatch(/<cie:Municipality>H501<\/cie:Municipality>/);
    expect(cieText).toContain('<ds:Signature');
    expect(cieText).not.toContain('Name="email"');
  });

  it('another citizen sees only their own position; signing out ends the session', async () => {
    const { context, page } = await freshPage();
    await signIn(page, LUCIA);
    const text = await page.locator('main').innerText();
    expect(text).toContain('Trasporto scolastico');
    expect(text).not.toContain('TARI 2026');
    expect(text).not.toContain('Comune di Altrove');
    expect(stack.layer.spid.sessions('spid').some((x) => x.fiscalNumber === LUCIA.fiscalNumber)).toBe(true);
    // Esci: the counter's session, then the IdP's (Single Logout: signed LogoutRequest, signed LogoutResponse)
    await page.getByRole('button', { name: 'Esci' }).click();
    await eventually(() => page.locator('.alert').innerText()).toContain('Sei uscito');
    expect(stack.layer.spid.sessions('spid').some((x) => x.fiscalNumber === LUCIA.fiscalNumber)).toBe(false);
    await axe(page, 'signed out');
    const res = await page.goto(`${stack.url}/cittadino/posizioni/${positions[3]!.ofc}/${positions[3]!.iupd}`);
    expect(new URL(page.url()).pathname).toBe('/cittadino/');
    expect(res?.status()).toBe(200);
    await eventually(() => page.locator('h1').innerText()).toBe('Accedi allo sportello');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});

// ---- the test identity provider's pages (infra/local/simulators/spid-idp) ----------------------

/** the demo identity, the demo password, Accedi */
async function idpLogin(page: Page, fiscalNumber: string): Promise<void> {
  await page.locator('label', { hasText: fiscalNumber }).click();
  expect(await page.locator(`input[name=cittadino][value="${fiscalNumber}"]`).isChecked()).toBe(true);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await eventually(() => page.locator('h1').innerText()).toBe("Consenso all'invio dei dati");
}

/** Acconsenti: the IdP posts the signed answer to the counter's ACS */
async function idpConsent(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Acconsenti' }).click();
}
