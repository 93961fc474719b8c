/**
 * `npm run console:timing`: the operator console's first-load JavaScript (gzip) and how fast it
 * becomes usable, in headless Chromium (Debian's /usr/bin/chromium) against a fresh local stack:
 *   sign-in page  navigation → the "Accedi" button rendered (no session)
 *   dashboard     reload with a session → the dashboard rendered with its numbers (9 API reads)
 * Prints one JSON line; `--runs N` (default 20) reloads.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startLocalLayer, temporaryOutbox } from '../infra/local/layer';
import { buildConsole, firstLoadJs } from '../web/console/build';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is absent (install the Debian package 'chromium' or set CHROMIUM_PATH)`);
  const js = firstLoadJs(await buildConsole());
  // the handlers' own logs would flood the output: errors only
  const layer = await startLocalLayer({ port: 0, log: () => undefined, outboxDir: temporaryOutbox(), env: { POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'ERROR' } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const signInMs: number[] = [];
    for (let i = 0; i < Math.min(runs, 5); i++) {
      const t = performance.now();
      await page.goto(layer.consoleUrl);
      await page.locator('#accedi').waitFor();
      signInMs.push(performance.now() - t);
    }
    await page.locator('#accedi').click();
    await page.waitForURL(/\/_sim\/oidc\/interaction\//);
    await page.getByLabel('Nome utente').fill('admin');
    await page.getByLabel('Password').fill('demo-admin-2026');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.waitForSelector('h1:has-text("Cruscotto")');
    const dashboardMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await page.reload();
      await page.waitForSelector('#totale');
      dashboardMs.push(performance.now() - t);
    }
    const s = [...signInMs].sort((a, b) => a - b);
    const d = [...dashboardMs].sort((a, b) => a - b);
    const r = (n: number) => Math.round(n);
    console.log(
      JSON.stringify({
        firstLoadJsBytes: js.bytes,
        firstLoadJsGzipBytes: js.gzipBytes,
        signInPageMs: { first: r(signInMs[0]!), p50: r(quantile(s, 0.5)), max: r(s[s.length - 1]!) },
        dashboardMs: { runs, p50: r(quantile(d, 0.5)), p95: r(quantile(d, 0.95)), max: r(d[d.length - 1]!) },
      }),
    );
  } finally {
    await browser.close();
    await layer.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`console:timing failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
