/**
 * The simulator's inbox page as a citizen sees it, in headless Chromium (Debian `chromium`,
 * driven by playwright-core): the message is readable and text a sender put in it cannot run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppIoSimulator, type RunningAppIoSimulator } from '../../infra/local/simulators/app-io';
import { createAppIoClient } from '../../shared/adapters/app-io-client';
import { renderMessage } from '../../shared/domain/app-io/templates';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`io-inbox-page: SKIPPED, ${CHROMIUM} is absent (install the Debian package 'chromium')`);
}

const KEY = 'key-tari-e2e';
const CITIZEN = 'RCCMNL83S18D969H';
const INJECTION = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
// no underscores here: raw markdown would (rightly) turn __x__ into bold
const RAW_INJECTION = '<script>window.pwnedRaw = 1</script><img src=x onerror="window.pwnedRaw = 2">';

describe.skipIf(!hasChromium)(
  `App IO inbox page in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`,
  () => {
    let running: RunningAppIoSimulator;
    let userDataDir: string;
    let context: BrowserContext;
    let page: Page;
    const dialogs: string[] = [];

    beforeAll(async () => {
      running = await startAppIoSimulator({ port: 0, seed: 7 });
      running.sim.registerService({ serviceId: 'SRV-TARI', apiKey: KEY, name: 'TARI', organizationName: 'Comune di Esempio' });
      running.sim.registerCitizen({ fiscalCode: CITIZEN });
      const client = createAppIoClient({ baseUrl: running.apiUrl, timeoutMs: 5_000 });

      // a message rendered by the layer's templates, with a hostile description
      const rendered = renderMessage('new-notice', undefined, {
        amountCents: 102_099,
        dueDate: '2025-12-31T12:00:00.000Z',
        noticeNumber: '302000000000000184',
        description: `TARI 2025 ${INJECTION}`.slice(0, 140),
        creditorName: 'Comune di Esempio',
      });
      const first = await client.submitMessage(KEY, {
        fiscal_code: CITIZEN,
        content: {
          ...rendered,
          due_date: '2025-12-31T12:00:00.000Z',
          payment_data: { amount: 102_099, notice_number: '302000000000000184', payee: { fiscal_code: '00743110157' } },
        },
      });
      // and one from a careless sender that put raw HTML in the markdown and the subject
      const second = await client.submitMessage(KEY, {
        fiscal_code: CITIZEN,
        content: {
          subject: 'Avviso <b>grassetto</b> <script>window.pwnedRaw = 3</script>',
          markdown: `Descrizione: ${RAW_INJECTION} ${'testo di riempimento '.repeat(4)}`,
        },
      });
      expect([first.kind, second.kind]).toEqual(['created', 'created']);

      userDataDir = await mkdtemp(join(tmpdir(), 'io-inbox-chromium-'));
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    });

    afterAll(async () => {
      await context?.close();
      await running?.close();
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    });

    it("shows the citizen's message: subject, amount, notice number, payee and due date", async () => {
      const response = await page.goto(`${running.url}/inbox/${CITIZEN}`);
      expect(response?.status()).toBe(200);
      const card = page.locator('article.message', { hasText: 'Nuovo avviso di pagamento' });
      await expect.poll(() => card.count()).toBe(1);
      expect(await card.locator('.subject').innerText()).toBe('Nuovo avviso di pagamento');
      expect(await card.locator('.payment .amount').innerText()).toBe('1.020,99 €');
      expect(await card.locator('.payment .notice-number').innerText()).toBe('3020 0000 0000 0001 84');
      expect(await card.locator('.payment .payee').innerText()).toBe('00743110157');
      expect(await card.locator('.payment .due-date').innerText()).toBe('31/12/2025');
      expect(await card.locator('.payment .amount').isVisible()).toBe(true);
      expect(await card.locator('.payment .notice-number').isVisible()).toBe(true);
      // the rendered markdown: bold labels, and the description as literal text
      expect(await card.locator('.body strong').first().innerText()).toBe('Causale:');
      expect(await card.locator('.body').innerText()).toContain('TARI 2025 <script>window.__pwned = 1</script>');
    });

    it('does not run or create markup injected through a description, the markdown or the subject', async () => {
      await page.goto(`${running.url}/inbox/${CITIZEN}`);
      await page.waitForLoadState('load');
      await page.waitForTimeout(200); // give an onerror handler a chance to fire, were there one
      const flags = await page.evaluate(() => {
        const w = globalThis as unknown as { __pwned?: number; pwnedRaw?: number }; // window, in the page
        return [w.__pwned, w.pwnedRaw];
      });
      expect(flags).toEqual([undefined, undefined]);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('main img').count()).toBe(0);
      expect(await page.locator('.subject b').count()).toBe(0);
      const careless = page.locator('article.message', { hasText: 'Descrizione:' });
      expect(await careless.locator('.subject').innerText()).toBe('Avviso <b>grassetto</b> <script>window.pwnedRaw = 3</script>');
      expect(await careless.locator('.body').innerText()).toContain(RAW_INJECTION);
      expect(dialogs).toEqual([]);
    });

    it('lists every citizen on the home page with a link to their inbox', async () => {
      await page.goto(`${running.url}/`);
      const link = page.locator(`a[href="/inbox/${CITIZEN}"]`);
      expect(await link.innerText()).toBe(CITIZEN);
      expect(await page.locator('article.message').count()).toBe(2);
      await link.click();
      await page.waitForURL(`**/inbox/${CITIZEN}`);
      expect(await page.locator('section.citizen').count()).toBe(1);
    });
  },
);
