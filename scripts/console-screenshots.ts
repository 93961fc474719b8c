/**
 * `npm run console:screenshots`: the README's pictures of the operator console, taken in headless
 * Chromium (Debian's /usr/bin/chromium) from a fresh local stack with a few demo positions:
 * sign-in, dashboard, search results, position detail, the create form with the API's field
 * errors, a tax list uploaded (the example GovPay CSV and one bad row) with its refused row, the
 * anomalies (one payment of the wrong amount) and one of them with an operator's note, a new API
 * key just issued (a local demo key, shown once), the reconciliation of the day and its flow (the
 * FdR simulator's flow of the paid notice, credited by a treasury statement line), the App IO
 * reminder template with its live preview, a search by the debtor's name, the form with a payment
 * in full split between two transfers and two installments; then the citizen's counter: its sign-in choice, a
 * citizen's positions, the Checkout simulator's cart, a spontaneous service's form with its errors.
 * Written to web/console/screenshots/*.png (1280×900).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startLocalLayer, temporaryOutbox } from '../infra/local/layer';
import { payNotice } from './pay';
import { DEMO_PASSWORD } from '../infra/local/simulators/spid-idp';
import { CONSOLE_DIR } from '../web/console/build';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const OUT = join(CONSOLE_DIR, 'screenshots');
const ESEMPIO = '80001234568';
const KEY = 'demo-esempio-key-0123456789abcdef';

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is absent (install the Debian package 'chromium' or set CHROMIUM_PATH)`);
  mkdirSync(OUT, { recursive: true });
  // the handlers' own logs would flood the output: errors only
  const layer = await startLocalLayer({ port: 0, log: () => undefined, outboxDir: temporaryOutbox(), env: { POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'ERROR' } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const due = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const people = [
      ['RSSMRA80A01H501U', 'Mario Rossi', 'TARI 2026 - rata unica', 12050, true],
      ['BNCMRA80A41H501E', 'Maria Bianchi', 'TARI 2026 - rata unica', 9830, true],
      ['VRDLGU75C12F205G', 'Luigi Verdi', 'Canone unico patrimoniale 2026', 24000, true],
      ['RSSMRA80A01H501U', 'Mario Rossi', 'Servizio mensa scolastica - ottobre', 6400, false],
      ['RSSMRA80A01H501U', 'Mario Rossi', 'Trasporto scolastico 2026/27', 18000, true],
    ] as const;
    const navs: string[] = [];
    for (const [i, [fiscalCode, fullName, description, amount, publish]] of people.entries()) {
      const res = await fetch(`${layer.cloud.url}/organizations/${ESEMPIO}/debtpositions?toPublish=${publish}`, {
        method: 'POST',
        headers: { 'ocp-apim-subscription-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({
          iupd: `DEMO-2026-${String(i + 1).padStart(4, '0')}`,
          type: 'F',
          fiscalCode,
          fullName,
          paymentOption: [{ amount, description, isPartialPayment: false, dueDate: due(30 + i), transfer: [{ idTransfer: '1', amount, remittanceInformation: description, category: '9/0101002IM/', iban: 'IT78L0306909606100000117002' }] }],
        }),
      });
      if (res.status !== 201) throw new Error(`seeding a demo position: ${res.status} ${await res.text()}`);
      navs.push(((await res.json()) as { paymentOption: Array<{ nav: string }> }).paymentOption[0]!.nav);
    }
    // one paid as due, one paid with the wrong amount (an anomaly for the ragioneria)
    for (const [nav, amount] of [[navs[0]!, undefined], [navs[1]!, 9000]] as const) {
      const paid = await payNotice({ noticeNumber: nav, url: layer.cloud.url, log: () => undefined, ...(amount ? { amount } : {}) });
      if (paid.outcome !== 'OK') throw new Error(`paying a demo notice: ${JSON.stringify(paid.exchanges.map((e) => e.faultCode))}`);
    }
    await layer.cloud.drain({ timeoutMs: 60_000 });
    // the PSP's reporting flow of today's receipts, acquired, and the treasury's credit of it
    const today = new Date().toISOString().slice(0, 10);
    const [flow] = await layer.fdr.sim.close(today);
    if (!flow) throw new Error('the FdR simulator published no flow');
    const call = (path: string, init: RequestInit) => fetch(`${layer.cloud.url}/organizations/${ESEMPIO}${path}`, { ...init, headers: { 'ocp-apim-subscription-key': KEY, ...init.headers } });
    if ((await call('/reportingflows/sync', { method: 'POST' })).status !== 202) throw new Error('reporting flow sync refused');
    await layer.cloud.drain({ timeoutMs: 60_000 });
    const euro = `${Math.floor(flow.sumPayments / 100)},${String(flow.sumPayments % 100).padStart(2, '0')}`;
    const statement = `bookingDate;valueDate;amount;currency;creditDebit;remittanceInformation;bankReference\r\n${today.split('-').reverse().join('/')};;${euro};EUR;C;"/PUR/LGPE-RIVERSAMENTO/URI/${flow.fdr}";TRN-DEMO-0001\r\n`;
    const imported = await call('/treasury/statements', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: statement });
    if (imported.status !== 201) throw new Error(`treasury statement refused: ${imported.status} ${await imported.text()}`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
    const shot = async (name: string, p: Page = page) => {
      await p.evaluate(() => (globalThis as unknown as { document: { activeElement?: { blur?: () => void } } }).document.activeElement?.blur?.());
      await p.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
      console.log(`wrote ${join(OUT, `${name}.png`)}`);
    };
    await page.goto(layer.consoleUrl);
    await page.locator('#accedi').waitFor();
    await shot('01-accedi');
    await page.locator('#accedi').click();
    await page.waitForURL(/\/_sim\/oidc\/interaction\//);
    await page.getByLabel('Nome utente').fill('admin');
    await shot('02-login');
    await page.getByLabel('Password').fill('demo-admin-2026');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.locator('#totale').waitFor();
    await shot('03-cruscotto');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/posizioni?debtor=RSSMRA80A01H501U`);
    await page.locator('#conteggio').waitFor();
    await shot('04-ricerca');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/posizioni/DEMO-2026-0001`);
    await page.locator('#storico').waitFor();
    await shot('05-dettaglio');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/nuova`);
    await page.getByLabel('Nome e cognome o ragione sociale').fill('Anna Neri');
    await page.getByLabel('Codice fiscale o partita IVA del debitore').fill('NRENNA80A41H501X');
    await page.getByLabel('Importo in euro').fill('12,345');
    await page.getByRole('button', { name: 'Crea la posizione' }).click();
    await page.locator('#errori-modulo [role=alert]').waitFor();
    await shot('06-nuova-con-errori');
    const example = readFileSync(new URL('../events/examples/govpay-pendenze.csv', import.meta.url), 'utf8').trimEnd();
    const bad = example.split(/\r?\n/)[1]!.replace('TARI-2099-0001', 'TARI-2099-0009').replace('RCCMNL83S18D969H', 'RCCMNL83S18D969X');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/caricamenti`);
    await page.getByLabel(/File della lista/).setInputFiles({ name: 'tari-2099.csv', mimeType: 'text/csv', buffer: Buffer.from(`${example}\r\n${bad}\r\n`) /* the example file ends its lines with CRLF: so does the added row */ });
    await page.getByRole('button', { name: 'Carica il file' }).click();
    await page.locator('#riepilogo-caricamento').waitFor({ timeout: 60_000 }).catch(async (e: unknown) => {
      throw new Error(`the upload did not end: ${await page.locator('main').innerText()}`, { cause: e });
    });
    await page.waitForTimeout(1000); // the progress bar's width transition
    await shot('07-caricamento-lista');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/anomalie`);
    await page.locator('#anomalie').waitFor();
    await shot('08-anomalie');
    await page.locator('#anomalie tbody a').first().click();
    await page.getByLabel(/^Nota/).fill('Verificato con il PSP: il cittadino ha pagato 90,00 € invece di 98,30 €; chiesta l’integrazione.');
    await page.locator('label[for=gestita]').click(); // Bootstrap Italia draws the box on the label: leave it open
    await page.getByRole('button', { name: 'Salva la nota' }).click();
    await page.locator('#note tbody').waitFor();
    await shot('09-anomalia-con-nota');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/chiavi`);
    await page.getByLabel(/A che cosa serve la chiave/).fill('Gestionale tributi');
    await page.getByRole('button', { name: 'Crea una nuova chiave' }).click();
    await page.locator('#chiave-nuova').waitFor();
    await shot('10-chiave-api-nuova');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/riconciliazione`);
    await page.locator('#riepilogo').waitFor();
    await shot('11-riconciliazione');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/flussi/${encodeURIComponent(flow.fdr)}`);
    await page.locator('#righe-flusso').waitFor();
    await shot('12-flusso');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/messaggi-io/reminder`);
    await page.locator('#anteprima-oggetto').waitFor();
    await shot('13-messaggi-io');
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/posizioni?debtor_name=${encodeURIComponent('rossi m')}`);
    await page.locator('#conteggio').waitFor();
    await shot('18-ricerca-per-nome');
    // the form with a payment in full split between two transfers and a plan of two installments
    await page.goto(`${layer.consoleUrl}#/${ESEMPIO}/nuova`);
    await page.getByLabel('Nome e cognome o ragione sociale').fill('Anna Neri');
    await page.getByLabel('Codice fiscale o partita IVA del debitore').fill('NRENNA80A41H501X');
    await page.locator('#descrizione').fill('TARI 2026 - unica soluzione');
    await page.locator('#importo').fill('120,50');
    await page.locator('#causale').fill('TARI 2026');
    await page.getByRole('button', { name: 'Aggiungi un trasferimento al pagamento in unica soluzione' }).click();
    await page.locator('#opzione-1-trasferimento-1-importo').fill('100,00');
    await page.locator('#opzione-1-trasferimento-2-importo').fill('20,50');
    await page.locator('#opzione-1-trasferimento-2-causale').fill('TARI 2026 - tributo provinciale');
    await page.getByRole('button', { name: 'Aggiungi una rata' }).click();
    await page.locator('#opzione-2-descrizione').fill('TARI 2026 - rata 1');
    await page.locator('#opzione-2-importo').fill('60,25');
    await page.getByRole('button', { name: 'Aggiungi una rata' }).click();
    await page.locator('#opzione-3-descrizione').fill('TARI 2026 - rata 2');
    await page.locator('#opzione-3-importo').fill('60,25');
    await page.locator('#opzione-1').scrollIntoViewIfNeeded();
    await shot('19-posizione-con-rate');

    // the citizen's counter: Mario Rossi signs in with SPID (test IdP), sees his positions, opens Checkout, a service's form
    const citizen = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
    await citizen.goto(layer.counterUrl);
    await shot('14-sportello-accesso', citizen);
    await citizen.getByRole('link', { name: 'SPID (simulatore locale)' }).click();
    await citizen.locator('label', { hasText: 'RSSMRA80A01H501U' }).click();
    await citizen.getByLabel('Password').fill(DEMO_PASSWORD);
    await citizen.getByRole('button', { name: 'Accedi' }).click();
    await citizen.getByRole('button', { name: 'Acconsenti' }).click();
    await citizen.waitForURL(/\/cittadino\/$/);
    await shot('15-sportello-pagamenti', citizen);
    await citizen.locator('input[name=avviso]').first().evaluate((el) => (el as unknown as { id: string }).id).then((id) => citizen.locator(`label[for="${id}"]`).click());
    await citizen.getByRole('button', { name: 'Paga con pagoPA' }).first().click();
    await citizen.waitForURL(/\/_sim\/checkout\/carts\//);
    await shot('16-checkout-simulatore', citizen);
    await citizen.goto(`${layer.counterUrl}servizi/${ESEMPIO}/MENSA`);
    await citizen.getByRole('button', { name: "Crea l'avviso" }).click();
    await citizen.locator('.alert-danger').waitFor();
    await shot('17-sportello-servizio', citizen);
  } finally {
    await browser.close();
    await layer.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`console:screenshots failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
