/**
 * The console's position form with several payment options and transfers, in a real browser
 * (Debian's Chromium, headless, playwright-core) against the whole local stack: an operator
 * creates by form a position paid in one go or in two installments, the single payment split in
 * two transfers (one to another municipality); sees it VALID with a notice number per option;
 * changes it by form (an amount, a transfer removed, another added) and each kept option keeps
 * its notice number; sends a wrong IBAN and transfers that do not add up and sees the API's own
 * messages beside those fields; axe-core on the form with several options open; the options and
 * transfers added and removed by keyboard only.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, launchChromium, seriousViolations } from '../support/browser';
import { ALTROVE_FC, ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';

const OPERATOR = { username: 'operatore.esempio', password: 'demo-operatore-2026' };
const ESEMPIO_IBAN = 'IT78L0306909606100000117002';
const ALTROVE_IBAN = 'IT47K0503401633000000012345';

/** a page condition, polled (the local stack on a busy machine may take seconds to answer) */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 100 });

interface ProblemJson {
  errors?: Array<{ field: string; message: string }>;
}

describe.skipIf(!hasChromium)(`console position form with several options and transfers${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`, () => {
  let stack: LocalStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleUrl: string;
  const pageErrors: string[] = [];
  /** the position created by form; the edit looks at it */
  let created: { iupd: string; iuvs: string[] } | undefined;

  beforeAll(async () => {
    stack = await startLocalStack();
    consoleUrl = stack.layer.consoleUrl;
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'it-IT' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(consoleUrl);
    await page.locator('#accedi').click();
    await page.waitForURL(/\/_sim\/oidc\/interaction\//);
    await page.getByLabel('Nome utente').fill(OPERATOR.username);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForURL(/\/console\/#\/\d{11}\/cruscotto/);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  async function axe(screen: string): Promise<void> {
    expect(await seriousViolations(page), screen).toEqual([]);
  }

  const focusedId = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement?: { id: string } } }).document.activeElement?.id ?? '');
  const focusedName = () =>
    page.evaluate(() => {
      const active = (globalThis as unknown as { document: { activeElement?: { id: string; innerText?: string; getAttribute: (n: string) => string | null } } }).document.activeElement;
      return active ? (active.getAttribute('aria-label') ?? active.innerText ?? '') : '';
    });

  async function newForm(): Promise<void> {
    await page.goto(`${consoleUrl}#/${ESEMPIO_FC}/nuova`);
    await eventually(() => page.locator('h1').innerText()).toBe('Nuova posizione debitoria');
  }

  /** submits the form and waits for the console API's answer */
  async function submit(label: 'Crea la posizione' | 'Salva le modifiche'): Promise<{ status: number; text: string }> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => ['POST', 'PUT'].includes(r.request().method()) && /\/console-api\/organizations\/\d{11}\/debtpositions[/?]/.test(r.url()), { timeout: 60_000 }),
      page.getByRole('button', { name: label }).click(),
    ]);
    return { status: response.status(), text: await response.text() };
  }

  async function fillDebtor(fullName: string): Promise<void> {
    await page.locator('#codice-fiscale').fill('BNCMRA80A41H501E');
    await page.locator('#nominativo').fill(fullName);
  }

  it('creates by form a single payment split in two transfers and a plan of two installments; VALID with a notice number per option', async () => {
    await newForm();
    // the simple case is as it was: one option, one transfer, no transfer amount of its own, no remove buttons
    expect(await page.locator('#opzioni-pagamento fieldset').count()).toBe(2);
    expect(await page.locator('#opzione-1-trasferimento-1-importo, [id$=-rimuovi]').count()).toBe(0);
    const iupd = await page.locator('#iupd').inputValue();
    await fillDebtor('Maria Bianchi');
    await page.locator('#descrizione').fill('TARI 2026 - unica soluzione');
    await page.locator('#importo').fill('120,50');
    await page.locator('#causale').fill('TARI 2026');

    // the single payment: 100,00 to the municipality, 20,50 to another one
    await page.getByRole('button', { name: 'Aggiungi un trasferimento al pagamento in unica soluzione' }).click();
    expect(await focusedId()).toBe('opzione-1-trasferimento-2-importo');
    await eventually(() => page.locator('#annunci').innerText()).toBe('Trasferimento 2 aggiunto al pagamento in unica soluzione.');
    expect(await page.locator('#opzione-1-trasferimento-1-importo').inputValue()).toBe('120,50');
    await page.locator('#opzione-1-trasferimento-1-importo').fill('100,00');
    await page.locator('#opzione-1-trasferimento-2-importo').fill('20,00');
    expect(await page.locator('#opzione-1-somma').innerText()).toBe('Somma dei trasferimenti: 120,00 €; l’importo in euro è 120,50 €: mancano 0,50 €.');
    await page.locator('#opzione-1-trasferimento-2-importo').fill('20,50');
    expect(await page.locator('#opzione-1-somma').innerText()).toBe('Somma dei trasferimenti: 120,50 €, pari all’importo in euro.');
    expect(await page.locator('#importo').getAttribute('aria-describedby')).toContain('opzione-1-somma');
    await page.locator('#opzione-1-trasferimento-2-causale').fill('TARI 2026 - quota Comune di Altrove');
    await page.locator('#opzione-1-trasferimento-2-iban').fill(ALTROVE_IBAN);
    await page.locator('#opzione-1-trasferimento-2 summary').click();
    await page.locator('#opzione-1-trasferimento-2-ente').fill(ALTROVE_FC);

    // the plan: two installments, due a month apart after the single payment
    await page.getByRole('button', { name: 'Aggiungi una rata' }).click();
    expect(await focusedId()).toBe('opzione-2-descrizione');
    await page.locator('#opzione-2-descrizione').fill('TARI 2026 - rata 1');
    await page.locator('#opzione-2-importo').fill('60,25');
    await page.getByRole('button', { name: 'Aggiungi una rata' }).click();
    await page.locator('#opzione-3-descrizione').fill('TARI 2026 - rata 2');
    await page.locator('#opzione-3-importo').fill('60,25');
    expect(await page.locator('#opzioni-pagamento > fieldset > legend').allInnerTexts()).toEqual(['Pagamento in unica soluzione', 'Rata 1', 'Rata 2']);
    // an installment's transfer starts like the first one of the single payment
    expect(await page.locator('#opzione-3-trasferimento-1-causale').inputValue()).toBe('TARI 2026');
    expect(await page.locator('#opzione-3-trasferimento-1-iban').inputValue()).toBe(ESEMPIO_IBAN);
    expect(await page.getByRole('button', { name: 'Rimuovi la rata 2' }).count()).toBe(1);
    await page.locator('#opzione-2 > .row details summary').click();
    await axe('create form with several options open');

    const answer = await submit('Crea la posizione');
    expect(answer.status, answer.text).toBe(201);
    await page.waitForURL(`**/console/#/${ESEMPIO_FC}/posizioni/${iupd}`);
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${iupd}`);
    expect(await page.locator('#dati-posizione .badge').innerText()).toBe('Da pagare');
    const shown = (await page.locator('[data-campo=codice-avviso]').allInnerTexts()).map((t) => t.replace(/ /g, ''));
    expect(shown).toHaveLength(3);
    expect(new Set(shown).size).toBe(3);
    for (const nav of shown) expect(nav).toMatch(/^312\d{15}$/);
    // the detail's transfers: where each share goes, and the other municipality named as its beneficiary
    const transfers = await page.locator('table:has(caption:text("Trasferimenti"))').first().locator('tbody tr').allInnerTexts();
    expect(transfers).toHaveLength(2);
    expect(transfers[0]).toContain(`IBAN ${ESEMPIO_IBAN}`);
    expect(transfers[0]).toContain('questo Ente');
    expect(transfers[1]).toContain(`IBAN ${ALTROVE_IBAN}`);
    expect(transfers[1]).toContain(ALTROVE_FC);

    const stored = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`);
    expect(stored.json.status).toBe('VALID');
    const options = stored.json.paymentOption as Array<{ nav: string; iuv: string; amount: number; isPartialPayment: boolean; transfer: Array<{ amount: number; organizationFiscalCode: string; iban: string }> }>;
    expect(options.map((o) => [o.amount, o.isPartialPayment, o.transfer.length])).toEqual([
      [12050, false, 2],
      [6025, true, 1],
      [6025, true, 1],
    ]);
    expect(options[0]!.transfer.map((t) => [t.amount, t.organizationFiscalCode, t.iban])).toEqual([
      [10000, ESEMPIO_FC, ESEMPIO_IBAN],
      [2050, ALTROVE_FC, ALTROVE_IBAN],
    ]);
    expect(options.map((o) => o.nav)).toEqual(shown);
    created = { iupd, iuvs: options.map((o) => o.iuv) };
  }, 90_000);

  it('changes it by form: an amount, a transfer removed, one added; each option keeps its notice number', async () => {
    expect(created).toBeDefined();
    const { iupd, iuvs } = created!;
    await page.locator('#azioni').getByRole('link', { name: 'Modifica' }).click();
    await page.waitForURL(new RegExp(`/modifica/${iupd}$`));
    await eventually(() => page.locator('h1').innerText()).toBe(`Modifica della posizione ${iupd}`);
    expect(await page.locator('#opzioni-pagamento > fieldset > legend').allInnerTexts()).toEqual(['Pagamento in unica soluzione', 'Rata 1', 'Rata 2']);
    expect(await page.locator('#opzione-1-trasferimento-2-ente').inputValue()).toBe(ALTROVE_FC);
    expect(await page.locator('#opzione-1-trasferimento-1-importo').inputValue()).toBe('100,00');
    expect(await page.locator('[data-campo=codice-avviso-modulo]').first().innerText()).toMatch(/resta lo stesso/);
    await axe('edit form with several options');

    // the single payment goes back to one transfer: its amount is the option's again
    await page.getByRole('button', { name: 'Rimuovi il trasferimento 2 del pagamento in unica soluzione' }).click();
    expect(await focusedId()).toBe('opzione-1-aggiungi-trasferimento');
    expect(await page.locator('#opzione-1-trasferimento-1-importo, #opzione-1-somma').count()).toBe(0);
    // the second installment costs more, and gets a second transfer for the difference
    await page.locator('#opzione-3-importo').fill('70,00');
    await page.getByRole('button', { name: 'Aggiungi un trasferimento alla rata 2' }).click();
    // the first transfer takes the option's amount (it was all of it until now): the operator splits it
    expect(await page.locator('#opzione-3-trasferimento-1-importo').inputValue()).toBe('70,00');
    await page.locator('#opzione-3-trasferimento-1-importo').fill('60,25');
    await page.locator('#opzione-3-trasferimento-2-importo').fill('9,75');
    await page.locator('#opzione-3-trasferimento-2-iban').fill(ESEMPIO_IBAN);
    await page.locator('#opzione-3-trasferimento-2-causale').fill('TARI 2026 - maggiorazione');
    expect(await page.locator('#opzione-3-somma').innerText()).toBe('Somma dei trasferimenti: 70,00 €, pari all’importo in euro.');
    const answer = await submit('Salva le modifiche');
    expect(answer.status, answer.text).toBe(200);
    await page.waitForURL(new RegExp(`/posizioni/${iupd}$`));
    await eventually(() => page.locator('h1').innerText()).toBe(`Posizione ${iupd}`);
    await eventually(() => page.locator('section').nth(2).innerText()).toContain('70,00');
    expect(await page.locator('#dati-posizione .badge').innerText()).toBe('Da pagare');
    expect(await page.locator('#storico tbody').innerText()).toMatch(/Modifica/);

    const stored = await stack.api('GET', `/organizations/${ESEMPIO_FC}/debtpositions/${iupd}`);
    const options = stored.json.paymentOption as Array<{ iuv: string; amount: number; transfer: Array<{ idTransfer: string; amount: number; remittanceInformation: string }> }>;
    expect(options.map((o) => o.iuv)).toEqual(iuvs);
    expect(options.map((o) => [o.amount, o.transfer.map((t) => [t.idTransfer, t.amount])])).toEqual([
      [12050, [['1', 12050]]],
      [6025, [['1', 6025]]],
      [7000, [['1', 6025], ['2', 975]]],
    ]);
    expect(options[2]!.transfer[1]!.remittanceInformation).toBe('TARI 2026 - maggiorazione');
  }, 90_000);

  it("a wrong IBAN in the second option's second transfer and transfers that do not add up: the API's messages beside those fields", async () => {
    await newForm();
    await fillDebtor('Giulia Neri');
    await page.locator('#descrizione').fill('Retta asilo nido');
    await page.locator('#importo').fill('60,00');
    await page.locator('#causale').fill('Retta asilo nido');
    await page.getByRole('button', { name: 'Aggiungi una rata' }).click();
    await page.locator('#opzione-2-descrizione').fill('Retta asilo nido - rata 1');
    await page.locator('#opzione-2-importo').fill('60,00');
    await page.getByRole('button', { name: 'Aggiungi un trasferimento alla rata 1' }).click();
    await page.locator('#opzione-2-trasferimento-1-importo').fill('30,00');
    await page.locator('#opzione-2-trasferimento-2-importo').fill('20,00');
    await page.locator('#opzione-2-trasferimento-2-iban').fill('IT00X0000000000000000000000');
    expect(await page.locator('#opzione-2-somma').innerText()).toBe('Somma dei trasferimenti: 50,00 €; l’importo in euro è 60,00 €: mancano 10,00 €.');

    const answer = await submit('Crea la posizione');
    expect(answer.status, answer.text).toBe(400);
    const errors = (JSON.parse(answer.text) as ProblemJson).errors ?? [];
    const message = (field: string) => errors.find((e) => e.field === field)?.message;
    const ibanMessage = message('paymentOption[1].transfer[1].iban');
    const sumMessage = message('paymentOption[1].transfer');
    expect(ibanMessage, answer.text).toBeDefined();
    expect(sumMessage, answer.text).toMatch(/sum to 5000 cents but the option amount is 6000 cents/);
    await eventually(() => page.locator('#errori-modulo [role=alert]').count()).toBe(1);
    expect(await focusedId()).toBe('errori-modulo');
    // beside the exact fields the API names, each described by its message
    expect(await page.locator('#opzione-2-trasferimento-2-iban-errore').innerText()).toBe(ibanMessage);
    expect(await page.locator('#opzione-2-trasferimento-2-iban').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#opzione-2-trasferimento-2-iban').getAttribute('aria-describedby')).toContain('opzione-2-trasferimento-2-iban-errore');
    expect(await page.locator('#opzione-2-importo-errore').innerText()).toBe(sumMessage);
    expect(await page.locator('#opzione-2-importo').getAttribute('aria-invalid')).toBe('true');
    // nothing else marked: the first option and the first transfer were right
    expect(await page.locator('[aria-invalid=true]').count()).toBe(2);
    const listed = await page.locator('#errori-modulo li').allInnerTexts();
    expect(listed).toEqual(expect.arrayContaining([`Rata 1 · Trasferimento 2 · IBAN di accredito: ${ibanMessage}`, `Rata 1 · Importo in euro: ${sumMessage}`]));
    expect(await page.locator('#errori-modulo').innerText()).toMatch(/^La posizione non è stata creata: 2 errori\./);
    await axe('create form with field errors in the second option');
    // the list's link leads to the field
    await page.locator('#errori-modulo').getByRole('link', { name: /IBAN di accredito/ }).click();
    expect(await focusedId()).toBe('opzione-2-trasferimento-2-iban');

    // corrected, it is created
    await page.locator('#opzione-2-trasferimento-2-iban').fill(ESEMPIO_IBAN);
    await page.locator('#opzione-2-trasferimento-2-importo').fill('30,00');
    const fixed = await submit('Crea la posizione');
    expect(fixed.status, fixed.text).toBe(201);
    await eventually(() => page.locator('[data-campo=codice-avviso]').count()).toBe(2);
  }, 90_000);

  it('keyboard only: an installment and a transfer added, a transfer removed, the focus following', async () => {
    await newForm();
    await page.locator('#email').focus();
    /** Tab until the focused element's id or accessible name is the one wanted (at most 40 presses) */
    const tabTo = async (is: (id: string, name: string) => boolean, what: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (is(await focusedId(), await focusedName())) return;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabTo((id) => id === 'aggiungi-rata', 'the add-installment button');
    await page.keyboard.press('Enter');
    expect(await focusedId()).toBe('opzione-2-descrizione');
    await eventually(() => page.locator('#annunci').innerText()).toBe('Rata 1 aggiunta.');
    await page.keyboard.type('Rata 1');
    await tabTo((_, name) => name === 'Aggiungi un trasferimento alla rata 1', 'the add-transfer button of the installment');
    await page.keyboard.press('Space');
    expect(await focusedId()).toBe('opzione-2-trasferimento-2-importo');
    await eventually(() => page.locator('#annunci').innerText()).toBe('Trasferimento 2 aggiunto alla rata 1.');
    await page.keyboard.type('5,00');
    expect(await page.locator('#opzione-2-descrizione').inputValue()).toBe('Rata 1'); // typed before the redraw, kept
    await tabTo((_, name) => name === 'Rimuovi il trasferimento 2 della rata 1', 'the remove button of the new transfer');
    await page.keyboard.press('Enter');
    expect(await focusedId()).toBe('opzione-2-aggiungi-trasferimento');
    expect(await page.locator('#opzione-2-trasferimento-2').count()).toBe(0);
    // and the installment itself
    await tabTo((_, name) => name === 'Rimuovi la rata 1', 'the remove button of the installment');
    await page.keyboard.press('Enter');
    expect(await focusedId()).toBe('aggiungi-rata');
    expect(await page.locator('#opzione-2').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
